package ingest_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest"
)

// FuzzReadRecords feeds arbitrary bytes to the record reader: it must
// never panic, always return a report, and return only records that pass
// validation. Seeds: testdata/fuzz/FuzzReadRecords.
func FuzzReadRecords(f *testing.F) {
	f.Add([]byte(`{"id":"a","name":"x"}` + "\n"))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	tax, err := data.Taxonomy()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, rep, err := ingest.ReadRecords(context.Background(), bytes.NewReader(b), tax)
		if rep == nil {
			t.Fatalf("no report (err %v)", err)
		}
		for _, s := range recs {
			if s == nil {
				t.Fatal("a nil record")
			}
			if err := s.Validate(tax); err != nil {
				t.Fatalf("record %q returned although invalid: %v", s.ID, err)
			}
		}
	})
}
