package indexer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
	segapi "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v17"
	"golang.org/x/sync/errgroup"
)

// The index is written the way bleve's offline builder (bleve.NewBuilder)
// writes it: records are analyzed into segments of a fixed size, the
// segments are merged into one, and that one segment is the index. bleve's
// builder does all of it in one goroutine under one lock (mapping,
// analysis, segment encoding and every merge), which leaves the second
// core idle and made the build of a million records take 19 minutes.
// writeIndex does the same steps with bleve's own segment format (zap)
// and merge, spread over the cores:
//
//   - every segment is mapped, analyzed and encoded by its own worker;
//   - the merges of one level run side by side;
//   - segments keep their order, so documents are numbered in the order of
//     the records (the place order of byPlace), which bleve's builder does
//     not keep when the number of segments is not a power of its fan-in.
//
// The index around the segment (index_meta.json, the root.bolt naming the
// segment and holding the mapping) is written by bleve's builder itself
// from one placeholder document, whose segment is then replaced by ours:
// no bleve internals are copied here. TestWriteIndexMatchesBleveBuilder
// holds the result to an index built by bleve's builder.

var (
	// segmentSize is how many records go into one segment before merging.
	// Larger segments mean fewer merge levels and more memory per worker.
	segmentSize = 2000
	// mergeFanIn is how many segments one merge reads (bleve's builder
	// merges 10 at a time).
	mergeFanIn = 10
	// zapPlugin is the segment format; the placeholder index is told to
	// use the same one (forceSegmentType/Version).
	zapPlugin = &zap.ZapPlugin{}
)

// writeIndex writes the records of recs, in their order, as a bleve
// index at idxPath, using work for its temporary segments. progress, if
// set, is called from one goroutine at a time with the number of records
// done so far; mark, if set, is called with the name of each step as it
// ends.
//
// alongside, if set, runs beside the last merge, which leaves a core
// idle: Build saves the records there.
func writeIndex(ctx context.Context, idxPath, work string, m mapping.IndexMapping, recs *recordArena, progress func(done int), mark func(step string), alongside func() error) error {
	if mark == nil {
		mark = func(string) {}
	}
	if recs == nil || recs.len() == 0 {
		return errors.New("write index: no records")
	}
	dir, err := os.MkdirTemp(work, "segments-")
	if err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	defer os.RemoveAll(dir)
	workers := runtime.GOMAXPROCS(0)
	paths, err := writeSegments(ctx, dir, m, recs, workers, progress)
	if err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	mark("segments")
	final, err := mergeSegments(ctx, dir, paths, workers, mark, alongside)
	if err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	if err := frameIndex(idxPath, work, m, final); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	mark("frame")
	return nil
}

// writeSegments writes recs as segments of segmentSize records in dir,
// workers at a time, and returns their paths in the records' order.
func writeSegments(ctx context.Context, dir string, m mapping.IndexMapping, recs *recordArena, workers int, progress func(int)) ([]string, error) {
	n := (recs.len() + segmentSize - 1) / segmentSize
	paths := make([]string, n)
	// Each worker maps with its own copy of the mapping, whose
	// analyzers remember what they analyzed for the record at hand.
	mappers := make(chan *docMapper, workers)
	for range workers {
		wm, err := workerMapping(m)
		if err != nil {
			return nil, err
		}
		dm, err := newDocMapper(wm)
		if err != nil {
			return nil, err
		}
		mappers <- dm
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var mu sync.Mutex
	done := 0
	for i := range n {
		from, to := i*segmentSize, min(recs.len(), (i+1)*segmentSize)
		path := filepath.Join(dir, fmt.Sprintf("s%07d.zap", i))
		// Go blocks while all workers are busy: at most workers segments
		// are in memory at once.
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			dm := <-mappers
			defer func() { mappers <- dm }()
			if err := writeSegment(path, dm, recs, from, to); err != nil {
				return err
			}
			paths[i] = path
			if progress != nil {
				mu.Lock()
				done += to - from
				progress(done)
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return paths, nil
}

// writeSegment maps, analyzes and encodes the records from up to to of
// recs as one zap segment file.
// It does what bleve's builder does to a batch (scorch's analyze): the
// _id field, then every indexed field analyzed. The mapping has no
// composite (_all) field to compose; a document with one is refused
// rather than indexed without it.
func writeSegment(path string, dm *docMapper, recs *recordArena, from, to int) error {
	docs := make([]index.Document, 0, to-from)
	for i := from; i < to; i++ {
		s, err := recs.record(i)
		if err != nil {
			return err
		}
		doc, err := dm.mapRecord(s)
		if err != nil {
			return err
		}
		if doc.HasComposite() {
			return fmt.Errorf("record %q: the mapping has a composite field, which writeSegment does not compose", s.ID)
		}
		doc.AddIDField()
		doc.VisitFields(func(f index.Field) {
			if f.Options().IsIndexed() {
				f.Analyze()
			}
		})
		forgetRecent(dm.m)
		docs = append(docs, doc)
	}
	seg, _, err := zapPlugin.New(docs)
	if err != nil {
		return fmt.Errorf("encode segment %s: %w", filepath.Base(path), err)
	}
	defer seg.Close()
	us, ok := seg.(segapi.UnpersistedSegment)
	if !ok {
		return fmt.Errorf("encode segment: %T cannot be written to a file", seg)
	}
	if err := us.Persist(path); err != nil {
		return fmt.Errorf("write segment %s: %w", filepath.Base(path), err)
	}
	return nil
}

// mergeSegments merges the segment files at paths, about mergeFanIn
// at a time and level by level, keeping their order, until one is left;
// it returns its path. The merges of a level run workers at a time, in
// a number of groups that is a multiple of workers when there are more
// groups than workers (five merges on two cores took three rounds, the
// last on one core). mark is called as each level ends ("merge 1",
// ...). alongside, if set, runs beside the last merge (or after the
// segments, when there is one); mergeSegments waits for it and returns
// its error.
func mergeSegments(ctx context.Context, dir string, paths []string, workers int, mark func(string), alongside func() error) (string, error) {
	var beside errgroup.Group // Wait gives nil when it never started
	started := false
	start := func() {
		if alongside != nil && !started {
			started = true
			beside.Go(alongside)
		}
	}
	for level := 1; len(paths) > 1; level++ {
		groups := mergeGroups(len(paths), workers)
		if len(groups) == 1 {
			start()
		}
		out := make([]string, len(groups))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(workers)
		for i, in := range groups {
			in := paths[in[0]:in[1]]
			if len(in) == 1 {
				out[i] = in[0]
				continue
			}
			out[i] = filepath.Join(dir, fmt.Sprintf("m%d-%07d.zap", level, i))
			g.Go(func() error { return mergeFiles(gctx, in, out[i]) })
		}
		if err := g.Wait(); err != nil {
			beside.Wait() // done before the caller cleans up; err says why
			return "", err
		}
		mark(fmt.Sprintf("merge %d", level))
		paths = out
	}
	start()
	if err := beside.Wait(); err != nil {
		return "", err
	}
	return paths[0], nil
}

// mergeGroups splits n segments, in order, into the groups of one level
// of merges, as [from, to) ranges of about mergeFanIn: as many groups
// as n needs at mergeFanIn, down to a multiple of workers when there
// are more than workers, with sizes that differ by one at most.
func mergeGroups(n, workers int) [][2]int {
	groups := (n + mergeFanIn - 1) / mergeFanIn
	if workers > 1 && groups > workers {
		groups -= groups % workers
	}
	out := make([][2]int, groups)
	from := 0
	for i := range out {
		size := n / groups
		if i < n%groups {
			size++
		}
		out[i] = [2]int{from, from + size}
		from += size
	}
	return out
}

// mergeFiles merges the segment files in, in order, into out and removes
// them. A cancelled ctx stops the merge.
func mergeFiles(ctx context.Context, in []string, out string) (err error) {
	segs := make([]segapi.Segment, 0, len(in))
	defer func() {
		for _, s := range segs {
			if cerr := s.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("close segment: %w", cerr)
			}
		}
	}()
	for _, p := range in {
		s, err := zapPlugin.Open(p)
		if err != nil {
			return fmt.Errorf("open segment %s: %w", filepath.Base(p), err)
		}
		segs = append(segs, s)
	}
	closeCh := make(chan struct{})
	stop := context.AfterFunc(ctx, func() { close(closeCh) })
	defer stop()
	// No deletions: one nil bitmap per segment, as bleve's builder passes.
	if _, _, err := zapPlugin.Merge(segs, make([]*roaring.Bitmap, len(segs)), out, closeCh, nil); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("merge %d segments into %s: %w", len(segs), filepath.Base(out), err)
	}
	for _, p := range in {
		// The mapped files stay readable until the segments are closed.
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("remove merged segment: %w", err)
		}
	}
	return nil
}

// placeholderID is the id of the one document of the index bleve's builder
// writes around our segment; that document does not survive.
const placeholderID = "_peerfind_placeholder"

// frameIndex has bleve's builder write an index of one placeholder
// document at idxPath, in zapPlugin's format, and puts the segment file
// seg in place of the placeholder's segment.
func frameIndex(idxPath, work string, m mapping.IndexMapping, seg string) error {
	b, err := bleve.NewBuilder(idxPath, m, map[string]any{
		"buildPathPrefix":     work,
		"forceSegmentType":    zapPlugin.Type(),
		"forceSegmentVersion": int(zapPlugin.Version()),
	})
	if err != nil {
		return fmt.Errorf("new builder: %w", err)
	}
	if err := b.Index(placeholderID, map[string]any{"_type": docType}); err != nil {
		return fmt.Errorf("index placeholder: %w", err)
	}
	if err := b.Close(); err != nil {
		return fmt.Errorf("close builder: %w", err)
	}
	zaps, err := filepath.Glob(filepath.Join(idxPath, "store", "*.zap"))
	if err != nil {
		return err
	}
	if len(zaps) != 1 {
		return fmt.Errorf("bleve's builder wrote %d segment files, want 1", len(zaps))
	}
	if err := os.Rename(seg, zaps[0]); err != nil {
		return fmt.Errorf("put segment in place: %w", err)
	}
	return nil
}
