package indexer

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/synth"
)

// TestColumnsMatchBleve checks what run takes from the in-memory columns
// against bleve's own: the status filter against the status term, the
// facet counts against the terms and modes of the records of every
// match, and the sort by the remote field, geo distance and id
// (sort=distance) or by score, geo distance and id (relevance), for the
// first queries of the benchmark mix over synthetic records. bleve's
// geo distance reads the points of an index of the same records with
// the points indexed (pointsIndexed).
func TestColumnsMatchBleve(t *testing.T) {
	x, g := synthTestIndex(t, 3000)
	ref := pointsIndexed(t, inPlaceOrder(t, 3000))
	ctx := context.Background()
	checked := 0
	for i := 0; i < 150; i++ {
		q := mixQuery(t, g.Query(i))
		for _, sortBy := range []string{peerfind.SortRelevance, peerfind.SortDistance} {
			if sortBy == peerfind.SortDistance && q.Near == nil {
				continue
			}
			q.Sort = sortBy
			var where query.Query
			if q.Near != nil {
				where = x.whereQuery(q, q.RadiusKM, partAll)
			}
			for _, size := range []int{0, 30} {
				got, _, err := x.run(ctx, q, 0, size, query.MatchQueryOperatorOr, where, true)
				if err != nil {
					t.Fatal(err)
				}
				if err := x.read(ctx, got.Hits); err != nil {
					t.Fatal(err)
				}
				var refWhere query.Query
				if q.Near != nil {
					refWhere = ref.whereQuery(q, q.RadiusKM, partAll)
				}
				want := referenceRun(t, ref, q, size, refWhere)
				name := q.Text + " " + sortBy
				if got.Total != want.Total {
					t.Fatalf("query %d %q: total %d, bleve's %d", i, name, got.Total, want.Total)
				}
				if g, w := facetCounts(got), recordFacetCounts(t, ref, want.Request); !equalCounts(g, w) {
					t.Fatalf("query %d %q: facets\n%v\nthe records'\n%v", i, name, g, w)
				}
				if g, w := hitIDs(got), hitIDs(want); !slices.Equal(g, w) {
					t.Fatalf("query %d %q: hits\n%v\nbleve's\n%v", i, name, g, w)
				}
				if got.Total > 0 {
					checked++
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d searches with matches compared", checked)
	}
}

// inPlaceOrder is the first n synthetic records of seed 1 in the order Build
// indexes them (byPlace).
func inPlaceOrder(t *testing.T, n int) []*peerfind.Service {
	recs, _ := synthRecords(t, n)
	byPlace(recs)
	return recs
}

// synthTestIndex builds and opens an index of the first n synthetic
// records of seed 1.
func synthTestIndex(t *testing.T, n int) (*Index, *synth.Generator) {
	t.Helper()
	if testing.Short() {
		t.Skipf("skipping: builds an index of %d synthetic records (run without -short)", n)
	}
	recs, g := synthRecords(t, n)
	tax := taxonomy(t)
	dir := t.TempDir()
	if _, err := Build(context.Background(), dir, recs, BuildOptions{Taxonomy: tax}); err != nil {
		t.Fatal(err)
	}
	x, err := Open(dir, tax)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	if len(x.cols.idRank) != n {
		t.Fatalf("columns of %d documents, want %d", len(x.cols.idRank), n)
	}
	return x, g
}

// synthSets is synthTestIndex's index read as sets, from a snapshot
// closed with the test.
func synthSets(t *testing.T, n int) (*Index, *sets, *synth.Generator) {
	t.Helper()
	x, g := synthTestIndex(t, n)
	r, err := x.reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return x, x.sets(r), g
}

// TestRadiusMatchesBleve checks the radius filter from the columns' grid
// against bleve's geo distance query (over an index of the same records
// with the points indexed, pointsIndexed): the same records for the
// points and radii of the benchmark mix, tiny and huge radii, a point on
// a record, and points where the grid wraps (the antimeridian, the
// poles).
func TestRadiusMatchesBleve(t *testing.T) {
	x, g := synthTestIndex(t, 3000)
	ref := pointsIndexed(t, inPlaceOrder(t, 3000))
	type circle struct{ lon, lat, km float64 }
	var cs []circle
	for i := 0; i < 200; i++ {
		if q := mixQuery(t, g.Query(i)); q.Near != nil {
			cs = append(cs, circle{q.Near.Lon(), q.Near.Lat(), q.RadiusKM})
		}
	}
	first := g.Record(0).Points()[0]
	cs = append(cs,
		circle{-74.006, 40.7128, 0.5}, circle{-74.006, 40.7128, 1000}, circle{-98.5, 39.8, 1000},
		circle{first.Lon(), first.Lat(), 0.001}, circle{first.Lon(), first.Lat(), 3},
		circle{179.9, 51.9, 1000}, circle{-179.9, 20, 500}, circle{0, 89.9, 1000}, circle{10, -89.5, 800},
		circle{-122.4194, 37.7749, 1000}, circle{-157.85, 21.3, 300},
	)
	nonEmpty := 0
	for _, c := range cs {
		var got []string
		r, err := x.idx.Advanced()
		if err != nil {
			t.Fatal(err)
		}
		rd, err := r.Reader()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range x.cols.withinSet(c.lon, c.lat, c.km).ToArray() {
			id, err := rd.ExternalID(index.NewIndexInternalID(nil, uint64(d)))
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, id)
		}
		rd.Close()
		gq := query.NewGeoDistanceQuery(c.lon, c.lat, fmt.Sprintf("%gkm", c.km))
		gq.SetField(fieldLoc)
		req := bleve.NewSearchRequestOptions(gq, 10000, 0, false)
		res, err := ref.idx.Search(req)
		if err != nil {
			t.Fatal(err)
		}
		want := hitIDs(res)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%+v: %d records, bleve %d", c, len(got), len(want))
		}
		if len(want) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < len(cs)/2 {
		t.Fatalf("only %d of %d circles had records", nonEmpty, len(cs))
	}
}

// referenceRun is run with bleve's facets and sorts, and for a scored
// window the scores bleve gives the need searched alone.
//
// With filters, bleve's scores are not quite the need's: when a
// conjunction leaps (Advance) its boolean clause forward, bleve's
// BooleanSearcher advances the should clauses even when they already
// stand on a later match, and that match loses its bonus (bleve v2.6.3,
// search_boolean.go; the must-not clauses have the guard, the should
// clauses do not). runScored scores the need itself, as bleve does when
// it steps through the need alone.
func referenceRun(t *testing.T, x *Index, q peerfind.Query, size int, where query.Query) *bleve.SearchResult {
	t.Helper()
	// The status by bleve's term, not the columns (activeQuery).
	open := q
	open.IncludeClosed = true
	req, _, scored := x.request(open, 0, size, query.MatchQueryOperatorOr, where)
	need, _, _, _ := splitFiltered(req.Query)
	if scored {
		req.Size = 10000 // every match, rescored and cut below
	}
	if !q.IncludeClosed {
		req.Query = query.NewConjunctionQuery([]query.Query{req.Query, filterQuery{term(fieldStatus, statusActive)}})
	}
	var order search.SortOrder
	if q.Sort == peerfind.SortDistance {
		order = append(order, &search.SortField{Field: fieldRemote})
	} else {
		order = append(order, &search.SortScore{Desc: true})
	}
	if q.Near != nil {
		gs, err := search.NewSortGeoDistance(fieldLoc, "km", q.Near.Lon(), q.Near.Lat(), false)
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, gs)
	}
	req.SortByCustom(append(order, &search.SortDocID{}))
	res, err := x.idx.SearchInContext(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	res.Request = req // for recordFacetCounts
	if scored {
		alone, err := x.idx.SearchInContext(context.Background(), bleve.NewSearchRequestOptions(need, 10000, 0, false))
		if err != nil {
			t.Fatal(err)
		}
		scores := map[string]float64{}
		for _, h := range alone.Hits {
			scores[h.ID] = h.Score
		}
		for _, h := range res.Hits {
			h.Score = scores[h.ID]
		}
		// By score, then the other sort values (distance, id), which
		// bleve encodes to compare as strings.
		slices.SortStableFunc(res.Hits, func(a, b *search.DocumentMatch) int {
			if c := cmp.Compare(b.Score, a.Score); c != 0 {
				return c
			}
			return slices.Compare(a.Sort[1:], b.Sort[1:])
		})
		res.Hits = res.Hits[:min(size, len(res.Hits))]
	}
	return res
}

// recordFacetCounts are the facet counts of the matches of req, counted
// from their records (their terms and their mode), in facetCounts' shape.
func recordFacetCounts(t *testing.T, x *Index, req *bleve.SearchRequest) map[string][]peerfind.FacetCount {
	t.Helper()
	all := *req
	all.Size, all.From, all.Sort, all.Facets = 10000, 0, nil, nil
	res, err := x.idx.SearchInContext(context.Background(), &all)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total > uint64(len(res.Hits)) {
		t.Fatalf("%d matches, %d read", res.Total, len(res.Hits))
	}
	if err := x.read(context.Background(), res.Hits); err != nil {
		t.Fatal(err)
	}
	counts := map[string]map[string]int{}
	add := func(facet, id string) {
		if counts[facet] == nil {
			counts[facet] = map[string]int{}
		}
		counts[facet][id]++
	}
	for _, h := range res.Hits {
		s, err := peerfind.DecodeService([]byte(h.Fields[fieldSource].(string)))
		if err != nil {
			t.Fatal(err)
		}
		add(fieldMode, s.Mode())
		for _, f := range peerfind.Facets {
			ids := s.TermIDs(f)
			for i, id := range ids {
				if !slices.Contains(ids[:i], id) {
					add(f, id)
				}
			}
		}
	}
	out := map[string][]peerfind.FacetCount{}
	for f, ids := range counts {
		for id, n := range ids {
			out[f] = append(out[f], peerfind.FacetCount{Term: id, Count: n})
		}
		slices.SortFunc(out[f], func(a, b peerfind.FacetCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Term, b.Term))
		})
	}
	return out
}

func hitIDs(res *bleve.SearchResult) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

func equalCounts(a, b map[string][]peerfind.FacetCount) bool {
	if len(a) != len(b) {
		return false
	}
	for f, ca := range a {
		if !slices.Equal(ca, b[f]) {
			return false
		}
	}
	return true
}

// TestFacetCountsBothWays holds the facet counts of a set token by token
// (intersections with each token's documents, for large sets) to those
// counted document by document, and both for every document to the
// column's own totals.
func TestFacetCountsBothWays(t *testing.T) {
	x, _ := synthTestIndex(t, 3000)
	c := x.cols
	rng := rand.New(rand.NewPCG(7, 9))
	all := roaring.New()
	all.AddRange(0, uint64(len(c.idRank)))
	sets := map[string]*roaring.Bitmap{"none": roaring.New(), "all": all}
	for _, n := range []int{1, 10, 300, 2000} {
		bm := roaring.New()
		for bm.GetCardinality() < uint64(n) {
			bm.Add(uint32(rng.IntN(len(c.idRank))))
		}
		sets[fmt.Sprint(n)] = bm
	}
	run := roaring.New()
	run.AddRange(500, 2500)
	sets["run"] = run
	for name, set := range sets {
		byTok, byDoc := c.countTokens(set), c.countDocs(set)
		if !slices.Equal(byTok, byDoc) {
			t.Errorf("%s: token by token %v, document by document %v", name, byTok, byDoc)
		}
		if name == "all" && !slices.Equal(byTok, c.all()) {
			t.Errorf("all: token by token %v, column totals %v", byTok, c.all())
		}
		if name != "none" && slices.Max(byTok) == 0 {
			t.Errorf("%s: no token counted", name)
		}
	}
}

// TestFirstByRank holds the walk in id order (placeSort.firstByRank),
// taken for a window without a place over a set of most documents, to
// going through the whole set: the same documents in the same order, for
// sets of every density and windows of 1 to 700. It fails unless the
// walk answered most of the dense cases.
func TestFirstByRank(t *testing.T) {
	x, s, _ := synthSets(t, 3000)
	all := s.all
	rng := rand.New(rand.NewPCG(1, 2))
	sample := func(p float64) *roaring.Bitmap {
		out := roaring.New()
		all.Iterate(func(d uint32) bool {
			if rng.Float64() < p {
				out.Add(d)
			}
			return true
		})
		return out
	}
	// The documents last in id order only: the walk must give up.
	late := roaring.New()
	for _, d := range x.cols.byRank[len(x.cols.byRank)*9/10:] {
		late.Add(d)
	}
	sets := map[string]*roaring.Bitmap{"all": all, "late": late}
	for _, p := range []float64{0.9, 0.5, 0.2, 0.05, 0.01} {
		sets[fmt.Sprint(p)] = sample(p)
	}
	place := newPlaceSort(x.cols, peerfind.Query{}, false)
	walked := 0
	for name, set := range sets {
		for _, n := range []int{1, 10, 100, 133, 700} {
			want := place.firstOfAll(set, n)
			got := place.first(set, n)
			if !slices.Equal(got, want) {
				t.Fatalf("set %s (%d), window %d: walk %v, whole set %v", name, set.GetCardinality(), n, got, want)
			}
			if _, ok := place.firstByRank(set, n); ok {
				walked++
				if name == "late" {
					t.Errorf("set %s, window %d: the walk went to the end", name, n)
				}
			}
		}
	}
	t.Logf("the walk answered %d windows", walked)
	if walked < 10 {
		t.Fatalf("the walk answered %d windows; want most of those over dense sets", walked)
	}
}

// TestRadiusMemo checks that a search's radius sets are computed once and
// stay whole: sets.eval gives each caller its own set (the callers change
// them), with or without a limit.
func TestRadiusMemo(t *testing.T) {
	x, s, g := synthSets(t, 3000)
	p := g.Record(0).Points()[0]
	limit := roaring.New()
	limit.AddRange(0, 1500)
	for _, tc := range []struct {
		name  string
		km    float64
		limit *roaring.Bitmap
	}{
		{"small", 5, nil},
		{"large", 200, nil},
		{"limited", 200, limit},
		{"empty", 0.0001, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := radiusQuery{c: x.cols, lon: p.Lon(), lat: p.Lat(), km: tc.km}
			want := x.cols.withinSet(q.lon, q.lat, q.km)
			if tc.limit != nil {
				want.And(tc.limit)
			}
			ctx := withRadiusMemo(context.Background())
			for i := range 3 {
				got, err := s.eval(ctx, q, tc.limit)
				if err != nil {
					t.Fatal(err)
				}
				if !got.Equals(want) {
					t.Fatalf("eval %d: %d documents, want %d", i, got.GetCardinality(), want.GetCardinality())
				}
				got.Clear() // the caller's to change
			}
			m := ctx.Value(radiusMemoKey{}).(*radiusMemo)
			if len(m.sets) != 1 {
				t.Errorf("memo holds %d sets, want 1", len(m.sets))
			}
		})
	}
}
