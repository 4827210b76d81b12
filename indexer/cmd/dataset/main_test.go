package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

// TestShippedDataUpToDate rebuilds the dataset from the shared data and
// checks that it is byte for byte the one in data/records: the build is
// deterministic and the shipped files are current.
func TestShippedDataUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds the dataset")
	}
	root := filepath.Join("..", "..", "..")
	shared := filepath.Join(root, "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(shared, "meeting-guide-feeds")); err != nil {
		t.Skip("no shared data:", err)
	}
	out := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	args := []string{"-shared", shared, "-out", out, "-taxonomy", filepath.Join(root, "data", "taxonomy", "taxonomy.json")}
	if err := run(context.Background(), args, log); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"meeting-guide.jsonl.gz", "san-mateo-ohana.jsonl.gz", "REPORT.md", "README.md"} {
		got, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		shipped, err := os.ReadFile(filepath.Join(root, "data", "records", f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, shipped) {
			t.Errorf("data/records/%s differs from a fresh build; run go run ./indexer/cmd/dataset", f)
		}
	}
}
