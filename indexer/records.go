package indexer

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/peerfind/peerfind"
)

// The records beside the index: every indexed record as the JSON bleve
// stores, one a line in id order (recordsFile), and where each line
// starts (recordsOffsets: little-endian uint64s, one per record and the
// file's length). A search reads the records of its page from them with
// pread, through the page cache. Read from bleve's stored fields, they
// are pages of the index's mapping, and the kernel maps the pages around
// each one with it: at a million records, the mix's searches left 650 MB
// of the stored section in searchd's resident memory, reading about 20
// records each.
const (
	recordsFile    = "records.jsonl"
	recordsOffsets = "records.off"
	// maxRecordBytes bounds one record read from the file (the model's
	// own limits keep a record well under it).
	maxRecordBytes = 4 << 20
)

// recordArena holds records as the JSON saved beside the index, in the
// order given, in pointer-free chunks. A build holds its records this way
// from the moment they are in place order: as values of the model they
// were 4.5 GB of pointers at a million records, which the collector
// walked again at every cycle (18% of the build's CPU); this is one
// gigabyte it does not walk. A segment's worker decodes its records when
// it maps them.
type recordArena struct {
	n      int
	chunks []arenaChunk
}

// arenaChunk is arenaChunkSize records (the last may have fewer), each
// as JSON and a newline.
type arenaChunk struct {
	data []byte
	end  []int32 // where record j's newline ends
}

const arenaChunkSize = 4096

// encodeRecords encodes recs in order, a chunk at a time on each of
// workers goroutines. If facts is set (newRecordFacts(len(recs))), each
// record's facts are taken right after it is encoded.
func encodeRecords(ctx context.Context, recs []*peerfind.Service, workers int, facts *recordFacts) (*recordArena, error) {
	a := &recordArena{n: len(recs), chunks: make([]arenaChunk, (len(recs)+arenaChunkSize-1)/arenaChunkSize)}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, workers))
	// A worker's buffer is kept for its next chunk: grown from nothing
	// for every chunk, it took half of the encoding's time in clearing
	// the new memory.
	var bufs sync.Pool
	for c := range a.chunks {
		part := recs[c*arenaChunkSize : min(len(recs), (c+1)*arenaChunkSize)]
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			buf, _ := bufs.Get().(*bytes.Buffer)
			if buf == nil {
				buf = new(bytes.Buffer)
			}
			defer bufs.Put(buf)
			buf.Reset()
			enc := json.NewEncoder(buf) // as json.Marshal, and a newline
			end := make([]int32, len(part))
			for j, s := range part {
				if err := enc.Encode(s); err != nil {
					return fmt.Errorf("encode record %q: %w", s.ID, err)
				}
				if buf.Len() > math.MaxInt32 {
					return fmt.Errorf("encode records: %d records take more than 2 GiB", len(part))
				}
				if facts != nil {
					if err := facts.add(c, s); err != nil {
						return err
					}
				}
				end[j] = int32(buf.Len())
			}
			a.chunks[c] = arenaChunk{data: bytes.Clone(buf.Bytes()), end: end}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return a, nil
}

// len is the number of records.
func (a *recordArena) len() int { return a.n }

// line is record i as JSON and a newline (the arena's own bytes).
func (a *recordArena) line(i int) []byte {
	c := &a.chunks[i/arenaChunkSize]
	j := i % arenaChunkSize
	start := int32(0)
	if j > 0 {
		start = c.end[j-1]
	}
	return c.data[start:c.end[j]]
}

// json is record i as JSON.
func (a *recordArena) json(i int) []byte {
	l := a.line(i)
	return l[:len(l)-1]
}

// record decodes record i.
func (a *recordArena) record(i int) (*peerfind.Service, error) {
	s, err := peerfind.DecodeWellFormed(a.json(i))
	if err != nil {
		return nil, fmt.Errorf("decode record %d: %w", i, err)
	}
	return s, nil
}

// idOrder is the positions of recs sorted by their ids.
func idOrder(recs []*peerfind.Service) []int32 {
	order := make([]int32, len(recs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(recs[a].ID, recs[b].ID) })
	return order
}

// saveRecords writes the records of a beside the index, in the order
// byID (their ids' order).
func saveRecords(dir string, a *recordArena, byID []int32) (err error) {
	var files []*os.File
	defer func() {
		for _, f := range files {
			if cerr := f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("save records: %w", cerr)
			}
		}
	}()
	create := func(name string) (*bufio.Writer, error) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("save records: %w", err)
		}
		files = append(files, f)
		return bufio.NewWriterSize(f, 1<<20), nil
	}
	rw, err := create(recordsFile)
	if err != nil {
		return err
	}
	ow, err := create(recordsOffsets)
	if err != nil {
		return err
	}
	var at uint64
	var num [8]byte
	for _, i := range byID {
		b := a.line(int(i))
		binary.LittleEndian.PutUint64(num[:], at)
		ow.Write(num[:])
		rw.Write(b)
		at += uint64(len(b))
	}
	binary.LittleEndian.PutUint64(num[:], at)
	ow.Write(num[:])
	if err := rw.Flush(); err != nil {
		return fmt.Errorf("save records: %w", err)
	}
	if err := ow.Flush(); err != nil {
		return fmt.Errorf("save records: %w", err)
	}
	return nil
}

// recordFile reads the records beside an open index by the rank of their
// id.
type recordFile struct {
	f   *os.File
	off []uint64
}

// openRecords opens the records beside the index in dir, checked against
// the index's documents and the first and last of its ids; nil when there
// are none (an index built before them) or they are not this index's.
func openRecords(dir string, docs int, firstID, lastID string) (*recordFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, recordsOffsets))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	if len(b) != 8*(docs+1) {
		return nil, nil
	}
	off := make([]uint64, docs+1)
	for i := range off {
		off[i] = binary.LittleEndian.Uint64(b[8*i:])
		if i > 0 && (off[i] <= off[i-1] || off[i]-off[i-1] > maxRecordBytes) {
			return nil, nil
		}
	}
	f, err := os.Open(filepath.Join(dir, recordsFile))
	if err != nil {
		return nil, fmt.Errorf("records: %w", err)
	}
	rf := &recordFile{f: f, off: off}
	if fi, err := f.Stat(); err != nil || uint64(fi.Size()) != off[docs] || !rf.holds(0, firstID) || !rf.holds(docs-1, lastID) {
		f.Close()
		return nil, nil
	}
	return rf, nil
}

// holds reports whether the record of rank has the id.
func (rf *recordFile) holds(rank int, id string) bool {
	if rank < 0 {
		return true // no records at all
	}
	b, err := rf.read(rank)
	return err == nil && recordID(b) == id
}

// recordID is the id of a record's JSON: json.Marshal writes it first,
// and an id has no character JSON escapes (peerfind.Service.Validate).
func recordID(b []byte) string {
	const start = `{"id":"`
	if rest, ok := bytes.CutPrefix(b, []byte(start)); ok {
		if i := bytes.IndexByte(rest, '"'); i >= 0 && !bytes.ContainsRune(rest[:i], '\\') {
			return string(rest[:i])
		}
	}
	var s struct {
		ID string `json:"id"`
	}
	json.Unmarshal(b, &s)
	return s.ID
}

// read returns the record of rank, as JSON.
func (rf *recordFile) read(rank int) ([]byte, error) {
	if rank < 0 || rank+1 >= len(rf.off) {
		return nil, fmt.Errorf("records: no record %d of %d", rank, len(rf.off)-1)
	}
	lo, hi := rf.off[rank], rf.off[rank+1]
	b := make([]byte, hi-lo)
	if _, err := rf.f.ReadAt(b, int64(lo)); err != nil {
		return nil, fmt.Errorf("records: record %d: %w", rank, err)
	}
	if len(b) == 0 || b[len(b)-1] != '\n' {
		return nil, fmt.Errorf("records: record %d does not end its line", rank)
	}
	return b[:len(b)-1], nil
}

func (rf *recordFile) close() error {
	if rf == nil {
		return nil
	}
	return rf.f.Close()
}

// recordFacts are what Build saves beside the index of each record
// besides the record itself: its points (pointsFile) and its meeting
// times (timesFile). They are taken chunk by chunk (arenaChunkSize
// records) as encodeRecords encodes the records, by the chunk's worker,
// while each record is in cache: a pass of its own over a million
// records spread over the heap took a second or more, most of it
// waiting for memory.
type recordFacts struct {
	chunks []factChunk
}

// factChunk is the facts of a chunk of records.
type factChunk struct {
	// ptEnd[j] is where record j's hashes end in hashes.
	ptEnd  []uint32
	hashes []uint64
	// keyEnd[j] is where record j's key (appendTimesKey) ends in keys.
	keyEnd []uint32
	keys   []byte
}

func newRecordFacts(n int) *recordFacts {
	return &recordFacts{chunks: make([]factChunk, (n+arenaChunkSize-1)/arenaChunkSize)}
}

// add takes the facts of s, the next record of chunk c. The records of
// a chunk are added in order, by one goroutine at a time.
func (f *recordFacts) add(c int, s *peerfind.Service) error {
	ch := &f.chunks[c]
	ch.hashes = appendPointHashes(ch.hashes, s)
	var err error
	if ch.keys, err = appendTimesKey(ch.keys, s); err != nil {
		return err
	}
	if len(ch.hashes) > math.MaxUint32 || len(ch.keys) > math.MaxUint32 {
		return fmt.Errorf("record %q: too many points or meeting times in a chunk", s.ID)
	}
	ch.ptEnd = append(ch.ptEnd, uint32(len(ch.hashes)))
	ch.keyEnd = append(ch.keyEnd, uint32(len(ch.keys)))
	return nil
}

// gatherFacts takes the facts of recs in one goroutine (tests).
func gatherFacts(recs []*peerfind.Service) (*recordFacts, error) {
	f := newRecordFacts(len(recs))
	for i, s := range recs {
		if err := f.add(i/arenaChunkSize, s); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// len is the number of records.
func (f *recordFacts) len() int {
	n := 0
	for i := range f.chunks {
		n += len(f.chunks[i].ptEnd)
	}
	return n
}
