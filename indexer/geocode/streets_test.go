package geocode_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/geocode"
)

// TestWithStreets: only what looks like a street address and that the
// gazetteer cannot place goes to the street geocoder; its point gets its
// codes from the boundaries; a failing service is not "unknown place".
func TestWithStreets(t *testing.T) {
	var calls atomic.Int32
	var lastQ atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		q := r.URL.Query()
		lastQ.Store(q.Get("q"))
		if q.Get("format") != "jsonv2" || q.Get("countrycodes") != "us" || r.Header.Get("User-Agent") != "peerfind-test" {
			http.Error(w, "bad request", 400)
			return
		}
		switch {
		case strings.HasPrefix(q.Get("q"), "1100 Congress"):
			w.Write([]byte(`[{"lat":"30.2747","lon":"-97.7404","display_name":"1100 Congress Ave, Austin, Travis County, Texas, 78701"}]`))
		case strings.HasPrefix(q.Get("q"), "500 Broken"):
			http.Error(w, "down", 503)
		default:
			w.Write([]byte(`[]`))
		}
	}))
	defer srv.Close()
	g := geocode.WithStreets{Gazetteer: gazetteer(t), Streets: &geocode.Streets{Endpoint: srv.URL + "/search", UserAgent: "peerfind-test"}}
	ctx := context.Background()

	p, err := g.Geocode(ctx, "1100 Congress Ave, Austin TX")
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != geocode.KindAddress || p.CountyFIPS != "48453" || p.State != "TX" || p.Timezone != "America/Chicago" || !strings.Contains(p.Name, "Congress") {
		t.Errorf("address = %+v, want an address in Travis County, TX", p)
	}

	before := calls.Load()
	for _, offline := range []string{"78701", "Austin, TX", "30.27,-97.74", "Travis County, TX"} {
		if _, err := g.Geocode(ctx, offline); err != nil {
			t.Errorf("%q: %v", offline, err)
		}
	}
	if _, err := g.Geocode(ctx, "Nowhereville, ZZ"); err == nil {
		t.Error("unknown non-address resolved")
	}
	if got := calls.Load(); got != before {
		t.Errorf("%d requests for places the gazetteer handles or that are not addresses", got-before)
	}
	if n := len(g.Suggest("123 Main", 5)); calls.Load() != before || n < 0 {
		t.Error("type-ahead sent an address out")
	}

	_, err = g.Geocode(ctx, "42 Nowhere Lane, Austin TX")
	var pe *peerfind.PlaceError
	if !errors.As(err, &pe) || !errors.Is(err, peerfind.ErrNotFound) {
		t.Errorf("unknown address: %v, want a PlaceError matching ErrNotFound", err)
	}
	_, err = g.Geocode(ctx, "500 Broken Rd, Austin TX")
	if err == nil || errors.Is(err, peerfind.ErrNotFound) || errors.Is(err, peerfind.ErrInvalid) {
		t.Errorf("failing service: %v, want an internal error", err)
	}
}
