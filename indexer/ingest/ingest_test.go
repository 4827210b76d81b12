package ingest_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest"
	"github.com/peerfind/peerfind/indexer/ingest/meetingguide"
)

func loadTaxonomy(t testing.TB) *peerfind.Taxonomy {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "data", "taxonomy", "taxonomy.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tax, err := peerfind.LoadTaxonomy(f)
	if err != nil {
		t.Fatal(err)
	}
	return tax
}

func TestDetect(t *testing.T) {
	tests := []struct {
		file, want string
	}{
		{"al-anon.json.gz", ingest.FormatMeetingGuide},
		{"eda.json", ingest.FormatMeetingGuide},
		{"smc_services.mongo.jsonl.gz", ingest.FormatOhana},
		{"sample.ohana-nested.jsonl", ingest.FormatOhana},
		{"records.jsonl", ingest.FormatRecords},
		{"unknown.jsonl", ""},
		{"text.txt", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(tt.file, ".gz") {
				zr, err := gzip.NewReader(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				buf.ReadFrom(zr)
				b = buf.Bytes()
			}
			got, err := ingest.Detect(bufio.NewReader(bytes.NewReader(b)))
			if got != tt.want {
				t.Errorf("Detect = %q, %v; want %q", got, err, tt.want)
			}
			if tt.want == "" && !errors.Is(err, ingest.ErrUnknownFormat) {
				t.Errorf("err = %v, want ErrUnknownFormat", err)
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	tax := loadTaxonomy(t)
	tests := []struct {
		file        string
		read, kept  int
		skipped     int
		wantID      string   // a record that must be there
		wantTerms   []string // its conditions
		wantErr     string
		wantSkipped string // a part of a skip reason
	}{
		{file: "al-anon.json.gz", read: 6, kept: 5, skipped: 1, wantID: "mg-al-anon-30674572-beverly-alateen",
			wantTerms: []string{"alcohol", "substance-use"}, wantSkipped: "placeholder conference link"},
		{file: "eda.json", read: 3, kept: 3, wantID: "mg-eda-tbilisi-saturdays",
			wantTerms: []string{"eating-disorders", "mental-health"}},
		{file: "smc_services.mongo.jsonl.gz", read: 16, kept: 7, skipped: 9,
			wantID:    "ohana-smc_services-narcotics-anonymous-na",
			wantTerms: []string{"substance-use", "drugs", "alcohol"}, wantSkipped: "not peer support"},
		{file: "sample.ohana-nested.jsonl", read: 5, kept: 1, skipped: 4,
			wantID:    "ohana-sample-peninsula-family-service-senior-peer-counseling",
			wantTerms: []string{"depression-bipolar", "mental-health"}, wantSkipped: "not peer support"},
		{file: "records.jsonl", read: 6, kept: 3, skipped: 3, wantID: "smc-narcotics-anonymous-na",
			wantTerms: []string{"substance-use", "drugs", "alcohol"}, wantSkipped: "duplicate id"},
		{file: "truncated.json.gz", wantErr: "unexpected EOF"},
		{file: "unknown.jsonl", wantErr: "unknown input format"},
		{file: "text.txt", wantErr: "unknown input format"},
		{file: "missing.json", wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			recs, rep, err := ingest.ReadFile(context.Background(), path, tax)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep.Read != tt.read || rep.Kept != tt.kept || len(recs) != tt.kept || len(rep.Skipped) != tt.skipped {
				t.Errorf("%s; %d records", rep.Summary(), len(recs))
			}
			if rep.Source != path {
				t.Errorf("report source = %q, want %q", rep.Source, path)
			}
			var found *peerfind.Service
			for _, s := range recs {
				if err := s.Validate(tax); err != nil {
					t.Errorf("%s: %v", s.ID, err)
				}
				if s.ID == tt.wantID {
					found = s
				}
			}
			if found == nil {
				t.Fatalf("no record %s", tt.wantID)
			}
			if !cmp.Equal(found.Conditions, tt.wantTerms) {
				t.Errorf("%s conditions = %v, want %v", tt.wantID, found.Conditions, tt.wantTerms)
			}
			if tt.wantSkipped != "" {
				ok := false
				for _, is := range rep.Skipped {
					ok = ok || strings.Contains(is.Reason, tt.wantSkipped)
				}
				if !ok {
					t.Errorf("no skip reason with %q in %+v", tt.wantSkipped, rep.Skipped)
				}
			}
		})
	}
}

func TestReadRecordsSkips(t *testing.T) {
	tax := loadTaxonomy(t)
	f, err := os.Open(filepath.Join("testdata", "records.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, rep, err := ingest.ReadRecords(context.Background(), f, tax)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range recs {
		ids = append(ids, s.ID)
	}
	if diff := cmp.Diff([]string{"mg-eda-tbilisi-saturdays", "mg-edmonton-6", "smc-narcotics-anonymous-na"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	var items []string
	for _, is := range rep.Skipped {
		items = append(items, is.Item)
	}
	want := []string{"line 4", "line 5 (bad-status)", "line 6 (mg-eda-tbilisi-saturdays)"}
	if diff := cmp.Diff(want, items); diff != "" {
		t.Errorf("skipped items (-want +got):\n%s", diff)
	}
	if r := rep.Skipped[1].Reason; !strings.Contains(r, "status must be one of") || !strings.Contains(r, `"not-a-term"`) {
		t.Errorf("validation reason = %q", r)
	}
	if r := rep.Skipped[2].Reason; r != `duplicate id "mg-eda-tbilisi-saturdays" (first on line 1)` {
		t.Errorf("duplicate reason = %q", r)
	}
}

// TestRoundTrip writes records, gzipped, and reads them back.
func TestRoundTrip(t *testing.T) {
	tax := loadTaxonomy(t)
	var all []*peerfind.Service
	for _, f := range []string{"al-anon.json.gz", "eda.json", "smc_services.mongo.jsonl.gz", "sample.ohana-nested.jsonl"} {
		recs, _, err := ingest.ReadFile(context.Background(), filepath.Join("testdata", f), tax)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, recs...)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := ingest.WriteRecords(zw, all); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	got, rep, err := ingest.ReadRecords(context.Background(), &buf, tax)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) != 0 {
		t.Errorf("skipped %+v", rep.Skipped)
	}
	if diff := cmp.Diff(all, got); diff != "" {
		t.Errorf("round trip (-written +read):\n%s", diff)
	}
	// Plain JSON Lines too, through a file, with format detection.
	path := filepath.Join(t.TempDir(), "out.jsonl")
	var plain bytes.Buffer
	if err := ingest.WriteRecords(&plain, all); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, plain.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, _, err = ingest.ReadFile(context.Background(), path, tax)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(all, got); diff != "" {
		t.Errorf("round trip through a file (-written +read):\n%s", diff)
	}
}

func TestReadRecordsBadInput(t *testing.T) {
	tax := loadTaxonomy(t)
	good, err := os.ReadFile(filepath.Join("testdata", "records.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	first := good[:bytes.IndexByte(good, '\n')+1]

	t.Run("huge line", func(t *testing.T) {
		in := "{\"id\": \"x\", \"name\": \"" + strings.Repeat("a", ingest.MaxLineSize) + "\"}\n" + string(first)
		recs, rep, err := ingest.ReadRecords(context.Background(), strings.NewReader(in), tax)
		if err != nil || len(recs) != 1 || len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0].Reason, "longer than") {
			t.Errorf("records %d, skipped %+v, err %v", len(recs), rep.Skipped, err)
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		recs, rep, err := ingest.ReadRecords(context.Background(), strings.NewReader("hello\nworld"), tax)
		if err != nil || len(recs) != 0 || len(rep.Skipped) != 2 {
			t.Errorf("records %d, skipped %+v, err %v", len(recs), rep.Skipped, err)
		}
	})
	t.Run("no final newline", func(t *testing.T) {
		recs, _, err := ingest.ReadRecords(context.Background(), bytes.NewReader(bytes.TrimSpace(first)), tax)
		if err != nil || len(recs) != 1 {
			t.Errorf("records %d, err %v", len(recs), err)
		}
	})
	t.Run("truncated gzip", func(t *testing.T) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(bytes.Repeat(good, 20))
		zw.Close()
		cut := buf.Bytes()[:buf.Len()/2]
		recs, _, err := ingest.ReadRecords(context.Background(), bytes.NewReader(cut), tax)
		if err == nil {
			t.Errorf("no error; %d records", len(recs))
		}
	})
	t.Run("bad gzip header", func(t *testing.T) {
		_, _, err := ingest.ReadRecords(context.Background(), bytes.NewReader([]byte{0x1f, 0x8b, 0}), tax)
		if err == nil {
			t.Error("no error")
		}
	})
	t.Run("empty", func(t *testing.T) {
		recs, rep, err := ingest.ReadRecords(context.Background(), strings.NewReader(""), tax)
		if err != nil || len(recs) != 0 || rep.Read != 0 {
			t.Errorf("records %d, %+v, %v", len(recs), rep, err)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, _, err := ingest.ReadRecords(ctx, bytes.NewReader(bytes.Repeat([]byte("\n"), 5000)), tax)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestSourceFromFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		file       string
		feed       string
		conditions []string
		categories []string
	}{
		{"aasanjose.json.gz", "aasanjose", []string{"alcohol"}, nil},
		{"sussexaa.json", "sussexaa", []string{"alcohol"}, nil},
		{"al-anon.json.gz", "al-anon", []string{"alcohol"}, []string{"family-support-group"}},
		{"eda.json", "eda", []string{"eating-disorders"}, nil},
		{"nashville na.json", "nashville-na", []string{"drugs"}, nil},
		{"oc.json", "oc", nil, nil},
		{"atlanta.json", "atlanta", nil, nil},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.file)
		if err := os.WriteFile(path, []byte("[]"), 0o644); err != nil {
			t.Fatal(err)
		}
		src, err := ingest.SourceFromFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := meetingguide.Source{Feed: tt.feed, Conditions: tt.conditions, Categories: tt.categories}
		got := meetingguide.Source{Feed: src.Feed, Conditions: src.Conditions, Categories: src.Categories}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.file, diff)
		}
		if !strings.HasPrefix(src.URL, "file://") || len(src.Retrieved) != 10 {
			t.Errorf("%s: url %q, retrieved %q", tt.file, src.URL, src.Retrieved)
		}
	}
}
