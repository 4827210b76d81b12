package geocode

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/simplify"

	"github.com/peerfind/peerfind"
)

// Area tokens: what the index stores for a service area given by
// reference, and what AreaTokens gives for a searcher's place. A service
// serves the searcher when the two share a token.
const (
	// TokenNationwide is the token of a nationwide area, and of every
	// searcher.
	TokenNationwide = "nationwide"
	stateTokenPfx   = "state:"
	countyTokenPfx  = "county:"
	zipTokenPfx     = "zip:"
)

// StateToken is the token of a state by FIPS code: "state:48".
func StateToken(fips string) string { return stateTokenPfx + fips }

// CountyToken is the token of a county by FIPS code: "county:48453".
func CountyToken(fips string) string { return countyTokenPfx + fips }

// ZIPToken is the token of a ZIP code: "zip:78701".
func ZIPToken(zip string) string { return zipTokenPfx + zip }

// AreaTokens returns the tokens a searcher at p is served by: always
// TokenNationwide, then the tokens of p's state, county and ZIP code, as
// far as p has them (Gazetteer.Geocode fills them).
func AreaTokens(p peerfind.Place) []string {
	out := []string{TokenNationwide}
	if p.StateFIPS != "" {
		out = append(out, StateToken(p.StateFIPS))
	}
	if p.CountyFIPS != "" {
		out = append(out, CountyToken(p.CountyFIPS))
	}
	if p.ZIP != "" {
		out = append(out, ZIPToken(p.ZIP))
	}
	return out
}

// Resolved is a service area resolved by ResolveArea.
type Resolved struct {
	// Kind is peerfind.AreaNationwide, AreaState, AreaCounty or AreaZIP;
	// empty when the area is only an Extent.
	Kind string
	// Codes are the canonical codes of Kind: state FIPS ("48"), county
	// FIPS ("48453") or ZIP codes ("78701"); empty for nationwide.
	Codes []string
	// Tokens are the index tokens of the area (TokenNationwide,
	// StateToken, ...), one per code.
	Tokens []string
	// Names are the areas as people read them: "Nationwide", "Texas",
	// "Travis County, TX", "ZIP 78701".
	Names []string
	// Extent is the area's polygon or multipolygon, simplified and
	// checked, when the area has one; it is not turned into tokens.
	Extent orb.Geometry
}

// ErrNeedState is matched by ResolveArea's error for a "statewide" area
// when neither the name nor the caller says which state.
var ErrNeedState = errors.New("statewide area without a state")

// ExtentTolerance is the Douglas-Peucker tolerance, in degrees (about
// 50 m), with which ResolveArea simplifies extents.
const ExtentTolerance = 0.0005

// MaxExtentPoints bounds the points of a simplified extent.
const MaxExtentPoints = 20000

// ResolveArea turns a service area into what the index stores. In order:
//
//   - Kind and Codes: state codes may be USPS ("TX") or FIPS ("48"); every
//     code must exist (counties and ZIP codes in the shipped data).
//   - URI with a Census code: ".../48453", "geoid=48453", "fips:48",
//     "0500000US48453" (county), "0400000US48" (state), "8600000US78701"
//     (ZIP code area); a 5-digit code is a county unless the URI says zip
//     or zcta.
//   - Extent: simplified (ExtentTolerance) and checked, returned as
//     Resolved.Extent without tokens.
//   - Name, when it is unambiguous: "Nationwide", "National", "United
//     States", "USA", "All US"; "Statewide" or "Texas statewide" (a bare
//     "statewide" is in homeState, USPS or FIPS code, which the caller
//     may take from the service's location; without one the error matches
//     ErrNeedState); a state's name or code; a county ("Travis County,
//     TX", or "Washington County" when homeState says which); a list of
//     ZIP codes ("ZIP 78701", "78701, 78702"). Several areas may be
//     separated by ";" when they are of one kind.
//
// An area that cannot be resolved returns an error matching
// peerfind.ErrNotFound (an unknown or ambiguous name, a *PlaceError with
// candidates when there are some) or peerfind.ErrInvalid (bad codes or
// extent); the caller keeps the record and treats the area as text.
func (g *Gazetteer) ResolveArea(a peerfind.ServiceArea, homeState string) (Resolved, error) {
	var r Resolved
	if a.Extent != nil {
		ext, err := cleanExtent(a.Extent.Geometry())
		if err != nil {
			return Resolved{}, fmt.Errorf("service area %q: extent: %w", clipName(a.Name), err)
		}
		r.Extent = ext
	}
	switch {
	case a.Kind != "":
		k, err := g.resolveCodes(a.Kind, a.Codes)
		if err != nil {
			return Resolved{}, fmt.Errorf("service area %q: %w", clipName(a.Name), err)
		}
		k.Extent = r.Extent
		return k, nil
	case a.URI != "":
		if kind, code, ok := uriCode(a.URI); ok {
			k, err := g.resolveCodes(kind, []string{code})
			if err == nil {
				k.Extent = r.Extent
				return k, nil
			}
			if r.Extent == nil && strings.TrimSpace(a.Name) == "" {
				return Resolved{}, fmt.Errorf("service area uri %q: %w", clipName(a.URI), err)
			}
		}
	}
	if r.Extent != nil {
		if n := strings.TrimSpace(a.Name); n != "" {
			r.Names = []string{n}
		}
		return r, nil
	}
	return g.resolveName(a.Name, homeState)
}

// resolveCodes resolves Kind and Codes.
func (g *Gazetteer) resolveCodes(kind string, codes []string) (Resolved, error) {
	r := Resolved{Kind: kind}
	if kind != peerfind.AreaNationwide && len(codes) == 0 {
		return Resolved{}, fmt.Errorf("%w: a %s area needs codes", peerfind.ErrInvalid, kind)
	}
	var bad []string
	add := func(code, token, name string) {
		if !slices.Contains(r.Codes, code) {
			r.Codes = append(r.Codes, code)
			r.Tokens = append(r.Tokens, token)
			r.Names = append(r.Names, name)
		}
	}
	switch kind {
	case peerfind.AreaNationwide:
		if len(codes) > 0 {
			return Resolved{}, fmt.Errorf("%w: a nationwide area takes no codes", peerfind.ErrInvalid)
		}
		r.Tokens, r.Names = []string{TokenNationwide}, []string{"Nationwide"}
		return r, nil
	case peerfind.AreaState:
		for _, c := range codes {
			if st, ok := g.stateByCode(strings.TrimSpace(c)); ok {
				s := &g.states[st]
				add(s.fips, StateToken(s.fips), s.name)
			} else {
				bad = append(bad, c)
			}
		}
	case peerfind.AreaCounty:
		if g.b == nil {
			return Resolved{}, fmt.Errorf("%w: county areas need the boundaries", peerfind.ErrInvalid)
		}
		for _, c := range codes {
			if co := g.b.County(strings.TrimSpace(c)); co != nil {
				add(co.FIPS, CountyToken(co.FIPS), co.Label())
			} else {
				bad = append(bad, c)
			}
		}
	case peerfind.AreaZIP:
		for _, c := range codes {
			c = strings.TrimSpace(c)
			if code, ok := parseZIPInput(c); ok {
				if _, ok := g.zipPlace(code); ok {
					z := fmt.Sprintf("%05d", code)
					add(z, ZIPToken(z), "ZIP "+z)
					continue
				}
			}
			bad = append(bad, c)
		}
	default:
		return Resolved{}, fmt.Errorf("%w: unknown area kind %q", peerfind.ErrInvalid, clipName(kind))
	}
	if len(bad) > 0 {
		return Resolved{}, fmt.Errorf("%w: unknown %s codes %q", peerfind.ErrInvalid, kind, bad[:min(len(bad), 5)])
	}
	return r, nil
}

// stateByCode returns the gazetteer state with a USPS or FIPS code.
func (g *Gazetteer) stateByCode(c string) (uint8, bool) {
	if len(c) != 2 {
		return 0, false
	}
	if i, ok := g.stateCode[strings.ToLower(c)]; ok {
		return i, true
	}
	for i := range g.states {
		if g.states[i].fips == c {
			return uint8(i), true
		}
	}
	return 0, false
}

var (
	// geoidRe matches a Census GEOID with its summary level: 040 state,
	// 050 county, 860 ZIP code tabulation area.
	geoidRe = regexp.MustCompile(`(?i)\b(040|050|860)0000US(\d{2}|\d{5})\b`)
	// uriCodeRe matches the last code of 2 or 5 digits in a URI after
	// "/", "=", ":" or "#".
	uriCodeRe = regexp.MustCompile(`[/=:#](\d{5}|\d{2})(?:[/?&#.]|$)`)
)

// uriCode finds the area code in a URI.
func uriCode(uri string) (kind, code string, ok bool) {
	if m := geoidRe.FindStringSubmatch(uri); m != nil {
		switch {
		case m[1] == "040" && len(m[2]) == 2:
			return peerfind.AreaState, m[2], true
		case m[1] == "050" && len(m[2]) == 5:
			return peerfind.AreaCounty, m[2], true
		case m[1] == "860" && len(m[2]) == 5:
			return peerfind.AreaZIP, m[2], true
		}
		return "", "", false
	}
	ms := uriCodeRe.FindAllStringSubmatch(uri, -1)
	if len(ms) == 0 {
		return "", "", false
	}
	code = ms[len(ms)-1][1]
	lower := strings.ToLower(uri)
	switch {
	case len(code) == 2:
		return peerfind.AreaState, code, true
	case strings.Contains(lower, "zip") || strings.Contains(lower, "zcta"):
		return peerfind.AreaZIP, code, true
	}
	return peerfind.AreaCounty, code, true
}

// Words of area names.
var (
	// nationWords are the keys that name the whole country, once filler
	// words are dropped.
	nationWords = map[string]bool{
		"nationwide": true, "national": true, "us": true, "usa": true, "unitedstates": true,
		"unitedstatesofamerica": true, "america": true, "countrywide": true,
	}
	// areaFiller are words dropped around the name of an area.
	areaFiller = map[string]bool{
		"all": true, "of": true, "the": true, "entire": true, "whole": true, "anywhere": true,
		"in": true, "throughout": true, "across": true, "serves": true, "serving": true, "area": true,
	}
	zipWords = map[string]bool{"zip": true, "zips": true, "zipcode": true, "zipcodes": true, "code": true, "codes": true, "and": true}
	zipRe    = regexp.MustCompile(`\b\d{5}(?:-\d{4})?\b`)
)

// resolveName resolves an area by its free-text name.
func (g *Gazetteer) resolveName(name, homeState string) (Resolved, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return Resolved{}, fmt.Errorf("%w: service area has no kind, codes, uri, extent or name", peerfind.ErrInvalid)
	case len(name) > MaxInputLen:
		return Resolved{}, fmt.Errorf("%w: service area name longer than %d bytes", peerfind.ErrInvalid, MaxInputLen)
	}
	notFound := func(reason string) error {
		return &peerfind.PlaceError{Input: name, Reason: reason, Err: peerfind.ErrNotFound}
	}
	toks := tokens(name)
	var rest []string
	statewide, allStates := false, false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t == "statewide":
			statewide = true
		case t == "state" && i+1 < len(toks) && toks[i+1] == "wide":
			statewide = true
			i++
		case t == "50" && i+1 < len(toks) && toks[i+1] == "states", t == "states" && i > 0 && toks[i-1] == "all":
			allStates = true
			if t == "50" {
				i++
			}
		case areaFiller[t]:
		default:
			rest = append(rest, t)
		}
	}
	key := joinKey(rest)
	// Nationwide.
	if nationWords[key] || allStates && key == "" || len(rest) == 2 && nationWords[rest[0]] && nationWords[rest[1]] {
		return g.resolveCodes(peerfind.AreaNationwide, nil)
	}
	// Statewide, in the state named or the caller's.
	if statewide {
		code := ""
		if len(rest) > 0 {
			if len(rest) > 1 && rest[0] == "state" {
				rest = rest[1:] // "State of Texas, statewide"
			}
			st, ok := g.stateOf(rest)
			if !ok {
				return Resolved{}, notFound("unknown state")
			}
			code = g.states[st].code
		} else if homeState != "" {
			code = homeState
		} else {
			return Resolved{}, fmt.Errorf("service area %q: %w (give Kind state with its code, or the service's state)", clipName(name), ErrNeedState)
		}
		return g.resolveCodes(peerfind.AreaState, []string{code})
	}
	// A list of ZIP codes.
	if zips := zipRe.FindAllString(name, -1); len(zips) > 0 {
		left := tokens(zipRe.ReplaceAllString(name, " "))
		if !slices.ContainsFunc(left, func(w string) bool { return !zipWords[w] }) {
			return g.resolveCodes(peerfind.AreaZIP, zips)
		}
	}
	// Several areas of one kind: "Travis County, TX; Williamson County, TX".
	if strings.Contains(name, ";") {
		var all Resolved
		for part := range strings.SplitSeq(name, ";") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			r, err := g.resolveName(part, homeState)
			if err != nil {
				return Resolved{}, err
			}
			if all.Kind != "" && r.Kind != all.Kind {
				return Resolved{}, notFound("areas of several kinds in one name")
			}
			all.Kind = r.Kind
			for i, c := range r.Codes {
				if !slices.Contains(all.Codes, c) {
					all.Codes = append(all.Codes, c)
					all.Tokens = append(all.Tokens, r.Tokens[i])
					all.Names = append(all.Names, r.Names[i])
				}
			}
		}
		if all.Kind == "" {
			return Resolved{}, notFound("no area in the name")
		}
		return all, nil
	}
	// "State of Texas".
	if len(rest) >= 2 && rest[0] == "state" {
		if st, ok := g.stateOf(rest[1:]); ok {
			return g.resolveCodes(peerfind.AreaState, []string{g.states[st].code})
		}
	}
	// A state or a county, as Geocode reads them.
	p, err := g.geocode(context.Background(), name)
	var pe *peerfind.PlaceError
	if err != nil && homeState != "" && errors.As(err, &pe) && strings.HasPrefix(pe.Reason, "ambiguous") {
		// "Washington County" for a service in Arkansas.
		if p2, err2 := g.geocode(context.Background(), name+", "+homeState); err2 == nil {
			p, err = p2, nil
		}
	}
	if err != nil {
		return Resolved{}, err
	}
	switch p.Kind {
	case KindState:
		return g.resolveCodes(peerfind.AreaState, []string{p.StateFIPS})
	case KindCounty:
		return g.resolveCodes(peerfind.AreaCounty, []string{p.CountyFIPS})
	case KindZIP:
		return g.resolveCodes(peerfind.AreaZIP, []string{p.ZIP})
	}
	return Resolved{}, &peerfind.PlaceError{
		Input:  name,
		Reason: fmt.Sprintf("%s is a %s, not an area with a boundary (give its county, ZIP codes or an extent)", p.Name, p.Kind),
		Err:    peerfind.ErrNotFound,
	}
}

// cleanExtent checks a service area's geometry and simplifies it.
func cleanExtent(geom orb.Geometry) (orb.Geometry, error) {
	var mp orb.MultiPolygon
	switch v := geom.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{v}
	case orb.MultiPolygon:
		mp = v
	case nil:
		return nil, fmt.Errorf("%w: no geometry", peerfind.ErrInvalid)
	default:
		return nil, fmt.Errorf("%w: a %s, not a polygon or multipolygon", peerfind.ErrInvalid, geom.GeoJSONType())
	}
	mp = mp.Clone()
	for _, poly := range mp {
		for ri, ring := range poly {
			for _, p := range ring {
				if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p.Lon() < -180 || p.Lon() > 180 || p.Lat() < -90 || p.Lat() > 90 {
					return nil, fmt.Errorf("%w: coordinate %v out of range (GeoJSON is [lng, lat])", peerfind.ErrInvalid, p)
				}
			}
			if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
				poly[ri] = append(ring, ring[0]) // close it
			}
		}
	}
	simplify.DouglasPeucker(ExtentTolerance).Simplify(mp)
	out := mp[:0]
	points := 0
	for _, poly := range mp {
		if len(poly) == 0 || !validRing(poly[0]) {
			continue // collapsed to nothing
		}
		kept := orb.Polygon{poly[0]}
		for _, hole := range poly[1:] {
			if validRing(hole) {
				kept = append(kept, hole)
			}
		}
		for _, r := range kept {
			points += len(r)
		}
		out = append(out, kept)
	}
	switch {
	case len(out) == 0:
		return nil, fmt.Errorf("%w: the polygon has no area", peerfind.ErrInvalid)
	case points > MaxExtentPoints:
		return nil, fmt.Errorf("%w: %d points after simplification, more than %d", peerfind.ErrInvalid, points, MaxExtentPoints)
	case len(out) == 1:
		return out[0], nil
	}
	return out, nil
}

// validRing reports whether a closed ring has at least 4 points and an
// area.
func validRing(r orb.Ring) bool {
	return len(r) >= 4 && r[0] == r[len(r)-1] && planar.Area(r) != 0
}

// clipName shortens a name for an error message.
func clipName(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// ServiceAreas adapts ResolveArea to the indexer's AreaResolver: it
// returns the area with its Kind and canonical Codes (state and county
// FIPS, ZIP codes), or with its simplified Extent, keeping its name and
// description.
func (g *Gazetteer) ServiceAreas() ServiceAreaResolver { return ServiceAreaResolver{g} }

// ServiceAreaResolver resolves peerfind.ServiceArea values in place; see
// Gazetteer.ServiceAreas.
type ServiceAreaResolver struct{ g *Gazetteer }

// ResolveArea resolves a against the boundaries; homeState is the
// service's own state, for "statewide".
func (r ServiceAreaResolver) ResolveArea(a peerfind.ServiceArea, homeState string) (peerfind.ServiceArea, error) {
	res, err := r.g.ResolveArea(a, homeState)
	if err != nil {
		return a, err
	}
	out := a
	out.Kind, out.Codes = res.Kind, res.Codes
	if res.Extent != nil {
		out.Extent = geojson.NewGeometry(res.Extent)
	}
	if strings.TrimSpace(out.Name) == "" && len(res.Names) > 0 {
		out.Name = strings.Join(res.Names, "; ")
	}
	return out, nil
}
