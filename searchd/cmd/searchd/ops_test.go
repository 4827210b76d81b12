package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer"
)

// syncBuffer is a bytes.Buffer safe for the daemon's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func buildIndex(t *testing.T, dir string, recs []*peerfind.Service) {
	t.Helper()
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond) // distinct generation names
	if _, err := indexer.Build(context.Background(), dir, recs, indexer.BuildOptions{Taxonomy: tax}); err != nil {
		t.Fatal(err)
	}
}

// serveIndex runs searchd in process on the index at dir with the extra
// flags, logging to stderr, and returns its base URL.
func serveIndex(t *testing.T, dir string, stderr io.Writer, flags ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"-index", dir, "-addr", "127.0.0.1:0"}, flags...), pw, stderr)
		pw.Close()
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("searchd exited with %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("searchd did not shut down within 15s")
		}
	})
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("searchd printed nothing: %v", <-done)
	}
	go io.Copy(io.Discard, pr)
	return urlIn(t, sc.Text())
}

func urlIn(t *testing.T, line string) string {
	t.Helper()
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("line %q has no URL", line)
	}
	return strings.TrimSuffix(strings.Fields(line[i:])[0], "/")
}

func fetch(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestApplyEnv(t *testing.T) {
	fs := flag.NewFlagSet("searchd", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "")
	index := fs.String("index", "data/index.bleve", "")
	of := addOpsFlags(fs)
	env := map[string]string{
		"PEERFIND_ADDR":           "127.0.0.1:9999",
		"PEERFIND_INDEX":          "/srv/peerfind/index",
		"PEERFIND_RATE_LIMIT":     "2.5",
		"PEERFIND_MAX_CONCURRENT": "7",
	}
	if err := applyEnv(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"-addr", "127.0.0.1:7000"}); err != nil {
		t.Fatal(err)
	}
	if *addr != "127.0.0.1:7000" {
		t.Errorf("addr = %s: the flag must override the environment", *addr)
	}
	if *index != "/srv/peerfind/index" || *of.rateLimit != 2.5 || *of.maxConcurrent != 7 {
		t.Errorf("index %s, rate %v, max-concurrent %d: the environment was not applied", *index, *of.rateLimit, *of.maxConcurrent)
	}
	env["PEERFIND_RATE_LIMIT"] = "lots"
	if err := applyEnv(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err == nil || !strings.Contains(err.Error(), "PEERFIND_RATE_LIMIT") {
		t.Errorf("bad environment value: %v, want an error naming PEERFIND_RATE_LIMIT", err)
	}
}

// TestDaemonSwapsUnderLoad runs searches over HTTP from several clients
// while bin/indexer's Build makes two new generations and one corrupt one
// appears: no request may fail, the new generations must be served, the
// corrupt one refused, and /readyz and /metrics must tell.
func TestDaemonSwapsUnderLoad(t *testing.T) {
	recs := readRecords(t, "../../../indexer/testdata/records.jsonl")
	dir := filepath.Join(t.TempDir(), "index")
	buildIndex(t, dir, recs)
	var log syncBuffer
	base := serveIndex(t, dir, &log, "-reload-poll", "100ms", "-rate-limit", "0", "-log-format", "json")

	const workers, maxPerWorker = 4, 5000
	var done, failed atomic.Int64
	var firstFail atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	queries := []string{
		"/api/v1/search?q=women&near=95113&radius=15mi",
		"/api/v1/search?near=San+Jose,+CA&sort=distance",
		"/api/v1/search?q=grupo&lang=es",
		"/api/v1/services/sj-1",
		"/?q=support&near=95113",
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 10 * time.Second}
			for i := range maxPerWorker {
				select {
				case <-stop:
					return
				default:
				}
				q := queries[(i+w)%len(queries)]
				resp, err := c.Get(base + q)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("%s: status %d", q, resp.StatusCode)
					}
				}
				done.Add(1)
				if err != nil {
					failed.Add(1)
					firstFail.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	c := &http.Client{Timeout: 10 * time.Second}
	docs := func() string {
		_, body := fetch(t, c, base+"/readyz")
		var r struct {
			Documents int `json:"documents"`
		}
		json.Unmarshal([]byte(body), &r)
		return fmt.Sprint(r.Documents)
	}
	waitDocs := func(want string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for docs() != want && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if got := docs(); got != want {
			t.Fatalf("/readyz documents = %s, want %s", got, want)
		}
	}
	full := docs()
	time.Sleep(300 * time.Millisecond)
	buildIndex(t, dir, recs[:6]) // swap 1: fewer records
	small := "0"
	deadline := time.Now().Add(15 * time.Second)
	for small = docs(); (small == full || small == "0") && time.Now().Before(deadline); small = docs() {
		time.Sleep(50 * time.Millisecond)
	}
	if small == full {
		t.Fatalf("the first new generation was not picked up (still %s records)", full)
	}
	time.Sleep(300 * time.Millisecond)
	buildIndex(t, dir, recs) // swap 2: all again
	waitDocs(full)
	time.Sleep(300 * time.Millisecond)

	// A corrupt generation: current points at a copy whose
	// index_meta.json is cut short.
	cur, err := os.Readlink(filepath.Join(dir, "current"))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "gen-corrupt")
	if err := os.CopyFS(bad, os.DirFS(filepath.Join(dir, cur))); err != nil {
		t.Fatal(err)
	}
	meta := filepath.Join(bad, "index", "index_meta.json")
	b, _ := os.ReadFile(meta)
	os.WriteFile(meta, b[:len(b)/3], 0o644)
	os.Symlink("gen-corrupt", filepath.Join(dir, "current.tmp"))
	if err := os.Rename(filepath.Join(dir, "current.tmp"), filepath.Join(dir, "current")); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(15 * time.Second)
	for !strings.Contains(log.String(), "refused") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()

	if n := failed.Load(); n != 0 {
		t.Errorf("%d of %d requests failed; first: %v", n, done.Load(), firstFail.Load())
	}
	// Requests must have run across the swaps; how many depends on the
	// machine's load, so the floor is low (this is not a speed test).
	if done.Load() < 10 {
		t.Errorf("only %d requests ran", done.Load())
	}
	t.Logf("%d requests through two swaps and a refused generation, %d failed", done.Load(), failed.Load())
	if status, body := fetch(t, c, base+"/readyz"); status != 200 || docs() != full {
		t.Errorf("/readyz after the corrupt generation: %d %s", status, body)
	}
	_, metrics := fetch(t, c, base+"/metrics")
	for _, want := range []string{
		`peerfind_index_reloads_total{result="ok"} 2`,
		`peerfind_index_reloads_total{result="failed"} 1`,
		"peerfind_index_documents " + full,
		`peerfind_http_requests_total{code="200",method="GET",route="/api/v1/search"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if !strings.Contains(log.String(), "index generation refused") {
		t.Errorf("the refusal was not logged:\n%s", log.String())
	}
}

// TestDaemonLogsKeepNoQueryOrAddress runs the daemon with text and JSON
// logs, searches with q and near, and checks that its whole log has
// neither the query text, the place nor the client's address (its port:
// client and server share 127.0.0.1 here).
func TestDaemonLogsKeepNoQueryOrAddress(t *testing.T) {
	recs := readRecords(t, "../../../indexer/testdata/records.jsonl")
	dir := filepath.Join(t.TempDir(), "index")
	buildIndex(t, dir, recs)
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var log syncBuffer
			base := serveIndex(t, dir, &log, "-log-format", format, "-rate-limit", "2", "-rate-burst", "4", "-reload-poll", "100ms")
			var mu sync.Mutex
			var ports []string
			c := &http.Client{Transport: &http.Transport{
				DisableKeepAlives: true,
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
					if err == nil {
						_, port, _ := net.SplitHostPort(conn.LocalAddr().String())
						mu.Lock()
						ports = append(ports, port)
						mu.Unlock()
					}
					return conn, err
				},
			}}
			for _, q := range []string{
				"/api/v1/search?q=desperately+lonely&near=95113",
				"/api/v1/search?q=desperately+lonely&near=37.3382,-121.8863&radius=10mi",
				"/api/v1/search?q=desperately&near=Sna+Jsoe,+CA",
				"/?q=desperately+lonely&near=95113",
				"/api/v1/search?q=desperately+lonely&near=95113", // past the rate limit
				"/api/v1/search?q=desperately+lonely&near=95113",
				"/api/v1/search?q=desperately+lonely&near=95113",
			} {
				fetch(t, c, base+q)
			}
			buildIndex(t, dir, recs) // a reload logs too
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(log.String(), "swapped in") && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			out := log.String()
			if !strings.Contains(out, "serving") || !strings.Contains(out, "swapped in") {
				t.Fatalf("the log lacks the start and the reload:\n%s", out)
			}
			for _, secret := range []string{"desperately", "lonely", "95113", "37.3382", "Jsoe"} {
				if strings.Contains(strings.ToLower(out), strings.ToLower(secret)) {
					t.Errorf("the log contains the query's %q:\n%s", secret, out)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(ports) < 7 {
				t.Fatalf("only %d connections seen", len(ports))
			}
			for _, p := range ports {
				if strings.Contains(out, ":"+p) || strings.Contains(out, "="+p) || strings.Contains(out, `":`+p) {
					t.Errorf("the log contains the client's address (port %s):\n%s", p, out)
				}
			}
		})
	}
}

// TestTwoReplicas builds bin/searchd, starts two processes on one index
// directory and checks that they give the same answers, that neither
// writes to the directory, and that a SIGHUP reloads one without changing
// its answers.
func TestTwoReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "searchd")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(tmp, "index")
	buildIndex(t, dir, readRecords(t, "../../../indexer/testdata/records.jsonl"))
	before := snapshot(t, dir)

	var bases []string
	var procs []*exec.Cmd
	for i := range 2 {
		cmd := exec.Command(bin, "-index", dir, "-addr", "127.0.0.1:0", "-rate-limit", "0", "-reload-poll", "0", "-log-format", "json")
		var stderr syncBuffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, cmd)
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			select {
			case err := <-waited:
				if err != nil {
					t.Errorf("replica %d: %v\n%s", i, err, stderr.String())
				}
			case <-time.After(15 * time.Second):
				cmd.Process.Kill()
				t.Errorf("replica %d did not stop on SIGTERM", i)
			}
		})
		sc := bufio.NewScanner(out)
		lines := make(chan string, 1)
		go func() {
			if sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
			io.Copy(io.Discard, out)
		}()
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("replica %d printed nothing:\n%s", i, stderr.String())
			}
			bases = append(bases, urlIn(t, line))
		case <-time.After(60 * time.Second):
			t.Fatalf("replica %d did not start", i)
		}
	}
	if bases[0] == bases[1] {
		t.Fatalf("both replicas at %s", bases[0])
	}

	c := &http.Client{Timeout: 10 * time.Second}
	queries := []string{
		"/api/v1/search?near=95113&radius=15mi&sort=distance",
		"/api/v1/search?q=grupo&lang=es&near=San+Jose,+CA",
		"/api/v1/search?q=women&per_page=2&page=2",
		"/api/v1/search?category=self-help-group&include_closed=true",
		"/api/v1/services/sj-1",
		"/api/v1/services/no-such-id",
		"/api/v1/search?near=Sna+Jsoe",
		"/readyz",
	}
	compare := func(when string) {
		t.Helper()
		for _, q := range queries {
			s0, b0 := fetch(t, c, bases[0]+q)
			s1, b1 := fetch(t, c, bases[1]+q)
			if s0 != s1 || b0 != b1 {
				t.Errorf("%s: %s: replica 0 gave %d %.200s, replica 1 %d %.200s", when, q, s0, b0, s1, b1)
			}
		}
	}
	compare("at start")
	if s, b := fetch(t, c, bases[0]+"/api/v1/search?near=95113&radius=15mi"); s != 200 || !strings.Contains(b, `"sj-1"`) {
		t.Errorf("replica 0 answers %d %.200s", s, b)
	}

	// SIGHUP reloads replica 0 (the same generation); it keeps answering
	// the same.
	if err := procs[0].Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, m := fetch(t, c, bases[0]+"/metrics")
		if strings.Contains(m, `peerfind_index_reloads_total{result="ok"} 1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("SIGHUP did not reload replica 0")
		}
		time.Sleep(50 * time.Millisecond)
	}
	compare("after a SIGHUP")

	if after := snapshot(t, dir); after != before {
		t.Errorf("the replicas changed the index directory:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// snapshot lists every file under dir with its size and modification time.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %s\n", strings.TrimPrefix(p, dir), info.Size(), info.ModTime().Format(time.RFC3339Nano))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
