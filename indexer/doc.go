package indexer

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	bdoc "github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/peerfind/peerfind"
)

// docField is one text or keyword field of a record's search document:
// one value, or a list of values (the prose), which bleve makes a field
// of each, numbered by its array position.
type docField struct {
	name  string
	value string
	list  []string
	many  bool // list is the values, value unused
}

// textFields are the text and keyword fields of a record's search
// document, the record denormalized: its texts, one keyword field per
// facet, its status, mode and areas. The texts of its taxonomy
// terms are not in it: they are read from its tags (tagWords). With its
// areas' polygons, they are the document (document, and mapRecord for a
// build). The record itself is saved beside the index (records.go), and
// so are its points (points.go) and its meeting times (times.go).
func textFields(s *peerfind.Service) []docField {
	// The prose is a list, one value per part, so that a phrase does not
	// run from one part into the next. With the labels and synonyms of
	// the record's terms, read from its tags, it is fieldText (tagWords).
	prose := proseOf(s)
	fs := make([]docField, 0, 12+len(peerfind.Facets))
	fs = append(fs,
		docField{name: fieldName, value: joinNonEmpty(s.Name, s.AlternateName)},
		docField{name: fieldOrg, value: s.Organization.Name},
		docField{name: fieldProse, list: prose, many: true},
		docField{name: fieldStatus, value: s.Status},
		docField{name: fieldMode, value: s.Mode()},
		docField{name: fieldRemote, value: remoteKey(s)},
	)
	for _, f := range peerfind.Facets {
		if ids := s.TermIDs(f); len(ids) > 0 {
			fs = append(fs, docField{name: f, value: joinParts(ids)})
		}
	}
	if es := spanishProse(s, prose); len(es) > 0 {
		fs = append(fs, docField{name: fieldProseES, value: joinParts(es)})
	}
	if s.AssuredDate != "" {
		fs = append(fs, docField{name: fieldAssured, value: s.AssuredDate})
	}
	if toks := areaTokens(s); len(toks) > 0 {
		fs = append(fs, docField{name: fieldArea, value: joinParts(toks)})
	}
	return fs
}

// document is a record's search document as the value bleve's mapping
// reads (IndexMapping.MapDocument): the text fields and the areas'
// polygons. A build maps it more directly (mapRecord); tests and
// bleve's own builder read this one.
func document(s *peerfind.Service) map[string]any {
	d := map[string]any{"_type": docType}
	for _, f := range textFields(s) {
		if f.many {
			d[f.name] = f.list
		} else {
			d[f.name] = f.value
		}
	}
	if shape := areaShape(s); shape != nil {
		d[fieldShape] = shape
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

// docMapper makes a record's bleve document as bleve's mapping makes it
// from document (IndexMapping.MapDocument), without the map: the text
// fields straight from the record, each with its field's
// options and analyzer. MapDocument walks the map by reflection, and the
// map is built to be walked: together a tenth of a build's time. The
// areas' polygons, which few records have, still go through
// MapDocument. TestMapRecordMatchesMapping holds the two to the same
// fields.
type docMapper struct {
	m      mapping.IndexMapping
	fields map[string]fieldMap
}

// fieldMap is how a text or keyword field is indexed.
type fieldMap struct {
	opts     index.FieldIndexingOptions
	analyzer analysis.Analyzer
	// keyword is set when the analyzer makes a token of each part of
	// the value and nothing else (analyzerKeywords): keywordField.
	keyword bool
}

// isPartsAnalyzer reports whether a is the parts tokenizer alone.
func isPartsAnalyzer(a analysis.Analyzer) bool {
	d, ok := a.(*analysis.DefaultAnalyzer)
	if !ok || len(d.CharFilters) > 0 || len(d.TokenFilters) > 0 {
		return false
	}
	_, ok = d.Tokenizer.(partsTokenizerImpl)
	return ok
}

// newDocMapper reads the fields of the search document's mapping in m,
// whose analyzers the documents will use.
func newDocMapper(m mapping.IndexMapping) (*docMapper, error) {
	im, ok := m.(*mapping.IndexMappingImpl)
	if !ok || im.TypeMapping[docType] == nil {
		return nil, fmt.Errorf("map documents: a mapping of type %T without the %q document", m, docType)
	}
	dm := &docMapper{m: m, fields: map[string]fieldMap{}}
	for name, sub := range im.TypeMapping[docType].Properties {
		if !sub.Enabled {
			continue // indexes nothing (_all)
		}
		if len(sub.Fields) != 1 || len(sub.Properties) > 0 {
			return nil, fmt.Errorf("map documents: field %s is not one field mapping", name)
		}
		fm := sub.Fields[0]
		if fm.Name != "" && fm.Name != name {
			return nil, fmt.Errorf("map documents: field %s is named %s", name, fm.Name)
		}
		switch fm.Type {
		case "text":
			a := im.AnalyzerNamed(fm.Analyzer)
			if fm.Analyzer == "" || a == nil {
				return nil, fmt.Errorf("map documents: field %s has no analyzer of its own", name)
			}
			dm.fields[name] = fieldMap{opts: fm.Options(), analyzer: a, keyword: isPartsAnalyzer(a)}
		}
	}
	return dm, nil
}

// mapRecord is record s's bleve document, unanalyzed.
func (dm *docMapper) mapRecord(s *peerfind.Service) (*bdoc.Document, error) {
	doc := bdoc.NewDocument(s.ID)
	doc.Fields = make([]bdoc.Field, 0, 32)
	for _, f := range textFields(s) {
		fm, ok := dm.fields[f.name]
		if !ok {
			return nil, fmt.Errorf("record %q: map document: field %s is not a text field of the mapping", s.ID, f.name)
		}
		if !f.many {
			if fm.keyword && fm.opts&index.StoreField == 0 {
				doc.AddField(&keywordField{name: f.name, value: f.value, options: fm.opts})
			} else {
				doc.AddField(bdoc.NewTextFieldCustom(f.name, []uint64{}, []byte(f.value), fm.opts, fm.analyzer))
			}
			continue
		}
		if len(f.list) > 0 && fm.opts&(index.StoreField|index.DocValues) == 0 {
			doc.AddField(&listField{name: f.name, values: f.list, options: fm.opts, analyzer: fm.analyzer})
			continue
		}
		for i, v := range f.list {
			doc.AddField(bdoc.NewTextFieldCustom(f.name, []uint64{uint64(i)}, []byte(v), fm.opts, fm.analyzer))
		}
	}
	if shape := areaShape(s); shape != nil {
		if err := dm.m.MapDocument(doc, map[string]any{"_type": docType, fieldShape: shape}); err != nil {
			return nil, fmt.Errorf("record %q: map document: %w", s.ID, err)
		}
	}
	doc.SetIndexed()
	return doc, nil
}

// listField is a text field of several values (the prose) as zap indexes
// it: bleve makes a field of each value, numbered by its array position,
// analyzes each into frequencies of its own, and zap merges those of one
// name (TokenFrequencies.MergeAll) into the document's, with the lengths
// summed. listField analyzes the values into the merged frequencies at
// once: the merges and the maps of each value were a tenth of a build's
// analysis. The locations are the list's (positions from 1 in each value,
// its array position); a merged location names its field where the
// first value's does not, which zap reads as the same field. It is
// neither stored nor given doc values (docMapper keeps it to such
// fields), so its value is not kept.
type listField struct {
	name     string
	values   []string
	options  index.FieldIndexingOptions
	analyzer analysis.Analyzer
	length   int
	freqs    index.TokenFrequencies
}

func (f *listField) Name() string                        { return f.name }
func (f *listField) ArrayPositions() []uint64            { return nil }
func (f *listField) Options() index.FieldIndexingOptions { return f.options }
func (f *listField) Value() []byte                       { return nil }
func (f *listField) EncodedFieldType() byte              { return 't' }
func (f *listField) AnalyzedLength() int                 { return f.length }

func (f *listField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

func (f *listField) NumPlainTextBytes() uint64 {
	n := 0
	for _, v := range f.values {
		n += len(v)
	}
	return uint64(n)
}

func (f *listField) Size() int {
	n := 64 + 16*len(f.values) + 48*len(f.freqs)
	for _, v := range f.values {
		n += len(v)
	}
	return n
}

// Analyze analyzes each value as bleve's TextField would and adds its
// tokens to the field's frequencies as MergeAll would.
func (f *listField) Analyze() {
	vectors, counts := f.options.IncludeTermVectors(), !f.options.SkipFreqNorm()
	f.freqs = make(index.TokenFrequencies, 32)
	f.length = 0
	for i, v := range f.values {
		ts := f.analyzer.Analyze([]byte(v))
		f.length += len(ts)
		var locs []index.TokenLocation
		var at []uint64
		if vectors {
			locs, at = make([]index.TokenLocation, len(ts)), []uint64{uint64(i)}
		}
		for j, t := range ts {
			tf := f.freqs[string(t.Term)]
			if tf == nil {
				tf = &index.TokenFreq{Term: t.Term}
				f.freqs[string(t.Term)] = tf
			}
			if vectors {
				locs[j] = index.TokenLocation{ArrayPositions: at, Start: t.Start, End: t.End, Position: t.Position}
				tf.Locations = append(tf.Locations, &locs[j])
			}
			if counts {
				tf.SetFrequency(tf.Frequency() + 1)
			}
		}
	}
}

// keywordField is a keyword field (analyzerKeywords) as bleve's
// TextField gives it once analyzed: a token of each part of its value
// (joinParts), numbered from 1, counted into its frequencies. It skips
// the copy of the value, the token stream and the tokens: a record has
// about fifteen such fields of a token or a few. It is not stored
// (docMapper keeps it to such fields); its value is given for doc
// values. TestMapRecordMatchesMapping holds it to TextField.
type keywordField struct {
	name    string
	value   string
	options index.FieldIndexingOptions
	length  int
	freqs   index.TokenFrequencies
}

// noPositions are the array positions of a field that is not in a list,
// as bleve's mapping gives them; nothing changes them.
var noPositions = []uint64{}

func (f *keywordField) Name() string                        { return f.name }
func (f *keywordField) ArrayPositions() []uint64            { return noPositions }
func (f *keywordField) Options() index.FieldIndexingOptions { return f.options }
func (f *keywordField) Value() []byte                       { return []byte(f.value) }
func (f *keywordField) EncodedFieldType() byte              { return 't' }
func (f *keywordField) AnalyzedLength() int                 { return f.length }
func (f *keywordField) NumPlainTextBytes() uint64           { return uint64(len(f.value)) }
func (f *keywordField) Size() int                           { return 64 + len(f.value) + 48*len(f.freqs) }

func (f *keywordField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

// Analyze makes a token of each part, as partsTokenizer does, and counts
// them as bleve's TokenFrequency does.
func (f *keywordField) Analyze() {
	vectors, counts := f.options.IncludeTermVectors(), !f.options.SkipFreqNorm()
	n := strings.Count(f.value, string(partSep)) + 1
	f.freqs = make(index.TokenFrequencies, n)
	f.length = n
	eachPart(f.value, func(i, start, end int) {
		term := f.value[start:end]
		tf := f.freqs[term]
		if tf == nil {
			tf = &index.TokenFreq{Term: []byte(term)}
			f.freqs[term] = tf
		}
		if vectors {
			tf.Locations = append(tf.Locations, &index.TokenLocation{ArrayPositions: noPositions, Start: start, End: end, Position: i + 1})
		}
		if counts {
			tf.SetFrequency(tf.Frequency() + 1)
		}
	})
}
