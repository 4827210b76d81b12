// Bench is the benchmark harness (make bench): for each size it generates
// records (indexer/synth), builds an index with bin/indexer, serves it with
// bin/searchd on 127.0.0.1 and measures it with the query mix; the figures
// go to the terminal as a table and to -results as JSON and markdown.
// docs/performance.md says what each figure means.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/peerfind/peerfind/indexer/synth"
	"github.com/peerfind/peerfind/searchd/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// recordsPerFile keeps each generated file under bin/indexer's 512 MiB
// limit on a record file (synthetic records are about 1 KiB).
const recordsPerFile = 250000

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "100000,1000000", "comma-separated record counts to benchmark")
	seed := fs.Uint64("seed", 1, "generator seed (records and queries)")
	work := fs.String("work", filepath.Join(os.TempDir(), "peerfind-bench"), "work folder: generated records (cached), indexes, answers, logs")
	results := fs.String("results", "bench-results", "folder for results.json and results.md")
	records := fs.String("records", "", "comma-separated external record files (anything bin/indexer reads) instead of generated records; -sizes is then ignored")
	queries := fs.String("queries", "", "external query file (JSON lines of search parameters) instead of the generated mix")
	nq := fs.Int("num-queries", 1000, "queries in the generated mix")
	clients := fs.String("clients", "1,8", "comma-separated concurrency levels")
	duration := fs.Duration("duration", 20*time.Second, "length of each timed run (per size and level; at most 10m)")
	requests := fs.Int64("requests", 0, "end each timed run after this many requests (0: only -duration bounds it)")
	warmup := fs.Duration("warmup", 5*time.Second, "untimed load before the timed runs, after one pass over every query")
	indexerBin := fs.String("indexer", "bin/indexer", "the indexer binary")
	searchdBin := fs.String("searchd", "bin/searchd", "the searchd binary")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c := bench.Config{
		Seed: *seed, Work: *work, Indexer: *indexerBin, Searchd: *searchdBin, Queries: *queries,
		NumQueries: *nq, Duration: *duration, Requests: *requests, Warmup: *warmup, Log: stderr,
	}
	var err error
	if c.Sizes, err = ints(*sizes); err != nil {
		return fmt.Errorf("-sizes: %w", err)
	}
	if c.Clients, err = ints(*clients); err != nil {
		return fmt.Errorf("-clients: %w", err)
	}
	if *records != "" {
		c.Records = strings.Split(*records, ",")
	}
	g, err := synth.New(*seed)
	if err != nil {
		return err
	}
	c.Generate = func(ctx context.Context, dir string, n int) ([]string, error) {
		return synth.WriteFiles(ctx, g, filepath.Join(dir, "records.jsonl.gz"), n, recordsPerFile)
	}
	c.GenerateQueries = func(ctx context.Context, path string, n int) error {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := g.WriteQueries(f, n); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	res, err := bench.Run(ctx, c)
	if res != nil {
		res.Command = "bin/bench " + strings.Join(args, " ")
		if err := res.Save(*results); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
		res.WriteTable(stdout)
		fmt.Fprintf(stdout, "\nresults in %s/results.json and results.md\n", *results)
	}
	return err
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}
