package main

import (
	"cmp"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/peerfind/peerfind/indexer/geocode"
)

// The source files, relative to the -shared folder.
const (
	zctaSrc       = "us-zcta-centroids/zcta_centroids.csv.gz"
	uspsSrc       = "us-zcta-centroids/zipcodes_pkg_us.csv.gz"
	simplemapsSrc = "us-places/simplemaps_uscities_basic.csv.gz"
	geonamesSrc   = "us-places/geonames_us_cities1000.csv.gz"
	statesSrc     = "us-boundaries/us_states.geojson.gz"
	countiesSrc   = "us-boundaries/us_counties.geojson.gz"
)

// sameplaceKM is how close a GeoNames place must be to a simplemaps place
// (or an already kept GeoNames place) of the same name and state to be
// taken for the same place. Same-named places in one state farther apart
// are kept as distinct places.
const samePlaceKM = 10

type state struct {
	code, name, fips string
	lat, lng         float64
}

type place struct {
	name, state, county string
	lat, lng            float64
	pop                 uint64
	tz                  string
	key                 string   // geocode.NameKey(name)
	zips                []string // simplemaps only
}

type zip struct {
	zip, city, state string
	lat, lng         float64
}

// stats counts what build did, for the log and the README.
type stats struct {
	ZCTA, USPSOnly, ZIPFilled, ZIPDropped  int
	Simplemaps, GeonamesAdded, GeonamesDup int
	GeonamesNoState, GeonamesNoCounty      int
}

// gazetteer is what build produces and write writes.
type gazetteer struct {
	states []state // by code
	places []place // by state, name, descending population
	zips   []zip   // by zip
	stats  stats
}

// build reads the sources under shared and merges them.
func build(shared string) (*gazetteer, error) {
	g := &gazetteer{}
	states, err := readStates(filepath.Join(shared, statesSrc))
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]*state)
	byFIPS := make(map[string]*state)
	for i := range states {
		byCode[states[i].code] = &states[i]
		byFIPS[states[i].fips] = &states[i]
	}
	counties, err := readCounties(filepath.Join(shared, countiesSrc))
	if err != nil {
		return nil, err
	}

	// simplemaps: every place in a known state.
	err = readCSV(filepath.Join(shared, simplemapsSrc), []string{"city", "state_id", "county_name", "lat", "lng", "population", "timezone", "zips"},
		func(f []string) error {
			if byCode[f[1]] == nil {
				return nil
			}
			lat, lng, err := latLng(f[3], f[4])
			if err != nil {
				return err
			}
			pop, err := strconv.ParseFloat(f[5], 64)
			if err != nil || pop < 0 || pop > math.MaxUint32 {
				return fmt.Errorf("bad population %q", f[5])
			}
			if f[6] == "" {
				return fmt.Errorf("%s, %s has no time zone", f[0], f[1])
			}
			g.places = append(g.places, place{
				name: clean(f[0]), state: f[1], county: clean(f[2]),
				lat: lat, lng: lng, pop: uint64(math.Round(pop)), tz: f[6],
				key: geocode.NameKey(f[0]), zips: strings.Fields(f[7]),
			})
			return nil
		})
	if err != nil {
		return nil, err
	}
	g.stats.Simplemaps = len(g.places)
	simple := g.places[:len(g.places):len(g.places)]

	// GeoNames: the places simplemaps lacks.
	byKey := make(map[string][]int) // key + "|" + state → indices in g.places
	for i, p := range g.places {
		k := p.key + "|" + p.state
		byKey[k] = append(byKey[k], i)
	}
	err = readCSV(filepath.Join(shared, geonamesSrc), []string{"name", "state", "county_fips3", "lat", "lng"},
		func(f []string) error {
			st := byCode[f[1]]
			if st == nil {
				g.stats.GeonamesNoState++
				return nil
			}
			lat, lng, err := latLng(f[3], f[4])
			if err != nil {
				return err
			}
			key := geocode.NameKey(f[0])
			k := key + "|" + f[1]
			pt := orb.Point{lng, lat}
			for _, i := range byKey[k] {
				if geo.Distance(pt, orb.Point{g.places[i].lng, g.places[i].lat}) < samePlaceKM*1000 {
					g.stats.GeonamesDup++
					return nil
				}
			}
			county := counties[st.fips+f[2]]
			if county == "" {
				g.stats.GeonamesNoCounty++
			}
			byKey[k] = append(byKey[k], len(g.places))
			g.places = append(g.places, place{
				name: clean(f[0]), state: f[1], county: county,
				lat: lat, lng: lng, key: key,
				tz: nearest(simple, lat, lng, f[1]).tz,
			})
			g.stats.GeonamesAdded++
			return nil
		})
	if err != nil {
		return nil, err
	}

	if err := g.buildZIPs(shared, byCode, simple); err != nil {
		return nil, err
	}
	g.states = centroids(states, simple)

	slices.SortFunc(g.places, func(a, b place) int {
		return cmp.Or(
			cmp.Compare(a.state, b.state),
			cmp.Compare(a.key, b.key),
			cmp.Compare(b.pop, a.pop),
			cmp.Compare(a.name, b.name),
			cmp.Compare(a.lat, b.lat),
			cmp.Compare(a.lng, b.lng),
		)
	})
	return g, nil
}

// buildZIPs reads the ZCTA centroids, fills their missing city and state
// from the places, and adds the USPS ZIPs that are not ZCTAs.
func (g *gazetteer) buildZIPs(shared string, states map[string]*state, places []place) error {
	// The most populous simplemaps place that lists each ZIP.
	owner := make(map[string]*place)
	for i := range places {
		p := &places[i]
		for _, z := range p.zips {
			if o := owner[z]; o == nil || p.pop > o.pop {
				owner[z] = p
			}
		}
	}
	seen := make(map[string]bool)
	err := readCSV(filepath.Join(shared, zctaSrc), []string{"zcta", "lat", "lng", "city", "state"}, func(f []string) error {
		z, err := newZIP(f)
		if err != nil {
			return err
		}
		if z.city == "" || z.state == "" {
			p := owner[z.zip]
			if p == nil {
				p = nearest(places, z.lat, z.lng, "")
			}
			z.city, z.state = p.name, p.state
			g.stats.ZIPFilled++
		}
		seen[z.zip] = true // a ZCTA outside the states is not taken from USPS either
		if states[z.state] == nil {
			g.stats.ZIPDropped++
			return nil
		}
		g.zips = append(g.zips, z)
		g.stats.ZCTA++
		return nil
	})
	if err != nil {
		return err
	}
	err = readCSV(filepath.Join(shared, uspsSrc), []string{"zip", "lat", "lng", "city", "state"}, func(f []string) error {
		if seen[f[0]] {
			return nil
		}
		z, err := newZIP(f)
		if err != nil {
			return err
		}
		if states[z.state] == nil || z.city == "" || z.lat == 0 && z.lng == 0 {
			g.stats.ZIPDropped++
			return nil
		}
		seen[z.zip] = true
		g.zips = append(g.zips, z)
		g.stats.USPSOnly++
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(g.zips, func(a, b zip) int { return cmp.Compare(a.zip, b.zip) })
	return nil
}

func newZIP(f []string) (zip, error) {
	if len(f[0]) != 5 || strings.Trim(f[0], "0123456789") != "" {
		return zip{}, fmt.Errorf("bad ZIP %q", f[0])
	}
	lat, lng, err := latLng(f[1], f[2])
	if err != nil {
		return zip{}, fmt.Errorf("ZIP %s: %w", f[0], err)
	}
	return zip{zip: f[0], lat: lat, lng: lng, city: clean(f[3]), state: f[4]}, nil
}

// centroids sets each state's point to the population-weighted mean of
// its places (longitudes east of 180° unwrapped, for the Aleutians), or
// the plain mean where no place has a population.
func centroids(states []state, places []place) []state {
	type sum struct{ w, lat, lng, n, plat, plng float64 }
	sums := make(map[string]*sum)
	for _, p := range places {
		s := sums[p.state]
		if s == nil {
			s = &sum{}
			sums[p.state] = s
		}
		lng := p.lng
		if lng > 0 {
			lng -= 360
		}
		w := float64(p.pop)
		s.w += w
		s.lat += w * p.lat
		s.lng += w * lng
		s.n++
		s.plat += p.lat
		s.plng += lng
	}
	out := slices.Clone(states)
	for i := range out {
		s := sums[out[i].code]
		switch {
		case s == nil:
			continue
		case s.w > 0:
			out[i].lat, out[i].lng = s.lat/s.w, s.lng/s.w
		default:
			out[i].lat, out[i].lng = s.plat/s.n, s.plng/s.n
		}
		if out[i].lng < -180 {
			out[i].lng += 360
		}
	}
	slices.SortFunc(out, func(a, b state) int { return cmp.Compare(a.code, b.code) })
	return out
}

// nearest returns the place nearest to (lat, lng) among places, in state
// st unless st is "" or has no places.
func nearest(places []place, lat, lng float64, st string) *place {
	var best *place
	bestD := math.Inf(1)
	for _, anyState := range []bool{false, true} {
		for i := range places {
			p := &places[i]
			if !anyState && st != "" && p.state != st {
				continue
			}
			if d := geo.Distance(orb.Point{lng, lat}, orb.Point{p.lng, p.lat}); d < bestD {
				best, bestD = p, d
			}
		}
		if best != nil {
			break
		}
	}
	return best
}

// readCSV calls fn with the named columns of each row of a gzipped CSV
// file.
func readCSV(path string, cols []string, fn func([]string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	r := csv.NewReader(zr)
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: header: %w", path, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	idx := make([]int, len(cols))
	for i, c := range cols {
		if idx[i] = slices.Index(header, c); idx[i] < 0 {
			return fmt.Errorf("%s: no column %q", path, c)
		}
	}
	row := make([]string, len(cols))
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for i, j := range idx {
			row[i] = strings.TrimSpace(rec[j])
		}
		if err := fn(row); err != nil {
			line, _ := r.FieldPos(0)
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
}

// readStates reads the state FIPS codes, USPS codes and names from the
// states GeoJSON (the polygons are not used).
func readStates(path string) ([]state, error) {
	var fc struct {
		Features []struct {
			Properties struct {
				FIPS string `json:"fips"`
				USPS string `json:"usps"`
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := readGzipJSON(path, &fc); err != nil {
		return nil, err
	}
	var out []state
	for _, f := range fc.Features {
		p := f.Properties
		if len(p.USPS) != 2 || len(p.FIPS) != 2 || p.Name == "" {
			return nil, fmt.Errorf("%s: bad state %+v", path, p)
		}
		out = append(out, state{code: p.USPS, name: p.Name, fips: p.FIPS})
	}
	if len(out) != 52 {
		return nil, fmt.Errorf("%s: %d states, want 52 (50, DC and PR)", path, len(out))
	}
	return out, nil
}

// readCounties maps 5-digit county FIPS codes to county names.
func readCounties(path string) (map[string]string, error) {
	var fc struct {
		Features []struct {
			Properties struct {
				FIPS string `json:"fips"`
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := readGzipJSON(path, &fc); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(fc.Features))
	for _, f := range fc.Features {
		out[f.Properties.FIPS] = clean(f.Properties.Name)
	}
	return out, nil
}

func readGzipJSON(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := json.NewDecoder(zr).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func latLng(lat, lng string) (float64, float64, error) {
	la, err := strconv.ParseFloat(lat, 64)
	if err != nil || la < -90 || la > 90 {
		return 0, 0, fmt.Errorf("bad latitude %q", lat)
	}
	lo, err := strconv.ParseFloat(lng, 64)
	if err != nil || lo < -180 || lo > 180 {
		return 0, 0, fmt.Errorf("bad longitude %q", lng)
	}
	return la, lo, nil
}

// clean collapses runs of white space, so names never hold line breaks.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
