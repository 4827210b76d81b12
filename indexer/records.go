package indexer

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

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

// writeRecords writes recs (sorted by id here) beside the index.
func writeRecords(dir string, recs []*peerfind.Service) (err error) {
	byID := slices.Clone(recs)
	slices.SortFunc(byID, func(a, b *peerfind.Service) int { return cmp.Compare(a.ID, b.ID) })
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
	for _, s := range byID {
		b, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("save records: %q: %w", s.ID, err)
		}
		binary.LittleEndian.PutUint64(num[:], at)
		ow.Write(num[:])
		rw.Write(b)
		rw.WriteByte('\n')
		at += uint64(len(b)) + 1
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
