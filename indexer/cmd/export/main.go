// The export command writes peerfind's directory as HSDS 3.0 NDJSON, as an
// HSDS 3.0 tabular data package and as a Meeting Guide feed.
//
//	bin/export -ndjson out/hsds.ndjson -package out/hsds -meeting-guide out/meeting-guide.json [inputs...]
//
// Without inputs it exports the shipped records (data/records); inputs are
// anything ingest.ReadFile reads: record files, Meeting Guide feeds, Ohana
// exports, HSDS JSON, and folders of HSDS CSV tables.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/export"
	"github.com/peerfind/peerfind/indexer/ingest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "export:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("export", flag.ContinueOnError)
	fl.SetOutput(stderr)
	ndjson := fl.String("ndjson", "", "write HSDS 3.0 services, one per line, to this file (- for stdout)")
	pkg := fl.String("package", "", "write an HSDS 3.0 tabular data package (CSV tables + datapackage.json) into this folder")
	mg := fl.String("meeting-guide", "", "write the recurring groups as a Meeting Guide feed to this file (- for stdout)")
	records := fl.String("records", "", "also write the records read as peerfind JSON lines to this file")
	quiet := fl.Bool("q", false, "do not print the import reports")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: export [-ndjson FILE] [-package DIR] [-meeting-guide FILE] [-records FILE] [inputs...]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *ndjson == "" && *pkg == "" && *mg == "" && *records == "" {
		fl.Usage()
		return fmt.Errorf("nothing to write: give -ndjson, -package, -meeting-guide or -records")
	}
	tax, err := data.Taxonomy()
	if err != nil {
		return err
	}
	var recs []*peerfind.Service
	if fl.NArg() == 0 {
		rs, rep, err := data.Records(ctx)
		if err != nil {
			return err
		}
		if !*quiet && rep != nil {
			fmt.Fprintln(stderr, rep.Summary())
		}
		recs = rs
	}
	seen := map[string]bool{}
	for _, in := range fl.Args() {
		rs, rep, err := ingest.ReadFile(ctx, in, tax)
		if err != nil {
			return err
		}
		if !*quiet && rep != nil {
			fmt.Fprintln(stderr, rep.Summary())
		}
		for _, s := range rs {
			if seen[s.ID] {
				fmt.Fprintf(stderr, "%s: duplicate id %s skipped\n", in, s.ID)
				continue
			}
			seen[s.ID] = true
			recs = append(recs, s)
		}
	}
	write := func(path string, fn func(io.Writer) error) error {
		if path == "-" {
			return fn(stdout)
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if *ndjson != "" {
		if err := write(*ndjson, func(w io.Writer) error { return export.WriteNDJSON(w, recs, tax) }); err != nil {
			return err
		}
	}
	if *mg != "" {
		if err := write(*mg, func(w io.Writer) error { return export.WriteMeetingGuide(w, recs, tax) }); err != nil {
			return err
		}
	}
	if *records != "" {
		if err := write(*records, func(w io.Writer) error { return ingest.WriteRecords(w, recs) }); err != nil {
			return err
		}
	}
	if *pkg != "" {
		if err := export.WritePackage(*pkg, recs, tax); err != nil {
			return err
		}
	}
	if !*quiet {
		fmt.Fprintf(stderr, "exported %d records\n", len(recs))
	}
	return nil
}
