package crawler

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// politeTransport is the crawler's http.RoundTripper. It holds every
// request, robots.txt included, to the crawler's politeness rules:
//
//   - one request at a time per host, keyed by host:port, so two servers
//     on one address are limited separately and one server is never hit
//     twice at once;
//   - at least the host's delay between the end of one response and the
//     start of the next request;
//   - 429 and 5xx answers are retried, up to retries times, after the
//     server's Retry-After (capped at maxWait) or an exponential backoff,
//     while the host stays reserved;
//   - each attempt, body included, is bounded by timeout.
type politeTransport struct {
	base     http.RoundTripper
	delayFor func(host string) time.Duration
	timeout  time.Duration
	retries  int
	backoff  time.Duration
	maxWait  time.Duration
	onRetry  func(req *http.Request, status int, wait time.Duration)
	// gate, when set, spaces the requests to a host over all the
	// processes of a shared crawl (see HostGate); it returns how long to
	// wait before sending.
	gate func(ctx context.Context, host string, delay time.Duration) time.Duration

	mu    sync.Mutex
	hosts map[string]*hostSlot
}

// hostSlot serializes the requests to one host.
type hostSlot struct {
	sem  chan struct{}
	last time.Time // when the previous response was done; guarded by sem
}

func (t *politeTransport) slot(key string) *hostSlot {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.hosts == nil {
		t.hosts = map[string]*hostSlot{}
	}
	s := t.hosts[key]
	if s == nil {
		s = &hostSlot{sem: make(chan struct{}, 1)}
		t.hosts[key] = s
	}
	return s
}

// RoundTrip waits for the host, sends req (retrying as described on the
// type) and returns a response whose Body releases the host when closed.
func (t *politeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	s := t.slot(strings.ToLower(req.URL.Host))
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release := func() {
		s.last = time.Now()
		<-s.sem
	}
	delay := t.delayFor(req.URL.Hostname())
	for attempt := 0; ; attempt++ {
		if !s.last.IsZero() {
			if err := sleep(ctx, time.Until(s.last.Add(delay))); err != nil {
				release()
				return nil, err
			}
		}
		if t.gate != nil {
			if err := sleep(ctx, t.gate(ctx, strings.ToLower(req.URL.Host), delay)); err != nil {
				release()
				return nil, err
			}
		}
		actx, cancel := context.WithTimeout(ctx, t.timeout)
		resp, err := t.base.RoundTrip(req.Clone(actx))
		if err != nil {
			cancel()
			release()
			return nil, err
		}
		if retryable(resp.StatusCode) && attempt < t.retries && req.Method == http.MethodGet {
			wait := retryAfter(resp.Header.Get("Retry-After"), time.Now())
			if wait <= 0 {
				wait = t.backoff << attempt
			}
			wait = min(wait, t.maxWait)
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			cancel()
			s.last = time.Now()
			if t.onRetry != nil {
				t.onRetry(req, resp.StatusCode, wait)
			}
			if err := sleep(ctx, wait); err != nil {
				release()
				return nil, err
			}
			continue
		}
		var once sync.Once
		resp.Body = &releaseBody{ReadCloser: resp.Body, done: func() {
			once.Do(func() {
				cancel()
				release()
			})
		}}
		return resp, nil
	}
}

// releaseBody releases its host when the body is closed.
type releaseBody struct {
	io.ReadCloser
	done func()
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.done()
	return err
}

// retryable reports whether a status is worth retrying later: 429 Too
// Many Requests and the 5xx errors that are usually temporary.
func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); 0 when
// absent or unreadable.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return t.Sub(now)
	}
	return 0
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
