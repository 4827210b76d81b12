package indexer

import (
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	bdoc "github.com/blevesearch/bleve/v2/document"
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
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	w, err := workerMapping(m)
	if err != nil {
		t.Fatal(err)
	}
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
