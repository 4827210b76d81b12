package crawler

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestRobotsDisallowedNeverRequested(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		html(w, "/private/secret", "/public", "/private/other?x=1")
	})
	s := newSite(t, mux)
	_, sum := crawl(t, testCrawler(t, fast("robots", s.URL+"/")))
	for _, p := range s.paths() {
		if strings.HasPrefix(p, "/private/") {
			t.Errorf("disallowed %s was requested", p)
		}
	}
	if s.count("/public") != 1 || s.count("/robots.txt") != 1 {
		t.Errorf("requests = %v, want /public and /robots.txt once", s.paths())
	}
	if sum.RobotsSkipped != 2 || !hasReject(sum, s.URL+"/private/secret", "robots.txt") {
		t.Errorf("robots skipped = %d, rejects %+v", sum.RobotsSkipped, sum.Rejects)
	}
}

func TestPerHostDelayAndParallelism(t *testing.T) {
	const delay = 50 * time.Millisecond
	var links []string
	for i := range 6 {
		links = append(links, fmt.Sprintf("/p%d", i))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			html(w, links...)
			return
		}
		time.Sleep(5 * time.Millisecond)
		html(w)
	})
	a, b := newSite(t, mux), newSite(t, mux) // two hosts: same address, two ports
	src := fast("delay", a.URL+"/", b.URL+"/")
	src.Delay = Duration(delay)
	c := testCrawler(t, src)
	c.Parallelism = 16
	start := time.Now()
	_, sum := crawl(t, c)
	took := time.Since(start)
	for _, s := range []*site{a, b} {
		s.mu.Lock()
		hits := append([]hit(nil), s.hits...)
		maxIn := s.maxIn
		s.mu.Unlock()
		if len(hits) != 8 { // robots.txt, /, six pages
			t.Fatalf("%s: %d requests, want 8: %v; %s", s.URL, len(hits), s.paths(), sum)
		}
		if maxIn != 1 {
			t.Errorf("%s: %d requests at once, want 1", s.URL, maxIn)
		}
		sort.Slice(hits, func(i, j int) bool { return hits[i].start.Before(hits[j].start) })
		for i := 1; i < len(hits); i++ {
			if gap := hits[i].start.Sub(hits[i-1].start); gap < delay {
				t.Errorf("%s: %s started %v after %s, want >= %v", s.URL, hits[i].path, gap, hits[i-1].path, delay)
			}
			if hits[i].hdr.Get("User-Agent") != DefaultUserAgent {
				t.Errorf("User-Agent = %q", hits[i].hdr.Get("User-Agent"))
			}
		}
	}
	// The two hosts are limited separately, so their crawls overlap.
	a.mu.Lock()
	b.mu.Lock()
	aFirst, aLast := a.hits[0].start, a.hits[len(a.hits)-1].start
	bFirst, bLast := b.hits[0].start, b.hits[len(b.hits)-1].start
	b.mu.Unlock()
	a.mu.Unlock()
	if !aFirst.Before(bLast) || !bFirst.Before(aLast) {
		t.Errorf("hosts with different ports were crawled one after the other (took %v)", took)
	}
}

func TestRetryAfter429(t *testing.T) {
	body := feed(t)
	n := 0
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.json", func(w http.ResponseWriter, r *http.Request) {
		if n++; n == 1 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	s := newSite(t, mux)
	c := testCrawler(t, fast("retry", s.URL+"/feed.json"))
	c.MaxRetryWait = 100 * time.Millisecond // caps the server's 1s
	recs, sum := crawl(t, c)
	if s.count("/feed.json") != 2 || sum.Retries != 1 || len(recs) != 3 {
		t.Errorf("feed requested %d times, retries %d, records %d; want 2, 1, 3", s.count("/feed.json"), sum.Retries, len(recs))
	}
	if len(sum.Errors) != 0 {
		t.Errorf("errors %v", sum.Errors)
	}
}

func TestRetriesAreBounded(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	s := newSite(t, mux)
	c := testCrawler(t, fast("down", s.URL+"/down"))
	c.MaxRetries = 2
	_, sum := crawl(t, c)
	if got := s.count("/down"); got != 3 {
		t.Errorf("requested %d times, want 3", got)
	}
	if sum.Errors["http 503"] != 1 || !hasReject(sum, s.URL+"/down", "503") {
		t.Errorf("errors %v rejects %+v", sum.Errors, sum.Rejects)
	}
}

func TestSlowPageTimesOut(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { html(w, "/slow", "/fine") })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/fine", func(w http.ResponseWriter, r *http.Request) { html(w) })
	s := newSite(t, mux)
	c := testCrawler(t, fast("slow", s.URL+"/"))
	c.Timeout = 200 * time.Millisecond
	start := time.Now()
	_, sum := crawl(t, c)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("crawl took %v", d)
	}
	if sum.Errors["timeout"] != 1 || !hasReject(sum, s.URL+"/slow", "deadline") {
		t.Errorf("errors %v rejects %+v", sum.Errors, sum.Rejects)
	}
	if s.count("/fine") != 1 {
		t.Errorf("/fine not fetched after the slow page: %v", s.paths())
	}
}

func TestOversizedPageSkipped(t *testing.T) {
	big := strings.Repeat("x", 4096)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { html(w, "/big", "/chunked", "/small") })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, big) // with Content-Length
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for range 4 {
			fmt.Fprint(w, big[:1024])
			w.(http.Flusher).Flush() // no Content-Length
		}
	})
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) { html(w) })
	s := newSite(t, mux)
	c := testCrawler(t, fast("big", s.URL+"/"))
	c.MaxBodySize = 2048
	_, sum := crawl(t, c)
	if sum.Errors["too large"] != 2 || !hasReject(sum, s.URL+"/big", "larger") || !hasReject(sum, s.URL+"/chunked", "larger") {
		t.Errorf("errors %v rejects %+v", sum.Errors, sum.Rejects)
	}
	if s.count("/small") != 1 {
		t.Errorf("/small not fetched: %v", s.paths())
	}
}

func TestSamePageFetchedOnce(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		html(w, "/page#top", "/page#bottom", "/page?utm_source=news&utm_medium=mail",
			"/page?PHPSESSID=abc123", "/page;jsessionid=XYZ", "./page", "/page#", "/page?b=2&a=1", "/page?a=1&b=2&sid=9")
	})
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) { html(w, "/", "/page") })
	s := newSite(t, mux)
	_, sum := crawl(t, testCrawler(t, fast("dupes", s.URL+"/", strings.Replace(s.URL, "127.0.0.1", "127.0.0.1", 1)+"/#again")))
	if got := s.count("/page"); got != 1 {
		t.Errorf("/page fetched %d times, want 1: %v", got, s.paths())
	}
	if got := s.count("/page?a=1&b=2"); got != 1 {
		t.Errorf("/page?a=1&b=2 fetched %d times, want 1: %v", got, s.paths())
	}
	if got := s.count("/"); got != 1 {
		t.Errorf("/ fetched %d times: %v", got, s.paths())
	}
	if len(sum.Errors) != 0 {
		t.Errorf("errors %v", sum.Errors)
	}
}

func TestCalendarTrapStops(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		html(w, "/calendar?month=2026-11", "/events/2026/11/", "/loop/a/")
	})
	// An endless calendar: every month links to the next and previous.
	mux.HandleFunc("/calendar", func(w http.ResponseWriter, r *http.Request) {
		m, err := time.Parse("2006-01", r.URL.Query().Get("month"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		html(w, "/calendar?month="+m.AddDate(0, 1, 0).Format("2006-01"),
			"/calendar?month="+m.AddDate(0, -1, 0).Format("2006-01"),
			"/calendar?month="+m.Format("2006-01")+"&view=week&session="+fmt.Sprint(time.Now().UnixNano()))
	})
	mux.HandleFunc("/events/", func(w http.ResponseWriter, r *http.Request) {
		m, err := time.Parse("2006/01/", strings.TrimPrefix(r.URL.Path, "/events/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		html(w, "/events/"+m.AddDate(0, 1, 0).Format("2006/01/"))
	})
	// Relative links that nest forever: /loop/a/ → /loop/a/a/ → ...
	mux.HandleFunc("/loop/", func(w http.ResponseWriter, r *http.Request) { html(w, "a/") })
	s := newSite(t, mux)
	src := fast("trap", s.URL+"/")
	src.MaxDepth = 1000
	src.MaxPages = 100000
	c := testCrawler(t, src)
	c.MaxQueryVariants = 20
	_, sum := crawl(t, c)
	n := len(s.paths())
	if n > 80 {
		t.Errorf("%d requests: the trap was not contained", n)
	}
	traps := 0
	for _, r := range sum.Rejects {
		if r.Kind == "crawler trap" {
			traps++
		}
	}
	if traps == 0 {
		t.Errorf("no crawler-trap rejects; %d requests", n)
	}
	t.Logf("%d requests, %d trap rejects", n, traps)
}

func TestMaxDepthAndMaxPages(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/p/", func(w http.ResponseWriter, r *http.Request) {
		var i int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/p/"), "%d", &i)
		html(w, fmt.Sprintf("/p/%d", i+1))
	})
	s := newSite(t, mux)
	src := fast("deep", s.URL+"/p/0")
	src.MaxDepth = 3
	crawl(t, testCrawler(t, src))
	if s.count("/p/3") != 1 || s.count("/p/4") != 0 {
		t.Errorf("depth 3: requests %v", s.paths())
	}

	s2 := newSite(t, mux)
	src = fast("many", s2.URL+"/p/0")
	src.MaxDepth = 100
	src.MaxPages = 5
	_, sum := crawl(t, testCrawler(t, src))
	if s2.count("/p/4") != 1 || s2.count("/p/5") != 0 || sum.Errors["max pages"] != 1 {
		t.Errorf("max pages 5: requests %v, errors %v", s2.paths(), sum.Errors)
	}
}

func TestOnlyAllowedHostsAndSchemes(t *testing.T) {
	other := newSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { html(w) }))
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		html(w, "javascript:alert(1)", "mailto:a@example.org", "ftp://127.0.0.1/x",
			strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/elsewhere")
	})
	s := newSite(t, mux)
	crawl(t, testCrawler(t, fast("hosts", s.URL+"/")))
	if len(other.paths()) != 0 {
		t.Errorf("off-site host requested: %v", other.paths())
	}
	if got := s.paths(); len(got) != 2 {
		t.Errorf("requests %v, want robots.txt and /", got)
	}
}
