package ingest_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest"
)

func TestDetectHSDS(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"hsds array", `[{"id":"1","name":"x","status":"active","organization_id":"o"}]`, ingest.FormatHSDS},
		{"hsds ndjson", `{"id":"1","name":"x","status":"active","service_at_locations":[]}` + "\n", ingest.FormatHSDS},
		{"hsds page", `{"total_items":0,"contents":[]}`, ingest.FormatHSDS},
		{"hsds pretty", "{\n  \"id\": \"1\",\n  \"name\": \"x\",\n  \"status\": \"active\",\n  \"organization\": {}\n}", ingest.FormatHSDS},
		{"meeting guide", `[{"name":"x","slug":"x","day":1,"time":"19:00"}]`, ingest.FormatMeetingGuide},
		{"records", `{"id":"x","provenance":{}}` + "\n", ingest.FormatRecords},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ingest.Detect(bufio.NewReader(strings.NewReader(tc.in)))
			if err != nil || got != tc.want {
				t.Errorf("Detect = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestReadFileTabularFolder(t *testing.T) {
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	recs, rep, err := ingest.ReadFile(context.Background(), filepath.Join("tabular", "testdata", "hsds30"), tax)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || !strings.HasPrefix(recs[0].ID, "hsds-hsds30-") || len(rep.Skipped) == 0 {
		t.Errorf("records %d (%v), report %s", len(recs), recs, rep.Summary())
	}
	if _, _, err := ingest.ReadFile(context.Background(), t.TempDir(), tax); err == nil {
		t.Error("an empty folder read without error")
	}
	// An HSDS JSON file.
	path := filepath.Join(t.TempDir(), "county.json")
	os.WriteFile(path, []byte(`[{"id":"a","name":"Peer Warmline","status":"active","organization_id":"o","description":"A warmline run by peers."}]`), 0o644)
	recs, rep, err = ingest.ReadFile(context.Background(), path, tax)
	if err != nil || len(recs) != 1 || recs[0].Provenance.SourceKind != "hsds" {
		t.Errorf("hsds json: %v, %v, %s", err, recs, rep.Summary())
	}
}
