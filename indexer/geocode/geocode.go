// Package geocode is peerfind's offline geocoder. It turns what a searcher
// types as a location (coordinates, a ZIP code, "City, ST", a county, a
// state) into a point with the codes of the state, county and ZIP code
// around it, using only the gazetteer shipped in data/gazetteer (built by
// indexer/cmd/gazetteer from Census, USPS, simplemaps and GeoNames data)
// and the state and county boundaries in data/boundaries (Census 2017 via
// us-atlas).
//
// A *Gazetteer implements peerfind.Geocoder:
//
//	g, err := geocode.New(data.GazetteerFS, geocode.WithBoundariesFS(data.BoundariesFS))
//	place, err := g.Geocode(ctx, "Philadelphia, PA")
//
// Without boundaries it still geocodes everything but counties, and fills
// only the state codes, the ZIP code given and the time zone.
//
// # What Geocode accepts
//
//   - "lat,lng", with or without spaces, or "lat lng": "37.33, -121.89".
//     Out-of-range values are a *peerfind.PlaceError matching ErrInvalid.
//   - A 5-digit ZIP code or ZIP+4: "19103", "95112-1234", "951121234".
//     Any ZIP the USPS uses in the 50 states, DC and Puerto Rico,
//     including PO-box and single-organisation ZIPs that have no Census
//     area.
//   - "City, ST", "City ST", "City, State" and "City State" with a
//     two-letter USPS code or the full state name, optionally followed by
//     a ZIP ("City, ST 95112"): a known ZIP wins, as it is more precise;
//     an unknown one is ignored. A trailing ", USA" is ignored.
//   - A county (with boundaries), with or without its state: "Travis
//     County, TX", "Travis County Texas", "Travis Co, TX", "Orleans Parish,
//     LA", "Anchorage Municipality", "Bethel Census Area", "Ponce
//     Municipio", "Richmond city, VA" (the independent city, not Richmond
//     County). A bare county name is resolved when only one state has it;
//     "Washington County" is ambiguous and returns the candidates, most
//     populous first. The county's point is its most populous place, or
//     the centroid of its area when it has none.
//   - A state on its own, by code or name: "PA", "Pennsylvania". A name
//     that is both a state and a city ("New York", "Washington") is the
//     state; add the state to get the city ("New York, NY").
//   - A city name on its own, when only one state has a place of that
//     name or when the most populous one has at least ten times the
//     population of the next ("Philadelphia" is Philadelphia, PA;
//     "Springfield" and "Portland" are ambiguous and return the
//     candidates, most populous first). The nicknames "NYC", "Philly"
//     and "SF" are known too.
//
// # What a Place carries
//
// Kind is KindCoordinates, KindZIP, KindCity, KindCounty or KindState.
// Every Place has State and StateFIPS ("TX", "48") when its point is in a
// state, and its Timezone. Coordinates, ZIP codes and cities also have
// County and CountyFIPS ("Travis County", "48453", found with
// Boundaries.Locate: a point in a bay or just offshore counts in the
// nearest county within OffshoreKM) and ZIP: the ZIP code given, or the
// one whose centre is nearest the point in the same county. A county has
// its own codes and no ZIP; a state has no county and no ZIP.
//
// Matching ignores case, accents, punctuation and spacing, and treats
// "St."/"Saint", "Ste."/"Sainte", "Ft."/"Fort", "Mt."/"Mount" alike (see
// NameKey). Within one state, a name shared by several places means the
// most populous. Unknown names and ZIP codes return a PlaceError matching
// ErrNotFound whose Candidates are the closest names (by edit distance
// and prefix, most populous first) or the numerically nearest ZIP codes.
//
// The Gazetteer also serves the indexer: Gazetteer.ResolveArea turns a
// service area given by reference into tokens ("state:48",
// "county:48453"), and AreaTokens gives the same tokens for a searcher's
// Place. Boundaries (LoadBoundaries) is the polygon index underneath,
// usable alone: Locate, State, County.
package geocode

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
)

// The kinds of place Geocode returns, as peerfind.Place.Kind.
const (
	KindCoordinates = "coordinates"
	KindZIP         = "zip"
	KindCity        = "city"
	KindState       = "state"
	// KindCounty is in counties.go.
)

// MaxInputLen is the longest input Geocode accepts, in bytes.
const MaxInputLen = 200

const (
	// maxStates bounds the states table so an index fits in a uint8.
	maxStates = 255
	// dominance is how many times more populous the largest place of a
	// name must be than the next, in another state, for the bare name to
	// mean it.
	dominance = 10
	// maxCandidates is how many "did you mean" candidates an error carries.
	maxCandidates = 5
)

// Gazetteer is the loaded offline gazetteer. It is read-only after New and
// safe for concurrent use.
type Gazetteer struct {
	states    []stateEntry
	stateCode map[string]uint8 // lower-case USPS code → index in states
	stateName map[string]uint8 // NameKey of the state's name → index

	zips []zipEntry // ascending by code

	places []placeEntry
	// order lists indices into places grouped by name key, and within a
	// key by descending population.
	order []int32
	// names are the distinct name keys in ascending order, each with its
	// run of order.
	names []nameRun
	byKey map[string]int32 // name key → index in names
	// cellPlaces lists indices into places by 1° grid cell, the places of
	// cell c being cellPlaces[cellStart[c]:cellStart[c+1]] (Timezone).
	cellStart, cellPlaces []int32

	// b, when set, are the state and county boundaries; counties holds
	// what the gazetteer adds to each of b's counties, and countyKey the
	// counties by the name key of their full name, most populous first.
	b          *Boundaries
	counties   []countyData
	countyKey  map[string][]int32
	countyKeys []string // the keys of countyKey, sorted
}

type stateEntry struct {
	code, name, fips string
	lat, lng         float32
	pop              uint64 // the sum of its places' populations
}

type zipEntry struct {
	code     uint32
	lat, lng float32
	city     string
	state    uint8
}

type placeEntry struct {
	name, county, tz string
	lat, lng         float32
	pop              uint32
	state            uint8
}

type nameRun struct {
	key        string
	start, end int32
}

// New loads the gazetteer from fsys, which must hold the files ZIPsFile,
// PlacesFile and StatesFile at those paths, as data.GazetteerFS does.
// With WithBoundariesFS(data.BoundariesFS) (or WithBoundaries) it also
// knows counties: every Place it returns then carries its county and ZIP
// code, and it geocodes county names.
func New(fsys fs.FS, opts ...Option) (*Gazetteer, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	g := &Gazetteer{
		stateCode: make(map[string]uint8),
		stateName: make(map[string]uint8),
		b:         o.boundaries,
	}
	// The boundaries load beside the gazetteer's files.
	var (
		bdone = make(chan struct{})
		berr  error
	)
	if o.boundariesFS != nil && g.b == nil {
		go func() {
			defer close(bdone)
			g.b, berr = LoadBoundaries(o.boundariesFS)
		}()
	} else {
		close(bdone)
	}
	err := g.load(fsys)
	<-bdone
	if err != nil {
		return nil, err
	}
	if berr != nil {
		return nil, berr
	}
	if g.b != nil {
		g.linkCounties()
	}
	return g, nil
}

// load reads the gazetteer's files.
func (g *Gazetteer) load(fsys fs.FS) error {
	if err := g.loadStates(fsys); err != nil {
		return fmt.Errorf("load gazetteer: %w", err)
	}
	if err := g.loadZIPs(fsys); err != nil {
		return fmt.Errorf("load gazetteer: %w", err)
	}
	if err := g.loadPlaces(fsys); err != nil {
		return fmt.Errorf("load gazetteer: %w", err)
	}
	return nil
}

// indexPlaces builds order, names and byKey from places.
func (g *Gazetteer) indexPlaces() {
	keys := make([]string, len(g.places))
	g.order = make([]int32, len(g.places))
	for i := range g.places {
		keys[i] = NameKey(g.places[i].name)
		g.order[i] = int32(i)
	}
	slices.SortFunc(g.order, func(a, b int32) int {
		if c := strings.Compare(keys[a], keys[b]); c != 0 {
			return c
		}
		pa, pb := &g.places[a], &g.places[b]
		if c := cmp.Compare(pb.pop, pa.pop); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	g.byKey = make(map[string]int32)
	for i := 0; i < len(g.order); {
		k := keys[g.order[i]]
		j := i + 1
		for j < len(g.order) && keys[g.order[j]] == k {
			j++
		}
		g.byKey[k] = int32(len(g.names))
		g.names = append(g.names, nameRun{key: k, start: int32(i), end: int32(j)})
		i = j
	}
}

// run returns the places, most populous first, whose name key is k.
func (g *Gazetteer) run(k string) []int32 {
	i, ok := g.byKey[k]
	if !ok {
		return nil
	}
	r := g.names[i]
	return g.order[r.start:r.end]
}

// Geocode resolves what a searcher typed as a location; see the package
// documentation for the forms it accepts. Failures are a
// *peerfind.PlaceError matching peerfind.ErrNotFound or
// peerfind.ErrInvalid.
func (g *Gazetteer) Geocode(ctx context.Context, s string) (peerfind.Place, error) {
	p, err := g.geocode(ctx, s)
	if err != nil {
		return peerfind.Place{}, err
	}
	g.complete(&p, true)
	return p, nil
}

func (g *Gazetteer) geocode(ctx context.Context, s string) (peerfind.Place, error) {
	if err := ctx.Err(); err != nil {
		return peerfind.Place{}, fmt.Errorf("geocode %q: %w", s, err)
	}
	in := strings.TrimSpace(s)
	switch {
	case in == "":
		return peerfind.Place{}, invalid(s, "empty location")
	case len(s) > MaxInputLen:
		return peerfind.Place{}, invalid(s, fmt.Sprintf("location longer than %d bytes", MaxInputLen))
	}
	if code, ok := parseZIPInput(in); ok {
		if p, ok := g.zipPlace(code); ok {
			return p, nil
		}
		return peerfind.Place{}, &peerfind.PlaceError{
			Input:      s,
			Reason:     "unknown ZIP code",
			Candidates: g.nearestZIPs(code, maxCandidates),
			Err:        peerfind.ErrNotFound,
		}
	}
	if lat, lng, ok := parseCoords(in); ok {
		switch {
		case math.IsNaN(lat) || lat < -90 || lat > 90:
			return peerfind.Place{}, invalid(s, "latitude out of range (-90 to 90)")
		case math.IsNaN(lng) || lng < -180 || lng > 180:
			return peerfind.Place{}, invalid(s, "longitude out of range (-180 to 180)")
		}
		return peerfind.Place{
			Name:  fmt.Sprintf("%.4f, %.4f", lat, lng),
			Kind:  KindCoordinates,
			Point: orb.Point{lng, lat},
		}, nil
	}
	if rest, code, ok := cutTrailingZIP(in); ok {
		if p, ok := g.zipPlace(code); ok {
			return p, nil
		}
		in = rest
	}
	return g.geocodeName(s, in)
}

// geocodeName resolves in, a place name with an optional state, for the
// input s.
func (g *Gazetteer) geocodeName(s, in string) (peerfind.Place, error) {
	var segs [][]string
	for seg := range strings.SplitSeq(in, ",") {
		if t := tokens(seg); len(t) > 0 {
			segs = append(segs, t)
		}
	}
	if n := len(segs); n > 1 && isCountry(segs[n-1]) {
		segs = segs[:n-1] // "Philadelphia, PA, USA"
	}
	if n := len(segs); n > 0 {
		if last := segs[n-1]; len(last) > 1 && last[len(last)-1] == "usa" {
			segs[n-1] = last[:len(last)-1] // "Philadelphia PA USA"
		}
	}
	if len(segs) == 0 {
		return peerfind.Place{}, invalid(s, "no place name")
	}
	if len(segs) > 1 {
		// "City, State": the first part is the city, the last the state.
		city := joinKey(expand(segs[0]))
		st, ok := g.stateOf(segs[len(segs)-1])
		isCounty := g.b != nil && countyWords(segs[0])
		if !ok {
			if isCounty {
				return peerfind.Place{}, g.unknownCounty(s, countyKeyOf(segs[0]), -1)
			}
			return peerfind.Place{}, g.unknownPlace(s, city, -1)
		}
		return g.nameIn(s, segs[0], st)
	}
	toks := segs[0]
	if st, ok := g.stateOf(toks); ok {
		return g.statePlace(st), nil
	}
	whole := joinKey(expand(toks))
	if a, ok := aliases[whole]; ok {
		if p, ok := g.cityIn(a.key, g.stateCode[a.state]); ok {
			return p, nil
		}
	}
	cityToks, st, hasState := g.splitState(toks)
	if hasState {
		if p, err := g.nameIn(s, cityToks, st); err == nil {
			return p, nil
		}
	}
	// The words may all be the city's name ("Virginia Beach"), or a
	// county's ("Travis County", "Anchorage Municipality").
	if g.b != nil && countyWords(toks) {
		if p, err, ok := g.bareCounty(s, countyKeyOf(toks)); ok {
			return p, err
		}
	}
	if p, err, ok := g.bareCity(s, whole); ok {
		return p, err
	}
	if p, err, ok := g.bareCounty(s, countyKeyOf(toks)); ok {
		return p, err
	}
	if hasState {
		return g.nameIn(s, cityToks, st)
	}
	if g.b != nil && countyWords(toks) {
		return peerfind.Place{}, g.unknownCounty(s, countyKeyOf(toks), -1)
	}
	return peerfind.Place{}, g.unknownPlace(s, whole, -1)
}

// nameIn resolves the words of a city or county name in state st: a name
// that ends like a county's ("Travis County", "Travis Co", "Orleans
// Parish") is a county first, any other a city first ("Richmond city",
// "Carson City" are cities when the gazetteer has them).
func (g *Gazetteer) nameIn(s string, words []string, st uint8) (peerfind.Place, error) {
	city, county := joinKey(expand(words)), countyKeyOf(words)
	isCounty := g.b != nil && countyWords(words)
	if isCounty {
		if p, ok := g.countyIn(county, st); ok {
			return p, nil
		}
	}
	if p, ok := g.cityIn(city, st); ok {
		return p, nil
	}
	if p, ok := g.countyIn(county, st); ok {
		return p, nil
	}
	if isCounty {
		return peerfind.Place{}, g.unknownCounty(s, county, int(st))
	}
	return peerfind.Place{}, g.unknownPlace(s, city, int(st))
}

// aliases are nicknames of big cities that neither source spells, by
// name key, each with its place's name key and lower-case state code.
var aliases = map[string]struct{ key, state string }{
	"nyc":    {"newyork", "ny"},
	"philly": {"philadelphia", "pa"},
	"sf":     {"sanfrancisco", "ca"},
}

// isCountry reports whether words name the United States.
func isCountry(words []string) bool {
	switch joinKey(words) {
	case "usa", "us", "unitedstates", "unitedstatesofamerica":
		return true
	}
	return false
}

// stateOf returns the state that words name in full, by USPS code or
// name.
func (g *Gazetteer) stateOf(words []string) (uint8, bool) {
	k := joinKey(words)
	if len(words) == 1 && len(k) == 2 {
		i, ok := g.stateCode[k]
		return i, ok
	}
	i, ok := g.stateName[k]
	return i, ok
}

// splitState splits words into a city and a trailing state code or name
// ("saint paul mn", "charleston west virginia"), preferring the longest
// state name.
func (g *Gazetteer) splitState(words []string) ([]string, uint8, bool) {
	for k := min(4, len(words)-1); k >= 1; k-- {
		if st, ok := g.stateOf(words[len(words)-k:]); ok {
			return words[:len(words)-k], st, true
		}
	}
	return nil, 0, false
}

// cityIn returns the most populous place with name key k in state st.
func (g *Gazetteer) cityIn(k string, st uint8) (peerfind.Place, bool) {
	for _, i := range g.run(k) {
		if g.places[i].state == st {
			return g.cityPlace(i), true
		}
	}
	return peerfind.Place{}, false
}

// bareCity resolves a name key without a state. ok is false when no
// place has the key; otherwise the result is the place or, when the name
// is ambiguous, an error listing the candidates.
func (g *Gazetteer) bareCity(s, k string) (p peerfind.Place, err error, ok bool) {
	run := g.run(k)
	if len(run) == 0 {
		return peerfind.Place{}, nil, false
	}
	// The most populous place in each state, most populous first.
	var best []int32
	seen := make(map[uint8]bool)
	for _, i := range run {
		if st := g.places[i].state; !seen[st] {
			seen[st] = true
			best = append(best, i)
		}
	}
	slices.SortStableFunc(best, func(a, b int32) int { return cmp.Compare(g.places[b].pop, g.places[a].pop) })
	if len(best) == 1 || uint64(g.places[best[0]].pop) >= dominance*max(1, uint64(g.places[best[1]].pop)) {
		return g.cityPlace(best[0]), nil, true
	}
	cands := make([]string, 0, maxCandidates)
	for _, i := range best[:min(len(best), maxCandidates)] {
		cands = append(cands, g.cityName(i))
	}
	return peerfind.Place{}, &peerfind.PlaceError{
		Input:      s,
		Reason:     "ambiguous: several places have this name",
		Candidates: cands,
		Err:        peerfind.ErrNotFound,
	}, true
}

// unknownPlace is the error for a name key that matched nothing, with
// the closest names as candidates: within state st first when st >= 0,
// then anywhere.
func (g *Gazetteer) unknownPlace(s, k string, st int) error {
	var cands []string
	if st >= 0 {
		cands = g.closest(k, st, maxCandidates)
	}
	if len(cands) == 0 {
		cands = g.closest(k, -1, maxCandidates)
	}
	return &peerfind.PlaceError{
		Input:      s,
		Reason:     "unknown place",
		Candidates: cands,
		Err:        peerfind.ErrNotFound,
	}
}

// closest returns up to n place names ("City, ST") whose keys are within a
// small edit distance of k or start with it, in state st unless st < 0;
// nearest first, then most populous.
func (g *Gazetteer) closest(k string, st, n int) []string {
	if k == "" {
		return nil
	}
	maxD := 1
	switch {
	case len(k) > 8:
		maxD = 3
	case len(k) > 4:
		maxD = 2
	}
	type cand struct {
		place int32
		dist  int
	}
	var (
		found []cand
		dist  distance
	)
	for _, r := range g.names {
		d := dist.between(k, r.key, maxD)
		if d > maxD {
			if len(k) < 3 || !strings.HasPrefix(r.key, k) {
				continue
			}
			d = maxD // a completion ranks with the farthest typos
		}
		for _, i := range g.order[r.start:r.end] {
			if st < 0 || int(g.places[i].state) == st {
				found = append(found, cand{i, d})
			}
		}
	}
	slices.SortFunc(found, func(a, b cand) int {
		if c := cmp.Compare(a.dist, b.dist); c != 0 {
			return c
		}
		if c := cmp.Compare(g.places[b.place].pop, g.places[a.place].pop); c != 0 {
			return c
		}
		return cmp.Compare(a.place, b.place)
	})
	var out []string
	for _, c := range found {
		name := g.cityName(c.place)
		if !slices.Contains(out, name) {
			out = append(out, name)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// cityName is a place's name as "City, ST".
func (g *Gazetteer) cityName(i int32) string {
	p := &g.places[i]
	return p.name + ", " + g.states[p.state].code
}

func (g *Gazetteer) cityPlace(i int32) peerfind.Place {
	p := &g.places[i]
	return peerfind.Place{Name: g.cityName(i), Kind: KindCity, Point: point(p.lat, p.lng),
		State: g.states[p.state].code}
}

func (g *Gazetteer) statePlace(st uint8) peerfind.Place {
	s := &g.states[st]
	return peerfind.Place{Name: s.name, Kind: KindState, Point: point(s.lat, s.lng), State: s.code, StateFIPS: s.fips}
}

// zipPlace returns the place of a ZIP code, if known.
func (g *Gazetteer) zipPlace(code uint32) (peerfind.Place, bool) {
	i, ok := slices.BinarySearchFunc(g.zips, code, func(z zipEntry, c uint32) int { return cmp.Compare(z.code, c) })
	if !ok {
		return peerfind.Place{}, false
	}
	return g.zipPlaceAt(i), true
}

func (g *Gazetteer) zipPlaceAt(i int) peerfind.Place {
	z := &g.zips[i]
	return peerfind.Place{
		Name:  fmt.Sprintf("ZIP %05d (%s, %s)", z.code, z.city, g.states[z.state].code),
		Kind:  KindZIP,
		Point: point(z.lat, z.lng),
		State: g.states[z.state].code,
		ZIP:   fmt.Sprintf("%05d", z.code),
	}
}

// nearestZIPs returns the n known ZIP codes numerically nearest to code,
// nearest first (the lower on a tie).
func (g *Gazetteer) nearestZIPs(code uint32, n int) []string {
	hi, _ := slices.BinarySearchFunc(g.zips, code, func(z zipEntry, c uint32) int { return cmp.Compare(z.code, c) })
	lo := hi - 1
	var out []string
	for len(out) < n && (lo >= 0 || hi < len(g.zips)) {
		useLo := lo >= 0 && (hi >= len(g.zips) || code-g.zips[lo].code <= g.zips[hi].code-code)
		if useLo {
			out = append(out, fmt.Sprintf("%05d", g.zips[lo].code))
			lo--
		} else {
			out = append(out, fmt.Sprintf("%05d", g.zips[hi].code))
			hi++
		}
	}
	return out
}

// point converts stored coordinates to an orb.Point. The files hold 4
// decimals (about 11 m), which rounding recovers exactly from float32.
func point(lat, lng float32) orb.Point {
	r := func(v float32) float64 { return math.Round(float64(v)*1e4) / 1e4 }
	return orb.Point{r(lng), r(lat)}
}

func invalid(s, reason string) error {
	return &peerfind.PlaceError{Input: s, Reason: reason, Err: peerfind.ErrInvalid}
}

// parseZIP parses exactly five digits.
func parseZIP(s string) (uint32, bool) {
	if len(s) != 5 {
		return 0, false
	}
	var v uint32
	for i := 0; i < 5; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint32(c-'0')
	}
	return v, true
}

// parseZIPInput parses a ZIP code as typed: "19103", "19103-1234",
// "19103 1234" or "191031234".
func parseZIPInput(s string) (uint32, bool) {
	switch len(s) {
	case 5:
		return parseZIP(s)
	case 9:
		if _, ok := parseZIP(s[5:] + "0"); !ok {
			return 0, false
		}
		return parseZIP(s[:5])
	case 10:
		if s[5] != '-' && s[5] != ' ' {
			return 0, false
		}
		if _, ok := parseZIP(s[6:] + "0"); !ok {
			return 0, false
		}
		return parseZIP(s[:5])
	}
	return 0, false
}

// cutTrailingZIP splits "City, ST 19103" into "City, ST" and the ZIP.
func cutTrailingZIP(s string) (string, uint32, bool) {
	i := strings.LastIndexAny(s, " ,")
	if i < 0 {
		return "", 0, false
	}
	code, ok := parseZIPInput(s[i+1:])
	if !ok {
		// "19103 1234" at the end: try the word before.
		j := strings.LastIndexAny(s[:i], " ,")
		if j < 0 {
			return "", 0, false
		}
		if code, ok = parseZIPInput(s[j+1:]); !ok {
			return "", 0, false
		}
		i = j
	}
	return strings.TrimRight(s[:i], " ,"), code, true
}

// parseCoords parses "lat,lng", "lat, lng" or "lat lng", optionally in
// parentheses or brackets. It reports false for anything that is not two
// plain decimal numbers.
func parseCoords(s string) (lat, lng float64, ok bool) {
	if n := len(s); n >= 2 && (s[0] == '(' && s[n-1] == ')' || s[0] == '[' && s[n-1] == ']') {
		s = strings.TrimSpace(s[1 : n-1])
	}
	var a, b string
	if strings.Count(s, ",") == 1 {
		a, b, _ = strings.Cut(s, ",")
	} else if f := strings.Fields(s); len(f) == 2 && !strings.Contains(s, ",") {
		a, b = f[0], f[1]
	} else {
		return 0, 0, false
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if !isDecimal(a) || !isDecimal(b) {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(a, 64)
	lng, err2 := strconv.ParseFloat(b, 64)
	return lat, lng, err1 == nil && err2 == nil
}

// isDecimal reports whether s is a signed decimal number such as "-121.89".
func isDecimal(s string) bool {
	s = strings.TrimLeft(s, "+-")
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1 && len(s) <= 20
}
