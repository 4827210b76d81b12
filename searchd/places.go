package searchd

import (
	"math"
	"net/http"
	"strconv"

	"github.com/peerfind/peerfind"
)

// Limits of the places endpoint.
const (
	defaultPlaces     = 8
	maxPlaces         = 20
	maxPlaceQueryLen  = 100 // characters of q
	placesCacheMaxAge = "public, max-age=3600"
)

// PlaceSuggester completes a place name being typed: up to n places
// whose names start with prefix, best first, with their codes.
// geocode.Gazetteer implements it; the Server's Geocoder is used when it
// does.
type PlaceSuggester interface {
	Suggest(prefix string, n int) []peerfind.Place
}

// PlacesResponse is the answer of GET /api/v1/places.
type PlacesResponse struct {
	// Query is q as typed, with white space collapsed.
	Query string `json:"query"`
	// Places are at most limit places, best first; never null.
	Places []PlaceSuggestion `json:"places"`
}

// PlaceSuggestion is one place offered for the near parameter.
type PlaceSuggestion struct {
	// Name is what to show, and to send as near: "Austin, TX", "Travis
	// County, TX", "ZIP 78701 (Austin, TX)" (send the ZIP), "Texas".
	Name string `json:"name"`
	// Kind is "zip", "city", "county" or "state".
	Kind string `json:"kind"`
	// State is the USPS code of the state, County the county's name and
	// ZIP the place's ZIP code (given, or the nearest in its county), when
	// known.
	State  string `json:"state,omitempty"`
	County string `json:"county,omitempty"`
	ZIP    string `json:"zip,omitempty"`
	// Lat and Lng are the place's point.
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// handlePlaces handles the "GET /api/v1/places" route: type-ahead for the
// near parameter, from the offline gazetteer (states, counties, cities and
// ZIP codes). A Geocoder that is not a PlaceSuggester, or none, gives no
// places.
func (s *Server) handlePlaces(w http.ResponseWriter, r *http.Request) {
	v, err := parseRawQuery(r.URL.RawQuery, []string{"q", "limit"})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	single := singleParam(v)
	q, err := typeAheadParam(single, maxPlaceQueryLen)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limStr, err := single("limit")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit := defaultPlaces
	if limStr != "" {
		n, err := strconv.Atoi(limStr)
		if err != nil || n < 1 || n > maxPlaces {
			s.writeError(w, r, invalidParam("limit", "limit must be a whole number from 1 to %d", maxPlaces))
			return
		}
		limit = n
	}
	resp := PlacesResponse{Query: q, Places: []PlaceSuggestion{}}
	if ps, ok := s.Geocoder.(PlaceSuggester); ok && q != "" {
		list := ps.Suggest(q, limit)
		for _, p := range list[:min(len(list), limit)] {
			resp.Places = append(resp.Places, PlaceSuggestion{
				Name: p.Name, Kind: p.Kind, State: p.State, County: p.County, ZIP: p.ZIP,
				Lat: round4(p.Point.Lat()), Lng: round4(p.Point.Lon()),
			})
		}
	}
	s.writeJSON(w, r, http.StatusOK, resp, placesCacheMaxAge)
}

// round4 rounds a coordinate to 4 decimals (about 11 m).
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
