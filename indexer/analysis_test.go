package indexer

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	bdoc "github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// TestAnalyzeParts: a value of parts (joinParts) is analyzed as its parts
// one after another, remembered or not (a worker's mapping remembers
// recent texts): the same terms, positions that run on, and offsets into
// the joined value; the remembered tokens are left as they were.
func TestAnalyzeParts(t *testing.T) {
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	m, err = workerMapping(m)
	if err != nil {
		t.Fatal(err)
	}
	a := m.AnalyzerNamed(analyzerText)
	before := slices.Clone(terms(a.Analyze([]byte("Warm line · Línea de apoyo"))))
	positions := func(ts analysis.TokenStream) []int {
		var out []int
		for _, t := range ts {
			out = append(out, t.Position)
		}
		return out
	}

	tests := []struct {
		name  string
		parts []string
		want  []string
	}{
		{"one part", []string{"Peer support groups"}, []string{"peer", "support", "group"}},
		{"remembered part second", []string{"Grief group", "Warm line · Línea de apoyo"}, []string{"grief", "group", "warm", "line", "linea", "de", "apoyo"}},
		{"empty and stop-word parts", []string{"the", "", "Recovery"}, []string{"recoveri"}},
		{"separator inside a part", []string{"a\x1eb grief"}, []string{"b", "grief"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := joinParts(slices.Clone(tc.parts))
			ts := a.Analyze([]byte(v))
			if got := terms(ts); !slices.Equal(got, tc.want) {
				t.Fatalf("terms %q, want %q", got, tc.want)
			}
			for i, p := range positions(ts) {
				if i > 0 && p <= ts[i-1].Position {
					t.Fatalf("positions %v do not run on", positions(ts))
				}
			}
			for _, tok := range ts {
				if tok.Start < 0 || tok.End > len(v) || tok.Start >= tok.End {
					t.Fatalf("token %q at %d..%d outside the value (%d bytes)", tok.Term, tok.Start, tok.End, len(v))
				}
			}
		})
	}
	if after := terms(a.Analyze([]byte("Warm line · Línea de apoyo"))); !slices.Equal(after, before) {
		t.Fatalf("remembered tokens changed: %q, were %q", after, before)
	}
	rem := a.Analyze([]byte("Warm line · Línea de apoyo"))
	if got := positions(rem); got[0] != 1 {
		t.Fatalf("remembered positions changed: %v", got)
	}
}

// mappings are the shared mapping and a build worker's copy of it.
func mappings(tb testing.TB) (shared, worker mapping.IndexMapping) {
	tb.Helper()
	m, err := NewMapping()
	if err != nil {
		tb.Fatal(err)
	}
	w, err := workerMapping(m)
	if err != nil {
		tb.Fatal(err)
	}
	return m, w
}

func terms(ts analysis.TokenStream) []string {
	var out []string
	for _, t := range ts {
		out = append(out, string(t.Term))
	}
	return out
}

// TestWorkerMappingRemembersRecent: a build worker's mapping analyzes a
// record's text once for all its fields, in English, and forgets it with
// the record; the shared mapping analyzes it every time.
func TestWorkerMappingRemembersRecent(t *testing.T) {
	m, w := mappings(t)
	text := []byte("Peer support for parents")
	same := func(m interface {
		AnalyzerNamed(string) analysis.Analyzer
	}, name string) bool {
		a := m.AnalyzerNamed(name)
		x, y := a.Analyze(text), a.Analyze(text)
		return len(x) > 0 && x[0] == y[0]
	}
	if !same(w, analyzerText) {
		t.Error("the worker's English analyzer analyzed the text twice")
	}
	if same(w, analyzerES) || same(m, analyzerText) {
		t.Error("an analyzer without a memory of recent texts returned the same tokens twice")
	}
	// The worker's tokens are the shared mapping's.
	got, want := w.AnalyzerNamed(analyzerText).Analyze(text), m.AnalyzerNamed(analyzerText).Analyze(text)
	if len(got) != len(want) {
		t.Fatalf("worker: %d tokens, shared: %d", len(got), len(want))
	}
	for i := range got {
		g, w := *got[i], *want[i]
		if string(g.Term) != string(w.Term) || g.Start != w.Start || g.End != w.End || g.Position != w.Position {
			t.Errorf("token %d: worker %+v, shared %+v", i, g, w)
		}
	}
	a := w.AnalyzerNamed(analyzerText)
	before := a.Analyze(text)
	forgetRecent(w)
	if after := a.Analyze(text); after[0] == before[0] {
		t.Error("forgetRecent: the text's tokens are still remembered")
	}
}

// TestKeywordParts: a keyword field whose values are one value of parts
// (joinParts, analyzerKeywords) has the terms, frequencies and length of
// the same values as a list under bleve's keyword analyzer, as zap
// merges a list's fields of one name.
func TestKeywordParts(t *testing.T) {
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	parts, list := m.AnalyzerNamed(analyzerKeywords), m.AnalyzerNamed(keyword.Name)
	if parts == nil || list == nil {
		t.Fatal("analyzers missing")
	}
	opts := index.IndexField
	tests := [][]string{
		{"open"},
		{"America/New_York|mon|18:00", "America/New_York|mon|18:30", "America/New_York|tue|09:00"},
		{"lang:en", "lang:en", "category:peer-run"},
		{"a", "", "b"},
		{"zip:94110 (mission)", "county:SANTA CLARA"},
	}
	for _, vals := range tests {
		want := index.TokenFrequencies{}
		wantLen := 0
		for i, v := range vals {
			f := bdoc.NewTextFieldCustom("f", []uint64{uint64(i)}, []byte(v), opts, list)
			f.Analyze()
			want.MergeAll("f", f.AnalyzedTokenFrequencies())
			wantLen += f.AnalyzedLength()
		}
		f := bdoc.NewTextFieldCustom("f", nil, []byte(joinParts(vals)), opts, parts)
		f.Analyze()
		got := f.AnalyzedTokenFrequencies()
		if f.AnalyzedLength() != wantLen {
			t.Errorf("%q: length %d, want %d", vals, f.AnalyzedLength(), wantLen)
		}
		if len(got) != len(want) {
			t.Errorf("%q: %d terms, want %d", vals, len(got), len(want))
		}
		for term, w := range want {
			if g := got[term]; g == nil || g.Frequency() != w.Frequency() {
				t.Errorf("%q: term %q: got %v, want frequency %d", vals, term, g, w.Frequency())
			}
		}
	}
}

// TestRememberedTermsMatchAnalysis: a worker's analyzers, which remember
// what the token filters make of each term and skip the folding of a
// text in ASCII, give every token as bleve's analysis does (term,
// offsets, position, type), in English and in Spanish, on the prose of
// synthetic records in both languages and on texts that try the filters
// (possessives, stop words, accents, capitals, digits, other scripts),
// analyzed twice so that the second time is remembered, and with a
// memory that is forgotten as it fills.
func TestRememberedTermsMatchAnalysis(t *testing.T) {
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := synthRecords(t, 400)
	texts := slices.Concat([]string{
		"", " ", "The Women's Group’s meeting", "JAMES'S ＇s café CAFÉ Café", "the and of a",
		"Grupos de apoyo para familias", "depresión ansiedad niñez ÑANDÚ", "12-step 2nd 10:00am",
		"日本語のテキスト Ελληνικά русский", "ﬁnance ﬂow Œuvre", "a\x00b\tc\nd", "ab\xffcd \xe2\x80",
	}, asciiTexts, randomASCII(5000))
	for _, s := range recs {
		texts = append(texts, proseOf(s)...)
	}
	for _, name := range []string{analyzerText, analyzerES} {
		t.Run(name, func(t *testing.T) {
			w, err := workerMapping(m)
			if err != nil {
				t.Fatal(err)
			}
			a := w.AnalyzerNamed(name).(*cachedAnalyzer)
			if a.terms == nil {
				t.Fatal("the worker's analyzer remembers no terms")
			}
			ref := m.AnalyzerNamed(name).(*cachedAnalyzer).inner.(*analysis.DefaultAnalyzer)
			bleveRef := &analysis.DefaultAnalyzer{Tokenizer: ref.Tokenizer, TokenFilters: ref.TokenFilters}
			for _, cf := range ref.CharFilters {
				if f, ok := cf.(asciiFolding); ok {
					cf = f.inner
				}
				bleveRef.CharFilters = append(bleveRef.CharFilters, cf)
			}
			for round := range 3 {
				if round == 2 {
					clear(a.terms)
					clear(a.chunks)
				}
				for _, text := range texts {
					forgetRecent(w)
					got, want := a.Analyze([]byte(text)), bleveRef.Analyze([]byte(text))
					if len(got) != len(want) {
						t.Fatalf("round %d, %q: %d tokens %q, bleve %d %q", round, text, len(got), terms(got), len(want), terms(want))
					}
					for i := range got {
						g, w := *got[i], *want[i]
						if string(g.Term) != string(w.Term) || g.Start != w.Start || g.End != w.End || g.Position != w.Position || g.Type != w.Type || g.KeyWord != w.KeyWord {
							t.Fatalf("round %d, %q, token %d: %+v, bleve %+v", round, text, i, g, w)
						}
					}
				}
			}
			if len(a.terms) < 100 || len(a.chunks) < 100 {
				t.Fatalf("%d terms and %d chunks remembered, want the vocabulary of the texts", len(a.terms), len(a.chunks))
			}
		})
	}
}

// TestASCIIFoldingSkipsASCII: the folding gives what bleve's does, and
// a text in ASCII comes back as a copy, which the token filters may
// change without changing the text.
func TestASCIIFoldingSkipsASCII(t *testing.T) {
	f := asciiFolding{&asciifolding.AsciiFoldingFilter{}}
	for _, text := range []string{"", "plain ascii 123", "Café Ñandú", "ﬁ", "\xff", "a\x7fb"} {
		in := []byte(text)
		got, want := f.Filter(in), f.inner.Filter([]byte(text))
		if string(got) != string(want) {
			t.Errorf("%q: %q, bleve %q", text, got, want)
		}
		if len(got) > 0 {
			got[0] = '#'
			if string(in) != text {
				t.Errorf("%q: the folded text shares the input's bytes", text)
			}
		}
	}
}

// asciiTexts try where a space-free run of ASCII ends a word or does
// not (UAX #29): apostrophes, periods, colons, commas and underscores
// between letters and digits, at a run's ends and doubled; other
// whitespace and controls; spaces leading, trailing and repeated.
var asciiTexts = []string{
	"can't stop won't", "3.14 1,000 2;3 a:b a.b foo_bar", "  leading", "trailing  ", "a  b   c",
	"a\tb\nc\r\nd\ve\ff", "__ _a a_ 1_2 _ a__b", "U.S.A. e.g. i.e.", "'quoted' \"double\" x' 'x",
	"12:30pm 9:00-10:00 #hashtag @user email@example.com http://x.y/z?q=1&r=2",
	"a'b'c 1'2 a.1 1.a 1..2 a..b a,b 1,a ,1 1, .a a. :a a:", "Dr. Smith's (co-op) [AA/NA] {x} <b>bold</b>",
	"MIXEDcase CamelCase x2y 2x y2 007 0.5% $20 #1", "!!! ??? ... --- === ***",
}

// randomASCII is n texts of up to 24 characters drawn from letters,
// digits, the punctuation UAX #29 joins words with, and whitespace.
func randomASCII(n int) []string {
	const alphabet = "aZy09 '.,:;_-\"\t\n?s"
	rng := rand.New(rand.NewPCG(3, 5))
	out := make([]string, n)
	for i := range out {
		b := make([]byte, rng.IntN(25))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		out[i] = string(b)
	}
	return out
}

// FuzzRememberedTerms compares a build worker's English analysis of a
// text, twice (the second time remembered), with the shared mapping's.
func FuzzRememberedTerms(f *testing.F) {
	for _, s := range asciiTexts {
		f.Add(s)
	}
	m, w := mappings(f)
	a := w.AnalyzerNamed(analyzerText).(*cachedAnalyzer)
	// The shared mapping's analyzer remembers nothing; like the
	// worker's, it reads a text with part separators part by part.
	ref := m.AnalyzerNamed(analyzerText)
	f.Fuzz(func(t *testing.T, text string) {
		want := ref.Analyze([]byte(text))
		for range 2 {
			forgetRecent(w)
			got := a.Analyze([]byte(text))
			if len(got) != len(want) {
				t.Fatalf("%q: %d tokens %q, bleve %d %q", text, len(got), terms(got), len(want), terms(want))
			}
			for i := range got {
				g, w := *got[i], *want[i]
				if string(g.Term) != string(w.Term) || g.Start != w.Start || g.End != w.End || g.Position != w.Position || g.Type != w.Type {
					t.Fatalf("%q, token %d: %+v, bleve %+v", text, i, g, w)
				}
			}
		}
	})
}
