package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/export"
	"github.com/peerfind/peerfind/indexer/ingest"
	"github.com/peerfind/peerfind/indexer/ingest/tabular"
)

var (
	once    sync.Once
	shipped []*peerfind.Service
	taxo    *peerfind.Taxonomy
	loadErr error
)

func fixture(tb testing.TB) ([]*peerfind.Service, *peerfind.Taxonomy) {
	tb.Helper()
	once.Do(func() {
		if taxo, loadErr = data.Taxonomy(); loadErr == nil {
			shipped, _, loadErr = data.Records(context.Background())
		}
	})
	if loadErr != nil {
		tb.Fatal(loadErr)
	}
	return shipped, taxo
}

var src = tabular.Source{Prefix: "rt", Name: "round trip", URL: "file:///rt", Retrieved: "2026-01-01"}

func byID(recs []*peerfind.Service) []*peerfind.Service {
	out := append([]*peerfind.Service(nil), recs...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// same fails when the records differ in anything the model holds.
func same(t *testing.T, what string, want, got []*peerfind.Service) {
	t.Helper()
	if diff := cmp.Diff(byID(want), byID(got), cmpopts.EquateEmpty()); diff != "" {
		if len(diff) > 4000 {
			diff = diff[:4000] + "…"
		}
		t.Errorf("%s: records differ (-want +got):\n%s", what, diff)
	}
}

func roundTrip(t *testing.T, name string, recs []*peerfind.Service, tax *peerfind.Taxonomy) {
	t.Helper()
	// NDJSON.
	var buf bytes.Buffer
	if err := export.WriteNDJSON(&buf, recs, tax); err != nil {
		t.Fatal(err)
	}
	got, res, err := tabular.ReadJSON(context.Background(), &buf, src, tax)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Skipped) > 0 {
		t.Errorf("%s ndjson: skipped %v", name, res.Report.Skipped[:min(3, len(res.Report.Skipped))])
	}
	same(t, name+" ndjson", recs, got)

	// Tabular package, read back through ingest.ReadFile (a folder).
	dir := t.TempDir()
	if err := export.WritePackage(dir, recs, tax); err != nil {
		t.Fatal(err)
	}
	validatePackage(t, dir)
	got, rep, err := ingest.ReadFile(context.Background(), dir, tax)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) > 0 {
		t.Errorf("%s package: skipped %v", name, rep.Skipped[:min(3, len(rep.Skipped))])
	}
	same(t, name+" package", recs, got)
}

// TestRoundTripShipped exports the shipped directory as NDJSON and as a
// tabular package and reads both back: every record comes back equal.
func TestRoundTripShipped(t *testing.T) {
	recs, tax := fixture(t)
	if testing.Short() {
		recs = recs[:300]
	}
	roundTrip(t, "shipped", recs, tax)
}

// TestRoundTripSharedData imports the real data in ../shared/data (Ohana
// CSV, HSDS 1.1 tabular, the Ohana exports), exports it and imports it
// again: nothing the model holds is lost.
func TestRoundTripSharedData(t *testing.T) {
	_, tax := fixture(t)
	root := filepath.Join("..", "..", "..", "shared", "data")
	inputs := []string{
		"ohana-smc/sample-csv",
		"hsds-sample-datapackage/all_resources",
		"ohana-smc/sample_data.ohana-nested.jsonl",
		"ohana-smc/smc_services_2013.mongo.jsonl.gz",
		"hsds-spec-examples/json/service_full.json",
	}
	var n int
	for _, in := range inputs {
		path := filepath.Join(root, in)
		if _, err := os.Stat(path); err != nil {
			t.Logf("SKIPPING %s: not present (%v)", in, err)
			continue
		}
		n++
		t.Run(strings.ReplaceAll(in, "/", "_"), func(t *testing.T) {
			recs, rep, err := ingest.ReadFile(context.Background(), path, tax)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s", rep.Summary())
			if len(rep.Skipped)+len(recs) == 0 {
				t.Fatal("nothing read")
			}
			if len(recs) > 0 {
				roundTrip(t, in, recs, tax)
			}
		})
	}
	if n == 0 {
		t.Skip("SKIPPING: ../shared/data is absent")
	}
}

// TestTabularClassifies checks that a general directory's services are
// classified with reasons, and that source terms are kept.
func TestTabularClassifies(t *testing.T) {
	_, tax := fixture(t)
	dir := filepath.Join("..", "..", "..", "shared", "data", "ohana-smc", "sample-csv")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("SKIPPING: ../shared/data/ohana-smc/sample-csv is absent")
	}
	recs, res, err := tabular.Read(context.Background(), dir, src, tax)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "1.x" || len(recs) == 0 || len(res.Verdicts) < 20 {
		t.Fatalf("version %s, %d records, %d verdicts", res.Version, len(recs), len(res.Verdicts))
	}
	var peer, not int
	for _, v := range res.Verdicts {
		if v.Reason == "" {
			t.Errorf("verdict without reason: %+v", v)
		}
		if v.Peer {
			peer++
		} else {
			not++
		}
	}
	if peer != len(recs) || not == 0 {
		t.Errorf("%d peer verdicts for %d records, %d not peer", peer, len(recs), not)
	}
	var terms bool
	for _, r := range recs {
		terms = terms || len(r.SourceTerms) > 0
	}
	if !terms {
		t.Error("no record kept its source terms")
	}
}

// TestMeetingGuideFeed checks the feed's shape and that it reads back
// through the Meeting Guide importer.
func TestMeetingGuideFeed(t *testing.T) {
	recs, tax := fixture(t)
	var buf bytes.Buffer
	if err := export.WriteMeetingGuide(&buf, recs, tax); err != nil {
		t.Fatal(err)
	}
	var feed []peerfind.MeetingGuideMeeting
	if err := json.Unmarshal(buf.Bytes(), &feed); err != nil {
		t.Fatal(err)
	}
	if len(feed) < 1000 {
		t.Fatalf("%d meetings", len(feed))
	}
	hhmm := regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)
	for _, m := range feed {
		if m.Day < 0 || m.Day > 6 || !hhmm.MatchString(m.Time) || m.Slug == "" || len(m.Types) == 0 {
			t.Fatalf("bad meeting %+v", m)
		}
	}
	path := filepath.Join(t.TempDir(), "aa-export.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	back, rep, err := ingest.ReadFile(context.Background(), path, tax)
	if err != nil {
		t.Fatal(err)
	}
	// The importer merges a group's weekly meetings into one record.
	if len(rep.Skipped) > 0 || len(back) == 0 {
		t.Errorf("feed of %d meetings read back as %d records: %s", len(feed), len(back), rep.Summary())
	}
}

// validatePackage checks a written package against the HSDS 3.0
// descriptor: every resource's CSV has exactly the schema's fields in
// order; required fields are filled; numbers, dates, date-times, times
// and booleans parse; primary keys are unique; foreign keys resolve.
func validatePackage(t *testing.T, dir string) {
	t.Helper()
	dp, err := export.HSDSPackage()
	if err != nil {
		t.Fatal(err)
	}
	// The descriptor written must be HSDS's (same resources and fields).
	var written export.DataPackage
	b, err := os.ReadFile(filepath.Join(dir, "datapackage.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &written); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dp.Resources, written.Resources); diff != "" {
		t.Errorf("datapackage.json resources differ from HSDS's:\n%.2000s", diff)
	}
	// Also against ../shared's copy when present (same file upstream).
	if sb, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "data", "hsds-spec-examples", "datapackage.json")); err == nil {
		var shared export.DataPackage
		if err := json.Unmarshal(sb, &shared); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(shared.Resources, dp.Resources); diff != "" {
			t.Errorf("embedded descriptor differs from ../shared's:\n%.2000s", diff)
		}
	}
	keys := map[string]map[string]bool{}
	rows := map[string][]map[string]string{}
	for _, r := range dp.Resources {
		f, err := os.Open(filepath.Join(dir, r.Path))
		if err != nil {
			t.Fatalf("%s: %v", r.Path, err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", r.Path, err)
		}
		var head []string
		for _, fl := range r.Schema.Fields {
			head = append(head, fl.Name)
		}
		if diff := cmp.Diff(head, recs[0]); diff != "" {
			t.Fatalf("%s header (-want +got):\n%s", r.Path, diff)
		}
		keys[r.Name] = map[string]bool{}
		for i, rec := range recs[1:] {
			row := map[string]string{}
			for j, fl := range r.Schema.Fields {
				v := rec[j]
				row[fl.Name] = v
				where := r.Path + " row " + strconv.Itoa(i+2) + " " + fl.Name
				if req, _ := fl.Constraints["required"].(bool); req && v == "" {
					t.Fatalf("%s: required, empty", where)
				}
				if v == "" {
					continue
				}
				if err := checkType(fl.Type, v); err != nil {
					t.Fatalf("%s: %q is not a %s: %v", where, v, fl.Type, err)
				}
				if enum, ok := fl.Constraints["enum"].([]any); ok {
					found := false
					for _, e := range enum {
						found = found || e == v
					}
					if !found {
						t.Fatalf("%s: %q not in %v", where, v, enum)
					}
				}
			}
			id := row["id"]
			if keys[r.Name][id] {
				t.Fatalf("%s: duplicate primary key %q", r.Path, id)
			}
			keys[r.Name][id] = true
			rows[r.Name] = append(rows[r.Name], row)
		}
	}
	for _, r := range dp.Resources {
		for _, fk := range r.Schema.ForeignKeys {
			field, _ := fk.Fields.(string)
			for _, row := range rows[r.Name] {
				if v := row[field]; v != "" && !keys[fk.Reference.Resource][v] {
					t.Fatalf("%s: %s %q not in %s", r.Path, field, v, fk.Reference.Resource)
				}
			}
		}
	}
	if len(rows["service"]) == 0 {
		t.Error("no services written")
	}
}

func checkType(typ, v string) error {
	var err error
	switch typ {
	case "number":
		_, err = strconv.ParseFloat(v, 64)
	case "integer":
		_, err = strconv.Atoi(v)
	case "boolean":
		_, err = strconv.ParseBool(v)
	case "date":
		_, err = time.Parse("2006-01-02", v)
	case "datetime":
		_, err = time.Parse(time.RFC3339, v)
	case "time":
		if _, err = time.Parse("15:04", v); err != nil {
			_, err = time.Parse("15:04:05", v)
		}
	}
	return err
}
