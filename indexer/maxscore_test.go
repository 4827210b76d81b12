package indexer

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/peerfind/peerfind"
)

// TestTiersMatchScoringAll holds the window found by scoring in tiers
// (maxscore.go) to the one found by scoring every match: the same
// documents with the same scores, in the same order, to the bit, and the
// same set of matches, for the needs and filters of the benchmark mix
// and windows of 1 to 110, on one core and in two halves at once. It fails unless most windows left matches
// unscored: the bounds must prune, not only be safe. Then whole answers
// (totals, facets, pages) are compared with tiers on every search.
func TestTiersMatchScoringAll(t *testing.T) {
	x, g := synthTestIndex(t, 3000)
	now := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)
	x.now = func() time.Time { return now }
	ctx := context.Background()
	r, err := x.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var windows, pruned, halved int
	var matchedAll, scoredAll uint64
	counting := true // not the halves
	tiersScored = func(m, s uint64) {
		if !counting {
			return
		}
		matchedAll += m
		scoredAll += s
		if s < m {
			pruned++
		}
	}

	t.Cleanup(func() { tiersScored = nil })
	var qs []peerfind.Query
	for i := 0; len(qs) < 120; i++ {
		q := mixQuery(t, g.Query(i))
		if q.Text == "" {
			continue
		}
		q.Now = now
		qs = append(qs, q)
		if q.Near != nil {
			q.Near, q.RadiusKM, q.Sort = nil, 0, peerfind.SortRelevance // the whole country
			qs = append(qs, q)
		}
	}
	for _, q := range qs {
		for _, op := range []query.MatchQueryOperator{query.MatchQueryOperatorAnd, query.MatchQueryOperatorOr} {
			var where query.Query
			if q.Near != nil {
				where = x.whereQuery(q, q.RadiusKM, partAll)
			}
			req, _, _ := x.request(q, 0, 10, op, where)
			place := newPlaceSort(x.cols, q, false)
			for _, n := range []int{1, 3, 10, 110} {
				e, root, ok, err := x.scorer(ctx, r, req.Query)
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					continue // a fuzzy need, left to bleve
				}
				all, allSet, err := e.best(root, &place, n, math.MaxUint64)
				if err != nil {
					t.Fatal(err)
				}
				// In tiers, on one core, then in two halves at once.
				for _, split := range []uint64{0, 2} {
					e, root, _, _ = x.scorer(ctx, r, req.Query) // eval writes over its lists
					e.splitOver, counting = split, split == 0
					tiers, tierSet, err := e.best(root, &place, n, 0)
					if err != nil {
						t.Fatal(err)
					}
					if !tierSet.Equals(allSet) {
						t.Fatalf("%q (%v), window %d, split %d: %d matches in tiers, %d scoring all", q.Text, op, n, split, tierSet.GetCardinality(), allSet.GetCardinality())
					}
					if len(tiers) != len(all) {
						t.Fatalf("%q (%v), window %d, split %d: %d best in tiers, %d scoring all", q.Text, op, n, split, len(tiers), len(all))
					}
					for i := range all {
						if tiers[i] != all[i] {
							t.Fatalf("%q (%v), window %d, split %d, place %d: in tiers %+v, scoring all %+v", q.Text, op, n, split, i, tiers[i], all[i])
						}
					}
					if split > 0 && allSet.GetCardinality() >= split {
						halved++
					}
				}
				if allSet.GetCardinality() > uint64(4*n) {
					windows++ // enough matches to leave some unscored
				}
			}
		}
	}
	t.Logf("%d windows of over 4 times their size in matches; %d left matches unscored (%d of %d matches scored)", windows, pruned, scoredAll, matchedAll)
	if pruned < windows/2 {
		t.Fatalf("only %d of %d windows scored fewer than their matches", pruned, windows)
	}
	if halved < windows {
		t.Fatalf("only %d windows were scored in halves", halved)
	}

	// Whole answers, every search in tiers.
	answer := func(q peerfind.Query, pruneOver uint64) string {
		t.Helper()
		x.pruneOver = pruneOver
		res, err := x.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, q := range qs {
		for _, page := range []int{1, 2, 11} {
			q.Page = page
			if got, want := answer(q, 0), answer(q, math.MaxUint64); got != want {
				t.Fatalf("query %+v:\nin tiers %s\nall      %s", q, got, want)
			}
		}
	}
}
