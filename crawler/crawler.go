package crawler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gocolly/colly/v2"
	"github.com/gocolly/colly/v2/storage"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/crawler/extract"
)

// DefaultUserAgent is the crawler's honest User-Agent, with a contact URL.
const DefaultUserAgent = "peerfind-crawler/0.1 (+https://github.com/peerfind/peerfind)"

// Defaults for the Crawler fields left zero.
const (
	DefaultTimeout       = 20 * time.Second
	DefaultMaxBodySize   = 10 << 20
	DefaultMaxRetries    = 3
	DefaultBackoff       = time.Second
	DefaultMaxRetryWait  = 2 * time.Minute
	DefaultParallelism   = 8
	DefaultWithdrawAfter = 14 * 24 * time.Hour
	DefaultDropAfter     = 90 * 24 * time.Hour
)

// Crawler crawls the sources politely with colly and hands every fetched
// page to extract.Extract. Set the fields, then call Run; a Crawler runs
// one crawl at a time.
type Crawler struct {
	// Sources are what to crawl (see LoadSources).
	Sources []Source
	// Taxonomy is passed to the extractors and checks the records.
	Taxonomy *peerfind.Taxonomy
	// UserAgent is sent with every request and matched against
	// robots.txt; empty means DefaultUserAgent.
	UserAgent string
	// Logger receives progress and problems; nil discards them.
	Logger *slog.Logger
	// Geocoder, if set, gives locations that have an address but no
	// coordinates the centroid of their ZIP or city, marked approximate.
	Geocoder peerfind.Geocoder
	// StatePath is the crawl state file for incremental recrawls
	// (conditional GET, withdrawn records); empty crawls from scratch and
	// remembers nothing.
	StatePath string
	// Timeout bounds each request attempt, body included.
	Timeout time.Duration
	// MaxBodySize is the largest body read, in bytes; larger pages are
	// skipped and reported.
	MaxBodySize int
	// MaxRetries bounds the retries of a request answered 429 or 5xx;
	// Backoff is the first wait when the server gives no Retry-After (it
	// doubles each time) and MaxRetryWait caps any wait. MaxRetries < 0
	// disables retries.
	MaxRetries   int
	Backoff      time.Duration
	MaxRetryWait time.Duration
	// Parallelism bounds the requests in flight over all hosts (each host
	// gets one at a time regardless).
	Parallelism int
	// MaxQueryVariants, MaxPathSegments and MaxURLLength are the
	// crawler-trap limits; CalendarWindow is how far from today a date in
	// a URL may lie. Zero means the Default* constants.
	MaxQueryVariants int
	MaxPathSegments  int
	MaxURLLength     int
	CalendarWindow   time.Duration
	// WithdrawAfter is how long a record may go unseen before it is
	// emitted with status "inactive"; DropAfter is how long before it is
	// forgotten. Until WithdrawAfter it is emitted as last seen.
	WithdrawAfter time.Duration
	DropAfter     time.Duration
	// Transport is the underlying HTTP transport; nil means a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Frontier, when set, is a URL frontier shared with other crawler
	// processes (package redisfrontier): each URL is claimed once over all
	// of them and fetched by the process that takes it. Records are then
	// emitted by the process that fetched their page, and records not
	// seen are not carried over. Nil means the embedded, in-process one.
	Frontier Frontier
	// FrontierIdle is how long a process with nothing to fetch waits for
	// the items other processes hold; 0 means DefaultFrontierIdle.
	FrontierIdle time.Duration
	// Storage, when set, replaces colly's in-memory storage of visited
	// request ids and cookies (such as redisfrontier.Storage).
	Storage storage.Storage

	progress atomic.Pointer[counters]
}

// counters are the live numbers Progress reads.
type counters struct {
	start   time.Time
	fetched atomic.Int64
	pending atomic.Int64
}

// Progress is a snapshot of a running crawl.
type Progress struct {
	// Fetched counts the responses received so far.
	Fetched int64
	// Queued counts the requests scheduled but not finished.
	Queued int64
	// Elapsed is the time since the crawl started.
	Elapsed time.Duration
}

// PagesPerSecond is the fetch rate so far.
func (p Progress) PagesPerSecond() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Fetched) / p.Elapsed.Seconds()
}

// Progress returns the running crawl's numbers (zero when none runs).
func (c *Crawler) Progress() Progress {
	ct := c.progress.Load()
	if ct == nil {
		return Progress{}
	}
	return Progress{Fetched: ct.fetched.Load(), Queued: ct.pending.Load(), Elapsed: time.Since(ct.start)}
}

// Summary is what a crawl did.
type Summary struct {
	// Started and Finished bound the crawl.
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// PagesFetched counts the HTTP responses received (any status,
	// NotModified included).
	PagesFetched int `json:"pages_fetched"`
	// RobotsSkipped counts URLs not fetched because robots.txt disallows
	// them.
	RobotsSkipped int `json:"robots_skipped"`
	// NotModified counts 304 answers to conditional requests.
	NotModified int `json:"not_modified"`
	// Retries counts requests repeated after 429 or 5xx.
	Retries int `json:"retries"`
	// Errors counts failed pages by kind: timeout, network, too large,
	// http 404, extract, invalid record, crawler trap, limit...
	Errors map[string]int `json:"errors"`
	// Records counts the records emitted, by source and extractor.
	Records map[string]map[string]int `json:"records"`
	// DuplicatesMerged counts records merged into the same group found
	// earlier (same id, or same name and place from another source): the
	// first record is kept, with the others' provenance in OtherSources.
	DuplicatesMerged int `json:"duplicates_merged"`
	// Geocoded counts locations given coordinates from the gazetteer.
	Geocoded int `json:"geocoded"`
	// CarriedOver counts records not seen this run but within the grace
	// period, emitted as last seen; Withdrawn those emitted as inactive;
	// Dropped those forgotten.
	CarriedOver int `json:"carried_over"`
	Withdrawn   int `json:"withdrawn"`
	Dropped     int `json:"dropped"`
	// Rejects lists every URL or item skipped, with the reason.
	Rejects []Reject `json:"rejects,omitempty"`
}

// Reject is one URL or item the crawl skipped.
type Reject struct {
	// URL is the page (for an item, the page it was on).
	URL string `json:"url"`
	// Source names the source being crawled.
	Source string `json:"source,omitempty"`
	// Kind classifies the reason, as in Summary.Errors.
	Kind string `json:"kind"`
	// Reason says what was wrong.
	Reason string `json:"reason"`
}

// String formats the summary for people, one fact per line.
func (s *Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "crawl took %s\n", s.Finished.Sub(s.Started).Round(time.Millisecond))
	fmt.Fprintf(&b, "pages fetched: %d (not modified: %d, retries: %d)\n", s.PagesFetched, s.NotModified, s.Retries)
	fmt.Fprintf(&b, "skipped by robots.txt: %d\n", s.RobotsSkipped)
	total := 0
	for _, src := range sortedKeys(s.Records) {
		for _, ex := range sortedKeys(s.Records[src]) {
			n := s.Records[src][ex]
			total += n
			fmt.Fprintf(&b, "records: %s / %s: %d\n", src, orDash(ex), n)
		}
	}
	fmt.Fprintf(&b, "records emitted: %d (duplicates merged: %d, carried over: %d, withdrawn: %d, dropped: %d)\n",
		total+s.CarriedOver+s.Withdrawn, s.DuplicatesMerged, s.CarriedOver, s.Withdrawn, s.Dropped)
	fmt.Fprintf(&b, "locations geocoded from the gazetteer: %d\n", s.Geocoded)
	for _, k := range sortedKeys(s.Errors) {
		fmt.Fprintf(&b, "errors: %s: %d\n", k, s.Errors[k])
	}
	fmt.Fprintf(&b, "rejects: %d\n", len(s.Rejects))
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// run is the state of one Run.
type run struct {
	c       *Crawler
	ctx     context.Context
	cancel  context.CancelFunc
	col     *colly.Collector
	log     *slog.Logger
	now     time.Time
	maxBody int
	guard   *trapGuard
	ct      *counters

	mu       sync.Mutex
	sources  []*Source
	state    *State
	seenURL  map[string]bool
	perHost  map[string]int
	seenRec  map[string]bool
	dedup    *deduper
	out      []*peerfind.Service          // records to emit, in order found
	byID     map[string]*peerfind.Service // the same, by id, to merge duplicates into
	sum      *Summary
	limitHit map[string]bool
	pkgs     map[string]*pkgPending // data packages waiting for tables, by descriptor key
}

// Context keys of colly request contexts.
const (
	ctxSource = "peerfind.source"
	ctxDepth  = "peerfind.depth"
	ctxKey    = "peerfind.key"
	ctxBig    = "peerfind.oversize"
)

// Run crawls every source, calls emit for each record (from one
// goroutine at a time), and returns what it did. Bad pages, failed
// extractions and invalid records are reported in the summary, never
// fatal; Run fails when the sources or the state are unusable, when emit
// fails, or when ctx ends.
func (c *Crawler) Run(ctx context.Context, emit func(*peerfind.Service) error) (*Summary, error) {
	if c.Taxonomy == nil {
		return nil, errors.New("crawler: no taxonomy")
	}
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	r := &run{
		c: c, log: c.Logger, now: now,
		maxBody: orInt(c.MaxBodySize, DefaultMaxBodySize),
		seenURL: map[string]bool{}, perHost: map[string]int{}, seenRec: map[string]bool{},
		limitHit: map[string]bool{}, dedup: newDeduper(), byID: map[string]*peerfind.Service{},
		sum: &Summary{Started: now, Errors: map[string]int{}, Records: map[string]map[string]int{}},
		guard: &trapGuard{
			maxVariants: orInt(c.MaxQueryVariants, DefaultMaxQueryVariants),
			maxSegments: orInt(c.MaxPathSegments, DefaultMaxPathSegments),
			maxLen:      orInt(c.MaxURLLength, DefaultMaxURLLength),
			window:      orDur(c.CalendarWindow, DefaultCalendarWindow),
			now:         now,
		},
		ct: &counters{start: time.Now()},
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	names := map[string]bool{}
	for i := range c.Sources {
		s := c.Sources[i] // a copy: check fills in defaults
		s.AllowedHosts = append([]string(nil), s.AllowedHosts...)
		if err := s.check(); err != nil {
			return nil, fmt.Errorf("crawler: %w", err)
		}
		if names[s.Name] {
			return nil, fmt.Errorf("crawler: source name %q used twice", s.Name)
		}
		names[s.Name] = true
		r.sources = append(r.sources, &s)
	}
	r.state = NewState()
	if c.StatePath != "" {
		st, err := LoadState(c.StatePath)
		if err != nil {
			return nil, fmt.Errorf("crawler: %w", err)
		}
		r.state = st
	}
	r.ctx, r.cancel = context.WithCancel(ctx)
	defer r.cancel()
	if err := r.setup(); err != nil {
		return nil, err
	}
	c.progress.Store(r.ct)
	defer c.progress.Store(nil)

	r.log.Info("crawl starting", "sources", len(r.sources), "state", c.StatePath)
	for i, s := range r.sources {
		for _, seed := range s.Seeds {
			r.enqueue(i, nil, seed, 0, true)
		}
	}
	var ferr error
	if c.Frontier != nil {
		ferr = r.drainFrontier()
	}
	r.col.Wait()
	if ferr != nil && ctx.Err() == nil {
		return r.finish(), ferr
	}
	if err := ctx.Err(); err != nil {
		return r.finish(), fmt.Errorf("crawler: %w", err)
	}
	if c.Frontier == nil {
		// Each process of a shared crawl sees part of it: carrying over
		// (and withdrawing) what this one did not see would be wrong.
		r.carryOver()
	}
	// Records are handed on only now, so a group that a later source
	// also publishes carries both provenances.
	for _, rec := range r.out {
		if err := emit(rec); err != nil {
			return r.finish(), fmt.Errorf("crawler: emit: %w", err)
		}
	}
	if c.StatePath != "" {
		if err := r.state.Save(c.StatePath); err != nil {
			return r.finish(), fmt.Errorf("crawler: %w", err)
		}
	}
	sum := r.finish()
	r.log.Info("crawl done", "pages", sum.PagesFetched, "not_modified", sum.NotModified,
		"robots_skipped", sum.RobotsSkipped, "rejects", len(sum.Rejects), "took", sum.Finished.Sub(sum.Started))
	return sum, nil
}

func (r *run) finish() *Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sum.Finished = time.Now()
	if r.c.Now != nil {
		r.sum.Finished = r.sum.Started.Add(time.Since(r.ct.start))
	}
	return r.sum
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orDur(v, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return v
}

// setup builds the colly collector and its polite transport.
func (r *run) setup() error {
	c := r.c
	ua := c.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	col := colly.NewCollector(
		colly.UserAgent(ua),
		colly.Async(),
		colly.MaxBodySize(r.maxBody+1), // one byte more tells an oversized body
		colly.ParseHTTPErrorResponse(),
		colly.AllowURLRevisit(), // the run dedupes normalized URLs itself
		colly.StdlibContext(r.ctx),
	)
	col.IgnoreRobotsTxt = false // colly ignores robots.txt by default
	// A catch-all rule: colly matches rules against host:port, so a rule
	// per host name would silently not apply to hosts with ports. Per-host
	// parallelism and delay are the polite transport's job.
	if err := col.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: orInt(c.Parallelism, DefaultParallelism)}); err != nil {
		return fmt.Errorf("crawler: limit rule: %w", err)
	}
	col.SetRequestTimeout(0) // per attempt, in the transport: waiting for a host is not a timeout
	delays := map[string]time.Duration{}
	for _, s := range r.sources {
		for _, h := range s.AllowedHosts {
			delays[h] = max(delays[h], time.Duration(s.Delay))
		}
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	retries := orInt(c.MaxRetries, DefaultMaxRetries)
	if retries < 0 {
		retries = 0
	}
	col.WithTransport(&politeTransport{
		base: base,
		gate: hostGate(c.Frontier, r.log),
		delayFor: func(host string) time.Duration {
			host = strings.ToLower(host)
			if d, ok := delays[host]; ok {
				return d
			}
			for _, s := range r.sources {
				if s.allowsHost(host) {
					return time.Duration(s.Delay)
				}
			}
			return DefaultDelay
		},
		timeout: orDur(c.Timeout, DefaultTimeout),
		retries: retries,
		backoff: orDur(c.Backoff, DefaultBackoff),
		maxWait: orDur(c.MaxRetryWait, DefaultMaxRetryWait),
		onRetry: func(req *http.Request, status int, wait time.Duration) {
			r.mu.Lock()
			r.sum.Retries++
			r.mu.Unlock()
			r.log.Info("retrying", "url", req.URL.String(), "status", status, "wait", wait)
		},
	})
	col.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("more than 5 redirects")
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to a non-http(s) URL %q", clip(req.URL.String()))
		}
		for _, s := range r.sources {
			if s.allowsHost(req.URL.Hostname()) {
				return nil
			}
		}
		return fmt.Errorf("redirect to a host no source allows: %s", req.URL.Hostname())
	})
	col.OnResponseHeaders(func(resp *colly.Response) {
		if n, err := strconv.ParseInt(resp.Headers.Get("Content-Length"), 10, 64); err == nil && n > int64(r.maxBody) {
			resp.Ctx.Put(ctxBig, strconv.FormatInt(n, 10))
			resp.Request.Abort()
		}
	})
	col.OnResponse(r.page)
	col.OnError(r.fail)
	if c.Storage != nil {
		if err := col.SetStorage(c.Storage); err != nil {
			return fmt.Errorf("crawler: storage: %w", err)
		}
	}
	r.col = col
	return nil
}

// enqueue schedules raw (resolved against base) for source si at depth.
// Seeds and URLs from extracted content (explicit) are reported when
// unusable; page links that are not http(s) or lead off the allowed hosts
// are ignored quietly.
func (r *run) enqueue(si int, base *url.URL, raw string, depth int, explicit bool) {
	if r.ctx.Err() != nil {
		return
	}
	src := r.sources[si]
	u, err := NormalizeURL(base, raw)
	if err != nil {
		if explicit {
			r.reject(raw, src.Name, "bad url", err.Error())
		}
		return
	}
	if !src.allowsHost(u.Hostname()) {
		if explicit {
			r.reject(u.String(), src.Name, "off site", "host "+u.Hostname()+" is not allowed for the source")
		}
		return
	}
	key := u.String()
	r.mu.Lock()
	if r.seenURL[key] {
		r.mu.Unlock()
		return
	}
	r.seenURL[key] = true
	r.mu.Unlock()
	if why := r.guard.check(u); why != "" {
		r.reject(key, src.Name, "crawler trap", why)
		return
	}
	if r.c.Frontier != nil {
		r.share(si, key, depth) // fetched by whichever process takes it
		return
	}
	r.fetch(si, u, key, depth)
}

// fetch schedules the request of a normalized URL; false when it was not
// scheduled (max pages, robots.txt, error).
func (r *run) fetch(si int, u *url.URL, key string, depth int) bool {
	src := r.sources[si]
	hk := src.Name + "|" + hostKey(u)
	r.mu.Lock()
	if r.perHost[hk] >= src.MaxPages {
		first := !r.limitHit[hk]
		r.limitHit[hk] = true
		r.sum.Errors["max pages"]++
		r.mu.Unlock()
		if first {
			r.log.Warn("max pages per host reached", "source", src.Name, "host", u.Host, "max", src.MaxPages)
		}
		r.reject(key, src.Name, "max pages", fmt.Sprintf("more than %d pages from %s", src.MaxPages, u.Host))
		return false
	}
	r.perHost[hk]++
	hdr := http.Header{}
	if ps := r.state.Pages[key]; ps != nil && ps.Source == src.Name {
		if ps.ETag != "" {
			hdr.Set("If-None-Match", ps.ETag)
		}
		if ps.LastModified != "" {
			hdr.Set("If-Modified-Since", ps.LastModified)
		}
	}
	r.mu.Unlock()
	hdr.Set("User-Agent", r.col.UserAgent)
	cctx := colly.NewContext()
	cctx.Put(ctxSource, si)
	cctx.Put(ctxDepth, depth)
	cctx.Put(ctxKey, key)
	r.ct.pending.Add(1)
	err := r.col.Request(http.MethodGet, key, nil, cctx, hdr)
	if err == nil {
		return true
	}
	r.ct.pending.Add(-1)
	r.mu.Lock()
	r.perHost[hk]-- // not fetched: does not count toward max pages
	r.mu.Unlock()
	if errors.Is(err, colly.ErrRobotsTxtBlocked) {
		r.mu.Lock()
		r.sum.RobotsSkipped++
		r.mu.Unlock()
		r.reject(key, src.Name, "robots", "disallowed by robots.txt")
		return false
	}
	r.countError(errorKind(err))
	r.reject(key, src.Name, errorKind(err), err.Error())
	return false
}

// reject records a skipped URL or item.
func (r *run) reject(u, source, kind, reason string) {
	r.mu.Lock()
	if len(u) > DefaultMaxURLLength {
		u = u[:DefaultMaxURLLength]
	}
	r.sum.Rejects = append(r.sum.Rejects, Reject{URL: u, Source: source, Kind: kind, Reason: reason})
	r.mu.Unlock()
	r.log.Debug("reject", "url", u, "source", source, "kind", kind, "reason", reason)
}

func (r *run) countError(kind string) {
	r.mu.Lock()
	r.sum.Errors[kind]++
	r.mu.Unlock()
}

// reqInfo reads the crawler's values from a colly request context.
func (r *run) reqInfo(req *colly.Request) (si, depth int, key string) {
	si, _ = req.Ctx.GetAny(ctxSource).(int)
	depth, _ = req.Ctx.GetAny(ctxDepth).(int)
	key = req.Ctx.Get(ctxKey)
	if key == "" {
		key = req.URL.String()
	}
	return si, depth, key
}

// errorKind classifies a fetch error for the summary.
func errorKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		return "robots"
	}
	return "network"
}

// fail handles a request that got no usable response.
func (r *run) fail(resp *colly.Response, err error) {
	defer r.requestEnd(resp.Request)
	si, _, key := r.reqInfo(resp.Request)
	src := r.sources[si]
	if pkg := resp.Request.Ctx.Get(ctxPkg); pkg != "" {
		defer r.partDone(pkg, key, nil, "fetch failed (see its reject)")
	}
	if n := resp.Ctx.Get(ctxBig); n != "" {
		r.countError("too large")
		r.reject(key, src.Name, "too large", fmt.Sprintf("body of %s bytes is larger than %d", n, r.maxBody))
		return
	}
	kind := errorKind(err)
	r.countError(kind)
	r.reject(key, src.Name, kind, err.Error())
	r.log.Warn("fetch failed", "url", key, "kind", kind, "err", err)
}

// page handles a response: extracts records, follows links, updates the
// state. A panic in an extractor is reported, not fatal.
func (r *run) page(resp *colly.Response) {
	defer r.requestEnd(resp.Request)
	r.ct.fetched.Add(1)
	si, depth, key := r.reqInfo(resp.Request)
	src := r.sources[si]
	defer func() {
		if p := recover(); p != nil {
			r.countError("internal")
			r.reject(key, src.Name, "internal", fmt.Sprint("panic: ", p))
		}
	}()
	r.mu.Lock()
	r.sum.PagesFetched++
	r.mu.Unlock()
	if pkg := resp.Request.Ctx.Get(ctxPkg); pkg != "" {
		done := false
		defer func() { // a panic must not leave the package waiting
			if !done {
				r.partDone(pkg, key, nil, "internal error")
			}
		}()
		r.part(resp, pkg, key) // a table of a data package: kept, not extracted
		done = true
		return
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		r.notModified(si, depth, key)
		return
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		kind := fmt.Sprintf("http %d", resp.StatusCode)
		r.countError(kind)
		r.reject(key, src.Name, kind, fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
		return
	case len(resp.Body) > r.maxBody:
		r.countError("too large")
		r.reject(key, src.Name, "too large", fmt.Sprintf("body is larger than %d bytes", r.maxBody))
		return
	}
	ps := &PageState{Source: src.Name, LastSeen: r.now,
		ETag: resp.Headers.Get("ETag"), LastModified: resp.Headers.Get("Last-Modified")}
	sum := sha256.Sum256(resp.Body)
	ps.Hash = hex.EncodeToString(sum[:])
	final := resp.Request.URL
	ctype := resp.Headers.Get("Content-Type")
	if r.startPackage(si, key, final, resp.Body, ps) {
		r.mu.Lock()
		r.state.Pages[key] = ps
		r.mu.Unlock()
		return
	}

	res, err := extract.Extract(r.ctx, extract.Page{URL: final, ContentType: ctype, Body: resp.Body,
		Retrieved: r.now, Source: src.extractSource()}, r.c.Taxonomy)
	if err != nil {
		r.countError("extract")
		r.reject(key, src.Name, "extract", err.Error())
	} else if res != nil {
		ps.Extractor = res.Extractor
		for _, rec := range res.Records {
			if rec == nil {
				continue
			}
			if err := rec.Validate(r.c.Taxonomy); err != nil {
				r.countError("invalid record")
				r.reject(key, src.Name, "invalid record", err.Error())
				continue
			}
			ps.Records = append(ps.Records, rec.ID)
			r.emit(rec, src.Name, res.Extractor, key)
		}
		if res.Report != nil {
			kind := "skipped item"
			if res.Extractor == "" {
				kind = "no data" // a page no extractor reads, such as a plain index page
			}
			for _, is := range res.Report.Skipped {
				r.reject(key, src.Name, kind, is.Item+": "+is.Reason)
			}
		}
		for _, f := range res.Follow {
			if nu, err := NormalizeURL(final, f); err == nil {
				ps.Follow = append(ps.Follow, nu.String())
			}
			r.enqueue(si, final, f, depth, true)
		}
	}
	if isHTML(ctype, resp.Body) {
		ps.Links = r.links(final, resp.Body, src)
		if depth < src.MaxDepth {
			for _, l := range ps.Links {
				r.enqueue(si, nil, l, depth+1, false)
			}
		}
	}
	r.mu.Lock()
	r.state.Pages[key] = ps
	r.mu.Unlock()
}

// notModified re-emits what an unchanged page yielded last time and
// re-enqueues its links.
func (r *run) notModified(si, depth int, key string) {
	src := r.sources[si]
	r.mu.Lock()
	r.sum.NotModified++
	ps := r.state.Pages[key]
	r.mu.Unlock()
	if ps == nil {
		r.countError("http 304")
		r.reject(key, src.Name, "http 304", "304 Not Modified for a page the crawl state does not hold")
		return
	}
	r.mu.Lock()
	ps.LastSeen = r.now
	var recs []*RecordState
	for _, id := range ps.Records {
		if rs := r.state.Records[id]; rs != nil && rs.Record != nil {
			recs = append(recs, rs)
		}
	}
	r.mu.Unlock()
	for _, rs := range recs {
		r.emit(rs.Record, src.Name, rs.Extractor, key)
	}
	for _, f := range ps.Follow {
		r.enqueue(si, nil, f, depth, true)
	}
	if depth < src.MaxDepth {
		for _, l := range ps.Links {
			r.enqueue(si, nil, l, depth+1, false)
		}
	}
}

// emit remembers rec as seen, fills in missing coordinates, merges
// duplicates and keeps it for output.
func (r *run) emit(rec *peerfind.Service, source, extractor, page string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.geocode(rec)
	r.seenRec[rec.ID] = true
	r.state.Records[rec.ID] = &RecordState{Record: rec, Source: source, Extractor: extractor, Page: page, LastSeen: r.now}
	if !r.add(rec) {
		return
	}
	m := r.sum.Records[source]
	if m == nil {
		m = map[string]int{}
		r.sum.Records[source] = m
	}
	m[extractor]++
}

// add keeps rec for output, or merges its provenance into the record it
// duplicates and reports false. r.mu must be held.
func (r *run) add(rec *peerfind.Service) bool {
	id, dup := r.dedup.seen(rec)
	if !dup {
		r.out = append(r.out, rec)
		r.byID[rec.ID] = rec
		return true
	}
	r.sum.DuplicatesMerged++
	if first := r.byID[id]; first != nil && first != rec {
		for _, p := range append([]peerfind.Provenance{rec.Provenance}, rec.OtherSources...) {
			if !hasProvenance(first, p) {
				first.OtherSources = append(first.OtherSources, p)
			}
		}
	}
	return false
}

func hasProvenance(s *peerfind.Service, p peerfind.Provenance) bool {
	if s.Provenance.SourceURL == p.SourceURL && s.Provenance.SourceName == p.SourceName {
		return true
	}
	for _, o := range s.OtherSources {
		if o.SourceURL == p.SourceURL && o.SourceName == p.SourceName {
			return true
		}
	}
	return false
}

// geocode gives locations without coordinates the centroid of their ZIP
// or city from the offline gazetteer, marked approximate and with where
// the point came from. r.mu must be held (the gazetteer is read-only).
func (r *run) geocode(rec *peerfind.Service) {
	if r.c.Geocoder == nil {
		return
	}
	for i := range rec.Locations {
		l := &rec.Locations[i]
		if _, ok := l.Point(); ok {
			continue
		}
		a := l.Address
		if a.Country != "" && a.Country != "US" {
			continue
		}
		var tries []string
		if zip := strings.TrimSpace(a.PostalCode); len(zip) >= 5 {
			tries = append(tries, zip)
		}
		if a.City != "" && a.StateProvince != "" {
			tries = append(tries, a.City+", "+a.StateProvince)
		}
		for _, q := range tries {
			place, err := r.c.Geocoder.Geocode(r.ctx, q)
			if err != nil {
				continue
			}
			l.SetPoint(place.Point)
			l.Approximate = true
			l.GeocodedFrom = "gazetteer: " + place.Name
			r.sum.Geocoded++
			break
		}
	}
}

// carryOver emits the records of this run's sources that no page yielded
// this time: as last seen within WithdrawAfter, as inactive until
// DropAfter, and forgets them after.
func (r *run) carryOver() {
	withdraw := orDur(r.c.WithdrawAfter, DefaultWithdrawAfter)
	drop := orDur(r.c.DropAfter, DefaultDropAfter)
	ours := map[string]bool{}
	for _, s := range r.sources {
		ours[s.Name] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range sortedKeys(r.state.Records) {
		rs := r.state.Records[id]
		if r.seenRec[id] || !ours[rs.Source] {
			continue
		}
		age := r.now.Sub(rs.LastSeen)
		if age >= drop || rs.Record == nil {
			delete(r.state.Records, id)
			r.sum.Dropped++
			continue
		}
		rec := *rs.Record
		if age >= withdraw {
			rec.Status = "inactive"
			r.sum.Withdrawn++
		} else {
			r.sum.CarriedOver++
		}
		r.add(&rec)
	}
	for k, ps := range r.state.Pages {
		if ours[ps.Source] && r.now.Sub(ps.LastSeen) >= drop {
			delete(r.state.Pages, k)
		}
	}
}

// isHTML reports whether a response is an HTML page.
func isHTML(ctype string, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(ctype); err == nil {
		return mt == "text/html" || mt == "application/xhtml+xml"
	}
	head := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 512)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

// links returns the normalized http(s) links of an HTML page that lead to
// hosts the source allows, in document order, without repeats. A <base
// href> is honoured.
func (r *run) links(page *url.URL, body []byte, src *Source) []string {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	base := page
	if h, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if b, err := page.Parse(strings.TrimSpace(h)); err == nil {
			base = b
		}
	}
	seen := map[string]bool{}
	var out []string
	doc.Find("a[href], area[href]").Each(func(_ int, s *goquery.Selection) {
		if rel, _ := s.Attr("rel"); strings.Contains(strings.ToLower(rel), "nofollow") {
			return
		}
		h, _ := s.Attr("href")
		u, err := NormalizeURL(base, h)
		if err != nil || !src.allowsHost(u.Hostname()) || seen[u.String()] {
			return
		}
		seen[u.String()] = true
		out = append(out, u.String())
	})
	return out
}
