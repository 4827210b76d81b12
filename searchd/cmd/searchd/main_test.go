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
	for _, r := range a.Results {
		got = append(got, r.ID)
		if r.DistanceKM == nil || *r.DistanceKM < prev {
			t.Errorf("%s: distance %v out of order after %v", r.ID, r.DistanceKM, prev)
		} else {
			prev = *r.DistanceKM
		}
	}
	// From the ZIP 95113 centroid: sj-1 0.7 km, sj-4 1.4 km, sj-2 2.6 km, sj-3 6 km.
	if want := "sj-1 sj-4 sj-2 sj-3"; strings.Join(got, " ") != want {
		t.Errorf("near 95113 by distance = %v, want %s", got, want)
	}
	if a.Location == nil || a.Location.Kind != "zip" || !strings.Contains(a.Location.Name, "San Jose") {
		t.Errorf("location = %+v, want ZIP in San Jose", a.Location)
	}

	status, a = get(t, base+"/api/v1/search?q=grupo&lang=es&near=San+Jose,+CA")
	if status != http.StatusOK || a.Total != 1 || a.Results[0].ID != "sj-2" {
		t.Errorf("Spanish query: status %d, %+v", status, a)
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
