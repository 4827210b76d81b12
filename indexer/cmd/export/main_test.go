package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	in := filepath.Join("..", "..", "ingest", "tabular", "testdata", "hsds30")
	args := []string{"-ndjson", filepath.Join(dir, "hsds.ndjson"), "-package", filepath.Join(dir, "pkg"),
		"-meeting-guide", filepath.Join(dir, "mg.json"), "-records", filepath.Join(dir, "recs.jsonl"), in}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "exported 1 records") {
		t.Errorf("stderr: %s", stderr.String())
	}
	for _, f := range []string{"hsds.ndjson", "pkg/datapackage.json", "pkg/services.csv", "mg.json", "recs.jsonl"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if err := run(context.Background(), nil, &stdout, &stderr); err == nil {
		t.Error("no error without outputs")
	}
}
