package indexer

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/peerfind/peerfind"
)

// TestSetsMatchSearchers holds the sets (runSets) to bleve's searchers:
// every query of the benchmark mix, sorted both ways, on two pages, in
// every remote mode, with and without a radius and closed services, must
// give the same answer to the last field either way: totals, facet
// counts, hits with their scores and distances, the remote and farther
// lists.
func TestSetsMatchSearchers(t *testing.T) {
	x, g := synthTestIndex(t, 3000)
	now := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)
	x.now = func() time.Time { return now }
	answer := func(q peerfind.Query, noSets bool) string {
		t.Helper()
		x.noSets = noSets
		r, err := x.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	compared, withHits := 0, 0
	for i := 0; i < 150; i++ {
		base := mixQuery(t, g.Query(i))
		base.Now = now
		var variants []peerfind.Query
		for _, sortBy := range []string{peerfind.SortRelevance, peerfind.SortDistance} {
			q := base
			q.Sort = sortBy
			if sortBy == peerfind.SortDistance && q.Near == nil {
				continue
			}
			variants = append(variants, q)
			q.Page = 3
			variants = append(variants, q)
		}
		if base.Near != nil {
			for _, mode := range []string{peerfind.RemoteApart, peerfind.RemoteExclude, peerfind.RemoteOnly} {
				q := base
				q.Remote = mode
				variants = append(variants, q)
			}
			q := base
			q.RadiusKM = 0 // widened
			variants = append(variants, q)
		}
		q := base
		q.IncludeClosed = true
		variants = append(variants, q)
		for _, q := range variants {
			got, want := answer(q, false), answer(q, true)
			if got != want {
				t.Fatalf("query %+v:\nsets     %s\nsearcher %s", q, got, want)
			}
			compared++
			if len(got) > 200 {
				withHits++
			}
		}
	}
	t.Logf("%d answers compared, %d with hits", compared, withHits)
	if withHits < compared/2 {
		t.Fatalf("only %d of %d answers have hits", withHits, compared)
	}
}
