package indexer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/peerfind/peerfind"
)

// TestWriteIndexMatchesBleveBuilder holds the parallel writer to bleve's
// offline builder. The same records indexed both ways must give the same
// index: the same documents, the same terms with the same document
// counts in every field, and the same answers (totals, facet counts, and
// the page sorted by distance) to the queries of the benchmark mix.
//
// Pages sorted by relevance are not compared with bleve's builder: it
// numbers the documents of each batch in the order of a Go map (its
// batch holds them in one), and bleve's boolean searcher can score a
// record differently depending on which documents precede it (see
// docs/performance.md). They are compared between two runs of the
// writer with different segment sizes instead, which number the
// documents alike and must agree to the last bit of every score.
func TestWriteIndexMatchesBleveBuilder(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds three indexes of 3,000 synthetic records (run without -short)")
	}
	const n = 3000
	recs, g := synthRecords(t, n)
	// Records of several places, one of them twice, in and out of the
	// order of their hashes.
	for i, at := range [][]int{{1, 2, 3}, {9, 4, 9}, {7, 7}} {
		s := *recs[10+i]
		s.Locations = nil
		for _, j := range at {
			s.Locations = append(s.Locations, recs[j].Locations...)
		}
		recs[10+i] = &s
	}
	tax := taxonomy(t)
	ctx := context.Background()
	build := func(size, fanIn int) *Index {
		defer func(size, fan int) { segmentSize, mergeFanIn = size, fan }(segmentSize, mergeFanIn)
		segmentSize, mergeFanIn = size, fanIn
		dir := t.TempDir()
		if _, err := Build(ctx, dir, recs, BuildOptions{Taxonomy: tax}); err != nil {
			t.Fatal(err)
		}
		x, err := Open(dir, tax)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		return x
	}
	// 31 segments, then 4, then 1: two levels of merges, uneven
	// groups; and one segment, no merge.
	got, whole := build(97, 7), build(n, 10)

	// The reference: what Build did before the parallel writer, bleve's
	// builder fed the records one by one in the same order, with the
	// points indexed as geopoints and read from their doc values.
	sorted := slices.Clone(recs)
	byPlace(sorted)
	want := pointsIndexed(t, sorted)
	if len(got.cols.idRank) != n || len(want.cols.idRank) != n {
		t.Fatalf("documents: %d, bleve's builder %d, want %d", len(got.cols.idRank), len(want.cols.idRank), n)
	}
	// The writer keeps the records' order: document i is record i (its
	// id has the rank of record i's id in id order).
	ids := make([]string, len(sorted))
	for i, s := range sorted {
		ids[i] = s.ID
	}
	slices.Sort(ids)
	for i, s := range sorted {
		rank, _ := slices.BinarySearch(ids, s.ID)
		if got.cols.idRank[i] != uint32(rank) {
			t.Fatalf("document %d has the id of rank %d, want record %d's (%q, rank %d)", i, got.cols.idRank[i], i, s.ID, rank)
		}
	}
	// The same points, read from the file beside the index and from
	// the doc values, record by record (bleve's builder numbers the
	// documents in another order).
	byRank := make([]uint64, n)
	for d, rank := range want.cols.idRank {
		byRank[rank] = uint64(d)
	}
	points, several := 0, 0
	for d, rank := range got.cols.idRank {
		g, w := got.cols.points(uint64(d)), want.cols.points(byRank[rank])
		if !slices.Equal(g, w) {
			t.Fatalf("record %q: points %v, from bleve's doc values %v", sorted[d].ID, g, w)
		}
		points += len(g)
		if len(g) > 1 {
			several++
		}
	}
	if points < n/2 || several < 2 {
		t.Fatalf("%d points in %d records, %d records of several: the test should have more", points, n, several)
	}
	gc, wc := termCounts(t, got), termCounts(t, want)
	maps.DeleteFunc(wc, func(k string, _ uint64) bool {
		for _, f := range []string{fieldLoc, fieldWhen, fieldOpenBlocks} {
			if strings.HasPrefix(k, f+"/") {
				return true
			}
		}
		return false
	})
	if wc["status/active"] < n/2 {
		t.Fatalf("%d active records counted, want most of %d", wc["status/active"], n)
	}
	if g, w := gc, wc; !maps.Equal(g, w) {
		for k, v := range w {
			if g[k] != v {
				t.Errorf("%s: %d documents, bleve's builder %d", k, g[k], v)
			}
		}
		t.Fatalf("terms: %d, bleve's builder %d", len(g), len(w))
	}

	now := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)
	for _, x := range []*Index{got, whole, want} {
		x.now = func() time.Time { return now }
	}
	checked := 0
	for i := 0; i < 120; i++ {
		q := mixQuery(t, g.Query(i))
		q.Now = now
		for _, sortBy := range []string{peerfind.SortRelevance, peerfind.SortDistance} {
			if sortBy == peerfind.SortDistance && q.Near == nil {
				continue
			}
			q.Sort = sortBy
			name := q.Text + " " + sortBy
			a := searchOK(t, got, q)
			sameAnswer(t, name+" (one segment)", a, searchOK(t, whole, q), true)
			sameAnswer(t, name+" (bleve's builder)", a, searchOK(t, want, q), sortBy == peerfind.SortDistance)
			if a.Total > 0 {
				checked++
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d queries with results compared", checked)
	}

	// The meeting-time filters, from the times saved beside the index
	// and from the tokens of the index built before: days, parts of the
	// day, open now and upcoming through a week, with and without the
	// need and the place of a query of the mix.
	var filters []func(*peerfind.Query)
	for _, days := range [][]string{nil, {"MO"}, {"SA", "SU"}} {
		for _, parts := range [][]string{nil, {peerfind.Evening}, {peerfind.Morning, peerfind.Night}} {
			if days != nil || parts != nil {
				filters = append(filters, func(q *peerfind.Query) { q.Days, q.TimesOfDay = days, parts })
			}
		}
	}
	for at := now; at.Before(now.Add(7 * 24 * time.Hour)); at = at.Add(7*time.Hour + 15*time.Minute) {
		filters = append(filters,
			func(q *peerfind.Query) { q.OpenNow, q.Now = true, at },
			func(q *peerfind.Query) { q.Upcoming, q.Now = true, at },
			func(q *peerfind.Query) { q.Upcoming, q.Days, q.Now = true, []string{"WE"}, at })
	}
	timed := 0
	for i, f := range filters {
		for _, q := range []peerfind.Query{{Now: now}, mixQuery(t, g.Query(i))} {
			f(&q)
			q.Sort = peerfind.SortDistance
			if q.Near == nil {
				q.Sort = peerfind.SortRelevance
			}
			name := fmt.Sprintf("%q %+v", q.Text, q)
			a := searchOK(t, got, q)
			sameAnswer(t, name+" (bleve's builder)", a, searchOK(t, want, q), q.Sort == peerfind.SortDistance || q.Text == "")
			if a.Total > 0 {
				timed++
			}
		}
	}
	if timed < len(filters) {
		t.Fatalf("only %d of %d searches by meeting time had results", timed, 2*len(filters))
	}
}

// pointsIndexed is an index of recs, in their order, as Build wrote it
// before the points and the meeting times were saved beside the index:
// bleve's builder, fed the records one by one, with the points in
// fieldLoc as geopoints, which the columns read from the doc values, and
// the meeting times as the tokens whenQuery reads (whenTokens).
func pointsIndexed(t *testing.T, recs []*peerfind.Service) *Index {
	t.Helper()
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	geo := bleve.NewGeoPointFieldMapping()
	geo.Store = false
	geo.IncludeInAll = false
	dm := m.(*mapping.IndexMappingImpl).TypeMapping[docType]
	dm.AddFieldMappingsAt(fieldLoc, geo)
	dm.Properties[fieldLoc].Dynamic = false
	for _, f := range []string{fieldWhen, fieldOpenBlocks} {
		kw := *dm.Properties[fieldStatus].Fields[0] // a keyword filter, as they were
		dm.AddFieldMappingsAt(f, &kw)
		dm.Properties[f].Dynamic = false
	}
	path := filepath.Join(t.TempDir(), "index")
	b, err := bleve.NewBuilder(path, m, map[string]any{"buildPathPrefix": t.TempDir(), "batchSize": 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range recs {
		d := document(s)
		var pts []map[string]any
		for _, p := range s.Points() {
			pts = append(pts, map[string]any{"lat": p.Lat(), "lon": p.Lon()})
		}
		if len(pts) > 0 {
			d[fieldLoc] = pts
		}
		when, open := whenTokens(s)
		if len(when) > 0 {
			d[fieldWhen] = joinParts(when)
			d[fieldOpenBlocks] = joinParts(open)
		}
		if err := b.Index(s.ID, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := writeRecords(filepath.Dir(path), recs); err != nil {
		t.Fatal(err)
	}
	x, err := Open(path, taxonomy(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func searchOK(t *testing.T, x *Index, q peerfind.Query) *peerfind.Results {
	t.Helper()
	r, err := x.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sameAnswer fails unless a and b have the same total and facet counts
// and, if hits, the same hits in the same order with the same scores.
func sameAnswer(t *testing.T, name string, a, b *peerfind.Results, hits bool) {
	t.Helper()
	if a.Total != b.Total {
		t.Fatalf("%s: total %d, want %d", name, a.Total, b.Total)
	}
	if !maps.EqualFunc(a.Facets, b.Facets, slices.Equal) {
		t.Fatalf("%s: facets\n%v\nwant\n%v", name, a.Facets, b.Facets)
	}
	if !hits {
		return
	}
	if len(a.Hits) != len(b.Hits) {
		t.Fatalf("%s: %d hits, want %d", name, len(a.Hits), len(b.Hits))
	}
	for k := range a.Hits {
		ah, bh := a.Hits[k], b.Hits[k]
		if ah.Service.ID != bh.Service.ID || ah.Score != bh.Score {
			t.Fatalf("%s: hit %d is %s (%v), want %s (%v)", name, k, ah.Service.ID, ah.Score, bh.Service.ID, bh.Score)
		}
	}
}

// termCounts maps "field/term" to the number of documents with the term,
// for every field of the index. (The dictionary's own counts are not
// document counts in zap: they are read from the postings.)
func termCounts(t *testing.T, x *Index) map[string]uint64 {
	t.Helper()
	fields, err := x.idx.Fields()
	if err != nil {
		t.Fatal(err)
	}
	r, err := x.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := map[string]uint64{}
	for _, f := range fields {
		d, err := x.idx.FieldDict(f)
		if err != nil {
			t.Fatal(err)
		}
		for e, err := d.Next(); e != nil || err != nil; e, err = d.Next() {
			if err != nil {
				t.Fatal(err)
			}
			tfr, err := r.TermFieldReader(context.Background(), []byte(e.Term), f, false, false, false)
			if err != nil {
				t.Fatal(err)
			}
			out[f+"/"+e.Term] = tfr.Count()
			tfr.Close()
		}
		d.Close()
	}
	return out
}

// TestWriteIndexStops: a cancelled build stops with the context's error
// and leaves no segment files behind.
func TestWriteIndexStops(t *testing.T) {
	recs, _ := synthRecords(t, 300)
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	arena, err := encodeRecords(context.Background(), recs, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = writeIndex(ctx, filepath.Join(work, "index"), work, m, arena, nil, nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	left, _ := os.ReadDir(work)
	if len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
	if err := writeIndex(context.Background(), filepath.Join(work, "index"), work, m, nil, nil, nil, nil); err == nil {
		t.Fatal("no error for no records")
	}
}

// TestMergeGroups: a level's groups cover the segments in order, each
// of two or more where there are enough, their number a multiple of the
// workers when there are more groups than workers, their sizes within
// one of each other and near mergeFanIn.
func TestMergeGroups(t *testing.T) {
	for _, tc := range []struct{ n, workers, want int }{
		{500, 2, 50}, {50, 2, 4}, {5, 2, 1}, {31, 2, 4}, {2, 2, 1}, {11, 2, 2}, {50, 1, 5}, {50, 3, 3}, {10, 2, 1},
	} {
		g := mergeGroups(tc.n, tc.workers)
		if len(g) != tc.want {
			t.Errorf("%d segments, %d workers: %d groups %v, want %d", tc.n, tc.workers, len(g), g, tc.want)
		}
		from, lo, hi := 0, tc.n, 0
		for _, r := range g {
			if r[0] != from || r[1] <= r[0] {
				t.Fatalf("%d segments: groups %v do not cover them in order", tc.n, g)
			}
			from = r[1]
			lo, hi = min(lo, r[1]-r[0]), max(hi, r[1]-r[0])
		}
		if from != tc.n || hi-lo > 1 {
			t.Errorf("%d segments: groups %v", tc.n, g)
		}
	}
}

// TestByPlace: the records in the stable order of their place keys, as
// a stable sort by placeKey gives them; records without a point last.
func TestByPlace(t *testing.T) {
	recs, _ := synthRecords(t, 3000)
	bare := *recs[7]
	bare.Locations = nil
	recs = append(recs, &bare, recs[3], recs[3]) // no point; one record twice
	want := slices.Clone(recs)
	slices.SortStableFunc(want, func(a, b *peerfind.Service) int { return cmp.Compare(placeKey(a), placeKey(b)) })
	byPlace(recs)
	if !slices.Equal(recs, want) {
		t.Fatal("byPlace is not the stable order of the place keys")
	}
	if recs[len(recs)-1] != &bare {
		t.Fatal("a record without a point is not last")
	}
}
