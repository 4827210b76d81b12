// Package hsds reads Open Referral HSDS 3.0 JSON, as an HSDS API serves
// it, into peerfind records: a paged list response ({"total_items",
// "total_pages", "page_number", "size", "contents": [services...]}), a
// single service object, or an array of services.
//
// The reader is tolerant of the shapes real APIs and the spec's own
// examples use (numbers as strings and strings as numbers, byday as a
// list or a comma-separated string, times with seconds, extent as a
// GeoJSON object or a string holding one) and records every repair and
// every skipped service in the Report.
//
// Decisions worth knowing:
//   - Categories come from tax.Classify on the service's name,
//     description, alternate name and the names of its attribute taxonomy
//     terms. A general human-service source (a county's 211 data) has food
//     banks too: a service that no term puts in a peer-support category
//     gets Source.DefaultCategory when set (a peer-only source), and is
//     otherwise skipped with the reason "not peer support".
//   - Coordinates outside -90..90 / -180..180 or at 0,0 are dropped with a
//     warning; the address is kept.
//   - Text fields are stripped of markup and bounded in length.
package hsds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest/internal/flex"
	"github.com/peerfind/peerfind/indexer/ingest/internal/textutil"
	"golang.org/x/net/html"
)

// SourceKind is the provenance source kind of the records Read makes.
const SourceKind = "hsds"

// Limits on the input.
const (
	// MaxInputSize is the largest input Read accepts, in bytes.
	MaxInputSize = 64 << 20
	// MaxServices is the most services Read takes from one input.
	MaxServices = 5000
	maxDesc     = 5000
)

// Source describes an HSDS publisher.
type Source struct {
	// Prefix starts every record id ("<Prefix>-<service id>"), e.g.
	// "hsds-smc". Required.
	Prefix string
	// Name names the publisher; it becomes the provenance source name and
	// the organization of services that name none.
	Name string
	// URL is where the input was read. Required.
	URL string
	// Retrieved is the date (YYYY-MM-DD) the input was read. Required.
	Retrieved string
	// License and Attribution go into each record's provenance.
	License, Attribution string
	// Timezone is the IANA zone of schedules that give none.
	Timezone string
	// DefaultCategory is the category term id of services no term
	// classifies (e.g. "peer-delivered-service" for a peer-only source);
	// empty to skip them as "not peer support".
	DefaultCategory string
}

// Page is the paging of a list response.
type Page struct {
	// Number is the page read (1-based); 0 when the input was not a page.
	Number int
	// Total is the number of pages.
	Total int
	// Next is the next page's number, or 0 when this is the last.
	Next int
}

// Read reads HSDS JSON and returns the valid records, a report and, for a
// paged list, where it is in the paging. Every record passes
// Validate(tax). It fails only when the input is not JSON of a known
// shape, is too large, or src or ctx is unusable.
func Read(ctx context.Context, r io.Reader, src Source, tax *peerfind.Taxonomy) ([]*peerfind.Service, *peerfind.Report, Page, error) {
	rep := &peerfind.Report{Source: src.URL}
	var pg Page
	if tax == nil {
		return nil, rep, pg, errors.New("hsds: no taxonomy")
	}
	if src.Prefix == "" || textutil.ID("", src.Prefix) != src.Prefix || src.URL == "" {
		return nil, rep, pg, fmt.Errorf("hsds: source needs an id-safe prefix and a URL (got %q, %q)", src.Prefix, src.URL)
	}
	if _, err := time.Parse("2006-01-02", src.Retrieved); err != nil {
		return nil, rep, pg, fmt.Errorf("hsds %s: retrieved date %q is not YYYY-MM-DD", src.Prefix, src.Retrieved)
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return nil, rep, pg, fmt.Errorf("hsds %s: %w", src.Prefix, err)
	}
	if len(b) > MaxInputSize {
		return nil, rep, pg, fmt.Errorf("hsds %s: larger than %d bytes", src.Prefix, MaxInputSize)
	}
	b = bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	var raws []json.RawMessage
	switch {
	case len(b) > 0 && b[0] == '[':
		if err := json.Unmarshal(b, &raws); err != nil {
			return nil, rep, pg, fmt.Errorf("hsds %s: %w", src.Prefix, err)
		}
	case len(b) > 0 && b[0] == '{':
		var list struct {
			TotalItems *flex.String      `json:"total_items"`
			TotalPages flex.String       `json:"total_pages"`
			PageNumber flex.String       `json:"page_number"`
			Contents   []json.RawMessage `json:"contents"`
		}
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, rep, pg, fmt.Errorf("hsds %s: %w", src.Prefix, err)
		}
		if list.TotalItems != nil || list.Contents != nil {
			raws = list.Contents
			pg.Number, pg.Total = atoi(string(list.PageNumber)), atoi(string(list.TotalPages))
			if pg.Number >= 1 && pg.Number < pg.Total {
				pg.Next = pg.Number + 1
			}
		} else {
			raws = []json.RawMessage{b}
		}
	default:
		return nil, rep, pg, fmt.Errorf("hsds %s: want a JSON object or array", src.Prefix)
	}
	var out []*peerfind.Service
	seen := map[string]bool{}
	for i, raw := range raws {
		if i%128 == 0 {
			if err := ctx.Err(); err != nil {
				return out, rep, pg, err
			}
		}
		rep.Read++
		item := fmt.Sprintf("#%d", i+1)
		if i >= MaxServices {
			rep.Skip(item, "more than %d services", MaxServices)
			continue
		}
		var sv service
		if err := json.Unmarshal(raw, &sv); err != nil {
			rep.Skip(item, "unreadable service: %v", clipErr(err))
			continue
		}
		s := sv.record(src, tax, rep, item)
		if s == nil {
			continue
		}
		if seen[s.ID] {
			rep.Skip(item, "duplicate id %q", s.ID)
			continue
		}
		if err := s.Validate(tax); err != nil {
			rep.Skip(item, "%v", err)
			continue
		}
		seen[s.ID] = true
		out = append(out, s)
	}
	rep.Kept = len(out)
	return out, rep, pg, nil
}

type service struct {
	ID              flex.String  `json:"id"`
	Name            flex.String  `json:"name"`
	AlternateName   flex.String  `json:"alternate_name"`
	Description     flex.String  `json:"description"`
	URL             flex.String  `json:"url"`
	Email           flex.String  `json:"email"`
	Status          flex.String  `json:"status"`
	FeesDescription flex.String  `json:"fees_description"`
	AssuredDate     flex.String  `json:"assured_date"`
	Organization    *org         `json:"organization"`
	Phones          []phone      `json:"phones"`
	Schedules       []schedule   `json:"schedules"`
	ServiceAreas    []area       `json:"service_areas"`
	Languages       []language   `json:"languages"`
	SALs            []sal        `json:"service_at_locations"`
	Attributes      []attribute  `json:"attributes"`
	Taxonomy        []taxTerm    `json:"taxonomy_terms"`
	Locations       []location   `json:"locations"`
	Keywords        flex.Strings `json:"keywords"`
}

type org struct {
	ID          flex.String `json:"id"`
	Name        flex.String `json:"name"`
	Description flex.String `json:"description"`
	Website     flex.String `json:"website"`
	URL         flex.String `json:"url"`
	Email       flex.String `json:"email"`
}

type phone struct {
	Number      flex.String `json:"number"`
	Extension   flex.String `json:"extension"`
	Type        flex.String `json:"type"`
	Description flex.String `json:"description"`
}

type schedule struct {
	Freq        flex.String  `json:"freq"`
	Interval    flex.String  `json:"interval"`
	ByDay       flex.Strings `json:"byday"`
	OpensAt     flex.String  `json:"opens_at"`
	ClosesAt    flex.String  `json:"closes_at"`
	Timezone    flex.String  `json:"timezone"`
	Description flex.String  `json:"description"`
}

type area struct {
	Name        flex.String     `json:"name"`
	Description flex.String     `json:"description"`
	Extent      json.RawMessage `json:"extent"`
	URI         flex.String     `json:"uri"`
}

type language struct {
	Code flex.String `json:"code"`
	Name flex.String `json:"name"`
}

type sal struct {
	Location *location `json:"location"`
}

type location struct {
	ID          flex.String `json:"id"`
	Name        flex.String `json:"name"`
	Description flex.String `json:"description"`
	Latitude    flex.String `json:"latitude"`
	Longitude   flex.String `json:"longitude"`
	Addresses   []address   `json:"addresses"`
	Languages   []language  `json:"languages"`
	LocationTyp flex.String `json:"location_type"`
}

type address struct {
	Address1      flex.String `json:"address_1"`
	Address2      flex.String `json:"address_2"`
	City          flex.String `json:"city"`
	Region        flex.String `json:"region"`
	StateProvince flex.String `json:"state_province"`
	PostalCode    flex.String `json:"postal_code"`
	Country       flex.String `json:"country"`
	Type          flex.String `json:"address_type"`
}

type attribute struct {
	Value flex.String `json:"value"`
	Term  *taxTerm    `json:"taxonomy_term"`
}

type taxTerm struct {
	Code flex.String `json:"code"`
	Name flex.String `json:"name"`
}

func (sv *service) record(src Source, tax *peerfind.Taxonomy, rep *peerfind.Report, item string) *peerfind.Service {
	name := text(string(sv.Name), peerfind.MaxNameLen)
	if name == "" {
		rep.Skip(item, "no name")
		return nil
	}
	id := textutil.ID("", string(sv.ID))
	if id == "" {
		id = textutil.Slug(name, 80)
	}
	item = name
	warn := func(format string, args ...any) { rep.Warn(item, format, args...) }
	s := &peerfind.Service{
		ID:              textutil.ID(src.Prefix+"-", id),
		Name:            name,
		AlternateName:   text(string(sv.AlternateName), peerfind.MaxNameLen),
		Description:     text(string(sv.Description), maxDesc),
		URL:             httpURL(string(sv.URL), "url", warn),
		Email:           email(string(sv.Email)),
		Status:          strings.ToLower(strings.TrimSpace(string(sv.Status))),
		FeesDescription: text(string(sv.FeesDescription), 1000),
	}
	switch s.Status {
	case "active", "inactive", "defunct", "temporarily closed":
	case "":
		s.Status = "active"
	default:
		warn("unknown status %q, taken as active", textutil.Truncate(s.Status, 30))
		s.Status = "active"
	}
	if d := strings.TrimSpace(string(sv.AssuredDate)); d != "" {
		if len(d) >= 10 {
			if _, err := time.Parse("2006-01-02", d[:10]); err == nil {
				s.AssuredDate = d[:10]
			}
		}
	}
	if o := sv.Organization; o != nil {
		s.Organization = peerfind.Organization{
			ID:          textutil.ID("", string(o.ID)),
			Name:        text(string(o.Name), peerfind.MaxNameLen),
			Description: text(string(o.Description), maxDesc),
			URL:         httpURL(firstNonEmpty(string(o.Website), string(o.URL)), "organization.website", warn),
			Email:       email(string(o.Email)),
		}
	}
	if s.Organization.Name == "" {
		s.Organization.Name = text(src.Name, peerfind.MaxNameLen)
	}
	for _, p := range sv.Phones {
		num := text(strings.Trim(string(p.Number), `"' `), 60)
		if num == "" {
			continue
		}
		s.Phones = append(s.Phones, peerfind.Phone{Number: num, Extension: text(string(p.Extension), 20),
			Type: text(string(p.Type), 20), Description: text(string(p.Description), 300)})
	}
	for _, sc := range sv.Schedules {
		if out, ok := sched(sc, src.Timezone, warn); ok {
			s.Schedules = append(s.Schedules, out)
		}
	}
	locs := sv.Locations
	for _, x := range sv.SALs {
		if x.Location != nil {
			locs = append(locs, *x.Location)
		}
	}
	var langs []string
	for _, l := range sv.Languages {
		langs = append(langs, string(l.Code), string(l.Name))
	}
	for _, l := range locs {
		if strings.EqualFold(strings.TrimSpace(string(l.LocationTyp)), "virtual") {
			s.Attendance = appendUnique(s.Attendance, "online")
			continue
		}
		loc := peerfind.Location{ID: textutil.ID("", string(l.ID)), Name: text(string(l.Name), peerfind.MaxNameLen),
			Description: text(string(l.Description), 1000)}
		for _, a := range l.Addresses {
			if t := strings.ToLower(string(a.Type)); t != "" && t != "physical" && loc.Address != (peerfind.Address{}) {
				continue
			}
			loc.Address = peerfind.Address{Address1: text(string(a.Address1), 200), Address2: text(string(a.Address2), 200),
				City: text(string(a.City), 100), Region: text(string(a.Region), 100),
				StateProvince: text(string(a.StateProvince), 100), PostalCode: text(string(a.PostalCode), 20),
				Country: strings.ToUpper(text(string(a.Country), 2))}
			if strings.EqualFold(string(a.Type), "physical") {
				break
			}
		}
		lat, ok1 := parseFloat(string(l.Latitude))
		lon, ok2 := parseFloat(string(l.Longitude))
		if ok1 && ok2 {
			if lat < -90 || lat > 90 || lon < -180 || lon > 180 || lat != lat || lon != lon || (lat == 0 && lon == 0) {
				warn("dropped coordinates %v,%v: out of range", lat, lon)
			} else {
				loc.Latitude, loc.Longitude = &lat, &lon
			}
		}
		if loc.Address == (peerfind.Address{}) && loc.Latitude == nil && loc.Name == "" {
			continue
		}
		s.Locations = append(s.Locations, loc)
		if loc.Address.Address1 != "" {
			s.Attendance = appendUnique(s.Attendance, "in-person")
		}
		for _, lg := range l.Languages {
			langs = append(langs, string(lg.Code))
		}
	}
	for _, a := range sv.ServiceAreas {
		sa := peerfind.ServiceArea{Name: text(string(a.Name), peerfind.MaxNameLen), Description: text(string(a.Description), 1000)}
		if u := httpURL(string(a.URI), "service_area.uri", func(string, ...any) {}); u != "" {
			sa.URI = u
		}
		if g := extent(a.Extent); g != nil {
			sa.Extent = g
		} else if k, codes := refExtent(a.Extent); k != "" {
			// An area by reference, as peerfind's export writes it.
			sa.Kind, sa.Codes = k, codes
		} else if len(bytes.TrimSpace(a.Extent)) > 0 && string(bytes.TrimSpace(a.Extent)) != "null" {
			warn("dropped service area extent: not a GeoJSON polygon")
		}
		if sa.Name != "" || sa.Extent != nil || sa.Kind != "" {
			s.ServiceAreas = append(s.ServiceAreas, sa)
		}
	}
	// Languages: codes ("en", "eng", "en-US") or names, kept when the
	// taxonomy knows them.
	lf := tax.Facet(peerfind.FacetLanguage)
	for _, l := range langs {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		c := strings.ToLower(l)
		if i := strings.IndexAny(c, "-_"); i > 0 {
			c = c[:i]
		}
		if t := tax.Term(peerfind.FacetLanguage, c); t != nil {
			s.Languages = appendUnique(s.Languages, c)
		} else if lf != nil {
			if t := lf.Resolve(l); t != nil {
				s.Languages = appendUnique(s.Languages, t.ID)
			}
		}
	}
	// Classification.
	texts := []string{s.Name, s.AlternateName, s.Description}
	texts = append(texts, sv.Keywords...)
	for _, a := range sv.Attributes {
		if a.Term != nil {
			texts = append(texts, string(a.Term.Name))
		}
	}
	for _, t := range sv.Taxonomy {
		texts = append(texts, string(t.Name))
	}
	tax.Apply(s, tax.Classify(texts...)...)
	if s.FeesDescription != "" {
		tax.Apply(s, tax.ClassifyFacet(peerfind.FacetCost, s.FeesDescription)...)
	}
	if len(s.Categories) == 0 {
		if src.DefaultCategory == "" {
			rep.Skip(item, "not peer support")
			return nil
		}
		tax.Apply(s, peerfind.TermRef{Facet: peerfind.FacetCategory, ID: src.DefaultCategory})
	}
	// The source's own taxonomy terms ("code name"), kept alongside ours.
	var own []string
	for _, a := range sv.Attributes {
		if a.Term != nil {
			own = append(own, strings.TrimSpace(string(a.Term.Code)+" "+string(a.Term.Name)))
		}
	}
	for _, t := range sv.Taxonomy {
		own = append(own, strings.TrimSpace(string(t.Code)+" "+string(t.Name)))
	}
	for _, t := range own {
		if t = text(t, 200); t != "" && len(s.SourceTerms) < peerfind.MaxListLen {
			s.SourceTerms = appendUnique(s.SourceTerms, t)
		}
	}
	s.Provenance = peerfind.Provenance{SourceURL: src.URL, SourceKind: SourceKind, SourceName: src.Name,
		SourceID: textutil.Truncate(string(sv.ID), 200), Retrieved: src.Retrieved, License: src.License, Attribution: src.Attribution}
	return s
}

var dayCodes = map[string]bool{"MO": true, "TU": true, "WE": true, "TH": true, "FR": true, "SA": true, "SU": true}

func sched(sc schedule, tz string, warn func(string, ...any)) (peerfind.Schedule, bool) {
	out := peerfind.Schedule{Description: text(string(sc.Description), 300)}
	freq := strings.ToUpper(strings.TrimSpace(string(sc.Freq)))
	if freq == "WEEKLY" || freq == "MONTHLY" {
		out.Freq = freq
		if n := atoi(string(sc.Interval)); n > 1 && n < 100 {
			out.Interval = n
		}
		for _, d := range sc.ByDay {
			d = strings.ToUpper(strings.TrimSpace(d))
			code := strings.TrimLeft(d, "-0123456789+")
			if dayCodes[code] && len(d)-len(code) <= 2 {
				out.ByDay = append(out.ByDay, strings.TrimPrefix(d, "+"))
			}
		}
		out.OpensAt, out.ClosesAt = hhmm(string(sc.OpensAt)), hhmm(string(sc.ClosesAt))
		zone := strings.TrimSpace(string(sc.Timezone))
		if _, err := peerfind.LoadLocation(zone); err != nil || zone == "" || !strings.Contains(zone, "/") {
			zone = tz
		}
		out.Timezone = zone
	} else if freq != "" {
		warn("unsupported schedule freq %q", textutil.Truncate(freq, 20))
	}
	if out.Freq != "" && len(out.ByDay) == 0 {
		out.Freq, out.Interval, out.OpensAt, out.ClosesAt, out.Timezone = "", 0, "", "", ""
	}
	if out.Freq == "" && out.Description == "" {
		return out, false
	}
	return out, true
}

var clockRe = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d`)

// hhmm reads "10:00" or "10:00:00" as "10:00".
func hhmm(s string) string {
	s = strings.TrimSpace(s)
	if m := clockRe.FindString(s); m != "" {
		return m
	}
	return ""
}

// extent reads a GeoJSON polygon or multipolygon given as an object or as
// a string holding one.
func extent(raw json.RawMessage) *geojson.Geometry {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil
		}
		raw = []byte(s)
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil || g == nil || g.Geometry() == nil {
		return nil
	}
	switch g.Geometry().(type) {
	case orb.Polygon, orb.MultiPolygon:
		return g
	}
	return nil
}

// text strips markup and control characters, collapses white space and
// cuts to n bytes on a rune boundary.
func text(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if strings.ContainsAny(s, "<&") {
		var b strings.Builder
		z := html.NewTokenizer(strings.NewReader(s))
		skip := 0
	loop:
		for {
			switch z.Next() {
			case html.ErrorToken:
				break loop
			case html.TextToken:
				if skip == 0 {
					b.Write(z.Text())
				}
			case html.StartTagToken:
				if t, _ := z.TagName(); string(t) == "script" || string(t) == "style" {
					skip++
				}
				b.WriteByte(' ')
			case html.EndTagToken:
				if t, _ := z.TagName(); (string(t) == "script" || string(t) == "style") && skip > 0 {
					skip--
				}
				b.WriteByte(' ')
			}
		}
		s = html.UnescapeString(b.String())
	}
	s = textutil.Clean(s)
	if len(s) > n {
		for n > 0 && (s[n]&0xC0) == 0x80 {
			n--
		}
		s = strings.TrimSpace(s[:n])
	}
	return s
}

func httpURL(s, field string, warn func(string, ...any)) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 2048 {
		warn("dropped %s: not an http(s) URL", field)
		return ""
	}
	return u.String()
}

func email(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "mailto:"))
	if len(s) > 254 || strings.Count(s, "@") != 1 || strings.ContainsAny(s, " <>\"'") {
		return ""
	}
	return s
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

func parseFloat(s string) (float64, bool) {
	var f float64
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if _, err := fmt.Sscan(s, &f); err != nil {
		return 0, false
	}
	return f, true
}

func atoi(s string) int {
	n := 0
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	if s == "" || len(s) > 9 {
		return 0
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}

func appendUnique(l []string, s string) []string {
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}

func clipErr(err error) string { return textutil.Truncate(err.Error(), 160) }

// refExtent reads an extent that is a JSON string naming areas by
// reference ("county:48453"), or returns "".
func refExtent(raw []byte) (string, []string) {
	var txt string
	if json.Unmarshal(raw, &txt) != nil {
		return "", nil
	}
	return peerfind.ParseAreaRef(txt)
}
