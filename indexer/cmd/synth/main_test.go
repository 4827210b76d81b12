package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	out := func(name string, args ...string) string {
		t.Helper()
		var stdout bytes.Buffer
		if err := run(context.Background(), args, &stdout, io.Discard); err != nil {
			t.Fatalf("synth %s: %v", strings.Join(args, " "), err)
		}
		return stdout.String()
	}
	a := filepath.Join(dir, "a.jsonl.gz")
	out("a", "-n", "50", "-seed", "3", "-out", a, "-queries", "20", "-queries-out", filepath.Join(dir, "q.jsonl"))
	split := out("split", "-n", "50", "-seed", "3", "-split", "20", "-out", filepath.Join(dir, "b.jsonl.gz"))
	files := strings.Fields(split)
	if len(files) != 3 || !strings.HasSuffix(files[0], "b-001.jsonl.gz") {
		t.Fatalf("-split 20 of 50 wrote %q, want b-001…b-003", files)
	}
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		recs, rep, err := ingest.ReadFile(context.Background(), f, tax)
		if err != nil || len(rep.Skipped) > 0 {
			t.Fatalf("read %s: %v, skipped %v", f, err, rep.Skipped)
		}
		n += len(recs)
	}
	whole, _, err := ingest.ReadFile(context.Background(), a, tax)
	if err != nil || len(whole) != 50 || n != 50 {
		t.Fatalf("read %d records whole (%v) and %d split, want 50", len(whole), err, n)
	}
	q, err := os.ReadFile(filepath.Join(dir, "q.jsonl"))
	if err != nil || bytes.Count(q, []byte("\n")) != 20 {
		t.Errorf("query file: %v, %d lines, want 20", err, bytes.Count(q, []byte("\n")))
	}
	if err := run(context.Background(), []string{"-n", "5"}, io.Discard, io.Discard); err == nil {
		t.Errorf("no -out: no error")
	}
}
