// Package ohana reads exports of the Ohana API (Code for America's 2013
// human-services directory, the predecessor of Open Referral HSDS) and
// keeps the peer-support services among them.
//
// It reads two formats, one JSON document per line: the flat MongoDB
// export of the San Mateo County directory (agency, name, description,
// street_address, coordinates [lng, lat], phones, keywords,
// languages_spoken, service_area, created_at {"$date": ms}, ...), and the
// nested import format (an organization per line with
// locations[].services_attributes[]). A JSON array of either is read too.
//
// The directory lists every kind of human service, so each service is
// classified: it is kept only when the taxonomy's peer-support categories
// match its name, agency, keywords, services or description (for example
// the keyword "Support Groups", "Alcoholics Anonymous" in the agency, or
// "peer counseling" in the description). Phrases that look like peer
// support but are not in a human-services directory are masked first
// ("self-help materials", a legal "self-help clinic", a museum's "volunteer
// support group"), and the general listings of a provider's administration
// office are not kept. Every service not kept is in the Report with the
// reason; the Reader's Explain hook receives the reason for every service,
// kept or not.
package ohana

import (
	"bufio"
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

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest/internal/textutil"
)

// Limits on the input.
const (
	// MaxInputSize is the largest export Read accepts, in bytes.
	MaxInputSize = 64 << 20
	// MaxLineSize is the longest line Read accepts; longer lines are
	// skipped.
	MaxLineSize = 4 << 20
)

// SourceKind is the provenance source kind of the records Read makes.
const SourceKind = "ohana"

// Source describes an export and the defaults for its services.
type Source struct {
	// Prefix starts every record id ("<Prefix>-<slug>"), e.g. "smc".
	// Required.
	Prefix string
	// Name names the publisher, e.g. "San Mateo County human services
	// directory (Ohana API, 2013)".
	Name string
	// URL is where the export was read. Required.
	URL string
	// License is the license of the export, e.g. "BSD-3-Clause".
	License string
	// Attribution is the credit line the license requires.
	Attribution string
	// Retrieved is the date (YYYY-MM-DD) the export was read. Required.
	Retrieved string
	// Country is the ISO 3166-1 alpha-2 code of the addresses, e.g. "US".
	Country string
	// Timezone is the IANA zone of the opening hours, e.g.
	// "America/Los_Angeles".
	Timezone string
	// Language is the ISO 639 code of the language every service is taken
	// to be offered in besides the languages it lists (the directory lists
	// only the other languages), e.g. "en"; empty for none.
	Language string
}

// Verdict is the classification of one service.
type Verdict struct {
	// Peer is true when the service is peer support and is kept.
	Peer bool
	// Categories are the peer-support category term ids found.
	Categories []string
	// Reason says what matched where, or why the service is not kept.
	Reason string
	// DescriptionOnly is true when only the description or the list of
	// services matched (support groups among other services): such
	// services are kept with a warning, for review.
	DescriptionOnly bool
}

// Reader reads Ohana exports.
type Reader struct {
	// Source describes the export. Required.
	Source Source
	// Taxonomy classifies the services. Required.
	Taxonomy *peerfind.Taxonomy
	// Explain, when set, is called with every service's classification:
	// item is the service's place in the input ("line 12") and id the
	// record id ("" for services not kept).
	Explain func(item, id string, v Verdict)

	phrases *phrases
}

// Read reads an export with the source's defaults; see Reader.Read.
func Read(ctx context.Context, r io.Reader, src Source, tax *peerfind.Taxonomy) ([]*peerfind.Service, *peerfind.Report, error) {
	return (&Reader{Source: src, Taxonomy: tax}).Read(ctx, r)
}

// Read reads an export (JSON lines or a JSON array, at most MaxInputSize
// bytes) and returns the peer-support services as records sorted by id,
// with a report. Lines that are not JSON are skipped; Read fails only when
// the input cannot be read or is too large.
func (rd *Reader) Read(ctx context.Context, r io.Reader) ([]*peerfind.Service, *peerfind.Report, error) {
	src := rd.Source
	if err := src.check(rd.Taxonomy); err != nil {
		return nil, nil, err
	}
	rep := &peerfind.Report{Source: src.URL}
	lr := &io.LimitedReader{R: r, N: MaxInputSize + 1}
	br := bufio.NewReaderSize(lr, 64<<10)
	var recs []*record
	add := func(raw []byte, line int, item string) {
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
			rep.Read++
			rep.Skip(item, "not an Ohana record: %s", textutil.Truncate(string(t), 40))
			return
		}
		rs, err := decode(raw, line, item)
		if err != nil {
			rep.Read++
			rep.Skip(item, "not an Ohana record: %v", textutil.Truncate(err.Error(), 120))
			return
		}
		rep.Read += len(rs)
		recs = append(recs, rs...)
	}
	first, err := firstByte(br)
	switch {
	case errors.Is(err, io.EOF):
		return nil, rep, nil
	case err != nil:
		return nil, rep, fmt.Errorf("read ohana export: %w", err)
	}
	if first == '[' {
		dec := json.NewDecoder(br)
		if _, err := dec.Token(); err != nil {
			return nil, rep, fmt.Errorf("read ohana export: %w", err)
		}
		for i := 1; dec.More(); i++ {
			if err := ctx.Err(); err != nil {
				return nil, rep, err
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, rep, tooBig(lr, fmt.Errorf("read ohana export: element %d: %w", i, err))
			}
			add(raw, i, fmt.Sprintf("element %d", i))
		}
	} else {
		for line := 1; ; line++ {
			if line%256 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, rep, err
				}
			}
			raw, long, err := textutil.ReadLine(br, MaxLineSize)
			if len(bytes.TrimSpace(raw)) > 0 || long {
				item := fmt.Sprintf("line %d", line)
				if long {
					rep.Read++
					rep.Skip(item, "line longer than %d bytes", MaxLineSize)
				} else {
					add(raw, line, item)
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, rep, tooBig(lr, fmt.Errorf("read ohana export: line %d: %w", line, err))
			}
		}
	}
	if lr.N <= 0 {
		return nil, rep, fmt.Errorf("read ohana export: larger than %d bytes", MaxInputSize)
	}
	out := rd.services(recs, rep)
	rep.Kept = len(out)
	return out, rep, nil
}

func tooBig(lr *io.LimitedReader, err error) error {
	if lr.N <= 0 {
		return fmt.Errorf("read ohana export: larger than %d bytes", MaxInputSize)
	}
	return err
}

func (src Source) check(tax *peerfind.Taxonomy) error {
	switch {
	case tax == nil:
		return errors.New("ohana: no taxonomy")
	case src.Prefix == "" || textutil.ID("", src.Prefix) != src.Prefix:
		return fmt.Errorf("ohana: source prefix %q must be letters, digits, '-', '_' or '.'", src.Prefix)
	case src.URL == "":
		return errors.New("ohana: source URL is required")
	case src.Language != "" && tax.Term(peerfind.FacetLanguage, src.Language) == nil:
		return fmt.Errorf("ohana: source language %q is not in the taxonomy", src.Language)
	}
	if _, err := time.Parse("2006-01-02", src.Retrieved); err != nil {
		return fmt.Errorf("ohana: source retrieved date %q is not YYYY-MM-DD", src.Retrieved)
	}
	if src.Timezone != "" {
		if _, err := peerfind.LoadLocation(src.Timezone); err != nil {
			return fmt.Errorf("ohana: source time zone: %w", err)
		}
	}
	return nil
}

// decode reads one JSON document: a flat service or a nested
// organization.
func decode(raw []byte, line int, item string) ([]*record, error) {
	var probe struct {
		Locations json.RawMessage `json:"locations"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, err
	}
	if len(probe.Locations) > 0 && string(probe.Locations) != "null" {
		var o nestedOrg
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, err
		}
		return o.flatten(line), nil
	}
	r := &record{line: line, item: item}
	if err := json.Unmarshal(raw, r); err != nil {
		return nil, err
	}
	return []*record{r}, nil
}

// services classifies the records and maps the peer-support ones.
func (rd *Reader) services(recs []*record, rep *peerfind.Report) []*peerfind.Service {
	tax := rd.Taxonomy
	rd.phrases = newPhrases(tax)
	var out []*peerfind.Service
	used := map[string]bool{}
	for _, r := range recs {
		v := classify(rd.phrases, r)
		if strings.TrimSpace(string(r.Name)) == "" && strings.TrimSpace(string(r.Agency)) == "" {
			v = Verdict{Reason: "no name"}
		}
		if !v.Peer {
			rep.Skip(r.item, "%s", v.Reason)
			if rd.Explain != nil {
				rd.Explain(r.item, "", v)
			}
			continue
		}
		s := rd.service(r, v, rep)
		s.ID = uniqueID(s.ID, r, used)
		used[s.ID] = true
		if err := s.Validate(tax); err != nil {
			rep.Skip(r.item, "%v", err)
			if rd.Explain != nil {
				rd.Explain(r.item, "", Verdict{Reason: err.Error()})
			}
			continue
		}
		if v.DescriptionOnly {
			rep.Warn(r.item, "peer support only mentioned in the description or services; review")
		}
		if rd.Explain != nil {
			rd.Explain(r.item, s.ID, v)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// uniqueID returns id, or when taken, id with the record's city and then a
// number appended.
func uniqueID(id string, r *record, used map[string]bool) string {
	if !used[id] {
		return id
	}
	if c := textutil.Slug(string(r.City), 40); c != "" {
		if alt := textutil.ID("", id+"-"+c); !used[alt] {
			return alt
		}
	}
	for n := 2; ; n++ {
		if alt := textutil.ID("", fmt.Sprintf("%s-%d", id, n)); !used[alt] {
			return alt
		}
	}
}

// service maps a peer-support record.
func (rd *Reader) service(r *record, v Verdict, rep *peerfind.Report) *peerfind.Service {
	src, tax := rd.Source, rd.Taxonomy
	agency := cleanName(string(r.Agency))
	name := cleanName(string(r.Name))
	if name == "" {
		name = agency
	}
	org := agency
	if org == "" {
		org = name
	}
	s := &peerfind.Service{
		ID:              textutil.ID(src.Prefix+"-", textutil.Slug(strings.TrimSpace(agency+" "+name), 120)),
		Name:            textutil.Truncate(name, peerfind.MaxNameLen),
		AlternateName:   textutil.Truncate(textutil.Clean(string(r.AlternateName)), peerfind.MaxNameLen),
		Status:          "active",
		FeesDescription: textutil.Clean(string(r.Fees)),
		Organization: peerfind.Organization{
			ID:          textutil.ID(src.Prefix+"-org-", textutil.Slug(org, 120)),
			Name:        textutil.Truncate(org, peerfind.MaxNameLen),
			Description: textutil.Truncate(textutil.CleanLines(string(r.OrganizationDesc)), peerfind.MaxDescriptionLen),
		},
		Provenance: peerfind.Provenance{
			SourceURL:   src.URL + "#L" + strconv.Itoa(r.line),
			SourceKind:  SourceKind,
			SourceName:  src.Name,
			SourceID:    strings.TrimPrefix(r.item, "line "),
			Retrieved:   src.Retrieved,
			License:     src.License,
			Attribution: src.Attribution,
		},
	}
	switch st := strings.ToLower(textutil.Clean(string(r.Status))); st {
	case "active", "inactive", "defunct":
		s.Status = st
	}
	if u, ok := repairURL(string(r.OrganizationURL)); ok {
		s.Organization.URL = u
	}
	for _, u := range r.URLs {
		if fixed, ok := repairURL(u); ok {
			s.URL = fixed
			break
		}
		rep.Warn(r.item, "url %q is not a web address; dropped", textutil.Truncate(u, 80))
	}
	s.Email = roleEmail(r.Emails)
	s.Organization.Email = roleEmail(flexList(string(r.OrganizationEmail)))
	if t := r.UpdatedAt.Time; !t.IsZero() {
		s.AssuredDate = t.Format("2006-01-02")
	} else if t := r.CreatedAt.Time; !t.IsZero() {
		s.AssuredDate = t.Format("2006-01-02")
	}
	s.Description = textutil.Truncate(description(r), peerfind.MaxDescriptionLen)
	rd.location(s, r, rep)
	s.Phones = phones(r)
	s.Schedules = schedules(textutil.Clean(firstNonEmpty(string(r.ServiceHours), string(r.Hours))), src.Timezone)
	for _, a := range r.ServiceArea {
		if a = textutil.Clean(a); a != "" && !hasArea(s.ServiceAreas, a) {
			s.ServiceAreas = append(s.ServiceAreas, peerfind.ServiceArea{Name: a})
		}
	}

	var refs []peerfind.TermRef
	for _, c := range v.Categories {
		refs = append(refs, peerfind.TermRef{Facet: peerfind.FacetCategory, ID: c})
	}
	// Who it is for: name, target group and keywords; the description
	// speaks of too many people ("children, families and seniors").
	for _, t := range rd.phrases.classify(peerfind.FacetPopulation,
		mask(name), mask(agency), string(r.TargetGroup), strings.Join(r.Keywords, "; ")) {
		refs = append(refs, t)
	}
	for _, t := range rd.phrases.classify(peerfind.FacetCondition, mask(name), mask(agency),
		strings.Join(r.Keywords, "; "), mask(string(r.ServicesProvided)), mask(string(r.Description))) {
		refs = append(refs, t)
	}
	if src.Language != "" {
		refs = append(refs, peerfind.TermRef{Facet: peerfind.FacetLanguage, ID: src.Language})
	}
	for _, l := range r.LanguagesSpoken {
		l = textutil.Clean(l)
		if l == "" {
			continue
		}
		found := rd.phrases.classify(peerfind.FacetLanguage, l)
		if len(found) == 0 {
			rep.Warn(r.item, "unknown language %q", l)
		}
		refs = append(refs, found...)
	}
	if fees := textutil.Clean(string(r.Fees)); fees != "" {
		if c := rd.phrases.classify(peerfind.FacetCost, fees); len(c) > 0 {
			refs = append(refs, c[0])
		}
	}
	if len(s.Locations) > 0 && s.Locations[0].Address.Address1 != "" {
		refs = append(refs, peerfind.TermRef{Facet: peerfind.FacetAttendance, ID: "in-person"})
	}
	tax.Apply(s, refs...)
	return s
}

// description joins the record's texts: its description, what it provides
// (when the description does not already say it), who may use it and how
// to apply.
func description(r *record) string {
	desc := textutil.CleanLines(string(r.Description))
	parts := []string{}
	if desc != "" {
		parts = append(parts, desc)
	}
	fold := peerfind.Fold(desc)
	for _, x := range []struct{ label, text string }{
		{"", string(r.LocationDescriptionAdd)},
		{"Services: ", string(r.ServicesProvided)},
		{"Eligibility: ", string(r.Eligibility)},
		{"How to apply: ", string(r.HowToApply)},
	} {
		t := textutil.CleanLines(x.text)
		f := peerfind.Fold(t)
		if t == "" || strings.Contains(fold, f) || f == "none" || f == "none." {
			continue
		}
		parts = append(parts, x.label+t)
	}
	return strings.Join(parts, "\n\n")
}

// location sets the record's place from its address and coordinates.
func (rd *Reader) location(s *peerfind.Service, r *record, rep *peerfind.Report) {
	a := peerfind.Address{
		Address1:      textutil.Clean(string(r.StreetAddress)),
		City:          textutil.Clean(string(r.City)),
		StateProvince: strings.ToUpper(textutil.Clean(string(r.State))),
		PostalCode:    textutil.Clean(string(r.Zipcode)),
	}
	var lat, lon *float64
	switch {
	case len(r.Coordinates) == 2:
		lo, la := r.Coordinates[0], r.Coordinates[1]
		lat, lon = &la, &lo
	case len(r.Coordinates) != 0:
		rep.Warn(r.item, "coordinates %v are not [lng, lat]; dropped", r.Coordinates)
	case r.Latitude != nil && r.Longitude != nil:
		lat, lon = r.Latitude, r.Longitude
	}
	dropped := len(r.Coordinates) != 0 && len(r.Coordinates) != 2
	if lat != nil {
		switch {
		case *lat == 0 && *lon == 0:
			rep.Warn(r.item, "coordinates 0,0 are a placeholder; dropped")
			lat, lon, dropped = nil, nil, true
		case *lat < -90 || *lat > 90 || *lon < -180 || *lon > 180:
			rep.Warn(r.item, "coordinates %v,%v out of range; dropped", *lat, *lon)
			lat, lon, dropped = nil, nil, true
		}
	}
	if a.Address1 == "" && a.City == "" && a.PostalCode == "" && lat == nil {
		return
	}
	a.Country = rd.Source.Country
	if lat == nil && !dropped {
		rep.Warn(r.item, "no coordinates")
	}
	s.Locations = []peerfind.Location{{
		Name:        textutil.Clean(string(r.LocationName)),
		Description: textutil.Clean(string(r.Transportation)),
		Address:     a,
		Latitude:    lat,
		Longitude:   lon,
		Approximate: a.Address1 == "",
	}}
}

// phones lists the voice numbers, then TTY and fax numbers.
func phones(r *record) []peerfind.Phone {
	var out []peerfind.Phone
	seen := map[string]bool{}
	add := func(p peerfind.Phone) {
		p.Number = textutil.Clean(p.Number)
		if p.Number == "" || seen[p.Type+p.Number+p.Extension] {
			return
		}
		seen[p.Type+p.Number+p.Extension] = true
		out = append(out, p)
	}
	for _, p := range r.Phones {
		desc := strings.TrimSuffix(strings.TrimPrefix(textutil.Clean(p.Hours), "("), ")")
		if d := textutil.Clean(p.Department); d != "" {
			desc = strings.TrimSpace(d + " " + desc)
		}
		typ := "voice"
		if strings.EqualFold(p.Type, "tty") {
			typ = "textphone"
		}
		add(peerfind.Phone{Number: p.Number, Extension: textutil.Clean(p.Extension), Type: typ, Description: desc})
	}
	add(peerfind.Phone{Number: string(r.TelephoneNo), Type: "voice"})
	for _, n := range r.TTYs {
		add(peerfind.Phone{Number: n, Type: "textphone"})
	}
	for _, n := range append(r.Faxes, string(r.FaxNo)) {
		add(peerfind.Phone{Number: n, Type: "fax"})
	}
	return out
}

// roleAddress matches the local part of an address that belongs to a
// role or an office rather than a person.
var roleAddress = regexp.MustCompile(`(?i)^(info|information|contact|contactus|help|helpline|hotline|office|admin|intake|services?|support|mail|inquir\w*|questions|general|reception|central|programs?|volunteers?|referrals?|hello|team|staff|frontdesk|front\.desk|webmaster|director|centraloffice|events?|outreach)([._-]?\w+)?$`)

// roleEmail returns the first address that is an office's or a role's,
// never a person's (the directory lists staff members' addresses too).
func roleEmail(list []string) string {
	for _, e := range list {
		e = textutil.Clean(e)
		local, domain, ok := strings.Cut(e, "@")
		if !ok || !strings.Contains(domain, ".") {
			continue
		}
		if roleAddress.MatchString(local) {
			return e
		}
	}
	return ""
}

func flexList(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func hasArea(list []peerfind.ServiceArea, name string) bool {
	for _, a := range list {
		if strings.EqualFold(a.Name, name) {
			return true
		}
	}
	return false
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// cleanName tidies the directory's hierarchical names
// ("Behavioral Health and Recovery Services., Cordilleras Center").
func cleanName(s string) string {
	s = strings.ReplaceAll(textutil.Clean(s), "., ", ", ")
	return strings.TrimSpace(strings.TrimSuffix(s, "."))
}

// repairURL returns u as an http(s) URL ("www.x.org" becomes
// "http://www.x.org"), or false.
func repairURL(u string) (string, bool) {
	u = textutil.Clean(u)
	if u == "" {
		return "", false
	}
	if !strings.Contains(u, "://") && !strings.ContainsAny(u, " @") && strings.Contains(u, ".") {
		u = "http://" + u
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || !strings.Contains(p.Host, ".") {
		return "", false
	}
	return u, true
}

// firstByte returns the first byte that is not white space, consuming
// nothing but a UTF-8 byte order mark (so that line numbers stay right).
func firstByte(br *bufio.Reader) (byte, error) {
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	for n := 1; n <= br.Size(); n++ {
		b, err := br.Peek(n)
		if len(b) < n {
			if err == nil {
				err = io.EOF
			}
			return 0, err
		}
		if c := b[n-1]; c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c, nil
		}
	}
	return '\n', nil // a very long run of white space: read it as lines
}
