package searchd

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"github.com/peerfind/peerfind"
)

// fuzzGeocoder is fakeGeocoder without its deliberate server faults.
type fuzzGeocoder struct{ fakeGeocoder }

func (g fuzzGeocoder) Geocode(ctx context.Context, s string) (peerfind.Place, error) {
	if s == "boom" || s == "nowhere-point" {
		return peerfind.Place{}, &peerfind.PlaceError{Input: s, Reason: "unknown place", Err: peerfind.ErrNotFound}
	}
	return g.fakeGeocoder.Geocode(ctx, s)
}

// FuzzSearchParams feeds arbitrary query strings to the search endpoint:
// it must never panic, never answer 5xx, always answer JSON, and pass the
// searcher only queries within the limits.
func FuzzSearchParams(f *testing.F) {
	for _, seed := range []string{
		"",
		"q=grief&near=95112&radius=10mi&category=self-help-group,warmline&lang=es&lang=en&page=2&per_page=5&sort=distance&ui=es",
		"near=37.3382,-121.8863&radius=.5km",
		"near=Sna+Jose",
		"categroy=warmline",
		"lang=%ff",
		"q=%",
		"q=a;b",
		"radius=1e308km&near=95112",
		"page=-0&per_page=+5",
		"sort=DISTANCE&near=19103",
		"_=123&q=%E2%80%AE",
		"cost=free,,,donation,%20&cost=",
		"near=91,200",
		"q=\x00\x01\x7f",
	} {
		f.Add(seed)
	}
	tax := testTaxonomy(f)
	fs := &fakeSearcher{services: testServices(f, tax)}
	srv := &Server{Searcher: fs, Geocoder: fuzzGeocoder{}, Taxonomy: tax}
	h := srv.Handler()
	lim := srv.limits()

	f.Fuzz(func(t *testing.T, raw string) {
		// The parser alone.
		p, err := parseSearchParams(raw, lim, tax)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.status != 400 || ae.code == "" || ae.message == "" {
				t.Fatalf("parseSearchParams(%q) error %#v is not a 400 apiError", raw, err)
			}
		} else {
			checkParams(t, raw, p, lim, tax)
		}

		// The whole handler.
		req := httptest.NewRequest("GET", "/api/v1/search", nil)
		req.URL.RawQuery = raw
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%q: status %d: %s", raw, w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%q: answer is not JSON: %q", raw, w.Body)
		}
		if w.Code != 200 {
			var e ErrorResponse
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code == "" {
				t.Fatalf("%q: status %d without the error shape: %s", raw, w.Code, w.Body)
			}
		}
	})
}

func checkParams(t *testing.T, raw string, p searchParams, lim limits, tax *peerfind.Taxonomy) {
	t.Helper()
	switch {
	case p.Page < 1 || p.Page > lim.maxPage:
		t.Fatalf("%q: page %d", raw, p.Page)
	case p.PerPage < 1 || p.PerPage > lim.maxPerPage:
		t.Fatalf("%q: per_page %d", raw, p.PerPage)
	case utf8.RuneCountInString(p.Text) > lim.maxQueryLen || !utf8.ValidString(p.Text):
		t.Fatalf("%q: text %q", raw, p.Text)
	case p.Sort != peerfind.SortRelevance && p.Sort != peerfind.SortDistance:
		t.Fatalf("%q: sort %q", raw, p.Sort)
	case p.Sort == peerfind.SortDistance && p.Near == "":
		t.Fatalf("%q: distance sort without near", raw)
	case p.UI != "en" && p.UI != "es":
		t.Fatalf("%q: ui %q", raw, p.UI)
	case p.Near != "" && p.RadiusSet && (p.RadiusKM < minRadiusKM || p.RadiusKM > maxRadiusKM || math.IsNaN(p.RadiusKM)),
		p.Near != "" && !p.RadiusSet && p.RadiusKM != 0: // 0: widen
		t.Fatalf("%q: radius %v", raw, p.RadiusKM)
	}
	for facet, ids := range p.Filters {
		if len(ids) == 0 || len(ids) > lim.maxFilterValues {
			t.Fatalf("%q: %s has %d values", raw, facet, len(ids))
		}
		for _, id := range ids {
			if tax.Term(facet, id) == nil {
				t.Fatalf("%q: %s:%s is not a term", raw, facet, id)
			}
		}
	}
}
