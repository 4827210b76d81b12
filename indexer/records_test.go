package indexer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

// TestRecordsBesideIndex checks the records the build saves beside the
// index: each document's is the record of its id (bleve's own stored id)
// and the record indexed; records which are not the index's are not
// used, and an index without them does not open.
func TestRecordsBesideIndex(t *testing.T) {
	x := shippedIndex(t)
	ctx := context.Background()
	recs, _, err := data.Records(ctx)
	if err != nil {
		t.Fatal(err)
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
	byID := map[string]*peerfind.Service{}
	for _, s := range recs {
		byID[s.ID] = s
	}
	ms := make([]*search.DocumentMatch, n)
	for d := range ms {
		ms[d] = &search.DocumentMatch{IndexInternalID: index.NewIndexInternalID(nil, uint64(d))}
	}
	if err := x.read(ctx, ms); err != nil {
		t.Fatal(err)
	}
	for d, m := range ms {
		id, err := r.ExternalID(m.IndexInternalID)
		if err != nil {
			t.Fatal(err)
		}
		s, err := decodeSource(m)
		if err != nil {
			t.Fatal(err)
		}
		if m.ID != id || s.ID != id {
			t.Fatalf("document %d is %q, its record says %q (%q)", d, id, m.ID, s.ID)
		}
		want, _ := json.Marshal(byID[id])
		if got, _ := json.Marshal(s); !bytes.Equal(got, want) {
			t.Fatalf("document %d: record\n%s\nindexed\n%s", d, got, want)
		}
	}
	if s, err := x.Service(ctx, recs[7].ID); err != nil || s.ID != recs[7].ID {
		t.Fatalf("Service(%q) = %v, %v", recs[7].ID, s, err)
	}

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
	if _, err := Open(filepath.Dir(dir), taxonomy(t)); err == nil || !strings.Contains(err.Error(), "built again") {
		t.Errorf("an index without its records opened (%v)", err)
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

// TestRecordArena checks that the records a build holds as JSON are the
// records: in their order, with any number of workers, each the bytes
// saved beside the index and decoding to the record it was.
func TestRecordArena(t *testing.T) {
	recs, _ := synthRecords(t, 301)
	for _, workers := range []int{1, 3, 1000} {
		a, err := encodeRecords(context.Background(), recs, workers, nil)
		if err != nil {
			t.Fatal(err)
		}
		if a.len() != len(recs) {
			t.Fatalf("%d workers: %d records, want %d", workers, a.len(), len(recs))
		}
		for i, s := range recs {
			want, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.json(i), want) {
				t.Fatalf("%d workers: record %d is %.80s, want %.80s", workers, i, a.json(i), want)
			}
			got, err := a.record(i)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(s, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%d workers: record %d decodes otherwise (-was +decoded):\n%s", workers, i, diff)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := encodeRecords(ctx, recs, 2, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v, want context.Canceled", err)
	}
}

// writeRecords writes recs (sorted by id here) beside an index, as a
// build does.
func writeRecords(dir string, recs []*peerfind.Service) error {
	a, err := encodeRecords(context.Background(), recs, 1, nil)
	if err != nil {
		return err
	}
	return saveRecords(dir, a, idOrder(recs))
}

// TestFactsWhileEncoding: the points and meeting times taken by the
// encoding's workers, chunk by chunk and out of order, are those taken
// record by record in one goroutine.
func TestFactsWhileEncoding(t *testing.T) {
	recs, _ := synthRecords(t, 2*arenaChunkSize+77)
	want, err := gatherFacts(recs)
	if err != nil {
		t.Fatal(err)
	}
	got := newRecordFacts(len(recs))
	if _, err := encodeRecords(context.Background(), recs, 3, got); err != nil {
		t.Fatal(err)
	}
	if len(got.chunks) != 3 || got.len() != len(recs) {
		t.Fatalf("%d chunks of %d records, want 3 of %d", len(got.chunks), got.len(), len(recs))
	}
	points, times := 0, 0
	for c := range want.chunks {
		g, w := got.chunks[c], want.chunks[c]
		if !slices.Equal(g.ptEnd, w.ptEnd) || !slices.Equal(g.hashes, w.hashes) || !slices.Equal(g.keyEnd, w.keyEnd) || !bytes.Equal(g.keys, w.keys) {
			t.Fatalf("chunk %d differs from the facts taken one by one", c)
		}
		points += len(w.hashes)
		times += len(w.keys)
	}
	if points == 0 || times == 0 {
		t.Fatalf("%d points and %d bytes of meeting times: the records should have both", points, times)
	}
}
