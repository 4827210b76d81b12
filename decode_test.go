package peerfind

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// decodeStd is what DecodeService must give: encoding/json's result.
func decodeStd(b []byte) (*Service, error) {
	s := new(Service)
	if err := json.Unmarshal(b, s); err != nil {
		return nil, err
	}
	return s, nil
}

// sameAsStd fails t when DecodeService and encoding/json disagree on b:
// one decodes and the other does not, the records differ, or the errors
// read differently.
func sameAsStd(t *testing.T, b []byte) {
	t.Helper()
	got, gerr := DecodeService(b)
	want, werr := decodeStd(b)
	if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
		t.Fatalf("%q: error %v, encoding/json's %v", b, gerr, werr)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("%q: differs from encoding/json (-want +got):\n%s", b, diff)
	}
}

// sameReencoded fails t when DecodeWellFormed and encoding/json
// disagree on what encoding/json writes of b's record, as the indexer
// keeps it: the same record, and no error.
func sameReencoded(t *testing.T, b []byte) {
	t.Helper()
	s, err := decodeStd(b)
	if err != nil {
		return
	}
	enc, err := json.Marshal(s)
	if err != nil {
		return // a record encoding/json cannot write is not kept
	}
	want, werr := decodeStd(enc)
	got, gerr := DecodeWellFormed(enc)
	if gerr != nil || werr != nil {
		t.Fatalf("%q: error %v, encoding/json's %v", enc, gerr, werr)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("%q: differs from encoding/json (-want +got):\n%s", enc, diff)
	}
}

var decodeCases = []string{
	`{"id":"a","name":"x"}`,
	`{"ID":"a","NAME":"x","Languages":["es"]}`,
	`{"id":"a","id":"b"}`,
	`{"id":"a"} x`,
	`{"id":"a",}`,
	`{"id":1}`,
	`{"id":"a","locations":[{"latitude":"40"}]}`,
	`{"id":"a","locations":[{"latitude":1e400}]}`,
	`{"id":"a","locations":[{"latitude":40.5,"longitude":-73.9}]}`,
	`{"id":"a","languages":null,"name":null}`,
	`{"id":"a\u0000b","name":"\ud800"}`,
	"{\"id\":\"a\xffb\"}",
	`{"id":"a","schedules":[{"byday":"MO"}]}`,
	`{"id":"a","service_areas":[{"extent":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`,
	`{"id":"a","service_areas":[{"extent":{"type":"Nope"}}]}`,
	`[]`,
	`null`,
	``,
	`{"id":"a","unknown":{"deep":[1,2,{"x":null}]}}`,
}

// TestDecodeServiceMatchesStd holds DecodeService to encoding/json on
// edge cases and on every record of the shipped data, and
// DecodeWellFormed on what encoding/json writes of them.
func TestDecodeServiceMatchesStd(t *testing.T) {
	for _, c := range decodeCases {
		sameAsStd(t, []byte(c))
		sameReencoded(t, []byte(c))
	}
	files, _ := filepath.Glob("data/records/*.jsonl.gz")
	if len(files) == 0 {
		t.Skip("no shipped records (data/records)")
	}
	n := 0
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(z)
		sc.Buffer(make([]byte, 1<<20), 8<<20)
		for sc.Scan() {
			sameAsStd(t, sc.Bytes())
			sameReencoded(t, sc.Bytes())
			n++
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if n < 1000 {
		t.Errorf("only %d shipped records compared", n)
	}
}

// FuzzDecodeService compares DecodeService with encoding/json on any
// input, and DecodeWellFormed on what encoding/json writes of it.
func FuzzDecodeService(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sameAsStd(t, b)
		sameReencoded(t, b)
	})
}
