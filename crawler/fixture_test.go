package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

// hit is one request a fixture server saw.
type hit struct {
	path  string
	start time.Time
	end   time.Time
	hdr   http.Header
}

// site is a fixture web site on 127.0.0.1 that logs its requests.
type site struct {
	*httptest.Server
	mu       sync.Mutex
	hits     []hit
	inFlight int
	maxIn    int
}

// newSite serves mux and records every request.
func newSite(t *testing.T, mux http.Handler) *site {
	t.Helper()
	s := &site{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.inFlight++
		s.maxIn = max(s.maxIn, s.inFlight)
		h := hit{path: r.URL.RequestURI(), start: time.Now(), hdr: r.Header.Clone()}
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
		s.mu.Lock()
		s.inFlight--
		h.end = time.Now()
		s.hits = append(s.hits, h)
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

// count returns how often path (with query) was requested.
func (s *site) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, h := range s.hits {
		if h.path == path {
			n++
		}
	}
	return n
}

// paths returns the requested paths in order of completion.
func (s *site) paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, h := range s.hits {
		out = append(out, h.path)
	}
	return out
}

// html writes an HTML page linking to links.
func html(w http.ResponseWriter, links ...string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<!doctype html><html><head><title>t</title></head><body>")
	for _, l := range links {
		fmt.Fprintf(w, "<a href=%q>link</a>\n", l)
	}
	fmt.Fprint(w, "</body></html>")
}

// feed serves the Meeting Guide fixture.
func feed(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/meetings.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func taxonomy(t *testing.T) *peerfind.Taxonomy {
	t.Helper()
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	return tax
}

// testCrawler is a fast crawler for fixture sites.
func testCrawler(t *testing.T, srcs ...Source) *Crawler {
	t.Helper()
	return &Crawler{
		Sources:      srcs,
		Taxonomy:     taxonomy(t),
		Timeout:      2 * time.Second,
		Backoff:      10 * time.Millisecond,
		MaxRetryWait: 200 * time.Millisecond,
	}
}

// crawl runs c and returns the records and summary.
func crawl(t *testing.T, c *Crawler) ([]*peerfind.Service, *Summary) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var recs []*peerfind.Service
	sum, err := c.Run(ctx, func(s *peerfind.Service) error {
		recs = append(recs, s)
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return recs, sum
}

// hasReject reports whether the summary rejects u with a reason containing
// part.
func hasReject(sum *Summary, u, part string) bool {
	for _, r := range sum.Rejects {
		if r.URL == u && strings.Contains(r.Reason, part) {
			return true
		}
	}
	return false
}

// fast is a source with a tiny delay.
func fast(name string, seeds ...string) Source {
	return Source{Name: name, Seeds: seeds, MaxDepth: 5, Delay: Duration(time.Millisecond)}
}
