package crawler

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/peerfind/peerfind"
)

// memFrontier is an in-process Frontier, for testing the crawler's use of
// one without Redis (package redisfrontier tests the Redis one).
type memFrontier struct {
	mu      sync.Mutex
	claimed map[string]bool
	queue   []FrontierItem
	pending int64
}

func (f *memFrontier) Add(ctx context.Context, it FrontierItem) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.claimed[it.URL] {
		return false, nil
	}
	f.claimed[it.URL] = true
	f.queue = append(f.queue, it)
	f.pending++
	return true, nil
}

func (f *memFrontier) Next(ctx context.Context) (FrontierItem, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queue) == 0 {
		return FrontierItem{}, false, nil
	}
	it := f.queue[0]
	f.queue = f.queue[1:]
	return it, true, nil
}

func (f *memFrontier) Done(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending--
	return nil
}

func (f *memFrontier) Pending(ctx context.Context) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pending, nil
}

// TestSharedFrontier runs two Crawlers at once on one frontier: every
// page is fetched once in all, robots.txt and max depth still hold, and
// the two emit every record once between them.
func TestSharedFrontier(t *testing.T) {
	const pages = 20
	body := feed(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/p/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		time.Sleep(5 * time.Millisecond)
		html(w, fmt.Sprintf("/p/%d", (n+1)%pages), fmt.Sprintf("/p/%d#x", (n+3)%pages), "/private/x", "/meetings.json")
	})
	mux.HandleFunc("/meetings.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	s := newSite(t, mux)
	f := &memFrontier{claimed: map[string]bool{}}
	var wg sync.WaitGroup
	recs := make([]int, 2)
	sums := make([]*Summary, 2)
	for i := range recs {
		c := testCrawler(t, fast("Shared", s.URL+"/p/0"))
		c.Sources[0].MaxDepth = 50
		c.Frontier = f
		c.FrontierIdle = 5 * time.Second
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			sum, err := c.Run(ctx, func(*peerfind.Service) error { recs[i]++; return nil })
			if err != nil {
				t.Errorf("crawler %d: %v", i, err)
			}
			sums[i] = sum
		}()
	}
	wg.Wait()
	for i := 0; i < pages; i++ {
		if n := s.count(fmt.Sprintf("/p/%d", i)); n != 1 {
			t.Errorf("/p/%d fetched %d times", i, n)
		}
	}
	if n := s.count("/meetings.json"); n != 1 {
		t.Errorf("/meetings.json fetched %d times", n)
	}
	if n := s.count("/private/x"); n != 0 {
		t.Errorf("/private/x fetched %d times", n)
	}
	if recs[0]+recs[1] != 3 {
		t.Errorf("records emitted %v, want 3 in all", recs)
	}
	if sums[0] != nil && sums[1] != nil {
		if got := sums[0].PagesFetched + sums[1].PagesFetched; got != pages+1 {
			t.Errorf("pages fetched %d + %d, want %d", sums[0].PagesFetched, sums[1].PagesFetched, pages+1)
		}
	}
	if p, _ := f.Pending(context.Background()); p != 0 {
		t.Errorf("pending %d after the crawl", p)
	}
}
