package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// shipped is the gazetteer folder this command writes to, from this
// package's folder.
const shipped = "../../../data/gazetteer"

// TestShippedUpToDate rebuilds the gazetteer from shared/data and checks
// that the shipped files hold the same content, so nobody edits them by
// hand or forgets to rebuild. gzip files are compared decompressed, so a
// change in compress/flate's output across Go releases is not a failure.
func TestShippedUpToDate(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(shared, simplemapsSrc)); err != nil {
		t.Skipf("no shared data beside the repository: %v", err)
	}
	if testing.Short() {
		t.Skip("rebuilds the gazetteer")
	}
	g, err := build(shared)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	dir := t.TempDir()
	if _, err := g.write(dir); err != nil {
		t.Fatalf("write: %v", err)
	}
	for _, name := range []string{"zips.csv.gz", "places.csv.gz", "states.csv", "README.md"} {
		got, want := content(t, filepath.Join(dir, name)), content(t, filepath.Join(shipped, name))
		if !bytes.Equal(got, want) {
			t.Errorf("data/gazetteer/%s is out of date: rerun go run ./indexer/cmd/gazetteer -shared ../shared/data -out data/gazetteer", name)
		}
	}

	// The counts the geocoder relies on.
	if got := len(g.states); got != 52 {
		t.Errorf("%d states, want 52 (50, DC and PR)", got)
	}
	if got := g.stats.ZCTA; got < 33700 {
		t.Errorf("%d ZCTAs, want about 33,774", got)
	}
	if got := len(g.places); got < 31254 {
		t.Errorf("%d places, want at least simplemaps' 31,254", got)
	}
}

// TestDeterministic checks that the gzip output depends only on the rows.
func TestDeterministic(t *testing.T) {
	rows := [][]string{{"a", "b"}, {"1", "x, y"}}
	a, err := gzipCSV(rows)
	if err != nil {
		t.Fatal(err)
	}
	b, err := gzipCSV(rows)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("gzipCSV gave different bytes for the same rows")
	}
	zr, err := gzip.NewReader(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if !zr.ModTime.IsZero() || zr.Name != "" {
		t.Errorf("gzip header has ModTime %v, Name %q; want neither", zr.ModTime, zr.Name)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a,b\n1,\"x, y\"\n"; string(raw) != want {
		t.Errorf("content %q, want %q", raw, want)
	}
}

// content returns a file's bytes, gunzipped if its name ends in .gz.
func content(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Ext(path) != ".gz" {
		return b
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return raw
}
