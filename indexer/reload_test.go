package indexer

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

func reloadFixture(t *testing.T) ([]*peerfind.Service, *peerfind.Taxonomy) {
	t.Helper()
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", "records.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []*peerfind.Service
	dec := json.NewDecoder(f)
	for dec.More() {
		var s peerfind.Service
		if err := dec.Decode(&s); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, &s)
	}
	return recs, tax
}

func build(t *testing.T, dir string, recs []*peerfind.Service, tax *peerfind.Taxonomy) uint64 {
	t.Helper()
	// Generation names have nanosecond timestamps; make sure two builds in
	// a row never share one.
	time.Sleep(2 * time.Millisecond)
	st, err := Build(context.Background(), dir, recs, BuildOptions{Taxonomy: tax})
	if err != nil {
		t.Fatal(err)
	}
	return uint64(st.Indexed)
}

// TestReloadUnderLoad runs searches continuously from several goroutines
// through two swaps and counts the failed ones: there must be none, each
// swap must be seen, and each old generation must be closed once its
// searches are done.
func TestReloadUnderLoad(t *testing.T) {
	recs, tax := reloadFixture(t)
	dir := filepath.Join(t.TempDir(), "index")
	full := build(t, dir, recs, tax)
	r, err := OpenReloader(dir, tax, ReloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if n, _ := r.DocCount(); n != full {
		t.Fatalf("DocCount = %d, want %d", n, full)
	}

	const workers, maxPerWorker = 6, 20000
	var done, failed atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < maxPerWorker; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if (i+w)%3 == 0 {
					_, err = r.Service(context.Background(), "sj-1")
				} else {
					var res *peerfind.Results
					res, err = r.Search(context.Background(), peerfind.Query{Text: "women", PerPage: 5, IncludeClosed: true})
					if err == nil && res.Total == 0 {
						err = errors.New("no results")
					}
				}
				done.Add(1)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	waitFor := func(n int64) {
		deadline := time.Now().Add(10 * time.Second)
		for done.Load() < n && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}

	waitFor(200)
	// Swap 1: a smaller generation.
	old := r.cur.Load()
	smaller := build(t, dir, recs[:len(recs)-3], tax)
	if err := r.Reload(context.Background(), false); err != nil {
		t.Fatalf("reload 1: %v", err)
	}
	if n, _ := r.DocCount(); n != smaller || smaller == full {
		t.Errorf("after reload 1: DocCount = %d, want %d (not %d)", n, smaller, full)
	}
	mark := done.Load()
	waitFor(mark + 200)
	// Swap 2: back to the full set.
	old2 := r.cur.Load()
	build(t, dir, recs, tax)
	if err := r.Reload(context.Background(), false); err != nil {
		t.Fatalf("reload 2: %v", err)
	}
	mark = done.Load()
	waitFor(mark + 200)
	close(stop)
	wg.Wait()

	if n := failed.Load(); n != 0 {
		t.Errorf("%d of %d requests failed during the swaps; first: %v", n, done.Load(), firstErr.Load())
	}
	if done.Load() < 600 {
		t.Errorf("only %d requests ran", done.Load())
	}
	for i, g := range []*generation{old, old2} {
		select {
		case <-g.closed:
		case <-time.After(5 * time.Second):
			t.Errorf("generation %d was not closed after the swap", i+1)
		}
	}
	if ok, bad := r.ReloadCounts(); ok != 2 || bad != 0 {
		t.Errorf("ReloadCounts = %d, %d; want 2, 0", ok, bad)
	}
	if err := r.Reload(context.Background(), false); !errors.Is(err, ErrUnchanged) {
		t.Errorf("reload of the same generation: %v, want ErrUnchanged", err)
	}
	t.Logf("%d requests through two swaps, %d failed", done.Load(), failed.Load())
}

// TestReloadRefusesCorrupt points current at broken generations: each is
// refused, the old one keeps serving, and a watcher does not retry it.
func TestReloadRefusesCorrupt(t *testing.T) {
	recs, tax := reloadFixture(t)
	dir := filepath.Join(t.TempDir(), "index")
	build(t, dir, recs, tax)
	r, err := OpenReloader(dir, tax, ReloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	good := r.Path()

	for _, tc := range []struct {
		name string
		make func(t *testing.T, gen string)
	}{
		{"truncated index_meta.json", func(t *testing.T, gen string) {
			copyDir(t, good, filepath.Join(gen, "index"))
			meta := filepath.Join(gen, "index", "index_meta.json")
			b, err := os.ReadFile(meta)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(meta, b[:len(b)/2], 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"half-written: no index yet", func(t *testing.T, gen string) {
			if err := os.MkdirAll(gen, 0o755); err != nil {
				t.Fatal(err)
			}
		}},
		{"segments missing", func(t *testing.T, gen string) {
			copyDir(t, good, filepath.Join(gen, "index"))
			segs, _ := filepath.Glob(filepath.Join(gen, "index", "store", "*.zap"))
			if len(segs) == 0 {
				t.Skip("no segment files to remove")
			}
			for _, s := range segs {
				os.Remove(s)
			}
		}},
		{"points missing", besideChanged(good, pointsFile, func([]byte) []byte { return nil })},
		{"points cut short", besideChanged(good, pointsFile, func(b []byte) []byte { return b[:len(b)-3] })},
		{"points of another index", func(t *testing.T, gen string) {
			copyDir(t, filepath.Dir(good), gen)
			f, err := gatherFacts(recs[1:])
			if err != nil {
				t.Fatal(err)
			}
			if err := writePoints(filepath.Join(gen, pointsFile), f); err != nil {
				t.Fatal(err)
			}
		}},
		{"meeting times missing", besideChanged(good, timesFile, func([]byte) []byte { return nil })},
		{"meeting times cut short", besideChanged(good, timesFile, func(b []byte) []byte { return b[:len(b)-5] })},
		{"meeting times of a pattern not there", besideChanged(good, timesFile, func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[len(b)-4:], 1<<30)
			return b
		})},
		{"dangling link", func(t *testing.T, gen string) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "gen-broken-" + filepath.Base(t.Name())
			tc.make(t, filepath.Join(dir, name))
			if err := swapCurrent(dir, name); err != nil {
				t.Fatal(err)
			}
			_, before := r.ReloadCounts()
			if !r.Changed() {
				t.Error("Changed() = false after the link moved")
			}
			if err := r.Reload(context.Background(), false); err == nil {
				t.Fatal("a broken generation was swapped in")
			}
			if _, after := r.ReloadCounts(); after != before+1 {
				t.Errorf("failures %d -> %d, want one more", before, after)
			}
			if r.Changed() {
				t.Error("Changed() = true for the generation just refused: a watcher would retry it on every poll")
			}
			if r.Path() != good {
				t.Errorf("serving %s, want the old %s", r.Path(), good)
			}
			res, err := r.Search(context.Background(), peerfind.Query{Text: "women", IncludeClosed: true})
			if err != nil || res.Total == 0 {
				t.Errorf("search on the old generation after the refusal: %v, %v", res, err)
			}
		})
	}

	// A good build after the broken ones is picked up by the watcher.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hup := make(chan struct{})
	go r.Watch(ctx, 20*time.Millisecond, hup)
	few := build(t, dir, recs[:5], tax)
	deadline := time.Now().Add(10 * time.Second)
	for r.Path() == good && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n, _ := r.DocCount(); n != few {
		t.Errorf("after the watched build: DocCount = %d, want %d", n, few)
	}
	// A signal forces a reload of the same generation.
	ok, _ := r.ReloadCounts()
	hup <- struct{}{}
	deadline = time.Now().Add(10 * time.Second)
	for now, _ := r.ReloadCounts(); now == ok && time.Now().Before(deadline); now, _ = r.ReloadCounts() {
		time.Sleep(10 * time.Millisecond)
	}
	if now, _ := r.ReloadCounts(); now != ok+1 {
		t.Errorf("signal: reloads %d -> %d, want one more", ok, now)
	}
}

func TestOpenReloaderRefusesEmptyDir(t *testing.T) {
	_, tax := reloadFixture(t)
	if _, err := OpenReloader(t.TempDir(), tax, ReloadOptions{}); err == nil {
		t.Error("OpenReloader of an empty folder succeeded")
	}
}

// besideChanged makes a generation that is a copy of the good one's
// (whose index is at good) with the file of that name beside the index
// changed by change, or removed when change gives nil.
func besideChanged(good, file string, change func([]byte) []byte) func(t *testing.T, gen string) {
	return func(t *testing.T, gen string) {
		copyDir(t, filepath.Dir(good), gen)
		p := filepath.Join(gen, file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if b = change(b); b == nil {
			err = os.Remove(p)
		} else {
			err = os.WriteFile(p, b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if fi.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(dst)
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOpenReloaderFallsBack starts on a directory whose current generation
// is broken: it serves the previous one rather than not starting, and
// takes the next good build.
func TestOpenReloaderFallsBack(t *testing.T) {
	recs, tax := reloadFixture(t)
	dir := filepath.Join(t.TempDir(), "index")
	older := build(t, dir, recs[:6], tax)
	build(t, dir, recs, tax)
	cur, err := os.Readlink(filepath.Join(dir, currentLink))
	if err != nil {
		t.Fatal(err)
	}
	meta := filepath.Join(dir, cur, "index", "index_meta.json")
	if err := os.WriteFile(meta, []byte(`{"storage":"sco`), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReloader(dir, tax, ReloadOptions{})
	if err != nil {
		t.Fatalf("OpenReloader with a broken current generation: %v", err)
	}
	defer r.Close()
	if n, _ := r.DocCount(); n != older {
		t.Errorf("DocCount = %d, want the older generation's %d", n, older)
	}
	if _, bad := r.ReloadCounts(); bad != 1 {
		t.Errorf("failures = %d, want 1", bad)
	}
	if r.Changed() {
		t.Error("Changed() = true for the broken generation: a watcher would retry it on every poll")
	}
	full := build(t, dir, recs, tax)
	if err := r.Reload(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if n, _ := r.DocCount(); n != full {
		t.Errorf("after a good build: DocCount = %d, want %d", n, full)
	}
}
