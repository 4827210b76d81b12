package peerfind

import (
	"sort"
	"strings"
)

// MeetingGuideMeeting is one meeting of a Meeting Guide feed
// (https://github.com/code4recovery/spec): one weekday and start time.
type MeetingGuideMeeting struct {
	Name                 string   `json:"name"`
	Slug                 string   `json:"slug"`
	Day                  int      `json:"day"`
	Time                 string   `json:"time"`
	EndTime              string   `json:"end_time,omitempty"`
	Timezone             string   `json:"timezone,omitempty"`
	Types                []string `json:"types"`
	Notes                string   `json:"notes,omitempty"`
	Group                string   `json:"group,omitempty"`
	Location             string   `json:"location,omitempty"`
	LocationNotes        string   `json:"location_notes,omitempty"`
	FormattedAddress     string   `json:"formatted_address,omitempty"`
	Address              string   `json:"address,omitempty"`
	City                 string   `json:"city,omitempty"`
	State                string   `json:"state,omitempty"`
	PostalCode           string   `json:"postal_code,omitempty"`
	Country              string   `json:"country,omitempty"`
	Latitude             *float64 `json:"latitude,omitempty"`
	Longitude            *float64 `json:"longitude,omitempty"`
	ConferenceURL        string   `json:"conference_url,omitempty"`
	ConferenceURLNotes   string   `json:"conference_url_notes,omitempty"`
	ConferencePhone      string   `json:"conference_phone,omitempty"`
	ConferencePhoneNotes string   `json:"conference_phone_notes,omitempty"`
	URL                  string   `json:"url,omitempty"`
	Updated              string   `json:"updated,omitempty"`
	EntityURL            string   `json:"entity_url,omitempty"`
	Entity               string   `json:"entity,omitempty"`
}

var weekday = map[string]int{"SU": 0, "MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6}

// MeetingGuideFeed returns the recurring groups among recs as Meeting Guide
// meetings: every record with meeting details and a weekly schedule gives
// one meeting per weekday and start time (day 0 = Sunday, time HH:MM).
// Types are the record's own Meeting Guide codes plus the codes its
// taxonomy terms map back to (O/C from open or closed), sorted.
func MeetingGuideFeed(recs []*Service, tax *Taxonomy) []MeetingGuideMeeting {
	back := map[string][]string{} // "facet:id" → codes
	if tax != nil {
		for _, f := range tax.Facets {
			for _, t := range f.Terms {
				back[f.ID+":"+t.ID] = t.MeetingGuideTypes
			}
		}
	}
	var out []MeetingGuideMeeting
	for _, s := range recs {
		if s.Meeting == nil || s.Status != "active" {
			continue
		}
		types := map[string]bool{}
		for _, c := range s.Meeting.Types {
			types[c] = true
		}
		for _, f := range Facets {
			for _, id := range s.TermIDs(f) {
				if codes := back[f+":"+id]; len(codes) == 1 {
					types[codes[0]] = true
				}
			}
		}
		switch s.Meeting.OpenClosed {
		case "open":
			types["O"] = true
			delete(types, "C")
		case "closed":
			types["C"] = true
			delete(types, "O")
		}
		codes := make([]string, 0, len(types))
		for c := range types {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		base := MeetingGuideMeeting{Name: s.Name, Types: codes, Notes: s.Description, Group: s.Meeting.Group,
			LocationNotes: s.Meeting.LocationNotes, ConferenceURL: s.Meeting.ConferenceURL,
			ConferenceURLNotes: s.Meeting.ConferenceURLNotes, ConferencePhone: s.Meeting.ConferencePhone,
			ConferencePhoneNotes: s.Meeting.ConferencePhoneNotes, URL: s.URL, Entity: s.Organization.Name,
			EntityURL: s.Organization.URL}
		if s.Provenance.Retrieved != "" {
			base.Updated = s.Provenance.Retrieved + " 00:00:00"
		}
		if len(s.Locations) > 0 {
			l := s.Locations[0]
			base.Location, base.Address, base.City = l.Name, strings.TrimSpace(l.Address.Address1+" "+l.Address.Address2), l.Address.City
			base.State, base.PostalCode, base.Country = l.Address.StateProvince, l.Address.PostalCode, l.Address.Country
			base.FormattedAddress = l.Address.String()
			if base.Country != "" && base.FormattedAddress != "" {
				base.FormattedAddress += ", " + countryName(base.Country)
			}
			base.Latitude, base.Longitude = l.Latitude, l.Longitude
		}
		var n int
		seen := map[string]bool{}
		for _, sc := range s.Schedules {
			if sc.Freq != "WEEKLY" || (sc.Interval > 1) || sc.OpensAt == "" {
				continue
			}
			for _, d := range sc.ByDay {
				day, ok := weekday[d]
				if !ok {
					continue
				}
				m := base
				m.Day, m.Time, m.EndTime, m.Timezone = day, sc.OpensAt, sc.ClosesAt, sc.Timezone
				key := d + sc.OpensAt
				if seen[key] {
					continue // the same meeting listed twice
				}
				seen[key] = true
				m.Slug = s.ID
				if n > 0 {
					m.Slug = s.ID + "-" + strings.ToLower(d) + "-" + strings.ReplaceAll(sc.OpensAt, ":", "")
				}
				n++
				out = append(out, m)
			}
		}
	}
	return out
}

func countryName(code string) string {
	if strings.EqualFold(code, "US") {
		return "USA"
	}
	return code
}
