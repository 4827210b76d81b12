package indexer

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	bdoc "github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/peerfind/peerfind"
)

// TestSpanishText checks what goes into the Spanish analysis: the
// record's own prose only when the record is in Spanish (by its
// languages, or by its words), in fieldProseES; the Spanish labels of its
// terms never, as they are read from its tags (tagWords: the test there
// holds fieldTextES, the two together, to its analysis).
func TestSpanishText(t *testing.T) {
	tax := taxonomy(t)
	cases := []struct {
		name      string
		langs     []string
		desc      string
		wantProse bool
	}{
		{"English, no languages", nil, "A weekly peer support group for families of people who use drugs.", false},
		{"English, languages en", []string{"en"}, "A weekly peer support group for families.", false},
		{"languages es", []string{"es"}, "A weekly peer support group for families.", true},
		{"Spanish words, no languages", nil, "Grupo de apoyo para familias de personas con problemas de consumo, en español y con café.", true},
		{"two Spanish place names", nil, "Meets in El Monte, near Los Angeles, on Tuesdays for families and friends of alcoholics.", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &peerfind.Service{ID: "x", Name: "Harbor Group", Description: tc.desc, Languages: tc.langs,
				Conditions: []string{"substance-use"}}
			d := document(s)
			es, has := d[fieldProseES].(string)
			if has != tc.wantProse {
				t.Errorf("has %s = %v, want %v", fieldProseES, has, tc.wantProse)
			}
			if got := strings.Contains(es, tc.desc); got != tc.wantProse {
				t.Errorf("prose in %s = %v, want %v (%q)", fieldProseES, got, tc.wantProse, es)
			}
			if strings.Contains(es, "Harbor") != tc.wantProse {
				t.Errorf("name in %s = %v, want %v", fieldProseES, !tc.wantProse, tc.wantProse)
			}
			term := tax.Term(peerfind.FacetCondition, "substance-use")
			if want := termTextES(term); want == "" || strings.Contains(es, want) {
				t.Errorf("%s %q has the term's Spanish text %q, or the term has none", fieldProseES, es, want)
			}
			for _, f := range []string{fieldText, fieldTextES, fieldTerms} {
				if _, ok := d[f]; ok {
					t.Errorf("the document has %s, which is read from the tags", f)
				}
			}
			// The English prose is every record's.
			if prose, _ := d[fieldProse].([]string); !slices.Contains(prose, tc.desc) {
				t.Errorf("prose %q lacks the description", prose)
			}
		})
	}
}

// TestIndexHasOnlyMappedFields checks that the index has the fields the
// mapping names and no others: bleve indexes what it finds under a
// dynamic sub-document mapping, and a geopoint's lat and lon, or a
// shape's type and coordinates, are such parts.
func TestIndexHasOnlyMappedFields(t *testing.T) {
	e := newAreaEnv(t)
	fields, err := e.idx.idx.Fields()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{fieldID: true}
	for name, sub := range e.idx.idx.Mapping().(*mapping.IndexMappingImpl).TypeMapping[docType].Properties {
		if len(sub.Fields) > 0 {
			want[name] = true
		}
	}
	have := map[string]bool{}
	for _, f := range fields {
		have[f] = true
		if !want[f] {
			t.Errorf("the index has field %q, which the mapping does not name", f)
		}
	}
	// The fixture has polygons, whose parts leaked, and points, which
	// are not indexed (pointsFile).
	if have[fieldLoc] {
		t.Errorf("the index has field %q: the points are saved beside it", fieldLoc)
	}
	for _, f := range []string{fieldShape, fieldProse} {
		if !have[f] {
			t.Errorf("the index has no field %q; the fixture should give it one", f)
		}
	}
}

// TestPhraseStaysInPart: the prose is a list, one value a part, and a
// phrase matches within a part but not from the end of one part into the
// start of the next (the name's last word and the description's first).
func TestPhraseStaysInPart(t *testing.T) {
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	s := &peerfind.Service{ID: "x", Name: "Harbor Grief", Description: "Recovery circle for grief support on Mondays."}
	if err := idx.Index(s.ID, document(s)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		phrase string
		want   uint64
	}{
		{"harbor grief", 1},
		{"grief support", 1},
		{"recovery circle", 1},
		{"grief recovery", 0}, // the name's end and the description's start
	} {
		q := query.NewMatchPhraseQuery(tc.phrase)
		q.SetField(fieldProse)
		q.Analyzer = analyzerText
		res, err := idx.Search(bleve.NewSearchRequest(q))
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != tc.want {
			t.Errorf("%q: %d matches, want %d", tc.phrase, res.Total, tc.want)
		}
	}
}

// TestMapRecordMatchesMapping holds the build's mapping of a record
// (docMapper) to bleve's mapping of its document (MapDocument), as zap
// reads a document: the same fields by name, with the same options and,
// once analyzed and the fields of one name merged as zap merges them,
// the same lengths and the same terms with the same frequencies and
// locations (positions, offsets, array positions); and the same values
// where they are kept (stored or doc values). It does so with the shared
// mapping's analyzers and with a build worker's, which remember terms
// and texts. The records are synthetic ones, the fixtures (one with a
// polygon), and a record with fields left empty.
func TestMapRecordMatchesMapping(t *testing.T) {
	m, w := mappings(t)
	recs, _ := synthRecords(t, 500)
	recs = append(recs, readFixture(t, "records.jsonl")...)
	recs = append(recs, readFixture(t, "areas.jsonl")...)
	bare := *recs[0]
	bare.Organization.Name, bare.Description, bare.Locations, bare.Schedules, bare.Languages = "", "", nil, nil, nil
	bare.AlternateName, bare.AssuredDate, bare.ServiceAreas = "", "", nil
	recs = append(recs, &bare)
	shapes, lists, keywords := 0, 0, 0
	for _, mm := range []mapping.IndexMapping{m, w} {
		dm, err := newDocMapper(mm)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range recs {
			want := bdoc.NewDocument(s.ID)
			if err := m.MapDocument(want, document(s)); err != nil {
				t.Fatal(err)
			}
			got, err := dm.mapRecord(s)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range got.Fields {
				switch f.(type) {
				case *listField:
					lists++
				case *keywordField:
					keywords++
				}
			}
			g, wf := zapFields(t, got), zapFields(t, want)
			forgetRecent(mm)
			if len(g) != len(wf) {
				t.Fatalf("%s: %d fields %v, bleve's mapping %d %v", s.ID, len(g), fieldNames(g), len(wf), fieldNames(wf))
			}
			for i := range g {
				if !reflect.DeepEqual(g[i], wf[i]) {
					t.Fatalf("%s: field %s\n%+v\nbleve's mapping\n%+v", s.ID, g[i].name, g[i], wf[i])
				}
				if g[i].name == fieldShape {
					shapes++
				}
			}
			if got.Indexed() != want.Indexed() || got.HasComposite() != want.HasComposite() {
				t.Fatalf("%s: indexed %v composite %v, bleve's mapping %v %v", s.ID, got.Indexed(), got.HasComposite(), want.Indexed(), want.HasComposite())
			}
		}
	}
	if shapes == 0 || lists == 0 || keywords == 0 {
		t.Fatalf("%d records with a polygon, %d list fields, %d keyword fields: want some of each", shapes, lists, keywords)
	}
}

// TestKeywordField holds keywordField to bleve's TextField with the
// keywords' analyzer on values of parts, empty ones and repeated ones,
// with and without term vectors and doc values.
func TestKeywordField(t *testing.T) {
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	a := m.AnalyzerNamed(analyzerKeywords)
	if !isPartsAnalyzer(a) {
		t.Fatal("the keywords' analyzer is not the parts tokenizer alone")
	}
	for _, opts := range []index.FieldIndexingOptions{index.IndexField, index.IndexField | index.DocValues, index.IndexField | index.IncludeTermVectors} {
		for _, v := range []string{"", "a", "open", "a\x1eb", "a\x1ea\x1ea", "\x1e", "a\x1e\x1eb", "\x1ea\x1e", "é\x1eb c"} {
			want := bdoc.NewDocument("x").AddField(bdoc.NewTextFieldCustom("f", []uint64{}, []byte(v), opts, a))
			got := bdoc.NewDocument("x").AddField(&keywordField{name: "f", value: v, options: opts})
			if g, w := zapFields(t, got), zapFields(t, want); !reflect.DeepEqual(g, w) {
				t.Errorf("%q, options %b:\n%+v\nTextField\n%+v", v, opts, g, w)
			}
		}
	}
}

// zapField is what zap reads of the fields of one name of a document.
type zapField struct {
	name   string
	typ    byte
	opts   index.FieldIndexingOptions
	values []string // "array positions: value", of stored or doc-valued fields
	bytes  uint64
	length int
	terms  map[string]termUse
}

// termUse is a term's frequency and locations in a field.
type termUse struct {
	freq int
	locs []string // "position start-end array positions"
}

// zapFields analyzes d's fields and merges those of one name as zap
// does (their lengths summed, their frequencies merged in order), by
// name. A location naming its field and one that does not are the same
// to zap (invertedIndexOpaque.process), and here.
func zapFields(t *testing.T, d *bdoc.Document) []zapField {
	t.Helper()
	byName := map[string]*zapField{}
	var names []string
	d.VisitFields(func(f index.Field) {
		if f.Options().IsIndexed() {
			f.Analyze()
		}
		z := byName[f.Name()]
		if z == nil {
			z = &zapField{name: f.Name(), typ: f.EncodedFieldType(), opts: f.Options(), terms: map[string]termUse{}}
			byName[f.Name()], names = z, append(names, f.Name())
		} else if z.typ != f.EncodedFieldType() || z.opts != f.Options() {
			t.Fatalf("field %s: two types or options", f.Name())
		}
		if f.Options()&(index.StoreField|index.DocValues) != 0 {
			z.values = append(z.values, fmt.Sprint(f.ArrayPositions(), ": ", string(f.Value())))
		}
		z.bytes += f.NumPlainTextBytes()
		if !f.Options().IsIndexed() {
			return
		}
		z.length += f.AnalyzedLength()
		for term, tf := range f.AnalyzedTokenFrequencies() {
			u := z.terms[term]
			u.freq += tf.Frequency()
			for _, l := range tf.Locations {
				u.locs = append(u.locs, fmt.Sprintf("%d %d-%d %v", l.Position, l.Start, l.End, l.ArrayPositions))
			}
			z.terms[term] = u
		}
	})
	slices.Sort(names)
	out := make([]zapField, len(names))
	for i, n := range names {
		out[i] = *byName[n]
	}
	return out
}

func fieldNames(fs []zapField) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.name)
	}
	return out
}
