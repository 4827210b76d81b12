package searchd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

var update = flag.Bool("update", false, "update golden files")

// TestGolden checks whole answers against testdata/*.golden.json. Run
// `go test ./searchd -update` to rewrite them after a deliberate change.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target string
		status int
	}{
		{"search_near", "/api/v1/search?near=95112&radius=10mi", 200},
		{"search_state", "/api/v1/search?near=CA&q=peer&per_page=1", 200},
		{"search_text_filters", "/api/v1/search?q=group&category=self-help-group,internet-support-group&lang=en", 200},
		{"search_es", "/api/v1/search?near=95112&ui=es&cost=free&per_page=2", 200},
		{"search_empty", "/api/v1/search?q=nothing+matches+this&population=veterans", 200},
		{"search_all_page2", "/api/v1/search?per_page=4&page=2", 200},
		{"service", "/api/v1/services/sj-womens-serenity", 200},
		{"service_es", "/api/v1/services/sf-peer-respite?ui=es", 200},
		{"error_unknown_location", "/api/v1/search?near=Sna+Jose", 400},
		{"error_unknown_value", "/api/v1/search?lang=klingon", 400},
		{"error_unknown_parameter", "/api/v1/search?categroy=warmline", 400},
		{"error_not_found", "/api/v1/services/no-such-service", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, func(s *Server) { s.PlaceAttribution = "Place data: test gazetteer, CC0" })
			w := e.do("GET", tc.target)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			var got bytes.Buffer
			if err := json.Indent(&got, w.Body.Bytes(), "", "  "); err != nil {
				t.Fatalf("answer is not JSON: %v\n%s", err, w.Body)
			}
			got.WriteByte('\n')
			path := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./searchd -update)", err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// TestErrors checks that every bad request gets a 4xx with the JSON error
// shape, the right code and parameter, and the error headers.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, method, target string
		status               int
		code, param          string
		candidates           []string
	}{
		{"unknown parameter", "GET", "/api/v1/search?categroy=warmline", 400, CodeUnknownParameter, "categroy", []string{"category"}},
		{"unknown filter value", "GET", "/api/v1/search?category=warmlin", 400, CodeInvalidParameter, "category", []string{"warmline", "self-help-group", "internet-support-group", "peer-respite", "drop-in-center"}},
		{"per_page too large", "GET", "/api/v1/search?per_page=500", 400, CodeInvalidParameter, "per_page", nil},
		{"overlong q", "GET", "/api/v1/search?q=" + strings.Repeat("a", 201), 400, CodeInvalidParameter, "q", nil},
		{"bad radius", "GET", "/api/v1/search?near=95112&radius=1000km", 400, CodeInvalidParameter, "radius", nil},
		{"distance without near", "GET", "/api/v1/search?sort=distance", 400, CodeInvalidParameter, "sort", nil},
		{"near unknown, candidates", "GET", "/api/v1/search?near=Sna%20Jose", 400, CodeUnknownLocation, "near", []string{"San Jose, CA", "San Juan, PR"}},
		{"near unknown, no candidates", "GET", "/api/v1/search?near=99999", 400, CodeUnknownLocation, "near", []string{}},
		{"near malformed", "GET", "/api/v1/search?near=91,200", 400, CodeInvalidParameter, "near", nil},
		{"malformed query", "GET", "/api/v1/search?q=%", 400, CodeInvalidParameter, "", nil},
		{"service id garbage", "GET", "/api/v1/services/..%20hello", 400, CodeInvalidParameter, "id", nil},
		{"service id too long", "GET", "/api/v1/services/" + strings.Repeat("a", 201), 400, CodeInvalidParameter, "id", nil},
		{"service unknown parameter", "GET", "/api/v1/services/vet-drop-in?q=x", 400, CodeUnknownParameter, "q", nil},
		{"service bad ui", "GET", "/api/v1/services/vet-drop-in?ui=de", 400, CodeInvalidParameter, "ui", nil},
		{"service not found", "GET", "/api/v1/services/nope", 404, CodeNotFound, "", nil},
		{"no route", "GET", "/nope", 404, CodeNotFound, "", nil},
		{"no route under api", "GET", "/api/v2/search", 404, CodeNotFound, "", nil},
		{"trailing slash", "GET", "/api/v1/search/", 404, CodeNotFound, "", nil},
		{"unclean path", "GET", "//api/v1/search", 404, CodeNotFound, "", nil},
		{"services without id", "GET", "/api/v1/services/", 404, CodeNotFound, "", nil},
		{"post search", "POST", "/api/v1/search", 405, CodeMethodNotAllowed, "", nil},
		{"delete service", "DELETE", "/api/v1/services/vet-drop-in", 405, CodeMethodNotAllowed, "", nil},
		{"put healthz", "PUT", "/healthz", 405, CodeMethodNotAllowed, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			w := e.do(tc.method, tc.target)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			checkJSONHeaders(t, w.Header())
			if got := w.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			if tc.status == 405 {
				if got := w.Header().Get("Allow"); got != "GET, HEAD, OPTIONS" {
					t.Errorf("Allow = %q", got)
				}
			}
			got := decodeError(t, w)
			if got.Code != tc.code || got.Param != tc.param {
				t.Errorf("got code %q param %q, want %q %q (%s)", got.Code, got.Param, tc.code, tc.param, got.Message)
			}
			if tc.candidates != nil {
				if diff := cmp.Diff(tc.candidates, got.Candidates); diff != "" {
					t.Errorf("candidates (-want +got):\n%s", diff)
				}
			}
			if e.log.Len() > 0 {
				t.Errorf("a 4xx was logged: %s", e.log)
			}
		})
	}
}

func TestUnknownLocationHasEmptyCandidates(t *testing.T) {
	e := newTestEnv(t)
	w := e.do("GET", "/api/v1/search?near=99999")
	if !strings.Contains(w.Body.String(), `"candidates":[]`) {
		t.Errorf("unknown_location without candidates must still carry an empty array: %s", w.Body)
	}
}

func checkJSONHeaders(t *testing.T, h http.Header) {
	t.Helper()
	for k, want := range map[string]string{
		"Content-Type":           "application/json; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestSearchHeaders(t *testing.T) {
	e := newTestEnv(t)
	w := e.do("GET", "/api/v1/search?q=group")
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	checkJSONHeaders(t, w.Header())
	for k, want := range map[string]string{
		"Cache-Control":               "public, max-age=60",
		"Access-Control-Allow-Origin": "*",
	} {
		if got := w.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}

	w = e.do("GET", "/healthz")
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"status":"ok"}` {
		t.Errorf("healthz: %d %s", w.Code, w.Body)
	}
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("healthz has CORS header %q; CORS is for /api/ only", got)
	}

	w = e.do("HEAD", "/api/v1/search?q=group")
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "0" {
		t.Errorf("HEAD: %d, body %d bytes, Content-Length %q", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
	}
}

// TestNoRawHTML checks that markup in the data reaches the client as
// escaped JSON text only.
func TestNoRawHTML(t *testing.T) {
	e := newTestEnv(t)
	w := e.do("GET", "/api/v1/search?q=anxiety&near=19103")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	body := w.Body.String()
	if strings.ContainsAny(body, "<>") || strings.Contains(body, "&") {
		t.Errorf("answer contains raw <, > or &: %s", body)
	}
	if !strings.Contains(body, `\u003cscript\u003e`) {
		t.Errorf("escaped markup not found: %s", body)
	}
}

func TestFacetLabelsSpanish(t *testing.T) {
	e := newTestEnv(t)
	w := e.do("GET", "/api/v1/search?ui=es&category=warmline")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var resp SearchResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range resp.Facets {
		ids = append(ids, f.ID)
	}
	if diff := cmp.Diff(peerfind.Facets, ids); diff != "" {
		t.Errorf("facet order (-want +got):\n%s", diff)
	}
	labels := map[string]string{}
	for _, f := range resp.Facets {
		labels[f.ID] = f.Label
		for _, term := range f.Terms {
			labels[f.ID+":"+term.ID] = term.Label
			if term.ID == "warmline" && !term.Selected {
				t.Errorf("category:warmline not selected")
			}
		}
	}
	for k, want := range map[string]string{
		"category":              "Categoría",
		"category:warmline":     "Línea cálida",
		"attendance":            "Modalidad",
		"attendance:phone":      "Por teléfono",
		"lang:es":               "Español",
		"lang:en":               "Inglés",
		"support:emotional":     "Apoyo emocional",
		"cost":                  "Costo",
		"cost:free":             "Gratis",
		"condition:anxiety":     "Ansiedad",
		"population":            "Población y cultura",
		"condition":             "Condición",
		"support:informational": "Apoyo informativo",
	} {
		if got := labels[k]; got != want {
			t.Errorf("label of %s = %q, want %q", k, got, want)
		}
	}
	if len(resp.Results) != 1 || resp.Results[0].Categories[0].Label != "Línea cálida" {
		t.Fatalf("results: %+v", resp.Results)
	}
	if got, want := resp.Results[0].Schedule, "todos los días 0:00–23:59"; got != want {
		t.Errorf("schedule = %q, want %q", got, want)
	}
}

// TestSelectedTermWithoutMatches checks that a selected term stays in its
// facet with a count of 0, so the client can clear it.
func TestSelectedTermWithoutMatches(t *testing.T) {
	e := newTestEnv(t)
	w := e.do("GET", "/api/v1/search?population=veterans&lang=fr")
	var resp SearchResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Total != 0 {
		t.Fatalf("total %d, want 0", resp.Total)
	}
	for _, f := range resp.Facets {
		if f.ID == "lang" {
			want := []FacetTerm{{ID: "fr", Label: "French", Count: 0, Selected: true}}
			if diff := cmp.Diff(want, f.Terms); diff != "" {
				t.Errorf("lang facet (-want +got):\n%s", diff)
			}
		}
	}
}

func TestPaging(t *testing.T) {
	e := newTestEnv(t)
	for _, tc := range []struct {
		target         string
		n, pages, page int
		total          uint64
	}{
		{"/api/v1/search?per_page=4", 4, 2, 1, 6},
		{"/api/v1/search?per_page=4&page=2", 2, 2, 2, 6},
		{"/api/v1/search?per_page=4&page=3", 0, 2, 3, 6},
		{"/api/v1/search?per_page=1&page=100", 0, 6, 100, 6},
	} {
		w := e.do("GET", tc.target)
		var resp SearchResponse
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		if len(resp.Results) != tc.n || resp.TotalPages != tc.pages || resp.Page != tc.page || resp.Total != tc.total || resp.Results == nil {
			t.Errorf("%s: %d results, %d pages, page %d, total %d; want %d, %d, %d, %d",
				tc.target, len(resp.Results), resp.TotalPages, resp.Page, resp.Total, tc.n, tc.pages, tc.page, tc.total)
		}
	}
	// total_pages is capped by MaxPage.
	e = newTestEnv(t, func(s *Server) { s.MaxPage = 3 })
	var resp SearchResponse
	json.Unmarshal(e.do("GET", "/api/v1/search?per_page=1").Body.Bytes(), &resp)
	if resp.TotalPages != 3 {
		t.Errorf("total_pages = %d, want 3 (MaxPage)", resp.TotalPages)
	}
}

func TestCORS(t *testing.T) {
	preflight := []string{"Origin", "https://partner.example", "Access-Control-Request-Method", "GET"}
	t.Run("preflight any origin", func(t *testing.T) {
		e := newTestEnv(t)
		for _, target := range []string{"/api/v1/search?q=x", "/api/v1/services/vet-drop-in", "/api/v1/nothing-here"} {
			w := e.do("OPTIONS", target, preflight...)
			if w.Code != http.StatusNoContent {
				t.Fatalf("%s: status %d, want 204", target, w.Code)
			}
			for k, want := range map[string]string{
				"Access-Control-Allow-Origin":  "*",
				"Access-Control-Allow-Methods": "GET, OPTIONS",
				"Access-Control-Max-Age":       "600",
			} {
				if got := w.Header().Get(k); got != want {
					t.Errorf("%s: %s = %q, want %q", target, k, got, want)
				}
			}
		}
		if _, called := e.searcher.last(); called {
			t.Error("a preflight reached the searcher")
		}
	})
	t.Run("errors carry CORS", func(t *testing.T) {
		e := newTestEnv(t)
		w := e.do("GET", "/api/v1/search?categroy=x", "Origin", "https://partner.example")
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("400 answer: Access-Control-Allow-Origin = %q", got)
		}
	})
	t.Run("restricted origins", func(t *testing.T) {
		e := newTestEnv(t, func(s *Server) { s.AllowedOrigins = []string{"https://partner.example", "https://other.example/"} })
		for _, tc := range []struct {
			method, origin, want string
		}{
			{"GET", "https://partner.example", "https://partner.example"},
			{"GET", "https://other.example", "https://other.example"},
			{"GET", "https://evil.example", ""},
			{"GET", "", ""},
			{"OPTIONS", "https://partner.example", "https://partner.example"},
			{"OPTIONS", "https://evil.example", ""},
		} {
			w := e.do(tc.method, "/api/v1/search", "Origin", tc.origin, "Access-Control-Request-Method", "GET")
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tc.want {
				t.Errorf("%s from %q: Access-Control-Allow-Origin = %q, want %q", tc.method, tc.origin, got, tc.want)
			}
			if got := w.Header().Get("Vary"); got != "Origin" {
				t.Errorf("%s from %q: Vary = %q, want Origin", tc.method, tc.origin, got)
			}
		}
	})
	t.Run("not outside api", func(t *testing.T) {
		e := newTestEnv(t)
		w := e.do("OPTIONS", "/healthz", preflight...)
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("OPTIONS /healthz: %d, ACAO %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
		}
	})
}

// TestServerFaults checks the 5xx answers and that their logs hold no
// query text and no client address.
func TestServerFaults(t *testing.T) {
	const secret = "my private need xyzzy"
	for _, tc := range []struct {
		name      string
		configure func(*Server)
		target    string
		status    int
		code      string
	}{
		{"searcher error quoting the query", func(s *Server) {
			s.Searcher.(*fakeSearcher).err = fmt.Errorf("bleve: query %q: disk on fire", secret)
		}, "/api/v1/search?q=" + strings.ReplaceAll(secret, " ", "+") + "&near=95112", 500, CodeInternal},
		{"panic in searcher", func(s *Server) {
			s.Searcher.(*fakeSearcher).panicWith = "cannot search " + secret
		}, "/api/v1/search?q=" + strings.ReplaceAll(secret, " ", "+"), 500, CodeInternal},
		{"runtime panic", func(s *Server) {
			s.Searcher.(*fakeSearcher).panicWith = runtimeError()
		}, "/api/v1/search?q=" + strings.ReplaceAll(secret, " ", "+"), 500, CodeInternal},
		{"geocoder failure", nil, "/api/v1/search?near=boom&q=" + strings.ReplaceAll(secret, " ", "+"), 500, CodeInternal},
		{"geocoder returns a bad point", nil, "/api/v1/search?near=nowhere-point", 500, CodeInternal},
		{"service lookup failure", func(s *Server) {
			s.Searcher.(*fakeSearcher).err = errors.New("index closed")
		}, "/api/v1/services/vet-drop-in", 500, CodeInternal},
		{"timeout", func(s *Server) {
			s.Searcher.(*fakeSearcher).err = fmt.Errorf("search: %w", context.DeadlineExceeded)
		}, "/api/v1/search?q=" + strings.ReplaceAll(secret, " ", "+"), 503, CodeUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			if tc.configure != nil {
				tc.configure(e.srv)
			}
			w := e.do("GET", tc.target, "X-Forwarded-For", "198.51.100.23")
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			checkJSONHeaders(t, w.Header())
			if got := decodeError(t, w); got.Code != tc.code {
				t.Errorf("code %q, want %q", got.Code, tc.code)
			}
			log := e.log.String()
			if testing.Verbose() {
				t.Log(log)
			}
			if log == "" {
				t.Fatal("server fault not logged")
			}
			for _, leak := range []string{secret, "xyzzy", "203.0.113.77", "198.51.100.23", "boom"} {
				if strings.Contains(log, leak) {
					t.Errorf("log contains %q: %s", leak, log)
				}
			}
		})
	}
}

func TestSearcherInvalid(t *testing.T) {
	e := newTestEnv(t)
	e.searcher.err = fmt.Errorf("query has too many clauses: %w", peerfind.ErrInvalid)
	w := e.do("GET", "/api/v1/search?q=a")
	if w.Code != 400 {
		t.Fatalf("status %d", w.Code)
	}
	if got := decodeError(t, w); got.Code != CodeInvalidParameter || !strings.Contains(got.Message, "too many clauses") {
		t.Errorf("got %+v", got)
	}
}

func TestNoGeocoder(t *testing.T) {
	e := newTestEnv(t, func(s *Server) { s.Geocoder = nil })
	w := e.do("GET", "/api/v1/search?near=95112")
	if w.Code != 400 {
		t.Fatalf("status %d", w.Code)
	}
	if got := decodeError(t, w); got.Param != "near" {
		t.Errorf("got %+v", got)
	}
}

func TestTimeoutReachesSearcher(t *testing.T) {
	e := newTestEnv(t, func(s *Server) { s.Timeout = time.Nanosecond })
	time.Sleep(time.Millisecond)
	w := e.do("GET", "/api/v1/search?q=a")
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: %s", w.Code, w.Body)
	}
}

func TestHandlerNeedsSearcherAndTaxonomy(t *testing.T) {
	for _, s := range []*Server{{Taxonomy: testTaxonomy(t)}, {Searcher: &fakeSearcher{}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Handler() with %+v did not panic", s)
				}
			}()
			s.Handler()
		}()
	}
}

// TestShippedTaxonomy runs the server on the taxonomy in data/, as
// cmd/searchd does.
func TestShippedTaxonomy(t *testing.T) {
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	fs := &fakeSearcher{services: testServices(t, tax)}
	h := (&Server{Searcher: fs, Geocoder: fakeGeocoder{}, Taxonomy: tax}).Handler()
	e := &testEnv{h: h, searcher: fs, log: &bytes.Buffer{}}
	if w := e.do("GET", "/api/v1/search?lang=es&category=self-help-group&near=95112&ui=es"); w.Code != 200 {
		t.Errorf("status %d: %s", w.Code, w.Body)
	}
	if w := e.do("GET", "/api/v1/search?lang=xx"); w.Code != 400 {
		t.Errorf("status %d: %s", w.Code, w.Body)
	}
}

// runtimeError returns the value of a real runtime panic.
func runtimeError() (v any) {
	defer func() { v = recover() }()
	var m map[string]int
	m["a"] = 1
	return nil
}

// TestOverHTTP drives the handler through a real HTTP server.
func TestOverHTTP(t *testing.T) {
	e := newTestEnv(t)
	ts := httptest.NewServer(e.h)
	defer ts.Close()

	res, err := http.Get(ts.URL + "/api/v1/search?q=peer&ui=es")
	if err != nil {
		t.Fatal(err)
	}
	var resp SearchResponse
	err = json.NewDecoder(res.Body).Decode(&resp)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || resp.Query.UI != "es" || resp.Total == 0 {
		t.Fatalf("GET: %d %v %+v", res.StatusCode, err, resp.Query)
	}

	req, _ := http.NewRequest("OPTIONS", ts.URL+"/api/v1/search?q=peer", nil)
	req.Header.Set("Origin", "https://partner.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight: %d %v", res.StatusCode, res.Header)
	}

	res, err = http.Post(ts.URL+"/api/v1/search", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 405 || res.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("POST: %d %v", res.StatusCode, res.Header)
	}
}

func TestCORSPaths(t *testing.T) {
	for p, want := range map[string]bool{
		"/api/v1/search": true, "/hsds/services": true, "/hsds": true, "/feeds/meeting-guide.json": true,
		"/openapi.json": true, "/metrics": false, "/": false, "/widget/v1/peerfind.js": false, "/services/x": false,
	} {
		if got := corsPath(p); got != want {
			t.Errorf("corsPath(%q) = %v, want %v", p, got, want)
		}
	}
}
