// Synth writes deterministic synthetic peer-support records (gzipped JSON
// lines that bin/indexer reads) and a search query mix, for benchmarks.
//
//	bin/synth -n 1000000 -seed 1 -out records.jsonl.gz -queries 1000 -queries-out queries.jsonl
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"flag"

	"github.com/peerfind/peerfind/indexer/synth"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 100000, "number of records")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same bytes")
	out := fs.String("out", "", "record file to write (gzipped JSON lines); with -split, the name of the first shard")
	split := fs.Int("split", 0, "at most this many records per file (bin/indexer reads at most 512 MiB per file, about 700,000 records); files are OUT with -001, -002… before .jsonl.gz")
	nq := fs.Int("queries", 0, "number of queries of the mix to write")
	qout := fs.String("queries-out", "", "query mix file to write (JSON lines of search parameters)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" && *qout == "" {
		return fmt.Errorf("nothing to do: give -out and/or -queries-out")
	}
	if *nq > 0 && *qout == "" || *qout != "" && *nq <= 0 {
		return fmt.Errorf("-queries N and -queries-out FILE go together")
	}
	g, err := synth.New(*seed)
	if err != nil {
		return err
	}
	if *out != "" {
		files, err := synth.WriteFiles(ctx, g, *out, *n, *split)
		if err != nil {
			return err
		}
		for _, f := range files {
			fmt.Fprintln(stdout, f)
		}
	}
	if *qout != "" {
		f, err := os.Create(*qout)
		if err != nil {
			return err
		}
		if err := g.WriteQueries(f, *nq); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintln(stdout, *qout)
	}
	return nil
}
