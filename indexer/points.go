package indexer

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/blevesearch/bleve/v2/geo"
	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
)

// The records' points are saved beside the index, in document order,
// not indexed: the columns (readColumns) are the only reader of a
// point, for the radius (the grid), the distances and the sort. As a
// bleve geopoint, each point was eight terms in the inverted index, at
// eight precisions, that no search read: a sixth of a segment's
// encoding and as much of every merge. (An index built before has the
// points in its loc field, read from its doc values.)
//
// The file is pointsMagic, the number of documents n (uint64), n+1
// offsets (uint32: document d's points are offsets[d]..offsets[d+1])
// and the points, each its Morton hash (uint64, geo.MortonHash), all
// little-endian. A document's points are in the order of their hashes,
// without repeats, as bleve's doc values gave them.
const (
	pointsFile  = "points.bin"
	pointsMagic = "pfpoint1"
)

// appendPointHashes appends the Morton hashes of a record's points to
// dst, in order, without repeats: the values bleve indexed for each point
// at its finest precision (geo.MortonHash, as a prefix-coded int64).
func appendPointHashes(dst []uint64, s *peerfind.Service) []uint64 {
	from := len(dst)
	for _, p := range s.Points() {
		dst = append(dst, geo.MortonHash(p.Lon(), p.Lat()))
	}
	own := dst[from:]
	slices.SortFunc(own, func(a, b uint64) int { return cmp.Compare(int64(a), int64(b)) })
	return dst[:from+len(slices.Compact(own))]
}

// writePoints saves the points of the records of f, in their order (the
// documents'), to path.
func writePoints(path string, f *recordFacts) error {
	n := f.len()
	offsets := make([]uint32, 0, n+1)
	offsets = append(offsets, 0)
	total := uint64(0)
	for i := range f.chunks {
		for _, end := range f.chunks[i].ptEnd {
			if total+uint64(end) > math.MaxUint32 {
				return errors.New("save points: more than 2^32 points")
			}
			offsets = append(offsets, uint32(total)+end)
		}
		total += uint64(len(f.chunks[i].hashes))
	}
	return saveFile(path, "points", func(w *bufio.Writer) {
		w.WriteString(pointsMagic)
		binary.Write(w, binary.LittleEndian, uint64(n))
		binary.Write(w, binary.LittleEndian, offsets)
		for i := range f.chunks {
			binary.Write(w, binary.LittleEndian, f.chunks[i].hashes)
		}
	})
}

// saveFile writes a file saved beside the index at path through a
// buffer, with write; what names it in errors ("save points: ...").
func saveFile(path, what string, write func(w *bufio.Writer)) (err error) {
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("save %s: %w", what, err)
	}
	defer func() {
		if cerr := file.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("save %s: %w", what, cerr)
		}
	}()
	w := bufio.NewWriterSize(file, 1<<20)
	write(w)
	if err := w.Flush(); err != nil {
		return fmt.Errorf("save %s: %w", what, err)
	}
	return nil
}

// readPoints reads the points saved at path for docs documents into the
// columns.
func (c *columns) readPoints(path string, docs int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read points: %w", err)
	}
	bad := func(why string) error { return fmt.Errorf("read points: %s: %s", path, why) }
	if len(b) < len(pointsMagic)+8 || string(b[:len(pointsMagic)]) != pointsMagic {
		return bad("not a points file")
	}
	b = b[len(pointsMagic):]
	n := binary.LittleEndian.Uint64(b)
	b = b[8:]
	if n != uint64(docs) {
		return bad(fmt.Sprintf("%d documents, the index has %d", n, docs))
	}
	if uint64(len(b)) < (n+1)*4 {
		return bad("cut short")
	}
	offsets := make([]uint32, n+1)
	for i := range offsets {
		offsets[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	b = b[4*(n+1):]
	total := offsets[n]
	if offsets[0] != 0 || !slices.IsSorted(offsets) || uint64(len(b)) != 8*uint64(total) {
		return bad("offsets and points do not agree")
	}
	c.ptOff = offsets
	c.pts = make([]orb.Point, total)
	for k := range c.pts {
		h := binary.LittleEndian.Uint64(b[8*k:])
		c.pts[k] = orb.Point{geo.MortonUnhashLon(h), geo.MortonUnhashLat(h)}
	}
	return nil
}
