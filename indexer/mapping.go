package indexer

import (
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/peerfind/peerfind"
)

// Field names of the search document.
const (
	fieldName = "name"
	fieldOrg  = "org"
	// fieldTerms is the words of a record's taxonomy terms' labels and
	// synonyms. It is not indexed: its postings are read from the tags
	// (tagWords). Indexes built before have it, and it is not read.
	fieldTerms = "terms"
	// fieldText is a record's text in English analysis: its prose
	// (fieldProse, indexed) and the labels and synonyms of its terms
	// (read from the tags, tagWords), so that a search for "warm line",
	// "mujeres" or "Spanish" finds records tagged but not worded that
	// way. Indexes built before index it whole.
	fieldText  = "text"
	fieldProse = "prose"
	// fieldTextES is the text in Spanish analysis: a record's prose when
	// it is in Spanish (fieldProseES, indexed) and the Spanish labels and
	// synonyms of its terms (read from the tags, tagWords). Indexes built
	// before index it whole, and have no fieldProseES.
	fieldTextES  = "text_es"
	fieldProseES = "prose_es"
	// fieldLoc held the points as bleve geopoints in indexes built
	// before the points were saved beside the index (pointsFile).
	fieldLoc    = "loc"
	fieldStatus = "status"
	// fieldAssured is the date the record was last confirmed, as given,
	// for the rerank's freshness without reading the record (columns).
	fieldAssured = "assured"
	// fieldSource is the key of a hit's record, as JSON, in its fields
	// once read (Index.read). It is not a field of the index: the
	// records are saved beside it (records.go).
	fieldSource = "_source"
	// fieldID is bleve's own field of document ids, indexed as terms.
	fieldID = "_id"
	docType = "service"
	// analyzerText is English analysis with accents folded, so that
	// "depresión" and "depression" share a stem.
	analyzerText = "peer_en"
	// analyzerES is Spanish analysis with accents folded: Spanish stop
	// words and the light Spanish stemmer, so "grupos de apoyo" and
	// "grupo apoyo" share their terms.
	analyzerES = "peer_es"
	// analyzerKeywords makes each part of a value of parts (joinParts)
	// one token, as the keyword analyzer makes a value one token (see
	// partsTokenizer).
	analyzerKeywords = "peer_keywords"
)

// NewMapping returns the bleve mapping of the search document: English
// text fields, the Spanish parts of the text in Spanish analysis, a
// keyword field for every facet. The points, the meeting times and the
// records are saved beside the index (points.go, times.go, records.go).
func NewMapping() (mapping.IndexMapping, error) {
	m := bleve.NewIndexMapping()
	// Both remember the tokens of the taxonomy's texts during a build
	// (see cachedAnalyzer).
	err := m.AddCustomAnalyzer(analyzerText, map[string]any{
		"type":         cachedAnalyzerType,
		"char_filters": []string{asciifolding.Name},
		"tokenizer":    unicode.Name,
		"token_filters": []string{
			en.PossessiveName, lowercase.Name, en.StopName, porter.Name,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("add analyzer %s: %w", analyzerText, err)
	}
	err = m.AddCustomAnalyzer(analyzerES, map[string]any{
		"type":          cachedAnalyzerType,
		"char_filters":  []string{asciifolding.Name},
		"tokenizer":     unicode.Name,
		"token_filters": []string{lowercase.Name, es.StopName, es.LightStemmerName},
	})
	if err != nil {
		return nil, fmt.Errorf("add analyzer %s: %w", analyzerES, err)
	}
	err = m.AddCustomAnalyzer(analyzerKeywords, map[string]any{
		"type":      custom.Name,
		"tokenizer": partsTokenizer,
	})
	if err != nil {
		return nil, fmt.Errorf("add analyzer %s: %w", analyzerKeywords, err)
	}
	m.DefaultAnalyzer = analyzerText
	m.TypeField = "_type"

	text := func(store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzerText
		f.Store = store
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	// A keyword field's value is one token, or a value of parts
	// (joinParts) one token a part: a record's several values of a
	// field are one value (see partsTokenizer).
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = analyzerKeywords
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = true
		return f
	}

	doc := bleve.NewDocumentStaticMapping()
	// The name is stored for the type-ahead list (see Suggest).
	doc.AddFieldMappingsAt(fieldName, text(true))
	doc.AddFieldMappingsAt(fieldOrg, text(false))
	// Term vectors (positions) on the text without the taxonomy's
	// labels, for the phrases of synonyms (see needQuery).
	prose := text(false)
	prose.IncludeTermVectors = true
	doc.AddFieldMappingsAt(fieldProse, prose)
	proseES := text(false)
	proseES.Analyzer = analyzerES
	doc.AddFieldMappingsAt(fieldProseES, proseES)
	// A filter field has terms and no doc values. The facet fields are
	// filters: Open reads their postings, and the mode's, into the
	// columns, which count them (columns.go). fieldRemote keeps its doc
	// values so that bleve's own sort can check the columns'
	// (columns_test.go); the geopoints keep theirs for the columns'
	// points.
	filter := func() *mapping.FieldMapping {
		f := kw()
		f.DocValues = false
		return f
	}
	for _, f := range peerfind.Facets {
		doc.AddFieldMappingsAt(f, filter())
	}
	doc.AddFieldMappingsAt(fieldStatus, filter())
	doc.AddFieldMappingsAt(fieldAssured, filter())
	doc.AddFieldMappingsAt(fieldMode, filter())
	doc.AddFieldMappingsAt(fieldRemote, kw())
	doc.AddFieldMappingsAt(fieldArea, filter())
	// Service areas given as polygons; geoshape needs the on-disk
	// (scorch) index, which is what Build writes.
	shape := bleve.NewGeoShapeFieldMapping()
	shape.Store = false
	shape.IncludeInAll = false
	doc.AddFieldMappingsAt(fieldShape, shape)
	// The points and the meeting times are not indexed: they are saved
	// beside the index (pointsFile, timesFile) for the columns.

	// AddFieldMappingsAt puts each field in a sub-document mapping of
	// its own, which bleve makes dynamic: a shape's parts
	// ("area_shape.coordinates") would be indexed,
	// stored and given doc values as numbers and text of their own, 29
	// terms a point that nothing searches. Only the fields named here
	// are indexed.
	for _, sub := range doc.Properties {
		sub.Dynamic = false
	}
	// No composite _all field: every query names its fields.
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	m.AddDocumentMapping(docType, doc)
	m.DefaultMapping = bleve.NewDocumentDisabledMapping()
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("validate mapping: %w", err)
	}
	return m, nil
}
