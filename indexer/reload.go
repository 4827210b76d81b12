package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peerfind/peerfind"
)

// Reloader serves searches from the current index generation under a
// directory and swaps in a new generation without dropping a request:
// Reload opens the generation that DIR/current names, validates it (it
// opens, holds documents and answers a test query), swaps it in
// atomically, and closes the old one once the searches running on it have
// finished. A generation that fails validation is refused and the old one
// keeps serving.
//
// It implements peerfind.Searcher and is safe for concurrent use.
type Reloader struct {
	dir    string
	tax    *peerfind.Taxonomy
	logger *slog.Logger

	cur atomic.Pointer[generation]
	// mu serializes reloads; searches never take it.
	mu sync.Mutex
	// refused is the link target that last failed validation, so that a
	// watcher does not retry (and log) it on every poll.
	refused string
	closed  bool

	reloads, failures atomic.Uint64
}

// generation is one open index with a reference count: the Reloader holds
// one reference while the generation is current, each search one more.
// The index is closed when the count drops to zero.
type generation struct {
	idx    *Index
	target string // what DIR/current named when it was opened ("" without a link)
	built  time.Time
	opened time.Time
	docs   uint64
	refs   atomic.Int64
	closed chan struct{}
	logger *slog.Logger
}

func (g *generation) acquire() bool {
	for {
		n := g.refs.Load()
		if n <= 0 {
			return false
		}
		if g.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (g *generation) release() {
	if g.refs.Add(-1) == 0 {
		if err := g.idx.Close(); err != nil {
			g.logger.Warn("close old index generation", "path", g.idx.Path(), "err", err.Error())
		}
		close(g.closed)
	}
}

// ReloadOptions configures OpenReloader.
type ReloadOptions struct {
	// Logger receives reloads and refused generations. Nil discards them.
	Logger *slog.Logger
}

// OpenReloader opens the current generation under dir (as Open does) and
// returns a Reloader serving it. The first generation must be valid.
func OpenReloader(dir string, tax *peerfind.Taxonomy, opts ReloadOptions) (*Reloader, error) {
	r := &Reloader{dir: dir, tax: tax, logger: opts.Logger}
	if r.logger == nil {
		r.logger = slog.New(slog.DiscardHandler)
	}
	target, path, err := r.resolve()
	if err != nil {
		return nil, err
	}
	g, err := r.openGeneration(context.Background(), target, path)
	if err != nil && target != "" {
		// The current generation is broken (a disk fault, a copy cut
		// short): serve the newest older generation that is valid, so
		// that a restart does not take the service down, and say so.
		g = r.fallback(target, err)
	}
	if g == nil {
		return nil, err
	}
	r.cur.Store(g)
	return r, nil
}

// fallback opens the newest valid generation under dir other than the
// broken one, or returns nil.
func (r *Reloader) fallback(broken string, why error) *generation {
	entries, _ := os.ReadDir(r.dir)
	for i := len(entries) - 1; i >= 0; i-- { // names sort by build time
		e := entries[i]
		if !e.IsDir() || !strings.HasPrefix(e.Name(), genPrefix) || e.Name() == filepath.Base(broken) {
			continue
		}
		g, err := r.openGeneration(context.Background(), e.Name(), filepath.Join(r.dir, e.Name(), "index"))
		if err != nil {
			continue
		}
		r.failures.Add(1)
		r.refused = broken
		r.logger.Error("the current index generation is broken; serving an older one until a new build",
			"broken", broken, "err", why.Error(), "serving", e.Name(), "built", g.built.UTC().Format(time.RFC3339))
		return g
	}
	return nil
}

// resolve reads DIR/current once: the link target and the index folder it
// names. Without a link, dir itself is the index.
func (r *Reloader) resolve() (target, path string, err error) {
	link := filepath.Join(r.dir, currentLink)
	if _, err := os.Lstat(link); err != nil {
		return "", r.dir, nil
	}
	target, err = os.Readlink(link)
	if err != nil {
		return "", "", fmt.Errorf("open index %s: %w", r.dir, err)
	}
	abs := target
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(r.dir, abs)
	}
	return target, filepath.Join(abs, "index"), nil
}

// openGeneration opens the index at path and validates it: it must hold
// documents and answer a search and a record lookup.
func (r *Reloader) openGeneration(ctx context.Context, target, path string) (*generation, error) {
	idx, err := Open(path, r.tax)
	if err != nil {
		return nil, err
	}
	fail := func(format string, args ...any) (*generation, error) {
		idx.Close()
		return nil, fmt.Errorf("index %s is not usable: %s", path, fmt.Sprintf(format, args...))
	}
	n, err := idx.DocCount()
	if err != nil {
		return fail("count documents: %v", err)
	}
	if n == 0 {
		return fail("it holds no documents")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res, err := idx.Search(ctx, peerfind.Query{PerPage: 1, IncludeClosed: true})
	if err != nil {
		return fail("test search: %v", err)
	}
	if res.Total == 0 || len(res.Hits) == 0 {
		return fail("a search for everything finds nothing")
	}
	if _, err := idx.Service(ctx, res.Hits[0].Service.ID); err != nil {
		return fail("test lookup: %v", err)
	}
	g := &generation{idx: idx, target: target, docs: n, opened: time.Now(), closed: make(chan struct{}), logger: r.logger}
	g.built = builtAt(path)
	g.refs.Store(1)
	return g, nil
}

// builtAt is when the generation at path (DIR/gen-*/index) was built: from
// its build.json, else the index's modification time.
func builtAt(path string) time.Time {
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(path), statsFile)); err == nil {
		var st struct {
			Built time.Time `json:"built"`
		}
		if json.Unmarshal(b, &st) == nil && !st.Built.IsZero() {
			return st.Built
		}
	}
	if fi, err := os.Stat(filepath.Join(path, "index_meta.json")); err == nil {
		return fi.ModTime()
	}
	return time.Time{}
}

// ErrUnchanged is returned by Reload when DIR/current still names the
// generation being served.
var ErrUnchanged = errors.New("index generation unchanged")

// Reload opens the generation DIR/current names and, if it is valid,
// serves it from now on; the old generation is closed when the searches
// running on it have finished. When current names the generation already
// served it returns ErrUnchanged (unless force); when the new generation is
// not valid it returns the reason and the old one keeps serving.
func (r *Reloader) Reload(ctx context.Context, force bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errors.New("reload: the index is closed")
	}
	target, path, err := r.resolve()
	if err != nil {
		return r.refuse(target, err)
	}
	old := r.cur.Load()
	if !force && old != nil && target == old.target && target != "" {
		return ErrUnchanged
	}
	g, err := r.openGeneration(ctx, target, path)
	if err != nil {
		return r.refuse(target, err)
	}
	r.cur.Store(g)
	r.refused = ""
	r.reloads.Add(1)
	r.logger.Info("index generation swapped in", "path", path, "records", g.docs, "built", g.built.UTC().Format(time.RFC3339))
	if old != nil {
		old.release()
	}
	return nil
}

func (r *Reloader) refuse(target string, err error) error {
	r.failures.Add(1)
	r.refused = target
	r.logger.Error("index generation refused; still serving the previous one", "err", err.Error())
	return err
}

// Changed reports whether DIR/current names another generation than the
// one served and than the last one refused: what a watcher polls.
func (r *Reloader) Changed() bool {
	link := filepath.Join(r.dir, currentLink)
	target, err := os.Readlink(link)
	if err != nil {
		return false
	}
	r.mu.Lock()
	refused := r.refused
	r.mu.Unlock()
	g := r.cur.Load()
	return target != refused && (g == nil || target != g.target)
}

// Watch reloads whenever DIR/current changes, polling it every interval,
// and whenever a value arrives on signals (e.g. SIGHUP), until ctx is
// done. A signal forces a reload even of the same generation.
func (r *Reloader) Watch(ctx context.Context, interval time.Duration, signals <-chan struct{}) {
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			if r.Changed() {
				r.Reload(ctx, false)
			}
		case <-signals:
			r.logger.Info("reload requested")
			r.Reload(ctx, true)
		}
	}
}

// with runs fn on the current generation, holding a reference so that a
// concurrent swap does not close the index under it.
func (r *Reloader) with(fn func(*Index) error) error {
	for {
		g := r.cur.Load()
		if g == nil {
			return errors.New("no index is open")
		}
		if g.acquire() {
			defer g.release()
			return fn(g.idx)
		}
		// Swapped out and closed between Load and acquire: take the new one.
	}
}

// Search runs q on the current generation.
func (r *Reloader) Search(ctx context.Context, q peerfind.Query) (res *peerfind.Results, err error) {
	err = r.with(func(x *Index) error {
		res, err = x.Search(ctx, q)
		return err
	})
	return res, err
}

// Service looks id up in the current generation.
func (r *Reloader) Service(ctx context.Context, id string) (s *peerfind.Service, err error) {
	err = r.with(func(x *Index) error {
		s, err = x.Service(ctx, id)
		return err
	})
	return s, err
}

// Index runs fn with the current generation's Index, which stays open
// until fn returns; fn must not keep it. It is for index methods the
// Reloader does not forward.
func (r *Reloader) Index(fn func(*Index) error) error { return r.with(fn) }

// Path is the folder of the generation being served.
func (r *Reloader) Path() string {
	if g := r.cur.Load(); g != nil {
		return g.idx.Path()
	}
	return ""
}

// DocCount is the number of records in the generation being served.
func (r *Reloader) DocCount() (uint64, error) {
	if g := r.cur.Load(); g != nil {
		return g.docs, nil
	}
	return 0, errors.New("no index is open")
}

// IndexInfo reports the served generation's document count and build
// time; ok is false when none is open.
func (r *Reloader) IndexInfo() (docs uint64, built time.Time, ok bool) {
	g := r.cur.Load()
	if g == nil {
		return 0, time.Time{}, false
	}
	return g.docs, g.built, true
}

// ReloadCounts reports how many reloads swapped a generation in and how
// many were refused, since the Reloader opened.
func (r *Reloader) ReloadCounts() (ok, failed uint64) {
	return r.reloads.Load(), r.failures.Load()
}

// Close stops serving and closes the generation once the searches running
// on it finish, waiting for them at most 10 seconds.
func (r *Reloader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	g := r.cur.Swap(nil)
	if g == nil {
		return nil
	}
	g.release()
	select {
	case <-g.closed:
	case <-time.After(10 * time.Second):
		return errors.New("close index: searches still running after 10s")
	}
	return nil
}
