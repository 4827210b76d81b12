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
	for _, s := range []string{"95112", "San Jose, CA", "37.33,-121.89", "PA", "Sna Jsoe"} {
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
