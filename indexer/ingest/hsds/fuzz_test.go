package hsds_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest/hsds"
)

// FuzzRead feeds arbitrary bytes to the HSDS JSON reader: it must never
// panic and return only valid records. The seed is the spec's full
// service example.
func FuzzRead(f *testing.F) {
	b, err := os.ReadFile("testdata/service_full.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"total_items":1,"total_pages":9,"page_number":1,"contents":[{"name":"x","service_areas":[{"extent":"{\"type\":\"Polygon\"}"}]}]}`))
	tax, err := data.Taxonomy()
	if err != nil {
		f.Fatal(err)
	}
	src := hsds.Source{Prefix: "fz", URL: "file:fuzz", Retrieved: "2026-11-23", DefaultCategory: "peer-delivered-service"}
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, _, _, _ := hsds.Read(context.Background(), bytes.NewReader(b), src, tax)
		for _, s := range recs {
			if err := s.Validate(tax); err != nil {
				t.Fatalf("record %q returned although invalid: %v", s.ID, err)
			}
		}
	})
}
