// Command crawler crawls the sources of a sources file, or ad-hoc seed
// URLs, politely, and writes the peerfind records it finds in the format
// bin/indexer reads.
//
//	crawler -sources data/sources.yaml -out data/crawl/records.jsonl.gz [-state FILE]
//	crawler -out FILE [-depth 2] URL...
//	crawler -redis redis://127.0.0.1:6379/0 [-redis-prefix P] -sources FILE -out FILE
//
// With -redis, the frontier (which URLs are claimed, the queue of URLs to
// fetch) and colly's storage (visited request ids, cookies) live in Redis,
// so several crawler processes given the same sources and the same Redis
// and prefix split one crawl: every URL is fetched by exactly one of
// them, and each writes the records of the pages it fetched. Claims last
// -redis-ttl, so give each crawl its own -redis-prefix (or a TTL shorter
// than the interval between crawls). Without -redis (the default)
// everything stays in the process and no Redis is needed.
//
// The output is gzipped JSON Lines when FILE ends in .gz, plain JSON Lines
// otherwise; it is written to a temporary file and renamed into place.
// Rejected URLs and items go to FILE.rejects.jsonl, and a summary to
// stderr. On a terminal, progress (pages fetched, pages/s, queue length)
// is shown on stderr while crawling.
package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/crawler"
	"github.com/peerfind/peerfind/crawler/redisfrontier"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/geocode"
	"github.com/peerfind/peerfind/indexer/ingest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "crawler:", err)
		}
		os.Exit(1)
	}
}

// run is the whole command, testable: it parses args, crawls, writes the
// output files and prints the summary.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("crawler", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sourcesPath := fs.String("sources", "", "sources file (YAML or JSON) to crawl")
	out := fs.String("out", "", "output records file (.jsonl or .jsonl.gz); required")
	statePath := fs.String("state", "", "crawl state file for incremental recrawls (default: none)")
	depth := fs.Int("depth", 2, "link depth for ad-hoc seed URLs")
	delay := fs.Duration("delay", crawler.DefaultDelay, "delay between requests to one host, for ad-hoc seeds")
	peerOnly := fs.Bool("peer-only", false, "ad-hoc seeds publish only peer support (default: keep only records classified as peer support)")
	ua := fs.String("user-agent", crawler.DefaultUserAgent, "User-Agent header (keep a contact URL in it)")
	timeout := fs.Duration("timeout", crawler.DefaultTimeout, "timeout of each request")
	verbose := fs.Bool("v", false, "log every fetch problem to stderr")
	redisURL := fs.String("redis", "", "share the frontier with other crawler processes through this Redis, e.g. redis://127.0.0.1:6379/0 (default: embedded, no Redis)")
	redisPrefix := fs.String("redis-prefix", redisfrontier.DefaultPrefix, "prefix of the Redis keys; processes sharing a crawl use the same one")
	redisTTL := fs.Duration("redis-ttl", redisfrontier.DefaultTTL, "how long URL claims and the queue live in Redis (negative: forever)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: crawler -sources FILE -out FILE [-state FILE]\n       crawler -out FILE [-depth N] URL...\n       add -redis redis://HOST:PORT/DB to share one crawl among several processes")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return errors.New("-out is required")
	}
	var sources []crawler.Source
	switch {
	case *sourcesPath != "" && fs.NArg() > 0:
		return errors.New("give either -sources or seed URLs, not both")
	case *sourcesPath != "":
		s, err := crawler.LoadSources(*sourcesPath)
		if err != nil {
			return err
		}
		sources = s
	case fs.NArg() > 0:
		s, err := adHoc(fs.Args(), *depth, *delay, *peerOnly)
		if err != nil {
			return err
		}
		sources = s
	default:
		fs.Usage()
		return errors.New("no sources file and no seed URLs")
	}
	tax, err := data.Taxonomy()
	if err != nil {
		return err
	}
	gaz, err := geocode.New(data.GazetteerFS, geocode.WithBoundariesFS(data.BoundariesFS))
	if err != nil {
		return fmt.Errorf("load gazetteer: %w", err)
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	c := &crawler.Crawler{
		Sources:   sources,
		Taxonomy:  tax,
		Geocoder:  gaz,
		UserAgent: *ua,
		Timeout:   *timeout,
		StatePath: *statePath,
		Logger:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if *redisURL != "" {
		rc, err := redisfrontier.New(ctx, redisfrontier.Options{URL: *redisURL, Prefix: *redisPrefix, TTL: *redisTTL})
		if err != nil {
			return err
		}
		defer rc.Close()
		c.Frontier = rc
		c.Storage = rc.Storage(ctx)
	}
	stopProgress := progress(ctx, c, stderr)
	var recs []*peerfind.Service
	sum, err := c.Run(ctx, func(s *peerfind.Service) error {
		recs = append(recs, s)
		return nil
	})
	stopProgress()
	if err != nil {
		return err
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].ID < recs[j].ID })
	if err := writeRecords(*out, recs); err != nil {
		return err
	}
	if err := writeRejects(*out+".rejects.jsonl", sum.Rejects); err != nil {
		return err
	}
	fmt.Fprint(stderr, sum.String())
	fmt.Fprintf(stdout, "wrote %d records to %s (rejects: %s)\n", len(recs), *out, *out+".rejects.jsonl")
	return nil
}

// adHoc makes one source per seed host: auto kind, that host allowed,
// links followed to depth.
func adHoc(seeds []string, depth int, delay time.Duration, peerOnly bool) ([]crawler.Source, error) {
	byHost := map[string]*crawler.Source{}
	var order []string
	for _, s := range seeds {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			return nil, fmt.Errorf("seed %q is not an http(s) URL", s)
		}
		h := strings.ToLower(u.Host)
		if byHost[h] == nil {
			byHost[h] = &crawler.Source{Name: h, AllowedHosts: []string{strings.ToLower(u.Hostname())},
				MaxDepth: depth, Delay: crawler.Duration(delay), PeerOnly: peerOnly}
			order = append(order, h)
		}
		byHost[h].Seeds = append(byHost[h].Seeds, s)
	}
	out := make([]crawler.Source, 0, len(order))
	for _, h := range order {
		out = append(out, *byHost[h])
	}
	return out, nil
}

// writeRecords writes the records file atomically, gzipped for .gz.
func writeRecords(path string, recs []*peerfind.Service) error {
	return crawler.WriteFileAtomic(path, func(f *os.File) error {
		if !strings.HasSuffix(path, ".gz") {
			return ingest.WriteRecords(f, recs)
		}
		zw := gzip.NewWriter(f)
		if err := ingest.WriteRecords(zw, recs); err != nil {
			return err
		}
		return zw.Close()
	})
}

// writeRejects writes the rejects as JSON Lines, atomically.
func writeRejects(path string, rejects []crawler.Reject) error {
	return crawler.WriteFileAtomic(path, func(f *os.File) error {
		enc := json.NewEncoder(f)
		for _, r := range rejects {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// progress shows the crawl's progress on stderr when it is a terminal and
// returns a function that stops it.
func progress(ctx context.Context, c *crawler.Crawler, stderr io.Writer) func() {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(500 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				fmt.Fprint(f, "\r\033[K")
				return
			case <-tk.C:
				p := c.Progress()
				fmt.Fprintf(f, "\r\033[Kfetched %d pages, %.1f pages/s, %d queued", p.Fetched, p.PagesPerSecond(), p.Queued)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
