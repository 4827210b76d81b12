package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer"
)

// TestKillDuringBuild kills bin/indexer with SIGKILL at several points of a
// build of the shipped dataset over an existing index: after each kill the
// directory still serves a whole generation (the old one or the new one,
// never a part), and a build run to the end is picked up.
func TestKillDuringBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and the shipped dataset; skipped with -short")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "indexer")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := data.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "index")
	// The index being served: a small one.
	if _, err := indexer.Build(context.Background(), dir, recs[:50], indexer.BuildOptions{Taxonomy: tax}); err != nil {
		t.Fatal(err)
	}
	r, err := indexer.OpenReloader(dir, tax, indexer.ReloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	check := func(when string, want ...uint64) {
		t.Helper()
		// A fresh process would open this...
		fresh, err := indexer.OpenReloader(dir, tax, indexer.ReloadOptions{})
		if err != nil {
			t.Fatalf("%s: the index does not open: %v", when, err)
		}
		n, _ := fresh.DocCount()
		fresh.Close()
		// ...and the running one reloads it, or keeps what it has.
		if err := r.Reload(context.Background(), false); err != nil && err != indexer.ErrUnchanged {
			t.Fatalf("%s: reload: %v", when, err)
		}
		m, _ := r.DocCount()
		for _, w := range want {
			if n == w && m == w {
				return
			}
		}
		t.Fatalf("%s: a fresh open has %d records, the running reloader %d; want one of %v", when, n, m, want)
	}

	for _, after := range []time.Duration{100 * time.Millisecond, 600 * time.Millisecond, 1500 * time.Millisecond, 2500 * time.Millisecond} {
		cmd := exec.Command(bin, "-out", dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Kill() // SIGKILL
		err := cmd.Wait()
		if err == nil {
			t.Logf("the build finished within %v", after)
		}
		check("killed after "+after.String(), 50, uint64(len(recs)))
	}
	if out, err := exec.Command(bin, "-out", dir).CombinedOutput(); err != nil {
		t.Fatalf("a full build: %v\n%s", err, out)
	}
	check("after a full build", uint64(len(recs)))
	// Leftovers of the killed builds are only .building- folders, which
	// nothing points at.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Log(e.Name())
	}
}
