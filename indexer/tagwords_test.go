package indexer

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
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

	a := x.idx.Mapping().AnalyzerNamed(analyzerText)
	lb := newLabels(tax)
	type posting struct{ freq, norm uint32 }
	want := map[string]map[uint32]posting{}
	ids := map[string]bool{}
	for d := range len(x.cols.idRank) {
		b, err := x.recs.read(int(x.cols.idRank[d]))
		if err != nil {
			t.Fatal(err)
		}
		var s peerfind.Service
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		ids[s.ID] = true
		terms, _ := termTexts(&s, lb)
		if s.ID == "x-twice" {
			n := len(s.Categories) + len(s.SupportTypes) + len(s.Populations) + len(s.Attendance) + 2
			if s.Cost != "" {
				n++
			}
			if len(terms) != n {
				t.Errorf("x-twice: %d term texts, want %d (Spanish once)", len(terms), n)
			}
		}
		ts := a.Analyze([]byte(joinParts(terms)))
		if len(ts) == 0 {
			if x.tags.norms[d] != 0 {
				t.Errorf("%s (document %d) has no labels but a norm", s.ID, d)
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
	for _, e := range extra {
		if !ids[e.ID] {
			t.Fatalf("record %s is not in the index", e.ID)
		}
	}
	if len(want) < 100 {
		t.Fatalf("only %d words in the labels: the fixture has too few terms", len(want))
	}

	ctx := context.Background()
	for w := range x.tags.words {
		if want[w] == nil {
			if docs := x.tags.docs(w); !docs.IsEmpty() {
				t.Errorf("%q: in %d documents, none of whose labels has it", w, docs.GetCardinality())
			}
		}
	}
	for w, docs := range want {
		p, err := x.tags.postings(ctx, w)
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
			if x.tags.norms[d] != wp.norm {
				t.Errorf("document %d: norm bits %x, want %x", d, x.tags.norms[d], wp.norm)
			}
			most = max(most, math.Sqrt(float64(wp.freq))*x.tags.norms.get(d))
		}
		if p.most != most {
			t.Errorf("%q: most %v, want %v", w, p.most, most)
		}
	}
	if p, err := x.tags.postings(ctx, "zzzunheardof"); err != nil || !p.docs.IsEmpty() {
		t.Errorf("a word of no label: %v documents, err %v", p.docs.GetCardinality(), err)
	}
}
