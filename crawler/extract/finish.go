package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/crawler/normalize"
)

// Limits on what one page may yield.
const (
	// MaxRecords is the most records Extract keeps from one page; the
	// rest are skipped with a reason.
	MaxRecords = 5000
	// maxDescription bounds descriptions, in bytes (UTF-8-safe cut).
	maxDescription = 5000
)

// groupWords say that a text speaks of a support group or of peer
// support, for records that no taxonomy phrase put in a category.
var groupWords = regexp.MustCompile(`(?i)\b(support groups?|peer[- ]support|peer[- ]to[- ]peer|mutual support|grupos? de apoyo|apoyo mutuo|sharing circle|recovery meetings?)\b`)

// gatheringWords say that an event is a recurring group meeting.
var gatheringWords = regexp.MustCompile(`(?i)\b(group|meeting|meets|circle|grupo|reuni[oó]n)\b`)

// finisher turns drafts into valid records for one page.
type finisher struct {
	p    Page
	tax  *peerfind.Taxonomy
	rep  *peerfind.Report
	kind string // provenance source kind
	seen map[string]string
	out  []*peerfind.Service
}

// add classifies the draft, decides whether it is peer support, gives it
// provenance and an id, validates it and keeps it, or reports why not.
func (f *finisher) add(d *draft, item string) {
	f.rep.Read++
	s := d.s
	if s.Name == "" {
		f.rep.Skip(item, "no name")
		return
	}
	item = normalize.Clip(s.Name, 80)
	if len(f.out) >= MaxRecords {
		f.rep.Skip(item, "more than %d records on the page", MaxRecords)
		return
	}
	key := peerfind.Fold(s.Name) + "|" + peerfind.Fold(d.address)
	if first, dup := f.seen[key]; dup {
		f.rep.Skip(item, "duplicate of %s (same name and address)", first)
		return
	}
	tax := f.tax
	tax.Apply(s, tax.Classify(d.texts...)...)
	for _, t := range d.terms {
		refs := tax.Classify(t)
		if len(refs) == 0 {
			f.rep.Warn(item, "unknown term %q", normalize.Clip(t, 60))
		}
		tax.Apply(s, refs...)
	}
	f.languages(s, d.rawLangs, item)
	// Attendance and cost set by the mapper may be missing from an old
	// taxonomy; keep only known terms.
	s.Attendance = known(tax, peerfind.FacetAttendance, s.Attendance)
	if s.Cost != "" && tax.Term(peerfind.FacetCost, s.Cost) == nil {
		s.Cost = ""
	}
	if len(s.Categories) == 0 {
		text := strings.Join(d.texts, " ")
		switch {
		case groupWords.MatchString(text) || (d.isEvent && f.p.Source.PeerOnly && gatheringWords.MatchString(text)):
			tax.Apply(s, peerfind.TermRef{Facet: peerfind.FacetCategory, ID: "self-help-group"})
		case f.p.Source.PeerOnly && d.isEvent:
			tax.Apply(s, peerfind.TermRef{Facet: peerfind.FacetCategory, ID: "self-help-group"})
			f.rep.Warn(item, "category self-help-group assumed: an event of a peer-support source")
		case f.p.Source.PeerOnly:
			tax.Apply(s, peerfind.TermRef{Facet: peerfind.FacetCategory, ID: "peer-delivered-service"})
			f.rep.Warn(item, "category peer-delivered-service assumed: a record of a peer-support source")
		default:
			f.rep.Skip(item, "not peer support")
			return
		}
	}
	if s.Organization.Name == "" {
		s.Organization.Name = normalize.Text(f.p.Source.Name, peerfind.MaxNameLen)
	}
	host := ""
	if f.p.URL != nil {
		host = strings.ToLower(f.p.URL.Hostname())
		s.Provenance.SourceURL = f.p.URL.String()
	}
	s.ID = stableID(host, s.Name, d.address)
	s.Provenance.SourceKind = f.kind
	s.Provenance.SourceName = f.p.Source.Name
	s.Provenance.Retrieved = f.p.Retrieved.UTC().Format("2006-01-02")
	s.Provenance.License = f.p.Source.License
	s.Provenance.Attribution = f.p.Source.Attribution
	if err := s.Validate(f.tax); err != nil {
		f.rep.Skip(item, "%v", err)
		return
	}
	f.seen[key] = s.ID
	f.out = append(f.out, s)
}

// languages maps raw language names and tags to the taxonomy's codes.
func (f *finisher) languages(s *peerfind.Service, raw []string, item string) {
	for _, r := range raw {
		for _, part := range strings.FieldsFunc(r, func(c rune) bool { return c == ',' || c == ';' || c == '/' }) {
			c := normalize.Language(part)
			if c == "" {
				if t := f.tax.Facet(peerfind.FacetLanguage); t != nil {
					if term := t.Resolve(strings.TrimSpace(part)); term != nil {
						c = term.ID
					}
				}
			}
			if c == "" || f.tax.Term(peerfind.FacetLanguage, c) == nil {
				f.rep.Warn(item, "unknown language %q", normalize.Clip(strings.TrimSpace(part), 40))
				continue
			}
			f.tax.Apply(s, peerfind.TermRef{Facet: peerfind.FacetLanguage, ID: c})
		}
	}
}

func known(tax *peerfind.Taxonomy, facet string, ids []string) []string {
	var out []string
	for _, id := range ids {
		if tax.Term(facet, id) != nil {
			out = append(out, id)
		}
	}
	return out
}

// stableID is "web-" and the first 16 hex digits of the SHA-256 of the
// page host, the folded name and the folded address: the same group on
// the same site gets the same id on every crawl, whichever page or
// extractor finds it.
func stableID(host, name, address string) string {
	h := sha256.Sum256([]byte(host + "\x00" + peerfind.Fold(name) + "\x00" + peerfind.Fold(address)))
	return "web-" + hex.EncodeToString(h[:8])
}

// sanitize cleans the text fields of a record produced by a reader that
// does not strip markup itself (Meeting Guide, HSDS), so that every
// record Extract returns holds plain text and http(s) URLs only.
func sanitize(s *peerfind.Service, warn func(string, ...any)) {
	s.Name = normalize.Text(s.Name, peerfind.MaxNameLen)
	s.AlternateName = normalize.Text(s.AlternateName, peerfind.MaxNameLen)
	s.Description = normalize.Text(s.Description, maxDescription)
	s.FeesDescription = normalize.Text(s.FeesDescription, 1000)
	s.Organization.Name = normalize.Text(s.Organization.Name, peerfind.MaxNameLen)
	s.Organization.Description = normalize.Text(s.Organization.Description, maxDescription)
	s.URL = cleanURL(s.URL, nil, "url", warn)
	s.Organization.URL = cleanURL(s.Organization.URL, nil, "organization.url", warn)
	for i := range s.Locations {
		l := &s.Locations[i]
		l.Name = normalize.Text(l.Name, peerfind.MaxNameLen)
		l.Description = normalize.Text(l.Description, 1000)
		l.Address.Address1 = normalize.Text(l.Address.Address1, 200)
		l.Address.Address2 = normalize.Text(l.Address.Address2, 200)
		l.Address.City = normalize.Text(l.Address.City, 100)
	}
	for i := range s.Phones {
		s.Phones[i].Description = normalize.Text(s.Phones[i].Description, 300)
	}
	for i := range s.Schedules {
		s.Schedules[i].Description = normalize.Text(s.Schedules[i].Description, 300)
	}
	if m := s.Meeting; m != nil {
		m.Group = normalize.Text(m.Group, peerfind.MaxNameLen)
		m.LocationNotes = normalize.Text(m.LocationNotes, 1000)
		m.ConferenceURLNotes = normalize.Text(m.ConferenceURLNotes, 300)
		m.ConferencePhoneNotes = normalize.Text(m.ConferencePhoneNotes, 300)
		m.ConferenceURL = cleanURL(m.ConferenceURL, nil, "meeting.conference_url", warn)
	}
}

func itemName(i int) string { return fmt.Sprintf("#%d", i+1) }
