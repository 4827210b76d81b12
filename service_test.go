package peerfind_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

func f64(v float64) *float64 { return &v }

func validService() *peerfind.Service {
	return &peerfind.Service{
		ID:     "mg-test-1",
		Name:   "Tuesday Night Women's Group",
		Status: "active",
		Locations: []peerfind.Location{{
			Address:  peerfind.Address{City: "San Jose", StateProvince: "CA", PostalCode: "95112"},
			Latitude: f64(37.35), Longitude: f64(-121.88),
		}},
		Schedules:   []peerfind.Schedule{{Freq: "WEEKLY", ByDay: []string{"TU"}, OpensAt: "19:00", Timezone: "America/Los_Angeles"}},
		Languages:   []string{"en", "es"},
		Categories:  []string{"self-help-group"},
		Populations: []string{"women"},
		Attendance:  []string{"in-person"},
		Cost:        "donation",
		Provenance:  peerfind.Provenance{SourceURL: "https://example.org/feed.json", SourceKind: "meeting-guide", Retrieved: "2026-11-01"},
	}
}

func TestValidate(t *testing.T) {
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	if err := validService().Validate(tax); err != nil {
		t.Fatalf("valid record: %v", err)
	}
	for _, tc := range []struct {
		name       string
		edit       func(s *peerfind.Service)
		wantFields []string
	}{
		{"no name", func(s *peerfind.Service) { s.Name = " " }, []string{"name"}},
		{"bad id", func(s *peerfind.Service) { s.ID = "has space/slash" }, []string{"id"}},
		{"bad status", func(s *peerfind.Service) { s.Status = "open" }, []string{"status"}},
		{"latitude out of range", func(s *peerfind.Service) { s.Locations[0].Latitude = f64(91) }, []string{"locations[0].latitude"}},
		{"half a point", func(s *peerfind.Service) { s.Locations[0].Longitude = nil }, []string{"locations[0]"}},
		{"null island", func(s *peerfind.Service) { s.Locations[0].Latitude, s.Locations[0].Longitude = f64(0), f64(0) }, []string{"locations[0]"}},
		{"bad day", func(s *peerfind.Service) { s.Schedules[0].ByDay = []string{"Tuesday"} }, []string{"schedules[0].byday"}},
		{"bad time", func(s *peerfind.Service) { s.Schedules[0].OpensAt = "7pm" }, []string{"schedules[0].opens_at"}},
		{"bad zone", func(s *peerfind.Service) { s.Schedules[0].Timezone = "Pacific" }, []string{"schedules[0].timezone"}},
		{"language not ISO", func(s *peerfind.Service) { s.Languages = []string{"Spanish"} }, []string{"languages", "languages"}},
		{"unknown category", func(s *peerfind.Service) { s.Categories = []string{"book-club"} }, []string{"categories"}},
		{"no category", func(s *peerfind.Service) { s.Categories = nil }, []string{"categories"}},
		{"unknown population", func(s *peerfind.Service) { s.Populations = []string{"martians"} }, []string{"populations"}},
		{"unknown cost", func(s *peerfind.Service) { s.Cost = "cheap" }, []string{"cost"}},
		{"javascript url", func(s *peerfind.Service) { s.URL = "javascript:alert(1)" }, []string{"url"}},
		{"bad conference url", func(s *peerfind.Service) { s.Meeting = &peerfind.Meeting{ConferenceURL: "zoom.us/j/1"} }, []string{"meeting.conference_url"}},
		{"no provenance", func(s *peerfind.Service) { s.Provenance = peerfind.Provenance{} },
			[]string{"provenance.source_url", "provenance.source_kind", "provenance.retrieved"}},
		{"bad assured date", func(s *peerfind.Service) { s.AssuredDate = "2026-02-30" }, []string{"assured_date"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := validService()
			tc.edit(s)
			err := s.Validate(tax)
			if !errors.Is(err, peerfind.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			var v *peerfind.ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("err %T is not a *ValidationError", err)
			}
			if diff := cmp.Diff(tc.wantFields, v.Fields()); diff != "" {
				t.Errorf("fields (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestServiceJSONRoundTrip(t *testing.T) {
	s := validService()
	line, err := s.MarshalJSONLine()
	if err != nil {
		t.Fatal(err)
	}
	var got peerfind.Service
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, &got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestServiceAreaExtent(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "service_area.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := validService()
	if err := json.Unmarshal(b, &s.ServiceAreas); err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(nil); err == nil {
		t.Fatal("a LineString extent validated")
	} else if v := err.(*peerfind.ValidationError); !cmp.Equal(v.Fields(), []string{"service_areas[1].extent"}) {
		t.Errorf("fields = %v, want service_areas[1].extent", v.Fields())
	}
}

func TestAddressString(t *testing.T) {
	for _, tc := range []struct {
		in   peerfind.Address
		want string
	}{
		{peerfind.Address{Address1: "1 Main St", City: "San Jose", StateProvince: "CA", PostalCode: "95112"}, "1 Main St, San Jose, CA 95112"},
		{peerfind.Address{City: "Philadelphia", StateProvince: "PA"}, "Philadelphia, PA"},
		{peerfind.Address{}, ""},
	} {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// BenchmarkValidate is one valid record's check: every record is
// validated when it is read and again when it is indexed.
func BenchmarkValidate(b *testing.B) {
	tax, err := data.Taxonomy()
	if err != nil {
		b.Fatal(err)
	}
	s := validService()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Validate(tax); err != nil {
			b.Fatal(err)
		}
	}
}
