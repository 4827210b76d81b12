package peerfind

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb/geojson"
)

// This file projects a Service onto Open Referral HSDS 3.0 objects (the
// fully nested service of the HSDS API and, flattened, its tabular data
// package) and back. What HSDS has no field for travels as attributes:
//
//   - peer-support terms: attributes whose taxonomy_term belongs to the
//     taxonomy "peerfind:<facet>" (code = the term id), e.g.
//     peerfind:category / self-help-group;
//   - meeting details, provenance and location details: attributes of the
//     taxonomy "peerfind:meta" whose term code names the field
//     (meeting.conference_url, provenance.source_url, ...) and whose value
//     holds it;
//   - source terms (a source's own taxonomy): taxonomy "peerfind:source".
//
// Ids are UUIDv5 of the peerfind id, so the same record always gets the
// same HSDS id; the peerfind id itself is the attribute peerfind:meta/id.
// FromHSDS(ToHSDS(s)) == s for every valid record.

// HSDSVersion is the HSDS version the projection follows.
const HSDSVersion = "3.0"

// TaxonomyMeta and TaxonomySource name the attribute taxonomies that carry
// the fields HSDS lacks and a source's own taxonomy terms.
const (
	TaxonomyMeta   = "peerfind:meta"
	TaxonomySource = "peerfind:source"
)

// HSDSTaxonomyName returns the HSDS taxonomy name of a peerfind facet.
func HSDSTaxonomyName(facet string) string { return "peerfind:" + facet }

var uuidNamespace = [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// HSDSID returns the deterministic UUID (version 5) that stands for name,
// e.g. HSDSID("service", s.ID).
func HSDSID(parts ...string) string {
	h := sha1.New()
	h.Write(uuidNamespace[:])
	h.Write([]byte("peerfind:" + strings.Join(parts, ":")))
	b := h.Sum(nil)[:16]
	b[6] = (b[6] & 0x0f) | 0x50
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// HSDSService is a fully nested HSDS 3.0 service.
type HSDSService struct {
	ID              string                  `json:"id"`
	OrganizationID  string                  `json:"organization_id,omitempty"`
	Name            string                  `json:"name"`
	AlternateName   string                  `json:"alternate_name,omitempty"`
	Description     string                  `json:"description,omitempty"`
	URL             string                  `json:"url,omitempty"`
	Email           string                  `json:"email,omitempty"`
	Status          string                  `json:"status"`
	FeesDescription string                  `json:"fees_description,omitempty"`
	AssuredDate     string                  `json:"assured_date,omitempty"`
	LastModified    string                  `json:"last_modified,omitempty"`
	Organization    *HSDSOrganization       `json:"organization,omitempty"`
	Phones          []HSDSPhone             `json:"phones"`
	Schedules       []HSDSSchedule          `json:"schedules"`
	ServiceAreas    []HSDSServiceArea       `json:"service_areas"`
	Languages       []HSDSLanguage          `json:"languages"`
	SALs            []HSDSServiceAtLocation `json:"service_at_locations"`
	Attributes      []HSDSAttribute         `json:"attributes"`
}

// HSDSOrganization is an HSDS 3.0 organization.
type HSDSOrganization struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Website     string `json:"website,omitempty"`
	Email       string `json:"email,omitempty"`
	// Services lists the organization's services (organization endpoint).
	Services []HSDSService `json:"services,omitempty"`
}

// HSDSLocation is an HSDS 3.0 location with its addresses.
type HSDSLocation struct {
	ID           string          `json:"id"`
	LocationType string          `json:"location_type"`
	Name         string          `json:"name,omitempty"`
	Description  string          `json:"description,omitempty"`
	Latitude     *float64        `json:"latitude,omitempty"`
	Longitude    *float64        `json:"longitude,omitempty"`
	Addresses    []HSDSAddress   `json:"addresses"`
	Attributes   []HSDSAttribute `json:"attributes,omitempty"`
}

// HSDSAddress is an HSDS 3.0 address.
type HSDSAddress struct {
	ID            string `json:"id"`
	LocationID    string `json:"location_id,omitempty"`
	Address1      string `json:"address_1"`
	Address2      string `json:"address_2,omitempty"`
	City          string `json:"city"`
	Region        string `json:"region,omitempty"`
	StateProvince string `json:"state_province"`
	PostalCode    string `json:"postal_code"`
	Country       string `json:"country"`
	AddressType   string `json:"address_type"`
}

// HSDSServiceAtLocation links a service to a location.
type HSDSServiceAtLocation struct {
	ID         string        `json:"id"`
	ServiceID  string        `json:"service_id,omitempty"`
	LocationID string        `json:"location_id,omitempty"`
	Location   *HSDSLocation `json:"location,omitempty"`
	// Service is set in service_at_location answers.
	Service *HSDSService `json:"service,omitempty"`
}

// HSDSPhone is an HSDS 3.0 phone.
type HSDSPhone struct {
	ID          string   `json:"id"`
	ServiceID   string   `json:"service_id,omitempty"`
	Number      string   `json:"number"`
	Extension   *float64 `json:"extension,omitempty"`
	Type        string   `json:"type,omitempty"`
	Description string   `json:"description,omitempty"`
}

// HSDSSchedule is an HSDS 3.0 schedule (RFC 5545 vocabulary).
type HSDSSchedule struct {
	ID          string          `json:"id"`
	ServiceID   string          `json:"service_id,omitempty"`
	Freq        string          `json:"freq,omitempty"`
	Interval    *float64        `json:"interval,omitempty"`
	ByDay       string          `json:"byday,omitempty"`
	OpensAt     string          `json:"opens_at,omitempty"`
	ClosesAt    string          `json:"closes_at,omitempty"`
	Description string          `json:"description,omitempty"`
	Attributes  []HSDSAttribute `json:"attributes,omitempty"`
}

// HSDSServiceArea is an HSDS 3.0 service area; extent is GeoJSON text.
type HSDSServiceArea struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Extent      string `json:"extent,omitempty"`
	ExtentType  string `json:"extent_type,omitempty"`
	URI         string `json:"uri,omitempty"`
}

// HSDSLanguage is an HSDS 3.0 language.
type HSDSLanguage struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Code      string `json:"code,omitempty"`
}

// HSDSAttribute is an HSDS 3.0 attribute with its taxonomy term.
type HSDSAttribute struct {
	ID             string            `json:"id"`
	LinkID         string            `json:"link_id,omitempty"`
	TaxonomyTermID string            `json:"taxonomy_term_id,omitempty"`
	LinkType       string            `json:"link_type,omitempty"`
	LinkEntity     string            `json:"link_entity,omitempty"`
	Value          string            `json:"value,omitempty"`
	TaxonomyTerm   *HSDSTaxonomyTerm `json:"taxonomy_term,omitempty"`
}

// HSDSTaxonomyTerm is an HSDS 3.0 taxonomy term.
type HSDSTaxonomyTerm struct {
	ID          string `json:"id"`
	Code        string `json:"code,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description"`
	ParentID    string `json:"parent_id,omitempty"`
	Taxonomy    string `json:"taxonomy,omitempty"`
	Language    string `json:"language,omitempty"`
	TaxonomyID  string `json:"taxonomy_id,omitempty"`
}

// HSDSTaxonomy is an HSDS 3.0 taxonomy.
type HSDSTaxonomy struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	URI         string `json:"uri,omitempty"`
	Version     string `json:"version,omitempty"`
}

// HSDSTerm returns the HSDS taxonomy term of a term: a peerfind facet's term
// (labelled from tax when it knows it), a meta field or a source term.
func HSDSTerm(tax *Taxonomy, taxonomy, code string) *HSDSTaxonomyTerm {
	t := &HSDSTaxonomyTerm{ID: HSDSID("term", taxonomy, code), Code: code, Name: code, Taxonomy: taxonomy,
		TaxonomyID: HSDSID("taxonomy", taxonomy), Language: "en"}
	if facet, ok := strings.CutPrefix(taxonomy, "peerfind:"); ok && tax != nil {
		if tt := tax.Term(facet, code); tt != nil {
			t.Name, t.Description = tt.LabelFor("en"), tt.Description
		}
	}
	switch taxonomy {
	case TaxonomyMeta:
		t.Description = "peerfind field " + code + " (the attribute's value holds it)"
	case TaxonomySource:
		t.Description = "a term of the source's own taxonomy"
	}
	if t.Description == "" {
		t.Description = t.Name
	}
	return t
}

// ToHSDS projects s onto a fully nested HSDS 3.0 service.
func ToHSDS(s *Service, tax *Taxonomy) *HSDSService {
	sid := HSDSID("service", s.ID)
	oid := HSDSOrganizationID(s)
	h := &HSDSService{
		ID: sid, OrganizationID: oid, Name: s.Name, AlternateName: s.AlternateName, Description: s.Description,
		URL: s.URL, Email: s.Email, Status: s.Status, FeesDescription: s.FeesDescription, AssuredDate: s.AssuredDate,
		Organization: &HSDSOrganization{ID: oid, Name: s.Organization.Name, Description: s.Organization.Description,
			Website: s.Organization.URL, Email: s.Organization.Email},
		Phones: []HSDSPhone{}, Schedules: []HSDSSchedule{}, ServiceAreas: []HSDSServiceArea{},
		Languages: []HSDSLanguage{}, SALs: []HSDSServiceAtLocation{}, Attributes: []HSDSAttribute{},
	}
	if s.Provenance.Retrieved != "" {
		h.LastModified = s.Provenance.Retrieved + "T00:00:00Z"
	}
	attr := func(owner, entity, taxonomy, code, value string) HSDSAttribute {
		t := HSDSTerm(tax, taxonomy, code)
		return HSDSAttribute{ID: HSDSID("attribute", owner, taxonomy, code, value), LinkID: owner, LinkType: entity,
			LinkEntity: entity, TaxonomyTermID: t.ID, Value: value, TaxonomyTerm: t}
	}
	meta := func(code, value string) {
		if value != "" {
			h.Attributes = append(h.Attributes, attr(sid, "service", TaxonomyMeta, code, value))
		}
	}
	meta("id", s.ID)
	meta("organization.id", s.Organization.ID)
	if s.Organization.Description == "" {
		// HSDS requires an organization description; the name stands in.
		h.Organization.Description = s.Organization.Name
		meta("organization.no_description", "true")
	}
	for i, p := range s.Phones {
		hp := HSDSPhone{ID: HSDSID("phone", s.ID, strconv.Itoa(i)), ServiceID: sid, Number: p.Number, Type: p.Type, Description: p.Description}
		if p.Extension != "" {
			if f, err := strconv.ParseFloat(p.Extension, 64); err == nil && strconv.FormatFloat(f, 'f', -1, 64) == p.Extension {
				hp.Extension = &f
			} else {
				meta(fmt.Sprintf("phones.%d.extension", i), p.Extension)
			}
		}
		h.Phones = append(h.Phones, hp)
	}
	for i, sc := range s.Schedules {
		id := HSDSID("schedule", s.ID, strconv.Itoa(i))
		hs := HSDSSchedule{ID: id, ServiceID: sid, Freq: sc.Freq, ByDay: strings.Join(sc.ByDay, ","),
			OpensAt: sc.OpensAt, ClosesAt: sc.ClosesAt, Description: sc.Description}
		if sc.Interval != 0 {
			f := float64(sc.Interval)
			hs.Interval = &f
		}
		if sc.Timezone != "" {
			hs.Attributes = append(hs.Attributes, attr(id, "schedule", TaxonomyMeta, "timezone", sc.Timezone))
		}
		h.Schedules = append(h.Schedules, hs)
	}
	for i, a := range s.ServiceAreas {
		ha := HSDSServiceArea{ID: HSDSID("service_area", s.ID, strconv.Itoa(i)), ServiceID: sid, Name: a.Name,
			Description: a.Description, URI: a.URI}
		if a.Extent != nil {
			if b, err := json.Marshal(a.Extent); err == nil {
				ha.Extent, ha.ExtentType = string(b), "geojson"
			}
		} else if a.Kind != "" {
			// An area by reference travels as text: "county:48453",
			// "zip:78701,78702", "nationwide".
			ha.Extent, ha.ExtentType = areaRefText(a), "text"
		}
		h.ServiceAreas = append(h.ServiceAreas, ha)
	}
	for _, l := range s.Languages {
		name := l
		if tax != nil {
			if t := tax.Term(FacetLanguage, l); t != nil {
				name = t.LabelFor("en")
			}
		}
		h.Languages = append(h.Languages, HSDSLanguage{ID: HSDSID("language", s.ID, l), ServiceID: sid, Name: name, Code: l})
	}
	for i, l := range s.Locations {
		lid := HSDSID("location", s.ID, strconv.Itoa(i))
		hl := &HSDSLocation{ID: lid, LocationType: "physical", Name: l.Name, Description: l.Description,
			Latitude: l.Latitude, Longitude: l.Longitude, Addresses: []HSDSAddress{}}
		if l.Address != (Address{}) {
			a := l.Address
			hl.Addresses = append(hl.Addresses, HSDSAddress{ID: HSDSID("address", s.ID, strconv.Itoa(i)), LocationID: lid,
				Address1: a.Address1, Address2: a.Address2, City: a.City, Region: a.Region, StateProvince: a.StateProvince,
				PostalCode: a.PostalCode, Country: a.Country, AddressType: "physical"})
		}
		lmeta := func(code, value string) {
			if value != "" {
				hl.Attributes = append(hl.Attributes, attr(lid, "location", TaxonomyMeta, code, value))
			}
		}
		lmeta("location.id", l.ID)
		if l.Address != (Address{}) && !l.Address.Complete() {
			// Tabular HSDS drops addresses missing a required part; the
			// attribute keeps it.
			if b, err := json.Marshal(l.Address); err == nil {
				lmeta("location.partial_address", string(b))
			}
		}
		if l.Approximate {
			lmeta("location.approximate", "true")
		}
		lmeta("location.geocoded_from", l.GeocodedFrom)
		h.SALs = append(h.SALs, HSDSServiceAtLocation{ID: HSDSID("service_at_location", s.ID, strconv.Itoa(i)),
			ServiceID: sid, LocationID: lid, Location: hl})
	}
	for _, f := range Facets {
		if f == FacetLanguage {
			continue
		}
		for _, id := range s.TermIDs(f) {
			h.Attributes = append(h.Attributes, attr(sid, "service", HSDSTaxonomyName(f), id, ""))
		}
	}
	for _, t := range s.SourceTerms {
		h.Attributes = append(h.Attributes, attr(sid, "service", TaxonomySource, t, ""))
	}
	if m := s.Meeting; m != nil {
		meta("meeting", "true")
		meta("meeting.open_closed", m.OpenClosed)
		meta("meeting.group", m.Group)
		meta("meeting.types", strings.Join(m.Types, ","))
		meta("meeting.conference_url", m.ConferenceURL)
		meta("meeting.conference_url_notes", m.ConferenceURLNotes)
		meta("meeting.conference_phone", m.ConferencePhone)
		meta("meeting.conference_phone_notes", m.ConferencePhoneNotes)
		meta("meeting.location_notes", m.LocationNotes)
	}
	p := s.Provenance
	meta("provenance.source_url", p.SourceURL)
	meta("provenance.source_kind", p.SourceKind)
	meta("provenance.source_name", p.SourceName)
	meta("provenance.source_id", p.SourceID)
	meta("provenance.retrieved", p.Retrieved)
	meta("provenance.license", p.License)
	meta("provenance.attribution", p.Attribution)
	if len(s.OtherSources) > 0 {
		if b, err := json.Marshal(s.OtherSources); err == nil {
			meta("other_sources", string(b))
		}
	}
	return h
}

// HSDSOrganizationID returns the HSDS id of a service's organization:
// services whose organizations are identical share it.
func HSDSOrganizationID(s *Service) string {
	o := s.Organization
	return HSDSID("organization", o.ID, o.Name, o.Description, o.URL, o.Email)
}

// Complete reports whether the address has every part HSDS tabular data
// requires (address_1, city, state_province, postal_code, country).
func (a Address) Complete() bool {
	return a.Address1 != "" && a.City != "" && a.StateProvince != "" && a.PostalCode != "" && a.Country != ""
}

// IsPeerfindHSDS reports whether h was written by ToHSDS (it carries the
// peerfind:meta id attribute), so FromHSDS restores it exactly.
func IsPeerfindHSDS(h *HSDSService) bool {
	for _, a := range h.Attributes {
		if a.TaxonomyTerm != nil && a.TaxonomyTerm.Taxonomy == TaxonomyMeta && a.TaxonomyTerm.Code == "id" {
			return true
		}
	}
	return false
}

// FromHSDS restores the record ToHSDS projected. Attributes of other
// taxonomies become SourceTerms (by name); peerfind terms are kept as they
// are (the caller validates against its taxonomy).
func FromHSDS(h *HSDSService) *Service {
	s := &Service{Name: h.Name, AlternateName: h.AlternateName, Description: h.Description, URL: h.URL,
		Email: h.Email, Status: h.Status, FeesDescription: h.FeesDescription, AssuredDate: h.AssuredDate, ID: h.ID}
	if o := h.Organization; o != nil {
		s.Organization = Organization{Name: o.Name, Description: o.Description, URL: o.Website, Email: o.Email}
	}
	meta := map[string]string{}
	for _, a := range h.Attributes {
		t := a.TaxonomyTerm
		if t == nil {
			continue
		}
		switch {
		case t.Taxonomy == TaxonomyMeta:
			meta[t.Code] = a.Value
		case t.Taxonomy == TaxonomySource:
			s.SourceTerms = append(s.SourceTerms, t.Code)
		case strings.HasPrefix(t.Taxonomy, "peerfind:"):
			// Languages travel as HSDS languages, not as attributes.
			if facet := strings.TrimPrefix(t.Taxonomy, "peerfind:"); facet != FacetLanguage {
				s.AddTerm(facet, t.Code)
			}
		default:
			name := t.Name
			if t.Code != "" && t.Code != t.Name {
				name = strings.TrimSpace(t.Code + " " + t.Name)
			}
			if name != "" {
				s.SourceTerms = append(s.SourceTerms, name)
			}
		}
	}
	if id := meta["id"]; id != "" {
		s.ID = id
	}
	s.Organization.ID = meta["organization.id"]
	if meta["organization.no_description"] == "true" {
		s.Organization.Description = ""
	}
	for i, p := range h.Phones {
		ph := Phone{Number: p.Number, Type: p.Type, Description: p.Description}
		if p.Extension != nil {
			ph.Extension = strconv.FormatFloat(*p.Extension, 'f', -1, 64)
		} else {
			ph.Extension = meta[fmt.Sprintf("phones.%d.extension", i)]
		}
		s.Phones = append(s.Phones, ph)
	}
	for _, sc := range h.Schedules {
		out := Schedule{Freq: sc.Freq, OpensAt: sc.OpensAt, ClosesAt: sc.ClosesAt, Description: sc.Description}
		if sc.Interval != nil {
			out.Interval = int(*sc.Interval)
		}
		for _, d := range strings.Split(sc.ByDay, ",") {
			if d = strings.TrimSpace(d); d != "" {
				out.ByDay = append(out.ByDay, d)
			}
		}
		for _, a := range sc.Attributes {
			if a.TaxonomyTerm != nil && a.TaxonomyTerm.Taxonomy == TaxonomyMeta && a.TaxonomyTerm.Code == "timezone" {
				out.Timezone = a.Value
			}
		}
		s.Schedules = append(s.Schedules, out)
	}
	for _, a := range h.ServiceAreas {
		sa := ServiceArea{Name: a.Name, Description: a.Description, URI: a.URI}
		if a.ExtentType == "text" {
			sa.Kind, sa.Codes = ParseAreaRef(a.Extent)
		} else if a.Extent != "" {
			var g geojson.Geometry
			if err := json.Unmarshal([]byte(a.Extent), &g); err == nil {
				sa.Extent = &g
			}
		}
		s.ServiceAreas = append(s.ServiceAreas, sa)
	}
	for _, l := range h.Languages {
		if l.Code != "" {
			s.Languages = append(s.Languages, l.Code)
		}
	}
	for _, sal := range h.SALs {
		hl := sal.Location
		if hl == nil || hl.LocationType == "virtual" {
			continue
		}
		l := Location{Name: hl.Name, Description: hl.Description, Latitude: hl.Latitude, Longitude: hl.Longitude}
		for _, a := range hl.Addresses {
			if a.AddressType != "" && a.AddressType != "physical" && l.Address != (Address{}) {
				continue
			}
			l.Address = Address{Address1: a.Address1, Address2: a.Address2, City: a.City, Region: a.Region,
				StateProvince: a.StateProvince, PostalCode: a.PostalCode, Country: a.Country}
		}
		for _, a := range hl.Attributes {
			if a.TaxonomyTerm == nil || a.TaxonomyTerm.Taxonomy != TaxonomyMeta {
				continue
			}
			switch a.TaxonomyTerm.Code {
			case "location.id":
				l.ID = a.Value
			case "location.approximate":
				l.Approximate = a.Value == "true"
			case "location.geocoded_from":
				l.GeocodedFrom = a.Value
			case "location.partial_address":
				if l.Address == (Address{}) {
					_ = json.Unmarshal([]byte(a.Value), &l.Address)
				}
			}
		}
		s.Locations = append(s.Locations, l)
	}
	if meta["meeting"] == "true" {
		m := &Meeting{OpenClosed: meta["meeting.open_closed"], Group: meta["meeting.group"],
			ConferenceURL: meta["meeting.conference_url"], ConferenceURLNotes: meta["meeting.conference_url_notes"],
			ConferencePhone: meta["meeting.conference_phone"], ConferencePhoneNotes: meta["meeting.conference_phone_notes"],
			LocationNotes: meta["meeting.location_notes"]}
		if t := meta["meeting.types"]; t != "" {
			m.Types = strings.Split(t, ",")
		}
		s.Meeting = m
	}
	s.Provenance = Provenance{SourceURL: meta["provenance.source_url"], SourceKind: meta["provenance.source_kind"],
		SourceName: meta["provenance.source_name"], SourceID: meta["provenance.source_id"],
		Retrieved: meta["provenance.retrieved"], License: meta["provenance.license"], Attribution: meta["provenance.attribution"]}
	if o := meta["other_sources"]; o != "" {
		_ = json.Unmarshal([]byte(o), &s.OtherSources)
	}
	return s
}

// areaRefText writes an area given by reference as HSDS extent text.
func areaRefText(a ServiceArea) string {
	if len(a.Codes) == 0 {
		return a.Kind
	}
	return a.Kind + ":" + strings.Join(a.Codes, ",")
}

// ParseAreaRef reads an HSDS service_area extent of extent_type "text"
// written by ToHSDS ("county:48453", "zip:78701,78702", "nationwide");
// other text gives no
// reference.
func ParseAreaRef(s string) (kind string, codes []string) {
	kind, list, _ := strings.Cut(strings.TrimSpace(s), ":")
	switch kind {
	case AreaNationwide:
		return kind, nil
	case AreaState, AreaCounty, AreaZIP:
		for _, c := range strings.Split(list, ",") {
			if c = strings.TrimSpace(c); c != "" {
				codes = append(codes, c)
			}
		}
		if len(codes) > 0 {
			return kind, codes
		}
	}
	return "", nil
}
