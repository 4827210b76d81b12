package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerfind/peerfind/crawler/redisfrontier"
	"github.com/peerfind/peerfind/crawler/redisfrontier/redistest"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest"
)

// asCrawler, set in the environment, makes the test binary run as
// bin/crawler: the two-process test starts it twice.
const asCrawler = "PEERFIND_TEST_RUN_AS_CRAWLER"

func TestMain(m *testing.M) {
	if os.Getenv(asCrawler) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// sharedSite serves robots.txt, an index linking to pages /p/0../p/29,
// each a JSON-LD group linking to two others, to the index and to a page
// robots.txt disallows. It counts requests per path and per process
// (told apart by User-Agent).
type sharedSite struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]map[string]int // path -> process -> requests
	byProc map[string]int            // process -> page requests
	starts []time.Time               // when each request arrived
	solo   bool                      // one process: pages never wait for another
}

const sharedPages = 30

func newSharedSite(t *testing.T) *sharedSite {
	s := &sharedSite{counts: map[string]map[string]int{}, byProc: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		s.count(r)
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		s.count(r)
		w.Header().Set("Content-Type", "text/html")
		var b strings.Builder
		b.WriteString("<html><body><h1>Groups</h1>")
		for i := 0; i < sharedPages; i++ {
			fmt.Fprintf(&b, `<a href="/p/%d">group %d</a> `, i, i)
		}
		b.WriteString(`<a href="/private/x">staff</a></body></html>`)
		fmt.Fprint(w, b.String())
	})
	mux.HandleFunc("/p/{n}", func(w http.ResponseWriter, r *http.Request) {
		proc := s.count(r)
		s.waitForOther(proc)
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>Group %[1]d</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "EventSeries",
 "name": "Shared Frontier Peer Group %[1]d",
 "description": "A peer-led support group, number %[1]d.",
 "inLanguage": "en",
 "location": {"@type": "Place", "name": "Hall %[1]d",
   "address": {"@type": "PostalAddress", "streetAddress": "%[1]d Main St", "addressLocality": "Sacramento",
     "addressRegion": "CA", "postalCode": "95814", "addressCountry": "US"},
   "geo": {"@type": "GeoCoordinates", "latitude": 38.58, "longitude": -121.49}},
 "eventSchedule": {"@type": "Schedule", "byDay": "https://schema.org/Monday", "startTime": "18:00",
   "endTime": "19:00", "repeatFrequency": "P1W", "scheduleTimezone": "America/Los_Angeles"}}
</script></head><body><h1>Group %[1]d</h1>
<a href="/p/%[2]d">next</a> <a href="/p/%[3]d?">next but one</a> <a href="/">all groups</a>
<a href="/private/x">staff</a></body></html>`, n, (n+1)%sharedPages, (n+2)%sharedPages)
	})
	mux.HandleFunc("/private/", func(w http.ResponseWriter, r *http.Request) {
		s.count(r)
		fmt.Fprint(w, "private")
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// proc tells the processes apart by their User-Agent.
func proc(r *http.Request) string {
	ua := r.UserAgent()
	if i := strings.Index(ua, " "); i > 0 {
		return ua[:i]
	}
	return ua
}

func (s *sharedSite) count(r *http.Request) string {
	p := proc(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts[r.URL.Path] == nil {
		s.counts[r.URL.Path] = map[string]int{}
	}
	s.counts[r.URL.Path][p]++
	s.starts = append(s.starts, time.Now())
	if r.URL.Path != "/robots.txt" {
		s.byProc[p]++
	}
	return p
}

// waitForOther holds a process's group pages until the other process has
// fetched a page, at most 10s, so that the test does not depend on how
// fast each process starts: the first process keeps some pages in flight
// while the rest wait in Redis for the second.
func (s *sharedSite) waitForOther(p string) {
	if s.solo {
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		others := 0
		for q, n := range s.byProc {
			if q != p {
				others += n
			}
		}
		s.mu.Unlock()
		if others > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTwoProcessesShareRedisFrontier runs two crawler processes on one
// sources file against one Redis: every page is fetched exactly once in
// all, both processes fetch some, and together they emit every group
// once.
func TestTwoProcessesShareRedisFrontier(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server and two processes")
	}
	redisURL := redistest.Start(t)
	site := newSharedSite(t)
	dir := t.TempDir()
	sources := filepath.Join(dir, "sources.yaml")
	yaml := fmt.Sprintf(`sources:
  - name: Shared Peer Network
    seeds: [%s/]
    max_depth: 5
    delay: 40ms
    peer_only: true
`, site.URL)
	if err := os.WriteFile(sources, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	procs := []string{"procA", "procB"}
	outs := make([]string, len(procs))
	errs := make([]error, len(procs))
	logs := make([]strings.Builder, len(procs))
	var wg sync.WaitGroup
	for i, p := range procs {
		outs[i] = filepath.Join(dir, p+".jsonl")
		cmd := exec.CommandContext(ctx, exe, "-sources", sources, "-out", outs[i],
			"-redis", redisURL, "-redis-prefix", "test:"+t.Name()+":",
			"-user-agent", p+" (+https://github.com/peerfind/peerfind)")
		cmd.Env = append(os.Environ(), asCrawler+"=1")
		cmd.Stdout, cmd.Stderr = &logs[i], &logs[i]
		cmd.WaitDelay = 5 * time.Second
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = cmd.Wait()
		}()
	}
	wg.Wait()
	for i, p := range procs {
		if errs[i] != nil {
			t.Fatalf("%s: %v\n%s", p, errs[i], logs[i].String())
		}
	}

	site.mu.Lock()
	defer site.mu.Unlock()
	paths := []string{"/"}
	for i := 0; i < sharedPages; i++ {
		paths = append(paths, fmt.Sprintf("/p/%d", i))
	}
	for _, path := range paths {
		total := 0
		for _, n := range site.counts[path] {
			total += n
		}
		if total != 1 {
			t.Errorf("%s fetched %d times (%v), want once", path, total, site.counts[path])
		}
	}
	if n := len(site.counts["/private/x"]); n != 0 {
		t.Errorf("/private/x fetched against robots.txt: %v", site.counts["/private/x"])
	}
	for p, n := range site.counts["/robots.txt"] {
		if n != 1 {
			t.Errorf("%s fetched robots.txt %d times", p, n)
		}
	}
	for _, p := range procs {
		if site.byProc[p] == 0 {
			t.Errorf("%s fetched nothing: %v", p, site.byProc)
		}
	}
	t.Logf("pages fetched per process: %v", site.byProc)
	// The per-host delay holds over both processes (shared in Redis), not
	// only within each: requests start about delay apart. The processes
	// reserve their slots in Redis, but a process the machine stalls
	// (the race detector, other packages' tests on two cores) can send a
	// reserved request late, close to the next one: one such gap is
	// allowed. Two processes keeping only their own delays would leave
	// about every other gap short.
	slices.SortFunc(site.starts, func(a, b time.Time) int { return a.Compare(b) })
	minGap := time.Hour
	var short []time.Duration
	for i := 1; i < len(site.starts); i++ {
		gap := site.starts[i].Sub(site.starts[i-1])
		minGap = min(minGap, gap)
		if gap < 20*time.Millisecond {
			short = append(short, gap)
		}
	}
	t.Logf("requests: %d, smallest gap between two: %v (delay 40ms), under 20ms: %v", len(site.starts), minGap, short)
	if len(short) > 1 {
		t.Errorf("%d requests to the host under 20ms after the one before (%v), want about 40ms apart", len(short), short)
	}

	// Together they emit every group once.
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for i, p := range procs {
		recs, _, err := ingest.ReadFile(ctx, outs[i], tax)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if q, dup := seen[r.Name]; dup {
				t.Errorf("%q emitted by %s and %s", r.Name, q, p)
			}
			seen[r.Name] = p
		}
	}
	if len(seen) != sharedPages {
		t.Errorf("%d groups emitted in all, want %d\n%s\n%s", len(seen), sharedPages, logs[0].String(), logs[1].String())
	}

	// The shared crawl is over: nothing pending, nothing queued.
	rc, err := redisfrontier.New(ctx, redisfrontier.Options{URL: redisURL, Prefix: "test:" + t.Name() + ":"})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if n, err := rc.Pending(ctx); err != nil || n != 0 {
		t.Errorf("pending after the crawl = %d, %v", n, err)
	}
	if n, err := rc.QueueLen(ctx); err != nil || n != 0 {
		t.Errorf("queued after the crawl = %d, %v", n, err)
	}
}

// TestRedisFlagUnreachable: -redis with no server fails fast, and the
// default needs no Redis (the other tests of this package).
func TestRedisFlagUnreachable(t *testing.T) {
	var stdout, stderr strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, []string{"-out", filepath.Join(t.TempDir(), "x.jsonl"), "-redis", "redis://127.0.0.1:1/0", "http://127.0.0.1:1/"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "redis") {
		t.Fatalf("run with a dead Redis: %v", err)
	}
}
