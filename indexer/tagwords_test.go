package indexer

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/peerfind/peerfind"
)

// TestTagWordsMatchAnalysis holds the postings tagWords reads from the
// tags to those bleve's analysis of fieldTerms gave when it was indexed:
// the text of a record's terms (termTexts, joined as document joined
// them) in the English analysis, every word's documents and frequency in
// each, and the field's norm. The records are the benchmark's and one
// with a term listed twice. (A term the taxonomy lacks does not reach
// the index: Build refuses the record; nor does a record without terms:
// it needs a category.)
func TestTagWordsMatchAnalysis(t *testing.T) {
	tax := taxonomy(t)
	recs, _ := synthRecords(t, 1200)
	// A record whose languages list Spanish twice: one tag, counted once.
	twice := *recs[0]
	twice.ID = "x-twice"
	twice.Languages = []string{"es", "en", "es"}
	twice.Conditions = nil
	extra := []*peerfind.Service{&twice}
	recs = append(recs, extra...)
	dir := filepath.Join(t.TempDir(), "index")
	build(t, dir, recs, tax)
	x, err := Open(dir, tax)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()

	r, err := x.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	lb := newLabels(tax)
	docs := make([]*peerfind.Service, len(x.cols.idRank))
	for d := range docs {
		b, err := x.recs.read(int(x.cols.idRank[d]))
		if err != nil {
			t.Fatal(err)
		}
		if docs[d], err = peerfind.DecodeService(b); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]bool{}
	for _, s := range docs {
		ids[s.ID] = true
	}
	for _, e := range extra {
		if !ids[e.ID] {
			t.Fatalf("record %s is not in the index", e.ID)
		}
	}
	if s := docs[slices.IndexFunc(docs, func(s *peerfind.Service) bool { return s.ID == "x-twice" })]; true {
		terms, _ := termTexts(s, lb)
		n := len(s.Categories) + len(s.SupportTypes) + len(s.Populations) + len(s.Attendance) + 2
		if s.Cost != "" {
			n++
		}
		if len(terms) != n {
			t.Errorf("x-twice: %d term texts, want %d (Spanish once)", len(terms), n)
		}
	}

	// What each field held when it was indexed whole.
	fields := []struct {
		field    string
		tags     *tagWords
		analyzer string
		value    func(s *peerfind.Service) string
	}{
		{fieldTerms, x.tags.terms, analyzerText, func(s *peerfind.Service) string {
			terms, _ := termTexts(s, lb)
			return joinParts(terms)
		}},
		{fieldText, x.tags.text, analyzerText, func(s *peerfind.Service) string {
			terms, _ := termTexts(s, lb)
			return joinParts(append(proseOf(s), terms...))
		}},
		{fieldTextES, x.tags.es, analyzerES, func(s *peerfind.Service) string {
			_, es := termTexts(s, lb)
			return joinParts(append(slices.Clone(spanishProse(s, proseOf(s))), es...))
		}},
	}
	ctx := context.Background()
	for _, fc := range fields {
		t.Run(fc.field, func(t *testing.T) {
			if fc.tags == nil {
				t.Fatal("the field is not read from the tags")
			}
			a := x.idx.Mapping().AnalyzerNamed(fc.analyzer)
			type posting struct{ freq, norm uint32 }
			want := map[string]map[uint32]posting{}
			for d, s := range docs {
				ts := a.Analyze([]byte(fc.value(s)))
				if len(ts) == 0 {
					if fc.tags.norms[d] != 0 {
						t.Errorf("%s (document %d) has no %s but a norm", s.ID, d, fc.field)
					}
					continue
				}
				count := map[string]uint32{}
				for _, tk := range ts {
					count[string(tk.Term)]++
				}
				for w, n := range count {
					if want[w] == nil {
						want[w] = map[uint32]posting{}
					}
					want[w][uint32(d)] = posting{n, normBits(uint32(len(ts)))}
				}
			}
			if len(want) < 100 {
				t.Fatalf("only %d words: the fixture has too few terms", len(want))
			}
			for w := range fc.tags.words {
				if want[w] == nil {
					if docs := fc.tags.tagDocs(w); !docs.IsEmpty() {
						t.Errorf("%q: in %d documents, none of which has it", w, docs.GetCardinality())
					}
				}
			}
			for w, docs := range want {
				p, err := fc.tags.postings(ctx, r, w)
				if err != nil {
					t.Fatal(err)
				}
				if got := p.docs.GetCardinality(); got != uint64(len(docs)) {
					t.Errorf("%q: %d documents, want %d", w, got, len(docs))
					continue
				}
				most := 0.0
				for d, wp := range docs {
					if !p.docs.Contains(d) {
						t.Errorf("%q: document %d missing", w, d)
						continue
					}
					if f := p.frequency(p.index(d), d); f != wp.freq {
						t.Errorf("%q in document %d: frequency %d, want %d", w, d, f, wp.freq)
					}
					if fc.tags.norms[d] != wp.norm {
						t.Errorf("document %d: norm bits %x, want %x", d, fc.tags.norms[d], wp.norm)
					}
					most = max(most, math.Sqrt(float64(wp.freq))*fc.tags.norms.get(d))
				}
				if p.most != most {
					t.Errorf("%q: most %v, want %v", w, p.most, most)
				}
			}
			if p, err := fc.tags.postings(ctx, r, "zzzunheardof"); err != nil || !p.docs.IsEmpty() {
				t.Errorf("a word of no label: %v documents, err %v", p.docs.GetCardinality(), err)
			}
			// The words known to the typo check are the prose's and the
			// labels'.
			known := map[string]map[string]struct{}{fieldText: x.terms, fieldTextES: x.termsES}[fc.field]
			for w := range want {
				if _, ok := known[w]; !ok && known != nil {
					t.Errorf("%q is not among the index's words", w)
				}
			}
		})
	}
}

// termTexts is what a record's fields held of its terms' labels when they
// were indexed, and what tagWords reads from its tags: for every taxonomy
// term the record carries, the term's labels (English and Spanish) and
// synonyms (termText); and, for the Spanish analysis, the Spanish ones
// only (termTextES), for the terms that have any. Terms the taxonomy does
// not have are left out, and a term listed twice counts once, as its tag
// does (the columns' facet tokens).
func termTexts(s *peerfind.Service, l *labels) (all, es []string) {
	if l == nil {
		return nil, nil
	}
	for _, f := range peerfind.Facets {
		ids := s.TermIDs(f)
		for i, id := range ids {
			txt, ok := l.texts[peerfind.TermRef{Facet: f, ID: id}]
			if !ok || slices.Contains(ids[:i], id) {
				continue
			}
			all = append(all, txt[0])
			if txt[1] != "" {
				es = append(es, txt[1])
			}
		}
	}
	return all, es
}
