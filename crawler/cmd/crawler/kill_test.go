package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/peerfind/peerfind/crawler"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest"
)

// TestKillDuringCrawl kills bin/crawler with SIGKILL at several points of
// a crawl that has a state file and an output from an earlier run: after
// each kill the state still loads and holds what the earlier run saw, and
// the output is whole (the old one or a new one, never a part). A run to
// the end afterwards gives every group again.
func TestKillDuringCrawl(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the crawler as a process several times")
	}
	site := newSharedSite(t)
	site.solo = true
	dir := t.TempDir()
	sources := filepath.Join(dir, "sources.yaml")
	yaml := fmt.Sprintf("sources:\n  - name: Kill Test Network\n    seeds: [%s/]\n    max_depth: 5\n    delay: 20ms\n    peer_only: true\n", site.URL)
	if err := os.WriteFile(sources, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	state, out := filepath.Join(dir, "state.json"), filepath.Join(dir, "records.jsonl.gz")
	crawl := func(killAfter time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, exe, "-sources", sources, "-out", out, "-state", state)
		cmd.Env = append(os.Environ(), asCrawler+"=1")
		cmd.WaitDelay = 5 * time.Second
		if err := cmd.Start(); err != nil {
			return err
		}
		if killAfter > 0 {
			time.AfterFunc(killAfter, func() { cmd.Process.Signal(syscall.SIGKILL) })
		}
		return cmd.Wait()
	}
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	whole := func(when string) {
		t.Helper()
		st, err := crawler.LoadState(state)
		if err != nil {
			t.Fatalf("%s: state does not load: %v", when, err)
		}
		if len(st.Records) < sharedPages {
			t.Errorf("%s: state holds %d records, want at least %d", when, len(st.Records), sharedPages)
		}
		recs, rep, err := ingest.ReadFile(context.Background(), out, tax)
		if err != nil || len(rep.Skipped) > 0 || len(recs) < sharedPages {
			t.Errorf("%s: output: %d records, %v, skipped %v", when, len(recs), err, rep)
		}
	}

	if err := crawl(0); err != nil {
		t.Fatalf("first crawl: %v", err)
	}
	whole("after a full crawl")
	for _, after := range []time.Duration{30 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond, 650 * time.Millisecond, 800 * time.Millisecond, 950 * time.Millisecond} {
		err := crawl(after)
		t.Logf("kill at %v: %v", after, err)
		whole(fmt.Sprintf("after a kill at %v (exit %v)", after, err))
	}
	if err := crawl(0); err != nil {
		t.Fatalf("last crawl: %v", err)
	}
	whole("after a crawl to the end")
}
