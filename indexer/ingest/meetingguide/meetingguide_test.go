package meetingguide_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/ingest/meetingguide"
)

func loadTaxonomy(t testing.TB) *peerfind.Taxonomy {
	t.Helper()
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	return tax
}

// source is a feed's Source as the dataset builder gives it.
func source(feed string) meetingguide.Source {
	src := meetingguide.Source{
		Feed:        feed,
		Name:        "Test " + feed,
		URL:         "https://example.org/" + feed + ".json",
		Website:     "https://example.org/",
		License:     "test terms",
		Attribution: "test credit",
		Retrieved:   "2026-11-23",
		Country:     "US",
		Timezone:    "America/Los_Angeles",
		Language:    "en",
		Conditions:  []string{"alcohol"},
	}
	switch feed {
	case "aasepia", "al-anon":
		src.Timezone = "America/New_York"
	case "edmonton":
		src.Country, src.Timezone = "CA", "America/Edmonton"
	case "eda":
		src.Country, src.Timezone, src.MultiRegion = "", "America/New_York", true
		src.Conditions = []string{"eating-disorders"}
	}
	if feed == "al-anon" {
		src.Categories = []string{"family-support-group"}
		src.Populations = []string{"families"}
	}
	return src
}

func read(t *testing.T, tax *peerfind.Taxonomy, feed string) ([]*peerfind.Service, *peerfind.Report) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", feed+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, rep, err := meetingguide.Read(context.Background(), f, source(feed), tax)
	if err != nil {
		t.Fatalf("Read(%s): %v", feed, err)
	}
	for _, s := range recs {
		if err := s.Validate(tax); err != nil {
			t.Errorf("%s: %v", s.ID, err)
		}
	}
	return recs, rep
}

// summary is what the tests check of a record, in a form easy to write.
type summary struct {
	ID          string
	Name        string
	Status      string
	OpenClosed  string
	Schedules   []string // "MO,FR 20:30-21:30 America/Los_Angeles"
	Place       string   // "address | country" + " ~" when approximate + " @" with coordinates
	Attendance  []string
	Languages   []string
	Categories  []string
	Populations []string
	Conditions  []string
}

func summarize(s *peerfind.Service) summary {
	sum := summary{ID: s.ID, Name: s.Name, Status: s.Status}
	if s.Meeting != nil {
		sum.OpenClosed = s.Meeting.OpenClosed
	}
	for _, sc := range s.Schedules {
		sum.Schedules = append(sum.Schedules, fmt.Sprintf("%s %s-%s %s", strings.Join(sc.ByDay, ","), sc.OpensAt, sc.ClosesAt, sc.Timezone))
	}
	for _, l := range s.Locations {
		p := l.Address.String() + " | " + l.Address.Country
		if l.Approximate {
			p += " ~"
		}
		if _, ok := l.Point(); ok {
			p += " @"
		}
		sum.Place = p
	}
	sorted := func(l []string) []string {
		out := append([]string(nil), l...)
		sort.Strings(out)
		return out
	}
	sum.Attendance = sorted(s.Attendance)
	sum.Languages = sorted(s.Languages)
	sum.Categories = sorted(s.Categories)
	sum.Populations = sorted(s.Populations)
	sum.Conditions = sorted(s.Conditions)
	return sum
}

func TestRead(t *testing.T) {
	tax := loadTaxonomy(t)
	alcohol := []string{"alcohol", "substance-use"}
	shg := []string{"self-help-group"}
	online := []string{"internet-support-group", "self-help-group"}
	tests := []struct {
		feed     string
		want     []summary
		skipped  []peerfind.Issue
		warnings []peerfind.Issue // a subset of the report's warnings
	}{
		{
			feed: "aasanjose",
			want: []summary{
				{
					// Two entries (Monday and Friday) of one online meeting.
					ID: "mg-aasanjose-crazy-corona-mens-meeting-2", Name: "Crazy Corona Men's Meeting", Status: "active",
					OpenClosed: "closed", Schedules: []string{"MO,FR 20:30-21:30 America/Los_Angeles"},
					Place: "San Jose, CA | US ~ @", Attendance: []string{"online", "phone"}, Languages: []string{"en"},
					Categories: online, Populations: []string{"men", "newcomers"}, Conditions: alcohol,
				},
				{
					// TC and no online option: temporarily closed.
					ID: "mg-aasanjose-hora-de-vivir", Name: "Hora de Vivir", Status: "temporarily closed", OpenClosed: "open",
					Schedules: []string{"TU,WE 19:30-20:30 America/Los_Angeles"},
					Place:     "1122 Fair Ave, San Jose, CA 95122 | US @", Attendance: []string{"in-person"},
					Languages: []string{"es"}, Categories: shg, Conditions: alcohol,
				},
				{
					// S: Spanish only, no default English.
					ID: "mg-aasanjose-no-somos-santos-2", Name: "No Somos Santos", Status: "active", OpenClosed: "open",
					Schedules: []string{"MO,TH 20:00-21:30 America/Los_Angeles"},
					Place:     "1292 Minnesota Ave, San Jose, CA 95125 | US @", Attendance: []string{"in-person"},
					Languages: []string{"es"}, Categories: shg, Conditions: alcohol,
				},
			},
		},
		{
			feed: "aasepia",
			want: []summary{
				{
					// Sunday, Monday and Friday at midnight; string coordinates.
					ID: "mg-aasepia-meeting-1937-macdade-boulevard-woodlyn-pa-19094-usa-0-000000", Name: "Chester-Woodlyn",
					Status: "active", OpenClosed: "closed", Schedules: []string{"SU,MO,FR 00:00-01:00 America/New_York"},
					Place: "1937 West MacDade Boulevard, Woodlyn, PA 19094 | US @", Attendance: []string{"in-person"},
					Languages: []string{"en"}, Categories: shg, Conditions: alcohol,
				},
				{
					// A beginners' (BE) meeting of the same club is another record.
					ID: "mg-aasepia-meeting-1937-macdade-boulevard-woodlyn-pa-19094-usa-6-100000", Name: "Chester-Woodlyn",
					Status: "active", OpenClosed: "closed", Schedules: []string{"SA 10:00-11:00 America/New_York"},
					Place: "1937 West MacDade Boulevard, Woodlyn, PA 19094 | US @", Attendance: []string{"in-person"},
					Languages: []string{"en"}, Categories: shg, Populations: []string{"newcomers"}, Conditions: alcohol,
				},
				{
					// "2203 Harmonyville rd. Elverson, PA. 19520"
					ID: "mg-aasepia-off-the-beaten-path", Name: "Off The Beaten Path", Status: "active", OpenClosed: "closed",
					Schedules: []string{"TU 19:00-20:00 America/New_York"},
					Place:     "2203 Harmonyville rd., Elverson, PA 19520 | US @", Attendance: []string{"in-person"},
					Languages: []string{"en"}, Categories: shg, Conditions: alcohol,
				},
				{
					// The women's day of an online group is its own record.
					ID: "mg-aasepia-shoulder-shoulder-group-Sat-1pm", Name: "Shoulder to Shoulder Group", Status: "active",
					OpenClosed: "open", Schedules: []string{"SA 13:00-14:00 America/New_York"},
					Place: "Philadelphia, PA | US ~ @", Attendance: []string{"online", "phone"}, Languages: []string{"en"},
					Categories: online, Populations: []string{"women"}, Conditions: alcohol,
				},
				{
					ID: "mg-aasepia-shoulder-shoulder-group-Sun12am", Name: "Shoulder to Shoulder Group", Status: "active",
					OpenClosed: "open", Schedules: []string{"SU 00:00-01:00 America/New_York"},
					Place: "Philadelphia, PA | US ~ @", Attendance: []string{"online", "phone"}, Languages: []string{"en"},
					Categories: online, Conditions: alcohol,
				},
			},
			warnings: []peerfind.Issue{
				{Item: "meeting-1937-macdade-boulevard-woodlyn-pa-19094-usa-5-000000", Reason: `type code "ASBI" read as "ABSI"`},
			},
		},
		{
			feed: "aasfmarin",
			want: []summary{
				{
					// Online only, null coordinates, city "Marin".
					ID: "mg-aasfmarin-marin-city-fellowship-speaker-619", Name: "Marin City Fellowship Speaker", Status: "active",
					OpenClosed: "open", Schedules: []string{"WE 18:30- America/Los_Angeles"}, Place: "Marin, CA | US ~",
					Attendance: []string{"online", "phone"}, Languages: []string{"en"}, Categories: online, Conditions: alcohol,
				},
				{
					ID: "mg-aasfmarin-reservoir-dogs-725", Name: "Reservoir Dogs", Status: "active", OpenClosed: "open",
					Schedules: []string{"WE 18:00- America/Los_Angeles"},
					Place:     "2900 24th St, San Francisco, CA 94110 | US @", Attendance: []string{"in-person"},
					Languages: []string{"en"}, Categories: shg, Conditions: alcohol,
				},
				{
					// latitude "" with a longitude: no coordinates.
					ID: "mg-aasfmarin-the-headless-horsemen-862", Name: "The Headless Horsemen", Status: "active",
					OpenClosed: "open", Schedules: []string{"TU 20:00- America/Los_Angeles"},
					Place: "100 Tarry Rd # 94960, San Anselmo, CA 94960 | US", Attendance: []string{"in-person"},
					Languages: []string{"en"}, Categories: shg, Populations: []string{"men"}, Conditions: alcohol,
				},
			},
			warnings: []peerfind.Issue{
				{Item: "the-headless-horsemen-862", Reason: `unreadable coordinates "","-122.594185"; dropped`},
			},
		},
		{
			feed: "al-anon",
			want: []summary{
				{
					// attendance_option hybrid.
					ID: "mg-al-anon-30562453-sunday-night-serenity-step-afg", Name: "30562453 Sunday Night Serenity Step AFG",
					Status: "active", OpenClosed: "open", Schedules: []string{"SU 19:00- America/New_York"},
					Place:      "26 Benvenue St, Wellesley, MA 02482 | US @",
					Attendance: []string{"hybrid", "in-person", "online", "phone"}, Languages: []string{"en"},
					Categories:  []string{"family-support-group", "internet-support-group", "self-help-group"},
					Populations: []string{"families"}, Conditions: alcohol,
				},
				{
					ID: "mg-al-anon-30674572-beverly-alateen", Name: "30674572 Beverly Alateen", Status: "active",
					OpenClosed: "closed", Schedules: []string{"SA 10:45- America/New_York"},
					Place: "35 Conant St, Beverly, MA 01915 | US @", Attendance: []string{"in-person"}, Languages: []string{"en"},
					Categories:  []string{"family-support-group", "self-help-group"},
					Populations: []string{"families", "young-adults", "youth"}, Conditions: alcohol,
				},
				{
					ID: "mg-al-anon-30813985-hope-a-day-at-a-time-alateen", Name: "30813985 Hope A Day At A Time Alateen",
					Status: "active", OpenClosed: "closed", Schedules: []string{"TH 17:00- America/New_York"},
					Place: "250 Underpass Rd, Brewster, MA 02631 | US @", Attendance: []string{"in-person"}, Languages: []string{"en"},
					Categories:  []string{"family-support-group", "self-help-group"},
					Populations: []string{"families", "young-adults", "youth"}, Conditions: alcohol,
				},
				{
					ID: "mg-al-anon-30816762-the-brockton-fellowship-afg", Name: "30816762 The Brockton Fellowship AFG",
					Status: "active", OpenClosed: "open", Schedules: []string{"TH 18:45- America/New_York"},
					Place: "540 Forest Ave, Brockton, MA 02301 | US @", Attendance: []string{"in-person"}, Languages: []string{"en"},
					Categories: []string{"family-support-group", "self-help-group"}, Populations: []string{"families"},
					Conditions: alcohol,
				},
				{
					// attendance_option inactive (and TC).
					ID: "mg-al-anon-63680-just-for-today-afg", Name: "63680 Just For Today AFG", Status: "temporarily closed",
					OpenClosed: "open", Schedules: []string{"TU 18:00- America/New_York"},
					Place: "575 Beech St, Holyoke, MA 01040 | US @", Attendance: []string{"in-person"}, Languages: []string{"en"},
					Categories:  []string{"family-support-group", "self-help-group"},
					Populations: []string{"families", "newcomers"}, Conditions: alcohol,
				},
			},
			skipped: []peerfind.Issue{
				{Item: "25035-testing-meeting-types-afg", Reason: `test entry: placeholder conference link "https://zoom.us/j/1234567890"`},
			},
		},
		{
			feed: "eda",
			want: []summary{
				{
					// In person in Berlin: local time, no default English.
					ID:     "mg-eda-berlin-big-book-study-topic-discussion-tuesdays-10am-germany",
					Name:   "EDA Group Berlin - 10am Central European Time - In-Person",
					Status: "active", Schedules: []string{"TU 10:00-11:00 Europe/Berlin"},
					Place: "Fehrbelliner Str. 92, Berlin, 10119 | DE @", Attendance: []string{"in-person"}, Categories: shg,
					Conditions: []string{"eating-disorders", "mental-health"},
				},
				{
					// Online, placed in London, times in the feed's zone.
					ID:     "mg-eda-london-monday-to-friday-daily-readings-starts-march-1st-online-monday",
					Name:   "London Daily Readings - 2am Eastern - Online",
					Status: "active", Schedules: []string{"MO 02:00-02:45 America/New_York"},
					Place: "London | GB ~ @", Attendance: []string{"online"}, Languages: []string{"en"}, Categories: online,
					Conditions: []string{"eating-disorders", "mental-health"},
				},
				{
					// "Tbilisi, Georgia" is the country, not the state.
					ID: "mg-eda-tbilisi-saturdays", Name: "Tbilisi - 6:30am- Online", Status: "active",
					Schedules: []string{"SA 06:30-07:30 America/New_York"},
					Place:     "Tbilisi | GE ~ @", Attendance: []string{"online"}, Languages: []string{"en"}, Categories: online,
					Conditions: []string{"eating-disorders", "mental-health"},
				},
			},
		},
		{
			feed: "edmonton",
			want: []summary{
				{
					// Two entries, day lists, "11:00 AM" and "8:00 PM".
					ID: "mg-edmonton-1103", Name: "Sherwood Park", Status: "active", OpenClosed: "closed",
					Schedules: []string{"TH 20:00- America/Edmonton", "SA 11:00- America/Edmonton"},
					Place:     "912 Ash Street, Sherwood Park, AB T8A 2G1 | CA", Attendance: []string{"in-person"},
					Languages: []string{"en"}, Categories: shg, Conditions: alcohol,
				},
				{
					// The group is "Cancelled"; the name names a language.
					ID: "mg-edmonton-1543", Name: "Punjabi Big Book Study", Status: "inactive",
					Schedules: []string{"SU 13:00- America/Edmonton"},
					Place:     "9122 34A Avenue NW, Edmonton, AB T6E 5P4 | CA", Attendance: []string{"in-person"},
					Categories: shg, Conditions: alcohol,
				},
				{
					ID: "mg-edmonton-6", Name: "Chapter House - Shifters", Status: "active", OpenClosed: "closed",
					Schedules: []string{"SA 11:00- America/Edmonton"},
					Place:     "8318 104 St, Edmonton, AB T6E 4E8 | CA", Attendance: []string{"in-person"},
					Languages: []string{"en"}, Categories: shg, Conditions: alcohol,
				},
				{
					// ONL with a street address: hybrid.
					ID: "mg-edmonton-8", Name: "Up The Creek", Status: "active", OpenClosed: "closed",
					Schedules:  []string{"TU 19:30- America/Edmonton"},
					Place:      "9540 83 Ave NW, Edmonton, AB T6C 1B9 | CA",
					Attendance: []string{"hybrid", "in-person", "online"}, Languages: []string{"en"}, Categories: online,
					Conditions: alcohol,
				},
			},
			warnings: []peerfind.Issue{
				{Item: "1543", Reason: "name or group says cancelled; status inactive"},
				{Item: "1543", Reason: "name mentions a language (pa) but no language type code; language left unknown"},
				{Item: "6", Reason: `state "Alberta" read as AB`},
				{Item: "6", Reason: "no coordinates"},
			},
		},
		{
			feed: "quirks",
			want: []summary{
				{
					// "day": "4" and "day": "Monday" at one place: one record;
					// end times differ, so two rules.
					ID: "mg-quirks-day-as-name", Name: "No Somos Santos", Status: "active", OpenClosed: "open",
					Schedules: []string{"MO 20:00- America/Los_Angeles", "TH 20:00-21:00 America/Los_Angeles"},
					Place:     "1292 Minnesota Ave, San Jose, CA 95125 | US @", Attendance: []string{"in-person"},
					Languages: []string{"es"}, Categories: shg, Conditions: alcohol,
				},
				{
					// No day: no schedule; 0,0 coordinates dropped.
					ID: "mg-quirks-no-day", Name: "Women'", Status: "active", OpenClosed: "closed",
					Place: "16865 E Pacific Coast Hwy, Huntington Beach, CA 92649 | US", Attendance: []string{"in-person"},
					Languages: []string{"en"}, Categories: shg, Populations: []string{"women"}, Conditions: alcohol,
				},
				{
					// Only a dial-in number; an unreadable time.
					ID: "mg-quirks-phone-only", Name: "Dial-in Only", Status: "active", OpenClosed: "closed",
					Schedules: []string{"TU - America/Los_Angeles"}, Attendance: []string{"phone"},
					Languages: []string{"en"}, Categories: shg, Conditions: alcohol,
				},
				{
					// day [1, 3], "7pm", a bare Zoom host.
					ID: "mg-quirks-repaired-link", Name: "Calif. Zoom Group", Status: "active",
					Schedules: []string{"MO,WE 19:00- America/Los_Angeles"}, Place: "San Jose, CA | US ~ @",
					Attendance: []string{"online"}, Languages: []string{"en"}, Categories: online, Conditions: alcohol,
				},
			},
			skipped: []peerfind.Issue{
				{Item: "no-name", Reason: "no name"},
				{Item: "bad-day", Reason: `unreadable day "Funday"`},
				{Item: "#8", Reason: "not a meeting object: 42"},
			},
			warnings: []peerfind.Issue{
				{Item: "no-day", Reason: "no day (by appointment?); kept without a schedule"},
				{Item: "no-day", Reason: "coordinates 0,0 are a placeholder; dropped"},
				{Item: "no-day", Reason: `state "California" read as CA`},
				{Item: "day-as-name", Reason: `state "ca" read as CA`},
				{Item: "repaired-link", Reason: `conference_url "zoom.us/j/71771828957" read as "https://zoom.us/j/71771828957"`},
				{Item: "repaired-link", Reason: `unknown type code "XYZ"`},
				{Item: "phone-only", Reason: `unreadable time "bogus"; kept without a start time`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.feed, func(t *testing.T) {
			recs, rep := read(t, tax, tt.feed)
			var got []summary
			for _, s := range recs {
				got = append(got, summarize(s))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.skipped, rep.Skipped); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
			for _, w := range tt.warnings {
				if !containsIssue(rep.Warnings, w) {
					t.Errorf("no warning %+v in %+v", w, rep.Warnings)
				}
			}
			if rep.Kept != len(recs) {
				t.Errorf("Kept = %d, want %d", rep.Kept, len(recs))
			}
		})
	}
}

func containsIssue(list []peerfind.Issue, is peerfind.Issue) bool {
	for _, x := range list {
		if x == is {
			return true
		}
	}
	return false
}

// TestRecordDetails checks one record whole: meeting details, provenance,
// organization, description.
func TestRecordDetails(t *testing.T) {
	tax := loadTaxonomy(t)
	recs, _ := read(t, tax, "aasanjose")
	var got *peerfind.Service
	for _, s := range recs {
		if s.ID == "mg-aasanjose-crazy-corona-mens-meeting-2" {
			got = s
		}
	}
	if got == nil {
		t.Fatal("no crazy-corona record")
	}
	lat, lon := 37.3382082, -121.8863286
	want := &peerfind.Service{
		ID:          "mg-aasanjose-crazy-corona-mens-meeting-2",
		Name:        "Crazy Corona Men's Meeting",
		Description: "Small group discussion similar to Detroit-style meetings or Downtown Steppers.",
		Status:      "active",
		AssuredDate: "2021-08-29",
		Organization: peerfind.Organization{
			ID: "mg-aasanjose", Name: "Test aasanjose", URL: "https://example.org/",
		},
		Locations: []peerfind.Location{{
			Address:   peerfind.Address{City: "San Jose", StateProvince: "CA", Country: "US"},
			Latitude:  &lat,
			Longitude: &lon, Approximate: true,
		}},
		Schedules: []peerfind.Schedule{{Freq: "WEEKLY", Interval: 1, ByDay: []string{"MO", "FR"}, OpensAt: "20:30",
			ClosesAt: "21:30", Timezone: "America/Los_Angeles"}},
		Languages:    []string{"en"},
		Categories:   []string{"self-help-group", "internet-support-group"},
		SupportTypes: []string{"emotional", "affiliational", "informational"},
		Populations:  []string{"men", "newcomers"},
		Conditions:   []string{"alcohol", "substance-use"},
		Attendance:   []string{"online", "phone"},
		Cost:         "donation",
		Meeting: &peerfind.Meeting{
			OpenClosed:           "closed",
			Group:                "Crazy Corona",
			Types:                []string{"ABSI", "BE", "C", "D", "DR", "LS", "M", "ST"},
			ConferenceURL:        "https://zoom.us/j/71771828957?pwd=dnc5L2hIMXRPbGM2dkRZaFJ1TnMydz09",
			ConferenceURLNotes:   "Meeting ID: 717 7182 8957 Password: 777644",
			ConferencePhone:      "+16699009128,,71771828957#,,#,,777644#",
			ConferencePhoneNotes: "Dial-In: (669) 900-9128 Enter Meeting ID: 717 7182 8957# Password: 777644",
		},
		Provenance: peerfind.Provenance{
			SourceURL:   "https://example.org/aasanjose.json#crazy-corona-mens-meeting-2",
			SourceKind:  "meeting-guide",
			SourceName:  "Test aasanjose",
			SourceID:    "crazy-corona-mens-meeting-2",
			Retrieved:   "2026-11-23",
			License:     "test terms",
			Attribution: "test credit",
		},
	}
	if diff := cmp.Diff(want, got, sortLists()); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
}

// sortLists compares term lists as sets.
func sortLists() cmp.Option {
	return cmp.Transformer("sorted", func(in []string) []string {
		out := append([]string(nil), in...)
		sort.Strings(out)
		return out
	})
}

// TestStableOrder: the records do not depend on the order of the feed's
// entries.
func TestStableOrder(t *testing.T) {
	tax := loadTaxonomy(t)
	for _, feed := range []string{"aasepia", "edmonton", "quirks"} {
		b, err := os.ReadFile(filepath.Join("testdata", feed+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var entries []json.RawMessage
		if err := json.Unmarshal(b, &entries); err != nil {
			t.Fatal(err)
		}
		for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
			entries[i], entries[j] = entries[j], entries[i]
		}
		rev, _ := json.Marshal(entries)
		a, _, err := meetingguide.Read(context.Background(), bytes.NewReader(b), source(feed), tax)
		if err != nil {
			t.Fatal(err)
		}
		z, _, err := meetingguide.Read(context.Background(), bytes.NewReader(rev), source(feed), tax)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, z); diff != "" {
			t.Errorf("%s: reversed feed gives other records (-forward +reversed):\n%s", feed, diff)
		}
	}
}

func TestReadBadInput(t *testing.T) {
	tax := loadTaxonomy(t)
	tests := []struct {
		name, in string
		wantErr  string
	}{
		{"not JSON", "this is not json", "invalid character"},
		{"an object", `{"meetings": []}`, "want a JSON array"},
		{"truncated", `[{"name": "A", "day": 1}, {"name": "B"`, "entry 2"},
		{"empty", ``, "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := meetingguide.Read(context.Background(), strings.NewReader(tt.in), source("bad"), tax)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	t.Run("empty array", func(t *testing.T) {
		recs, rep, err := meetingguide.Read(context.Background(), strings.NewReader(" [ ] "), source("bad"), tax)
		if err != nil || len(recs) != 0 || rep.Read != 0 {
			t.Errorf("got %d records, %+v, %v", len(recs), rep, err)
		}
	})
}

// endless is an endless feed: "[" and then white space.
type endless struct{ started bool }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	if !e.started && len(p) > 0 {
		p[0] = '['
		e.started = true
	}
	return len(p), nil
}

func TestReadTooBig(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MiB")
	}
	_, _, err := meetingguide.Read(context.Background(), &endless{}, source("big"), loadTaxonomy(t))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v, want a size error", err)
	}
}

func TestReadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, err := os.Open(filepath.Join("testdata", "aasepia.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, _, err = meetingguide.Read(ctx, f, source("aasepia"), loadTaxonomy(t))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestSourceCheck(t *testing.T) {
	tax := loadTaxonomy(t)
	tests := []struct {
		name string
		edit func(*meetingguide.Source)
	}{
		{"no feed", func(s *meetingguide.Source) { s.Feed = "" }},
		{"bad feed", func(s *meetingguide.Source) { s.Feed = "a b" }},
		{"no url", func(s *meetingguide.Source) { s.URL = "" }},
		{"bad date", func(s *meetingguide.Source) { s.Retrieved = "23/11/2026" }},
		{"bad zone", func(s *meetingguide.Source) { s.Timezone = "Mars/Olympus" }},
		{"bad condition", func(s *meetingguide.Source) { s.Conditions = []string{"boredom"} }},
		{"bad website", func(s *meetingguide.Source) { s.Website = "ftp://x" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := source("x")
			tt.edit(&src)
			if _, _, err := meetingguide.Read(context.Background(), strings.NewReader("[]"), src, tax); err == nil {
				t.Error("no error")
			}
		})
	}
	if _, _, err := meetingguide.Read(context.Background(), strings.NewReader("[]"), source("x"), nil); err == nil {
		t.Error("no error without a taxonomy")
	}
}

// TestRealFeeds reads every shared feed when the shared data is there.
func TestRealFeeds(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "shared", "data", "meeting-guide-feeds")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	if len(files) == 0 {
		t.Skip("no shared feeds in", dir)
	}
	tax := loadTaxonomy(t)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json.gz")
		t.Run(name, func(t *testing.T) {
			r, err := gunzip(f)
			if err != nil {
				t.Fatal(err)
			}
			recs, rep, err := meetingguide.Read(context.Background(), r, source(name), tax)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) == 0 || rep.Kept != len(recs) || rep.Read < len(recs) {
				t.Errorf("%s", rep.Summary())
			}
			ids := map[string]bool{}
			for _, s := range recs {
				if ids[s.ID] {
					t.Errorf("duplicate id %s", s.ID)
				}
				ids[s.ID] = true
			}
		})
	}
}

func gunzip(path string) (io.Reader, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return gzip.NewReader(bytes.NewReader(b))
}
