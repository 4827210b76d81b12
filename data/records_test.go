package data_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/peerfind/peerfind/data"
)

// TestShippedRecords loads the embedded dataset as the indexer does and
// checks that every record validates and the counts are in the expected
// ranges.
func TestShippedRecords(t *testing.T) {
	names, err := fs.Glob(data.RecordsFS, "records/*.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, " ") != strings.Join(data.RecordFiles, " ") {
		t.Errorf("embedded files %v, RecordFiles %v", names, data.RecordFiles)
	}
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	recs, rep, err := data.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) > 0 {
		t.Errorf("%d records skipped, e.g. %+v", len(rep.Skipped), rep.Skipped[0])
	}
	count := map[string]int{}
	ids := map[string]bool{}
	for _, s := range recs {
		if err := s.Validate(tax); err != nil {
			t.Errorf("%s: %v", s.ID, err)
		}
		if ids[s.ID] {
			t.Errorf("duplicate id %s", s.ID)
		}
		ids[s.ID] = true
		p := s.Provenance
		if p.License == "" || p.Attribution == "" || p.SourceName == "" || p.Retrieved != "2026-11-23" {
			t.Errorf("%s: incomplete provenance %+v", s.ID, p)
		}
		count[p.SourceKind]++
		if p.SourceKind == "meeting-guide" {
			count[p.SourceName]++
		}
	}
	ranges := []struct {
		key      string
		min, max int
	}{
		{"meeting-guide", 4000, 4700},
		{"ohana", 100, 200},
		{"AA Southeastern Pennsylvania Intergroup (Philadelphia area)", 1100, 1300},
		{"Orange County (CA) AA", 1050, 1250},
		{"Al-Anon Family Groups (Massachusetts area feed)", 300, 360},
		{"Eating Disorders Anonymous", 150, 185},
		{"Edmonton AA (Canada)", 240, 300},
		{"Atlanta AA (sample feed)", 4, 6},
	}
	for _, r := range ranges {
		if n := count[r.key]; n < r.min || n > r.max {
			t.Errorf("%s: %d records, want %d-%d", r.key, n, r.min, r.max)
		}
	}
	if rep.Read != len(recs) || rep.Kept != len(recs) {
		t.Errorf("report read %d kept %d, %d records", rep.Read, rep.Kept, len(recs))
	}
}
