// Searchd serves peerfind's search API over HTTP from an index built by
// bin/indexer.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	hsdsprofile "github.com/peerfind/peerfind/data/hsds-profile"
	"github.com/peerfind/peerfind/indexer"
	"github.com/peerfind/peerfind/indexer/geocode"
	"github.com/peerfind/peerfind/searchd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "searchd:", err)
		os.Exit(1)
	}
}

// run parses the flags, opens the index and serves until ctx is done, then
// shuts down gracefully. It prints the URL it serves at to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("searchd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	indexDir := fs.String("index", "data/index.bleve", "index directory built by bin/indexer")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	drain := fs.Duration("shutdown-timeout", 10*time.Second, "how long to let requests finish on shutdown")
	origins := fs.String("cors-origins", "", "comma-separated origins allowed to call the API from a browser (e.g. https://clinic.example); empty allows any site")
	dev := fs.Bool("dev", false, "serve the widget from searchd/widget on disk (edit and reload, no rebuild)")
	streets := fs.String("street-geocoder", "", "optional Nominatim-compatible search URL (e.g. http://127.0.0.1:8088/search) for street addresses the offline gazetteer cannot place; the typed address is sent there, nothing else is; empty: fully offline")
	opsf := addOpsFlags(fs) // ops.go
	pprofAddr := fs.String("pprof", "", "serve Go's profiler (net/http/pprof) on this loopback address (e.g. 127.0.0.1:6060); empty: off")
	heapLimit := fs.String("heap-limit", "auto", "soft limit of the Go heap (the collector works harder near it): auto (from what the open index holds, see memory.go), 0 for none, or a size such as 768MiB; GOMEMLIMIT overrides it")
	// Every flag may come from the environment (PEERFIND_INDEX, ...); the
	// command line overrides it.
	if err := applyEnv(fs, os.LookupEnv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	heap, err := parseHeapLimit(*heapLimit)
	if err != nil {
		return err
	}
	if err := opsf.check(); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (flags go before them; see -h)", fs.Args())
	}
	var h slog.Handler = slog.NewTextHandler(stderr, nil)
	if *logFormat == "json" {
		h = slog.NewJSONHandler(stderr, nil)
	} else if *logFormat != "text" {
		return fmt.Errorf("-log-format must be text or json, not %q", *logFormat)
	}
	logger := slog.New(h)

	if *pprofAddr != "" {
		if err := servePprof(ctx, *pprofAddr, logger); err != nil {
			return err
		}
	}
	tax, err := data.Taxonomy()
	if err != nil {
		return err
	}
	gaz, err := geocode.New(data.GazetteerFS, geocode.WithBoundariesFS(data.BoundariesFS))
	if err != nil {
		return fmt.Errorf("load gazetteer: %w", err)
	}
	// The Reloader swaps in new generations of the index (SIGHUP, or a
	// change of INDEX/current) without dropping a request.
	idx, err := indexer.OpenReloader(*indexDir, tax, indexer.ReloadOptions{Logger: logger})
	if err != nil {
		return err
	}
	defer idx.Close()
	heap.apply(logger)                             // memory.go
	watchIndex(ctx, idx, *opsf.reloadPoll, logger) // ops.go
	n, err := idx.DocCount()
	if err != nil {
		return fmt.Errorf("count index: %w", err)
	}

	crisis, err := data.Crisis()
	if err != nil {
		return err
	}
	lines, err := data.NationalLines()
	if err != nil {
		return err
	}
	var geocoder peerfind.Geocoder = gaz
	if *streets != "" {
		if u, err := url.Parse(*streets); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("-street-geocoder: %q is not an http(s) URL", *streets)
		}
		geocoder = geocode.WithStreets{Gazetteer: gaz, Streets: &geocode.Streets{Endpoint: *streets, UserAgent: "peerfind searchd (+https://github.com/peerfind/peerfind)"}}
		logger.Info("street addresses go to the street geocoder", "url", *streets)
	}
	srv := &searchd.Server{Searcher: idx, Geocoder: geocoder, Taxonomy: tax, Crisis: crisis, Lines: lines, Logger: logger, PlaceAttribution: data.GazetteerAttribution}
	for _, o := range strings.Split(*origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			if !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") {
				return fmt.Errorf("-cors-origins: %q is not an origin such as https://clinic.example", o)
			}
			srv.AllowedOrigins = append(srv.AllowedOrigins, strings.TrimSuffix(o, "/"))
		}
	}
	if *dev {
		srv.WidgetFS = os.DirFS("searchd/widget")
	}
	srv.Ops = opsf.ops()
	srv.HSDSProfile = hsdsprofile.FS
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(h, slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	url := "http://" + ln.Addr().String()
	logger.Info("serving", "records", n, "index", idx.Path(), "url", url)
	fmt.Fprintf(stdout, "peerfind is serving %d records at %s/\n", n, url)
	fmt.Fprintf(stdout, "try: %s/api/v1/search?q=support+group&near=95112&radius=10mi&sort=distance\n", url)

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), *drain)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
