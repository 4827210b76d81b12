package ohana_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest/ohana"
)

func loadTaxonomy(t testing.TB) *peerfind.Taxonomy {
	t.Helper()
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	return tax
}

var testSource = ohana.Source{
	Prefix:      "smc",
	Name:        "San Mateo County (test)",
	URL:         "https://example.org/organizations.json",
	License:     "BSD-3-Clause",
	Attribution: "Copyright (c) 2013, Code for America; San Mateo County human services data",
	Retrieved:   "2026-11-23",
	Country:     "US",
	Timezone:    "America/Los_Angeles",
	Language:    "en",
}

// verdicts reads a fixture and returns the records and, by item, the
// classification reasons.
func readFixture(t *testing.T, tax *peerfind.Taxonomy, name string) ([]*peerfind.Service, *peerfind.Report, map[string]ohana.Verdict) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	verdicts := map[string]ohana.Verdict{}
	rd := &ohana.Reader{Source: testSource, Taxonomy: tax, Explain: func(item, id string, v ohana.Verdict) {
		verdicts[item] = v
	}}
	recs, rep, err := rd.Read(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range recs {
		if err := s.Validate(tax); err != nil {
			t.Errorf("%s: %v", s.ID, err)
		}
	}
	return recs, rep, verdicts
}

func TestClassify(t *testing.T) {
	tax := loadTaxonomy(t)
	recs, rep, verdicts := readFixture(t, tax, "smc.jsonl")
	tests := []struct {
		item, name string
		keep       bool
		categories []string
		reason     string // a part of the reason
	}{
		{"line 1", "the Sheriff's emergency services office", false, nil, "no peer-support category matched"},
		{"line 2", "the Lawyer Referral Service", false, nil, "no peer-support category matched"},
		{"line 3", "the AA central office", true, []string{"self-help-group", "peer-delivered-service"}, `agency "alcoholics anonymous"`},
		{"line 4", "Gamblers Anonymous", true, []string{"self-help-group"}, `name "gamblers anonymous"`},
		{"line 5", "Narcotics Anonymous", true, []string{"self-help-group"}, `name "narcotics anonymous"`},
		{"line 6", `a YMCA's "Parent Groups" keyword`, false, nil, "no peer-support category matched"},
		{"line 7", "the StarVista parents' warmline", true, []string{"warmline"}, `description "warmline"`},
		{"line 8", "Kara (grief support)", true, []string{"self-help-group", "peer-delivered-service"}, `keyword "support groups"`},
		{"line 9", "a hospital's administration", false, nil, "administration office"},
		{"line 10", "NAMI", true, []string{"self-help-group"}, `keyword "self-help"`},
		{"line 11", "a Boys and Girls Club clubhouse", false, nil, `only drop-in-center (name "clubhouse")`},
		{"line 12", `the Boy Scouts' "Group Support" keyword`, false, nil, "no peer-support category matched"},
		{"line 13", `Filoli's "volunteer support group"`, false, nil, "no peer-support category matched"},
		{"line 14", `legal "self-help clinics"`, false, nil, "no peer-support category matched"},
		{"line 15", `a "warmline" for clinical consultation`, false, nil, "no peer-support category matched"},
		{"line 16", "Senior Peer Counseling", true, []string{"peer-delivered-service"}, `name "peer counseling"`},
	}
	for _, tt := range tests {
		v, ok := verdicts[tt.item]
		if !ok {
			t.Errorf("%s (%s): no verdict", tt.item, tt.name)
			continue
		}
		if v.Peer != tt.keep || !cmp.Equal(v.Categories, tt.categories) || !strings.Contains(v.Reason, tt.reason) {
			t.Errorf("%s (%s): got %+v, want peer=%v categories=%v reason containing %q",
				tt.item, tt.name, v, tt.keep, tt.categories, tt.reason)
		}
	}
	if rep.Read != 16 || rep.Kept != 7 || len(recs) != 7 || len(rep.Skipped) != 9 {
		t.Errorf("report %s; %d records", rep.Summary(), len(recs))
	}
	// Services kept only on a mention in the description are flagged.
	want := peerfind.Issue{Item: "line 7", Reason: "peer support only mentioned in the description or services; review"}
	if !cmp.Equal(rep.Warnings, []peerfind.Issue{want}) {
		t.Errorf("warnings = %+v, want %+v", rep.Warnings, want)
	}
}

func TestRecordMapping(t *testing.T) {
	tax := loadTaxonomy(t)
	recs, _, _ := readFixture(t, tax, "smc.jsonl")
	var got *peerfind.Service
	for _, s := range recs {
		if s.ID == "smc-alcoholics-anonymous-aa-san-mateo-central-office" {
			got = s
		}
	}
	if got == nil {
		t.Fatal("no AA central office record")
	}
	lat, lon := 37.5459741, -122.3072044
	want := &peerfind.Service{
		ID:   "smc-alcoholics-anonymous-aa-san-mateo-central-office",
		Name: "San Mateo Central Office",
		Description: "Offers a peer counseling program for persons whose lives have been affected by alcohol. " +
			"Men and women alcoholics share their experiences in meetings at locations throughout the county. " +
			"The only requirement for membership is a desire to stop drinking. Call for locations and meeting times. " +
			"Offers AA-approved books and literature for sale to groups and individuals. " +
			"Serves as communication center for alcoholics and those seeking help.\n\n" +
			"Services: Offers a peer counseling program for persons who want to stop drinking. " +
			"Meetings are held at various times and locations all over the county.\n\n" +
			"How to apply: Apply by phone for meeting times and locations",
		URL:             "http://www.aa-san-mateo.org",
		Email:           "info@aa-san-mateo.org",
		Status:          "active",
		FeesDescription: "None. (Literature excluded). Cash and check accepted",
		AssuredDate:     "2013-07-04",
		Organization:    peerfind.Organization{ID: "smc-org-alcoholics-anonymous-aa", Name: "Alcoholics Anonymous (AA)"},
		Locations: []peerfind.Location{{
			Description: "Office: SAMTRANS stops within 3 blocks. Meetings: Public transit varies according to location",
			Address: peerfind.Address{Address1: "2215 South El Camino Real, Suite 204", City: "San Mateo",
				StateProvince: "CA", PostalCode: "94403", Country: "US"},
			Latitude: &lat, Longitude: &lon,
		}},
		Phones: []peerfind.Phone{
			{Number: "650 577-1310", Type: "voice", Description: "24 hours daily"},
			{Number: "650 577-8529", Type: "fax"},
		},
		Languages:    []string{"en"},
		ServiceAreas: []peerfind.ServiceArea{{Name: "San Mateo County"}},
		Categories:   []string{"self-help-group", "peer-delivered-service"},
		SupportTypes: []string{"emotional", "affiliational", "informational"},
		Conditions:   []string{"substance-use", "alcohol"},
		Attendance:   []string{"in-person"},
		Cost:         "free",
		Provenance: peerfind.Provenance{
			SourceURL:   "https://example.org/organizations.json#L3",
			SourceKind:  "ohana",
			SourceName:  "San Mateo County (test)",
			SourceID:    "3",
			Retrieved:   "2026-11-23",
			License:     "BSD-3-Clause",
			Attribution: "Copyright (c) 2013, Code for America; San Mateo County human services data",
		},
	}
	sorted := cmp.Transformer("sorted", func(in []string) []string {
		out := append([]string(nil), in...)
		sort.Strings(out)
		return out
	})
	if diff := cmp.Diff(want, got, sorted); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
}

func TestQuirks(t *testing.T) {
	tax := loadTaxonomy(t)
	recs, rep, _ := readFixture(t, tax, "quirks.jsonl")
	var ids []string
	for _, s := range recs {
		ids = append(ids, s.ID)
	}
	// Same agency and name: the city, then a number, tells them apart.
	wantIDs := []string{
		"smc-parkinson-s-patients-support-groups-peninsula-group",
		"smc-parkinson-s-patients-support-groups-peninsula-group-2",
		"smc-parkinson-s-patients-support-groups-peninsula-group-san-mateo",
	}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	wantSkipped := []peerfind.Issue{
		{Item: "line 2", Reason: "not an Ohana record: this line is not JSON"},
		{Item: "line 7", Reason: "not an Ohana record: [1, 2, 3]"},
		{Item: "line 6", Reason: "no name"},
	}
	if diff := cmp.Diff(wantSkipped, rep.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	for _, w := range []peerfind.Issue{
		{Item: "line 3", Reason: "coordinates 0,0 are a placeholder; dropped"},
		{Item: "line 3", Reason: `unknown language "Klingon"`},
		{Item: "line 5", Reason: "coordinates [-122.3255] are not [lng, lat]; dropped"},
	} {
		found := false
		for _, x := range rep.Warnings {
			found = found || x == w
		}
		if !found {
			t.Errorf("no warning %+v in %+v", w, rep.Warnings)
		}
	}
	s := recs[0]
	if s.Email != "info@example-parkinsons.org" {
		t.Errorf("email = %q, want the office's, not the person's", s.Email)
	}
	if s.URL != "http://www.example-parkinsons.org" {
		t.Errorf("url = %q", s.URL)
	}
	if s.AssuredDate != "2013-07-04" || s.Locations[0].Latitude != nil {
		t.Errorf("assured %q, location %+v", s.AssuredDate, s.Locations[0])
	}
	wantSched := []peerfind.Schedule{
		{Freq: "WEEKLY", Interval: 1, ByDay: []string{"MO", "TU", "WE", "TH", "FR"}, OpensAt: "09:00", ClosesAt: "12:00",
			Timezone: "America/Los_Angeles", Description: "Monday-Friday, 9-12, 1-5"},
		{Freq: "WEEKLY", Interval: 1, ByDay: []string{"MO", "TU", "WE", "TH", "FR"}, OpensAt: "13:00", ClosesAt: "17:00",
			Timezone: "America/Los_Angeles", Description: "Monday-Friday, 9-12, 1-5"},
	}
	if diff := cmp.Diff(wantSched, s.Schedules); diff != "" {
		t.Errorf("schedules (-want +got):\n%s", diff)
	}
	wantPhones := []peerfind.Phone{
		{Number: "650 555-0100", Type: "voice"},
		{Number: "650 555-0101", Type: "voice", Description: "Monday-Friday, 9-5"},
		{Number: "650 555-0102", Type: "textphone"},
	}
	if diff := cmp.Diff(wantPhones, s.Phones); diff != "" {
		t.Errorf("phones (-want +got):\n%s", diff)
	}
	if !cmp.Equal(s.Languages, []string{"en", "es"}) || s.Cost != "donation" || s.Locations[0].Address.StateProvince != "CA" {
		t.Errorf("languages %v, cost %q, state %q", s.Languages, s.Cost, s.Locations[0].Address.StateProvince)
	}
}

func TestNested(t *testing.T) {
	tax := loadTaxonomy(t)
	recs, rep, verdicts := readFixture(t, tax, "nested.jsonl")
	if rep.Read != 5 || len(recs) != 1 {
		t.Fatalf("report %s", rep.Summary())
	}
	s := recs[0]
	if s.ID != "smc-peninsula-family-service-senior-peer-counseling" || s.Organization.Name != "Peninsula Family Service" ||
		s.Locations[0].Name != "Senior Peer Counseling" || s.Locations[0].Latitude == nil {
		t.Errorf("record %+v", s)
	}
	if v := verdicts["line 1 location 3 service 1"]; !v.Peer {
		t.Errorf("verdict %+v", v)
	}
}

func TestReadBadInput(t *testing.T) {
	tax := loadTaxonomy(t)
	long := `{"name": "Support Group", "description": "` + strings.Repeat("x", ohana.MaxLineSize) + `"}`
	in := "\n" + long + "\n" + `{"name": "Overeaters Anonymous"}` + "\n"
	recs, rep, err := ohana.Read(context.Background(), strings.NewReader(in), testSource, tax)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || len(rep.Skipped) != 1 || rep.Skipped[0].Item != "line 2" || !strings.Contains(rep.Skipped[0].Reason, "longer than") {
		t.Errorf("records %d, report %+v", len(recs), rep.Skipped)
	}

	// A JSON array of records.
	arr := `[{"name": "Nar-Anon of the Mid-Peninsula"}, {"name": "Lawyer Referral Service"}]`
	recs, rep, err = ohana.Read(context.Background(), strings.NewReader(arr), testSource, tax)
	if err != nil || len(recs) != 1 || rep.Read != 2 {
		t.Errorf("array: %d records, %+v, %v", len(recs), rep, err)
	}
	// A truncated array is an error, not a panic.
	if _, _, err := ohana.Read(context.Background(), strings.NewReader(arr[:40]), testSource, tax); err == nil {
		t.Error("truncated array: no error")
	}
	// Empty input: nothing, no error.
	if recs, _, err := ohana.Read(context.Background(), strings.NewReader("  \n"), testSource, tax); err != nil || len(recs) != 0 {
		t.Errorf("empty: %v, %v", recs, err)
	}
	// Bad sources.
	for _, src := range []ohana.Source{{}, {Prefix: "smc"}, {Prefix: "smc", URL: "x", Retrieved: "2013"}, {Prefix: "a b", URL: "x", Retrieved: "2026-11-23"}} {
		if _, _, err := ohana.Read(context.Background(), strings.NewReader(""), src, tax); err == nil {
			t.Errorf("source %+v: no error", src)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	many := bytes.Repeat([]byte("{}\n"), 1000)
	if _, _, err := ohana.Read(ctx, bytes.NewReader(many), testSource, tax); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err = %v", err)
	}
}

// TestSanMateo reads the whole 2013 export when the shared data is there
// and checks the classification of well-known services.
func TestSanMateo(t *testing.T) {
	path := filepath.Join("..", "..", "..", "..", "shared", "data", "ohana-smc", "smc_services_2013.mongo.jsonl.gz")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skip("no shared San Mateo export:", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	tax := loadTaxonomy(t)
	recs, rep, err := ohana.Read(context.Background(), zr, testSource, tax)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 1703 || len(recs) < 100 || len(recs) > 200 {
		t.Errorf("%s", rep.Summary())
	}
	ids := map[string]bool{}
	for _, s := range recs {
		ids[s.ID] = true
	}
	for _, id := range []string{
		"smc-alcoholics-anonymous-aa-san-mateo-central-office",
		"smc-narcotics-anonymous-na",
		"smc-gamblers-anonymous-northern-california-gamblers-anonymous",
		"smc-national-alliance-on-mental-illness-nami-san-mateo-county",
		"smc-nar-anon-of-the-mid-peninsula",
		"smc-recovery-international",
		"smc-peninsula-family-service-senior-peer-counseling",
	} {
		if !ids[id] {
			t.Errorf("%s not kept", id)
		}
	}
	for _, id := range []string{
		"smc-san-mateo-county-sheriff-s-office-operations-division-area-office-of-emergency-services-and-homeland-security",
		"smc-san-mateo-county-bar-association-lawyer-referral-service",
		"smc-seton-medical-center-administration",
		"smc-filoli-center",
		"smc-boy-scouts-of-america-pacific-skyline-council",
		"smc-legal-aid-society-of-santa-clara-county",
	} {
		if ids[id] {
			t.Errorf("%s kept", id)
		}
	}
}
