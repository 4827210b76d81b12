package crawler

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
)

func TestIncrementalRecrawl(t *testing.T) {
	full := feed(t)
	var all []map[string]any
	if err := json.Unmarshal(full, &all); err != nil {
		t.Fatal(err)
	}
	less, _ := json.Marshal(all[:1:1]) // only the first meeting
	less = append(less[:len(less)-1], append([]byte(","), mustJSON(t, all[2])...)...)
	less = append(less, ']')

	var mu sync.Mutex
	body, etag := full, `"v1"`
	const modified = "Mon, 02 Nov 2026 10:00:00 GMT"
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Last-Modified", modified)
		if r.Header.Get("If-Modified-Since") == modified {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		html(w, "/feed.json")
	})
	mux.HandleFunc("/feed.json", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b, e := body, etag
		mu.Unlock()
		w.Header().Set("ETag", e)
		if r.Header.Get("If-None-Match") == e {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
	s := newSite(t, mux)
	statePath := filepath.Join(t.TempDir(), "state.json")
	base := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	runAt := func(days int) ([]*peerfind.Service, *Summary) {
		c := testCrawler(t, fast("AA Incremental", s.URL+"/"))
		c.StatePath = statePath
		c.Now = func() time.Time { return base.Add(time.Duration(days) * 24 * time.Hour) }
		recs, sum := crawl(t, c)
		sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
		return recs, sum
	}

	first, sum := runAt(0)
	if len(first) != 3 || sum.NotModified != 0 {
		t.Fatalf("first run: %d records, %d not modified; %s", len(first), sum.NotModified, sum)
	}
	second, sum := runAt(0)
	if sum.NotModified != 2 {
		t.Errorf("second run: %d not modified, want 2 (page and feed)", sum.NotModified)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("second run records differ (-first +second):\n%s", diff)
	}

	mu.Lock()
	body, etag = less, `"v2"`
	mu.Unlock()
	third, sum := runAt(1) // within the grace period: kept as it was
	if len(third) != 3 || sum.CarriedOver != 1 || statusCount(third, "inactive") != 0 {
		t.Errorf("run within grace: %d records, carried over %d, %d inactive", len(third), sum.CarriedOver, statusCount(third, "inactive"))
	}
	fourth, sum := runAt(15) // past 14 days: withdrawn
	if len(fourth) != 3 || sum.Withdrawn != 1 || statusCount(fourth, "inactive") != 1 {
		t.Fatalf("run after grace: %d records, withdrawn %d, %d inactive", len(fourth), sum.Withdrawn, statusCount(fourth, "inactive"))
	}
	for _, r := range fourth {
		if r.Status == "inactive" && r.Name != "Women in Recovery" {
			t.Errorf("wrong record withdrawn: %s", r.Name)
		}
	}
	fifth, sum := runAt(200) // long gone: dropped
	if len(fifth) != 2 || sum.Dropped != 1 {
		t.Errorf("run much later: %d records, dropped %d", len(fifth), sum.Dropped)
	}
}

func statusCount(recs []*peerfind.Service, status string) int {
	n := 0
	for _, r := range recs {
		if r.Status == status {
			n++
		}
	}
	return n
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b)
}

func TestBadPagesDoNotStopTheCrawl(t *testing.T) {
	body := feed(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) { html(w, "/broken.json", "/missing", "/feed.json") })
	mux.HandleFunc("/broken.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[{"name": "x", "day": 1, "time": `))
	})
	mux.HandleFunc("/feed.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	s := newSite(t, mux)
	src := fast("AA Broken", s.URL+"/")
	recs, sum := crawl(t, testCrawler(t, src))
	if len(recs) != 3 {
		t.Errorf("%d records, want 3", len(recs))
	}
	if sum.Errors["http 404"] != 1 || !hasReject(sum, s.URL+"/missing", "404") {
		t.Errorf("errors %v", sum.Errors)
	}
	found := false
	for _, r := range sum.Rejects {
		found = found || r.URL == s.URL+"/broken.json"
	}
	if !found {
		t.Errorf("broken feed not rejected: %+v", sum.Rejects)
	}
}

func TestDuplicatesAcrossSourcesMerged(t *testing.T) {
	body := feed(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/a.json", func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	mux.HandleFunc("/b.json", func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	s := newSite(t, mux)
	a, b := fast("AA Alpha", s.URL+"/a.json"), fast("AA Beta", s.URL+"/b.json")
	a.Kind, b.Kind = "meeting-guide", "meeting-guide"
	recs, sum := crawl(t, testCrawler(t, a, b))
	// Two in-person groups are the same in both feeds; the online one has
	// no place, so it is not merged.
	if len(recs) != 4 || sum.DuplicatesMerged != 2 {
		t.Errorf("%d records, %d merged; want 4, 2: %v", len(recs), sum.DuplicatesMerged, sum.Records)
	}
	// The merged records keep both sources' provenance.
	merged := 0
	for _, r := range recs {
		if len(r.OtherSources) == 0 {
			continue
		}
		merged++
		// Whichever feed was fetched first keeps the record.
		names := r.Provenance.SourceName + "+" + r.OtherSources[0].SourceName
		if len(r.OtherSources) != 1 || (names != "AA Alpha+AA Beta" && names != "AA Beta+AA Alpha") ||
			r.OtherSources[0].SourceURL == "" {
			t.Errorf("%s: provenance %+v, other sources %+v", r.ID, r.Provenance, r.OtherSources)
		}
	}
	if merged != 2 {
		t.Errorf("%d records carry other sources, want 2", merged)
	}
}

// fakeGeocoder knows one ZIP.
type fakeGeocoder struct{}

func (fakeGeocoder) Geocode(_ context.Context, s string) (peerfind.Place, error) {
	if s == "95112" {
		return peerfind.Place{Name: "ZIP 95112 (San Jose, CA)", Kind: "zip", Point: orb.Point{-121.88, 37.34}}, nil
	}
	return peerfind.Place{}, &peerfind.PlaceError{Input: s, Reason: "unknown", Err: peerfind.ErrNotFound}
}

func TestMissingCoordinatesGeocoded(t *testing.T) {
	c := testCrawler(t)
	c.Geocoder = fakeGeocoder{}
	r := &run{c: c, ctx: context.Background(), sum: &Summary{}}
	rec := &peerfind.Service{Locations: []peerfind.Location{
		{Address: peerfind.Address{Address1: "1 Main St", City: "San Jose", StateProvince: "CA", PostalCode: "95112"}},
		{Address: peerfind.Address{City: "Nowhere", StateProvince: "ZZ", PostalCode: "00000"}},
		{Address: peerfind.Address{City: "Edmonton", StateProvince: "AB", Country: "CA"}},
	}}
	r.geocode(rec)
	p, ok := rec.Locations[0].Point()
	if !ok || p.Lat() != 37.34 || !rec.Locations[0].Approximate || !strings.Contains(rec.Locations[0].GeocodedFrom, "ZIP 95112") {
		t.Errorf("location 0 = %+v", rec.Locations[0])
	}
	for _, i := range []int{1, 2} {
		if _, ok := rec.Locations[i].Point(); ok {
			t.Errorf("location %d got a point: %+v", i, rec.Locations[i])
		}
	}
	if r.sum.Geocoded != 1 {
		t.Errorf("Geocoded = %d, want 1", r.sum.Geocoded)
	}
}
