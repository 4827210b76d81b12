package indexer

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/scorer"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/peerfind/peerfind"
)

// The meeting times are saved beside the index, not indexed, and the
// day and time filters, OpenNow and Upcoming read them from memory
// (timesQuery), as the radius reads the points. As keyword tokens
// (whenQuery: the day-part pairs, and the blocks of the week a record is
// in session) they were about ten postings a record, a tenth of a
// build's encoding and merging, and the filters were unions of up to a
// hundred terms a zone.
//
// A record's times are a timePattern; records with the same one share
// it. The file is timesMagic, the number of documents n (uint64), the
// zones (uint32 count, then each as a uint16 length and its name), the
// patterns (uint32 count, then each as its pairs (uint32), its number
// of zones (uint8) and for each the zone's number (uint16) and its
// weekMask (weekWords uint64s)), and each document's pattern (n
// uint32s), all little-endian. Pattern 0 is a record without times.
const (
	timesFile  = "times.bin"
	timesMagic = "pftimes1"
	// weekWords is the number of 64-bit words of a weekMask.
	weekWords = (weekSlots + 63) / 64
)

// weekMask is a set of the half hours of a week, from Sunday 00:00.
type weekMask [weekWords]uint64

func (m *weekMask) set(slot int) { m[slot>>6] |= 1 << (slot & 63) }

// meets reports whether m and o share a half hour.
func (m *weekMask) meets(o *weekMask) bool {
	for i := range m {
		if m[i]&o[i] != 0 {
			return true
		}
	}
	return false
}

// zoneTimes are the half hours of the week, in a zone's local time, that
// a record is in session.
type zoneTimes struct {
	zone  uint16 // in timesColumn.zones
	slots weekMask
}

// timePattern is what the filters read of a record's schedules: the
// day-part pairs of its start times, bit 4*weekday+part (the parts in
// the order of peerfind.DayParts), and zone by zone the half hours it
// is in session. Monthly rules ("2TU") are their weekday: the exact
// dates are checked with Schedule.Next on the hits.
type timePattern struct {
	pairs uint32
	zones []zoneTimes
}

// timesColumn is the meeting times of every document of an index.
type timesColumn struct {
	zones []string
	pats  []timePattern
	// docPat is each document's pattern.
	docPat []uint32
	// cache holds the documents of the last filters (filtered).
	mu    sync.Mutex
	cache map[string]*roaring.Bitmap
}

// pairBit is the bit of a day ("MO") and a part of the day ("evening")
// in timePattern.pairs, or 0 for a day or part that is neither.
func pairBit(day, part string) uint32 {
	wd := slices.Index(peerfind.Weekdays, day)
	p := slices.Index(peerfind.DayParts, part)
	if wd < 0 || p < 0 {
		return 0
	}
	return 1 << (wd*len(peerfind.DayParts) + p)
}

// recordTimes is s's pattern, its zones named in zones (names, in the
// order met).
func recordTimes(s *peerfind.Service) (pairs uint32, zones []string, slots []weekMask) {
	for _, sc := range s.Schedules {
		minutes, length, loc, ok := sc.Clock()
		if !ok {
			continue
		}
		part := peerfind.DayPart(minutes)
		zone := loc.String()
		z := slices.Index(zones, zone)
		if z < 0 {
			z = len(zones)
			zones = append(zones, zone)
			slots = append(slots, weekMask{})
		}
		for _, day := range sc.Days() {
			pairs |= pairBit(day, part)
			wd := weekday(day)
			// The half hour of the start is in session: a meeting lasts
			// a minute at least (Schedule.Clock).
			for m := minutes - minutes%slotMinutes; m < minutes+int(length/time.Minute); m += slotMinutes {
				slots[z].set(weekSlot(wd, m))
			}
		}
	}
	return pairs, zones, slots
}

// appendTimesKey appends the key of s's pattern to dst: its pairs
// (uint32), its number of zones (a byte) and for each zone its name (a
// uint16 length and the name) and its weekMask, little-endian. A record
// without times appends nothing.
func appendTimesKey(dst []byte, s *peerfind.Service) ([]byte, error) {
	pairs, zones, slots := recordTimes(s)
	if pairs == 0 && len(zones) == 0 {
		return dst, nil
	}
	if len(zones) > math.MaxUint8 {
		return dst, fmt.Errorf("record %q meets in %d time zones", s.ID, len(zones))
	}
	dst = binary.LittleEndian.AppendUint32(dst, pairs)
	dst = append(dst, byte(len(zones)))
	for k, z := range zones {
		if len(z) > math.MaxUint16 {
			return dst, fmt.Errorf("record %q: a time zone name of %d bytes", s.ID, len(z))
		}
		dst = binary.LittleEndian.AppendUint16(dst, uint16(len(z)))
		dst = append(dst, z...)
		for _, w := range slots[k] {
			dst = binary.LittleEndian.AppendUint64(dst, w)
		}
	}
	return dst, nil
}

// writeTimes saves the meeting times of the records of f, in their order
// (the documents'), to path: the keys (appendTimesKey) become patterns
// with numbered zones, each pattern once.
func writeTimes(path string, f *recordFacts) error {
	zoneNum := map[string]uint16{}
	var zones []string
	// Records with the same key share a pattern; each new key is
	// rewritten once, with each zone's name replaced by its number.
	patNum := map[string]uint32{"": 0}
	pats := []byte{0, 0, 0, 0, 0} // pattern 0: no pairs, no zones
	docPat := make([]uint32, 0, f.len())
	for i := range f.chunks {
		ch := &f.chunks[i]
		from := uint32(0)
		for _, end := range ch.keyEnd {
			key := ch.keys[from:end]
			from = end
			if p, ok := patNum[string(key)]; ok {
				docPat = append(docPat, p)
				continue
			}
			r := byteReader{b: key}
			pats = binary.LittleEndian.AppendUint32(pats, r.uint32())
			k := r.byte()
			pats = append(pats, k)
			for range k {
				name := r.next(int(r.uint16()))
				z, ok := zoneNum[string(name)]
				if !ok {
					if len(zones) > math.MaxUint16 {
						return errors.New("save meeting times: more than 65,536 time zones")
					}
					z = uint16(len(zones))
					zoneNum[string(name)] = z
					zones = append(zones, string(name))
				}
				pats = binary.LittleEndian.AppendUint16(pats, z)
				pats = append(pats, r.next(8*weekWords)...)
			}
			if r.short {
				return errors.New("save meeting times: a key cut short")
			}
			p := uint32(len(patNum))
			patNum[string(key)] = p
			docPat = append(docPat, p)
		}
	}
	return saveFile(path, "meeting times", func(w *bufio.Writer) {
		w.WriteString(timesMagic)
		binary.Write(w, binary.LittleEndian, uint64(len(docPat)))
		binary.Write(w, binary.LittleEndian, uint32(len(zones)))
		for _, z := range zones {
			binary.Write(w, binary.LittleEndian, uint16(len(z)))
			w.WriteString(z)
		}
		binary.Write(w, binary.LittleEndian, uint32(len(patNum)))
		w.Write(pats)
		binary.Write(w, binary.LittleEndian, docPat)
	})
}

// readTimes reads the meeting times saved at path for docs documents.
func readTimes(path string, docs int) (*timesColumn, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read meeting times: %w", err)
	}
	bad := func(why string) error { return fmt.Errorf("read meeting times: %s: %s", path, why) }
	r := byteReader{b: b}
	if string(r.next(len(timesMagic))) != timesMagic {
		return nil, bad("not a meeting times file")
	}
	if n := r.uint64(); n != uint64(docs) || r.short {
		return nil, bad(fmt.Sprintf("%d documents, the index has %d", n, docs))
	}
	t := &timesColumn{}
	nz := r.uint32()
	if r.short || uint64(nz) > uint64(len(b)) {
		return nil, bad("cut short")
	}
	for range nz {
		t.zones = append(t.zones, string(r.next(int(r.uint16()))))
	}
	np := r.uint32()
	if r.short || uint64(np) > uint64(len(b)) || np == 0 {
		return nil, bad("cut short")
	}
	t.pats = make([]timePattern, np)
	for i := range t.pats {
		p := &t.pats[i]
		p.pairs = r.uint32()
		k := int(r.byte())
		if k > 0 {
			p.zones = make([]zoneTimes, k)
		}
		for j := range p.zones {
			z := &p.zones[j]
			if z.zone = r.uint16(); int(z.zone) >= len(t.zones) {
				return nil, bad("a pattern's zone is not one of the zones")
			}
			for w := range z.slots {
				z.slots[w] = r.uint64()
			}
		}
		if r.short {
			return nil, bad("cut short")
		}
	}
	if len(r.b) != 4*docs {
		return nil, bad("the documents' patterns do not fill the rest")
	}
	t.docPat = make([]uint32, docs)
	for d := range t.docPat {
		if t.docPat[d] = r.uint32(); t.docPat[d] >= np {
			return nil, bad(fmt.Sprintf("document %d has pattern %d of %d", d, t.docPat[d], np))
		}
	}
	return t, nil
}

// byteReader reads little-endian values from b; short is set, and zeros
// are read, once b is used up.
type byteReader struct {
	b     []byte
	short bool
}

func (r *byteReader) next(n int) []byte {
	if n > len(r.b) {
		r.short = true
		r.b = nil
		return make([]byte, n)
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *byteReader) byte() byte     { return r.next(1)[0] }
func (r *byteReader) uint16() uint16 { return binary.LittleEndian.Uint16(r.next(2)) }
func (r *byteReader) uint32() uint32 { return binary.LittleEndian.Uint32(r.next(4)) }
func (r *byteReader) uint64() uint64 { return binary.LittleEndian.Uint64(r.next(8)) }

// timesFilter is a query's meeting-time filters over a timesColumn.
type timesFilter struct {
	// byPairs says the query has days or parts of the day; pairs are
	// the pairs that pass (none, for days or parts that are neither).
	byPairs bool
	pairs   uint32
	// bySlots says the query has OpenNow or Upcoming; slots are, zone by
	// zone, the half hours of the week a record must be in session at
	// one of.
	bySlots bool
	slots   []weekMask
}

// newTimesFilter is q's filter over t; ok is false when q has no
// meeting-time filter. The filters are whenQuery's: the pairs of
// askedPairs, in session at a half hour of eachAskedHalfHour.
func newTimesFilter(q peerfind.Query, t *timesColumn) (f timesFilter, ok bool) {
	if pairs := askedPairs(q); pairs != nil {
		f.byPairs = true
		for _, p := range pairs {
			f.pairs |= pairBit(p[0], p[1])
		}
	}
	if q.OpenNow || q.Upcoming {
		f.bySlots = true
		f.slots = make([]weekMask, len(t.zones))
		for z, name := range t.zones {
			loc, err := peerfind.LoadLocation(name)
			if err != nil {
				continue // no half hour: nothing in session there
			}
			eachAskedHalfHour(q, loc, func(wd, minutes int) { f.slots[z].set(weekSlot(wd, minutes)) })
		}
	}
	return f, f.byPairs || f.bySlots
}

// keeps reports whether a record of pattern p passes.
func (f *timesFilter) keeps(p *timePattern) bool {
	if f.byPairs && p.pairs&f.pairs == 0 {
		return false
	}
	if !f.bySlots {
		return true
	}
	for i := range p.zones {
		if p.zones[i].slots.meets(&f.slots[p.zones[i].zone]) {
			return true
		}
	}
	return false
}

// set is the documents of t the filter keeps among limit (every
// document, for a nil limit). The result is the caller's to change.
func (f *timesFilter) set(t *timesColumn, limit *roaring.Bitmap) *roaring.Bitmap {
	// A small limit is walked; otherwise the filter's documents, kept
	// for the next search with the same filter, are intersected with it.
	// (The limit is often every active service: walked, it took 10 ms.)
	if limit != nil && limit.GetCardinality() < uint64(len(t.docPat)/64) {
		kept := f.kept(t)
		var docs []uint32
		it := limit.Iterator()
		for it.HasNext() {
			if d := it.Next(); int(d) < len(t.docPat) && kept[t.docPat[d]] {
				docs = append(docs, d)
			}
		}
		return roaring.BitmapOf(docs...)
	}
	all := t.filtered(f)
	if limit != nil {
		return roaring.And(all, limit)
	}
	return all.Clone()
}

// kept says for each pattern of t whether the filter keeps it.
func (f *timesFilter) kept(t *timesColumn) []bool {
	kept := make([]bool, len(t.pats))
	for i := range t.pats {
		kept[i] = f.keeps(&t.pats[i])
	}
	return kept
}

// key names the filter in timesColumn.cache.
func (f *timesFilter) key() string {
	b := fmt.Appendf(nil, "%t %d %t", f.byPairs, f.pairs, f.bySlots)
	for _, m := range f.slots {
		for _, w := range m {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
	}
	return string(b)
}

// maxCachedFilters bounds timesColumn.cache: the day and time filters
// are few, and open now and upcoming change every half hour.
const maxCachedFilters = 64

// filtered is every document of t the filter keeps, from the cache or
// made and cached. The result is shared: not to be changed.
func (t *timesColumn) filtered(f *timesFilter) *roaring.Bitmap {
	key := f.key()
	t.mu.Lock()
	bm := t.cache[key]
	t.mu.Unlock()
	if bm != nil {
		return bm
	}
	kept := f.kept(t)
	words := make([]uint64, (len(t.docPat)+63)/64)
	for d, p := range t.docPat {
		if kept[p] {
			words[d>>6] |= 1 << (d & 63)
		}
	}
	bm = roaring.FromDense(words, false)
	t.mu.Lock()
	if t.cache == nil || len(t.cache) >= maxCachedFilters {
		t.cache = map[string]*roaring.Bitmap{}
	}
	t.cache[key] = bm
	t.mu.Unlock()
	return bm
}

// timesQuery matches the documents whose meeting times pass f.
type timesQuery struct {
	t *timesColumn
	f timesFilter
}

func (q timesQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	return &listSearcher{docs: q.t.filtered(&q.f).ToArray(), scorer: scorer.NewConstantScorer(1, 1, options)}, nil
}
