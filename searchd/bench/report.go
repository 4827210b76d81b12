package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Columns are the headings of the results table, one row per size and
// concurrency level.
var Columns = []string{"records", "build s", "records/s", "index MiB", "indexer peak MiB",
	"searchd RSS MiB (warm/max)", "of which heap/index pages MiB", "clients", "queries/s", "p50 ms", "p95 ms", "p99 ms", "errors"}

// Rows returns the table's cells.
func (r *Results) Rows() [][]string {
	var rows [][]string
	for _, s := range r.Sizes {
		head := []string{
			strconv.Itoa(s.Records),
			f1(s.BuildS),
			f0(s.RecordsPerS),
			f1(float64(s.IndexBytes) / (1 << 20)),
			f0(float64(s.IndexerPeakRSSKB) / 1024),
			f0(float64(s.SearchdRSSWarmKB)/1024) + "/" + f0(float64(s.SearchdRSSMaxKB)/1024),
			f0(float64(s.SearchdAnonKB)/1024) + "/" + f0(float64(s.SearchdFileKB)/1024),
		}
		if s.Error != "" && len(s.Loads) == 0 {
			rows = append(rows, append(head, "failed: "+clip(s.Error, 60), "", "", "", "", ""))
			continue
		}
		for i, l := range s.Loads {
			row := append([]string(nil), head...)
			if i > 0 {
				for j := range row {
					row[j] = ""
				}
			}
			row = append(row, strconv.Itoa(l.Concurrency), f1(l.QPS), f1(l.P50ms), f1(l.P95ms), f1(l.P99ms),
				fmt.Sprintf("%d/%d", l.Errors, l.Requests))
			rows = append(rows, row)
		}
	}
	return rows
}

// WriteTable writes the results as an aligned text table.
func (r *Results) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(Columns, "\t")+"\t")
	for _, row := range r.Rows() {
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	return tw.Flush()
}

// WriteMarkdown writes the results as a markdown table with the command,
// the host and the query file.
func (r *Results) WriteMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "Run %s on %s: `%s`\n\n", r.Date, r.Host, r.Command)
	fmt.Fprintf(w, "%d queries from %s; %gs warm-up, then %gs per concurrency level.\n\n", r.NumQueries, r.QueryFile, r.WarmupS, r.DurationS)
	fmt.Fprintln(w, "| "+strings.Join(Columns, " | ")+" |")
	fmt.Fprintln(w, strings.Repeat("|---:", len(Columns))+"|")
	for _, row := range r.Rows() {
		fmt.Fprintln(w, "| "+strings.Join(row, " | ")+" |")
	}
	for _, s := range r.Sizes {
		if s.Error != "" {
			fmt.Fprintf(w, "\n%d records: %s\n", s.Records, s.Error)
		}
		for _, l := range s.Loads {
			if l.FirstError != "" {
				fmt.Fprintf(w, "\n%d records, %d clients: first error: %s\n", s.Records, l.Concurrency, l.FirstError)
			}
		}
	}
	return nil
}

// Save writes results.json and results.md into dir.
func (r *Results) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	var md strings.Builder
	r.WriteMarkdown(&md)
	return os.WriteFile(filepath.Join(dir, "results.md"), []byte(md.String()), 0o644)
}

func f0(x float64) string { return strconv.FormatFloat(x, 'f', 0, 64) }
func f1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
