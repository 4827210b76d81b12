// Loadgen is a bounded load generator for searchd: it sends a mix of
// searches to a searchd on this machine for a fixed time and reports the
// rate, the latency percentiles, the errors and the server's memory.
//
//	bin/searchd -index data/index.bleve -rate-limit 0 &
//	go run ./searchd/cmd/loadgen -url http://127.0.0.1:8080 -duration 60s -pid $!
//
// It refuses any target but a loopback address, stops by itself after
// -duration (at most 10 minutes) or -max-requests, and exits non-zero when
// any request failed (a transport error or a status other than 200).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/peerfind/peerfind/searchd/load"
)

// mix is the query mix: the searches people and the widget send, weighted
// by how often; it follows the shipped dataset (San Jose, Philadelphia,
// San Mateo, Orange County) and includes pages and record lookups.
var mix = []struct {
	weight int
	path   string
}{
	{6, "/api/v1/search?q=support+group&near=95112&radius=10mi&sort=distance"},
	{5, "/api/v1/search?near=Philadelphia,+PA&radius=25mi&lang=es&sort=distance"},
	{5, "/api/v1/search?near=San+Jose,+CA&radius=15mi&population=women&lang=en&sort=distance&per_page=50"},
	{5, "/api/v1/search?q=eating+disorder"},
	{5, "/api/v1/search?q=peer+support&near=San+Mateo,+CA&radius=20mi"},
	{4, "/api/v1/search?q=grief"},
	{4, "/api/v1/search?q=alcohol&near=19103&category=self-help-group"},
	{3, "/api/v1/search?q=grupo+en+espa%C3%B1ol&ui=es"},
	{3, "/api/v1/search?q=my+son+uses+meth&near=92614"},
	{3, "/api/v1/search?near=37.33,-121.89&attendance=online,hybrid&page=2"},
	{3, "/api/v1/search?q=women&near=CA"},
	{2, "/api/v1/search?q=depression+anxiety&cost=free&support=emotional"},
	{2, "/api/v1/search?q=support&page=5&per_page=20"},
	{2, "/api/v1/search"},
	{2, "/?q=support+group&near=95112"},
	{1, "/?q=grupo&ui=es"},
	{1, "/readyz"},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "searchd's base URL; must be a loopback address")
	duration := fs.Duration("duration", 60*time.Second, "how long to send load (at most 10m)")
	workers := fs.Int("concurrency", 8, "requests in flight at once (at most 256)")
	maxRequests := fs.Int64("max-requests", 0, "stop after this many requests (0: only -duration bounds the run)")
	pid := fs.Int("pid", 0, "searchd's process id, to report its memory (RSS) at the start and end")
	timeout := fs.Duration("timeout", 10*time.Second, "per-request timeout")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *duration <= 0 || *duration > 10*time.Minute {
		return fmt.Errorf("-duration must be between 0 and 10m, not %v", *duration)
	}
	if *workers < 1 || *workers > 256 {
		return fmt.Errorf("-concurrency must be 1 to 256, not %d", *workers)
	}
	u, err := url.Parse(strings.TrimSuffix(*base, "/"))
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("-url %q: want http://127.0.0.1:PORT", *base)
	}
	if !load.Loopback(u.Hostname()) {
		return fmt.Errorf("-url %q: only loopback targets (127.0.0.0/8, ::1, localhost) are allowed", *base)
	}
	var paths []string
	for _, m := range mix {
		for range m.weight {
			paths = append(paths, m.path)
		}
	}
	rep, err := load.Run(ctx, load.Options{
		BaseURL: u.String(), Paths: paths, Pick: func(n int) int { return n * 7919 },
		Concurrency: *workers, Duration: *duration, MaxRequests: *maxRequests, Timeout: *timeout, PID: *pid,
	})
	if err != nil {
		return err
	}
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		(*report)(rep).print(stdout)
	}
	if rep.Errors > 0 {
		return fmt.Errorf("%d of %d requests failed", rep.Errors, rep.Requests)
	}
	if rep.Requests == 0 {
		return errors.New("no request completed")
	}
	return nil
}

type report load.Report

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "target %s, %d in flight, %.1fs\n", r.Target, r.Concurrency, r.Seconds)
	fmt.Fprintf(w, "requests %d, %.1f/s\n", r.Requests, r.QPS)
	fmt.Fprintf(w, "latency p50 %.1fms, p95 %.1fms, p99 %.1fms, max %.1fms\n", r.P50ms, r.P95ms, r.P99ms, r.MaxMS)
	var codes []string
	for k := range r.Status {
		codes = append(codes, k)
	}
	sort.Strings(codes)
	var parts []string
	for _, k := range codes {
		parts = append(parts, fmt.Sprintf("%s: %d", k, r.Status[k]))
	}
	fmt.Fprintf(w, "errors %d (%s)\n", r.Errors, strings.Join(parts, ", "))
	if r.FirstError != "" {
		fmt.Fprintf(w, "first error: %s\n", r.FirstError)
	}
	if r.RSSStartKB > 0 {
		fmt.Fprintf(w, "server RSS start %.1f MiB, max %.1f MiB, end %.1f MiB\n",
			float64(r.RSSStartKB)/1024, float64(r.RSSMaxKB)/1024, float64(r.RSSEndKB)/1024)
	}
}
