package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer"
)

// startDaemon builds an index from the records, runs searchd on a free
// loopback port and returns its base URL. The daemon is stopped, and its
// graceful shutdown checked, when the test ends.
func startDaemon(t *testing.T, recs []*peerfind.Service) string {
	t.Helper()
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "index")
	if _, err := indexer.Build(context.Background(), dir, recs, indexer.BuildOptions{Taxonomy: tax}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-index", dir, "-addr", "127.0.0.1:0"}, pw, io.Discard)
		pw.Close()
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("searchd exited with %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("searchd did not shut down within 15s")
		}
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case line := <-lines:
		go func() {
			for range lines {
			}
		}()
		i := strings.Index(line, "http://")
		if i < 0 {
			t.Fatalf("first line %q has no URL", line)
		}
		return strings.TrimSuffix(strings.Fields(line[i:])[0], "/")
	case err := <-done:
		t.Fatalf("searchd exited early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("searchd did not start within 30s")
	}
	return ""
}

type searchAnswer struct {
	Total    int `json:"total"`
	Location *struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	} `json:"location"`
	Results []struct {
		ID         string   `json:"id"`
		Name       string   `json:"name"`
		DistanceKM *float64 `json:"distance_km"`
		Mode       string   `json:"mode"`
		SourceURL  string   `json:"source_url"`
		Languages  []struct {
			ID string `json:"id"`
		} `json:"languages"`
		Populations []struct {
			ID string `json:"id"`
		} `json:"populations"`
	} `json:"results"`
	Facets map[string]struct {
		Terms []struct {
			ID    string `json:"id"`
			Count int    `json:"count"`
		} `json:"terms"`
	} `json:"facets"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func get(t *testing.T, url string) (int, searchAnswer) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q", url, ct)
	}
	var a searchAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("%s: decode: %v", url, err)
	}
	return resp.StatusCode, a
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: decode: %v", url, err)
	}
}

func readRecords(t *testing.T, path string) []*peerfind.Service {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*peerfind.Service
	dec := json.NewDecoder(f)
	for dec.More() {
		var s peerfind.Service
		if err := dec.Decode(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, &s)
	}
	return out
}

func TestDaemonEndToEnd(t *testing.T) {
	base := startDaemon(t, readRecords(t, "../../../indexer/testdata/records.jsonl"))

	status, a := get(t, base+"/api/v1/search?near=95113&radius=15mi&sort=distance")
	if status != http.StatusOK {
		t.Fatalf("status %d: %+v", status, a.Error)
	}
	var got []string
	prev := -1.0
	remote := false
	for _, r := range a.Results {
		got = append(got, r.ID+"/"+r.Mode)
		if r.Mode != "in_person" {
			// Remote services come after the in-person ones, labelled,
			// without a distance (where they are based is not a trip).
			remote = true
			if r.DistanceKM != nil {
				t.Errorf("%s (%s): distance %v, want none", r.ID, r.Mode, *r.DistanceKM)
			}
			continue
		}
		if remote || r.DistanceKM == nil || *r.DistanceKM < prev {
			t.Errorf("%s: distance %v out of order after %v", r.ID, r.DistanceKM, prev)
		} else {
			prev = *r.DistanceKM
		}
	}
	// From the ZIP 95113 centroid: sj-1 0.7 km, sj-4 1.4 km, sj-2 2.6 km;
	// then the San Jose warmline (by phone) and the online grief circle.
	if want := "sj-1/in_person sj-4/in_person sj-2/in_person sj-3/phone on-1/online"; strings.Join(got, " ") != want {
		t.Errorf("near 95113 by distance = %v, want %s", got, want)
	}
	if a.Location == nil || a.Location.Kind != "zip" || !strings.Contains(a.Location.Name, "San Jose") {
		t.Errorf("location = %+v, want ZIP in San Jose", a.Location)
	}

	status, a = get(t, base+"/api/v1/search?q=grupo&lang=es&near=San+Jose,+CA")
	if status != http.StatusOK || a.Total != 1 || a.Results[0].ID != "sj-2" {
		t.Errorf("Spanish query: status %d, %+v", status, a)
	}

	// A rural ZIP with nothing close: never a dead end.
	var far struct {
		Location struct {
			RadiusMI float64 `json:"radius_mi"`
			Widened  bool    `json:"widened"`
			Message  string  `json:"message"`
			County   string  `json:"county"`
		} `json:"location"`
		NothingNearby *struct {
			Message string `json:"message"`
			Farther []struct {
				ID         string   `json:"id"`
				DistanceMI *float64 `json:"distance_mi"`
			} `json:"farther"`
			Remote []struct {
				ID   string `json:"id"`
				Mode string `json:"mode"`
			} `json:"remote"`
			NationalLines []struct {
				ID, Name, Phone string
			} `json:"national_lines"`
		} `json:"nothing_nearby"`
	}
	getJSON(t, base+"/api/v1/search?near=59001", &far)
	switch n := far.NothingNearby; {
	case n == nil:
		t.Fatal("near 59001 (Absarokee, MT): no nothing_nearby block")
	case !far.Location.Widened || far.Location.RadiusMI != 100 || !strings.Contains(far.Location.Message, "100 mi"):
		t.Errorf("location %+v, want widened to 100 mi and saying so", far.Location)
	case far.Location.County != "Stillwater County":
		t.Errorf("county %q, want Stillwater County", far.Location.County)
	case len(n.Farther) == 0 || n.Farther[0].DistanceMI == nil || *n.Farther[0].DistanceMI < 100:
		t.Errorf("farther %+v, want the nearest matches beyond 100 mi", n.Farther)
	case len(n.Remote) == 0 || n.Remote[0].ID != "on-1" || n.Remote[0].Mode != "online":
		t.Errorf("remote %+v, want the online grief circle", n.Remote)
	case len(n.NationalLines) == 0 || n.NationalLines[0].Phone == "":
		t.Errorf("national lines %+v, want some with phone numbers", n.NationalLines)
	case !strings.Contains(n.Message, "Nothing in person within 100 mi"):
		t.Errorf("message %q", n.Message)
	}

	for _, bad := range []string{
		"/api/v1/search?near=not+a+place+at+all",
		"/api/v1/search?near=99999",
		"/api/v1/search?lang=klingon",
		"/api/v1/search?near=95113&radius=9000mi",
		"/api/v1/search?per_page=5000",
		"/api/v1/search?q=" + strings.Repeat("x", 500),
		"/api/v1/search?sort=distance",
	} {
		status, a := get(t, base+bad)
		if status < 400 || status >= 500 || a.Error == nil || a.Error.Message == "" {
			t.Errorf("%s: status %d, error %+v; want a 4xx JSON error", bad, status, a.Error)
		}
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestShippedDataset runs the daemon over the whole shipped dataset, as
// `make run` does, and checks the searches a newcomer tries first.
func TestShippedDataset(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes the whole shipped dataset; skipped with -short")
	}
	recs, rep, err := data.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 4000 || len(rep.Skipped) > 0 {
		t.Fatalf("shipped dataset: %d records, %d skipped", len(recs), len(rep.Skipped))
	}
	base := startDaemon(t, recs)

	for _, tc := range []struct {
		name, query string
		maxKM       float64
		minTotal    int
		check       func(t *testing.T, a searchAnswer)
	}{
		{name: "support groups near a San Jose ZIP by distance",
			query: "q=support+group&near=95112&radius=10mi&sort=distance", maxKM: 16.1, minTotal: 100},
		{name: "Spanish-speaking groups near Philadelphia",
			query: "near=Philadelphia,+PA&radius=25mi&lang=es&sort=distance", maxKM: 40.3, minTotal: 5,
			check: func(t *testing.T, a searchAnswer) {
				for _, r := range a.Results {
					if !hasTerm(r.Languages, "es") {
						t.Errorf("%s lacks lang es", r.ID)
					}
				}
			}},
		{name: "women's meetings in San Jose, language and population together",
			query: "near=San+Jose,+CA&radius=15mi&population=women&lang=en&sort=distance&per_page=50", maxKM: 24.2, minTotal: 10,
			check: func(t *testing.T, a searchAnswer) {
				for _, r := range a.Results {
					if !hasTerm(r.Populations, "women") || !hasTerm(r.Languages, "en") {
						t.Errorf("%s lacks women or en", r.ID)
					}
				}
			}},
		{name: "eating disorders anywhere", query: "q=eating+disorder", minTotal: 100},
		{name: "San Mateo peer support", query: "q=peer+support&near=San+Mateo,+CA&radius=20mi", maxKM: 32.2, minTotal: 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, a := get(t, base+"/api/v1/search?"+tc.query)
			if status != http.StatusOK {
				t.Fatalf("status %d: %+v", status, a.Error)
			}
			if a.Total < tc.minTotal || len(a.Results) == 0 {
				t.Fatalf("total %d, %d results; want at least %d", a.Total, len(a.Results), tc.minTotal)
			}
			prev := 0.0
			for _, r := range a.Results {
				if tc.maxKM == 0 {
					break
				}
				if r.Mode != "in_person" {
					if r.Mode != "online" && r.Mode != "phone" {
						t.Errorf("%s: mode %q, want in_person, online or phone", r.ID, r.Mode)
					}
					continue
				}
				if r.DistanceKM == nil || *r.DistanceKM > tc.maxKM {
					t.Errorf("%s at %v km, want within %v km", r.ID, r.DistanceKM, tc.maxKM)
					continue
				}
				if strings.Contains(tc.query, "sort=distance") && *r.DistanceKM < prev {
					t.Errorf("%s at %.1f km after %.1f km", r.ID, *r.DistanceKM, prev)
				}
				prev = *r.DistanceKM
			}
			if tc.check != nil {
				tc.check(t, a)
			}
			// Every facet's counts describe the same result set: a term
			// that every result must carry counts the total.
			for _, f := range []string{"lang", "population"} {
				for _, v := range queryValues(tc.query, f) {
					if got := facetCount(a, f, v); got != a.Total {
						t.Errorf("facet %s=%s counts %d, total is %d", f, v, got, a.Total)
					}
				}
			}
			// And filtering by a facet term gives exactly its count.
			if terms := a.Facets["category"].Terms; len(terms) > 0 {
				top := terms[0]
				_, b := get(t, base+"/api/v1/search?"+tc.query+"&category="+top.ID)
				if b.Total != top.Count {
					t.Errorf("category=%s gives %d results, facet said %d", top.ID, b.Total, top.Count)
				}
			}
		})
	}
}

func hasTerm(terms []struct {
	ID string `json:"id"`
}, id string) bool {
	for _, t := range terms {
		if t.ID == id {
			return true
		}
	}
	return false
}

func facetCount(a searchAnswer, facet, id string) int {
	for _, t := range a.Facets[facet].Terms {
		if t.ID == id {
			return t.Count
		}
	}
	return 0
}

func queryValues(q, name string) []string {
	var out []string
	for _, kv := range strings.Split(q, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			out = append(out, v)
		}
	}
	return out
}

func TestCrisisBlockFirst(t *testing.T) {
	base := startDaemon(t, readRecords(t, "../../../indexer/testdata/records.jsonl"))
	for _, tc := range []struct {
		query      string
		wantStatus int
		wantLang   string // "" = no crisis block
	}{
		{"q=suicide", 200, "en"},
		{"q=I+want+to+kill+myself&near=95113", 200, "en"},
		{"q=quiero+morir", 200, "es"},
		{"q=no+quiero+vivir&ui=en", 200, "es"},
		{"q=crisis&ui=es", 200, "es"},
		{"q=suicide+loss+survivors+group", 200, "en"}, // shown gently
		{"q=grief", 200, ""},
		// The crisis lines come even when another parameter is wrong.
		{"q=overdose&near=99999", 400, "en"},
		{"q=suicide&categroy=warmline", 400, "en"},
	} {
		resp, err := http.Get(base + "/api/v1/search?" + tc.query)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.wantStatus {
			t.Errorf("%s: status %d, want %d", tc.query, resp.StatusCode, tc.wantStatus)
		}
		var a struct {
			Crisis *struct {
				Lang  string `json:"lang"`
				Title string `json:"title"`
				Lines []struct {
					Phone string `json:"phone"`
				} `json:"lines"`
			} `json:"crisis"`
		}
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if tc.wantLang == "" {
			if a.Crisis != nil {
				t.Errorf("%s: unexpected crisis block %+v", tc.query, a.Crisis)
			}
			continue
		}
		if a.Crisis == nil || a.Crisis.Lang != tc.wantLang || len(a.Crisis.Lines) == 0 || a.Crisis.Lines[0].Phone != "988" {
			t.Errorf("%s: crisis = %+v, want %s with 988", tc.query, a.Crisis, tc.wantLang)
			continue
		}
		if !strings.HasPrefix(string(body), `{"crisis":`) {
			t.Errorf("%s: crisis block is not first: %.60s", tc.query, body)
		}
	}
	// The server-rendered page shows it too, before the results.
	resp, err := http.Get(base + "/?q=quiero+morir")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	i, j := strings.Index(string(page), `class="crisis"`), strings.Index(string(page), "988")
	if i < 0 || j < i {
		t.Errorf("search page lacks the crisis block with 988 (crisis at %d, 988 at %d)", i, j)
	}
}
