// Package bench is the benchmark harness behind bin/bench and `make
// bench`: for each size it builds an index of the records with bin/indexer
// (a child process), serves it with bin/searchd on 127.0.0.1, and sends
// the query mix over HTTP with 1 and 8 clients. It reports the build time
// and rate, the index size on disk, the indexer's peak memory, searchd's
// resident memory, and queries/s, latency percentiles and errors; and it
// writes, per query, the total and the returned page's ids, so the
// answers can be compared with another engine's.
//
// The package does not generate records itself: the caller gives
// Config.Generate and Config.GenerateQueries (bin/bench uses
// indexer/synth), so that searchd packages do not import the indexer.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/peerfind/peerfind/searchd/load"
)

// Config configures a run.
type Config struct {
	// Sizes are the record counts to benchmark (ignored with Records).
	Sizes []int
	// Seed is the generator's seed.
	Seed uint64
	// Work is the folder for generated records (kept between runs, keyed
	// by size and seed), indexes and logs.
	Work string
	// Indexer and Searchd are the binaries to run.
	Indexer, Searchd string
	// Records, when set, are external record files (anything bin/indexer
	// reads) used instead of generated ones: one size.
	Records []string
	// Queries, when set, is an external query file (JSON lines, each an
	// object of search parameters) used instead of the generated mix.
	Queries string
	// NumQueries is how many queries of the mix to generate.
	NumQueries int
	// Clients are the concurrency levels, e.g. 1 and 8.
	Clients []int
	// Duration bounds each level's timed run; Warmup is the untimed run
	// before it.
	Duration, Warmup time.Duration
	// Requests, when positive, ends each timed run after that many
	// requests (Duration still bounds it).
	Requests int64
	// Generate writes n records into dir and returns the files (cached:
	// called only when they do not exist yet).
	Generate func(ctx context.Context, dir string, n int) ([]string, error)
	// GenerateQueries writes n queries of the mix to path.
	GenerateQueries func(ctx context.Context, path string, n int) error
	// Log receives progress lines.
	Log io.Writer
}

// Results are the figures of a run.
type Results struct {
	// Date is when the run started (RFC 3339).
	Date string `json:"date"`
	// Command is the command line that produced the results.
	Command string `json:"command"`
	// Host describes the machine: OS/arch, CPUs, Go version.
	Host string `json:"host"`
	// QueryFile is the query file, NumQueries how many queries it has.
	QueryFile  string `json:"query_file"`
	NumQueries int    `json:"num_queries"`
	// DurationS and WarmupS are the seconds of each timed and warm-up run.
	DurationS float64 `json:"duration_s"`
	WarmupS   float64 `json:"warmup_s"`
	// Sizes has one entry per record count.
	Sizes []*SizeResult `json:"sizes"`
}

// SizeResult are the figures at one size.
type SizeResult struct {
	// Records is the number of input records; Indexed how many the
	// indexer kept.
	Records     int      `json:"records"`
	Indexed     int      `json:"indexed"`
	RecordFiles []string `json:"record_files"`
	// BuildS is the indexer's wall time, seconds (reading the files
	// included); RecordsPerS is Indexed / BuildS.
	BuildS      float64 `json:"build_s"`
	RecordsPerS float64 `json:"records_per_s"`
	// IndexBytes is the size of the files of the index generation.
	IndexBytes int64 `json:"index_bytes"`
	// IndexerPeakRSSKB is the indexer's peak resident memory (KiB).
	IndexerPeakRSSKB int64 `json:"indexer_peak_rss_kb"`
	// SearchdStartS is how long searchd took to become ready.
	SearchdStartS float64 `json:"searchd_start_s"`
	// SearchdRSSWarmKB is searchd's resident memory after the warm-up,
	// SearchdRSSEndKB after the last run, SearchdRSSMaxKB the largest
	// sample (KiB).
	SearchdRSSWarmKB int64 `json:"searchd_rss_warm_kb"`
	SearchdRSSEndKB  int64 `json:"searchd_rss_end_kb"`
	SearchdRSSMaxKB  int64 `json:"searchd_rss_max_kb"`
	// SearchdAnonKB and SearchdFileKB split the resident memory after
	// the warm-up: anonymous (heap) and file-backed (mapped index pages).
	SearchdAnonKB int64 `json:"searchd_anon_kb"`
	SearchdFileKB int64 `json:"searchd_file_kb"`
	// Answers is the answers file; AnswerErrors the queries of the
	// answers pass that did not return 200.
	Answers      string `json:"answers"`
	AnswerErrors int    `json:"answer_errors"`
	// Loads are the timed runs, one per concurrency level.
	Loads []*load.Report `json:"loads"`
	// Error is set when this size could not be measured.
	Error string `json:"error,omitempty"`
}

// Answer is one line of the answers file.
type Answer struct {
	// N is the query's line number in the query file (1-based).
	N int `json:"n"`
	// Query is the query string sent.
	Query  string `json:"query"`
	Status int    `json:"status"`
	Total  int    `json:"total"`
	Page   int    `json:"page"`
	// IDs are the ids of the returned page, in order.
	IDs []string `json:"ids"`
	// MS is the latency of this one request (one client, first pass:
	// colder than the timed runs), to find the slow kinds of queries.
	MS float64 `json:"ms"`
}

// Run benchmarks every size and returns the results; a size that fails
// is recorded with its error and the run goes on.
func Run(ctx context.Context, c Config) (*Results, error) {
	if c.Log == nil {
		c.Log = io.Discard
	}
	if err := os.MkdirAll(c.Work, 0o755); err != nil {
		return nil, err
	}
	res := &Results{
		Date:      time.Now().UTC().Format(time.RFC3339),
		Host:      fmt.Sprintf("%s/%s, %d CPUs, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version()),
		DurationS: c.Duration.Seconds(),
		WarmupS:   c.Warmup.Seconds(),
	}
	qfile := c.Queries
	if qfile == "" {
		qfile = filepath.Join(c.Work, fmt.Sprintf("queries-%d-seed%d.jsonl", c.NumQueries, c.Seed))
		if _, err := os.Stat(qfile); err != nil {
			if err := c.GenerateQueries(ctx, qfile, c.NumQueries); err != nil {
				return nil, fmt.Errorf("generate queries: %w", err)
			}
		}
	}
	queries, err := ReadQueries(qfile)
	if err != nil {
		return nil, err
	}
	res.QueryFile, res.NumQueries = qfile, len(queries)

	type input struct {
		n     int
		files []string
		name  string
	}
	var inputs []input
	if len(c.Records) > 0 {
		inputs = append(inputs, input{n: 0, files: c.Records, name: "external"})
	} else {
		for _, n := range c.Sizes {
			inputs = append(inputs, input{n: n, name: strconv.Itoa(n)})
		}
	}
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		sr := &SizeResult{Records: in.n}
		res.Sizes = append(res.Sizes, sr)
		if err := c.runSize(ctx, sr, in.name, in.files, queries); err != nil {
			sr.Error = err.Error()
			fmt.Fprintf(c.Log, "size %s: %v\n", in.name, err)
		}
	}
	return res, nil
}

func (c *Config) runSize(ctx context.Context, sr *SizeResult, name string, files []string, queries []string) error {
	if files == nil {
		dir := filepath.Join(c.Work, fmt.Sprintf("records-%d-seed%d", sr.Records, c.Seed))
		done := filepath.Join(dir, "done")
		if b, err := os.ReadFile(done); err == nil {
			files = strings.Fields(string(b))
		} else {
			fmt.Fprintf(c.Log, "generating %d records into %s\n", sr.Records, dir)
			os.RemoveAll(dir)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			t0 := time.Now()
			if files, err = c.Generate(ctx, dir, sr.Records); err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			fmt.Fprintf(c.Log, "generated in %s\n", time.Since(t0).Round(time.Millisecond))
			if err := os.WriteFile(done, []byte(strings.Join(files, "\n")+"\n"), 0o644); err != nil {
				return err
			}
		}
	}
	sr.RecordFiles = files

	// Build.
	idx := filepath.Join(c.Work, "index-"+name)
	os.RemoveAll(idx)
	fmt.Fprintf(c.Log, "indexing %s records into %s\n", name, idx)
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, c.Indexer, append([]string{"-q", "-out", idx}, files...)...)
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	err := cmd.Run()
	sr.BuildS = time.Since(t0).Seconds()
	if err != nil {
		return fmt.Errorf("indexer: %w: %s", err, lastLines(out.String(), 5))
	}
	sr.IndexerPeakRSSKB = maxRSSKB(cmd.ProcessState)
	if m := indexedRe.FindStringSubmatch(out.String()); m != nil {
		sr.Indexed, _ = strconv.Atoi(m[1])
	}
	if sr.Records == 0 {
		sr.Records = sr.Indexed
	}
	if sr.BuildS > 0 {
		sr.RecordsPerS = float64(sr.Indexed) / sr.BuildS
	}
	gen, err := filepath.EvalSymlinks(filepath.Join(idx, "current"))
	if err != nil {
		return fmt.Errorf("index has no current generation: %w", err)
	}
	sr.IndexBytes, err = dirSize(gen)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Log, "indexed %d in %.1fs (%.0f records/s), %.1f MiB on disk, indexer peak RSS %.1f MiB\n",
		sr.Indexed, sr.BuildS, sr.RecordsPerS, float64(sr.IndexBytes)/(1<<20), float64(sr.IndexerPeakRSSKB)/1024)

	// Serve.
	s, err := c.startSearchd(ctx, idx, name)
	if err != nil {
		return err
	}
	defer s.stop()
	sr.SearchdStartS = s.startS
	base := "http://" + s.addr

	// Answers pass (also the first warm-up): every query once, in order.
	sr.Answers = filepath.Join(c.Work, "answers-"+name+".jsonl")
	if sr.AnswerErrors, err = writeAnswers(ctx, base, queries, sr.Answers); err != nil {
		return err
	}
	fmt.Fprintf(c.Log, "answers in %s (%d not 200)\n", sr.Answers, sr.AnswerErrors)
	paths := make([]string, len(queries))
	for i, q := range queries {
		paths[i] = "/api/v1/search?" + q
	}
	if c.Warmup > 0 {
		if _, err := load.Run(ctx, load.Options{BaseURL: base, Paths: paths, Concurrency: slices.Max(c.Clients), Duration: c.Warmup}); err != nil {
			return err
		}
	}
	sr.SearchdRSSWarmKB = load.RSSKB(s.pid())
	sr.SearchdAnonKB, sr.SearchdFileKB = load.RSSPartsKB(s.pid())
	sr.SearchdRSSMaxKB = sr.SearchdRSSWarmKB
	for _, n := range c.Clients {
		rep, err := load.Run(ctx, load.Options{BaseURL: base, Paths: paths,
			Concurrency: n, Duration: c.Duration, MaxRequests: c.Requests, PID: s.pid()})
		if err != nil {
			return err
		}
		sr.Loads = append(sr.Loads, rep)
		sr.SearchdRSSMaxKB = max(sr.SearchdRSSMaxKB, rep.RSSMaxKB)
		fmt.Fprintf(c.Log, "%d clients: %.1f queries/s, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, %d errors\n",
			n, rep.QPS, rep.P50ms, rep.P95ms, rep.P99ms, rep.Errors)
		if rep.FirstError != "" {
			fmt.Fprintf(c.Log, "  first error: %s\n", rep.FirstError)
		}
	}
	sr.SearchdRSSEndKB = load.RSSKB(s.pid())
	sr.SearchdRSSMaxKB = max(sr.SearchdRSSMaxKB, sr.SearchdRSSEndKB)
	return ctx.Err()
}

var indexedRe = regexp.MustCompile(`indexed (\d+) records`)

// maxRSSKB is a finished process's peak resident memory in KiB (Linux
// reports ru_maxrss in KiB), or 0 when unknown.
func maxRSSKB(ps *os.ProcessState) int64 {
	if ps == nil {
		return 0
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss)
	}
	return 0
}

// dirSize sums the sizes of the regular files under dir.
func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	return n, err
}

type searchd struct {
	cmd    *exec.Cmd
	addr   string
	startS float64
	exited chan struct{}
	log    *os.File
}

func (s *searchd) pid() int { return s.cmd.Process.Pid }

// startSearchd starts searchd on a free 127.0.0.1 port with the rate
// limit and the concurrency cap off, and waits (at most 5 minutes) until
// /readyz answers 200.
func (c *Config) startSearchd(ctx context.Context, idx, name string) (*searchd, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &searchd{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), exited: make(chan struct{})}
	if s.log, err = os.Create(filepath.Join(c.Work, "searchd-"+name+".log")); err != nil {
		return nil, err
	}
	s.cmd = exec.Command(c.Searchd, "-index", idx, "-addr", s.addr, "-rate-limit", "0", "-max-concurrent", "0", "-reload-poll", "0")
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	t0 := time.Now()
	if err := s.cmd.Start(); err != nil {
		s.log.Close()
		return nil, fmt.Errorf("start searchd: %w", err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	client := load.NewClient(1, 2*time.Second)
	deadline := time.Now().Add(5 * time.Minute)
	for {
		code, _, err := load.Get(ctx, client, "http://"+s.addr+"/readyz")
		if err == nil && code == 200 {
			break
		}
		select {
		case <-s.exited:
			s.log.Close()
			return nil, fmt.Errorf("searchd exited before it was ready (log in %s)", s.log.Name())
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, errors.New("searchd not ready after 5 minutes")
		}
	}
	s.startS = time.Since(t0).Seconds()
	return s, nil
}

// stop sends SIGTERM and waits up to 15s, then kills.
func (s *searchd) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.log.Close()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// writeAnswers sends every query once, in order, with one client, and
// writes an Answer per query to path. It returns how many did not
// answer 200.
func writeAnswers(ctx context.Context, base string, queries []string, path string) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	client := load.NewClient(1, 30*time.Second)
	defer client.CloseIdleConnections()
	bad := 0
	for i, q := range queries {
		t0 := time.Now()
		code, body, err := load.Get(ctx, client, base+"/api/v1/search?"+q)
		ms := float64(time.Since(t0).Microseconds()) / 1000
		if err != nil {
			if ctx.Err() != nil {
				return bad, ctx.Err()
			}
			code = 0
		}
		a := Answer{N: i + 1, Query: q, Status: code, IDs: []string{}, MS: ms}
		if code == 200 {
			var r struct {
				Total   int `json:"total"`
				Page    int `json:"page"`
				Results []struct {
					ID string `json:"id"`
				} `json:"results"`
			}
			if err := json.Unmarshal(body, &r); err != nil {
				return bad, fmt.Errorf("query %d: decode answer: %w", i+1, err)
			}
			a.Total, a.Page = r.Total, r.Page
			for _, h := range r.Results {
				a.IDs = append(a.IDs, h.ID)
			}
		} else {
			bad++
		}
		if err := enc.Encode(a); err != nil {
			return bad, err
		}
	}
	if err := bw.Flush(); err != nil {
		return bad, err
	}
	return bad, f.Close()
}

// ReadQueries reads a query file: JSON lines, each an object whose
// members are search parameters with a string, number or boolean value
// or an array of them (a repeated parameter). Blank lines and lines
// starting with # are skipped. It returns the URL query strings, with
// the parameters in sorted order.
func ReadQueries(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		q, err := ParseQuery(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no queries", path)
	}
	return out, nil
}

// ParseQuery turns one JSON object of search parameters into a URL query
// string.
func ParseQuery(line []byte) (string, error) {
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		return "", err
	}
	v := url.Values{}
	for k, x := range m {
		switch x := x.(type) {
		case []any:
			for _, e := range x {
				s, err := scalar(k, e)
				if err != nil {
					return "", err
				}
				v.Add(k, s)
			}
		default:
			s, err := scalar(k, x)
			if err != nil {
				return "", err
			}
			v.Add(k, s)
		}
	}
	return v.Encode(), nil
}

func scalar(k string, x any) (string, error) {
	switch x := x.(type) {
	case string:
		return x, nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("parameter %q: want a string, number, boolean or array of them", k)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
