package geocode

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
)

// Suggest returns up to n places whose names start with prefix, for
// type-ahead, most populous first. States whose name starts with the
// prefix, or whose code it is, rank by their total population, so they
// come before their cities. With boundaries, counties whose full name
// starts with the prefix ("travis" or "travis co" for Travis County, TX)
// come too: by a tenth of their population unless the prefix says
// "county" (a county mostly outranks its own seat otherwise). Every
// place carries its codes as Geocode's do, but not its time zone. "Name, S" narrows the cities to the states
// whose code or name starts with "S". A prefix of digits lists the ZIP
// codes that start with it, in order. Matching is as lenient as
// Geocode's.
func (g *Gazetteer) Suggest(prefix string, n int) []peerfind.Place {
	prefix = strings.TrimSpace(prefix)
	if n <= 0 || prefix == "" || len(prefix) > MaxInputLen {
		return nil
	}
	if isDigits(prefix) {
		out := g.suggestZIPs(prefix, n)
		for i := range out {
			g.complete(&out[i], false)
		}
		return out
	}
	cityPart, statePart, hasComma := strings.Cut(prefix, ",")
	city := joinKey(expand(tokens(cityPart)))
	if city == "" {
		return nil
	}
	// allowed, when not nil, marks the states the cities must be in.
	var allowed []bool
	if hasComma {
		if st := joinKey(tokens(statePart)); st != "" {
			allowed = make([]bool, len(g.states))
			for i := range g.states {
				s := &g.states[i]
				allowed[i] = len(st) <= 2 && strings.HasPrefix(strings.ToLower(s.code), st) ||
					strings.HasPrefix(NameKey(s.name), st)
			}
		}
	}

	var hits []hit
	if !hasComma {
		for i := range g.states {
			s := &g.states[i]
			if strings.HasPrefix(NameKey(s.name), city) || strings.EqualFold(s.code, city) {
				hits = append(hits, hit{g.statePlace(uint8(i)), s.pop})
			}
		}
	}
	lo, _ := slices.BinarySearchFunc(g.names, city, func(r nameRun, k string) int { return strings.Compare(r.key, k) })
	var matches []int32
	for _, r := range g.names[lo:] {
		if !strings.HasPrefix(r.key, city) {
			break
		}
		for _, i := range g.order[r.start:r.end] {
			if allowed == nil || allowed[g.places[i].state] {
				matches = append(matches, i)
			}
		}
	}
	slices.SortFunc(matches, func(a, b int32) int {
		if c := cmp.Compare(g.places[b].pop, g.places[a].pop); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	seen := make(map[string]bool)
	for _, i := range matches {
		name := g.cityName(i)
		if seen[name] {
			continue // a smaller place of the same name in the same state
		}
		seen[name] = true
		hits = append(hits, hit{g.cityPlace(i), uint64(g.places[i].pop)})
		if len(seen) == n {
			break
		}
	}
	if g.b != nil {
		hits = append(hits, g.suggestCounties(cityPart, allowed, n)...)
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(b.pop, a.pop) })
	out := make([]peerfind.Place, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		g.complete(&h.place, false)
		out = append(out, h.place)
	}
	return out
}

// suggestCounties returns up to n counties whose full name starts with
// the words of name, in the allowed states when allowed is not nil, with
// the population they rank by.
func (g *Gazetteer) suggestCounties(name string, allowed []bool, n int) []hit {
	words := tokens(name)
	if len(words) == 0 {
		return nil
	}
	k := countyKeyOf(words)
	weight := uint64(10)
	if countyWords(words) {
		weight = 1
	} else if last := words[len(words)-1]; len(words) > 1 && strings.HasPrefix("county", last) {
		weight = 1 // "travis cou"
	}
	lo, _ := slices.BinarySearch(g.countyKeys, k)
	var out []hit
	for _, key := range g.countyKeys[lo:] {
		if !strings.HasPrefix(key, k) {
			break
		}
		for _, c := range g.countyKey[key] {
			if allowed != nil && !allowed[g.stateCode[strings.ToLower(g.b.counties[c].State)]] {
				continue
			}
			out = append(out, hit{g.countyPlace(c), g.counties[c].pop / weight})
		}
	}
	slices.SortStableFunc(out, func(a, b hit) int { return cmp.Compare(b.pop, a.pop) })
	return out[:min(n, len(out))]
}

// suggestZIPs returns up to n ZIP codes starting with the digits prefix.
func (g *Gazetteer) suggestZIPs(prefix string, n int) []peerfind.Place {
	if len(prefix) > 5 {
		prefix = prefix[:5]
	}
	v, _ := strconv.ParseUint(prefix, 10, 32)
	scale := uint64(math.Pow10(5 - len(prefix)))
	lo, hi := uint32(v*scale), uint32((v+1)*scale)
	i, _ := slices.BinarySearchFunc(g.zips, lo, func(z zipEntry, c uint32) int { return cmp.Compare(z.code, c) })
	var out []peerfind.Place
	for ; i < len(g.zips) && g.zips[i].code < hi && len(out) < n; i++ {
		out = append(out, g.zipPlaceAt(i))
	}
	return out
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Timezone returns the IANA time zone (e.g. "America/New_York") of the
// gazetteer place nearest to pt, or "" when the gazetteer has no places.
// Near a time-zone border it can be the neighbour's zone. It searches the
// places by 1° cells outwards from pt, so it takes microseconds.
func (g *Gazetteer) Timezone(pt orb.Point) string {
	if i := g.nearestPlace(pt); i >= 0 {
		return g.places[i].tz
	}
	return ""
}

// tzGrid cells are 1°; rows from 90°S, columns from 180°W.
const (
	tzRows = 180
	tzCols = 360
)

// indexPlaceCells builds the grid of places Timezone searches.
func (g *Gazetteer) indexPlaceCells() {
	cell := func(p *placeEntry) int {
		r, c := tzCell(float64(p.lat), float64(p.lng))
		return r*tzCols + c
	}
	g.cellStart = make([]int32, tzRows*tzCols+1)
	for i := range g.places {
		g.cellStart[cell(&g.places[i])+1]++
	}
	for i := 1; i < len(g.cellStart); i++ {
		g.cellStart[i] += g.cellStart[i-1]
	}
	g.cellPlaces = make([]int32, len(g.places))
	next := slices.Clone(g.cellStart[:len(g.cellStart)-1])
	for i := range g.places {
		c := cell(&g.places[i])
		g.cellPlaces[next[c]] = int32(i)
		next[c]++
	}
}

func tzCell(lat, lng float64) (row, col int) {
	row = min(max(int(math.Floor(lat+90)), 0), tzRows-1)
	col = min(max(int(math.Floor(lng+180)), 0), tzCols-1)
	return row, col
}

// nearestPlace returns the index of the place nearest pt (the lowest
// index among equals), or -1 when there are none: the same answer as a
// scan of every place, found ring by ring of grid cells around pt.
func (g *Gazetteer) nearestPlace(pt orb.Point) int {
	if len(g.places) == 0 {
		return -1
	}
	lat, lng := pt.Lat(), pt.Lon()
	k := math.Cos(lat * math.Pi / 180)
	best, bestD := -1, math.Inf(1)
	visit := func(row, col int) {
		if row < 0 || row >= tzRows {
			return
		}
		col = ((col % tzCols) + tzCols) % tzCols
		c := row*tzCols + col
		for _, i := range g.cellPlaces[g.cellStart[c]:g.cellStart[c+1]] {
			p := &g.places[i]
			dy := float64(p.lat) - lat
			dx := math.Abs(float64(p.lng) - lng)
			if dx > 180 {
				dx = 360 - dx
			}
			dx *= k
			if d := dx*dx + dy*dy; d < bestD || d == bestD && int(i) < best {
				best, bestD = int(i), d
			}
		}
	}
	r0, c0 := tzCell(lat, lng)
	for r := 0; r < tzCols/2; r++ {
		if r == 0 {
			visit(r0, c0)
		} else {
			for c := c0 - r; c <= c0+r; c++ {
				visit(r0-r, c)
				visit(r0+r, c)
			}
			for row := r0 - r + 1; row <= r0+r-1; row++ {
				visit(row, c0-r)
				visit(row, c0+r)
			}
		}
		// Every place not yet seen is at least r cells away in latitude
		// or longitude.
		if reach := float64(r) * k; best >= 0 && bestD < reach*reach {
			return best
		}
	}
	return best
}

// hit is a suggested place with the population it ranks by.
type hit struct {
	place peerfind.Place
	pop   uint64
}
