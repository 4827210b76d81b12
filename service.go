// Package peerfind is the domain of the peerfind directory: the service
// record every part shares (shaped after Open Referral HSDS 3.0 and extended
// for peer support), the peer-support taxonomy, and the interfaces through
// which the search daemon reaches the index and the geocoder.
//
// It imports only the standard library and orb, so every other package
// (crawler, indexer, searchd) can depend on it without pulling in the others.
package peerfind

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Service is one peer-support service or group: the record that the crawler
// and the importers write, the indexer indexes and the daemon returns.
//
// Field names and JSON tags follow HSDS 3.0 where HSDS has the concept
// (service, organization, location, address, phone, schedule, service_area,
// language codes, status, assured_date). The peer-support fields that HSDS
// lacks (categories, support types, populations, conditions, attendance,
// meeting details and provenance) hold term ids of the taxonomy in
// data/taxonomy.
type Service struct {
	// ID is the stable identifier of the record, unique across sources,
	// e.g. "mg-aasanjose-crazy-corona-mens-meeting". Only letters, digits,
	// '-', '_', '.' and ':' are allowed, so it can appear in a URL path.
	ID string `json:"id"`
	// Name is the service's or group's name as its publisher gives it.
	Name string `json:"name"`
	// AlternateName is another name the service is known by.
	AlternateName string `json:"alternate_name,omitempty"`
	// Description is the publisher's description (plain text).
	Description string `json:"description,omitempty"`
	// URL is the service's own web page.
	URL string `json:"url,omitempty"`
	// Email is a public contact address for the service (never a person's).
	Email string `json:"email,omitempty"`
	// Status is one of the HSDS statuses: active, inactive, defunct,
	// temporarily closed.
	Status string `json:"status"`
	// FeesDescription is the publisher's text about cost.
	FeesDescription string `json:"fees_description,omitempty"`
	// AssuredDate is the date (YYYY-MM-DD) the information was last
	// confirmed by its publisher (HSDS assured_date).
	AssuredDate string `json:"assured_date,omitempty"`
	// Organization runs the service.
	Organization Organization `json:"organization"`
	// Locations are the places the service is delivered at. Remote services
	// (online groups, warmlines) may have none.
	Locations []Location `json:"locations,omitempty"`
	// Phones are the service's public phone numbers.
	Phones []Phone `json:"phones,omitempty"`
	// Schedules say when the service is available or the group meets.
	Schedules []Schedule `json:"schedules,omitempty"`
	// Languages are the languages the service is offered in, as ISO 639-1
	// codes (ISO 639-3 where no two-letter code exists), e.g. "en", "es",
	// "ase" for American Sign Language.
	Languages []string `json:"languages,omitempty"`
	// ServiceAreas are the areas the service serves, beyond its locations.
	ServiceAreas []ServiceArea `json:"service_areas,omitempty"`

	// Categories are peer-support category term ids (facet "category"),
	// e.g. "self-help-group", "warmline".
	Categories []string `json:"categories,omitempty"`
	// SupportTypes are support type term ids (facet "support"): emotional,
	// informational, instrumental, affiliational.
	SupportTypes []string `json:"support_types,omitempty"`
	// Populations are population and culture term ids (facet "population"),
	// e.g. "lgbtq", "women", "veterans".
	Populations []string `json:"populations,omitempty"`
	// Conditions are condition term ids (facet "condition"), e.g.
	// "substance-use", "mental-health", "gambling".
	Conditions []string `json:"conditions,omitempty"`
	// Attendance are attendance mode term ids (facet "attendance"):
	// in-person, online, phone, hybrid.
	Attendance []string `json:"attendance,omitempty"`
	// Cost is a cost term id (facet "cost"), e.g. "free", "donation".
	Cost string `json:"cost,omitempty"`
	// Meeting holds what is particular to a recurring group meeting.
	Meeting *Meeting `json:"meeting,omitempty"`
	// Provenance says where the record came from.
	Provenance Provenance `json:"provenance"`
	// SourceTerms are the source's own taxonomy terms for the service
	// (e.g. Open Eligibility or AIRS codes and names, "code name"), kept
	// alongside peerfind's terms by the HSDS importers.
	SourceTerms []string `json:"source_terms,omitempty"`
	// OtherSources are the provenance of the same group as other sources
	// publish it, when the crawler merged duplicates into this record.
	OtherSources []Provenance `json:"other_sources,omitempty"`
}

// Organization is the organization that provides a service (HSDS organization).
type Organization struct {
	// ID identifies the organization within peerfind.
	ID string `json:"id,omitempty"`
	// Name is the organization's name.
	Name string `json:"name"`
	// Description describes the organization.
	Description string `json:"description,omitempty"`
	// URL is the organization's web site.
	URL string `json:"url,omitempty"`
	// Email is the organization's public contact address.
	Email string `json:"email,omitempty"`
}

// Location is a place a service is delivered at (HSDS location with its
// physical address).
type Location struct {
	// ID identifies the location within its service.
	ID string `json:"id,omitempty"`
	// Name is the place's name, e.g. "St. Mark's Church, Room 4".
	Name string `json:"name,omitempty"`
	// Description is extra text about the place (HSDS description), such as
	// directions or "use the side entrance".
	Description string `json:"description,omitempty"`
	// Address is the physical address.
	Address Address `json:"address"`
	// Latitude in decimal degrees (WGS 84), or nil when unknown.
	Latitude *float64 `json:"latitude,omitempty"`
	// Longitude in decimal degrees (WGS 84), or nil when unknown.
	Longitude *float64 `json:"longitude,omitempty"`
	// Approximate is true when the coordinates stand for a city or region
	// rather than the exact place.
	Approximate bool `json:"approximate,omitempty"`
	// GeocodedFrom says where the coordinates came from when the source
	// gave none, e.g. "gazetteer: ZIP 95112 (San Jose, CA)".
	GeocodedFrom string `json:"geocoded_from,omitempty"`
}

// Point returns the location's coordinates as an orb.Point ([lon, lat]) and
// whether it has any.
func (l Location) Point() (orb.Point, bool) {
	if l.Latitude == nil || l.Longitude == nil {
		return orb.Point{}, false
	}
	return orb.Point{*l.Longitude, *l.Latitude}, true
}

// SetPoint sets the location's coordinates from an orb.Point ([lon, lat]).
func (l *Location) SetPoint(p orb.Point) {
	lon, lat := p.Lon(), p.Lat()
	l.Longitude, l.Latitude = &lon, &lat
}

// Address is a postal address (HSDS address).
type Address struct {
	// Address1 is the street address.
	Address1 string `json:"address_1,omitempty"`
	// Address2 is the second address line.
	Address2 string `json:"address_2,omitempty"`
	// City is the city or locality.
	City string `json:"city,omitempty"`
	// Region is a region or neighbourhood within the city, as feeds give it.
	Region string `json:"region,omitempty"`
	// StateProvince is the two-letter state code in the US.
	StateProvince string `json:"state_province,omitempty"`
	// PostalCode is the ZIP or postal code.
	PostalCode string `json:"postal_code,omitempty"`
	// Country is the ISO 3166-1 alpha-2 country code, e.g. "US".
	Country string `json:"country,omitempty"`
}

// String formats the address on one line, leaving out empty parts.
func (a Address) String() string {
	var parts []string
	for _, s := range []string{a.Address1, a.Address2, a.City} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	tail := strings.TrimSpace(strings.TrimSpace(a.StateProvince) + " " + strings.TrimSpace(a.PostalCode))
	if tail != "" {
		parts = append(parts, tail)
	}
	return strings.Join(parts, ", ")
}

// Phone is a public phone number (HSDS phone).
type Phone struct {
	// Number is the number as published, e.g. "(650) 555-0100".
	Number string `json:"number"`
	// Extension is the extension, if any.
	Extension string `json:"extension,omitempty"`
	// Type is one of text, voice, fax, cell, video, pager, textphone.
	Type string `json:"type,omitempty"`
	// Description says what the number is for or when it is answered.
	Description string `json:"description,omitempty"`
}

// Schedule is when a service is open or a group meets, in the RFC 5545
// vocabulary that HSDS 3.0 schedules use.
type Schedule struct {
	// Freq is "WEEKLY" or "MONTHLY" (empty for free text only).
	Freq string `json:"freq,omitempty"`
	// Interval is the interval of Freq (1 = every week).
	Interval int `json:"interval,omitempty"`
	// ByDay lists days as RFC 5545 BYDAY values: "MO", "TU", ... and, for
	// monthly rules, with an ordinal such as "2TU" (second Tuesday) or "-1FR".
	ByDay []string `json:"byday,omitempty"`
	// OpensAt is the local start time "HH:MM" (24-hour).
	OpensAt string `json:"opens_at,omitempty"`
	// ClosesAt is the local end time "HH:MM" (24-hour).
	ClosesAt string `json:"closes_at,omitempty"`
	// Timezone is the IANA time zone of OpensAt and ClosesAt.
	Timezone string `json:"timezone,omitempty"`
	// Description is the schedule as free text, when that is all the
	// publisher gives ("Monday-Friday, 8-5").
	Description string `json:"description,omitempty"`
}

// ServiceArea is an area a service serves (HSDS service_area).
type ServiceArea struct {
	// Name names the area, e.g. "San Mateo County".
	Name string `json:"name"`
	// Description is extra text about the area.
	Description string `json:"description,omitempty"`
	// Extent is the area as a GeoJSON geometry (polygon or multipolygon), or
	// nil when only the name is known.
	Extent *geojson.Geometry `json:"extent,omitempty"`
	// URI identifies the area in a gazetteer, e.g. a Census FIPS code URI.
	URI string `json:"uri,omitempty"`
	// Kind gives the area by reference, resolved against the boundaries
	// shipped in data/boundaries: AreaNationwide, AreaState, AreaCounty or
	// AreaZIP, with the area's Codes. Empty when the area is an Extent, or
	// only a Name that the indexer resolves if it can ("Texas", "Travis
	// County, TX", "statewide").
	Kind string `json:"kind,omitempty"`
	// Codes are the areas of Kind: state USPS or FIPS codes ("TX", "48"),
	// 5-digit county FIPS codes ("48453") or 5-digit ZIP codes. Empty for
	// AreaNationwide.
	Codes []string `json:"codes,omitempty"`
}

// Service area kinds, as ServiceArea.Kind.
const (
	AreaNationwide = "nationwide"
	AreaState      = "state"
	AreaCounty     = "county"
	AreaZIP        = "zip"
)

// Meeting holds what is particular to a recurring group meeting, as the
// Meeting Guide format publishes it.
type Meeting struct {
	// OpenClosed is "open" (anyone may attend) or "closed" (only people
	// who share the problem), or empty when unknown.
	OpenClosed string `json:"open_closed,omitempty"`
	// Group is the name of the group that holds the meeting.
	Group string `json:"group,omitempty"`
	// Types are the raw Meeting Guide type codes, e.g. "O", "W", "ONL".
	Types []string `json:"types,omitempty"`
	// ConferenceURL is the link to join online (Zoom, Meet...).
	ConferenceURL string `json:"conference_url,omitempty"`
	// ConferenceURLNotes are notes for joining online (meeting id...).
	ConferenceURLNotes string `json:"conference_url_notes,omitempty"`
	// ConferencePhone is the number to dial in.
	ConferencePhone string `json:"conference_phone,omitempty"`
	// ConferencePhoneNotes are notes for dialling in.
	ConferencePhoneNotes string `json:"conference_phone_notes,omitempty"`
	// LocationNotes are notes about the place ("side door").
	LocationNotes string `json:"location_notes,omitempty"`
}

// Provenance says where a record came from and under what terms.
type Provenance struct {
	// SourceURL is where the record was read: a feed URL, a page URL, or a
	// file path for shipped data.
	SourceURL string `json:"source_url"`
	// SourceKind is the format read: meeting-guide, ohana, hsds, json-ld,
	// microdata, html, manual.
	SourceKind string `json:"source_kind"`
	// SourceName names the publisher, e.g. "AA Santa Clara County".
	SourceName string `json:"source_name,omitempty"`
	// SourceID is the record's identifier in the source (slug, id).
	SourceID string `json:"source_id,omitempty"`
	// Retrieved is the date (YYYY-MM-DD) the source was read.
	Retrieved string `json:"retrieved"`
	// License is the license or terms of the source, e.g. "BSD-3-Clause".
	License string `json:"license,omitempty"`
	// Attribution is the credit line the license requires.
	Attribution string `json:"attribution,omitempty"`
}

// Statuses are the HSDS 3.0 service statuses.
var Statuses = []string{"active", "inactive", "defunct", "temporarily closed"}

// SourceKinds are the known provenance source kinds.
var SourceKinds = []string{"meeting-guide", "ohana", "hsds", "json-ld", "microdata", "html", "manual"}

// The shapes of the model's codes are checked by hand rather than with
// regular expressions: every record is validated when it is read and
// again when it is indexed, and the expressions were a third of the time
// (with the lists below, 1.5 → 0.36 µs a record in BenchmarkValidate).
// TestShapesMatchPatterns holds each to the expression in its comment.

// validID: ^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$
func validID(id string) bool {
	if len(id) == 0 || len(id) > 200 || !isAlnum(id[0]) {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; !isAlnum(c) && c != '.' && c != '_' && c != ':' && c != '-' {
			return false
		}
	}
	return true
}

// isHHMM: ^([01]\d|2[0-3]):[0-5]\d$
func isHHMM(s string) bool {
	if len(s) != 5 || s[2] != ':' || !isDigit(s[1]) || s[3] < '0' || s[3] > '5' || !isDigit(s[4]) {
		return false
	}
	return s[0] == '0' || s[0] == '1' || (s[0] == '2' && s[1] <= '3')
}

// isByDay: ^(-?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$
func isByDay(s string) bool {
	if len(s) < 2 {
		return false
	}
	day, ord := s[len(s)-2:], s[:len(s)-2]
	switch day {
	case "MO", "TU", "WE", "TH", "FR", "SA", "SU":
	default:
		return false
	}
	ord = strings.TrimPrefix(ord, "-")
	return len(ord) == 0 && len(s) == 2 || len(ord) == 1 && ord[0] >= '1' && ord[0] <= '5'
}

// isLangCode: ^[a-z]{2,3}$
func isLangCode(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// isDateShape: ^\d{4}-\d{2}-\d{2}$
func isDateShape(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i != 4 && i != 7 && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Limits on field sizes, so one bad record cannot bloat the index.
const (
	MaxNameLen        = 300
	MaxDescriptionLen = 20000
	MaxListLen        = 200
)

// ValidID reports whether id has the shape of a record id: 1-200 letters,
// digits or . _ : -, starting with a letter or digit.
func ValidID(id string) bool { return validID(id) }

// Validate checks the record against the model's rules and, when a
// taxonomy is given, that every term id exists in its facet. The error
// (a *ValidationError, matching ErrInvalid) names every field at fault.
func (s *Service) Validate(tax *Taxonomy) error {
	var v ValidationError
	if !validID(s.ID) {
		v.add("id", "must be 1-200 letters, digits or . _ : - (got %q)", clip(s.ID))
	}
	if strings.TrimSpace(s.Name) == "" {
		v.add("name", "is required")
	} else if len(s.Name) > MaxNameLen {
		v.add("name", "is longer than %d bytes", MaxNameLen)
	}
	if len(s.Description) > MaxDescriptionLen {
		v.add("description", "is longer than %d bytes", MaxDescriptionLen)
	}
	if s.URL != "" && !isHTTPURL(s.URL) {
		v.add("url", "must be an http or https URL (got %q)", clip(s.URL))
	}
	if s.Organization.URL != "" && !isHTTPURL(s.Organization.URL) {
		v.add("organization.url", "must be an http or https URL (got %q)", clip(s.Organization.URL))
	}
	if !contains(Statuses, s.Status) {
		v.add("status", "must be one of %s (got %q)", strings.Join(Statuses, ", "), clip(s.Status))
	}
	if s.AssuredDate != "" && !isDate(s.AssuredDate) {
		v.add("assured_date", "must be a date YYYY-MM-DD (got %q)", clip(s.AssuredDate))
	}
	for i, l := range s.Locations {
		// The field's name is made only for a problem: most records
		// have none.
		f := func(part string) string { return fmt.Sprintf("locations[%d]%s", i, part) }
		if (l.Latitude == nil) != (l.Longitude == nil) {
			v.add(f(""), "needs both latitude and longitude or neither")
		}
		if l.Latitude != nil && (*l.Latitude < -90 || *l.Latitude > 90 || *l.Latitude != *l.Latitude) {
			v.add(f(".latitude"), "must be within -90..90 (got %v)", *l.Latitude)
		}
		if l.Longitude != nil && (*l.Longitude < -180 || *l.Longitude > 180 || *l.Longitude != *l.Longitude) {
			v.add(f(".longitude"), "must be within -180..180 (got %v)", *l.Longitude)
		}
		if l.Latitude != nil && l.Longitude != nil && *l.Latitude == 0 && *l.Longitude == 0 {
			v.add(f(""), "has coordinates 0,0, which is a placeholder, not a place")
		}
	}
	for i, p := range s.Phones {
		if strings.TrimSpace(p.Number) == "" {
			v.add(fmt.Sprintf("phones[%d].number", i), "is required")
		}
	}
	for i, sc := range s.Schedules {
		f := func(part string) string { return fmt.Sprintf("schedules[%d]%s", i, part) }
		if sc.Freq != "" && sc.Freq != "WEEKLY" && sc.Freq != "MONTHLY" {
			v.add(f(".freq"), "must be WEEKLY or MONTHLY (got %q)", clip(sc.Freq))
		}
		for _, d := range sc.ByDay {
			if !isByDay(d) {
				v.add(f(".byday"), "has %q, want MO..SU with an optional ordinal such as 2TU", clip(d))
			}
		}
		if sc.OpensAt != "" && !isHHMM(sc.OpensAt) {
			v.add(f(".opens_at"), "must be HH:MM (got %q)", clip(sc.OpensAt))
		}
		if sc.ClosesAt != "" && !isHHMM(sc.ClosesAt) {
			v.add(f(".closes_at"), "must be HH:MM (got %q)", clip(sc.ClosesAt))
		}
		if sc.Timezone != "" {
			if _, err := LoadLocation(sc.Timezone); err != nil {
				v.add(f(".timezone"), "is not an IANA time zone (got %q)", clip(sc.Timezone))
			}
		}
		if sc.Freq == "" && sc.Description == "" {
			v.add(f(""), "needs a freq rule or a description")
		}
	}
	for i, a := range s.ServiceAreas {
		if strings.TrimSpace(a.Name) == "" && a.Extent == nil && a.Kind == "" {
			v.add(fmt.Sprintf("service_areas[%d]", i), "needs a name, a kind or an extent")
		}
		v.areaCodes(fmt.Sprintf("service_areas[%d]", i), a)
		if a.Extent != nil {
			switch a.Extent.Geometry().(type) {
			case orb.Polygon, orb.MultiPolygon:
			default:
				v.add(fmt.Sprintf("service_areas[%d].extent", i), "must be a GeoJSON Polygon or MultiPolygon")
			}
		}
	}
	for _, l := range s.Languages {
		if !isLangCode(l) {
			v.add("languages", "has %q, want a lower-case ISO 639 code such as en or es", clip(l))
		}
	}
	// An array, not a slice grown by append: that was the most of
	// Validate's time, on the heap.
	cost := [1]string{s.Cost}
	lists := [...]struct {
		facet, field string
		ids          []string
	}{
		{FacetCategory, "categories", s.Categories},
		{FacetSupport, "support_types", s.SupportTypes},
		{FacetPopulation, "populations", s.Populations},
		{FacetCondition, "conditions", s.Conditions},
		{FacetAttendance, "attendance", s.Attendance},
		{FacetLanguage, "languages", s.Languages},
		{FacetCost, "cost", cost[:]},
	}
	n := len(lists)
	if s.Cost == "" {
		n--
	}
	for _, l := range lists[:n] {
		if len(l.ids) > MaxListLen {
			v.add(l.field, "has more than %d entries", MaxListLen)
			continue
		}
		if tax == nil {
			continue
		}
		for _, id := range l.ids {
			if tax.Term(l.facet, id) == nil {
				v.add(l.field, "has %q, which is not a term of the %s taxonomy", clip(id), l.facet)
			}
		}
	}
	if len(s.Categories) == 0 {
		v.add("categories", "needs at least one peer-support category")
	}
	if s.Meeting != nil {
		if oc := s.Meeting.OpenClosed; oc != "" && oc != "open" && oc != "closed" {
			v.add("meeting.open_closed", "must be open or closed (got %q)", clip(oc))
		}
		if u := s.Meeting.ConferenceURL; u != "" && !isHTTPURL(u) {
			v.add("meeting.conference_url", "must be an http or https URL (got %q)", clip(u))
		}
	}
	p := s.Provenance
	if p.SourceURL == "" {
		v.add("provenance.source_url", "is required")
	}
	if !contains(SourceKinds, p.SourceKind) {
		v.add("provenance.source_kind", "must be one of %s (got %q)", strings.Join(SourceKinds, ", "), clip(p.SourceKind))
	}
	if !isDate(p.Retrieved) {
		v.add("provenance.retrieved", "must be a date YYYY-MM-DD (got %q)", clip(p.Retrieved))
	}
	if len(v.Problems) == 0 {
		return nil
	}
	return &v
}

// Points returns the coordinates of every location that has them.
func (s *Service) Points() []orb.Point {
	var pts []orb.Point
	for _, l := range s.Locations {
		if p, ok := l.Point(); ok {
			pts = append(pts, p)
		}
	}
	return pts
}

// Remote reports whether the service can be attended without going to a
// place (online or by phone).
func (s *Service) Remote() bool {
	return contains(s.Attendance, "online") || contains(s.Attendance, "phone") || contains(s.Attendance, "hybrid")
}

var (
	stateCode  = regexp.MustCompile(`^([A-Z]{2}|[0-9]{2})$`)
	countyFIPS = regexp.MustCompile(`^[0-9]{5}$`)
)

// maxAreaCodes bounds the codes of one service area (a ZIP list).
const maxAreaCodes = 2000

func (v *ValidationError) areaCodes(f string, a ServiceArea) {
	var re *regexp.Regexp
	switch a.Kind {
	case "":
		if len(a.Codes) > 0 {
			v.add(f+".codes", "needs a kind")
		}
		return
	case AreaNationwide:
		if len(a.Codes) > 0 {
			v.add(f+".codes", "must be empty for a nationwide area")
		}
		return
	case AreaState:
		re = stateCode
	case AreaCounty, AreaZIP:
		re = countyFIPS
	default:
		v.add(f+".kind", "must be nationwide, state, county or zip (got %q)", clip(a.Kind))
		return
	}
	if len(a.Codes) == 0 {
		v.add(f+".codes", "needs at least one %s code", a.Kind)
	}
	if len(a.Codes) > maxAreaCodes {
		v.add(f+".codes", "has %d codes, more than %d", len(a.Codes), maxAreaCodes)
		return
	}
	for _, c := range a.Codes {
		if !re.MatchString(c) {
			v.add(f+".codes", "has %q, not a %s code", clip(c), a.Kind)
			break
		}
	}
}

// How a service is attended, as Service.Mode.
const (
	ModeInPerson = "in_person"
	ModeOnline   = "online"
	ModePhone    = "phone"
)

// Mode says how the service is attended: ModeInPerson when its
// attendance says in person or hybrid, or says nothing and it has a
// location; otherwise ModeOnline or ModePhone (online when both). A
// service with no location and no attendance given counts as by phone
// when it has a phone number and no web site, else online.
func (s *Service) Mode() string {
	inPerson := contains(s.Attendance, "in-person") || contains(s.Attendance, "hybrid")
	online, phone := contains(s.Attendance, "online"), contains(s.Attendance, "phone")
	switch {
	case inPerson, !online && !phone && len(s.Locations) > 0:
		return ModeInPerson
	case online:
		return ModeOnline
	case phone, len(s.Phones) > 0 && s.URL == "":
		return ModePhone
	}
	return ModeOnline
}

// Timezone is the IANA time zone of the service's schedules: the first
// one a schedule gives, or "".
func (s *Service) Timezone() string {
	for _, sc := range s.Schedules {
		if sc.Timezone != "" {
			return sc.Timezone
		}
	}
	return ""
}

// ValidationError lists what is wrong with a record, field by field.
type ValidationError struct {
	// Problems are the faults found, each naming its field.
	Problems []FieldProblem `json:"problems"`
}

// FieldProblem is one fault in one field of a record.
type FieldProblem struct {
	// Field is the JSON path of the field, e.g. "locations[0].latitude".
	Field string `json:"field"`
	// Message says what is wrong and what is expected.
	Message string `json:"message"`
}

func (v *ValidationError) add(field, format string, args ...any) {
	v.Problems = append(v.Problems, FieldProblem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Error joins the problems as "field: message; field: message".
func (v *ValidationError) Error() string {
	parts := make([]string, len(v.Problems))
	for i, p := range v.Problems {
		parts[i] = p.Field + " " + p.Message
	}
	return "invalid record: " + strings.Join(parts, "; ")
}

// Is makes a ValidationError match ErrInvalid.
func (v *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Fields returns the names of the fields at fault, in order.
func (v *ValidationError) Fields() []string {
	out := make([]string, len(v.Problems))
	for i, p := range v.Problems {
		out[i] = p.Field
	}
	return out
}

// MarshalJSONLine encodes the record as one line of JSON, the format of
// the record files that the importers and the crawler write and the
// indexer reads.
func (s *Service) MarshalJSONLine() ([]byte, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode record %q: %w", s.ID, err)
	}
	return append(b, '\n'), nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func isDate(s string) bool {
	if !isDateShape(s) {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
