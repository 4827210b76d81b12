// Package load sends a bounded HTTP load to a searchd on this machine and
// measures it: requests per second, latency percentiles, errors (a
// transport error or any status but 200) and the server's resident
// memory. bin/loadgen and bin/bench use it. Only loopback targets are
// allowed, and every run is bounded by a duration and optionally a
// request count.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MaxDuration bounds one run.
const MaxDuration = 10 * time.Minute

// MaxConcurrency bounds the requests in flight.
const MaxConcurrency = 256

// Options configure a run.
type Options struct {
	// BaseURL is the server, e.g. "http://127.0.0.1:8080"; it must be a
	// loopback address.
	BaseURL string
	// Paths are the requests, each a path with its query string
	// ("/api/v1/search?q=grief").
	Paths []string
	// Pick maps the n-th request (0-based, across all clients) to an
	// index into Paths; nil sends Paths in order, round-robin.
	Pick func(n int) int
	// Concurrency is the number of clients, each with one request in
	// flight (1 to MaxConcurrency).
	Concurrency int
	// Duration bounds the run (at most MaxDuration).
	Duration time.Duration
	// MaxRequests, when positive, ends the run after that many requests.
	MaxRequests int64
	// Timeout is the per-request timeout; 0 is 10s.
	Timeout time.Duration
	// PID, when positive, is the server's process id: its resident memory
	// is sampled at the start, every second and at the end.
	PID int
}

// Report is what a run measured.
type Report struct {
	Target      string  `json:"target"`
	Concurrency int     `json:"concurrency"`
	Seconds     float64 `json:"seconds"`
	Requests    int64   `json:"requests"`
	QPS         float64 `json:"qps"`
	P50ms       float64 `json:"p50_ms"`
	P95ms       float64 `json:"p95_ms"`
	P99ms       float64 `json:"p99_ms"`
	MaxMS       float64 `json:"max_ms"`
	// Errors counts the requests that failed: a transport error or a
	// status other than 200.
	Errors int64 `json:"errors"`
	// Status counts the requests by status code ("200", "503") or "error".
	Status     map[string]int64 `json:"status"`
	FirstError string           `json:"first_error,omitempty"`
	RSSStartKB int64            `json:"rss_start_kb,omitempty"`
	RSSMaxKB   int64            `json:"rss_max_kb,omitempty"`
	RSSEndKB   int64            `json:"rss_end_kb,omitempty"`
}

// Check validates the options the way Run does.
func (o *Options) Check() error {
	if o.Duration <= 0 || o.Duration > MaxDuration {
		return fmt.Errorf("duration must be between 0 and %v, not %v", MaxDuration, o.Duration)
	}
	if o.Concurrency < 1 || o.Concurrency > MaxConcurrency {
		return fmt.Errorf("concurrency must be 1 to %d, not %d", MaxConcurrency, o.Concurrency)
	}
	if len(o.Paths) == 0 {
		return errors.New("no requests to send")
	}
	u, err := url.Parse(strings.TrimSuffix(o.BaseURL, "/"))
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("url %q: want http://127.0.0.1:PORT", o.BaseURL)
	}
	if !Loopback(u.Hostname()) {
		return fmt.Errorf("url %q: only loopback targets (127.0.0.0/8, ::1, localhost) are allowed", o.BaseURL)
	}
	return nil
}

// NewClient returns an HTTP client keeping up to conns connections to
// one host.
func NewClient(conns int, timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &http.Client{Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
}

// Run sends the load and reports it. It returns an error only for bad
// options; failed requests are counted in the report.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(o.BaseURL, "/")
	pick := o.Pick
	if pick == nil {
		pick = func(n int) int { return n }
	}
	workers := o.Concurrency
	client := NewClient(workers, o.Timeout)
	defer client.CloseIdleConnections()
	rep := &Report{Target: base, Concurrency: workers, Status: map[string]int64{}}
	if o.PID > 0 {
		rep.RSSStartKB = RSSKB(o.PID)
		rep.RSSMaxKB = rep.RSSStartKB
	}
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()

	var n atomic.Int64
	lat := make([][]time.Duration, workers)
	status := make([]map[string]int64, workers)
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		status[w] = map[string]int64{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := n.Add(1) - 1
				if ctx.Err() != nil || (o.MaxRequests > 0 && k >= o.MaxRequests) {
					return
				}
				path := o.Paths[pick(int(k))%len(o.Paths)]
				t0 := time.Now()
				code, _, err := Get(ctx, client, base+path)
				d := time.Since(t0)
				if ctx.Err() != nil && err != nil {
					return // the run ended during this request: not a failure
				}
				lat[w] = append(lat[w], d)
				key := strconv.Itoa(code)
				if err != nil {
					key = "error"
					firstErr.CompareAndSwap(nil, err.Error())
				} else if code != http.StatusOK {
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%s: status %d", path, code))
				}
				status[w][key]++
			}
		}()
	}
	// Sample the server's memory while the load runs.
	sampled := make(chan struct{})
	if o.PID <= 0 {
		close(sampled)
	} else {
		go func() {
			defer close(sampled)
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if kb := RSSKB(o.PID); kb > atomic.LoadInt64(&rep.RSSMaxKB) {
						atomic.StoreInt64(&rep.RSSMaxKB, kb)
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cancel()
	<-sampled

	var all []time.Duration
	for w := range workers {
		all = append(all, lat[w]...)
		for k, v := range status[w] {
			rep.Status[k] += v
		}
	}
	slices.Sort(all)
	rep.Requests = int64(len(all))
	rep.Seconds = elapsed.Seconds()
	if elapsed > 0 {
		rep.QPS = float64(len(all)) / elapsed.Seconds()
	}
	rep.P50ms, rep.P95ms, rep.P99ms, rep.MaxMS = Percentile(all, 50), Percentile(all, 95), Percentile(all, 99), Percentile(all, 100)
	for k, v := range rep.Status {
		if k != "200" {
			rep.Errors += v
		}
	}
	if e, ok := firstErr.Load().(string); ok {
		rep.FirstError = e
	}
	if o.PID > 0 {
		rep.RSSEndKB = RSSKB(o.PID)
		rep.RSSMaxKB = max(rep.RSSMaxKB, rep.RSSEndKB)
	}
	return rep, nil
}

// Get fetches u and returns the status and, for a 200, the body (at
// most 16 MiB).
func Get(ctx context.Context, c *http.Client, u string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, body, nil
}

// Percentile is the p-th percentile (nearest rank) of sorted durations,
// in milliseconds; 0 for none. p = 100 is the maximum.
func Percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(float64(len(sorted))*p/100)) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}

// Loopback reports whether host is a loopback name or address.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RSSKB reads a process's resident memory (VmRSS) from /proc, in KiB, or
// 0 when it cannot (not Linux, no such process).
func RSSKB(pid int) int64 { return statusKB(pid, "VmRSS:") }

// RSSPartsKB splits a process's resident memory into its anonymous part
// (the heap, stacks: RssAnon) and its file-backed part (RssFile: for
// searchd mostly the pages of the memory-mapped index it has read, which
// the kernel can drop and read again), in KiB.
func RSSPartsKB(pid int) (anon, file int64) {
	return statusKB(pid, "RssAnon:"), statusKB(pid, "RssFile:")
}

// statusKB reads one "Name: N kB" line of /proc/PID/status, or 0.
func statusKB(pid int, name string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, name); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}
