package meetingguide_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest/meetingguide"
)

// FuzzRead feeds arbitrary bytes to the Meeting Guide reader as a feed:
// it must never panic, always return a report, and return only records
// that pass validation. Seeds: testdata/fuzz/FuzzRead.
func FuzzRead(f *testing.F) {
	f.Add([]byte(`[{"name":"Group","slug":"g","day":1,"time":"19:00","address":"1 Main St","city":"San Jose","state":"CA","postal_code":"95113","latitude":37.33,"longitude":-121.88,"types":["O","W"]}]`))
	f.Add([]byte(`[]`))
	tax, err := data.Taxonomy()
	if err != nil {
		f.Fatal(err)
	}
	src := meetingguide.Source{
		Feed: "fuzz", Name: "Fuzz Intergroup", URL: "https://example.org/fuzz.json", Website: "https://example.org/",
		License: "test terms", Attribution: "test credit", Retrieved: "2026-11-23", Country: "US",
		Timezone: "America/Los_Angeles", Language: "en", Conditions: []string{"alcohol"},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, rep, _ := meetingguide.Read(context.Background(), bytes.NewReader(b), src, tax)
		if rep == nil {
			t.Fatal("no report")
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
