package geocode_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/peerfind/peerfind"
)

// FuzzGeocode feeds arbitrary near values to the geocoder: it must never
// panic, resolve only to a named place inside the world, and fail only
// with an error that is the searcher's (ErrNotFound or ErrInvalid), which
// searchd answers with a 400, never a 5xx. Seeds: testdata/fuzz/FuzzGeocode.
func FuzzGeocode(f *testing.F) {
	for _, s := range []string{"95112", "San Jose, CA", "37.33,-121.89", "PA", "Sna Jsoe", "Travis County, TX", "Washington Co", "Richmond city, VA"} {
		f.Add(s)
	}
	g := gazetteer(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := g.Geocode(context.Background(), s)
		if err != nil {
			if !errors.Is(err, peerfind.ErrNotFound) && !errors.Is(err, peerfind.ErrInvalid) {
				t.Fatalf("Geocode(%q): %v matches neither ErrNotFound nor ErrInvalid (would be a 5xx)", s, err)
			}
			var pe *peerfind.PlaceError
			if errors.As(err, &pe) {
				for _, c := range pe.Candidates {
					if !utf8.ValidString(c) {
						t.Fatalf("Geocode(%q): candidate %q is not UTF-8", s, c)
					}
				}
			}
			return
		}
		lat, lng := p.Point.Lat(), p.Point.Lon()
		if math.IsNaN(lat) || math.IsNaN(lng) || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
			t.Fatalf("Geocode(%q) = %+v: point outside the world", s, p)
		}
		if p.Name == "" || p.Kind == "" || !utf8.ValidString(p.Name) {
			t.Fatalf("Geocode(%q) = %+v: no name or kind", s, p)
		}
	})
}

// FuzzResolveArea feeds arbitrary service-area names and URIs to
// ResolveArea: it must never panic, and what it resolves must have one
// well-formed token per code.
func FuzzResolveArea(f *testing.F) {
	for _, s := range []string{"Nationwide", "Texas statewide", "Travis County, TX; Williamson County, TX", "78701, 78702", "https://x/48453", "0500000US48453"} {
		f.Add(s, "TX")
	}
	g := gazetteer(f)
	f.Fuzz(func(t *testing.T, s, home string) {
		for _, a := range []peerfind.ServiceArea{{Name: s}, {URI: s}, {Kind: "state", Codes: []string{s}}, {Kind: "zip", Codes: []string{s}}} {
			r, err := g.ResolveArea(a, home)
			if err != nil {
				continue
			}
			if len(r.Tokens) == 0 || len(r.Tokens) != len(r.Names) || r.Kind != peerfind.AreaNationwide && len(r.Codes) != len(r.Tokens) {
				t.Fatalf("ResolveArea(%+v, %q) = %+v", a, home, r)
			}
		}
	})
}
