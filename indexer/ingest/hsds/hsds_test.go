package hsds_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest/hsds"
)

var src = hsds.Source{Prefix: "hsds-test", Name: "Test", URL: "https://api.example.org/services", Retrieved: "2026-11-23",
	Timezone: "America/Los_Angeles", DefaultCategory: "peer-delivered-service"}

func read(t *testing.T, in string, s hsds.Source) ([]*peerfind.Service, *peerfind.Report, hsds.Page) {
	t.Helper()
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	recs, rep, pg, err := hsds.Read(context.Background(), strings.NewReader(in), s, tax)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	for _, r := range recs {
		if err := r.Validate(tax); err != nil {
			t.Errorf("%s: %v", r.ID, err)
		}
	}
	return recs, rep, pg
}

func TestServiceFull(t *testing.T) {
	b, err := os.ReadFile("testdata/service_full.json")
	if err != nil {
		t.Fatal(err)
	}
	recs, rep, pg := read(t, string(b), src)
	if len(recs) != 1 || pg != (hsds.Page{}) {
		t.Fatalf("records %d page %+v report %+v", len(recs), pg, rep)
	}
	s := recs[0]
	if s.ID != "hsds-test-ac148810-d857-441c-9679-408f346de14b" || s.Organization.URL != "http://example.com" ||
		s.AssuredDate != "2005-01-01" || s.Provenance.SourceKind != "hsds" {
		t.Errorf("record %+v", s)
	}
	if diff := cmp.Diff(peerfind.Schedule{Freq: "WEEKLY", Interval: 0, ByDay: []string{"TH", "FR"}, OpensAt: "10:00", ClosesAt: "18:00",
		Timezone: "America/Los_Angeles", Description: "The service is available from 10 am to 6pm weekdays. The service is not available on public holidays."},
		s.Schedules[0]); diff != "" {
		t.Errorf("schedule (-want +got):\n%s", diff)
	}
	if len(s.Phones) == 0 || s.Phones[0].Number != "+44 1234 234567" || s.Phones[0].Extension != "100" {
		t.Errorf("phones %+v", s.Phones)
	}
	if len(s.ServiceAreas) != 1 || s.ServiceAreas[0].Extent != nil {
		t.Errorf("service areas %+v", s.ServiceAreas)
	}
	if !contains(s.Languages, "ur") && !contains(s.Languages, "en") {
		t.Logf("languages %v (taxonomy may lack ur)", s.Languages)
	}
}

func TestPagingAndShapes(t *testing.T) {
	list := `{"total_items": 3, "total_pages": "3", "page_number": 2, "size": 1, "contents": [
	  {"id": "a", "name": "Peer <b>Warm Line</b>", "status": "active", "url": "javascript:alert(1)",
	   "service_areas": [{"name": "Area", "extent": "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}"}],
	   "schedules": [{"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00:00", "closes_at": "17:00"}],
	   "languages": [{"code": "es"}, {"name": "English"}]},
	  {"id": "b", "name": "Food Bank", "status": "active"},
	  "oops"
	]}`
	s := src
	s.DefaultCategory = ""
	recs, rep, pg := read(t, list, s)
	if diff := cmp.Diff(hsds.Page{Number: 2, Total: 3, Next: 3}, pg); diff != "" {
		t.Errorf("page (-want +got):\n%s", diff)
	}
	if len(recs) != 1 || recs[0].Name != "Peer Warm Line" || recs[0].URL != "" {
		t.Fatalf("records %+v report %+v", recs, rep)
	}
	r := recs[0]
	if r.ServiceAreas[0].Extent == nil || !contains(r.Categories, "warmline") {
		t.Errorf("extent %v categories %v", r.ServiceAreas[0].Extent, r.Categories)
	}
	if diff := cmp.Diff([]string{"es", "en"}, r.Languages); diff != "" {
		t.Errorf("languages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"MO", "WE"}, r.Schedules[0].ByDay); diff != "" {
		t.Errorf("byday (-want +got):\n%s", diff)
	}
	if rep.Read != 3 || len(rep.Skipped) != 2 {
		t.Errorf("report %+v", rep)
	}
	// An array of services.
	recs, _, pg = read(t, `[{"id":"x","name":"Peer respite house"}]`, src)
	if len(recs) != 1 || pg.Next != 0 || !contains(recs[0].Categories, "peer-respite") {
		t.Errorf("array: %+v %+v", recs, pg)
	}
}

func TestErrors(t *testing.T) {
	tax, _ := data.Taxonomy()
	for _, in := range []string{"", "nope", "{", "[1,"} {
		if _, _, _, err := hsds.Read(context.Background(), strings.NewReader(in), src, tax); err == nil {
			t.Errorf("Read(%q): want an error", in)
		}
	}
	if _, _, _, err := hsds.Read(context.Background(), strings.NewReader("[]"), hsds.Source{}, tax); err == nil {
		t.Error("empty source: want an error")
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
