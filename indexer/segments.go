package indexer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	bdoc "github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/util"
	index "github.com/blevesearch/bleve_index_api"
	segapi "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v17"
	"golang.org/x/sync/errgroup"

	"github.com/peerfind/peerfind"
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
// A large index is left as several segments, one per region of the place
// order (see partitions), not merged into one. A scored search walks
// every posting of its need's terms from the start of a segment up to the
// documents its filters ask for (zap reads frequencies one posting after
// another), but bleve's term reader jumps straight to the segment of the
// document it is asked to advance to. A search near Seattle then walks the
// postings of Seattle's segment, and one among remote services those of
// the services with no place, not those of the whole country.
//
// The index around the segments (index_meta.json, the root.bolt naming
// the segments and holding the mapping) is written by bleve's builder
// itself from one placeholder document, whose segment is then replaced by
// ours; the other segments are named in root.bolt after it (addSegments).
// TestWriteIndexMatchesBleveBuilder holds the result to an index built by
// bleve's builder.

var (
	// segmentSize is how many records go into one segment before merging.
	// Larger segments mean fewer merge levels and more memory per worker.
	segmentSize = 2000
	// mergeFanIn is how many segments one merge reads (bleve's builder
	// merges 10 at a time).
	mergeFanIn = 10
	// An index of more than splitAbove records has segments of at most
	// partitionSize records, and the records with no place in segments of
	// their own (see partitions).
	splitAbove    = 50_000
	partitionSize = 500_000
	// zapPlugin is the segment format; the placeholder index is told to
	// use the same one (forceSegmentType/Version).
	zapPlugin = &zap.ZapPlugin{}
)

// writeIndex writes recs, in their order, as a bleve index at idxPath,
// using work for its temporary segments. progress, if set, is called from
// one goroutine at a time with the number of records done so far.
func writeIndex(ctx context.Context, idxPath, work string, m mapping.IndexMapping, recs []*peerfind.Service, tax *peerfind.Taxonomy, progress func(done int)) error {
	if len(recs) == 0 {
		return errors.New("write index: no records")
	}
	dir, err := os.MkdirTemp(work, "segments-")
	if err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	defer os.RemoveAll(dir)
	workers := runtime.GOMAXPROCS(0)
	parts := partitions(recs)
	pieces, err := writeSegments(ctx, dir, m, recs, parts, tax, workers, progress)
	if err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	finals, err := mergeSegments(ctx, dir, pieces, workers)
	if err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	if err := frameIndex(idxPath, work, m, finals); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	return nil
}

// partitions divides recs (in the place order of byPlace) into the
// segments of the index and returns where each ends. An index of up to
// splitAbove records is one segment. A larger one is cut where the
// records with no place (remote services, mostly) begin, and each side
// into equal parts of at most partitionSize records.
func partitions(recs []*peerfind.Service) []int {
	n := len(recs)
	if n <= splitAbove {
		return []int{n}
	}
	placed := sort.Search(n, func(i int) bool { return len(recs[i].Points()) == 0 })
	var ends []int
	for _, side := range [][2]int{{0, placed}, {placed, n}} {
		lo, size := side[0], side[1]-side[0]
		if size == 0 {
			continue
		}
		k := (size + partitionSize - 1) / partitionSize
		for i := 1; i <= k; i++ {
			ends = append(ends, lo+size*i/k)
		}
	}
	return ends
}

// writeSegments writes recs as segments of at most segmentSize records in
// dir, workers at a time, none across the end of a partition, and returns
// their paths in the records' order, one list per partition.
func writeSegments(ctx context.Context, dir string, m mapping.IndexMapping, recs []*peerfind.Service, ends []int, tax *peerfind.Taxonomy, workers int, progress func(int)) ([][]string, error) {
	type piece struct{ part, lo, hi int }
	var pieces []piece
	lo := 0
	for p, end := range ends {
		for ; lo < end; lo += segmentSize {
			pieces = append(pieces, piece{p, lo, min(end, lo+segmentSize)})
		}
		lo = end
	}
	paths := make([]string, len(pieces))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var mu sync.Mutex
	done := 0
	for i, pc := range pieces {
		part := recs[pc.lo:pc.hi]
		path := filepath.Join(dir, fmt.Sprintf("s%07d.zap", i))
		// Go blocks while all workers are busy: at most workers segments
		// are in memory at once.
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			if err := writeSegment(path, m, part, tax); err != nil {
				return err
			}
			paths[i] = path
			if progress != nil {
				mu.Lock()
				done += len(part)
				progress(done)
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := make([][]string, len(ends))
	for i, pc := range pieces {
		out[pc.part] = append(out[pc.part], paths[i])
	}
	return out, nil
}

// writeSegment maps, analyzes and encodes recs as one zap segment file.
// It does what bleve's builder does to a batch (scorch's analyze): the
// _id field, then every indexed field analyzed. The mapping has no
// composite (_all) field to compose; a document with one is refused
// rather than indexed without it.
func writeSegment(path string, m mapping.IndexMapping, recs []*peerfind.Service, tax *peerfind.Taxonomy) error {
	docs := make([]index.Document, 0, len(recs))
	for _, s := range recs {
		d, err := document(s, tax)
		if err != nil {
			return err
		}
		doc := bdoc.NewDocument(s.ID)
		if err := m.MapDocument(doc, d); err != nil {
			return fmt.Errorf("record %q: map document: %w", s.ID, err)
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

// mergeSegments merges the segment files of each partition, mergeFanIn
// at a time and level by level, keeping their order, until each
// partition has one; it returns their paths. The merges of a level, in
// every partition, run workers at a time.
func mergeSegments(ctx context.Context, dir string, parts [][]string, workers int) ([]string, error) {
	for level := 1; ; level++ {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(workers)
		more := false
		next := make([][]string, len(parts))
		for p, paths := range parts {
			if len(paths) <= 1 {
				next[p] = paths
				continue
			}
			more = true
			groups := (len(paths) + mergeFanIn - 1) / mergeFanIn
			out := make([]string, groups)
			for i := range groups {
				in := paths[i*mergeFanIn : min(len(paths), (i+1)*mergeFanIn)]
				if len(in) == 1 {
					out[i] = in[0]
					continue
				}
				out[i] = filepath.Join(dir, fmt.Sprintf("m%d-%03d-%07d.zap", level, p, i))
				g.Go(func() error { return mergeFiles(gctx, in, out[i]) })
			}
			next[p] = out
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		parts = next
		if !more {
			break
		}
	}
	finals := make([]string, len(parts))
	for p, paths := range parts {
		if len(paths) != 1 {
			return nil, fmt.Errorf("partition %d: %d segments, want 1", p, len(paths))
		}
		finals[p] = paths[0]
	}
	return finals, nil
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
// document at idxPath, in zapPlugin's format, puts the first segment file
// of segs in place of the placeholder's segment and names the others
// after it (addSegments).
func frameIndex(idxPath, work string, m mapping.IndexMapping, segs []string) error {
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
	if err := os.Rename(segs[0], zaps[0]); err != nil {
		return fmt.Errorf("put segment in place: %w", err)
	}
	return addSegments(filepath.Join(idxPath, "store"), segs[1:])
}

// addSegments moves the segment files segs into the store folder of an
// index written by bleve's builder and names them in its root.bolt, after
// the builder's one segment and in their order: scorch numbers the
// documents of a snapshot's segments in the order of their keys.
//
// root.bolt holds one bucket per snapshot and, in it, one bucket per
// segment, keyed by the segment's id in scorch's order-preserving varint
// (one byte, 0x88 plus the id, up to id 109), holding the file's name
// under util.BoltPathKey. bleve writes no deletions or statistics for a
// segment it has not changed, and neither does this. The builder's
// segment must have id 0, or the layout is not the one this knows, and
// the build fails rather than write an index bleve would misread.
func addSegments(store string, segs []string) error {
	if len(segs) == 0 {
		return nil
	}
	if len(segs) > maxSegmentID {
		return fmt.Errorf("name segments: %d segments, at most %d", len(segs)+1, maxSegmentID+1)
	}
	db, err := util.OpenBolt(filepath.Join(store, "root.bolt"), 0o600, nil)
	if err != nil {
		return fmt.Errorf("name segments: %w", err)
	}
	err = db.Update(func(tx *util.BoltTxImpl) error {
		snaps := tx.Bucket(util.BoltSnapshotsBucket)
		if snaps == nil {
			return errors.New("no snapshots bucket")
		}
		var keys [][]byte
		if err := snaps.ForEach(func(k, _ []byte) error {
			keys = append(keys, slices.Clone(k))
			return nil
		}, nil); err != nil {
			return err
		}
		if len(keys) != 1 {
			return fmt.Errorf("%d snapshots, want bleve's builder's one", len(keys))
		}
		snap := snaps.GetBucket(keys[0])
		if snap == nil || snap.GetBucket(segmentKey(0)) == nil {
			return errors.New("the builder's segment is not where this expects it: bleve's layout changed")
		}
		for i, seg := range segs {
			id := i + 1
			if snap.GetBucket(segmentKey(id)) != nil {
				return fmt.Errorf("segment %d already named", id)
			}
			name := fmt.Sprintf("%012x.zap", 1000+id)
			if err := os.Rename(seg, filepath.Join(store, name)); err != nil {
				return err
			}
			b, err := snap.CreateBucketIfNotExists(segmentKey(id))
			if err != nil {
				return err
			}
			if err := b.Put(util.BoltPathKey, []byte(name), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("name segments in root.bolt: %w", err)
	}
	return nil
}

// maxSegmentID is the largest segment id segmentKey encodes.
const maxSegmentID = 109

// segmentKey is scorch's key of segment id in a snapshot's bucket: its
// ascending varint encoding, one byte for ids up to maxSegmentID.
func segmentKey(id int) []byte { return []byte{byte(0x88 + id)} }
