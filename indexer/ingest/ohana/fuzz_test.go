package ohana_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest/ohana"
)

// FuzzRead feeds arbitrary bytes to the Ohana reader: it must never
// panic, always return a report, and return only valid records. The
// seeds are the real San Mateo lines in testdata.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"testdata/smc.jsonl", "testdata/quirks.jsonl", "testdata/nested.jsonl"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"name":"x","keywords":["Self-Help"],"coordinates":[999,"a"]}`))
	tax, err := data.Taxonomy()
	if err != nil {
		f.Fatal(err)
	}
	src := ohana.Source{Prefix: "fz", URL: "file:fuzz", Retrieved: "2026-11-23"}
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, rep, err := ohana.Read(context.Background(), bytes.NewReader(b), src, tax)
		if rep == nil && err == nil {
			t.Fatal("no report and no error")
		}
		for _, s := range recs {
			if err := s.Validate(tax); err != nil {
				t.Fatalf("record %q returned although invalid: %v", s.ID, err)
			}
		}
	})
}
