package indexer

import (
	"slices"
	"strings"
	"unicode"

	"github.com/peerfind/peerfind"
)

// document turns a record into the search document bleve indexes: the
// record denormalized into text fields, one keyword field per facet and
// its points. The texts of its taxonomy terms are not in it: they are
// read from its tags (tagWords). The record itself is saved beside the
// index (records.go).
func document(s *peerfind.Service) map[string]any {
	// The prose is a list, one value per part, so that a phrase does not
	// run from one part into the next. With the labels and synonyms of
	// the record's terms, read from its tags, it is fieldText (tagWords).
	prose := proseOf(s)
	d := map[string]any{
		"_type":     docType,
		fieldName:   joinNonEmpty(s.Name, s.AlternateName),
		fieldOrg:    s.Organization.Name,
		fieldProse:  prose,
		fieldStatus: s.Status,
		fieldMode:   s.Mode(),
		fieldRemote: remoteKey(s),
	}
	for _, f := range peerfind.Facets {
		if ids := s.TermIDs(f); len(ids) > 0 {
			d[f] = joinParts(ids)
		}
	}
	if es := spanishProse(s, prose); len(es) > 0 {
		d[fieldProseES] = joinParts(es)
	}
	if s.AssuredDate != "" {
		d[fieldAssured] = s.AssuredDate
	}
	if toks := areaTokens(s); len(toks) > 0 {
		d[fieldArea] = joinParts(toks)
	}
	if shape := areaShape(s); shape != nil {
		d[fieldShape] = shape
	}
	when, starts, open := whenTokens(s)
	for f, toks := range map[string][]string{fieldWhen: when, fieldStarts: starts, fieldOpenBlocks: open} {
		if len(toks) > 0 {
			d[f] = joinParts(toks)
		}
	}
	var pts []map[string]any
	for _, p := range s.Points() {
		pts = append(pts, map[string]any{"lat": p.Lat(), "lon": p.Lon()})
	}
	if len(pts) > 0 {
		d[fieldLoc] = pts
	}
	return d
}

// proseOf is a record's own text, part by part: its names, its
// organization's, its description, its places and its group's name.
func proseOf(s *peerfind.Service) []string {
	var place []string
	for _, l := range s.Locations {
		a := l.Address
		for _, p := range []string{l.Name, a.City, a.Region, a.StateProvince, a.PostalCode} {
			if p = strings.TrimSpace(p); p != "" {
				place = append(place, p)
			}
		}
	}
	return nonEmpty(s.Name, s.AlternateName, s.Organization.Name, s.Description, strings.Join(place, " "), groupName(s))
}

// spanishProse is the prose (proseOf) the Spanish analysis holds: a
// record's own, when the record is in Spanish; none otherwise. English
// prose under a Spanish stemmer mostly repeated the English terms
// ("substanc", "us") and doubled the postings an English need walks;
// what it added besides were cognates ("lectura" finding "lecture"),
// which the English text still matches in part (accents folded,
// "depresión" is "depression"). With the Spanish labels and synonyms of
// the record's terms (termTextES, read from the tags: tagWords) it is
// fieldTextES.
func spanishProse(s *peerfind.Service, prose []string) []string {
	if inSpanish(s, prose) {
		return prose
	}
	return nil
}

// labels are the texts of a taxonomy's terms as the search document
// held them (termText, termTextES), by facet and term id, made once: the
// labels tagWords reads for the tags.
type labels struct {
	texts map[peerfind.TermRef][2]string
}

// newLabels returns the labels of tax, which may be nil (no terms).
func newLabels(tax *peerfind.Taxonomy) *labels {
	l := &labels{texts: map[peerfind.TermRef][2]string{}}
	if tax == nil {
		return l
	}
	for _, f := range tax.Facets {
		for _, t := range f.Terms {
			l.texts[peerfind.TermRef{Facet: f.ID, ID: t.ID}] = [2]string{termText(t), termTextES(t)}
		}
	}
	return l
}

// termText is the text of one taxonomy term in the search document.
func termText(t *peerfind.Term) string {
	var parts []string
	for _, l := range []string{"en", "es"} {
		parts = append(parts, t.Label[l])
		parts = append(parts, t.Synonyms[l]...)
	}
	return strings.Join(parts, " · ")
}

// termTextES is the Spanish part of termText: the term's Spanish label
// and synonyms, or "" when it has none.
func termTextES(t *peerfind.Term) string {
	parts := nonEmpty(append([]string{t.Label["es"]}, t.Synonyms["es"]...)...)
	return strings.Join(parts, " · ")
}

// inSpanish reports whether a record's prose is to be analyzed as
// Spanish: the record says it serves in Spanish, or its prose reads as
// Spanish (crawled records often list no languages). Prose reads as
// Spanish when at least three of its words, and an eighth of them, are
// common Spanish function words that English hardly uses.
func inSpanish(s *peerfind.Service, prose []string) bool {
	if slices.Contains(s.Languages, "es") {
		return true
	}
	words, hits := 0, 0
	for _, p := range prose {
		for w := range strings.FieldsFuncSeq(strings.ToLower(p), func(r rune) bool {
			return !unicode.IsLetter(r)
		}) {
			words++
			if spanishMarkers[w] {
				hits++
			}
		}
	}
	return hits >= 3 && hits*8 >= words
}

// spanishMarkers are Spanish function words rare in English prose.
var spanishMarkers = map[string]bool{
	"de": true, "del": true, "la": true, "las": true, "los": true, "el": true,
	"y": true, "para": true, "con": true, "que": true, "por": true,
	"una": true, "en": true, "sus": true, "es": true,
}

func groupName(s *peerfind.Service) string {
	if s.Meeting == nil {
		return ""
	}
	return s.Meeting.Group
}

func joinNonEmpty(parts ...string) string {
	return strings.Join(nonEmpty(parts...), " · ")
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func remoteKey(s *peerfind.Service) string {
	if s.Mode() == peerfind.ModeInPerson {
		return "0"
	}
	return "1"
}

// facetToken is the columns' token of one term of a facet ("lang:es"),
// or of the mode ("mode:online").
func facetToken(facet, id string) string { return facet + ":" + id }
