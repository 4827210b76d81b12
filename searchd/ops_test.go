package searchd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerfind/peerfind"
)

// stateSearcher is a Searcher that reports an index state and can hold
// searches until released.
type stateSearcher struct {
	peerfind.Searcher
	docs  uint64
	built time.Time
	open  bool
	// hold, when set, blocks each search until it is closed; entered
	// receives a value as each search starts.
	hold    chan struct{}
	entered chan struct{}
}

func (s *stateSearcher) IndexInfo() (uint64, time.Time, bool) { return s.docs, s.built, s.open }
func (s *stateSearcher) ReloadCounts() (uint64, uint64)       { return 3, 1 }

func (s *stateSearcher) Search(ctx context.Context, q peerfind.Query) (*peerfind.Results, error) {
	if s.hold != nil {
		s.entered <- struct{}{}
		<-s.hold
	}
	return s.Searcher.Search(ctx, q)
}

// from sends a request from the client address addr.
func (e *testEnv) from(addr, method, target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	req.RemoteAddr = addr
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

func TestRateLimit(t *testing.T) {
	e := newTestEnv(t, func(s *Server) { s.Ops = &Ops{RateLimit: 0.5, RateBurst: 3} })
	const a, b = "203.0.113.77:1111", "198.51.100.9:2222"
	for i := range 3 {
		if w := e.from(a, "GET", "/api/v1/search?q=grief"); w.Code != 200 {
			t.Fatalf("request %d within the burst: %d %s", i+1, w.Code, w.Body)
		}
	}
	w := e.from(a, "GET", "/api/v1/search?q=grief")
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("request past the burst: %d, want 429", w.Code)
	}
	if eb := decodeError(t, w); eb.Code != CodeRateLimited {
		t.Errorf("code %q, want %q", eb.Code, CodeRateLimited)
	}
	if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 2 {
		t.Errorf("Retry-After %q, want 1 or 2 seconds", w.Header().Get("Retry-After"))
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"} {
		if w.Header().Get(h) == "" {
			t.Errorf("429 answer lacks %s", h)
		}
	}
	if w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Error("429 answer lacks CORS: a widget could not read it")
	}
	// Another client is not affected, nor are the probes and the widget.
	if w := e.from(b, "GET", "/api/v1/search?q=grief"); w.Code != 200 {
		t.Errorf("another client: %d", w.Code)
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/widget/v1/peerfind.js"} {
		if w := e.from(a, "GET", p); w.Code != 200 {
			t.Errorf("%s while rate limited: %d, want 200", p, w.Code)
		}
	}
	// One IPv6 /64 is one client.
	for i := range 3 {
		e.from(fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1), "GET", "/api/v1/search")
	}
	if w := e.from("[2001:db8:1:2::ff]:443", "GET", "/api/v1/search"); w.Code != http.StatusTooManyRequests {
		t.Errorf("fourth address of one /64: %d, want 429", w.Code)
	}
	// Off: no limit at all.
	off := newTestEnv(t, func(s *Server) { s.Ops = &Ops{} })
	for i := range 50 {
		if w := off.from(a, "GET", "/api/v1/search"); w.Code != 200 {
			t.Fatalf("rate limit off, request %d: %d", i, w.Code)
		}
	}
}

func TestRateLimitClientIPHeader(t *testing.T) {
	e := newTestEnv(t, func(s *Server) { s.Ops = &Ops{RateLimit: 0.5, RateBurst: 1, ClientIPHeader: "X-Forwarded-For"} })
	send := func(xff string) int {
		req := httptest.NewRequest("GET", "/api/v1/search", nil)
		req.RemoteAddr = "127.0.0.1:9999" // the proxy
		req.Header.Set("X-Forwarded-For", xff)
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, req)
		return w.Code
	}
	if c := send("10.0.0.1, 203.0.113.5"); c != 200 {
		t.Fatalf("first: %d", c)
	}
	// A client cannot pick a new key by prepending addresses: the last
	// one, which the proxy appended, counts.
	if c := send("192.0.2.99, 203.0.113.5"); c != 429 {
		t.Errorf("same last address: %d, want 429", c)
	}
	if c := send("203.0.113.6"); c != 200 {
		t.Errorf("another client behind the proxy: %d, want 200", c)
	}
}

func TestClientLimitersBounded(t *testing.T) {
	c := newClientLimiters(1, 1, 100, time.Minute)
	now := time.Now()
	for i := range 1000 {
		c.allow(uint64(i), now)
	}
	if n := c.len(); n != 100 {
		t.Errorf("table holds %d clients, want at most 100", n)
	}
	// Idle clients expire.
	c.allow(5000, now.Add(2*time.Minute))
	if n := c.len(); n != 1 {
		t.Errorf("after the TTL the table holds %d clients, want 1", n)
	}
	// The bucket refills.
	if _, ok := c.allow(5000, now.Add(2*time.Minute)); ok {
		t.Error("second request in the same instant allowed with burst 1")
	}
	if _, ok := c.allow(5000, now.Add(2*time.Minute+1100*time.Millisecond)); !ok {
		t.Error("request after the refill refused")
	}
}

func TestConcurrencyCap(t *testing.T) {
	var ss *stateSearcher
	e := newTestEnv(t, func(s *Server) {
		ss = &stateSearcher{Searcher: s.Searcher, open: true, docs: 4, hold: make(chan struct{}), entered: make(chan struct{}, 8)}
		s.Searcher = ss
		s.Ops = &Ops{MaxConcurrent: 2, QueueWait: 20 * time.Millisecond}
	})
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- e.from("203.0.113.1:1", "GET", "/api/v1/search?q=grief").Code
		}()
	}
	<-ss.entered
	<-ss.entered
	start := time.Now()
	w := e.from("203.0.113.2:1", "GET", "/api/v1/search?q=grief")
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("third request at the cap: %d (Retry-After %q), want 503 with Retry-After", w.Code, w.Header().Get("Retry-After"))
	} else if eb := decodeError(t, w); eb.Code != CodeUnavailable {
		t.Errorf("code %q", eb.Code)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the 503 took %v; it must be fast", d)
	}
	// Probes still answer at the cap.
	if w := e.from("203.0.113.2:1", "GET", "/readyz"); w.Code != 200 {
		t.Errorf("readyz at the cap: %d", w.Code)
	}
	close(ss.hold)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("held request: %d", c)
		}
	}
	if w := e.from("203.0.113.2:1", "GET", "/api/v1/search?q=grief"); w.Code != 200 {
		t.Errorf("after the cap cleared: %d", w.Code)
	}
	if w := e.from("203.0.113.2:1", "GET", "/metrics"); !strings.Contains(w.Body.String(), "peerfind_overload_rejected_total 1") {
		t.Error("metrics do not count the refused request")
	}
}

func TestBodyLimit(t *testing.T) {
	e := newTestEnv(t, func(s *Server) { s.Ops = &Ops{MaxBodyBytes: 1024} })
	req := httptest.NewRequest("GET", "/api/v1/search?q=grief", strings.NewReader(strings.Repeat("x", 4096)))
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("4 KiB body: %d, want 413", w.Code)
	}
	if eb := decodeError(t, w); eb.Code != CodeTooLarge {
		t.Errorf("code %q", eb.Code)
	}
}

func TestReadyz(t *testing.T) {
	built := time.Now().Add(-90 * time.Second)
	for _, tc := range []struct {
		name   string
		state  *stateSearcher
		status int
		want   []string
	}{
		{"open", &stateSearcher{docs: 4432, built: built, open: true}, 200, []string{`"status":"ready"`, `"documents":4432`, `"index_age_seconds":9`}},
		{"no index", &stateSearcher{}, 503, []string{`"status":"unavailable"`}},
		{"cannot tell", nil, 200, []string{`"status":"ready"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, func(s *Server) {
				if tc.state != nil {
					tc.state.Searcher = s.Searcher
					s.Searcher = tc.state
				}
			})
			w := e.do("GET", "/readyz")
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			for _, s := range tc.want {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("body %s lacks %s", w.Body, s)
				}
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	e := newTestEnv(t, func(s *Server) {
		s.Searcher = &stateSearcher{Searcher: s.Searcher, docs: 4, built: time.Now().Add(-time.Hour), open: true}
		s.Ops = &Ops{RateLimit: 100}
	})
	e.do("GET", "/api/v1/search?q=hiddenneed&near=95112")
	e.do("GET", "/api/v1/search?q=hiddenneed&near=95112")
	e.do("GET", "/api/v1/search?lang=klingon")
	e.do("GET", "/api/v1/services/svc-secret-id")
	e.do("GET", "/no/such/path/secretpath")
	e.do("OPTIONS", "/api/v1/search", "Origin", "https://partner.example", "Access-Control-Request-Method", "GET")
	w := e.do("GET", "/metrics", "Origin", "https://partner.example")
	if w.Code != 200 {
		t.Fatalf("/metrics: %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{
		`peerfind_http_requests_total{code="200",method="GET",route="/api/v1/search"} 2`,
		`peerfind_http_requests_total{code="400",method="GET",route="/api/v1/search"} 1`,
		`route="/api/v1/services/{id}"`,
		`peerfind_http_requests_total{code="404",method="GET",route="(unmatched)"} 1`,
		`peerfind_http_requests_total{code="204",method="OPTIONS",route="/api/v1/search"} 1`,
		`peerfind_http_request_duration_seconds_bucket{route="/api/v1/search",le="0.1"}`,
		"peerfind_index_documents 4",
		"peerfind_index_age_seconds 3",
		`peerfind_index_reloads_total{result="ok"} 3`,
		`peerfind_index_reloads_total{result="failed"} 1`,
		"peerfind_rate_limited_total 0",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, leak := range []string{"hiddenneed", "95112", "svc-secret-id", "secretpath", "klingon", "203.0.113", "partner.example"} {
		if strings.Contains(body, leak) {
			t.Errorf("/metrics contains request data %q", leak)
		}
	}
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("/metrics has CORS (Access-Control-Allow-Origin %q): other sites must not read it", got)
	}
	// Without Ops there is no /metrics.
	if w := newTestEnv(t).do("GET", "/metrics"); w.Code != 404 {
		t.Errorf("/metrics without Ops: %d, want 404", w.Code)
	}
}

// TestLogsKeepNoQueryOrAddress searches with text and a place, through the
// rate limit, the concurrency cap, server faults and a panic, with text and
// JSON logs: the logs must show the faults but never the query, the place
// or the client's address.
func TestLogsKeepNoQueryOrAddress(t *testing.T) {
	const addr = "203.0.113.77"
	secrets := []string{"hopelessness", "Lonely", "95112", "37.3382", "San Jose", addr, "4242"}
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var log bytes.Buffer
			var h slog.Handler = slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})
			if format == "json" {
				h = slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})
			}
			var fs *fakeSearcher
			e := newTestEnv(t, func(s *Server) {
				s.Logger = slog.New(h)
				s.Ops = &Ops{RateLimit: 1, RateBurst: 8, MaxConcurrent: 4}
				fs = s.Searcher.(*fakeSearcher)
			})
			queries := []string{
				"/api/v1/search?q=hopelessness&near=95112",
				"/api/v1/search?q=Lonely+hopelessness&near=37.3382,-121.8863&radius=10mi",
				"/api/v1/search?q=hopelessness&near=San+Jose,+CA&lang=es",
				"/?q=hopelessness&near=95112",
				"/api/v1/search?q=hopelessness&near=Sna+Jose",
			}
			for _, q := range queries {
				e.from(addr+":4242", "GET", q)
			}
			// Server faults whose errors quote the query.
			fs.err = fmt.Errorf("index failure while matching %q near %q from %s", "hopelessness", "95112", addr)
			e.from(addr+":4242", "GET", queries[0])
			fs.err = nil
			fs.panicWith = "panic on Lonely hopelessness near 95112"
			e.from(addr+":4242", "GET", queries[1])
			fs.panicWith = nil
			// Past the rate limit.
			for range 10 {
				e.from(addr+":4242", "GET", queries[0])
			}
			e.srv.Logger.Info("end of test") // the capture works
			out := log.String()
			if !strings.Contains(out, "end of test") || !strings.Contains(out, "request failed") || !strings.Contains(out, "panic") {
				t.Fatalf("the log lacks the expected entries:\n%s", out)
			}
			for _, s := range secrets {
				if strings.Contains(strings.ToLower(out), strings.ToLower(s)) {
					t.Errorf("the log contains %q:\n%s", s, out)
				}
			}
		})
	}
}

// TestMetricsScrapeRace scrapes while requests run (go test -race).
func TestMetricsScrapeRace(t *testing.T) {
	e := newTestEnv(t, func(s *Server) { s.Ops = &Ops{RateLimit: 1000, MaxConcurrent: 8} })
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				path := "/api/v1/search?q=grief"
				if j%10 == 0 {
					path = "/metrics"
				}
				w := e.from(fmt.Sprintf("192.0.2.%d:1", i), "GET", path)
				io.Copy(io.Discard, w.Body)
			}
		}()
	}
	wg.Wait()
}
