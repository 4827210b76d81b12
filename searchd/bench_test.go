package searchd

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
)

// benchQueries are raw query strings shaped like the benchmark mix
// (docs/performance.md).
var benchQueries = []struct{ name, raw string }{
	{"combined", "q=depression&near=40.7128,-74.0060&radius=25km&lang=es&category=self-help-group&sort=distance&page=3"},
	{"text", "q=support+group"},
	{"near", "near=34.0522,-118.2437&radius=10km&sort=distance"},
	{"spanish", "q=grupo+de+apoyo+duelo&lang=es&ui=es"},
	{"empty", ""},
}

// BenchmarkParseSearchParams measures parsing and checking the query
// string of GET /api/v1/search (no geocoding).
//
//	go test -run '^$' -bench ParseSearchParams -benchmem ./searchd
func BenchmarkParseSearchParams(b *testing.B) {
	tax := testTaxonomy(b)
	lim := (&Server{Taxonomy: tax}).limits()
	for _, q := range benchQueries {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseSearchParams(q.raw, lim, tax); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodeSearchPage measures building and encoding the JSON
// answer of one page of 10 results with facets, as writeJSON does.
func BenchmarkEncodeSearchPage(b *testing.B) {
	tax := testTaxonomy(b)
	svcs := testServices(b, tax)
	lim := (&Server{Taxonomy: tax}).limits()
	p, err := parseSearchParams(benchQueries[0].raw, lim, tax)
	if err != nil {
		b.Fatal(err)
	}
	near := orb.Point{-74.0060, 40.7128}
	res := &peerfind.Results{Total: 1234, Facets: map[string][]peerfind.FacetCount{}}
	for i := range 10 {
		d := float64(i) * 1.7
		res.Hits = append(res.Hits, peerfind.Hit{Service: svcs[i%len(svcs)], Score: 1 / float64(i+1), DistanceKM: &d, Mode: peerfind.ModeInPerson})
	}
	for _, f := range tax.Facets {
		for i, t := range f.Terms {
			res.Facets[f.ID] = append(res.Facets[f.ID], peerfind.FacetCount{Term: t.ID, Count: 1000 / (i + 1)})
		}
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		resp := newSearchResponse(p, nil, &near, res, tax, lim.maxPage)
		buf.Reset()
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(true)
		if err := enc.Encode(resp); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/page")
}
