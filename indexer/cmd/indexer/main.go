// Indexer builds peerfind's search index from record files, Meeting Guide
// feeds or Ohana exports; with no inputs it indexes the shipped dataset.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/sync/errgroup"
	"golang.org/x/term"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer"
	"github.com/peerfind/peerfind/indexer/geocode"
	"github.com/peerfind/peerfind/indexer/ingest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "indexer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("indexer", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("out", "", "index directory to build into (required); the new index is swapped in when complete")
	quiet := fl.Bool("q", false, "no progress bar")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the read and the build to this file")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: indexer -out DIR [INPUT...]\n\n"+
			"INPUT is a peerfind record file (.jsonl, .jsonl.gz), a Meeting Guide JSON feed\n"+
			"or an Ohana export; the format is detected from the content. With no INPUT\n"+
			"the shipped dataset (data/records) is indexed.\n\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		fl.Usage()
		return fmt.Errorf("-out is required")
	}
	tax, err := data.Taxonomy()
	if err != nil {
		return err
	}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	var recs []*peerfind.Service
	var reports []*peerfind.Report
	if fl.NArg() == 0 {
		rs, rep, err := data.Records(ctx)
		if err != nil {
			return err
		}
		recs, reports = rs, append(reports, rep)
	}
	rs, reps, err := readFiles(ctx, fl.Args(), tax)
	if err != nil {
		return err
	}
	recs, reports = append(recs, rs...), append(reports, reps...)
	for _, rep := range reports {
		fmt.Fprintln(stdout, rep.Summary())
	}
	fmt.Fprintf(stdout, "read %d records in %s\n", len(recs), time.Since(start).Round(time.Millisecond))

	// Service areas given by name ("Travis County, TX") are resolved
	// against the shipped boundaries.
	gaz, err := geocode.New(data.GazetteerFS, geocode.WithBoundariesFS(data.BoundariesFS))
	if err != nil {
		return fmt.Errorf("load gazetteer: %w", err)
	}
	opts := indexer.BuildOptions{Taxonomy: tax, Areas: gaz.ServiceAreas()}
	for _, rep := range reports {
		for _, s := range rep.Skipped {
			opts.Skipped = append(opts.Skipped, indexer.Rejection{ID: s.Item, Source: rep.Source, Reason: s.Reason})
		}
	}
	if f, ok := stderr.(*os.File); ok && !*quiet && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(len(recs),
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("indexing"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("docs"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		opts.Progress = func(done int) { bar.Set(done) }
		defer bar.Finish()
	}
	if os.Getenv("GOGC") == "" {
		// While the build holds the records, a heap of pointers the
		// collector walks at every cycle, collecting less often is a fifth
		// of its time for some more memory. Once they are encoded (a
		// heap the collector does not walk), the default takes the
		// segments' garbage as fast and keeps the peak at about half
		// (4.0 against 7.5 GB at a million records).
		debug.SetGCPercent(400)
		opts.Encoded = func() { debug.SetGCPercent(100) }
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// But not more than the machine has: the records alone are about
		// 7 GB at a million, and 400% of that is more than most machines
		// hold. Near the limit the collector runs as often as it must.
		if total := memTotal(); total > 0 {
			debug.SetMemoryLimit(total / 10 * 6)
		}
	}
	stats, err := indexer.Build(ctx, *out, recs, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "indexed %d records into %s in %s (%.0f docs/s); rejected %d",
		stats.Indexed, *out, stats.Duration.Round(time.Millisecond), stats.DocsPerSecond(), stats.Rejected)
	if stats.Rejected > 0 {
		fmt.Fprintf(stdout, " (reasons in %s)", path.Join(*out, "rejected.jsonl"))
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "build steps: %s\n", stats.PhaseSummary())
	if stats.AreasUnresolved > 0 {
		fmt.Fprintf(stdout, "%d service areas are known only by a name the boundaries do not resolve; they are kept as text\n", stats.AreasUnresolved)
	}
	return nil
}

// readFiles reads the input files, as many at a time as there are cores
// (a million records in four files took 42 s one after the other), and
// returns their records and reports in the order of the files.
func readFiles(ctx context.Context, paths []string, tax *peerfind.Taxonomy) ([]*peerfind.Service, []*peerfind.Report, error) {
	recs := make([][]*peerfind.Service, len(paths))
	reports := make([]*peerfind.Report, len(paths))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, in := range paths {
		g.Go(func() error {
			rs, rep, err := ingest.ReadFile(gctx, in, tax)
			if err != nil {
				return fmt.Errorf("read %s: %w", in, err)
			}
			recs[i], reports[i] = rs, rep
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	return slices.Concat(recs...), reports, nil
}

// memTotal is the machine's physical memory in bytes (MemTotal of
// /proc/meminfo), or 0 where that cannot be read.
func memTotal() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}
