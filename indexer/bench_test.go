package indexer

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

// BenchmarkSearchShipped runs a combined query (need text, radius, a
// filter, facets, distance sort, one page) over the shipped dataset.
func BenchmarkSearchShipped(b *testing.B) {
	recs, _, err := data.Records(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	tax := taxonomy(b)
	dir := filepath.Join(b.TempDir(), "index")
	if _, err := Build(context.Background(), dir, recs, BuildOptions{Taxonomy: tax}); err != nil {
		b.Fatal(err)
	}
	idx, err := Open(dir, tax)
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	sanJose := orb.Point{-121.8863, 37.3382}
	q := peerfind.Query{Text: "women", Near: &sanJose, RadiusKM: 25, Sort: peerfind.SortDistance,
		Filters: map[string][]string{"lang": {"en"}}, PerPage: 10}
	b.ReportAllocs()
	for b.Loop() {
		res, err := idx.Search(context.Background(), q)
		if err != nil || res.Total == 0 {
			b.Fatalf("search: %v, %v", res, err)
		}
	}
}

// BenchmarkBuildShipped indexes the shipped dataset.
func BenchmarkBuildShipped(b *testing.B) {
	recs, _, err := data.Records(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	tax := taxonomy(b)
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "index")
		stats, err := Build(context.Background(), dir, recs, BuildOptions{Taxonomy: tax})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(stats.DocsPerSecond(), "docs/s")
	}
}
