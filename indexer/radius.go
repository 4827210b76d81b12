package indexer

import (
	"context"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/blevesearch/bleve/v2/geo"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"
)

// gridDeg is the side of the cells of the columns' point grid, in
// degrees.
const gridDeg = 0.25

const (
	gridLats = int(180 / gridDeg)
	gridLons = int(360 / gridDeg)
	// Earth's equatorial and polar radii in km: bleve's Haversin scales
	// the central angle by a diameter between the two.
	radiusEquatorKM = 6378.137
	radiusPoleKM    = 6356.752
)

// pointGrid lists the points in each cell.
type pointGrid struct {
	// cells maps a cell to its points: a range of byCell.
	cells map[int32]cellRange
	// byCell are the points cell by cell, each with its unit vector and
	// document, so that a radius reads memory in order: most points are
	// in or out by one dot product.
	byCell []cellPoint
	// vec are the points of columns.pts as unit vectors, in document
	// order (placeSort reads them document by document).
	vec [][3]float64
}

type cellRange struct{ lo, hi uint32 }

// cellPoint is a point of the grid: its unit vector, its document, and
// its place k in columns.pts.
type cellPoint struct {
	v   [3]float64
	doc uint32
	k   uint32
}

func gridCell(lon, lat float64) (int, int) {
	i := int(math.Floor((lat + 90) / gridDeg))
	j := int(math.Floor((lon + 180) / gridDeg))
	return min(max(i, 0), gridLats-1), ((j % gridLons) + gridLons) % gridLons
}

func unitVector(lon, lat float64) [3]float64 {
	la, lo := lat*math.Pi/180, lon*math.Pi/180
	return [3]float64{math.Cos(la) * math.Cos(lo), math.Cos(la) * math.Sin(lo), math.Sin(la)}
}

// buildGrid indexes the columns' points.
func (c *columns) buildGrid() {
	g := pointGrid{cells: map[int32]cellRange{}, vec: make([][3]float64, len(c.pts))}
	key := make([]int32, len(c.pts))
	count := map[int32]uint32{}
	for k, p := range c.pts {
		g.vec[k] = unitVector(p[0], p[1])
		i, j := gridCell(p[0], p[1])
		key[k] = int32(i*gridLons + j)
		count[key[k]]++
	}
	// The cells' ranges, in the order of their keys; then the points, in
	// document order within a cell.
	keys := make([]int32, 0, len(count))
	for cell := range count {
		keys = append(keys, cell)
	}
	slices.Sort(keys)
	next := make(map[int32]uint32, len(keys))
	var at uint32
	for _, cell := range keys {
		g.cells[cell] = cellRange{at, at + count[cell]}
		next[cell] = at
		at += count[cell]
	}
	g.byCell = make([]cellPoint, len(c.pts))
	for d := 0; d+1 < len(c.ptOff); d++ {
		for k := c.ptOff[d]; k < c.ptOff[d+1]; k++ {
			n := next[key[k]]
			g.byCell[n] = cellPoint{v: g.vec[k], doc: uint32(d), k: uint32(k)}
			next[key[k]] = n + 1
		}
	}
	c.grid = g
}

// withinSet is the set of documents with a point within km of (lon,
// lat) as bleve's geo distance query measures it (geo.Haversin); unlike
// bleve's, every point of a document counts, not its first only. It is
// built from a bitset of every document (no sort of the documents
// found).
func (c *columns) withinSet(lon, lat, km float64) *roaring.Bitmap {
	words := make([]uint64, (len(c.idRank)+63)/64)
	c.eachWithin(lon, lat, km, func(d uint32) { words[d>>6] |= 1 << (d & 63) })
	return roaring.FromDense(words, false)
}

// eachWithin calls fn for every document within km of (lon, lat), in
// no order, once or more.
func (c *columns) eachWithin(lon, lat, km float64, fn func(d uint32)) {
	v0 := unitVector(lon, lat)
	// Surely in within cosIn, surely out beyond cosOut; between, the
	// exact distance decides. (Margins for the diameter's table.)
	cosIn := math.Cos(km / (radiusEquatorKM * 1.001))
	cosOut := math.Cos(km / (radiusPoleKM * 0.999))
	if km/(radiusPoleKM*0.999) >= math.Pi {
		cosOut = -2
	}
	test := func(cell int32) {
		r, ok := c.grid.cells[cell]
		if !ok {
			return
		}
		for _, p := range c.grid.byCell[r.lo:r.hi] {
			dot := p.v[0]*v0[0] + p.v[1]*v0[1] + p.v[2]*v0[2]
			if dot >= cosIn || (dot >= cosOut && geo.Haversin(c.pts[p.k][0], c.pts[p.k][1], lon, lat) <= km) {
				fn(p.doc)
			}
		}
	}
	// The cells of the bounding box: a degree of latitude is at least
	// 110.5 km, one of longitude that times the cosine of the latitude.
	latD := km/110.5 + gridDeg
	lo, hi := lat-latD, lat+latD
	i0, _ := gridCell(0, max(lo, -90))
	i1, _ := gridCell(0, min(hi, 90))
	allLons := lo <= -89 || hi >= 89
	var lonD float64
	if !allLons {
		lonD = latD / math.Cos(max(math.Abs(lo), math.Abs(hi))*math.Pi/180)
		allLons = lonD >= 180
	}
	for i := i0; i <= i1; i++ {
		if allLons {
			for j := 0; j < gridLons; j++ {
				test(int32(i*gridLons + j))
			}
			continue
		}
		_, j0 := gridCell(lon-lonD, 0)
		n := int(2*lonD/gridDeg) + 2
		for k := 0; k < n && k < gridLons; k++ {
			j := (j0 + k) % gridLons
			test(int32(i*gridLons + j))
		}
	}
}

// radiusQuery matches the documents with a point within km of (lon,
// lat), from the columns' grid: the same documents as bleve's geo
// distance query on fieldLoc (for documents of one point), which unions
// the postings of many geohash cells and reads the doc values of every
// match near the circle's edge.
type radiusQuery struct {
	c            *columns
	lon, lat, km float64
}

// radiusMemo keeps the radius sets of one search: its parts (the window
// blended from the local and the remote services, a second try with any
// of the words) each ask for the same radius.
type radiusMemo struct {
	mu   sync.Mutex
	sets map[radiusQuery]*roaring.Bitmap
}

type radiusMemoKey struct{}

// withRadiusMemo is ctx with a memo for the radius sets of a search.
func withRadiusMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, radiusMemoKey{}, &radiusMemo{})
}

// set is the set of documents within the radius, and whether it is the
// memo's (for the caller to copy before changing it) rather than its own.
func (q radiusQuery) set(ctx context.Context) (*roaring.Bitmap, bool) {
	m, _ := ctx.Value(radiusMemoKey{}).(*radiusMemo)
	if m == nil {
		return q.c.withinSet(q.lon, q.lat, q.km), false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	bm, ok := m.sets[q]
	if !ok {
		if m.sets == nil {
			m.sets = map[radiusQuery]*roaring.Bitmap{}
		}
		bm = q.c.withinSet(q.lon, q.lat, q.km)
		m.sets[q] = bm
	}
	return bm, true
}

func (q radiusQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	bm, _ := q.set(ctx)
	return &listSearcher{docs: bm.ToArray(), scorer: scorer.NewConstantScorer(1, 1, options)}, nil
}

// listSearcher walks a sorted list of document numbers.
type listSearcher struct {
	docs   []uint32
	at     int
	id     index.IndexInternalID
	scorer *scorer.ConstantScorer
}

func (s *listSearcher) match(ctx *search.SearchContext) *search.DocumentMatch {
	if s.at >= len(s.docs) {
		return nil
	}
	s.id = index.NewIndexInternalID(s.id, uint64(s.docs[s.at]))
	s.at++
	return s.scorer.Score(ctx, s.id)
}

func (s *listSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	return s.match(ctx), nil
}

func (s *listSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	target := id.Value()
	rest := s.docs[s.at:]
	s.at += sort.Search(len(rest), func(k int) bool { return uint64(rest[k]) >= target })
	return s.match(ctx), nil
}

func (s *listSearcher) Close() error               { return nil }
func (s *listSearcher) Weight() float64            { return s.scorer.Weight() }
func (s *listSearcher) SetQueryNorm(n float64)     { s.scorer.SetQueryNorm(n) }
func (s *listSearcher) Count() uint64              { return uint64(len(s.docs)) }
func (s *listSearcher) Min() int                   { return 0 }
func (s *listSearcher) Size() int                  { return 64 + 4*cap(s.docs) }
func (s *listSearcher) DocumentMatchPoolSize() int { return 1 }
