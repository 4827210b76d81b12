package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peerfind/peerfind/searchd/load"
)

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{in: `{"q":"depression","near":"40.71,-74.00","radius":"25km","lang":"es","page":"3"}`,
			want: "lang=es&near=40.71%2C-74.00&page=3&q=depression&radius=25km"},
		{in: `{"lang":["en","es"],"page":2,"open_now":true}`, want: "lang=en&lang=es&open_now=true&page=2"},
		{in: `{}`, want: ""},
		{in: `{"q":{"x":1}}`, bad: true},
		{in: `not json`, bad: true},
	} {
		got, err := ParseQuery([]byte(tc.in))
		if tc.bad {
			if err == nil {
				t.Errorf("ParseQuery(%s) = %q, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseQuery(%s) = %q, %v, want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestReadQueries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.jsonl")
	os.WriteFile(path, []byte("# a comment\n{\"q\":\"grief\"}\n\n{\"near\":\"95112\"}\n"), 0o644)
	got, err := ReadQueries(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"q=grief", "near=95112"}, got); diff != "" {
		t.Errorf("ReadQueries (-want +got):\n%s", diff)
	}
	os.WriteFile(path, []byte("\n"), 0o644)
	if _, err := ReadQueries(path); err == nil {
		t.Errorf("ReadQueries of an empty file: no error")
	}
}

func TestTable(t *testing.T) {
	r := &Results{Sizes: []*SizeResult{{
		Records: 10000, Indexed: 10000, BuildS: 12.34, RecordsPerS: 810.4, IndexBytes: 42 << 20,
		IndexerPeakRSSKB: 350 * 1024, SearchdRSSWarmKB: 100 * 1024, SearchdRSSMaxKB: 120 * 1024,
		SearchdAnonKB: 60 * 1024, SearchdFileKB: 40 * 1024,
		Loads: []*load.Report{
			{Concurrency: 1, QPS: 150.04, P50ms: 3.6, P95ms: 22.4, P99ms: 42.8, Requests: 3000},
			{Concurrency: 8, QPS: 300, P50ms: 20, P95ms: 60, P99ms: 90, Requests: 6000, Errors: 2},
		},
	}, {Records: 1000000, Error: "indexer: signal: killed"}}}
	want := [][]string{
		{"10000", "12.3", "810", "42.0", "350", "100/120", "60/40", "1", "150.0", "3.6", "22.4", "42.8", "0/3000"},
		{"", "", "", "", "", "", "", "8", "300.0", "20.0", "60.0", "90.0", "2/6000"},
		{"1000000", "0.0", "0", "0.0", "0", "0/0", "0/0", "failed: indexer: signal: killed", "", "", "", "", ""},
	}
	if diff := cmp.Diff(want, r.Rows()); diff != "" {
		t.Errorf("Rows (-want +got):\n%s", diff)
	}
	var b strings.Builder
	r.WriteTable(&b)
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("table has %d lines, want 4:\n%s", len(lines), b.String())
	}
	// Right-aligned columns: every line has the same length.
	for _, l := range lines[1:] {
		if len(l) != len(lines[0]) {
			t.Errorf("table lines differ in length:\n%s", b.String())
			break
		}
	}
	var md strings.Builder
	r.WriteMarkdown(&md)
	if !strings.Contains(md.String(), "| 10000 | 12.3 | 810 |") || !strings.Contains(md.String(), "indexer: signal: killed") {
		t.Errorf("markdown lacks the figures or the error:\n%s", md.String())
	}
}

func TestDirSize(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755)
	os.WriteFile(filepath.Join(dir, "x"), make([]byte, 100), 0o644)
	os.WriteFile(filepath.Join(dir, "a", "b", "y"), make([]byte, 23), 0o644)
	os.Symlink("x", filepath.Join(dir, "link"))
	if got, err := dirSize(dir); err != nil || got != 123 {
		t.Errorf("dirSize = %d, %v, want 123", got, err)
	}
}
