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

// pointHashes are the Morton hashes of a record's points, in order,
// without repeats: the values bleve indexed for each point at its finest
// precision (geo.MortonHash, as a prefix-coded int64).
func pointHashes(s *peerfind.Service, into []uint64) []uint64 {
	into = into[:0]
	for _, p := range s.Points() {
		into = append(into, geo.MortonHash(p.Lon(), p.Lat()))
	}
	slices.SortFunc(into, func(a, b uint64) int { return cmp.Compare(int64(a), int64(b)) })
	return slices.Compact(into)
}

// writePoints saves the points of recs, in their order (the documents'),
// to path.
func writePoints(path string, recs []*peerfind.Service) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("save points: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("save points: %w", cerr)
		}
	}()
	offsets := make([]uint32, len(recs)+1)
	var hashes, one []uint64
	for i, s := range recs {
		one = pointHashes(s, one)
		hashes = append(hashes, one...)
		if len(hashes) > math.MaxUint32 {
			return errors.New("save points: more than 2^32 points")
		}
		offsets[i+1] = uint32(len(hashes))
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(pointsMagic)
	binary.Write(w, binary.LittleEndian, uint64(len(recs)))
	binary.Write(w, binary.LittleEndian, offsets)
	binary.Write(w, binary.LittleEndian, hashes)
	if err := w.Flush(); err != nil {
		return fmt.Errorf("save points: %w", err)
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
