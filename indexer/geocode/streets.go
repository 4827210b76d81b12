package geocode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/peerfind/peerfind"
)

// KindAddress is the kind of a place a street geocoder resolved.
const KindAddress = "address"

// Streets is an optional geocoder for street addresses ("1600 Main St,
// Austin TX"), which the offline gazetteer cannot place. It asks a
// Nominatim-compatible search endpoint (GET {Endpoint}?q=...&format=jsonv2
// &limit=1&countrycodes=us) that the operator runs or trusts: the address a
// searcher types is sent there, so it is off unless configured, and nothing
// else (no ZIP, city or coordinates) is ever sent.
//
// Use it through WithStreets, which keeps the gazetteer first.
type Streets struct {
	// Endpoint is the search URL, e.g. http://127.0.0.1:8088/search.
	Endpoint string
	// Client makes the requests; nil means a client with a 3 s timeout.
	Client *http.Client
	// UserAgent identifies peerfind to the service (Nominatim's usage
	// policy asks for one).
	UserAgent string
}

// maxStreetsBody bounds the answer read from the street geocoder.
const maxStreetsBody = 64 << 10

// Geocode resolves a street address to a point. Unknown addresses are a
// *peerfind.PlaceError matching ErrNotFound; a failing service is an
// error that matches neither, so the caller answers 5xx, not "unknown".
func (s *Streets) Geocode(ctx context.Context, addr string) (peerfind.Place, error) {
	u, err := url.Parse(s.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return peerfind.Place{}, fmt.Errorf("street geocoder endpoint %q is not an http(s) URL", s.Endpoint)
	}
	q := u.Query()
	q.Set("q", addr)
	q.Set("format", "jsonv2")
	q.Set("limit", "1")
	q.Set("countrycodes", "us")
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return peerfind.Place{}, fmt.Errorf("street geocoder: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if s.UserAgent != "" {
		req.Header.Set("User-Agent", s.UserAgent)
	}
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 3 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return peerfind.Place{}, fmt.Errorf("street geocoder: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return peerfind.Place{}, fmt.Errorf("street geocoder: status %d", resp.StatusCode)
	}
	var hits []struct {
		Lat         string `json:"lat"`
		Lon         string `json:"lon"`
		DisplayName string `json:"display_name"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxStreetsBody)).Decode(&hits); err != nil {
		return peerfind.Place{}, fmt.Errorf("street geocoder: decode answer: %w", err)
	}
	if len(hits) == 0 {
		return peerfind.Place{}, &peerfind.PlaceError{Input: addr, Reason: "unknown address", Err: peerfind.ErrNotFound}
	}
	lat, err1 := strconv.ParseFloat(hits[0].Lat, 64)
	lng, err2 := strconv.ParseFloat(hits[0].Lon, 64)
	if err := errors.Join(err1, err2); err != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return peerfind.Place{}, fmt.Errorf("street geocoder: bad coordinates %q,%q", hits[0].Lat, hits[0].Lon)
	}
	name := strings.TrimSpace(hits[0].DisplayName)
	if len(name) > 120 {
		name = name[:120] + "…"
	}
	return peerfind.Place{Name: name, Kind: KindAddress, Point: point(float32(lat), float32(lng))}, nil
}

// streetLike matches input that starts with a house number and a word:
// "1600 Main St", "12B Elm Street, Austin TX".
var streetLike = regexp.MustCompile(`^\d{1,6}[A-Za-z]?\s+[\p{L}]`)

// WithStreets is the gazetteer with a street geocoder behind it: input
// that looks like a street address and that the gazetteer cannot resolve
// goes to streets; everything else stays offline. The point streets
// returns gets its state, county, ZIP and time zone from the gazetteer.
type WithStreets struct {
	Gazetteer *Gazetteer
	Streets   peerfind.Geocoder
}

// Geocode implements peerfind.Geocoder.
func (w WithStreets) Geocode(ctx context.Context, s string) (peerfind.Place, error) {
	p, err := w.Gazetteer.Geocode(ctx, s)
	if err == nil || w.Streets == nil || !streetLike.MatchString(strings.TrimSpace(s)) || len(s) > MaxInputLen {
		return p, err
	}
	sp, serr := w.Streets.Geocode(ctx, s)
	if serr != nil {
		var pe *peerfind.PlaceError
		if errors.As(serr, &pe) {
			return p, err // the gazetteer's candidates help more
		}
		return peerfind.Place{}, serr
	}
	// Codes for service areas and the time zone, from the boundaries.
	at, lerr := w.Gazetteer.Geocode(ctx, fmt.Sprintf("%.6f,%.6f", sp.Point.Lat(), sp.Point.Lon()))
	if lerr == nil {
		at.Name, at.Kind, at.Point = sp.Name, KindAddress, sp.Point
		return at, nil
	}
	return sp, nil
}

// Suggest passes type-ahead to the gazetteer: addresses are never sent
// out while being typed.
func (w WithStreets) Suggest(prefix string, n int) []peerfind.Place {
	return w.Gazetteer.Suggest(prefix, n)
}
