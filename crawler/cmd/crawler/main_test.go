package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest"
)

// fixtureSite serves an index page, a JSON-LD group page and a Meeting
// Guide feed from the crawler's testdata.
func fixtureSite(t *testing.T) *httptest.Server {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	group, feed := read("group.html"), read("meetings.json")
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /admin/\n")
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><a href="/groups/grief.html#top">Grief</a> <a href="/admin/">admin</a></body></html>`)
	})
	mux.HandleFunc("/groups/grief.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(group)
	})
	mux.HandleFunc("/meetings.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(feed)
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestRunSourcesFile(t *testing.T) {
	s := fixtureSite(t)
	dir := t.TempDir()
	sources := filepath.Join(dir, "sources.yaml")
	yaml := fmt.Sprintf(`sources:
  - name: Sacramento Peer Network
    seeds: [%[1]s/]
    max_depth: 1
    delay: 10ms
    peer_only: true
    license: CC-BY-4.0
    attribution: Sacramento Peer Network
  - name: AA Test Intergroup
    seeds: [%[1]s/meetings.json]
    kind: meeting-guide
    delay: 10ms
`, s.URL)
	if err := os.WriteFile(sources, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "crawl", "records.jsonl.gz")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := run(ctx, []string{"-sources", sources, "-out", out, "-state", filepath.Join(dir, "state.json")}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	recs, rep, err := ingest.ReadFile(ctx, out, tax)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) != 0 {
		t.Errorf("indexer skipped %v", rep.Skipped)
	}
	names := map[string]bool{}
	for _, r := range recs {
		if err := r.Validate(tax); err != nil {
			t.Errorf("%s: %v", r.ID, err)
		}
		names[r.Name] = true
	}
	for _, want := range []string{"Thursday Grief Support Circle", "Serenity Seekers", "Women in Recovery", "Online Big Book Study"} {
		if !names[want] {
			t.Errorf("no record %q in %v", want, names)
		}
	}
	if len(recs) != 4 {
		t.Errorf("%d records, want 4", len(recs))
	}
	rej, err := os.ReadFile(out + ".rejects.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rej), "robots.txt") {
		t.Errorf("rejects do not list the robots.txt exclusion:\n%s", rej)
	}
	for _, want := range []string{"pages fetched", "skipped by robots.txt: 1", "AA Test Intergroup / meeting-guide: 3"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestRunAdHocSeeds(t *testing.T) {
	s := fixtureSite(t)
	out := filepath.Join(t.TempDir(), "records.jsonl")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := run(ctx, []string{"-out", out, "-delay", "10ms", "-peer-only", s.URL + "/", s.URL + "/meetings.json"}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	tax, _ := data.Taxonomy()
	recs, _, err := ingest.ReadFile(ctx, out, tax)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		rej, _ := os.ReadFile(out + ".rejects.jsonl")
		t.Errorf("%d records, want 4\n%s\n%s", len(recs), stderr.String(), rej)
	}
}

func TestRunUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	for _, args := range [][]string{{}, {"-out", "x.jsonl"}, {"-out", "x.jsonl", "ftp://x"}} {
		if err := run(context.Background(), args, &stdout, &stderr); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
