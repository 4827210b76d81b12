package searchd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/peerfind/peerfind"
)

// This file holds the JSON wire types of the API and their construction
// from the domain types. Every string in them is data: the encoder escapes
// <, > and &, and clients must insert them as text, never as HTML.

// SearchResponse is the answer of GET /api/v1/search.
type SearchResponse struct {
	// Crisis comes first when the query signals a crisis or danger: the
	// crisis lines (988 in the US) in the query's language.
	Crisis *CrisisAnswer `json:"crisis,omitempty"`
	// Query echoes the request's parameters after normalization and
	// defaults, so a client can rebuild the URL of any page.
	Query QueryEcho `json:"query"`
	// Location is the place near resolved to, or null without near.
	Location *SearchLocation `json:"location"`
	// Total is the number of matching services over all pages.
	Total uint64 `json:"total"`
	// Page is the 1-based page number of Results.
	Page int `json:"page"`
	// PerPage is the page size asked for.
	PerPage int `json:"per_page"`
	// TotalPages is the number of pages a client can ask for:
	// ceil(total / per_page), capped by the server's page limit.
	TotalPages int `json:"total_pages"`
	// Results are this page's services, best first; never null.
	Results []Result `json:"results"`
	// Facets count the matching services per term, one facet per key in
	// the taxonomy's display order.
	Facets Facets `json:"facets"`
	// Remote holds the remote services apart, with remote=apart.
	Remote *RemoteResults `json:"remote,omitempty"`
	// NothingNearby is present when near was given and no in-person
	// service matched within the radius: it says so and offers, in order,
	// the nearest matches farther out, remote services that fit, and
	// national lines for the need.
	NothingNearby *NothingNearby `json:"nothing_nearby,omitempty"`
}

// QueryEcho is the normalized search request. Filters without values are
// left out.
type QueryEcho struct {
	// Q is the need in free text, with white space collapsed.
	Q string `json:"q"`
	// IncludeClosed is true when closed services were asked for too.
	IncludeClosed bool `json:"include_closed,omitempty"`
	// Near is the location as typed.
	Near string `json:"near,omitempty"`
	// Radius is the radius with its unit, e.g. "25mi", as asked for; absent
	// when the radius was left to widen (see SearchLocation).
	Radius string `json:"radius,omitempty"`
	// Remote is how remote services join the results: mixed, apart,
	// exclude or only.
	Remote string `json:"remote"`
	// Category are the category term ids asked for.
	Category []string `json:"category,omitempty"`
	// Support are the support type term ids asked for.
	Support []string `json:"support,omitempty"`
	// Population are the population term ids asked for.
	Population []string `json:"population,omitempty"`
	// Condition are the condition term ids asked for.
	Condition []string `json:"condition,omitempty"`
	// Attendance are the attendance term ids asked for.
	Attendance []string `json:"attendance,omitempty"`
	// Lang are the language term ids asked for.
	Lang []string `json:"lang,omitempty"`
	// Cost are the cost term ids asked for.
	Cost []string `json:"cost,omitempty"`
	// Page is the page number.
	Page int `json:"page"`
	// PerPage is the page size.
	PerPage int `json:"per_page"`
	// Sort is "relevance" or "distance".
	Sort string `json:"sort"`
	// UI is the language of the labels, "en" or "es".
	UI string `json:"ui"`
	// Day are the meeting days asked for ("MO"...).
	Day []string `json:"day,omitempty"`
	// Time are the parts of the day asked for ("evening"...).
	Time []string `json:"time,omitempty"`
	// OpenNow is true when only services in session were asked for.
	OpenNow bool `json:"open_now,omitempty"`
	// Upcoming is true when the next meetings were asked for, soonest
	// first.
	Upcoming bool `json:"upcoming,omitempty"`
	// TZ is the searcher's time zone, as given.
	TZ string `json:"tz,omitempty"`
}

// SearchLocation is the place the near parameter resolved to.
type SearchLocation struct {
	// Input is near as typed.
	Input string `json:"input"`
	// Name is the place as the searcher should read it, e.g.
	// "ZIP 95112 (San Jose, CA)".
	Name string `json:"name"`
	// Kind is "coordinates", "zip", "city", "county" or "state".
	Kind string `json:"kind"`
	// Lat is the place's latitude in decimal degrees.
	Lat float64 `json:"lat"`
	// Lng is the place's longitude in decimal degrees.
	Lng float64 `json:"lng"`
	// State, County and ZIP are the state (USPS code), county and ZIP
	// code the place is in, when known: services whose service area is
	// one of them serve the searcher's area.
	State      string `json:"state,omitempty"`
	County     string `json:"county,omitempty"`
	CountyFIPS string `json:"county_fips,omitempty"`
	ZIP        string `json:"zip,omitempty"`
	// Timezone is the place's IANA time zone; times in the answer are in
	// it unless tz says otherwise.
	Timezone string `json:"timezone,omitempty"`
	// RadiusKM is the radius in-person services were sought within, in
	// kilometres, rounded to 0.1: the one asked for, or where widening
	// stopped.
	RadiusKM float64 `json:"radius_km"`
	// RadiusMI is the same radius in miles, rounded to 0.1.
	RadiusMI float64 `json:"radius_mi"`
	// Widened is true when no radius was given and the search widened
	// (5, 10, 25, 50, 100 miles) until enough in-person services matched.
	Widened bool `json:"widened,omitempty"`
	// Message says in the ui language how far the search looked, e.g.
	// "In person within 25 mi of Austin, TX (widened from 5 mi)".
	Message string `json:"message,omitempty"`
	// Attribution is the credit line the place data requires; clients
	// showing these results must show it.
	Attribution string `json:"attribution,omitempty"`
}

// Result is one service in a search answer, shaped for a result list.
// Lists are never null; optional scalars are left out when unknown.
type Result struct {
	// ID is the service's id, for GET /api/v1/services/{id}.
	ID string `json:"id"`
	// Name is the service's or group's name.
	Name string `json:"name"`
	// Organization is the name of the organization that runs it.
	Organization string `json:"organization,omitempty"`
	// Description is the start of the description, plain text, at most
	// about 280 characters, cut at a word with "…".
	Description string `json:"description,omitempty"`
	// Categories are the category terms, labelled in the ui language.
	Categories []Term `json:"categories"`
	// SupportTypes are the support type terms.
	SupportTypes []Term `json:"support_types"`
	// Populations are the population and culture terms.
	Populations []Term `json:"populations"`
	// Conditions are the condition terms.
	Conditions []Term `json:"conditions"`
	// Attendance are the attendance mode terms.
	Attendance []Term `json:"attendance"`
	// Languages are the languages the service is offered in.
	Languages []Term `json:"languages"`
	// Cost is the cost term, if known.
	Cost *Term `json:"cost,omitempty"`
	// Address is the one-line address of the location shown (the nearest
	// to the query point, else the first).
	Address string `json:"address,omitempty"`
	// LocationName names that location, e.g. "St. Mark's Church, Room 4".
	LocationName string `json:"location_name,omitempty"`
	// Lat is that location's latitude.
	Lat *float64 `json:"lat,omitempty"`
	// Lng is that location's longitude.
	Lng *float64 `json:"lng,omitempty"`
	// Approximate is true when Lat and Lng stand for a city or region.
	Approximate bool `json:"approximate,omitempty"`
	// Mode is how the service is attended: "in_person", "online" or
	// "phone". Remote services (online, phone) are labelled as such.
	Mode string `json:"mode"`
	// ServesYourArea is true when one of the service's areas (a state, a
	// county, ZIP codes, a polygon, nationwide) contains the searcher's
	// place, however far its office is.
	ServesYourArea bool `json:"serves_your_area,omitempty"`
	// DistanceKM is the great-circle distance from the query point to the
	// nearest in-person location, rounded to 0.1; present only for
	// in-person services when both points are known.
	DistanceKM *float64 `json:"distance_km,omitempty"`
	// DistanceMI is the same distance in miles.
	DistanceMI *float64 `json:"distance_mi,omitempty"`
	// Phone is the first phone number.
	Phone string `json:"phone,omitempty"`
	// URL is the service's web page, else its organization's.
	URL string `json:"url,omitempty"`
	// Schedule summarizes when the group meets or the service is open,
	// in the ui language, e.g. "Mon, Wed 7:30 PM; Sat 10:00 AM".
	Schedule string `json:"schedule,omitempty"`
	// Timezone is the IANA time zone of the schedule's times.
	Timezone string `json:"timezone,omitempty"`
	// ScheduleYourTime is Schedule in the searcher's time zone (tz, else
	// the zone of near), present when that zone differs from Timezone.
	ScheduleYourTime string `json:"schedule_your_time,omitempty"`
	// YourTimezone is the searcher's zone ScheduleYourTime is in.
	YourTimezone string `json:"your_timezone,omitempty"`
	// NextMeeting is when the service next meets, or when the meeting in
	// session began (RFC 3339), in the searcher's tz, else in the
	// service's own zone; absent when its schedules do not say.
	NextMeeting string `json:"next_meeting,omitempty"`
	// Meeting holds the details of a group meeting, if it is one.
	Meeting *MeetingInfo `json:"meeting,omitempty"`
	// Status is the HSDS status: active, inactive, defunct, temporarily
	// closed.
	Status string `json:"status"`
	// SourceName names the publisher the record came from.
	SourceName string `json:"source_name,omitempty"`
	// SourceURL is where the record was read (web sources only).
	SourceURL string `json:"source_url,omitempty"`
	// SourceDate is the date (YYYY-MM-DD) the source was read.
	SourceDate string `json:"source_date,omitempty"`
	// AssuredDate is the date the publisher last confirmed the record.
	AssuredDate string `json:"assured_date,omitempty"`
	// AssuredAgeDays is how many days ago that was, when known.
	AssuredAgeDays *int `json:"assured_age_days,omitempty"`
	// Stale is true when the last confirmation is older than three years
	// or unknown: the details may have changed, so call ahead. Stale
	// records rank lower.
	Stale bool `json:"stale,omitempty"`
	// Snippet shows why the result matched: a passage of the description
	// with the matching words in <mark>. Unlike every other string, it is
	// HTML, and safe to insert as such: the text is escaped and <mark> and
	// </mark> are the only tags. Absent when the description did not
	// match (the name or the categories did).
	Snippet string `json:"snippet,omitempty"`
}

// Term is a taxonomy term with its label in the ui language.
type Term struct {
	// ID is the term id, usable as a filter value.
	ID string `json:"id"`
	// Label is the term's display name.
	Label string `json:"label"`
}

// MeetingInfo is what a result says about a group meeting.
type MeetingInfo struct {
	// OpenClosed is "open" (anyone may attend) or "closed" (only people
	// who share the problem).
	OpenClosed string `json:"open_closed,omitempty"`
	// ConferenceURL is the link to join online.
	ConferenceURL string `json:"conference_url,omitempty"`
}

// Facet is one facet of a search answer.
type Facet struct {
	// ID is the facet id; it is the key of the facet in Facets' JSON
	// object, not a field.
	ID string `json:"-"`
	// Label is the facet's name in the ui language.
	Label string `json:"label"`
	// Terms are the facet's terms found among the matches, most frequent
	// first, plus any selected term that has no match; never null.
	Terms []FacetTerm `json:"terms"`
}

// FacetTerm is one term's count among the matches.
type FacetTerm struct {
	// ID is the term id, usable as a filter value.
	ID string `json:"id"`
	// Label is the term's display name in the ui language.
	Label string `json:"label"`
	// Count is the number of matching services with the term.
	Count int `json:"count"`
	// Selected is true when the request filters on this term.
	Selected bool `json:"selected"`
}

// Facets are the facets of a search answer. They encode as one JSON object
// keyed by facet id, in the order of the slice (JSON objects from Go maps
// would be sorted by key instead).
type Facets []Facet

// MarshalJSON encodes the facets as an object in slice order.
func (fs Facets) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.ID)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON decodes the object form, keeping the order of its keys.
func (fs *Facets) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		*fs = nil
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("facets: want an object, got %v", tok)
	}
	var out Facets
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var f Facet
		if err := dec.Decode(&f); err != nil {
			return err
		}
		f.ID, _ = tok.(string)
		out = append(out, f)
	}
	*fs = out
	return nil
}

// ServiceResponse is the answer of GET /api/v1/services/{id}: the full
// record, with its fields at the top level as in peerfind.Service, plus its
// terms labelled in the ui language and a schedule summary.
type ServiceResponse struct {
	*peerfind.Service
	// Labels are the record's terms with their labels.
	Labels ServiceLabels `json:"labels"`
	// ScheduleSummary summarizes the schedules in the ui language.
	ScheduleSummary string `json:"schedule_summary,omitempty"`
}

// ServiceLabels are a record's taxonomy terms with their labels.
type ServiceLabels struct {
	// Categories are the category terms.
	Categories []Term `json:"categories"`
	// SupportTypes are the support type terms.
	SupportTypes []Term `json:"support_types"`
	// Populations are the population and culture terms.
	Populations []Term `json:"populations"`
	// Conditions are the condition terms.
	Conditions []Term `json:"conditions"`
	// Attendance are the attendance mode terms.
	Attendance []Term `json:"attendance"`
	// Languages are the language terms.
	Languages []Term `json:"languages"`
	// Cost is the cost term, if known.
	Cost *Term `json:"cost,omitempty"`
}

// ErrorResponse is the body of every error answer.
type ErrorResponse struct {
	// Error describes the error.
	// Crisis is the crisis block, when the search's query signals one.
	Crisis *CrisisAnswer `json:"crisis,omitempty"`
	Error  ErrorBody     `json:"error"`
}

// CrisisAnswer is the crisis block of a search answer: what to show before
// anything else when a query signals a crisis or danger.
type CrisisAnswer struct {
	// Lang is the language of the block ("en", "es"): the query's.
	Lang string `json:"lang"`
	// Gentle is true when the query names the topic rather than a danger
	// ("suicide loss survivors group"): show the block quietly, below the
	// heading, not as an alert.
	Gentle bool `json:"gentle,omitempty"`
	// Title is the block's heading.
	Title string `json:"title"`
	// Message is one or two sentences to the person searching.
	Message string `json:"message"`
	// Lines are the crisis lines: name, phone, sms, url, url_label.
	Lines []peerfind.CrisisLine `json:"lines"`
}

// ErrorBody describes an error.
type ErrorBody struct {
	// Code is a stable, machine-readable code (the Code* constants).
	Code string `json:"code"`
	// Message says in English what went wrong and how to fix it.
	Message string `json:"message"`
	// Param names the query parameter at fault, if one is.
	Param string `json:"param,omitempty"`
	// Candidates are suggestions: the closest places for
	// unknown_location (always present, possibly empty), valid values for
	// an unknown filter value, the likely intended parameter for
	// unknown_parameter.
	Candidates []string `json:"candidates,omitzero"`
}

// HealthResponse is the answer of GET /healthz.
type HealthResponse struct {
	// Status is "ok".
	Status string `json:"status"`
}

// descriptionLen is the length, in characters, of a result's description.
const descriptionLen = 280

// newSearchResponse builds the answer from the parsed request, the
// resolved place (nil without near) and the searcher's results.
func newSearchResponse(p searchParams, loc *SearchLocation, near *orb.Point, res *peerfind.Results, tax *peerfind.Taxonomy, maxPage int) SearchResponse {
	if res == nil {
		res = &peerfind.Results{}
	}
	out := SearchResponse{
		Query:    newQueryEcho(p),
		Location: loc,
		Total:    res.Total,
		Page:     p.Page,
		PerPage:  p.PerPage,
		Results:  []Result{},
		Facets:   newFacets(p, res.Facets, tax),
	}
	if p.PerPage > 0 {
		pages := (res.Total + uint64(p.PerPage) - 1) / uint64(p.PerPage)
		out.TotalPages = int(min(pages, uint64(maxPage)))
	}
	out.Results = newResults(p, near, res.Hits, tax)
	if loc != nil {
		if res.RadiusKM > 0 {
			loc.RadiusKM, loc.RadiusMI = round(res.RadiusKM, 1), round(res.RadiusKM/kmPerMile, 1)
		}
		loc.Widened = res.Widened
		if loc.RadiusKM > 0 {
			loc.Message = radiusMessage(p.UI, loc, res)
		}
	}
	if p.Remote == peerfind.RemoteApart && near != nil {
		out.Remote = &RemoteResults{Total: res.RemoteTotal, Results: newResults(p, near, res.Remote, tax)}
	}
	return out
}

// newResults shapes a list of hits.
func newResults(p searchParams, near *orb.Point, hits []peerfind.Hit, tax *peerfind.Taxonomy) []Result {
	out := []Result{}
	for _, h := range hits {
		if h.Service == nil {
			continue
		}
		r := newResult(h, near, p.UI, tax)
		r.NextMeeting = nextMeeting(h, p.When)
		r.ScheduleYourTime, r.YourTimezone = scheduleYourTime(h.Service, p.When.Loc, p.UI)
		out = append(out, r)
	}
	return out
}

func newQueryEcho(p searchParams) QueryEcho {
	e := QueryEcho{Q: p.Text, Near: p.Near, Radius: p.Radius, Page: p.Page, PerPage: p.PerPage, Sort: p.Sort, UI: p.UI, IncludeClosed: p.IncludeClosed, Remote: p.Remote}
	if e.Remote == "" {
		e.Remote = peerfind.RemoteMixed
	}
	e.Day, e.Time, e.OpenNow, e.Upcoming, e.TZ = slices.Clone(p.When.Days), slices.Clone(p.When.TimesOfDay), p.When.OpenNow, p.When.Upcoming, p.When.TZ
	for facet, ids := range p.Filters {
		ids = slices.Clone(ids)
		switch facet {
		case peerfind.FacetCategory:
			e.Category = ids
		case peerfind.FacetSupport:
			e.Support = ids
		case peerfind.FacetPopulation:
			e.Population = ids
		case peerfind.FacetCondition:
			e.Condition = ids
		case peerfind.FacetAttendance:
			e.Attendance = ids
		case peerfind.FacetLanguage:
			e.Lang = ids
		case peerfind.FacetCost:
			e.Cost = ids
		}
	}
	return e
}

// newSearchLocation describes the resolved place.
func newSearchLocation(input string, place peerfind.Place, radiusKM float64) *SearchLocation {
	return &SearchLocation{
		Input:      input,
		Name:       place.Name,
		Kind:       place.Kind,
		Lat:        round(place.Point.Lat(), 5),
		Lng:        round(place.Point.Lon(), 5),
		State:      place.State,
		County:     place.County,
		CountyFIPS: place.CountyFIPS,
		ZIP:        place.ZIP,
		Timezone:   place.Timezone,
		RadiusKM:   round(radiusKM, 1),
		RadiusMI:   round(radiusKM/kmPerMile, 1),
	}
}

// newFacets labels the searcher's counts, one facet per taxonomy facet in
// display order. Terms the taxonomy does not know are left out, since
// filtering on them would be refused; selected terms without matches are
// added with a count of 0 so a client can still show and clear them.
func newFacets(p searchParams, counts map[string][]peerfind.FacetCount, tax *peerfind.Taxonomy) Facets {
	out := make(Facets, 0, len(peerfind.Facets))
	for _, id := range peerfind.Facets {
		f := tax.Facet(id)
		if f == nil {
			continue
		}
		selected := p.Filters[id]
		facet := Facet{ID: id, Label: f.LabelFor(p.UI), Terms: []FacetTerm{}}
		seen := map[string]bool{}
		for _, c := range counts[id] {
			t := f.Term(c.Term)
			if t == nil || seen[t.ID] {
				continue
			}
			seen[t.ID] = true
			facet.Terms = append(facet.Terms, FacetTerm{ID: t.ID, Label: t.LabelFor(p.UI), Count: c.Count, Selected: slices.Contains(selected, t.ID)})
		}
		for _, sid := range selected {
			if t := f.Term(sid); t != nil && !seen[sid] {
				seen[sid] = true
				facet.Terms = append(facet.Terms, FacetTerm{ID: sid, Label: t.LabelFor(p.UI), Selected: true})
			}
		}
		out = append(out, facet)
	}
	return out
}

// newResult shapes one hit for the result list.
func newResult(h peerfind.Hit, near *orb.Point, ui string, tax *peerfind.Taxonomy) Result {
	s := h.Service
	r := Result{
		ID:             s.ID,
		Name:           s.Name,
		Organization:   s.Organization.Name,
		Description:    cutText(s.Description, descriptionLen),
		Categories:     labelTerms(tax, peerfind.FacetCategory, s.Categories, ui),
		SupportTypes:   labelTerms(tax, peerfind.FacetSupport, s.SupportTypes, ui),
		Populations:    labelTerms(tax, peerfind.FacetPopulation, s.Populations, ui),
		Conditions:     labelTerms(tax, peerfind.FacetCondition, s.Conditions, ui),
		Attendance:     labelTerms(tax, peerfind.FacetAttendance, s.Attendance, ui),
		Languages:      labelTerms(tax, peerfind.FacetLanguage, s.Languages, ui),
		Cost:           labelTerm(tax, peerfind.FacetCost, s.Cost, ui),
		URL:            webURL(s.URL),
		Schedule:       FormatSchedules(s.Schedules, ui),
		Timezone:       scheduleTimezone(s.Schedules),
		Status:         s.Status,
		SourceName:     s.Provenance.SourceName,
		SourceURL:      webURL(s.Provenance.SourceURL),
		SourceDate:     s.Provenance.Retrieved,
		AssuredDate:    s.AssuredDate,
		Snippet:        h.Snippet,
		Mode:           h.Mode,
		ServesYourArea: h.ServesArea,
	}
	if r.Mode == "" {
		r.Mode = s.Mode()
	}
	if r.URL == "" {
		r.URL = webURL(s.Organization.URL)
	}
	for _, ph := range s.Phones {
		if n := strings.TrimSpace(ph.Number); n != "" {
			r.Phone = n
			break
		}
	}
	if m := s.Meeting; m != nil && (m.OpenClosed != "" || webURL(m.ConferenceURL) != "") {
		r.Meeting = &MeetingInfo{OpenClosed: m.OpenClosed, ConferenceURL: webURL(m.ConferenceURL)}
	}
	if l, ok := pickLocation(s.Locations, near); ok {
		r.Address = l.Address.String()
		r.LocationName = strings.TrimSpace(l.Name)
		if pt, ok := l.Point(); ok && finite(pt.Lat()) && finite(pt.Lon()) {
			r.Lat, r.Lng = ptr(round(pt.Lat(), 5)), ptr(round(pt.Lon(), 5))
			r.Approximate = l.Approximate
			if near != nil && h.DistanceKM == nil {
				d := geo.DistanceHaversine(*near, pt) / 1000
				h.DistanceKM = &d
			}
		}
	}
	// A remote service's distance is where it is based, not a trip.
	if near != nil && r.Mode == peerfind.ModeInPerson && h.DistanceKM != nil && finite(*h.DistanceKM) && *h.DistanceKM >= 0 {
		r.DistanceKM = ptr(round(*h.DistanceKM, 1))
		r.DistanceMI = ptr(round(*h.DistanceKM/kmPerMile, 1))
	}
	return r
}

// newServiceResponse wraps a full record with its labels.
func newServiceResponse(s *peerfind.Service, ui string, tax *peerfind.Taxonomy) ServiceResponse {
	return ServiceResponse{
		Service: s,
		Labels: ServiceLabels{
			Categories:   labelTerms(tax, peerfind.FacetCategory, s.Categories, ui),
			SupportTypes: labelTerms(tax, peerfind.FacetSupport, s.SupportTypes, ui),
			Populations:  labelTerms(tax, peerfind.FacetPopulation, s.Populations, ui),
			Conditions:   labelTerms(tax, peerfind.FacetCondition, s.Conditions, ui),
			Attendance:   labelTerms(tax, peerfind.FacetAttendance, s.Attendance, ui),
			Languages:    labelTerms(tax, peerfind.FacetLanguage, s.Languages, ui),
			Cost:         labelTerm(tax, peerfind.FacetCost, s.Cost, ui),
		},
		ScheduleSummary: FormatSchedules(s.Schedules, ui),
	}
}

// pickLocation returns the location nearest to near among those with
// coordinates or, without near or coordinates, the first location that has
// coordinates, else the first one.
func pickLocation(locs []peerfind.Location, near *orb.Point) (peerfind.Location, bool) {
	if len(locs) == 0 {
		return peerfind.Location{}, false
	}
	best, bestD := -1, math.Inf(1)
	for i, l := range locs {
		pt, ok := l.Point()
		if !ok {
			continue
		}
		if near == nil {
			best = i
			break
		}
		if d := geo.Distance(*near, pt); d < bestD {
			best, bestD = i, d
		}
	}
	if best < 0 {
		best = 0
	}
	return locs[best], true
}

// labelTerms labels term ids in the ui language; ids the taxonomy does not
// know keep their id as label. The result is never nil.
func labelTerms(tax *peerfind.Taxonomy, facet string, ids []string, ui string) []Term {
	out := make([]Term, 0, len(ids))
	for _, id := range ids {
		if t := labelTerm(tax, facet, id, ui); t != nil {
			out = append(out, *t)
		}
	}
	return out
}

func labelTerm(tax *peerfind.Taxonomy, facet, id, ui string) *Term {
	if id == "" {
		return nil
	}
	if t := tax.Term(facet, id); t != nil {
		return &Term{ID: id, Label: t.LabelFor(ui)}
	}
	return &Term{ID: id, Label: id}
}

// webURL returns u if it is an absolute http or https URL, else "": a
// result's links end up in href attributes, where javascript: or a local
// file path has no place.
func webURL(u string) string {
	u = strings.TrimSpace(u)
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return u
}

// scheduleTimezone returns the first time zone of the schedules.
func scheduleTimezone(ss []peerfind.Schedule) string {
	for _, s := range ss {
		if s.Timezone != "" {
			return s.Timezone
		}
	}
	return ""
}

// cutText collapses white space and control characters and, when the text
// is longer than n characters (runes), cuts it at the last word boundary
// that keeps at least half of it, adding "…"; the result has at most n
// runes. Invalid UTF-8 is replaced, so the cut is always on a rune.
func cutText(s string, n int) string {
	s = normalizeText(strings.ToValidUTF8(s, "\uFFFD"))
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 2 {
		return "…"
	}
	// Byte offset of rune n-1: keep n-1 runes plus the ellipsis.
	end, count := len(s), 0
	for i := range s {
		if count == n-1 {
			end = i
			break
		}
		count++
	}
	cut := s[:end]
	// Cut at a word boundary unless the next character starts a word.
	if next, _ := utf8.DecodeRuneInString(s[end:]); next != ' ' {
		if j := strings.LastIndexByte(cut, ' '); j > len(cut)/2 {
			cut = cut[:j]
		}
	}
	cut = strings.TrimRightFunc(cut, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—(/", r)
	})
	return cut + "…"
}

// staleDays is the age of the last confirmation beyond which a result is
// marked stale.
const staleDays = 3 * 365

// assuredAge returns how many days ago the record was confirmed (nil when
// the date is missing or unreadable) and whether that makes it stale.
func assuredAge(assured string, now time.Time) (*int, bool) {
	t, err := time.Parse(time.DateOnly, assured)
	if err != nil {
		return nil, true
	}
	days := max(0, int(now.Sub(t).Hours()/24))
	return &days, days > staleDays
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func ptr[T any](v T) *T { return &v }
