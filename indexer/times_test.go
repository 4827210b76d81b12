package indexer

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/peerfind/peerfind"
)

// TestTimesRoundTrip saves the meeting times of synthetic records, with
// records of several zones and without times, reads them back, and
// finds each record's own times (recordTimes) in its pattern; every
// shorter file is refused, not read.
func TestTimesRoundTrip(t *testing.T) {
	recs, _ := synthRecords(t, 300)
	multi := *recs[0]
	multi.Schedules = []peerfind.Schedule{
		{Freq: "WEEKLY", ByDay: []string{"SA"}, OpensAt: "22:30", ClosesAt: "02:00", Timezone: "America/Chicago"},
		{Freq: "MONTHLY", ByDay: []string{"2TU"}, OpensAt: "06:10", ClosesAt: "06:11", Timezone: "Pacific/Honolulu"},
	}
	none := *recs[1]
	none.Schedules = nil
	recs = append(recs, &multi, &none)
	path := filepath.Join(t.TempDir(), timesFile)
	f, err := gatherFacts(recs)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeTimes(path, f); err != nil {
		t.Fatal(err)
	}
	tc, err := readTimes(path, len(recs))
	if err != nil {
		t.Fatal(err)
	}
	for d, s := range recs {
		pairs, zones, slots := recordTimes(s)
		p := tc.pats[tc.docPat[d]]
		if p.pairs != pairs || len(p.zones) != len(zones) {
			t.Fatalf("%s: pattern %+v, want pairs %b in %v", s.ID, p, pairs, zones)
		}
		for k, z := range p.zones {
			if tc.zones[z.zone] != zones[k] || z.slots != slots[k] {
				t.Fatalf("%s: zone %d is %s %v, want %s %v", s.ID, k, tc.zones[z.zone], z.slots, zones[k], slots[k])
			}
		}
	}
	if tc.docPat[len(recs)-1] != 0 || len(tc.pats[tc.docPat[len(recs)-2]].zones) != 2 {
		t.Errorf("a record without times has pattern %d, one of two zones %+v", tc.docPat[len(recs)-1], tc.pats[tc.docPat[len(recs)-2]])
	}
	if len(tc.pats) >= len(recs) {
		t.Errorf("%d patterns for %d records: records with the same times should share one", len(tc.pats), len(recs))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(b); n += 1 + n/50 {
		if err := os.WriteFile(path, b[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readTimes(path, len(recs)); err == nil {
			t.Fatalf("the first %d of %d bytes were read", n, len(b))
		}
	}
	if _, err := readTimes(filepath.Join(t.TempDir(), timesFile), 1); err == nil {
		t.Error("no file was read")
	}
}

// TestTimesFilterSet: a filter's documents, walked within a small limit
// or intersected from the whole (and its cache) within a large one or
// none, are those whose pattern it keeps, and a caller may change them.
func TestTimesFilterSet(t *testing.T) {
	recs, _ := synthRecords(t, 3000)
	f, err := gatherFacts(recs)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), timesFile)
	if err := writeTimes(path, f); err != nil {
		t.Fatal(err)
	}
	tc, err := readTimes(path, len(recs))
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	small, large := roaring.New(), roaring.New()
	for d := range uint32(len(recs)) {
		if d%97 == 0 {
			small.Add(d)
		}
		if d%3 != 0 {
			large.Add(d)
		}
	}
	kept := 0
	for _, q := range []peerfind.Query{
		{Days: []string{"MO"}},
		{TimesOfDay: []string{peerfind.Evening}, Days: []string{"SA", "SU"}},
		{OpenNow: true, Now: time.Date(2026, 11, 23, 19, 15, 0, 0, ny)},
		{Upcoming: true, Now: time.Date(2026, 11, 23, 19, 15, 0, 0, ny)},
	} {
		tf, ok := newTimesFilter(q, tc)
		if !ok {
			t.Fatalf("%+v: no filter", q)
		}
		for _, limit := range []*roaring.Bitmap{nil, small, large, nil} {
			got := tf.set(tc, limit)
			of := "none"
			if limit != nil {
				of = fmt.Sprint(limit.GetCardinality())
			}
			for d := range uint32(len(recs)) {
				want := tf.keeps(&tc.pats[tc.docPat[d]]) && (limit == nil || limit.Contains(d))
				if got.Contains(d) != want {
					t.Fatalf("%+v, limit of %s: document %d kept %v, want %v", q, of, d, !want, want)
				}
			}
			kept += int(got.GetCardinality())
			got.Clear() // the caller's to change: the cache is untouched
		}
	}
	if kept == 0 {
		t.Fatal("no filter kept a document: the test tests nothing")
	}
}
