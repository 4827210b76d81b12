package geocode

import (
	"cmp"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// The files LoadBoundaries reads, by their paths in the file system it is
// given: the layout of data.BoundariesFS.
const (
	StatesBoundaryFile   = "boundaries/us_states.geojson.gz"
	CountiesBoundaryFile = "boundaries/us_counties.geojson.gz"
)

// OffshoreKM is how far from the nearest county a point in water (a bay, a
// lake, just offshore: the boundaries are clipped to the shoreline) may be
// for Locate to still place it in that county.
const OffshoreKM = 5.0

// Grid of the polygon index: cells of gridDeg degrees over the boxes
// below, which hold every state and county (Puerto Rico at 17.9°N to
// Alaska at 71.4°N; the Aleutians reach across 180°).
const (
	gridDeg    = 0.5
	gridMinLat = 15.0
	gridMaxLat = 72.0
	gridMinLon = -180.0
	gridCols   = int(360 / gridDeg)
	gridRows   = int((gridMaxLat - gridMinLat) / gridDeg)
)

// Region is one state or county of the boundaries.
type Region struct {
	// FIPS is the state's 2-digit or the county's 5-digit FIPS code.
	FIPS string
	// Name is the Census name: "Texas", "Travis", "Richmond".
	Name string
	// FullName is the county's name with its kind: "Travis County",
	// "Orleans Parish", "Richmond city"; the state's name for a state.
	FullName string
	// State is the USPS code of the state ("TX") and StateFIPS its FIPS
	// code ("48"); StateName its name ("Texas").
	State, StateFIPS, StateName string
	// Geometry is the region's polygons.
	Geometry orb.MultiPolygon
	// Bound is the box around Geometry. For a region across 180°
	// (Alaska, Aleutians West) it spans nearly every longitude.
	Bound orb.Bound
	// Centroid is the area centroid of Geometry (planar.CentroidArea).
	Centroid orb.Point
}

// Label is how a county is named with its state, "Travis County, TX"; a
// state is named by its name.
func (r *Region) Label() string {
	if len(r.FIPS) == 2 {
		return r.Name
	}
	return r.FullName + ", " + r.State
}

// Location is where Locate found a point.
type Location struct {
	// State and County are the regions around the point, or nil outside
	// every state (County is nil too) or county.
	State, County *Region
	// OffshoreKM is zero when the point is inside County, else the distance
	// to County's nearest edge (at most OffshoreKM).
	OffshoreKM float64
}

// Boundaries is the index of the US state and county boundaries. It is
// read-only after LoadBoundaries and safe for concurrent use.
type Boundaries struct {
	states   []Region // by FIPS
	counties []Region // by FIPS

	stateFIPS  map[string]int32 // "48" → index in states
	stateUSPS  map[string]int32 // "TX" → index in states
	countyFIPS map[string]int32 // "48453" → index in counties

	// polys are the counties' polygons, each with its county and bounds;
	// cells index them by grid cell: the polygons whose box, padded by
	// OffshoreKM, touches cell c are cellPolys[cellStart[c]:cellStart[c+1]].
	polys     []polyEntry
	cellStart []int32
	cellPolys []int32
}

type polyEntry struct {
	county int32
	bound  orb.Bound // the polygon's box
	padded orb.Bound // bound padded by OffshoreKM
	poly   orb.Polygon
}

// LoadBoundaries reads StatesBoundaryFile and CountiesBoundaryFile from
// fsys (data.BoundariesFS) and indexes them.
func LoadBoundaries(fsys fs.FS) (*Boundaries, error) {
	b := &Boundaries{
		stateFIPS:  make(map[string]int32),
		stateUSPS:  make(map[string]int32),
		countyFIPS: make(map[string]int32),
	}
	states, err := readFeatures(fsys, StatesBoundaryFile)
	if err != nil {
		return nil, err
	}
	for _, f := range states {
		r, err := newRegion(f, false)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", StatesBoundaryFile, err)
		}
		if _, dup := b.stateFIPS[r.FIPS]; dup {
			return nil, fmt.Errorf("%s: state %s twice", StatesBoundaryFile, r.FIPS)
		}
		b.states = append(b.states, r)
		b.stateFIPS[r.FIPS] = int32(len(b.states) - 1)
	}
	slices.SortFunc(b.states, func(x, y Region) int { return cmp.Compare(x.FIPS, y.FIPS) })
	for i := range b.states {
		b.stateFIPS[b.states[i].FIPS] = int32(i)
		b.stateUSPS[b.states[i].State] = int32(i)
	}
	counties, err := readFeatures(fsys, CountiesBoundaryFile)
	if err != nil {
		return nil, err
	}
	for _, f := range counties {
		r, err := newRegion(f, true)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", CountiesBoundaryFile, err)
		}
		if _, ok := b.stateFIPS[r.StateFIPS]; !ok || r.FIPS[:2] != r.StateFIPS {
			return nil, fmt.Errorf("%s: county %s in unknown state %q", CountiesBoundaryFile, r.FIPS, r.StateFIPS)
		}
		if _, dup := b.countyFIPS[r.FIPS]; dup {
			return nil, fmt.Errorf("%s: county %s twice", CountiesBoundaryFile, r.FIPS)
		}
		b.countyFIPS[r.FIPS] = 0
		b.counties = append(b.counties, r)
	}
	if len(b.states) == 0 || len(b.counties) == 0 {
		return nil, fmt.Errorf("load boundaries: no states or no counties")
	}
	slices.SortFunc(b.counties, func(x, y Region) int { return cmp.Compare(x.FIPS, y.FIPS) })
	for i := range b.counties {
		b.countyFIPS[b.counties[i].FIPS] = int32(i)
	}
	b.buildGrid()
	return b, nil
}

// feature is one state or county of the boundary files. The files are
// plain GeoJSON (orb/geojson reads them too); this narrower reader loads
// them about five times faster, which searchd's start-up feels.
type feature struct {
	Properties map[string]string `json:"properties"`
	Geometry   struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

// readFeatures reads a gzipped GeoJSON FeatureCollection of polygons and
// multipolygons with string properties.
func readFeatures(fsys fs.FS, name string) ([]feature, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("load boundaries: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("load boundaries: %s: %w", name, err)
	}
	defer zr.Close()
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("load boundaries: %s: %w", name, err)
	}
	var fc struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		return nil, fmt.Errorf("load boundaries: %s: %w", name, err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("load boundaries: %s: a %q, not a FeatureCollection", name, fc.Type)
	}
	return fc.Features, nil
}

// newRegion makes a Region of a state or county feature.
func newRegion(f feature, county bool) (Region, error) {
	str := func(k string) string { return f.Properties[k] }
	r := Region{FIPS: str("fips"), Name: str("name")}
	if county {
		r.FullName, r.State, r.StateFIPS, r.StateName = str("full_name"), str("state"), str("state_fips"), str("state_name")
		if r.FullName == "" {
			r.FullName = r.Name // District of Columbia, Carson City
		}
		if len(r.FIPS) != 5 {
			return r, fmt.Errorf("bad county FIPS %q", r.FIPS)
		}
	} else {
		r.FullName, r.State, r.StateFIPS, r.StateName = r.Name, str("usps"), r.FIPS, r.Name
		if len(r.FIPS) != 2 || len(r.State) != 2 {
			return r, fmt.Errorf("bad state %q %q", r.FIPS, r.State)
		}
	}
	if r.Name == "" {
		return r, fmt.Errorf("%s has no name", r.FIPS)
	}
	depth := 0
	switch f.Geometry.Type {
	case "Polygon":
		depth = 3
	case "MultiPolygon":
		depth = 4
	default:
		return r, fmt.Errorf("%s is a %q, not a polygon", r.FIPS, f.Geometry.Type)
	}
	c := coordParser{b: f.Geometry.Coordinates}
	geom, err := c.parse(depth)
	if err != nil {
		return r, fmt.Errorf("%s: coordinates: %w", r.FIPS, err)
	}
	if depth == 3 {
		r.Geometry = orb.MultiPolygon{geom.(orb.Polygon)}
	} else {
		r.Geometry = geom.(orb.MultiPolygon)
	}
	if len(r.Geometry) == 0 {
		return r, fmt.Errorf("%s has no polygons", r.FIPS)
	}
	for _, poly := range r.Geometry {
		for _, ring := range poly {
			if len(ring) < 4 {
				return r, fmt.Errorf("%s has a ring of %d points", r.FIPS, len(ring))
			}
		}
	}
	r.Bound = r.Geometry.Bound()
	r.Centroid, _ = planar.CentroidArea(r.Geometry)
	return r, nil
}

// coordParser reads GeoJSON coordinate arrays: depth 4 is a
// MultiPolygon, 3 a Polygon, 2 a Ring, 1 a Point.
type coordParser struct {
	b []byte
	i int
}

func (c *coordParser) parse(depth int) (any, error) {
	v, err := c.value(depth)
	if err != nil {
		return nil, err
	}
	c.space()
	if c.i != len(c.b) {
		return nil, fmt.Errorf("text after the coordinates at byte %d", c.i)
	}
	return v, nil
}

func (c *coordParser) space() {
	for c.i < len(c.b) && (c.b[c.i] == ' ' || c.b[c.i] == '\n' || c.b[c.i] == '\t' || c.b[c.i] == '\r') {
		c.i++
	}
}

// list calls item for each element of a JSON array.
func (c *coordParser) list(item func() error) error {
	c.space()
	if c.i >= len(c.b) || c.b[c.i] != '[' {
		return fmt.Errorf("want [ at byte %d", c.i)
	}
	c.i++
	c.space()
	if c.i < len(c.b) && c.b[c.i] == ']' {
		c.i++
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		c.space()
		if c.i >= len(c.b) {
			return fmt.Errorf("unterminated array")
		}
		switch c.b[c.i] {
		case ',':
			c.i++
		case ']':
			c.i++
			return nil
		default:
			return fmt.Errorf("want , or ] at byte %d", c.i)
		}
	}
}

func (c *coordParser) value(depth int) (any, error) {
	switch depth {
	case 1:
		var p orb.Point
		n := 0
		err := c.list(func() error {
			c.space()
			j := c.i
			for j < len(c.b) && (c.b[j] >= '0' && c.b[j] <= '9' || c.b[j] == '-' || c.b[j] == '+' || c.b[j] == '.' || c.b[j] == 'e' || c.b[j] == 'E') {
				j++
			}
			v, err := strconv.ParseFloat(string(c.b[c.i:j]), 64)
			if err != nil {
				return fmt.Errorf("bad number at byte %d", c.i)
			}
			if n < 2 {
				p[n] = v
			}
			n++
			c.i = j
			return nil
		})
		if err == nil && n < 2 {
			err = fmt.Errorf("a position with %d numbers", n)
		}
		if err == nil && (math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90) {
			err = fmt.Errorf("position %v out of range", p)
		}
		return p, err
	case 2:
		var r orb.Ring
		err := c.list(func() error {
			p, err := c.value(1)
			r = append(r, p.(orb.Point))
			return err
		})
		return r, err
	case 3:
		var poly orb.Polygon
		err := c.list(func() error {
			r, err := c.value(2)
			poly = append(poly, r.(orb.Ring))
			return err
		})
		return poly, err
	}
	var mp orb.MultiPolygon
	err := c.list(func() error {
		p, err := c.value(3)
		mp = append(mp, p.(orb.Polygon))
		return err
	})
	return mp, err
}

// buildGrid indexes the counties' polygons by grid cell.
func (b *Boundaries) buildGrid() {
	for ci := range b.counties {
		for _, p := range b.counties[ci].Geometry {
			bd := p.Bound()
			b.polys = append(b.polys, polyEntry{county: int32(ci), bound: bd, padded: padKM(bd, OffshoreKM), poly: p})
		}
	}
	counts := make([]int32, gridRows*gridCols+1)
	b.eachCell(func(c int, _ int32) { counts[c+1]++ })
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	b.cellStart = counts
	b.cellPolys = make([]int32, counts[len(counts)-1])
	next := slices.Clone(counts[:len(counts)-1])
	b.eachCell(func(c int, pi int32) {
		b.cellPolys[next[c]] = pi
		next[c]++
	})
}

// eachCell calls fn for every grid cell each polygon's padded box touches.
func (b *Boundaries) eachCell(fn func(cell int, poly int32)) {
	for pi := range b.polys {
		bd := b.polys[pi].padded
		r0, c0 := gridCell(bd.Min)
		r1, c1 := gridCell(bd.Max)
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				fn(r*gridCols+c, int32(pi))
			}
		}
	}
}

// gridCell returns the row and column of the cell around p, clamped to the
// grid.
func gridCell(p orb.Point) (row, col int) {
	row = int(math.Floor((p.Lat() - gridMinLat) / gridDeg))
	col = int(math.Floor((p.Lon() - gridMinLon) / gridDeg))
	return min(max(row, 0), gridRows-1), min(max(col, 0), gridCols-1)
}

// padKM widens a box by km on every side.
func padKM(bd orb.Bound, km float64) orb.Bound {
	dLat := km / kmPerDegLat
	lat := max(math.Abs(bd.Min.Lat()), math.Abs(bd.Max.Lat()))
	dLon := km / (kmPerDegLat * math.Cos(min(lat+dLat, 89)*math.Pi/180))
	return orb.Bound{
		Min: orb.Point{bd.Min.Lon() - dLon, bd.Min.Lat() - dLat},
		Max: orb.Point{bd.Max.Lon() + dLon, bd.Max.Lat() + dLat},
	}
}

// kmPerDegLat is the length of a degree of latitude (and of longitude at
// the equator), in kilometres, on the mean Earth sphere.
const kmPerDegLat = 111.195

// Locate returns the state and county around p ([lon, lat]). A point in
// no county but within OffshoreKM of one (in a bay, a lake, just offshore,
// or in a sliver the simplified boundaries lost) is placed in the nearest
// county. A point farther out is in no state and no county. States are
// merged from their counties, so the state is always the county's.
func (b *Boundaries) Locate(p orb.Point) Location {
	lat, lon := p.Lat(), p.Lon()
	if math.IsNaN(lat) || math.IsNaN(lon) || lat < gridMinLat-1 || lat > gridMaxLat || lon < -180 || lon > 180 {
		return Location{}
	}
	row, col := gridCell(p)
	c := row*gridCols + col
	cell := b.cellPolys[b.cellStart[c]:b.cellStart[c+1]]
	for _, pi := range cell {
		e := &b.polys[pi]
		if e.bound.Contains(p) && polygonContains(e.poly, p) {
			return b.location(e.county, 0)
		}
	}
	best, bestKM := int32(-1), OffshoreKM
	for _, pi := range cell {
		e := &b.polys[pi]
		if !e.padded.Contains(p) {
			continue
		}
		if d := polygonDistanceKM(e.poly, p, bestKM); d <= bestKM {
			best, bestKM = e.county, d
		}
	}
	if best < 0 {
		return Location{}
	}
	return b.location(best, bestKM)
}

func (b *Boundaries) location(county int32, km float64) Location {
	c := &b.counties[county]
	return Location{State: &b.states[b.stateFIPS[c.StateFIPS]], County: c, OffshoreKM: km}
}

// polygonContains reports whether p is inside poly's outer ring and
// outside its holes: planar.PolygonContains without its per-call ring
// bounds, which cost Locate three quarters of its time (the caller has
// checked the polygon's box).
func polygonContains(poly orb.Polygon, p orb.Point) bool {
	if !ringContains(poly[0], p) {
		return false
	}
	for _, hole := range poly[1:] {
		if ringContains(hole, p) {
			return false
		}
	}
	return true
}

// ringContains is the even-odd (crossing number) test of a closed ring.
func ringContains(r orb.Ring, p orb.Point) bool {
	x, y := p[0], p[1]
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

// polygonDistanceKM returns the distance from p to the nearest edge of
// poly in kilometres (equirectangular around p, fine for a few km), or a
// value above limit when every edge is farther than limit.
func polygonDistanceKM(poly orb.Polygon, p orb.Point, limit float64) float64 {
	kx := kmPerDegLat * math.Cos(p.Lat()*math.Pi/180)
	best := math.Inf(1)
	for _, ring := range poly {
		for i := 1; i < len(ring); i++ {
			ax, ay := (ring[i-1].Lon()-p.Lon())*kx, (ring[i-1].Lat()-p.Lat())*kmPerDegLat
			bx, by := (ring[i].Lon()-p.Lon())*kx, (ring[i].Lat()-p.Lat())*kmPerDegLat
			if min(ax, bx) > limit || max(ax, bx) < -limit || min(ay, by) > limit || max(ay, by) < -limit {
				continue
			}
			best = min(best, segmentOriginDist(ax, ay, bx, by))
		}
	}
	return best
}

// segmentOriginDist is the distance from the origin to the segment a-b.
func segmentOriginDist(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = min(max(-(ax*dx+ay*dy)/l, 0), 1)
	}
	x, y := ax+t*dx, ay+t*dy
	return math.Hypot(x, y)
}

// State returns the state with a USPS code ("TX", any case) or a FIPS code
// ("48"), or nil.
func (b *Boundaries) State(code string) *Region {
	if len(code) != 2 {
		return nil
	}
	if i, ok := b.stateFIPS[code]; ok {
		return &b.states[i]
	}
	up := []byte{upper(code[0]), upper(code[1])}
	if i, ok := b.stateUSPS[string(up)]; ok {
		return &b.states[i]
	}
	return nil
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// County returns the county with a 5-digit FIPS code ("48453"), or nil.
func (b *Boundaries) County(fips string) *Region {
	if i, ok := b.countyFIPS[fips]; ok {
		return &b.counties[i]
	}
	return nil
}

// States returns every state (with DC and Puerto Rico), by FIPS code. The
// slice is shared: do not modify it.
func (b *Boundaries) States() []Region { return b.states }

// Counties returns every county, by FIPS code. The slice is shared: do not
// modify it.
func (b *Boundaries) Counties() []Region { return b.counties }

// countyIndex returns the index of a county region in b.counties.
func (b *Boundaries) countyIndex(r *Region) int32 { return b.countyFIPS[r.FIPS] }
