package tabular_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest/tabular"
)

var src = tabular.Source{Prefix: "tab", Name: "test directory", URL: "file:///test", Retrieved: "2026-01-02", License: "CC0-1.0"}

func taxonomy(t *testing.T) *peerfind.Taxonomy {
	t.Helper()
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	return tax
}

func reasons(issues []peerfind.Issue) string {
	var b strings.Builder
	for _, i := range issues {
		b.WriteString(i.Item + ": " + i.Reason + "\n")
	}
	return b.String()
}

// TestOhanaCSV reads a messy 1.x / Ohana folder: a BOM and capitalised
// headers, a short row, an address without a country, a location of an
// unknown organization, a service at an unknown location and a file that
// is no HSDS table. The peer-support group is kept with its source terms;
// the food bank is not peer support, with the reason.
func TestOhanaCSV(t *testing.T) {
	tax := taxonomy(t)
	recs, res, err := tabular.Read(context.Background(), "testdata/ohana-messy", src, tax)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "1.x" {
		t.Errorf("version %q, want 1.x", res.Version)
	}
	if len(recs) != 1 {
		t.Fatalf("kept %d records, want 1; report:\n%s", len(recs), reasons(res.Report.Skipped))
	}
	r := recs[0]
	if r.Name != "Depression and Bipolar Support Group" || r.Organization.Name != "Bay Peer Alliance" {
		t.Errorf("record %q of %q", r.Name, r.Organization.Name)
	}
	if len(r.Categories) == 0 || r.Locations[0].Address.City != "Redwood City" {
		t.Errorf("categories %v, locations %+v", r.Categories, r.Locations)
	}
	if diff := cmp.Diff([]string{"Support Groups", "Mental Health", "Peer Support Groups"}, r.SourceTerms); diff != "" {
		t.Errorf("source terms (-want +got):\n%s", diff)
	}
	if r.Provenance.SourceID != "1000" || r.Provenance.License != "CC0-1.0" {
		t.Errorf("provenance %+v", r.Provenance)
	}
	skipped := reasons(res.Report.Skipped)
	for _, want := range []string{"not peer support", "not linked to an organization or location"} {
		if !strings.Contains(skipped, want) {
			t.Errorf("report lacks %q:\n%s", want, skipped)
		}
	}
	if !strings.Contains(reasons(res.Report.Warnings), "not an HSDS table") {
		t.Errorf("notes.csv not reported:\n%s", reasons(res.Report.Warnings))
	}
	var food *tabular.Verdict
	for i, v := range res.Verdicts {
		if strings.HasPrefix(v.Item, "1001 ") {
			food = &res.Verdicts[i]
		}
	}
	if food == nil || food.Peer || !strings.Contains(food.Reason, "not peer support") {
		t.Errorf("food bank verdict %+v", food)
	}
}

// TestHSDS30CSV reads an HSDS 3.0 folder without datapackage.json: the
// warmline is kept with its AIRS term kept as a source term, its schedule
// and phone extension read; the tax help is not peer support; the
// attribute naming a missing term is reported.
func TestHSDS30CSV(t *testing.T) {
	tax := taxonomy(t)
	if !tabular.IsTabular("testdata/hsds30") {
		t.Fatal("IsTabular = false")
	}
	recs, res, err := tabular.Read(context.Background(), "testdata/hsds30", src, tax)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "3.0" || len(recs) != 1 {
		t.Fatalf("version %s, %d records; skipped:\n%s", res.Version, len(recs), reasons(res.Report.Skipped))
	}
	r := recs[0]
	if !contains(r.Categories, "warmline") {
		t.Errorf("categories %v, want warmline", r.Categories)
	}
	if diff := cmp.Diff([]string{"RP-1500.1400-800 Warmlines"}, r.SourceTerms); diff != "" {
		t.Errorf("source terms (-want +got):\n%s", diff)
	}
	if len(r.Schedules) != 1 || strings.Join(r.Schedules[0].ByDay, ",") != "MO,TU,WE" || r.Schedules[0].OpensAt != "17:00" {
		t.Errorf("schedules %+v", r.Schedules)
	}
	if len(r.Phones) != 1 || r.Phones[0].Extension != "12" {
		t.Errorf("phones %+v", r.Phones)
	}
	if r.AssuredDate != "2025-03-01" || r.Locations[0].Address.PostalCode != "10004" {
		t.Errorf("assured %q, locations %+v", r.AssuredDate, r.Locations)
	}
	if !strings.Contains(reasons(res.Report.Skipped), "not peer support") {
		t.Errorf("tax help not skipped:\n%s", reasons(res.Report.Skipped))
	}
	if !strings.Contains(reasons(res.Report.Warnings), "t404") {
		t.Errorf("missing term not reported:\n%s", reasons(res.Report.Warnings))
	}
}

func TestNotTabular(t *testing.T) {
	if tabular.IsTabular(t.TempDir()) {
		t.Error("empty folder is tabular")
	}
	_, _, err := tabular.Read(context.Background(), t.TempDir(), src, taxonomy(t))
	if err == nil {
		t.Error("no error for a folder without services.csv")
	}
}

// TestReadJSON reads HSDS JSON: a pretty-printed single service, an API
// page and NDJSON with a bad line.
func TestReadJSON(t *testing.T) {
	tax := taxonomy(t)
	svc := `{"id": "x1", "name": "Grief Support Group", "status": "active",
	  "description": "A peer support group for people who lost a loved one.",
	  "organization": {"id": "o", "name": "Hope Center", "description": "d"}}`
	for name, in := range map[string]string{
		"single": svc,
		"page":   `{"total_items": 1, "contents": [` + svc + `]}`,
		"ndjson": strings.ReplaceAll(svc, "\n", " ") + "\nnot json\n",
	} {
		t.Run(name, func(t *testing.T) {
			recs, res, err := tabular.ReadJSON(context.Background(), strings.NewReader(in), src, tax)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 || !contains(recs[0].Categories, "self-help-group") {
				t.Fatalf("records %v; report %s", recs, res.Report.Summary())
			}
			if name == "ndjson" && len(res.Report.Skipped) != 1 {
				t.Errorf("bad line not reported: %s", res.Report.Summary())
			}
		})
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestOhanaHours checks that regular_schedules become weekly rules.
func TestOhanaHours(t *testing.T) {
	recs, _, err := tabular.Read(context.Background(), "testdata/ohana-messy", src, taxonomy(t))
	if err != nil || len(recs) != 1 {
		t.Fatal(err, len(recs))
	}
	sc := recs[0].Schedules
	if len(sc) == 0 || sc[0].Freq != "WEEKLY" || strings.Join(sc[0].ByDay, ",") != "MO" || sc[0].OpensAt != "09:00" || sc[0].ClosesAt != "17:00" {
		t.Errorf("schedules %+v", sc)
	}
}

// TestHSDS20CSV reads HSDS 2.0 tables (service_attributes, taxonomy_terms
// with "term", physical_addresses, regular_schedules with weekday numbers).
func TestHSDS20CSV(t *testing.T) {
	recs, res, err := tabular.Read(context.Background(), "testdata/hsds20", src, taxonomy(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("%d records; %s", len(recs), res.Report.Summary())
	}
	r := recs[0]
	if len(r.Schedules) != 1 || strings.Join(r.Schedules[0].ByDay, ",") != "TU" || r.Schedules[0].OpensAt != "10:00" {
		t.Errorf("schedules %+v", r.Schedules)
	}
	if r.Locations[0].Address.City != "Seattle" || !contains(r.Languages, "es") {
		t.Errorf("locations %+v languages %v", r.Locations, r.Languages)
	}
	if len(r.SourceTerms) != 1 || !strings.Contains(r.SourceTerms[0], "Peer Recovery Support") {
		t.Errorf("source terms %v", r.SourceTerms)
	}
}
