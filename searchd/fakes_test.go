package searchd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/peerfind/peerfind"
)

// fakeSearcher searches a fixture slice the simple way and records the
// last query it received.
type fakeSearcher struct {
	services []*peerfind.Service
	// err, when set, is returned by Search and Service.
	err error
	// panicWith, when set, makes Search panic with it.
	panicWith any

	mu      sync.Mutex
	queries []peerfind.Query
}

var _ peerfind.Searcher = (*fakeSearcher)(nil)

func (f *fakeSearcher) last() (peerfind.Query, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queries) == 0 {
		return peerfind.Query{}, false
	}
	return f.queries[len(f.queries)-1], true
}

func (f *fakeSearcher) Search(ctx context.Context, q peerfind.Query) (*peerfind.Results, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if f.panicWith != nil {
		panic(f.panicWith)
	}
	if f.err != nil {
		return nil, f.err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type match struct {
		s *peerfind.Service
		d *float64
	}
	var matches []match
	for _, s := range f.services {
		if q.Text != "" && !strings.Contains(peerfind.Fold(s.Name+" "+s.Description), peerfind.Fold(q.Text)) {
			continue
		}
		ok := true
		for facet, want := range q.Filters {
			if !slices.ContainsFunc(s.TermIDs(facet), func(id string) bool { return slices.Contains(want, id) }) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		m := match{s: s}
		if q.Near != nil {
			best := -1.0
			for _, p := range s.Points() {
				if d := geo.Distance(*q.Near, p) / 1000; best < 0 || d < best {
					best = d
				}
			}
			radius := q.RadiusKM
			if radius == 0 {
				radius = 25 * kmPerMile // the fake does not widen
			}
			if best < 0 || best > radius {
				continue
			}
			m.d = &best
		}
		matches = append(matches, m)
	}
	if q.Sort == peerfind.SortDistance {
		sort.SliceStable(matches, func(i, j int) bool { return *matches[i].d < *matches[j].d })
	}
	res := &peerfind.Results{Total: uint64(len(matches)), Facets: map[string][]peerfind.FacetCount{}}
	for _, facet := range peerfind.Facets {
		counts := map[string]int{}
		for _, m := range matches {
			for _, id := range m.s.TermIDs(facet) {
				counts[id]++
			}
		}
		for id, n := range counts {
			res.Facets[facet] = append(res.Facets[facet], peerfind.FacetCount{Term: id, Count: n})
		}
		sort.Slice(res.Facets[facet], func(i, j int) bool {
			a, b := res.Facets[facet][i], res.Facets[facet][j]
			if a.Count != b.Count {
				return a.Count > b.Count
			}
			return a.Term < b.Term
		})
	}
	start := (q.Page - 1) * q.PerPage
	for i := start; i < len(matches) && i < start+q.PerPage; i++ {
		res.Hits = append(res.Hits, peerfind.Hit{Service: matches[i].s, Score: float64(len(matches) - i), DistanceKM: matches[i].d})
	}
	return res, nil
}

func (f *fakeSearcher) Service(ctx context.Context, id string) (*peerfind.Service, error) {
	if f.err != nil {
		return nil, f.err
	}
	for _, s := range f.services {
		if s.ID == id {
			return s, nil
		}
	}
	return nil, fmt.Errorf("service %q: %w", id, peerfind.ErrNotFound)
}

// fakeGeocoder knows a few places.
type fakeGeocoder struct{}

var _ peerfind.Geocoder = fakeGeocoder{}

func (fakeGeocoder) Geocode(ctx context.Context, s string) (peerfind.Place, error) {
	switch s {
	case "95112":
		return peerfind.Place{Name: "ZIP 95112 (San Jose, CA)", Kind: "zip", Point: orb.Point{-121.8863, 37.3382}}, nil
	case "San Jose, CA":
		return peerfind.Place{Name: "San Jose, CA", Kind: "city", Point: orb.Point{-121.8863, 37.3382}}, nil
	case "19103":
		return peerfind.Place{Name: "ZIP 19103 (Philadelphia, PA)", Kind: "zip", Point: orb.Point{-75.1739, 39.9523}}, nil
	case "CA":
		return peerfind.Place{Name: "California", Kind: "state", Point: orb.Point{-119.3359, 35.356}}, nil
	case "Sna Jose":
		return peerfind.Place{}, &peerfind.PlaceError{Input: s, Reason: "unknown place", Candidates: []string{"San Jose, CA", "San Juan, PR"}, Err: peerfind.ErrNotFound}
	case "boom":
		return peerfind.Place{}, errors.New("gazetteer index corrupt while reading boom")
	case "nowhere-point":
		return peerfind.Place{Name: "Null Island", Kind: "city", Point: orb.Point{500, 500}}, nil
	}
	if lat, lng, ok := strings.Cut(s, ","); ok {
		la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		ln, err2 := strconv.ParseFloat(strings.TrimSpace(lng), 64)
		if err1 == nil && err2 == nil {
			if la < -90 || la > 90 || ln < -180 || ln > 180 {
				return peerfind.Place{}, &peerfind.PlaceError{Input: s, Reason: "coordinates out of range", Err: peerfind.ErrInvalid}
			}
			return peerfind.Place{Name: fmt.Sprintf("%.4f, %.4f", la, ln), Kind: "coordinates", Point: orb.Point{ln, la}}, nil
		}
	}
	if strings.Trim(s, "0123456789") == "" {
		return peerfind.Place{}, &peerfind.PlaceError{Input: s, Reason: "unknown ZIP code", Err: peerfind.ErrNotFound}
	}
	return peerfind.Place{}, &peerfind.PlaceError{Input: s, Reason: "unknown place", Err: peerfind.ErrNotFound}
}

// testTaxonomy loads testdata/taxonomy.json, a stable subset of the
// shipped taxonomy, so golden files do not change with data/.
func testTaxonomy(tb testing.TB) *peerfind.Taxonomy {
	tb.Helper()
	f, err := os.Open("testdata/taxonomy.json")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	tax, err := peerfind.LoadTaxonomy(f)
	if err != nil {
		tb.Fatal(err)
	}
	return tax
}

// testServices loads testdata/services.jsonl and checks each record.
func testServices(tb testing.TB, tax *peerfind.Taxonomy) []*peerfind.Service {
	tb.Helper()
	b, err := os.ReadFile("testdata/services.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	var out []*peerfind.Service
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var s peerfind.Service
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			tb.Fatal(err)
		}
		if err := s.Validate(tax); err != nil {
			tb.Fatalf("fixture %s: %v", s.ID, err)
		}
		out = append(out, &s)
	}
	return out
}

// testEnv is a server on the fixtures, with its fakes and log.
type testEnv struct {
	srv      *Server
	searcher *fakeSearcher
	log      *bytes.Buffer
	h        http.Handler
}

func newTestEnv(tb testing.TB, configure ...func(*Server)) *testEnv {
	tb.Helper()
	tax := testTaxonomy(tb)
	fs := &fakeSearcher{services: testServices(tb, tax)}
	var log bytes.Buffer
	srv := &Server{
		Searcher: fs,
		Geocoder: fakeGeocoder{},
		Taxonomy: tax,
		Logger:   slog.New(slog.NewJSONHandler(&log, nil)),
		Now:      func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
	}
	for _, c := range configure {
		c(srv)
	}
	return &testEnv{srv: srv, searcher: fs, log: &log, h: srv.Handler()}
}

// do sends a request to the handler and returns the recorded answer.
func (e *testEnv) do(method, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/", nil)
	path, rawQuery, _ := strings.Cut(target, "?")
	req.URL.Path, req.URL.RawQuery, req.RequestURI = path, rawQuery, target
	req.RemoteAddr = "203.0.113.77:4242"
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

// decodeError decodes an error answer strictly: it must have exactly the
// documented shape.
func decodeError(tb testing.TB, w *httptest.ResponseRecorder) ErrorBody {
	tb.Helper()
	var e ErrorResponse
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		tb.Fatalf("error body %q: %v", w.Body.String(), err)
	}
	if e.Error.Code == "" || e.Error.Message == "" {
		tb.Fatalf("error body without code or message: %+v", e)
	}
	return e.Error
}
