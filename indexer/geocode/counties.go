package geocode

import (
	"cmp"
	"fmt"
	"io/fs"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
)

// KindCounty is the kind of a county, as peerfind.Place.Kind.
const KindCounty = "county"

// Option configures New.
type Option func(*options)

type options struct {
	boundaries   *Boundaries
	boundariesFS fs.FS
}

// WithBoundaries gives the Gazetteer an index of state and county
// boundaries: then it fills Place.County, CountyFIPS and ZIP for points,
// cities and ZIPs, geocodes counties ("Travis County, TX") and resolves
// service areas (ResolveArea).
func WithBoundaries(b *Boundaries) Option {
	return func(o *options) { o.boundaries = b }
}

// WithBoundariesFS is WithBoundaries with the boundaries loaded from fsys
// (data.BoundariesFS) by New, alongside the gazetteer.
func WithBoundariesFS(fsys fs.FS) Option {
	return func(o *options) { o.boundariesFS = fsys }
}

// Boundaries returns the boundaries the Gazetteer was given, or nil.
func (g *Gazetteer) Boundaries() *Boundaries { return g.b }

// countyData is what the Gazetteer knows about each county of g.b, by
// index in g.b.counties.
type countyData struct {
	pop   uint64 // the sum of its places' populations
	place int32  // its most populous place, or -1
	// zips are indices in g.zips of the ZIP codes whose centre is in it.
	zips []int32
}

// linkCounties places every ZIP centre and place in its county.
func (g *Gazetteer) linkCounties() {
	b := g.b
	g.counties = make([]countyData, len(b.counties))
	for i := range g.counties {
		g.counties[i].place = -1
	}
	zipCounty := make([]int32, len(g.zips))
	placeCounty := make([]int32, len(g.places))
	// Locate is about 2 µs; spread the 75,000 look-ups over the CPUs.
	var wg sync.WaitGroup
	workers := max(1, min(runtime.GOMAXPROCS(0), 8))
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(g.zips); i += workers {
				z := &g.zips[i]
				zipCounty[i] = g.countyAt(point(z.lat, z.lng), z.state)
			}
			for i := w; i < len(g.places); i += workers {
				p := &g.places[i]
				placeCounty[i] = g.countyAt(point(p.lat, p.lng), p.state)
			}
		})
	}
	wg.Wait()
	for i, c := range zipCounty {
		if c >= 0 {
			g.counties[c].zips = append(g.counties[c].zips, int32(i))
		}
	}
	for i, c := range placeCounty {
		if c < 0 {
			continue
		}
		cd := &g.counties[c]
		pop := g.places[i].pop
		cd.pop += uint64(pop)
		if cd.place < 0 || pop > g.places[cd.place].pop {
			cd.place = int32(i)
		}
	}
	// Counties by name key: "traviscounty", most populous first.
	g.countyKey = make(map[string][]int32)
	for i := range b.counties {
		k := NameKey(b.counties[i].FullName)
		g.countyKey[k] = append(g.countyKey[k], int32(i))
	}
	for _, list := range g.countyKey {
		slices.SortStableFunc(list, func(x, y int32) int { return cmp.Compare(g.counties[y].pop, g.counties[x].pop) })
	}
	g.countyKeys = make([]string, 0, len(g.countyKey))
	for k := range g.countyKey {
		g.countyKeys = append(g.countyKeys, k)
	}
	slices.Sort(g.countyKeys)
}

// countyAt returns the index of the county around p when it is in the
// gazetteer state st, else -1.
func (g *Gazetteer) countyAt(p orb.Point, st uint8) int32 {
	loc := g.b.Locate(p)
	if loc.County == nil || loc.County.State != g.states[st].code {
		return -1
	}
	return g.b.countyIndex(loc.County)
}

// countySuffixes are the last words of a county's name that make a name
// a county rather than a city: "Travis County", "Travis Co.", "Orleans
// Parish", "Juneau Borough", "Anchorage Municipality", "Bethel Census
// Area", "Ponce Municipio".
var countySuffixes = map[string]bool{
	"county": true, "co": true, "cnty": true, "parish": true, "borough": true,
	"municipality": true, "municipio": true, "area": true,
}

// countyWords reports whether words end with a county suffix.
func countyWords(words []string) bool {
	return len(words) > 1 && countySuffixes[words[len(words)-1]]
}

// countyKeyOf is the name key of words as a county name: "Travis Co"
// and "Travis Cnty" are "traviscounty".
func countyKeyOf(words []string) string {
	w := expand(words)
	if n := len(w); n > 1 && (w[n-1] == "co" || w[n-1] == "cnty") {
		w = append(w[:n-1:n-1], "county")
	}
	return joinKey(w)
}

// countyIn returns the county with name key k in the gazetteer state st.
func (g *Gazetteer) countyIn(k string, st uint8) (peerfind.Place, bool) {
	if g.b == nil {
		return peerfind.Place{}, false
	}
	for _, c := range g.countyKey[k] {
		if g.b.counties[c].State == g.states[st].code {
			return g.countyPlace(c), true
		}
	}
	return peerfind.Place{}, false
}

// bareCounty resolves a county name key without a state, like bareCity:
// ok is false when no county has the key; a name several states share is
// an error listing them, most populous first.
func (g *Gazetteer) bareCounty(s, k string) (p peerfind.Place, err error, ok bool) {
	if g.b == nil {
		return peerfind.Place{}, nil, false
	}
	list := g.countyKey[k]
	switch len(list) {
	case 0:
		return peerfind.Place{}, nil, false
	case 1:
		return g.countyPlace(list[0]), nil, true
	}
	cands := make([]string, 0, maxCandidates)
	for _, c := range list[:min(len(list), maxCandidates)] {
		cands = append(cands, g.b.counties[c].Label())
	}
	return peerfind.Place{}, &peerfind.PlaceError{
		Input:      s,
		Reason:     fmt.Sprintf("ambiguous: %d counties have this name", len(list)),
		Candidates: cands,
		Err:        peerfind.ErrNotFound,
	}, true
}

// unknownCounty is the error for a county name key that matched nothing,
// with the closest county names as candidates, in state st first when
// st >= 0.
func (g *Gazetteer) unknownCounty(s, k string, st int) error {
	var cands []string
	if g.b != nil {
		if st >= 0 {
			cands = g.closestCounties(k, g.states[st].code, maxCandidates)
		}
		if len(cands) == 0 {
			cands = g.closestCounties(k, "", maxCandidates)
		}
	}
	return &peerfind.PlaceError{Input: s, Reason: "unknown county", Candidates: cands, Err: peerfind.ErrNotFound}
}

// closestCounties returns up to n county labels whose name keys are
// within a small edit distance of k, in the state with USPS code st
// unless st is empty; nearest first, then most populous.
func (g *Gazetteer) closestCounties(k, st string, n int) []string {
	maxD := 1 + len(k)/6
	type cand struct {
		c    int32
		dist int
	}
	var (
		found []cand
		dist  distance
	)
	for _, key := range g.countyKeys {
		d := dist.between(k, key, maxD)
		if d > maxD {
			continue
		}
		for _, c := range g.countyKey[key] {
			if st == "" || g.b.counties[c].State == st {
				found = append(found, cand{c, d})
			}
		}
	}
	slices.SortFunc(found, func(a, b cand) int {
		if c := cmp.Compare(a.dist, b.dist); c != 0 {
			return c
		}
		return cmp.Compare(g.counties[b.c].pop, g.counties[a.c].pop)
	})
	var out []string
	for _, c := range found[:min(n, len(found))] {
		out = append(out, g.b.counties[c.c].Label())
	}
	return out
}

// countyPlace is the Place of county c: its most populous place's point
// when that is inside it, else the centroid of its area.
func (g *Gazetteer) countyPlace(c int32) peerfind.Place {
	r := &g.b.counties[c]
	pt := r.Centroid
	if i := g.counties[c].place; i >= 0 {
		pt = point(g.places[i].lat, g.places[i].lng)
	}
	return peerfind.Place{
		Name:       r.Label(),
		Kind:       KindCounty,
		Point:      pt,
		State:      r.State,
		StateFIPS:  r.StateFIPS,
		County:     r.FullName,
		CountyFIPS: r.FIPS,
	}
}

// complete fills the codes of p around its point: the state, the county,
// the ZIP code (p.ZIP when set, else the one whose centre is nearest the
// point in the same county) and, with tz, the time zone. A state gets
// only its codes and time zone; a county its time zone.
func (g *Gazetteer) complete(p *peerfind.Place, tz bool) {
	if tz {
		p.Timezone = g.Timezone(p.Point)
	}
	switch p.Kind {
	case KindState:
		if i, ok := g.stateCode[strings.ToLower(p.State)]; ok {
			p.StateFIPS = g.states[i].fips
		}
		return
	case KindCounty:
		return
	}
	if g.b == nil {
		if i, ok := g.stateCode[strings.ToLower(p.State)]; ok {
			p.StateFIPS = g.states[i].fips
		}
		return
	}
	loc := g.b.Locate(p.Point)
	if loc.County == nil || p.State != "" && loc.County.State != p.State {
		// Offshore, abroad, or a place the coarse borders put in the
		// next state: keep the gazetteer's state, claim no county.
		if i, ok := g.stateCode[strings.ToLower(p.State)]; ok {
			p.StateFIPS = g.states[i].fips
		}
		return
	}
	c := loc.County
	p.State, p.StateFIPS = c.State, c.StateFIPS
	p.County, p.CountyFIPS = c.FullName, c.FIPS
	if p.ZIP == "" {
		p.ZIP = g.nearestZIPIn(g.b.countyIndex(c), p.Point)
	}
}

// nearestZIPIn returns the ZIP code whose centre is nearest pt among those
// in county c, or "".
func (g *Gazetteer) nearestZIPIn(c int32, pt orb.Point) string {
	k := math.Cos(pt.Lat() * math.Pi / 180)
	best, bestD := int32(-1), math.Inf(1)
	for _, i := range g.counties[c].zips {
		z := &g.zips[i]
		dy, dx := float64(z.lat)-pt.Lat(), (float64(z.lng)-pt.Lon())*k
		if d := dx*dx + dy*dy; d < bestD {
			best, bestD = i, d
		}
	}
	if best < 0 {
		return ""
	}
	return fmt.Sprintf("%05d", g.zips[best].code)
}
