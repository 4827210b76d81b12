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
// edge cases and on every record of the shipped data.
func TestDecodeServiceMatchesStd(t *testing.T) {
	for _, c := range decodeCases {
		sameAsStd(t, []byte(c))
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
// input.
func FuzzDecodeService(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(sameAsStd)
}
