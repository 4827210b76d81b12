// Package meetingguide reads Meeting Guide JSON feeds (the TSML /
// code4recovery spec, https://github.com/code4recovery/spec) into peerfind
// records.
//
// The reader is tolerant: it accepts the shapes real feeds use for the
// same field (day as a number, a string, a name or a list; time as "19:30"
// or "7:30 PM"; coordinates as numbers, strings or null; a formatted
// address, a free-text address or separate address fields; region or
// regions; many date formats) and records in the Report every entry it
// skips and every repair it makes.
//
// A feed lists one entry per meeting time. Entries of the same recurring
// meeting (same name, place, online link and the same kind of meeting:
// open or closed, population, language, attendance, status) become one
// record with one weekly rule per start time, end time and zone, listing
// its days, so that a search shows a group once and not once per day.
// Entries of one group that differ in kind (a women's Saturday meeting of
// a mixed group) stay separate records.
//
// Decisions worth knowing:
//   - Every meeting is a self-help group; online and hybrid meetings are
//     also internet support groups. The fellowship's terms (an AA feed's
//     "alcohol", an Al-Anon feed's family group) come from the Source.
//   - Populations, conditions and formats come from the type codes and,
//     for categories, conditions and populations, from the meeting's and
//     group's names (not from the free-text notes, which speak of other
//     things: "friends and family welcome on birthdays"); see nameTerm for
//     what names are not trusted for.
//   - Languages come from the type codes. A meeting without a language code
//     takes the language its name says it is held in ("Farsi Speaking",
//     with a warning), else the Source's Language when it takes place where
//     that language is spoken (online meetings and meetings in the feed's
//     country); when its name merely names a language ("Punjabi Big Book
//     Study", "French Creek") its language is left unknown with a warning.
//   - Attendance: in-person when the meeting has a street address and is
//     not online-only (or has only a vague address and no other way to
//     attend); online with a conference URL or the ONL code; hybrid (with
//     in-person and online too, so either filter finds it) when both;
//     phone whenever there is a dial-in number. attendance_option, when
//     the feed has it, overrides. TC (location temporarily closed) drops
//     in-person; a TC meeting with no online or phone option, or
//     attendance_option "inactive", is "temporarily closed"; a name or
//     group that says "cancelled" makes it "inactive".
//   - Online-only meetings keep the feed's approximate place (usually the
//     intergroup's city) as a location marked Approximate.
//   - Times are local to the meeting: the entry's timezone, else the
//     Source's Timezone; for a MultiRegion source, in-person meetings take
//     the zone of their state, province or country.
//   - AssuredDate is the latest of the entries' updated and last_contact
//     dates. Cost is always "donation" (the 7th tradition).
//   - Entries with the placeholder Zoom link zoom.us/j/1234567890 are test
//     entries and are skipped.
package meetingguide

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // records carry IANA zones, which Validate loads

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest/internal/flex"
	"github.com/peerfind/peerfind/indexer/ingest/internal/textutil"
)

// MaxInputSize is the largest feed Read accepts, in bytes.
const MaxInputSize = 64 << 20

// SourceKind is the provenance source kind of the records Read makes.
const SourceKind = "meeting-guide"

// Source describes a feed: who publishes it, under what terms, and the
// defaults for its meetings.
type Source struct {
	// Feed is a short name for the feed, used in record ids
	// ("mg-<Feed>-<slug>"), e.g. "aasanjose". Required.
	Feed string
	// Name names the publisher, e.g. "AA Santa Clara County (San Jose)".
	// It becomes the records' organization and provenance source name.
	Name string
	// URL is where the feed was read. Required.
	URL string
	// Website is the publisher's home page, if known.
	Website string
	// License is the license or terms of the feed.
	License string
	// Attribution is the credit line the terms require.
	Attribution string
	// Retrieved is the date (YYYY-MM-DD) the feed was read. Required.
	Retrieved string
	// Country is the ISO 3166-1 alpha-2 code of addresses that name no
	// country, e.g. "US".
	Country string
	// Timezone is the IANA zone of the feed's meeting times, unless an
	// entry gives its own.
	Timezone string
	// MultiRegion is true for feeds that list in-person meetings in
	// several time zones with local times (a fellowship's world list):
	// Timezone then applies only to online and hybrid meetings.
	MultiRegion bool
	// Language is the ISO 639 code of meetings without a language type
	// code, e.g. "en"; empty to leave their language unknown.
	Language string
	// Categories, Conditions and Populations are term ids every meeting of
	// the feed gets, e.g. Conditions ["alcohol"] for an AA feed.
	Categories, Conditions, Populations []string
}

// Read reads a Meeting Guide feed (a JSON array of meetings, at most
// MaxInputSize bytes) and returns one record per recurring meeting, sorted
// by id, with a report of what it read, kept, skipped and repaired. Every
// record passes Validate(tax). It fails only when the input is not a
// readable JSON array or the source or context is unusable.
func Read(ctx context.Context, r io.Reader, src Source, tax *peerfind.Taxonomy) ([]*peerfind.Service, *peerfind.Report, error) {
	if err := src.check(tax); err != nil {
		return nil, nil, err
	}
	rep := &peerfind.Report{Source: src.URL}
	lr := &io.LimitedReader{R: r, N: MaxInputSize + 1}
	dec := json.NewDecoder(lr)
	tooBig := func(err error) error {
		if lr.N <= 0 {
			return fmt.Errorf("meeting guide feed %s: larger than %d bytes", src.Feed, MaxInputSize)
		}
		return err
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, rep, tooBig(fmt.Errorf("meeting guide feed %s: %w", src.Feed, err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, rep, fmt.Errorf("meeting guide feed %s: want a JSON array of meetings, got %v", src.Feed, tok)
	}
	rd := reader{src: src, tax: tax, rep: rep}
	for i := 0; dec.More(); i++ {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, rep, err
			}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, rep, tooBig(fmt.Errorf("meeting guide feed %s: entry %d: %w", src.Feed, i+1, err))
		}
		rep.Read++
		var e entry
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
			rep.Skip(fmt.Sprintf("#%d", i+1), "not a meeting object: %s", textutil.Truncate(string(t), 40))
			continue
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			rep.Skip(fmt.Sprintf("#%d", i+1), "unreadable meeting: %v", shortErr(err))
			continue
		}
		if m := rd.meeting(&e, i); m != nil {
			rd.meetings = append(rd.meetings, m)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, rep, tooBig(fmt.Errorf("meeting guide feed %s: %w", src.Feed, err))
	}
	recs := rd.services()
	rep.Kept = len(recs)
	return recs, rep, nil
}

func (src Source) check(tax *peerfind.Taxonomy) error {
	switch {
	case tax == nil:
		return errors.New("meeting guide: no taxonomy")
	case textutil.ID("", src.Feed) != src.Feed || src.Feed == "":
		return fmt.Errorf("meeting guide: source feed name %q must be letters, digits, '-', '_' or '.'", src.Feed)
	case src.URL == "":
		return fmt.Errorf("meeting guide feed %s: source URL is required", src.Feed)
	case src.Website != "" && !isHTTP(src.Website):
		return fmt.Errorf("meeting guide feed %s: source website %q is not an http(s) URL", src.Feed, src.Website)
	}
	if _, err := time.Parse("2006-01-02", src.Retrieved); err != nil {
		return fmt.Errorf("meeting guide feed %s: source retrieved date %q is not YYYY-MM-DD", src.Feed, src.Retrieved)
	}
	if src.Timezone != "" {
		if _, err := peerfind.LoadLocation(src.Timezone); err != nil {
			return fmt.Errorf("meeting guide feed %s: source time zone: %w", src.Feed, err)
		}
	}
	for _, l := range []struct {
		facet string
		ids   []string
	}{{peerfind.FacetCategory, src.Categories}, {peerfind.FacetCondition, src.Conditions},
		{peerfind.FacetPopulation, src.Populations}, {peerfind.FacetLanguage, []string{src.Language}}} {
		for _, id := range l.ids {
			if id != "" && tax.Term(l.facet, id) == nil {
				return fmt.Errorf("meeting guide feed %s: source %s %q is not in the taxonomy", src.Feed, l.facet, id)
			}
		}
	}
	return nil
}

// reader holds the state of one Read.
type reader struct {
	src      Source
	tax      *peerfind.Taxonomy
	rep      *peerfind.Report
	meetings []*meeting
}

// meeting is one feed entry, cleaned and checked.
type meeting struct {
	index      int
	item       string // slug, id or "#n", for reports
	slug       string
	name       string
	group      string
	groupNotes string
	notes      string
	days       []int
	opens      string
	closes     string
	tz         string
	types      []string // valid codes, repaired, sorted, unique

	rawAddr     string // the address as the feed writes it
	addr        peerfind.Address
	addrRepairs []string
	street      bool
	locName     string
	locNotes    string
	lat, lon    *float64
	coordIssue  string
	approximate bool

	confURL, confURLNotes, confPhone, confPhoneNotes string

	online, inPerson, phone bool
	status                  string
	assured                 string // YYYY-MM-DD
	url                     string
}

var (
	virtualPlace = regexp.MustCompile(`(?i)\b(virtual|online|zoom|remote|internet|web)\b`)
	virtualOnly  = regexp.MustCompile(`(?i)\b(virtual|online|zoom|remote)[ -]+only\b|^\s*(online|virtual|zoom)( meeting)?\s*$|not meeting in person`)
	cancelledRe  = regexp.MustCompile(`(?i)\b(cancell?ed)\b`)
	// placeholderLink is the Zoom id that sites use in test entries.
	placeholderLink = regexp.MustCompile(`/j/0*1234567890\b`)
	// spokenIn finds the language a meeting's name says it is held in:
	// "Farsi Speaking", "Russian-Speaking", "(Vietnamese AA Meeting)",
	// "en español".
	spokenIn = regexp.MustCompile(`(?i)\b(\p{L}+)[- ]speaking\b|\((\p{L}+) (?:aa |na |al-anon )?meeting\)|\b(?:en|in) (\p{L}+)\)?$`)
)

// meeting cleans one entry; it returns nil after reporting an entry that
// cannot be used.
func (rd *reader) meeting(e *entry, i int) *meeting {
	m := &meeting{index: i, slug: textutil.Clean(string(e.Slug))}
	m.item = m.slug
	if m.item == "" {
		m.item = textutil.Clean(string(e.ID))
	}
	if m.item == "" {
		m.item = fmt.Sprintf("#%d", i+1)
	}
	m.name = textutil.Truncate(textutil.Clean(string(e.Name)), peerfind.MaxNameLen)
	if m.name == "" {
		rd.rep.Skip(m.item, "no name")
		return nil
	}
	if len(e.Day.Bad) > 0 {
		rd.rep.Skip(m.item, "unreadable day %s", quoteList(e.Day.Bad))
		return nil
	}
	if u := textutil.Clean(string(e.ConferenceURL)); placeholderLink.MatchString(u) {
		rd.rep.Skip(m.item, "test entry: placeholder conference link %q", u)
		return nil
	}
	m.days = uniqueInts(e.Day.Days)
	if !e.Day.Present {
		rd.rep.Warn(m.item, "no day (by appointment?); kept without a schedule")
	}
	if t := textutil.Clean(string(e.Time)); t != "" {
		if hm, ok := parseTime(t); ok {
			m.opens = hm
		} else {
			rd.rep.Warn(m.item, "unreadable time %q; kept without a start time", t)
		}
	} else if e.Day.Present {
		rd.rep.Warn(m.item, "no time; kept without a start time")
	}
	if t := textutil.Clean(string(e.EndTime)); t != "" && m.opens != "" {
		if hm, ok := parseTime(t); ok {
			m.closes = hm
		} else {
			rd.rep.Warn(m.item, "unreadable end_time %q; dropped", t)
		}
	}
	m.group = textutil.Clean(string(e.Group))
	m.groupNotes = textutil.CleanLines(string(e.GroupNotes))
	m.notes = textutil.CleanLines(string(e.Notes))
	m.locName = textutil.Clean(string(e.Location))
	m.locNotes = textutil.CleanLines(string(e.LocationNotes))
	m.types = rd.types(m.item, e.Types)
	m.confURLNotes = textutil.CleanLines(string(e.ConferenceURLNotes))
	m.confPhone = textutil.Clean(string(e.ConferencePhone))
	m.confPhoneNotes = textutil.CleanLines(string(e.ConferencePhoneNotes))
	if u := textutil.Clean(string(e.ConferenceURL)); u != "" {
		if fixed, ok := repairURL(u); ok {
			if fixed != u {
				rd.rep.Warn(m.item, "conference_url %q read as %q", u, fixed)
			}
			m.confURL = fixed
		} else {
			rd.rep.Warn(m.item, "conference_url %q is not a web address; dropped", textutil.Truncate(u, 80))
		}
	}
	for _, u := range []flex.String{e.URL, e.Website} {
		if fixed, ok := repairURL(textutil.Clean(string(u))); ok {
			m.url = fixed
			break
		}
	}
	rd.place(m, e)
	rd.attendance(m, e)
	m.tz = rd.zone(m, e)
	for _, d := range []flex.String{e.Updated, e.LastContact} {
		s := textutil.Clean(string(d))
		if s == "" {
			continue
		}
		if day, ok := parseDate(s); ok {
			if !strings.HasPrefix(s, day[:4]) && strings.HasPrefix(s, "00") {
				rd.rep.Warn(m.item, "date %q read as %s", s, day)
			}
			if day > m.assured {
				m.assured = day
			}
		} else {
			rd.rep.Warn(m.item, "unreadable date %q", s)
		}
	}
	return m
}

// types cleans the type codes, repairs known misspellings and reports
// unknown codes. Unknown codes are kept in the record's raw types.
func (rd *reader) types(item string, raw flex.Strings) []string {
	var out []string
	for _, c := range raw {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if TypeNames[c] == "" && rd.tax.MeetingGuideType(c) == nil {
			if fixed, ok := typeAliases[strings.ToUpper(c)]; ok {
				rd.rep.Warn(item, "type code %q read as %q", c, fixed)
				c = fixed
			} else if up := strings.ToUpper(c); TypeNames[up] != "" {
				rd.rep.Warn(item, "type code %q read as %q", c, up)
				c = up
			} else {
				rd.rep.Warn(item, "unknown type code %q", c)
			}
		}
		out = textutil.Unique(out, c)
	}
	sort.Strings(out)
	return out
}

// place reads the address and coordinates.
func (rd *reader) place(m *meeting, e *entry) {
	country := rd.src.Country
	if c := textutil.Clean(string(e.Country)); c != "" {
		if code, ok := normalizeCountry(c); ok {
			country = code
		} else {
			m.addrRepairs = append(m.addrRepairs, fmt.Sprintf("unknown country %q", c))
		}
	}
	street := textutil.Clean(string(e.Address))
	city, state, postal := textutil.Clean(string(e.City)), textutil.Clean(string(e.State)), textutil.Clean(string(e.PostalCode))
	var p parsedAddress
	m.rawAddr = textutil.Clean(firstNonEmpty(string(e.FormattedAddress), string(e.Address)))
	switch fa := textutil.Clean(string(e.FormattedAddress)); {
	case city != "" || state != "" || postal != "":
		// Separate fields (aasfmarin).
		p.addr = peerfind.Address{Address1: street, City: city, PostalCode: postal, Country: country}
		p.street = street != ""
		if state != "" && !p.setState(state, country) {
			p.addr.StateProvince = state
			p.repairs = append(p.repairs, fmt.Sprintf("unknown state %q", state))
		}
	case fa != "":
		p = parseFormatted(fa, country)
	case street != "":
		// A free-text address in the address field (edmonton).
		p = parseFormatted(street, country)
	default:
		p.addr.Country = country
	}
	m.addr, m.street = p.addr, p.street
	m.addrRepairs = append(m.addrRepairs, p.repairs...)
	var regions []string
	for _, r := range append(append([]string{string(e.Region)}, e.Regions...), string(e.SubRegion)) {
		r = textutil.Clean(r)
		if r != "" && peerfind.Fold(r) != peerfind.Fold(m.addr.City) {
			regions = textutil.Unique(regions, r)
		}
	}
	m.addr.Region = strings.Join(regions, " / ")
	m.approximate = !m.street || peerfind.Fold(string(e.Approximate)) == "yes"

	lat, lon := e.Latitude, e.Longitude
	switch {
	case lat.OK && lon.OK:
		switch {
		case lat.Value < -90 || lat.Value > 90 || lon.Value < -180 || lon.Value > 180:
			m.coordIssue = fmt.Sprintf("coordinates %s,%s out of range; dropped", lat.Raw, lon.Raw)
		case lat.Value == 0 && lon.Value == 0:
			m.coordIssue = "coordinates 0,0 are a placeholder; dropped"
		default:
			m.lat, m.lon = &lat.Value, &lon.Value
		}
	case lat.Raw != "" || lon.Raw != "":
		m.coordIssue = fmt.Sprintf("unreadable coordinates %q,%q; dropped", lat.Raw, lon.Raw)
	}
}

// attendance works out how the meeting can be attended and its status.
func (rd *reader) attendance(m *meeting, e *entry) {
	has := func(c string) bool { return containsStr(m.types, c) }
	m.online = m.confURL != "" || has("ONL")
	m.phone = m.confPhone != ""
	hasPlace := m.addr.City != "" || m.addr.Address1 != "" || m.lat != nil
	onlyOnline := virtualOnly.MatchString(m.locName) || virtualOnly.MatchString(m.locNotes)
	m.inPerson = (m.street && !m.approximate && !(onlyOnline && (m.online || m.phone))) ||
		(!m.online && !m.phone && hasPlace && !onlyOnline)
	m.status = "active"
	switch opt := strings.ToLower(textutil.Clean(string(e.AttendanceOption))); opt {
	case "", "in_person", "online", "hybrid", "inactive":
		switch opt {
		case "in_person":
			m.inPerson = true
		case "online":
			m.online, m.inPerson = true, false
		case "hybrid":
			m.online, m.inPerson = true, true
		case "inactive":
			m.status = "temporarily closed"
		}
	default:
		rd.rep.Warn(m.item, "unknown attendance_option %q", opt)
	}
	if has("TC") {
		m.inPerson = false
		if !m.online && !m.phone {
			m.status = "temporarily closed"
			// Keep the usual way of attending, for when it reopens.
			m.inPerson = hasPlace
		}
	}
	if cancelledRe.MatchString(m.name) || cancelledRe.MatchString(m.group) {
		m.status = "inactive"
		rd.rep.Warn(m.item, "name or group says cancelled; status inactive")
	}
}

// zone returns the IANA zone of the meeting's times.
func (rd *reader) zone(m *meeting, e *entry) string {
	if tz := textutil.Clean(string(e.Timezone)); tz != "" {
		if _, err := peerfind.LoadLocation(tz); err == nil {
			return tz
		}
		rd.rep.Warn(m.item, "unknown timezone %q; using the feed's", tz)
	}
	if rd.src.MultiRegion && m.inPerson && !m.online {
		return placeZone(m.addr)
	}
	return rd.src.Timezone
}

// services groups the meetings into records.
func (rd *reader) services() []*peerfind.Service {
	groups := map[string][]*meeting{}
	for _, m := range rd.meetings {
		k := groupKey(m, rd.tax)
		groups[k] = append(groups[k], m)
	}
	list := make([][]*meeting, 0, len(groups))
	for _, g := range groups {
		sort.Slice(g, func(i, j int) bool {
			if g[i].slug != g[j].slug {
				return g[i].slug < g[j].slug
			}
			return g[i].index < g[j].index
		})
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i][0], list[j][0]
		if a.slug != b.slug {
			return a.slug < b.slug
		}
		return a.index < b.index
	})
	var out []*peerfind.Service
	used := map[string]bool{}
	for _, g := range list {
		s := rd.service(g)
		base := s.ID
		for n := 2; used[s.ID]; n++ {
			s.ID = textutil.ID("", fmt.Sprintf("%s-%d", truncID(base, 190), n))
		}
		used[s.ID] = true
		if err := s.Validate(rd.tax); err != nil {
			rd.rep.Skip(g[0].item, "%v", err)
			continue
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// groupKey is what entries of one recurring meeting share: name, place,
// online link and the kind of meeting (open or closed, who it is for, its
// language, how to attend, its status and time zone).
func groupKey(m *meeting, tax *peerfind.Taxonomy) string {
	var sig []string
	for _, c := range m.types {
		keep := c == "O" || c == "C" || c == "TC"
		for _, r := range tax.MeetingGuideType(c) {
			if r.Facet == peerfind.FacetPopulation || r.Facet == peerfind.FacetLanguage {
				keep = true
			}
		}
		if keep {
			sig = append(sig, c)
		}
	}
	a := m.addr
	return strings.Join([]string{
		peerfind.Fold(m.name), peerfind.Fold(m.locName),
		peerfind.Fold(strings.Join([]string{a.Address1, a.City, a.StateProvince, a.PostalCode, a.Country}, "|")),
		m.confURL, strings.Join(sig, ","),
		strconv.FormatBool(m.online), strconv.FormatBool(m.inPerson), strconv.FormatBool(m.phone),
		m.status, m.tz,
	}, "\x00")
}

// service makes the record of one group of entries, sorted by slug.
func (rd *reader) service(g []*meeting) *peerfind.Service {
	first := g[0]
	src := rd.src
	idPart := first.slug
	if idPart == "" {
		idPart = first.item
		if strings.HasPrefix(idPart, "#") {
			idPart = textutil.Slug(first.name, 80) + "-" + strings.TrimPrefix(idPart, "#")
		}
	}
	s := &peerfind.Service{
		ID:     textutil.ID("mg-"+src.Feed+"-", idPart),
		Name:   first.name,
		Status: first.status,
		Cost:   "donation",
		Organization: peerfind.Organization{
			ID:   textutil.ID("mg-", src.Feed),
			Name: src.Name,
			URL:  src.Website,
		},
		Provenance: peerfind.Provenance{
			SourceURL:   src.URL + "#" + url.PathEscape(idPart),
			SourceKind:  SourceKind,
			SourceName:  src.Name,
			SourceID:    idPart,
			Retrieved:   src.Retrieved,
			License:     src.License,
			Attribution: src.Attribution,
		},
	}
	if s.Organization.Name == "" {
		s.Organization.Name = src.Feed
	}
	mt := &peerfind.Meeting{}
	var types []string
	for _, m := range g {
		types = textutil.Unique(types, m.types...)
		if s.URL == "" {
			s.URL = m.url
		}
		if m.assured > s.AssuredDate {
			s.AssuredDate = m.assured
		}
		if mt.Group == "" {
			mt.Group = m.group
		}
		if mt.ConferenceURL == "" {
			mt.ConferenceURL = m.confURL
		}
		if mt.ConferenceURLNotes == "" {
			mt.ConferenceURLNotes = m.confURLNotes
		}
		if mt.ConferencePhone == "" {
			mt.ConferencePhone, mt.ConferencePhoneNotes = m.confPhone, m.confPhoneNotes
		}
		if mt.LocationNotes == "" {
			mt.LocationNotes = m.locNotes
		}
	}
	sort.Strings(types)
	mt.Types = types
	switch o, c := containsStr(types, "O"), containsStr(types, "C"); {
	case o && c:
		rd.rep.Warn(first.item, "both open (O) and closed (C); open/closed left unknown")
	case o:
		mt.OpenClosed = "open"
	case c:
		mt.OpenClosed = "closed"
	}
	s.Meeting = mt
	s.Description = textutil.Truncate(describe(g), peerfind.MaxDescriptionLen)
	s.Schedules = schedules(g)
	rd.location(s, g)

	// Terms: the fellowship's, the type codes', the names', the
	// attendance's.
	tax := rd.tax
	refs := []peerfind.TermRef{{Facet: peerfind.FacetCategory, ID: "self-help-group"}}
	for _, id := range src.Categories {
		refs = append(refs, peerfind.TermRef{Facet: peerfind.FacetCategory, ID: id})
	}
	for _, id := range src.Conditions {
		refs = append(refs, peerfind.TermRef{Facet: peerfind.FacetCondition, ID: id})
	}
	for _, id := range src.Populations {
		refs = append(refs, peerfind.TermRef{Facet: peerfind.FacetPopulation, ID: id})
	}
	hasLang := false
	for _, c := range types {
		for _, r := range tax.MeetingGuideType(c) {
			if r.Facet == peerfind.FacetLanguage {
				hasLang = true
			}
			refs = append(refs, r)
		}
	}
	named := tax.Classify(first.name, first.group)
	var namedLangs []peerfind.TermRef
	for _, r := range named {
		if nameTerm(r, first.name+" "+first.group) {
			refs = append(refs, r)
		}
		if r.Facet == peerfind.FacetLanguage {
			namedLangs = append(namedLangs, r)
		}
	}
	if first.online {
		refs = append(refs, peerfind.TermRef{Facet: peerfind.FacetCategory, ID: "internet-support-group"},
			peerfind.TermRef{Facet: peerfind.FacetAttendance, ID: "online"})
	}
	if first.inPerson {
		refs = append(refs, peerfind.TermRef{Facet: peerfind.FacetAttendance, ID: "in-person"})
	}
	if first.online && first.inPerson {
		refs = append(refs, peerfind.TermRef{Facet: peerfind.FacetAttendance, ID: "hybrid"})
	}
	if first.phone {
		refs = append(refs, peerfind.TermRef{Facet: peerfind.FacetAttendance, ID: "phone"})
	}
	if !hasLang {
		if l := spokenLanguage(tax, first.name); l != nil {
			rd.rep.Warn(first.item, "no language type code; language %s from the name", l.ID)
			refs = append(refs, *l)
		} else if len(namedLangs) > 0 {
			rd.rep.Warn(first.item, "name mentions a language (%s) but no language type code; language left unknown", namedLangs[0].ID)
		} else if src.Language != "" && speaksDefault(src, first) {
			refs = append(refs, peerfind.TermRef{Facet: peerfind.FacetLanguage, ID: src.Language})
		}
	}
	tax.Apply(s, refs...)
	if !first.online && !first.inPerson && !first.phone {
		rd.rep.Warn(first.item, "no address, online link or phone number: no way to attend is known")
	}
	return s
}

// nameTerm reports whether a term found in a meeting's or group's name
// applies to the meeting. Group names are not descriptions: "Clubhouse
// Group" is not a drop-in center, the "Happy Family Group" is not for
// families, "Monday Night Survivors" are not trauma survivors and
// "Children of Chaos" or Al-Anon's "Adult Children" meetings are not for
// children. So only the group kinds among categories, no trauma or grief,
// no families, and youth only for Alateen and teen meetings.
func nameTerm(r peerfind.TermRef, name string) bool {
	switch r.Facet {
	case peerfind.FacetCategory:
		return r.ID == "self-help-group" || r.ID == "internet-support-group" || r.ID == "family-support-group"
	case peerfind.FacetPopulation:
		switch r.ID {
		case "families":
			return false
		case "youth":
			return teenName.MatchString(name)
		}
		return true
	case peerfind.FacetCondition:
		return r.ID != "trauma" && r.ID != "grief"
	}
	return false
}

var teenName = regexp.MustCompile(`(?i)\b(alateen|teens?)\b`)

// spokenLanguage returns the language a meeting's name says it is held
// in ("Farsi Speaking"), or nil. A language merely named ("French Creek",
// "Punjabi Big Book Study") is not enough.
func spokenLanguage(tax *peerfind.Taxonomy, name string) *peerfind.TermRef {
	m := spokenIn.FindStringSubmatch(name)
	if m == nil {
		return nil
	}
	for _, w := range m[1:] {
		if w == "" {
			continue
		}
		if l := tax.ClassifyFacet(peerfind.FacetLanguage, w); len(l) == 1 {
			return &l[0]
		}
	}
	return nil
}

// englishSpeaking are the countries where meetings without a language code
// are taken to be in English when the feed's default language is English.
var englishSpeaking = map[string]bool{"US": true, "GB": true, "IE": true, "AU": true, "NZ": true, "ZA": true, "CA": true}

// speaksDefault reports whether the source's default language applies to
// the meeting: it is online-only, in the feed's country, or in a country
// that speaks the default language.
func speaksDefault(src Source, m *meeting) bool {
	c := m.addr.Country
	switch {
	case m.online && !m.inPerson:
		return true
	case c == "" || c == src.Country:
		return !(c == "CA" && m.addr.StateProvince == "QC" && src.Language == "en")
	case src.Language == "en":
		return englishSpeaking[c] && m.addr.StateProvince != "QC"
	}
	return false
}

// location sets the record's location from the first entry with a place.
func (rd *reader) location(s *peerfind.Service, g []*meeting) {
	first := g[0]
	for _, r := range first.addrRepairs {
		rd.rep.Warn(first.item, "%s", r)
	}
	if first.coordIssue != "" {
		rd.rep.Warn(first.item, "%s", first.coordIssue)
	}
	a := first.addr
	if a.Address1 == "" && a.City == "" && a.StateProvince == "" && a.PostalCode == "" && first.lat == nil {
		if first.inPerson {
			rd.rep.Warn(first.item, "in-person meeting without an address")
		}
		return
	}
	loc := peerfind.Location{Name: first.locName, Address: a, Approximate: first.approximate}
	if !first.inPerson && virtualPlace.MatchString(loc.Name) {
		loc.Name = ""
	}
	if n := peerfind.Fold(loc.Name); n == peerfind.Fold(a.String()) || n == peerfind.Fold(a.City) || n == peerfind.Fold(first.rawAddr) {
		loc.Name = ""
	}
	if first.lat != nil {
		lat, lon := *first.lat, *first.lon
		loc.Latitude, loc.Longitude = &lat, &lon
	} else if first.inPerson && first.coordIssue == "" {
		rd.rep.Warn(first.item, "no coordinates")
	}
	s.Locations = []peerfind.Location{loc}
}

// describe merges the entries' notes: the most common note, then the
// notes particular to some days, then the group's notes.
func describe(g []*meeting) string {
	count := map[string]int{}
	for _, m := range g {
		if m.notes != "" {
			count[m.notes]++
		}
	}
	main := ""
	for _, m := range g {
		if m.notes != "" && count[m.notes] > count[main] {
			main = m.notes
		}
	}
	parts := []string{}
	if main != "" {
		parts = append(parts, main)
	}
	seen := map[string]bool{main: true}
	for _, m := range sortedByTime(g) {
		if m.notes == "" || seen[m.notes] {
			continue
		}
		seen[m.notes] = true
		parts = append(parts, when(m)+": "+m.notes)
	}
	for _, m := range g {
		if m.groupNotes != "" && !seen[m.groupNotes] {
			seen[m.groupNotes] = true
			parts = append(parts, m.groupNotes)
		}
	}
	return strings.Join(parts, "\n\n")
}

var dayShort = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// when formats an entry's days and time, e.g. "Mon, Thu 19:30".
func when(m *meeting) string {
	var ds []string
	for _, d := range m.days {
		ds = append(ds, dayShort[d])
	}
	return strings.TrimSpace(strings.Join(ds, ", ") + " " + m.opens)
}

func sortedByTime(g []*meeting) []*meeting {
	out := append([]*meeting(nil), g...)
	sort.SliceStable(out, func(i, j int) bool {
		di, dj := 7, 7
		if len(out[i].days) > 0 {
			di = out[i].days[0]
		}
		if len(out[j].days) > 0 {
			dj = out[j].days[0]
		}
		if di != dj {
			return di < dj
		}
		return out[i].opens < out[j].opens
	})
	return out
}

// schedules makes one weekly rule per start time, end time and zone, with
// the days it happens on, ordered by first day and start time.
func schedules(g []*meeting) []peerfind.Schedule {
	type slot struct{ opens, closes, tz string }
	days := map[slot]*[7]bool{}
	for _, m := range g {
		if len(m.days) == 0 {
			continue
		}
		k := slot{m.opens, m.closes, m.tz}
		if days[k] == nil {
			days[k] = &[7]bool{}
		}
		for _, d := range m.days {
			days[k][d] = true
		}
	}
	type rule struct {
		first int
		s     peerfind.Schedule
	}
	rules := make([]rule, 0, len(days))
	for k, ds := range days {
		r := rule{first: 7, s: peerfind.Schedule{Freq: "WEEKLY", Interval: 1, OpensAt: k.opens, ClosesAt: k.closes, Timezone: k.tz}}
		for d := 0; d < 7; d++ {
			if ds[d] {
				r.s.ByDay = append(r.s.ByDay, byDay[d])
				r.first = min(r.first, d)
			}
		}
		rules = append(rules, r)
	}
	sort.Slice(rules, func(i, j int) bool {
		a, b := rules[i], rules[j]
		if a.first != b.first {
			return a.first < b.first
		}
		if a.s.OpensAt != b.s.OpensAt {
			return a.s.OpensAt < b.s.OpensAt
		}
		if a.s.ClosesAt != b.s.ClosesAt {
			return a.s.ClosesAt < b.s.ClosesAt
		}
		if a.s.Timezone != b.s.Timezone {
			return a.s.Timezone < b.s.Timezone
		}
		return strings.Join(a.s.ByDay, ",") < strings.Join(b.s.ByDay, ",")
	})
	out := make([]peerfind.Schedule, len(rules))
	for i, r := range rules {
		out[i] = r.s
	}
	return out
}

var (
	time24 = regexp.MustCompile(`^(\d{1,2})[:.h](\d{2})(?::\d{2})?$`)
	time12 = regexp.MustCompile(`^(\d{1,2})(?:[:.](\d{2}))?(?::\d{2})?\s*([ap])\.?\s*m?\.?$`)
)

// parseTime reads "19:30", "7:30 PM", "11:00 AM", "7pm", "noon" and
// returns "HH:MM".
func parseTime(s string) (string, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "noon", "12 noon":
		return "12:00", true
	case "midnight":
		return "00:00", true
	}
	var h, m int
	if g := time24.FindStringSubmatch(t); g != nil {
		h, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		if h == 24 && m == 0 {
			h = 0
		}
	} else if g := time12.FindStringSubmatch(t); g != nil {
		h, _ = strconv.Atoi(g[1])
		if g[2] != "" {
			m, _ = strconv.Atoi(g[2])
		}
		if h < 1 || h > 12 {
			return "", false
		}
		h %= 12
		if g[3] == "p" {
			h += 12
		}
	} else {
		return "", false
	}
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return "", false
	}
	return fmt.Sprintf("%02d:%02d", h, m), true
}

var dateLayouts = []string{
	"2006-01-02 15:04:05", "2006-01-02", time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04",
	"1/2/2006", "1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM", "1/2/2006 15:04:05", "1/2/2006 15:04",
	"January 2, 2006", "Jan 2, 2006", "2 January 2006",
}

// parseDate reads the dates feeds write ("8/29/2021", "2020-10-27
// 16:17:24", "8/25/2022 11:17:07 AM") and returns "YYYY-MM-DD". A year
// written with two digits ("0023-03-31") is taken as 20xx.
func parseDate(s string) (string, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 100 { // "0023-03-31": a two-digit year
				t = t.AddDate(2000, 0, 0)
			}
			if t.Year() < 1990 || t.Year() > 2100 {
				return "", false
			}
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// repairURL returns u as an http(s) URL, adding "https://" to a bare host
// name ("zoom.us/j/123"), or false when u is not a web address.
func repairURL(u string) (string, bool) {
	if u == "" {
		return "", false
	}
	if isHTTP(u) {
		return u, true
	}
	if !strings.Contains(u, "://") && !strings.ContainsAny(u, " @") && strings.Contains(u, ".") {
		if fixed := "https://" + u; isHTTP(fixed) {
			if host := strings.SplitN(strings.TrimPrefix(fixed, "https://"), "/", 2)[0]; strings.Contains(host, ".") {
				return fixed, true
			}
		}
	}
	return "", false
}

func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func uniqueInts(in []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, x := range in {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Ints(out)
	return out
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = strconv.Quote(textutil.Truncate(s, 40))
	}
	return strings.Join(q, ", ")
}

func truncID(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// shortErr trims JSON errors to their message.
func shortErr(err error) string {
	return textutil.Truncate(err.Error(), 120)
}
