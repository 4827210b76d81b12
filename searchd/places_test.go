package searchd

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
)

// suggestingGeocoder adds place type-ahead to the fake geocoder: 30
// numbered places of the prefix, more than any limit.
type suggestingGeocoder struct {
	fakeGeocoder
	gotPrefix string
	gotN      int
}

func (g *suggestingGeocoder) Suggest(prefix string, n int) []peerfind.Place {
	g.gotPrefix, g.gotN = prefix, n
	var out []peerfind.Place
	for i := range 30 {
		out = append(out, peerfind.Place{
			Name: fmt.Sprintf("%s %d", prefix, i), Kind: "county", Point: orb.Point{-97.75221234, 30.30051234},
			State: "TX", StateFIPS: "48", County: "Travis County", CountyFIPS: "48453",
		})
	}
	return out
}

func TestPlaces(t *testing.T) {
	var g *suggestingGeocoder
	e := newTestEnv(t, func(s *Server) {
		g = &suggestingGeocoder{}
		s.Geocoder = g
	})
	tests := []struct {
		target string
		n      int
	}{
		{"/api/v1/places?q=++travis++co", 8},
		{"/api/v1/places?q=travis+co&limit=3", 3},
		{"/api/v1/places?q=travis+co&limit=20", 20},
		{"/api/v1/places?q=travis+co&limit=1&_=12345", 1},
	}
	for _, tt := range tests {
		w := e.do("GET", tt.target, "Origin", "https://partner.example")
		if w.Code != 200 {
			t.Fatalf("%s: status %d: %s", tt.target, w.Code, w.Body)
		}
		var got PlacesResponse
		dec := json.NewDecoder(w.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.Query != "travis co" || g.gotPrefix != "travis co" || g.gotN != tt.n {
			t.Errorf("%s: query %q, geocoder got %q, %d", tt.target, got.Query, g.gotPrefix, g.gotN)
		}
		if len(got.Places) != tt.n {
			t.Errorf("%s: %d places, want %d", tt.target, len(got.Places), tt.n)
		}
		want := PlaceSuggestion{Name: "travis co 0", Kind: "county", State: "TX", County: "Travis County", Lat: 30.3005, Lng: -97.7522}
		if got.Places[0] != want {
			t.Errorf("%s: first place %+v, want %+v", tt.target, got.Places[0], want)
		}
		h := w.Header()
		if h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Cache-Control"), "max-age=") ||
			!strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("%s: headers %v", tt.target, h)
		}
	}
}

func TestPlacesEmpty(t *testing.T) {
	// No q, or a geocoder that cannot suggest: no places, not an error.
	for _, tc := range []struct {
		name   string
		target string
		geo    peerfind.Geocoder
	}{
		{"empty q", "/api/v1/places?q=", &suggestingGeocoder{}},
		{"no q", "/api/v1/places", &suggestingGeocoder{}},
		{"plain geocoder", "/api/v1/places?q=austin", fakeGeocoder{}},
		{"no geocoder", "/api/v1/places?q=austin", nil},
	} {
		e := newTestEnv(t, func(s *Server) { s.Geocoder = tc.geo })
		w := e.do("GET", tc.target)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"places":[]`) {
			t.Errorf("%s: %d %s", tc.name, w.Code, w.Body)
		}
	}
}

func TestPlacesBadParams(t *testing.T) {
	e := newTestEnv(t, func(s *Server) { s.Geocoder = &suggestingGeocoder{} })
	for _, tc := range []struct{ target, param string }{
		{"/api/v1/places?q=a&limit=0", "limit"},
		{"/api/v1/places?q=a&limit=21", "limit"},
		{"/api/v1/places?q=a&limit=abc", "limit"},
		{"/api/v1/places?q=a&limit=-3", "limit"},
		{"/api/v1/places?q=a&limit=1&limit=2", "limit"},
		{"/api/v1/places?q=a&q=b", "q"},
		{"/api/v1/places?q=" + strings.Repeat("a", 101), "q"},
		{"/api/v1/places?q=a&lmit=3", "lmit"},
	} {
		w := e.do("GET", tc.target)
		if w.Code != 400 {
			t.Errorf("%s: status %d, want 400: %s", tc.target, w.Code, w.Body)
			continue
		}
		if got := decodeError(t, w); got.Param != tc.param {
			t.Errorf("%s: param %q, want %q (%+v)", tc.target, got.Param, tc.param, got)
		}
	}
}
