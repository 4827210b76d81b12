package extract_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/crawler/extract"
	"github.com/peerfind/peerfind/data"
)

var retrieved = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func mustTax(tb testing.TB) *peerfind.Taxonomy {
	tb.Helper()
	tax, err := data.Taxonomy()
	if err != nil {
		tb.Fatal(err)
	}
	return tax
}

func page(tb testing.TB, file, rawURL, ctype string, src extract.Source) extract.Page {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		tb.Fatal(err)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatal(err)
	}
	if src.Name == "" {
		src.Name = "Test Source"
	}
	return extract.Page{URL: u, ContentType: ctype, Body: b, Retrieved: retrieved, Source: src}
}

func run(tb testing.TB, p extract.Page) *extract.Result {
	tb.Helper()
	tax := mustTax(tb)
	res, err := extract.Extract(context.Background(), p, tax)
	if err != nil {
		tb.Fatalf("Extract: %v", err)
	}
	for _, s := range res.Records {
		if err := s.Validate(tax); err != nil {
			tb.Errorf("record %s does not validate: %v", s.ID, err)
		}
	}
	return res
}

func byName(tb testing.TB, res *extract.Result, prefix string) *peerfind.Service {
	tb.Helper()
	for _, s := range res.Records {
		if strings.HasPrefix(s.Name, prefix) {
			return s
		}
	}
	tb.Fatalf("no record named %q; have %v; report %+v", prefix, names(res), res.Report)
	return nil
}

func names(res *extract.Result) []string {
	var out []string
	for _, s := range res.Records {
		out = append(out, s.Name)
	}
	return out
}

func f64(f float64) *float64 { return &f }

func TestEventSeriesJSONLD(t *testing.T) {
	res := run(t, page(t, "eventseries.html", "https://crpn.example.org/groups", "text/html; charset=utf-8", extract.Source{License: "CC-BY-4.0", Attribution: "CRPN"}))
	if res.Extractor != extract.KindJSONLD {
		t.Errorf("Extractor = %q, want json-ld", res.Extractor)
	}
	if len(res.Records) != 1 {
		t.Fatalf("got %d records %v, want 1; report %+v", len(res.Records), names(res), res.Report)
	}
	s := res.Records[0]
	want := &peerfind.Service{
		ID:           s.ID,
		Name:         "Tuesday Night Depression Support Group",
		Description:  "A peer-led support group for people living with depression. Free, no registration.",
		URL:          "https://crpn.example.org/groups/tuesday",
		Status:       "active",
		Organization: peerfind.Organization{Name: "Capital Region Peer Network", URL: "https://crpn.example.org/"},
		Locations: []peerfind.Location{{Name: "Grace Church, Room 4",
			Address:  peerfind.Address{Address1: "12 Elm St", City: "Albany", StateProvince: "NY", PostalCode: "12207", Country: "US"},
			Latitude: f64(42.6526), Longitude: f64(-73.7562)}},
		Schedules:  []peerfind.Schedule{{Freq: "WEEKLY", ByDay: []string{"TU"}, OpensAt: "19:00", ClosesAt: "20:30", Timezone: "America/New_York"}},
		Languages:  []string{"en", "es"},
		Attendance: []string{"in-person"},
		Cost:       "free",
		Provenance: peerfind.Provenance{SourceURL: "https://crpn.example.org/groups", SourceKind: "json-ld", SourceName: "Test Source",
			Retrieved: "2026-11-23", License: "CC-BY-4.0", Attribution: "CRPN"},
	}
	// Taxonomy terms are checked apart: their implications may grow.
	got := *s
	got.Categories, got.SupportTypes, got.Conditions, got.Populations = nil, nil, nil, nil
	if diff := cmp.Diff(want, &got); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if !contains(s.Categories, "self-help-group") {
		t.Errorf("Categories = %v, want self-help-group", s.Categories)
	}
	if !contains(s.Conditions, "depression-bipolar") && !contains(s.Conditions, "mental-health") {
		t.Errorf("Conditions = %v, want a depression term", s.Conditions)
	}
	if !strings.HasPrefix(s.ID, "web-") {
		t.Errorf("ID = %q, want web-…", s.ID)
	}
	// Deterministic id.
	again := run(t, page(t, "eventseries.html", "https://crpn.example.org/groups", "text/html", extract.Source{}))
	if again.Records[0].ID != s.ID {
		t.Errorf("id not stable: %s then %s", s.ID, again.Records[0].ID)
	}
}

func TestMicrodataSameGroup(t *testing.T) {
	md := run(t, page(t, "microdata.html", "https://crpn.example.org/groups", "text/html", extract.Source{}))
	if md.Extractor != extract.KindMicrodata || len(md.Records) != 1 {
		t.Fatalf("extractor %q, records %v; report %+v", md.Extractor, names(md), md.Report)
	}
	ld := run(t, page(t, "eventseries.html", "https://crpn.example.org/groups", "text/html", extract.Source{}))
	m, l := md.Records[0], ld.Records[0]
	if m.ID != l.ID {
		t.Errorf("microdata id %s != json-ld id %s for the same group", m.ID, l.ID)
	}
	if m.Provenance.SourceKind != "microdata" {
		t.Errorf("SourceKind = %q", m.Provenance.SourceKind)
	}
	if diff := cmp.Diff(l.Schedules, m.Schedules); diff != "" {
		t.Errorf("schedules differ (-json-ld +microdata):\n%s", diff)
	}
	if diff := cmp.Diff(l.Locations[0].Address, m.Locations[0].Address); diff != "" {
		t.Errorf("address differs (-json-ld +microdata):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"en"}, m.Languages); diff != "" {
		t.Errorf("languages (-want +got):\n%s", diff)
	}

	both := run(t, page(t, "both.html", "https://crpn.example.org/groups", "text/html", extract.Source{}))
	if len(both.Records) != 1 {
		t.Fatalf("page with JSON-LD and microdata of one group gave %d records", len(both.Records))
	}
	if both.Records[0].Provenance.SourceKind != "json-ld" || len(both.Report.Skipped) != 1 ||
		!strings.Contains(both.Report.Skipped[0].Reason, "duplicate") {
		t.Errorf("want the JSON-LD record kept and the microdata one reported as duplicate; got %+v", both.Report)
	}
}

func TestWarmlineOrganization(t *testing.T) {
	res := run(t, page(t, "warmline.html", "https://warmline.example.org/about", "text/html", extract.Source{}))
	s := byName(t, res, "Bay Area Peer Warmline")
	if !contains(s.Categories, "warmline") {
		t.Errorf("Categories = %v, want warmline", s.Categories)
	}
	if diff := cmp.Diff([]peerfind.Phone{{Number: "+16505550100", Type: "voice"}}, s.Phones); diff != "" {
		t.Errorf("phones (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]peerfind.ServiceArea{{Name: "San Mateo County"}, {Name: "Santa Clara County"}}, s.ServiceAreas); diff != "" {
		t.Errorf("service areas (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"en", "es"}, s.Languages); diff != "" {
		t.Errorf("languages (-want +got):\n%s", diff)
	}
	if s.Email != "hello@warmline.example.org" || s.Organization.Name != s.Name {
		t.Errorf("email %q, organization %+v", s.Email, s.Organization)
	}
	if !hasReason(res.Report.Warnings, "unknown language") {
		t.Errorf("want a warning for Klingon; got %+v", res.Report.Warnings)
	}
	if len(res.Records) != 1 {
		t.Errorf("WebPage node made a record: %v", names(res))
	}
}

func TestBrokenJSONLD(t *testing.T) {
	res := run(t, page(t, "broken.html", "https://hvn.example.org/", "text/html", extract.Source{}))
	hv := byName(t, res, "Hearing Voices Group")
	if diff := cmp.Diff([]peerfind.Schedule{{Freq: "WEEKLY", ByDay: []string{"MO", "TH"}, OpensAt: "18:30"}}, hv.Schedules); diff != "" {
		t.Errorf("schedules (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"online"}, hv.Attendance); diff != "" {
		t.Errorf("attendance (-want +got):\n%s", diff)
	}
	if hv.Meeting == nil || hv.Meeting.ConferenceURL != "https://zoom.example.com/j/42" {
		t.Errorf("Meeting = %+v, want the conference URL", hv.Meeting)
	}
	fam := byName(t, res, "Second Saturday Family Circle")
	if diff := cmp.Diff([]peerfind.Schedule{{Freq: "MONTHLY", ByDay: []string{"2SA"}, OpensAt: "10:00"}}, fam.Schedules); diff != "" {
		t.Errorf("monthly schedule (-want +got):\n%s", diff)
	}
	if !hasReason(res.Report.Warnings, "unreadable JSON-LD") {
		t.Errorf("want the broken block reported; got %+v", res.Report.Warnings)
	}
}

func TestUntrustedMarkupAndURLs(t *testing.T) {
	res := run(t, page(t, "xss.html", "https://evil.example.org/", "text/html", extract.Source{}))
	s := byName(t, res, "Anxiety Support Group")
	for _, f := range []string{s.Name, s.Description} {
		if strings.ContainsAny(f, "<>") || strings.Contains(f, "alert") || strings.Contains(f, "onerror") {
			t.Errorf("markup left in %q", f)
		}
	}
	if s.Name != "Anxiety Support Group" {
		t.Errorf("Name = %q", s.Name)
	}
	if s.Description != "Weekly peer support & sharing. more" {
		t.Errorf("Description = %q", s.Description)
	}
	if s.URL != "" || (s.Meeting != nil && s.Meeting.ConferenceURL != "") {
		t.Errorf("javascript:/data: URL kept: %q %+v", s.URL, s.Meeting)
	}
	if !hasReason(res.Report.Warnings, "not an http(s) URL") {
		t.Errorf("want a warning for the dropped URL; got %+v", res.Report.Warnings)
	}
}

func TestNotPeerSupportRejected(t *testing.T) {
	// The songkick page's concerts are not peer support.
	res := run(t, page(t, "extruct/elysianfields.html", "https://www.songkick.com/venues/x", "text/html", extract.Source{}))
	if len(res.Records) != 0 || res.Report.Read != 4 || !hasReason(res.Report.Skipped, "not peer support") {
		t.Errorf("records %v, report %+v; want 4 read, all skipped as not peer support", names(res), res.Report)
	}
	// From a peer-only source the same events are kept, with their places.
	res = run(t, page(t, "extruct/elysianfields.html", "https://www.songkick.com/venues/x", "text/html", extract.Source{PeerOnly: true}))
	if len(res.Records) != 4 {
		t.Fatalf("peer-only: %d records, want 4; report %+v", len(res.Records), res.Report)
	}
	for _, s := range res.Records {
		if len(s.Locations) == 0 || s.Locations[0].Latitude == nil || len(s.Schedules) == 0 {
			t.Errorf("%s: locations %+v schedules %+v", s.Name, s.Locations, s.Schedules)
		}
	}
}

func TestExtructMicrodataEvent(t *testing.T) {
	res := run(t, page(t, "extruct/Event.001.html", "https://tickets.example.com/nba/", "text/html", extract.Source{PeerOnly: true}))
	s := byName(t, res, "Miami Heat at Philadelphia 76ers")
	if s.URL != "https://tickets.example.com/nba/nba-miami-philidelphia-game3.html" {
		t.Errorf("URL = %q", s.URL)
	}
	if len(s.Locations) != 1 || s.Locations[0].Address.City != "Philadelphia" || s.Locations[0].Address.StateProvince != "PA" {
		t.Errorf("Locations = %+v", s.Locations)
	}
	if len(s.Schedules) != 1 || !strings.Contains(s.Schedules[0].Description, "2016-04-21") {
		t.Errorf("Schedules = %+v", s.Schedules)
	}
}

func TestRules(t *testing.T) {
	rules := &extract.Rules{Item: "li.group", Fields: map[string]string{
		"name": "h3", "url": "h3 a@href", "schedule": ".when", "address": ".where", "phone": ".tel",
		"category": ".tag", "language": ".lang",
	}}
	res := run(t, page(t, "directory.html", "https://county.example.gov/peer/", "text/html", extract.Source{Kind: extract.KindRules, Rules: rules}))
	if res.Extractor != extract.KindRules {
		t.Errorf("Extractor = %q", res.Extractor)
	}
	g := byName(t, res, "Men's Grief Support Group")
	want := peerfind.Service{
		URL:       "https://county.example.gov/g/1",
		Schedules: []peerfind.Schedule{{Freq: "WEEKLY", ByDay: []string{"TU"}, OpensAt: "19:00", Description: "Tuesdays 7pm"}},
		Locations: []peerfind.Location{{Address: peerfind.Address{Address1: "123 Main St", City: "San Jose", StateProvince: "CA", PostalCode: "95112", Country: "US"}}},
		Phones:    []peerfind.Phone{{Number: "+14085550123", Type: "voice"}},
		Languages: []string{"en", "es"},
	}
	got := peerfind.Service{URL: g.URL, Schedules: g.Schedules, Locations: g.Locations, Phones: g.Phones, Languages: g.Languages}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rules record (-want +got):\n%s", diff)
	}
	if !contains(g.Conditions, "grief") || !contains(g.Populations, "men") {
		t.Errorf("conditions %v populations %v", g.Conditions, g.Populations)
	}
	if g.Provenance.SourceKind != "html" {
		t.Errorf("SourceKind = %q", g.Provenance.SourceKind)
	}
	if !hasReason(res.Report.Warnings, `unknown term "Underwater basket weaving"`) {
		t.Errorf("want unknown term warning; got %+v", res.Report.Warnings)
	}
	dra := byName(t, res, "Dual Recovery Anonymous")
	if dra.URL != "" || len(dra.Schedules) != 1 || dra.Schedules[0].Freq != "" {
		t.Errorf("DRA: URL %q, schedules %+v (want javascript: dropped, monthly text kept as description)", dra.URL, dra.Schedules)
	}
	if !hasReason(res.Report.Skipped, "no name") || !hasReason(res.Report.Skipped, "not peer support") {
		t.Errorf("want the empty item and the food pantry skipped; got %+v", res.Report.Skipped)
	}
	if len(res.Records) != 2 {
		t.Errorf("records %v, want 2", names(res))
	}
}

func TestRulesCheck(t *testing.T) {
	for _, r := range []*extract.Rules{
		nil,
		{Item: "li", Fields: map[string]string{}},
		{Item: "li[", Fields: map[string]string{"name": "h3"}},
		{Item: "li", Fields: map[string]string{"name": "h3", "colour": "p"}},
		{Item: "li", Fields: map[string]string{"name": "h3 >> >"}},
	} {
		if err := r.Check(); err == nil {
			t.Errorf("Check(%+v) = nil, want an error", r)
		}
	}
	if err := (&extract.Rules{Item: "li", Fields: map[string]string{"name": "h3", "url": "a@href"}}).Check(); err != nil {
		t.Errorf("valid rules: %v", err)
	}
}

func TestMeetingGuide(t *testing.T) {
	src := extract.Source{Name: "AA Test Intergroup", License: "public feed"}
	res := run(t, page(t, "meetings.json", "https://aa.example.org/wp-admin/admin-ajax.php?action=meetings", "application/json", src))
	if res.Extractor != extract.KindMeetingGuide {
		t.Fatalf("Extractor = %q, want meeting-guide (auto-detected)", res.Extractor)
	}
	if len(res.Records) != 2 {
		t.Fatalf("records %v; report %+v", names(res), res.Report)
	}
	men := byName(t, res, "Crazy Corona")
	if men.Provenance.SourceKind != "meeting-guide" || men.Provenance.License != "public feed" ||
		!strings.HasPrefix(men.Provenance.SourceURL, "https://aa.example.org/wp-admin/admin-ajax.php?action=meetings") {
		t.Errorf("provenance %+v", men.Provenance)
	}
	if !contains(men.Conditions, "alcohol") || !contains(men.Populations, "men") {
		t.Errorf("conditions %v populations %v", men.Conditions, men.Populations)
	}
	onl := byName(t, res, "Sunday Serenity")
	if onl.Name != "Sunday Serenity Online" {
		t.Errorf("markup kept in name %q", onl.Name)
	}
}

func TestHSDS(t *testing.T) {
	src := extract.Source{Name: "Open Referral example", PeerOnly: true, License: "CC-BY-SA-4.0"}
	res := run(t, page(t, "hsds/service_full.json", "https://api.example.org/services/ac148810", "application/json", src))
	if res.Extractor != extract.KindHSDS || len(res.Records) != 1 {
		t.Fatalf("extractor %q records %v report %+v", res.Extractor, names(res), res.Report)
	}
	s := res.Records[0]
	if s.Name != "Community Counselling" || s.Organization.Name != "Example Organization Inc." ||
		s.Provenance.SourceKind != "hsds" || !contains(s.Conditions, "mental-health") {
		t.Errorf("record %+v", s)
	}
	if len(s.Locations) != 1 || s.Locations[0].Latitude != nil || s.Locations[0].Address.City != "MyCity" {
		t.Errorf("locations %+v (want address kept, out-of-range coordinates dropped)", s.Locations)
	}
	if len(s.Schedules) != 1 || s.Schedules[0].Freq != "WEEKLY" || s.Schedules[0].OpensAt != "10:00" ||
		cmp.Diff([]string{"TH", "FR"}, s.Schedules[0].ByDay) != "" {
		t.Errorf("schedules %+v", s.Schedules)
	}
	if !contains(s.Languages, "ur") && !contains(s.Languages, "en") && len(s.Languages) == 0 {
		t.Errorf("languages %v", s.Languages)
	}
	if len(res.Follow) != 0 {
		t.Errorf("single service: Follow = %v", res.Follow)
	}

	// Not peer-only: a counselling service is not peer support.
	src.PeerOnly = false
	res = run(t, page(t, "hsds/service_full.json", "https://api.example.org/services/ac148810", "application/json", src))
	if len(res.Records) != 0 || !hasReason(res.Report.Skipped, "not peer support") {
		t.Errorf("general source: records %v report %+v", names(res), res.Report)
	}
}

func TestHSDSPaging(t *testing.T) {
	src := extract.Source{Name: "County 211", PeerOnly: true}
	res := run(t, page(t, "hsds/list_page1.json", "https://api.example.org/services?per_page=1&taxonomy=peer", "application/json", src))
	if len(res.Records) != 1 {
		t.Fatalf("page 1: records %v report %+v", names(res), res.Report)
	}
	want := []string{"https://api.example.org/services?page=2&per_page=1&taxonomy=peer"}
	if diff := cmp.Diff(want, res.Follow); diff != "" {
		t.Errorf("Follow (-want +got):\n%s", diff)
	}
	res = run(t, page(t, "hsds/list_page2.json", want[0], "application/json", src))
	if len(res.Follow) != 0 {
		t.Errorf("last page: Follow = %v", res.Follow)
	}
	s := byName(t, res, "Peer Support Warm Line")
	if !contains(s.Categories, "warmline") {
		t.Errorf("categories %v", s.Categories)
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name, body, ctype, want string
		rules                   bool
	}{
		{"meeting guide", `[{"name":"A","day":1,"time":"19:00"}]`, "application/json", extract.KindMeetingGuide, false},
		{"hsds page", `{"total_items":1,"contents":[]}`, "application/json", extract.KindHSDS, false},
		{"hsds service", `{"id":"1","name":"x","organization":{}}`, "", extract.KindHSDS, false},
		{"hsds array", `[{"id":"1","name":"x","service_at_locations":[]}]`, "application/json", extract.KindHSDS, false},
		{"json-ld", `<html><script type="application/ld+json">{}</script></html>`, "text/html", extract.KindJSONLD, false},
		{"microdata", `<div itemscope itemtype="https://schema.org/Event"></div>`, "text/html", extract.KindMicrodata, false},
		{"rules", `<ul><li>x</li></ul>`, "text/html", extract.KindRules, true},
		{"plain html", `<ul><li>x</li></ul>`, "text/html", "", false},
		{"other json", `{"a":1}`, "application/json", "", false},
		{"image", "\x89PNG", "image/png", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := extract.Page{Body: []byte(tc.body), ContentType: tc.ctype}
			if tc.rules {
				p.Source.Rules = &extract.Rules{Item: "li", Fields: map[string]string{"name": "*"}}
			}
			if got := extract.Detect(p); got != tc.want {
				t.Errorf("Detect = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRecordLimitsAndNesting(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<script type="application/ld+json">{"@type":"Event","name":"` + strings.Repeat("Support group ", 100) +
		`","description":"` + strings.Repeat("é", 4000) + `","location":` + strings.Repeat(`{"location":`, 5000) + `1` + strings.Repeat("}", 5000) + `}</script>`)
	res := run(t, extract.Page{URL: mustURL("https://x.example/"), Body: []byte(b.String()), ContentType: "text/html", Retrieved: retrieved})
	if len(res.Records) != 1 {
		t.Fatalf("records %v report %+v", names(res), res.Report)
	}
	s := res.Records[0]
	if len(s.Name) > 300 || len(s.Description) > 5000 || !utf8Valid(s.Description) {
		t.Errorf("name %d bytes, description %d bytes", len(s.Name), len(s.Description))
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func hasReason(issues []peerfind.Issue, sub string) bool {
	for _, i := range issues {
		if strings.Contains(i.Reason, sub) {
			return true
		}
	}
	return false
}

func FuzzExtract(f *testing.F) {
	for _, file := range []string{"eventseries.html", "broken.html", "xss.html", "microdata.html", "meetings.json", "hsds/list_page1.json", "directory.html"} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	tax := mustTax(f)
	rules := &extract.Rules{Item: "li", Fields: map[string]string{"name": "h3", "url": "a@href", "schedule": ".when", "category": ".tag"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, kind := range []string{extract.KindAuto, extract.KindJSONLD, extract.KindRules, extract.KindHSDS, extract.KindMeetingGuide} {
			p := extract.Page{URL: mustURL("https://fuzz.example/p"), Body: body, Retrieved: retrieved,
				Source: extract.Source{Name: "fuzz", Kind: kind, Rules: rules}}
			res, err := extract.Extract(context.Background(), p, tax)
			if err != nil {
				if strings.Contains(err.Error(), "internal error") {
					t.Fatalf("kind %q: %v", kind, err)
				}
				continue
			}
			for _, s := range res.Records {
				if err := s.Validate(tax); err != nil {
					t.Fatalf("kind %q: invalid record: %v", kind, err)
				}
				if strings.ContainsAny(s.Name, "<>") && strings.Contains(s.Name, "<script") {
					t.Fatalf("markup in name %q", s.Name)
				}
			}
		}
	})
}

func TestOrganizationWithEvents(t *testing.T) {
	res := run(t, page(t, "org-events.html", "https://alliance.example.org/groups", "text/html", extract.Source{}))
	org := byName(t, res, "Example County Peer Alliance")
	if !contains(org.Categories, "peer-run-organization") || len(org.Locations) != 1 || org.Locations[0].Address.City != "Springfield" {
		t.Errorf("organization %+v", org)
	}
	g := byName(t, res, "Family Support Group")
	if g.Organization.Name != "Example County Peer Alliance" || !contains(g.Categories, "family-support-group") {
		t.Errorf("group organization %+v categories %v", g.Organization, g.Categories)
	}
	if diff := cmp.Diff([]peerfind.Schedule{{Freq: "WEEKLY", ByDay: []string{"WE"}, OpensAt: "18:30", Timezone: "America/Chicago"}}, g.Schedules); diff != "" {
		t.Errorf("schedules (-want +got):\n%s", diff)
	}
}

func TestRulesFallbackOnAutoDetect(t *testing.T) {
	// A page whose JSON-LD holds no group falls back to the source's rules.
	body := `<html><head><script type="application/ld+json">{"@type":"WebSite","name":"x"}</script></head><body>
<div class="g"><b>Veterans Peer Support Group</b><i>Thursday 6:00 PM - 7:30 PM</i></div></body></html>`
	p := extract.Page{URL: mustURL("https://vets.example.org/"), Body: []byte(body), ContentType: "text/html", Retrieved: retrieved,
		Source: extract.Source{Name: "Vets", Rules: &extract.Rules{Item: "div.g", Fields: map[string]string{"name": "b", "schedule": "i"}}}}
	res := run(t, p)
	if res.Extractor != extract.KindRules || len(res.Records) != 1 {
		t.Fatalf("extractor %q records %v report %+v", res.Extractor, names(res), res.Report)
	}
	s := res.Records[0]
	if !contains(s.Populations, "veterans") || s.Schedules[0].Freq != "WEEKLY" || s.Schedules[0].OpensAt != "18:00" || s.Schedules[0].ClosesAt != "19:30" {
		t.Errorf("record %+v", s)
	}
}

func TestGraphReferences(t *testing.T) {
	res := run(t, page(t, "graph-refs.html", "https://x.example.org/meetings", "text/html", extract.Source{}))
	s := byName(t, res, "SMART Recovery Meeting")
	if len(s.Locations) != 1 || s.Locations[0].Name != "Community Hall" || s.Locations[0].Address.City != "Eugene" {
		t.Errorf("locations %+v", s.Locations)
	}
	if s.Organization.Name != "Lane Recovery Community Center" {
		t.Errorf("organization %+v", s.Organization)
	}
	byName(t, res, "Lane Recovery Community Center")
}
