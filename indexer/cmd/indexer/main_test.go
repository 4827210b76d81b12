package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer"
)

func TestRunInputs(t *testing.T) {
	for _, tc := range []struct {
		name      string
		inputs    []string
		wantOut   []*regexp.Regexp
		wantErr   string
		wantCount uint64
	}{
		{
			name:    "Meeting Guide feed and Ohana export, detected",
			inputs:  []string{"../../ingest/testdata/eda.json", "../../ingest/testdata/smc_services.mongo.jsonl.gz"},
			wantOut: []*regexp.Regexp{regexp.MustCompile(`eda\.json: read \d+, kept \d+`), regexp.MustCompile(`indexed \d+ records into .* docs/s\); rejected \d+`)},
		},
		{
			name:      "record file with invalid records",
			inputs:    []string{"../../testdata/records.jsonl"},
			wantOut:   []*regexp.Regexp{regexp.MustCompile(`rejected \d+ \(reasons in .*rejected\.jsonl\)`)},
			wantCount: 9,
		},
		{name: "missing file", inputs: []string{"testdata/nope.json"}, wantErr: "nope.json"},
		{name: "not a known format", inputs: []string{"../../ingest/testdata/text.txt"}, wantErr: "text.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "index")
			var out bytes.Buffer
			err := run(context.Background(), append([]string{"-q", "-out", dir}, tc.inputs...), &out, &out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			for _, re := range tc.wantOut {
				if !re.MatchString(out.String()) {
					t.Errorf("output lacks %s:\n%s", re, out.String())
				}
			}
			tax, _ := data.Taxonomy()
			idx, err := indexer.Open(dir, tax)
			if err != nil {
				t.Fatal(err)
			}
			defer idx.Close()
			n, _ := idx.DocCount()
			if n == 0 || (tc.wantCount != 0 && n != tc.wantCount) {
				t.Errorf("index holds %d records, want %d (or some)", n, tc.wantCount)
			}
		})
	}
}

func TestRunNeedsOut(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), nil, &out, &out); err == nil || !strings.Contains(out.String(), "usage") {
		t.Errorf("run without -out: err %v, output %q", err, out.String())
	}
}

// TestMemTotal: the machine's memory is read (on Linux, where the
// indexer's memory limit comes from it) and is plausible.
func TestMemTotal(t *testing.T) {
	if _, err := os.Stat("/proc/meminfo"); err != nil {
		t.Skip("skipping: no /proc/meminfo on this system; the indexer then sets no memory limit")
	}
	if got := memTotal(); got < 64<<20 || got > 1<<50 {
		t.Fatalf("memTotal() = %d bytes", got)
	}
}
