package peerfind_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

// fullService sets every field of the model, including the ones HSDS has
// no column for.
func fullService() *peerfind.Service {
	s := validService()
	s.AlternateName, s.Description, s.URL, s.Email = "TNW", "A women's group.", "https://example.org/g", "g@example.org"
	s.FeesDescription, s.AssuredDate = "Donations welcome", "2026-10-01"
	s.Organization = peerfind.Organization{ID: "org-1", Name: "Intergroup", URL: "https://example.org", Email: "i@example.org"}
	s.Locations = append(s.Locations, peerfind.Location{ID: "loc-2", Name: "Church hall", Description: "side door",
		Address:  peerfind.Address{Address1: "1 Main St", Address2: "Room 4", City: "San Jose", Region: "Downtown", StateProvince: "CA", PostalCode: "95112", Country: "US"},
		Latitude: f64(37.3), Longitude: f64(-121.9), Approximate: true, GeocodedFrom: "gazetteer: ZIP 95112"})
	s.Phones = []peerfind.Phone{{Number: "(408) 555-0100", Extension: "12", Type: "voice", Description: "evenings"}, {Number: "408 555 0101", Extension: "x9"}}
	s.Schedules = append(s.Schedules, peerfind.Schedule{Freq: "MONTHLY", Interval: 2, ByDay: []string{"2TU", "-1FR"}, OpensAt: "18:30", ClosesAt: "20:00", Timezone: "America/Los_Angeles"},
		peerfind.Schedule{Description: "by appointment"})
	poly := geojson.NewGeometry(orb.Polygon{{{-122, 37}, {-121, 37}, {-121, 38}, {-122, 37}}})
	s.ServiceAreas = []peerfind.ServiceArea{{Name: "Santa Clara County", Description: "all", Extent: poly, URI: "https://example.org/fips/06085"},
		{Name: "Texas", Kind: peerfind.AreaState, Codes: []string{"48"}}, {Name: "Austin ZIPs", Kind: peerfind.AreaZIP, Codes: []string{"78701", "78702"}},
		{Name: "Nationwide", Kind: peerfind.AreaNationwide}}
	s.SupportTypes, s.Conditions = []string{"emotional", "affiliational"}, []string{"alcohol"}
	s.Attendance = []string{"in-person", "online"}
	s.Meeting = &peerfind.Meeting{OpenClosed: "closed", Group: "TNW", Types: []string{"C", "W"}, ConferenceURL: "https://zoom.us/j/1",
		ConferenceURLNotes: "id 1", ConferencePhone: "+1 555", ConferencePhoneNotes: "pin 2", LocationNotes: "upstairs"}
	s.SourceTerms = []string{"LR-8000 Support Groups", "Women"}
	s.Provenance = peerfind.Provenance{SourceURL: "https://example.org/feed.json", SourceKind: "meeting-guide", SourceName: "Intergroup",
		SourceID: "tnw", Retrieved: "2026-11-01", License: "CC-BY-4.0", Attribution: "Intergroup"}
	s.OtherSources = []peerfind.Provenance{{SourceURL: "https://other.example/", SourceKind: "html", Retrieved: "2026-11-02"}}
	return s
}

// TestHSDSRoundTrip projects records onto HSDS 3.0 and back through JSON:
// nothing the model holds is lost.
func TestHSDSRoundTrip(t *testing.T) {
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*peerfind.Service{validService(), fullService()} {
		if err := s.Validate(tax); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(peerfind.ToHSDS(s, tax))
		if err != nil {
			t.Fatal(err)
		}
		var h peerfind.HSDSService
		if err := json.Unmarshal(b, &h); err != nil {
			t.Fatal(err)
		}
		if !peerfind.IsPeerfindHSDS(&h) {
			t.Error("IsPeerfindHSDS = false")
		}
		got := peerfind.FromHSDS(&h)
		// GeoJSON geometries compare by their JSON.
		opt := cmp.Comparer(func(a, b *geojson.Geometry) bool {
			x, _ := json.Marshal(a)
			y, _ := json.Marshal(b)
			return string(x) == string(y)
		})
		if diff := cmp.Diff(s, got, opt); diff != "" {
			t.Errorf("%s (-want +got):\n%s", s.ID, diff)
		}
	}
}

// TestHSDSShape checks the projection's ids and peer-support attributes.
func TestHSDSShape(t *testing.T) {
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	s := fullService()
	h := peerfind.ToHSDS(s, tax)
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if !uuid.MatchString(h.ID) || h.ID != peerfind.HSDSID("service", s.ID) || h.ID == peerfind.HSDSID("service", "other") {
		t.Errorf("id %q is not a stable UUIDv5", h.ID)
	}
	if h.OrganizationID != h.Organization.ID || h.Organization.Description == "" {
		t.Errorf("organization %+v", h.Organization)
	}
	if len(h.SALs) != 2 || h.SALs[1].Location.Addresses[0].AddressType != "physical" || h.Schedules[1].ByDay != "2TU,-1FR" {
		t.Errorf("locations/schedules: %+v %+v", h.SALs, h.Schedules)
	}
	var cats []string
	for _, a := range h.Attributes {
		if a.TaxonomyTerm.Taxonomy == "peerfind:category" {
			cats = append(cats, a.TaxonomyTerm.Code+"="+a.TaxonomyTerm.Name)
		}
		if a.LinkID != h.ID || a.TaxonomyTermID != a.TaxonomyTerm.ID || !uuid.MatchString(a.ID) {
			t.Errorf("attribute %+v", a)
		}
	}
	if got := strings.Join(cats, ","); got != "self-help-group=Self-help group" {
		t.Errorf("category attributes %q", got)
	}
}

// TestMeetingGuideFeed checks days, times, types mapped back from the
// taxonomy, and that non-weekly schedules are left out.
func TestMeetingGuideFeed(t *testing.T) {
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	s := fullService()
	s.Schedules[0].ByDay = []string{"SU", "TU"}
	feed := peerfind.MeetingGuideFeed([]*peerfind.Service{s, validService()}, tax)
	if len(feed) != 2 {
		t.Fatalf("%d meetings, want 2 (the record without meeting details is not a meeting)", len(feed))
	}
	if feed[0].Day != 0 || feed[1].Day != 2 || feed[0].Time != "19:00" || feed[0].Slug == feed[1].Slug {
		t.Errorf("days/times/slugs: %+v %+v", feed[0], feed[1])
	}
	types := strings.Join(feed[0].Types, ",")
	for _, want := range []string{"C", "W"} {
		if !strings.Contains(","+types+",", ","+want+",") {
			t.Errorf("types %s lack %s", types, want)
		}
	}
	if strings.Contains(","+types+",", ",O,") {
		t.Errorf("types %s: a closed meeting is not open", types)
	}
}
