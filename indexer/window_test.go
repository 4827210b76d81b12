package indexer

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/geocode"
)

// TestWindowFromColumns checks what the rerank reads from the columns
// against what the records say (placed, freshness, inactive): the mode,
// the distance, whether the service serves the searcher's area, the
// freshness and the status of every hit of the windows of the benchmark
// mix over synthetic records (some without a date), and of
// searches around the area fixture (states, counties, ZIP codes, a
// polygon, nationwide).
func TestWindowFromColumns(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds an index of 2,000 synthetic records (run without -short)")
	}
	ctx := context.Background()
	gaz, err := geocode.New(data.GazetteerFS, geocode.WithBoundariesFS(data.BoundariesFS))
	if err != nil {
		t.Fatal(err)
	}
	recs, g := synthRecords(t, 2000)
	for i, s := range recs {
		if i%7 == 0 {
			s.AssuredDate = ""
		}
	}
	recs = append(recs, readFixture(t, "areas.jsonl")...)
	tax := taxonomy(t)
	dir := filepath.Join(t.TempDir(), "index")
	if _, err := Build(ctx, dir, recs, BuildOptions{Taxonomy: tax, Areas: gaz.ServiceAreas()}); err != nil {
		t.Fatal(err)
	}
	x, err := Open(dir, tax)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()

	near := func(q *peerfind.Query, where string) {
		place, err := gaz.Geocode(ctx, where)
		if err != nil {
			t.Fatalf("geocode %q: %v", where, err)
		}
		q.Near, q.Place = &place.Point, &place
	}
	var qs []peerfind.Query
	for i := range 150 {
		q := mixQuery(t, g.Query(i))
		if q.Text == "" {
			continue
		}
		if q.Near != nil {
			near(&q, fmt.Sprintf("%f,%f", q.Near.Lat(), q.Near.Lon()))
		}
		qs = append(qs, q)
	}
	for _, where := range []string{"Austin, TX", "Round Rock, TX", "78702", "Billings, MT", "37.7749,-122.4194"} {
		for _, text := range []string{"peer", "support group", "warmline outreach"} {
			q := peerfind.Query{Text: text, RadiusKM: 50}
			near(&q, where)
			qs = append(qs, q)
		}
	}
	// Closed services and those with no status too.
	for i := range len(qs) / 2 {
		q := qs[i]
		q.IncludeClosed = true
		qs = append(qs, q)
	}

	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	seen := map[string]int{}
	for _, q := range qs {
		var where query.Query
		if q.Near != nil {
			where = x.whereQuery(q, q.RadiusKM, partAll)
		}
		res, _, err := x.run(ctx, q, 0, rerankWindow, query.MatchQueryOperatorOr, where, false)
		if err != nil {
			t.Fatal(err)
		}
		window, err := x.window(ctx, res, q, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := x.read(ctx, res.Hits); err != nil {
			t.Fatal(err)
		}
		for i, w := range window {
			s, err := decodeSource(res.Hits[i])
			if err != nil {
				t.Fatal(err)
			}
			want := placed(s, w.Score, q)
			name := fmt.Sprintf("%q near %v, %s", q.Text, q.Near, s.ID)
			if w.Mode != want.Mode || w.ServesArea != want.ServesArea {
				t.Errorf("%s: mode %q, serves %v; the record says %q, %v", name, w.Mode, w.ServesArea, want.Mode, want.ServesArea)
			}
			if (w.DistanceKM == nil) != (want.DistanceKM == nil) ||
				w.DistanceKM != nil && math.Abs(*w.DistanceKM-*want.DistanceKM) > 1e-4 {
				t.Errorf("%s: distance %v, the record's %v", name, fmtKM(w.DistanceKM), fmtKM(want.DistanceKM))
			}
			if f := freshness(s.AssuredDate, now); w.fresh != f {
				t.Errorf("%s: freshness %v, the record's (%q) %v", name, w.fresh, s.AssuredDate, f)
			}
			if w.inactive != inactive(s.Status) {
				t.Errorf("%s: inactive %v, status %q", name, w.inactive, s.Status)
			}
			for what, is := range map[string]bool{
				"serving": want.ServesArea, "undated": s.AssuredDate == "",
				"inactive": w.inactive,
				"polygon":  w.Service != nil, "column-read": w.Service == nil,
				"remote": want.Mode != peerfind.ModeInPerson,
			} {
				if is {
					seen[what]++
				}
			}
		}
	}
	t.Logf("window hits by kind: %v", seen)
	for _, what := range []string{"serving", "undated", "inactive", "polygon", "column-read", "remote"} {
		if seen[what] == 0 {
			t.Errorf("no window hit was %s: the check misses a case", what)
		}
	}
}

func fmtKM(km *float64) string {
	if km == nil {
		return "none"
	}
	return fmt.Sprintf("%.6f", *km)
}
