package indexer

import (
	"context"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/synth"
)

// TestColumnsMatchBleve checks the facet counts and the order that run
// takes from the in-memory columns against bleve's own: a terms facet on
// fieldFacets, and the sort by the remote field, geo distance and id
// (sort=distance) or by score, geo distance and id (relevance), for the
// first queries of the benchmark mix over synthetic records.
func TestColumnsMatchBleve(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds an index of 3,000 synthetic records (run without -short)")
	}
	g, err := synth.New(1)
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]*peerfind.Service, 3000)
	for i := range recs {
		recs[i] = g.Record(i)
	}
	tax := taxonomy(t)
	dir := t.TempDir()
	if _, err := Build(context.Background(), dir, recs, BuildOptions{Taxonomy: tax}); err != nil {
		t.Fatal(err)
	}
	x, err := Open(dir, tax)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if len(x.cols.idRank) != len(recs) {
		t.Fatalf("columns of %d documents, want %d", len(x.cols.idRank), len(recs))
	}

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
				where = whereQuery(q, q.RadiusKM, partAll)
			}
			for _, size := range []int{0, 30} {
				got, _, err := x.run(ctx, q, 0, size, query.MatchQueryOperatorOr, where, true)
				if err != nil {
					t.Fatal(err)
				}
				want := referenceRun(t, x, q, size, where)
				name := q.Text + " " + sortBy
				if got.Total != want.Total {
					t.Fatalf("query %d %q: total %d, bleve's %d", i, name, got.Total, want.Total)
				}
				if g, w := facetCounts(got), facetCounts(want); !equalCounts(g, w) {
					t.Fatalf("query %d %q: facets\n%v\nbleve's\n%v", i, name, g, w)
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

// referenceRun is run with bleve's facets and sorts.
func referenceRun(t *testing.T, x *Index, q peerfind.Query, size int, where query.Query) *bleve.SearchResult {
	t.Helper()
	req, _ := x.request(q, 0, size, query.MatchQueryOperatorOr, where)
	req.AddFacet(fieldFacets, bleve.NewFacetRequest(fieldFacets, 10000))
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
	return res
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
