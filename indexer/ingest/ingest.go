// Package ingest reads the inputs the indexer accepts into peerfind
// records: peerfind record files (JSON Lines, one Service per line,
// optionally gzipped), Meeting Guide feeds and Ohana exports. ReadFile
// detects the format from the content; ReadRecords and WriteRecords read
// and write the record format.
//
// The format readers live in subpackages (meetingguide, ohana), which do
// not import this package.
package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest/internal/textutil"
	"github.com/peerfind/peerfind/indexer/ingest/meetingguide"
	"github.com/peerfind/peerfind/indexer/ingest/ohana"
)

// Formats that ReadFile detects.
const (
	FormatRecords      = "records"       // peerfind records, JSON Lines
	FormatMeetingGuide = "meeting-guide" // a Meeting Guide JSON array
	FormatOhana        = "ohana"         // an Ohana export, JSON Lines
	FormatHSDS         = "hsds"          // HSDS 3.0 services: NDJSON, a JSON array or an API page (hsdsformat.go)
	FormatHSDSTabular  = "hsds-tabular"  // a folder of HSDS CSV tables (3.0, 1.x, Ohana), with or without datapackage.json
)

// MaxLineSize is the longest line ReadRecords accepts; longer lines are
// skipped.
const MaxLineSize = 1 << 20

// MaxRecordsSize bounds the (decompressed) size of a record file, in
// bytes.
const MaxRecordsSize = 512 << 20

// ErrUnknownFormat is returned by ReadFile and Detect for input in no
// known format.
var ErrUnknownFormat = errors.New("unknown input format")

// ReadFile reads a file in any supported format, plain or gzipped, and
// returns its valid records and a report. A Meeting Guide feed gets a
// Source derived from the file name (see SourceFromFile); an Ohana export
// gets OhanaSourceFromFile's.
func ReadFile(ctx context.Context, path string, tax *peerfind.Taxonomy) ([]*peerfind.Service, *peerfind.Report, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return readTabular(ctx, path, tax)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	r, closeFn, err := decompress(f)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer closeFn()
	br := bufio.NewReaderSize(r, 1<<20)
	format, err := Detect(br)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	var recs []*peerfind.Service
	var rep *peerfind.Report
	switch format {
	case FormatRecords:
		recs, rep, err = readRecords(ctx, br, tax)
	case FormatMeetingGuide:
		src, serr := SourceFromFile(path)
		if serr != nil {
			return nil, nil, serr
		}
		recs, rep, err = meetingguide.Read(ctx, br, src, tax)
	case FormatHSDS:
		recs, rep, err = readHSDS(ctx, br, path, tax)
	case FormatOhana:
		src, serr := OhanaSourceFromFile(path)
		if serr != nil {
			return nil, nil, serr
		}
		recs, rep, err = ohana.Read(ctx, br, src, tax)
	}
	if rep != nil {
		rep.Source = path
	}
	if err != nil {
		return recs, rep, fmt.Errorf("read %s: %w", path, err)
	}
	return recs, rep, nil
}

// Detect peeks at decompressed input and names its format. It reads
// nothing from br beyond what Peek buffers.
func Detect(br *bufio.Reader) (string, error) {
	head, err := br.Peek(br.Size())
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return "", err
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(head) == 0:
		return "", fmt.Errorf("%w: empty input", ErrUnknownFormat)
	case head[0] == '[' && hsdsArray(head):
		return FormatHSDS, nil
	case head[0] == '[':
		return FormatMeetingGuide, nil
	case head[0] != '{':
		return "", fmt.Errorf("%w: input does not start with a JSON object or array", ErrUnknownFormat)
	}
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	keys, err := topKeys(line)
	if err != nil {
		return "", fmt.Errorf("%w: first line is not a JSON object: %v", ErrUnknownFormat, err)
	}
	switch {
	case keys["id"] && keys["provenance"]:
		return FormatRecords, nil
	case keys["agency"] || keys["coordinates"] || bytes.Contains(line, []byte(`"$date"`)):
		return FormatOhana, nil
	case keys["locations"] && bytes.Contains(line, []byte(`"services_attributes"`)):
		return FormatOhana, nil
	case hsdsKeys(keys), hsdsDocument(head):
		return FormatHSDS, nil
	}
	return "", fmt.Errorf("%w: JSON lines that are neither peerfind records nor an Ohana export", ErrUnknownFormat)
}

// topKeys returns the keys of the JSON object that b starts with; b may
// be cut short (a long first line), in which case the keys seen so far
// are returned.
func topKeys(b []byte) (map[string]bool, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil {
		return nil, err
	} else if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("want an object, got %v", tok)
	}
	keys := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		k, ok := tok.(string)
		if !ok {
			break
		}
		keys[k] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			break
		}
	}
	return keys, nil
}

// ReadRecords reads peerfind records: JSON Lines, one Service per line,
// plain or gzipped. Lines that are not JSON, that fail Validate(tax), that
// repeat an id or that are longer than MaxLineSize are skipped and
// reported with their line number; the read goes on. It returns an error
// only when the input cannot be read (the records read so far are
// returned with it).
func ReadRecords(ctx context.Context, r io.Reader, tax *peerfind.Taxonomy) ([]*peerfind.Service, *peerfind.Report, error) {
	dr, closeFn, err := decompress(r)
	if err != nil {
		return nil, &peerfind.Report{}, fmt.Errorf("read records: %w", err)
	}
	defer closeFn()
	return readRecords(ctx, dr, tax)
}

func readRecords(ctx context.Context, r io.Reader, tax *peerfind.Taxonomy) ([]*peerfind.Service, *peerfind.Report, error) {
	rep := &peerfind.Report{}
	lr := &io.LimitedReader{R: r, N: MaxRecordsSize + 1}
	br := bufio.NewReaderSize(lr, 64<<10)
	var out []*peerfind.Service
	seen := map[string]int{}
	for n := 1; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return out, rep, err
			}
		}
		line, long, err := textutil.ReadLine(br, MaxLineSize)
		switch {
		case long:
			rep.Read++
			rep.Skip(lineItem(n, ""), "line longer than %d bytes", MaxLineSize)
		case len(bytes.TrimSpace(line)) > 0:
			rep.Read++
			if s := parseRecord(line, tax, rep, seen, n); s != nil {
				out = append(out, s)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, rep, fmt.Errorf("read records: line %d: %w", n, err)
		}
	}
	if lr.N <= 0 {
		return out, rep, fmt.Errorf("read records: input larger than %d bytes", MaxRecordsSize)
	}
	rep.Kept = len(out)
	return out, rep, nil
}

// parseRecord decodes and checks the record on line n, or reports why it
// is skipped and returns nil.
func parseRecord(line []byte, tax *peerfind.Taxonomy, rep *peerfind.Report, seen map[string]int, n int) *peerfind.Service {
	s, err := peerfind.DecodeService(line)
	if err != nil {
		rep.Skip(lineItem(n, ""), "not a JSON record: %v", clip(err.Error(), 160))
		return nil
	}
	if err := s.Validate(tax); err != nil {
		rep.Skip(lineItem(n, s.ID), "%v", err)
		return nil
	}
	if first, dup := seen[s.ID]; dup {
		rep.Skip(lineItem(n, s.ID), "duplicate id %q (first on line %d)", s.ID, first)
		return nil
	}
	seen[s.ID] = n
	return s
}

// lineItem names line n, and the record's id if it has one, in a report.
func lineItem(n int, id string) string {
	item := "line " + strconv.Itoa(n)
	if id != "" {
		item += " (" + clip(id, 80) + ")"
	}
	return item
}

// WriteRecords writes records as JSON Lines, one per line, in the given
// order. Wrap w in a gzip.Writer for a .jsonl.gz file.
func WriteRecords(w io.Writer, recs []*peerfind.Service) error {
	bw := bufio.NewWriter(w)
	for _, s := range recs {
		b, err := s.MarshalJSONLine()
		if err != nil {
			return fmt.Errorf("write records: %w", err)
		}
		if _, err := bw.Write(b); err != nil {
			return fmt.Errorf("write records: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write records: %w", err)
	}
	return nil
}

// decompress returns r, transparently gunzipped when it starts with the
// gzip magic number.
func decompress(r io.Reader) (io.Reader, func(), error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gunzip: %w", err)
		}
		zr.Multistream(true)
		return zr, func() { zr.Close() }, nil
	}
	return br, func() {}, nil
}

var feedName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// SourceFromFile derives a Meeting Guide Source for a feed read from a
// file: the feed name from the file name up to its first dot
// ("aasanjose.test.json" gives "aasanjose"), the file's path as URL, its modification date as the
// retrieval date, US defaults (country US, language English), and the
// fellowship's terms when the name says which it is ("al-anon", "aa",
// "na", "eda", "oa", "ga").
func SourceFromFile(path string) (meetingguide.Source, error) {
	base := baseName(path)
	feed := strings.Trim(feedName.ReplaceAllString(base, "-"), "-.")
	if feed == "" {
		feed = "feed"
	}
	retrieved, err := modDate(path)
	if err != nil {
		return meetingguide.Source{}, err
	}
	src := meetingguide.Source{
		Feed:      feed,
		Name:      base,
		URL:       fileURL(path),
		Retrieved: retrieved,
		Country:   "US",
		Language:  "en",
	}
	words := strings.FieldsFunc(strings.ToLower(base), func(r rune) bool {
		return !(r >= 'a' && r <= 'z')
	})
	lower := strings.ToLower(base)
	switch {
	case strings.Contains(lower, "al-anon") || strings.Contains(lower, "alanon") || strings.Contains(lower, "alateen"):
		src.Categories = []string{"family-support-group"}
		src.Populations = []string{"families"}
		src.Conditions = []string{"alcohol"}
	case hasWord(words, "eda") || hasWord(words, "oa"):
		src.Conditions = []string{"eating-disorders"}
	case hasWord(words, "ga"):
		src.Conditions = []string{"gambling"}
	case hasWord(words, "na"):
		src.Conditions = []string{"drugs"}
	case hasWord(words, "aa") || aaFeed(words):
		src.Conditions = []string{"alcohol"}
	}
	return src, nil
}

func hasWord(words []string, w string) bool {
	for _, x := range words {
		if x == w {
			return true
		}
	}
	return false
}

// aaFeed reports whether a word of the name starts or ends with "aa", as
// AA intergroups name their feeds ("aasanjose", "sussexaa").
func aaFeed(words []string) bool {
	for _, w := range words {
		if len(w) > 4 && (strings.HasPrefix(w, "aa") || strings.HasSuffix(w, "aa")) {
			return true
		}
	}
	return false
}

// OhanaSourceFromFile derives an Ohana Source for an export read from a
// file: id prefix "ohana-<name>" (the file name up to its first dot), the
// file's path as URL, its modification date, and US defaults (country
// US, zone America/Los_Angeles, English). A file named "smc..." is taken
// to be the San Mateo County export and gets its license (BSD-3-Clause)
// and attribution.
func OhanaSourceFromFile(path string) (ohana.Source, error) {
	retrieved, err := modDate(path)
	if err != nil {
		return ohana.Source{}, err
	}
	base := baseName(path)
	prefix := strings.Trim(feedName.ReplaceAllString(strings.ToLower(base), "-"), "-.")
	src := ohana.Source{
		Prefix:    "ohana-" + prefix,
		Name:      base,
		URL:       fileURL(path),
		Retrieved: retrieved,
		Country:   "US",
		Timezone:  "America/Los_Angeles",
		Language:  "en",
	}
	if strings.HasPrefix(prefix, "smc") {
		src.License = "BSD-3-Clause"
		src.Attribution = "Copyright (c) 2013, Code for America; San Mateo County human services data"
	}
	return src, nil
}

// baseName is the file name up to its first dot: "a/b/oc.json.gz" gives
// "oc", "aasanjose.test.json" gives "aasanjose".
func baseName(path string) string {
	base := filepath.Base(path)
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	return base
}

func fileURL(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return "file://" + filepath.ToSlash(abs)
}

func modDate(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return fi.ModTime().UTC().Format(time.DateOnly), nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
