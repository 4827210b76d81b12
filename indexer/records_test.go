package indexer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/peerfind/peerfind"
)

// TestRecordsBesideIndex checks the records the build saves beside the
// index against bleve's stored records, document by document; that
// searches answer the same from either; and that records which are not
// the index's are not used.
func TestRecordsBesideIndex(t *testing.T) {
	x := shippedIndex(t)
	ctx := context.Background()
	if x.recs == nil {
		t.Fatal("the records beside the index were not opened")
	}
	r, err := x.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := len(x.cols.idRank)
	if n < 1000 || x.cols.ranks() != n {
		t.Fatalf("%d documents, %d ranked", n, x.cols.ranks())
	}
	docs := make([]uint32, n)
	saved := make([]*search.DocumentMatch, n)
	for d := range docs {
		docs[d] = uint32(d)
		saved[d] = &search.DocumentMatch{IndexInternalID: index.NewIndexInternalID(nil, uint64(d))}
	}
	stored, err := x.load(ctx, r, docs)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.read(ctx, saved); err != nil {
		t.Fatal(err)
	}
	for d := range docs {
		if saved[d].ID != stored[d].ID || saved[d].Fields[fieldSource] != stored[d].Fields[fieldSource] {
			t.Fatalf("document %d: saved record %q differs from bleve's %q", d, saved[d].ID, stored[d].ID)
		}
	}

	queries := []peerfind.Query{
		{Text: "depression support group"},
		{Text: "alcohol", Sort: peerfind.SortRelevance, Page: 2},
		{Text: "peer", Filters: map[string][]string{peerfind.FacetLanguage: {"es"}}},
		{Filters: map[string][]string{peerfind.FacetCategory: {"warmline"}}},
	}
	answers := func() [][]string {
		var out [][]string
		for _, q := range queries {
			res, err := x.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				t.Fatalf("%+v: no hits", q)
			}
			var ids []string
			for _, h := range res.Hits {
				ids = append(ids, h.Service.ID+" "+h.Service.Name)
			}
			out = append(out, ids)
		}
		return out
	}
	fromSaved := answers()
	recs := x.recs
	x.recs = nil
	if fromStored := answers(); !slices.EqualFunc(fromSaved, fromStored, slices.Equal) {
		t.Fatalf("answers from the saved records\n%v\nfrom bleve's\n%v", fromSaved, fromStored)
	}
	x.recs = recs

	// Records of another index are left alone.
	dir := filepath.Dir(x.path)
	first, last := x.cols.ids[0], x.cols.ids[1]
	if rf, err := openRecords(dir, n, first, last); err != nil || rf == nil {
		t.Fatalf("the index's own records not opened (%v)", err)
	} else {
		rf.close()
	}
	if rf, err := openRecords(dir, n+1, first, last); err != nil || rf != nil {
		t.Errorf("records of %d documents opened for an index of %d (%v)", n, n+1, err)
	}
	if rf, err := openRecords(dir, n, last, first); err != nil || rf != nil {
		t.Errorf("records opened for an index whose first id is another (%v)", err)
	}
	lines, err := os.ReadFile(filepath.Join(dir, recordsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, recordsFile), lines[:len(lines)-1], 0o644); err != nil {
		t.Fatal(err)
	}
	if rf, err := openRecords(dir, n, first, last); err != nil || rf != nil {
		t.Errorf("a cut records file opened (%v)", err)
	}
	if err := os.Remove(filepath.Join(dir, recordsOffsets)); err != nil {
		t.Fatal(err)
	}
	if rf, err := openRecords(dir, n, first, last); err != nil || rf != nil {
		t.Errorf("records opened without their offsets (%v)", err)
	}
	if !bytes.HasPrefix(lines, []byte(`{"id":"`+first+`"`)) {
		t.Errorf("the records do not start with the first id, %q", first)
	}
}

func TestRecordID(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"id":"mg-1","name":"A"}`, "mg-1"},
		{`{"name":"A","id":"late"}`, "late"},
		{`{"id":"a\"b"}`, `a"b`},
		{`not json`, ""},
	} {
		if got := recordID([]byte(c.in)); got != c.want {
			t.Errorf("recordID(%s) = %q, want %q", c.in, got, c.want)
		}
	}
}
