package redisfrontier

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocolly/colly/v2/storage"

	"github.com/peerfind/peerfind/crawler"
	"github.com/peerfind/peerfind/crawler/redisfrontier/redistest"
)

func newClient(t *testing.T, url, prefix string, ttl time.Duration) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := New(ctx, Options{URL: url, Prefix: prefix, TTL: ttl, OpTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestFrontierAddNextDone(t *testing.T) {
	ru := redistest.Start(t)
	c := newClient(t, ru, "t1:", 0)
	ctx := context.Background()
	it := crawler.FrontierItem{Source: "s", URL: "http://127.0.0.1/a", Depth: 1}
	for i, want := range []bool{true, false} {
		added, err := c.Add(ctx, it)
		if err != nil || added != want {
			t.Fatalf("add #%d = %v, %v; want %v", i, added, err, want)
		}
	}
	if n, err := c.Pending(ctx); err != nil || n != 1 {
		t.Fatalf("pending = %d, %v; want 1", n, err)
	}
	got, ok, err := c.Next(ctx)
	if err != nil || !ok || got != it {
		t.Fatalf("next = %+v, %v, %v; want %+v", got, ok, err, it)
	}
	if _, ok, err := c.Next(ctx); err != nil || ok {
		t.Fatalf("next on empty queue = %v, %v", ok, err)
	}
	if err := c.Done(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("pending after done = %d, %v", n, err)
	}
	// Another prefix is another crawl.
	other := newClient(t, ru, "t1b:", 0)
	if added, err := other.Add(ctx, it); err != nil || !added {
		t.Fatalf("add under another prefix = %v, %v", added, err)
	}
	// The claim carries the TTL.
	ttl, err := c.rdb.PTTL(ctx, c.URLKey(it.URL)).Result()
	if err != nil || ttl <= 0 || ttl > DefaultTTL {
		t.Fatalf("claim ttl = %v, %v", ttl, err)
	}
}

func TestFrontierTTL(t *testing.T) {
	ru := redistest.Start(t)
	c := newClient(t, ru, "t2:", 200*time.Millisecond)
	ctx := context.Background()
	if ok, err := c.Claim(ctx, "http://x/"); err != nil || !ok {
		t.Fatalf("claim = %v, %v", ok, err)
	}
	if ok, _ := c.Claim(ctx, "http://x/"); ok {
		t.Fatal("claimed twice")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, err := c.Claim(ctx, "http://x/")
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("claim did not expire")
		}
		time.Sleep(50 * time.Millisecond)
	}
	forever := newClient(t, ru, "t2f:", -1)
	forever.Claim(ctx, "http://x/")
	if ttl, err := forever.rdb.PTTL(ctx, forever.URLKey("http://x/")).Result(); err != nil || ttl != -1 {
		t.Fatalf("ttl with negative TTL = %v, %v; want none (-1ms)", ttl, err)
	}
}

// TestClaimRace has many goroutines on separate connections add the same
// URLs at once: each is added exactly once.
func TestClaimRace(t *testing.T) {
	ru := redistest.Start(t)
	const workers, urls = 8, 50
	var wins [urls]atomic.Int32
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		c := newClient(t, ru, "t3:", 0)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < urls; i++ {
				added, err := c.Add(context.Background(), crawler.FrontierItem{Source: "s", URL: fmt.Sprintf("http://h/%d", i)})
				if err != nil {
					t.Error(err)
					return
				}
				if added {
					wins[i].Add(1)
				}
			}
		}()
	}
	wg.Wait()
	for i := range wins {
		if n := wins[i].Load(); n != 1 {
			t.Errorf("url %d added %d times", i, n)
		}
	}
	c := newClient(t, ru, "t3:", 0)
	if n, _ := c.QueueLen(context.Background()); n != urls {
		t.Errorf("queue length %d, want %d", n, urls)
	}
	if n, _ := c.Pending(context.Background()); n != urls {
		t.Errorf("pending %d, want %d", n, urls)
	}
}

// TestReserve: reservations for one host from several clients are spaced
// by the delay; other hosts are independent.
func TestReserve(t *testing.T) {
	ru := redistest.Start(t)
	ctx := context.Background()
	a, b := newClient(t, ru, "t6:", 0), newClient(t, ru, "t6:", 0)
	const d = 100 * time.Millisecond
	var waits []time.Duration
	for _, c := range []*Client{a, b, a} {
		w, err := c.Reserve(ctx, "Example.org:8080", d)
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, w)
	}
	for i, w := range waits {
		want := time.Duration(i) * d
		if w < want-20*time.Millisecond || w > want+5*time.Millisecond {
			t.Errorf("reservation %d waits %v, want about %v (all: %v)", i, w, want, waits)
		}
	}
	if w, err := b.Reserve(ctx, "other.org", d); err != nil || w != 0 {
		t.Errorf("another host waits %v, %v", w, err)
	}
	if w, err := b.Reserve(ctx, "example.org:8080", 0); err != nil || w != 0 {
		t.Errorf("no delay waits %v, %v", w, err)
	}
}

func TestStorage(t *testing.T) {
	ru := redistest.Start(t)
	c := newClient(t, ru, "t4:", 0)
	var s storage.Storage = c.Storage(context.Background())
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	if v, err := s.IsVisited(42); err != nil || v {
		t.Fatalf("IsVisited before = %v, %v", v, err)
	}
	if err := s.Visited(42); err != nil {
		t.Fatal(err)
	}
	// Another process (client) with the same prefix sees it.
	s2 := newClient(t, ru, "t4:", 0).Storage(context.Background())
	if v, err := s2.IsVisited(42); err != nil || !v {
		t.Fatalf("IsVisited from another client = %v, %v", v, err)
	}
	u, _ := url.Parse("http://Example.org:8080/x")
	cookies := storage.StringifyCookies([]*http.Cookie{{Name: "sid", Value: "1"}, {Name: "lang", Value: "en"}})
	s.SetCookies(u, cookies)
	if got := s2.Cookies(u); got != cookies {
		t.Fatalf("cookies = %q, want %q", got, cookies)
	}
	if got := s2.Cookies(&url.URL{Scheme: "http", Host: "other.org"}); got != "" {
		t.Fatalf("cookies of another host = %q", got)
	}
}

func TestQueueStorage(t *testing.T) {
	ru := redistest.Start(t)
	q := newClient(t, ru, "t5:", 0).QueueStorage(context.Background())
	if err := q.Init(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"a", "b"} {
		if err := q.AddRequest([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := q.QueueSize(); err != nil || n != 2 {
		t.Fatalf("size = %d, %v", n, err)
	}
	if b, err := q.GetRequest(); err != nil || string(b) != "a" {
		t.Fatalf("get = %q, %v", b, err)
	}
}

// TestUnreachable: a dead Redis fails fast, within the operation timeout.
func TestUnreachable(t *testing.T) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := New(ctx, Options{URL: "redis://127.0.0.1:1/0", OpTimeout: 500 * time.Millisecond})
	if err == nil {
		t.Fatal("connected to port 1")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
	if _, err := New(ctx, Options{URL: "http://x"}); err == nil {
		t.Fatal("accepted a non-redis URL")
	}
}
