package bench

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for bin/indexer and bin/searchd
// (BENCH_FAKE=indexer or searchd), so Run is tested end to end without
// building the real ones.
func TestMain(m *testing.M) {
	switch os.Getenv("BENCH_FAKE") {
	case "indexer":
		fakeIndexer()
		return
	case "searchd":
		fakeSearchd()
		return
	}
	os.Exit(m.Run())
}

func fakeIndexer() {
	fs := flag.NewFlagSet("indexer", flag.ExitOnError)
	out := fs.String("out", "", "")
	fs.Bool("q", false, "")
	fs.Parse(os.Args[1:])
	gen := filepath.Join(*out, "gen-1")
	os.MkdirAll(gen, 0o755)
	os.WriteFile(filepath.Join(gen, "store"), make([]byte, 4096), 0o644)
	os.Symlink("gen-1", filepath.Join(*out, "current"))
	fmt.Printf("indexed %d records into %s in 1s (1 docs/s); rejected 0\n", len(fs.Args())*7, *out)
}

func fakeSearchd() {
	fs := flag.NewFlagSet("searchd", flag.ExitOnError)
	addr := fs.String("addr", "", "")
	fs.String("index", "", "")
	fs.String("rate-limit", "", "")
	fs.String("max-concurrent", "", "")
	fs.String("reload-poll", "", "")
	fs.Parse(os.Args[1:])
	mux := http.NewServeMux()
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"status":"ok"}`)) })
	mux.HandleFunc("/api/v1/search", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("q") == "bad" {
			http.Error(w, `{"error":{}}`, http.StatusBadRequest)
			return
		}
		w.Write([]byte(`{"total":2,"page":1,"results":[{"id":"a"},{"id":"b"}],"facets":{}}`))
	})
	srv := &http.Server{Addr: *addr, Handler: mux}
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		<-c
		srv.Close()
	}()
	srv.ListenAndServe()
}

func TestRun(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	qfile := filepath.Join(work, "mix.jsonl")
	os.WriteFile(qfile, []byte(`{"q":"grief"}`+"\n"+`{"q":"bad"}`+"\n"), 0o644)
	t.Setenv("BENCH_FAKE", "indexer")
	// The children inherit BENCH_FAKE; the fake searchd is told apart by
	// a wrapper script.
	searchd := filepath.Join(work, "searchd.sh")
	os.WriteFile(searchd, []byte("#!/bin/sh\nBENCH_FAKE=searchd exec "+exe+" \"$@\"\n"), 0o755)
	var generated []int
	c := Config{
		Sizes: []int{30}, Seed: 1, Work: work, Indexer: exe, Searchd: searchd, Queries: qfile,
		Clients: []int{1, 2}, Duration: 2 * time.Second, Requests: 20, Warmup: 100 * time.Millisecond,
		Generate: func(ctx context.Context, dir string, n int) ([]string, error) {
			generated = append(generated, n)
			f := filepath.Join(dir, "r.jsonl")
			return []string{f}, os.WriteFile(f, nil, 0o644)
		},
	}
	res, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	s := res.Sizes[0]
	if s.Error != "" {
		t.Fatalf("size failed: %s", s.Error)
	}
	if s.Records != 30 || s.Indexed != 7 || s.IndexBytes != 4096 || s.AnswerErrors != 1 || len(s.Loads) != 2 {
		t.Errorf("records %d, indexed %d, index bytes %d, answer errors %d, %d loads; want 30, 7, 4096, 1, 2",
			s.Records, s.Indexed, s.IndexBytes, s.AnswerErrors, len(s.Loads))
	}
	for _, l := range s.Loads {
		if l.Requests != 20 || l.Errors != 10 {
			t.Errorf("%d clients: %d requests, %d errors; want 20, 10", l.Concurrency, l.Requests, l.Errors)
		}
	}
	b, err := os.ReadFile(s.Answers)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var a Answer
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &a) != nil || a.Total != 2 || strings.Join(a.IDs, ",") != "a,b" || a.Query != "q=grief" {
		t.Errorf("answers:\n%s", b)
	}
	// The records are cached: a second run does not generate them again.
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if len(generated) != 1 {
		t.Errorf("generated %d times, want once", len(generated))
	}
}
