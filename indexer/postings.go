package indexer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	segapi "github.com/blevesearch/scorch_segment_api/v2"
)

// termPostings is one term's postings in one field as a scored search
// reads them: the documents (numbered in the index) and the term's
// frequency in each, in document order. The field's norm in each
// document is the field's, whatever the term, and kept once per field
// (fieldNorms).
type termPostings struct {
	docs *roaring.Bitmap
	// freq is the frequency of the term in the i-th document of docs,
	// up to 255; over is the frequency of those with more.
	freq []uint8
	over map[uint32]uint32
	// most is the highest sqrt(frequency)·norm of any posting: times
	// the idf and the query weight, the most the term adds to a score
	// (maxScore).
	most float64
	// dense finds the rank of a document of a term that most
	// documents in 16 have; nil for others.
	dense *denseRanks
}

func (p *termPostings) bytes() int {
	n := len(p.freq) + int(p.docs.GetSizeInBytes()) + 16*len(p.over) + 96
	if p.dense != nil {
		n += 4 * len(p.dense.before) // the words are docs'
	}
	return n
}

// index is the rank of document d among the term's documents: the index
// of its frequency.
func (p *termPostings) index(d uint32) int {
	if p.dense != nil {
		return p.dense.rank(d)
	}
	return int(p.docs.Rank(d)) - 1
}

// denseRanks ranks the documents of a set that has most documents in 16:
// roaring keeps such a set as bitsets of 65,536 documents, and counts up
// to a document's word by word (a few hundred nanoseconds on average).
// Here the set is one bitset with the number of documents before every
// 512th, so a rank is at most eight words' counts.
type denseRanks struct {
	words  []uint64
	before []uint32 // documents before word 8i
}

func newDenseRanks(bm *roaring.Bitmap) *denseRanks {
	r := &denseRanks{words: bm.ToDense()}
	r.before = make([]uint32, (len(r.words)+7)/8)
	n := 0
	for i, w := range r.words {
		if i%8 == 0 {
			r.before[i/8] = uint32(n)
		}
		n += bits.OnesCount64(w)
	}
	return r
}

// rank is the number of documents of the set before d.
func (r *denseRanks) rank(d uint32) int {
	w := int(d >> 6)
	n := int(r.before[w/8])
	for _, x := range r.words[w&^7 : w] {
		n += bits.OnesCount64(x)
	}
	return n + bits.OnesCount64(r.words[w]&(1<<(d&63)-1))
}

// frequency is the term's frequency in document d, the i-th of docs.
func (p *termPostings) frequency(i int, d uint32) uint32 {
	if f := p.freq[i]; f < math.MaxUint8 {
		return uint32(f)
	}
	return p.over[d]
}

// fieldNorms are the norms of one field, by document: bleve's norm is
// the field's length in the document (zap writes it with every posting),
// so every term of the field has the same norm in a document. Terms
// decoded fill it in; a document's entry is set before any search reads
// it (the term's postings are decoded first), as float32 bits, 0 where
// none was read yet.
type fieldNorms []uint32

func (n fieldNorms) get(d uint32) float64 {
	return float64(math.Float32frombits(atomic.LoadUint32(&n[d])))
}

// fieldTerm names a term of a field.
type fieldTerm struct{ field, term string }

// postingsCache keeps the postings that scored searches have decoded, up
// to a budget in bytes, the oldest dropped first. Decoding a term's
// frequencies and norms steps through every posting (about 25 ns each),
// so a common word ("support", most records at 1M) costs tens of
// milliseconds each time bleve's scorer reads it; kept, about a byte a
// posting, it costs nothing the next time. The entries belong to one
// snapshot's segments: when the segments change, the cache starts over.
type postingsCache struct {
	limit int

	mu      sync.Mutex
	segs    []segapi.Segment
	docs    uint64 // documents numbered in segs
	entries map[fieldTerm]*postingsEntry
	fifo    []fieldTerm
	bytes   int
	norms   map[string]fieldNorms
}

// postingsEntry is a term's postings or a phrase's documents.
type postingsEntry struct {
	ready chan struct{}
	p     *termPostings
	bm    *roaring.Bitmap
	bytes int
	err   error
}

// PostingsBudget bounds the decoded postings and phrases an open index
// keeps in memory (searchd counts it in its heap limit): at a million records, those of 600 queries of the benchmark mix (2,254
// terms and phrases, about 100 million postings) took 168 MB. The norms
// are apart: 4 bytes a document for each field searched.
const PostingsBudget = 256 << 20

// errNormsDiffer says a field's norm is not the same for every term of a
// document: then scores are left to bleve.
var errNormsDiffer = errors.New("a field's norms differ between terms")

func newPostingsCache(limit int) *postingsCache {
	return &postingsCache{limit: limit, entries: map[fieldTerm]*postingsEntry{}, norms: map[string]fieldNorms{}}
}

// get returns the postings of term in field in the segments of s,
// decoding them once, and the field's norms.
func (c *postingsCache) get(ctx context.Context, s *sets, field, term string) (*termPostings, fieldNorms, error) {
	if t := s.tags.of(field); t != nil {
		e, err := c.entry(ctx, s, fieldTerm{field, term}, nil, func(e *postingsEntry) error {
			p, err := t.postings(ctx, s.r, term)
			if err == nil {
				e.p, e.bytes = p, p.bytes()
			}
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		return e.p, t.norms, nil
	}
	var norms fieldNorms
	e, err := c.entry(ctx, s, fieldTerm{field, term}, func(c *postingsCache) {
		norms = c.norms[field]
		if norms == nil {
			norms = make(fieldNorms, c.docs)
			c.norms[field] = norms
		}
	}, func(e *postingsEntry) error {
		p, err := decodePostings(ctx, s, field, term, norms)
		if err == nil {
			e.p, e.bytes = p, p.bytes()
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return e.p, norms, nil
}

// phrase returns the documents that have the phrase q (of sets.phrase)
// anywhere in the index, finding them once: the phrases a need searches
// are the taxonomy's labels and synonyms, the same few in many
// searches, and each reads the positions of its words in every document
// that has them all.
func (c *postingsCache) phrase(ctx context.Context, s *sets, q *query.MatchPhraseQuery) (*roaring.Bitmap, error) {
	key := fieldTerm{"\x00phrase\x00" + q.FieldVal + "\x00" + q.Analyzer, q.MatchPhrase}
	e, err := c.entry(ctx, s, key, nil, func(e *postingsEntry) error {
		bm, err := s.phraseWithin(ctx, q, nil)
		if err == nil {
			bm.RunOptimize()
			e.bm, e.bytes = bm, int(bm.GetSizeInBytes())+64
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return e.bm, nil
}

// entry returns the entry of key, made by fill once. With the lock held
// (on the entry's first use or not), locked runs first. A search that
// waited on an entry whose filling search was cancelled fills it itself.
func (c *postingsCache) entry(ctx context.Context, s *sets, key fieldTerm, locked func(*postingsCache), fill func(*postingsEntry) error) (*postingsEntry, error) {
	for {
		c.mu.Lock()
		if !c.sameSegments(s) {
			c.segs, c.docs = c.segs[:0], 0
			for _, sg := range s.segs {
				c.segs = append(c.segs, sg.seg)
				c.docs = sg.off + sg.seg.Count()
			}
			clear(c.entries)
			clear(c.norms)
			c.fifo, c.bytes = nil, 0
		}
		if locked != nil {
			locked(c)
		}
		e := c.entries[key]
		if e == nil {
			break
		}
		c.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err != nil && ctx.Err() == nil && (errors.Is(e.err, context.Canceled) || errors.Is(e.err, context.DeadlineExceeded)) {
			continue // another search's cancellation, not this one's
		}
		return e, e.err
	}
	e := &postingsEntry{ready: make(chan struct{})}
	c.entries[key] = e
	c.mu.Unlock()

	err := fill(e)

	// Kept or dropped before the waiters wake, so that a waiter finds a
	// failed entry gone.
	c.mu.Lock()
	e.err = err
	if c.entries[key] == e {
		if err != nil || e.bytes > c.limit {
			// Not kept: an error (a cancelled search) is not the answer,
			// and an entry over the whole budget would evict the rest.
			delete(c.entries, key)
		} else {
			c.fifo = append(c.fifo, key)
			c.bytes += e.bytes
			for c.bytes > c.limit && len(c.fifo) > 1 {
				old := c.fifo[0]
				c.fifo = c.fifo[1:]
				if oe := c.entries[old]; oe != nil {
					c.bytes -= oe.bytes
					delete(c.entries, old)
				}
			}
		}
	}
	c.mu.Unlock()
	close(e.ready)
	return e, err
}

func (c *postingsCache) sameSegments(s *sets) bool {
	return slices.EqualFunc(c.segs, s.segs, func(a segapi.Segment, b setSegment) bool { return a == b.seg })
}

// decodePostings reads every live posting of term in field with its
// frequency, and the norms of their documents into norms.
func decodePostings(ctx context.Context, s *sets, field, term string, norms fieldNorms) (*termPostings, error) {
	p := &termPostings{docs: roaring.New()}
	var batch []uint32
	for _, sg := range s.segs {
		pl, err := sg.postings(field, term)
		if err != nil {
			return nil, err
		}
		p.freq = slices.Grow(p.freq, int(pl.Count()))
		it := pl.Iterator(true, true, false, nil)
		for i := 0; ; i++ {
			if i%(1<<16) == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			next, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("postings of %s:%s: %w", field, term, err)
			}
			if next == nil {
				break
			}
			doc := uint32(sg.off + next.Number())
			if int(doc) >= len(norms) {
				return nil, fmt.Errorf("postings of %s:%s: document %d of %d", field, term, doc, len(norms))
			}
			batch = append(batch, doc)
			if len(batch) == cap(batch) || len(batch) >= 4096 {
				p.docs.AddMany(batch)
				batch = batch[:0]
			}
			f := next.Frequency()
			bits := math.Float32bits(float32(next.Norm()))
			p.most = max(p.most, math.Sqrt(float64(f))*float64(math.Float32frombits(bits)))
			if f >= math.MaxUint8 {
				if p.over == nil {
					p.over = map[uint32]uint32{}
				}
				p.over[doc] = uint32(min(f, math.MaxUint32))
				f = math.MaxUint8
			}
			p.freq = append(p.freq, uint8(f))
			if old := atomic.SwapUint32(&norms[doc], bits); old != 0 && old != bits {
				return nil, fmt.Errorf("%s:%s in document %d: %w", field, term, doc, errNormsDiffer)
			}
		}
	}
	p.docs.AddMany(batch)
	p.compact(uint64(len(norms)))
	return p, nil
}
