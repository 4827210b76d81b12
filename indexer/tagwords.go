package indexer

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/peerfind/peerfind"
)

// The words of a record's taxonomy terms, read from its tags.
//
// fieldTerms was a text field of every record: the labels and synonyms
// of the terms it carries (termText), analyzed in English. It was a
// quarter of the postings of a million records (73 a record, 513 words
// in all), and a tenth of a build's time, for one scoring clause of the
// need (a match in the labels scores higher). Yet what it held is known
// from the tags, which the columns already hold: a record has the word
// "autoayuda" as often as its terms' labels have it, and its field's
// length is the sum of its terms' label lengths. The same holds for the
// labels in fieldText (about 67 of its 91 postings a record) beside the
// record's prose, which stays indexed (fieldProse), and for the Spanish
// labels in fieldTextES (termTextES, 32 postings a record) beside the
// record's own prose when it is in Spanish (fieldProseES): there a word's
// postings are the prose's and the tags' together, and a record's length
// the prose's and the labels'.
//
// So the labels are no longer indexed: tagWords makes a field's postings
// from the columns and the taxonomy (and the indexed prose), the same
// documents, frequencies and norms bleve's analysis of the field gave,
// for the scored searches' own scorer (postingsCache.get) and sets
// (sets.term, sets.prefix), and for bleve's searchers (tagQuery, whose
// tagReader also merges the dictionaries for prefixes and typos).
// TestTagWordsMatchAnalysis holds them to that analysis.

// tagFields are the fields whose labels are read from the tags.
type tagFields struct {
	// terms is fieldTerms; text is fieldText and es fieldTextES, each nil
	// for an index built before (it indexes the field whole).
	terms, text, es *tagWords
}

// of is the tags' field named field, or nil.
func (f *tagFields) of(field string) *tagWords {
	switch {
	case f == nil:
		return nil
	case field == fieldTerms:
		return f.terms
	case field == fieldText:
		return f.text
	case field == fieldTextES:
		return f.es
	}
	return nil
}

// readTagFields reads the tags' fields of an open index: fieldTerms;
// fieldText when the index does not index it (its prose is fieldProse);
// fieldTextES when the index has fieldProseES.
func readTagFields(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, cols *columns, tax *peerfind.Taxonomy) (*tagFields, error) {
	en, es := m.AnalyzerNamed(analyzerText), m.AnalyzerNamed(analyzerES)
	if en == nil || es == nil {
		return nil, fmt.Errorf("the index's mapping lacks the analyzer %s or %s", analyzerText, analyzerES)
	}
	lb := newLabels(tax)
	n := len(cols.facetOff) - 1
	f := &tagFields{terms: newTagWords(fieldTerms, cols, lb, 0, en, "", nil)}
	if !hasField(m, fieldText) {
		base, err := fieldLengths(ctx, r, fieldProse, n)
		if err != nil {
			return nil, err
		}
		f.text = newTagWords(fieldText, cols, lb, 0, en, fieldProse, base)
	}
	if hasField(m, fieldProseES) {
		base, err := fieldLengths(ctx, r, fieldProseES, n)
		if err != nil {
			return nil, err
		}
		f.es = newTagWords(fieldTextES, cols, lb, 1, es, fieldProseES, base)
	}
	return f, nil
}

// hasField reports whether the mapping's search document maps field.
func hasField(m mapping.IndexMapping, field string) bool {
	im, ok := m.(*mapping.IndexMappingImpl)
	if !ok {
		return false
	}
	dm := im.TypeMapping[docType]
	if dm == nil {
		return false
	}
	sub := dm.Properties[field]
	return sub != nil && len(sub.Fields) > 0
}

// fieldLengths is the length of field in each of n documents (0 where
// it has none), from the norm of its postings: zap gives the float32 of
// 1/√length, from which the length is exact to well past any field's.
func fieldLengths(ctx context.Context, r index.IndexReader, field string, n int) ([]uint32, error) {
	out := make([]uint32, n)
	d, err := r.FieldDict(field)
	if err != nil {
		return nil, fmt.Errorf("lengths of %s: %w", field, err)
	}
	defer d.Close()
	var tfd index.TermFieldDoc
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("lengths of %s: %w", field, err)
		}
		if e == nil {
			return out, nil
		}
		tr, err := r.TermFieldReader(ctx, []byte(e.Term), field, false, true, false)
		if err != nil {
			return nil, fmt.Errorf("lengths of %s: %w", field, err)
		}
		for {
			p, err := tr.Next(&tfd)
			if err != nil {
				tr.Close()
				return nil, fmt.Errorf("lengths of %s: %w", field, err)
			}
			if p == nil {
				break
			}
			doc := p.ID.Value()
			if doc >= uint64(n) || p.Norm <= 0 {
				tr.Close()
				return nil, fmt.Errorf("lengths of %s: document %d of %d, norm %v", field, doc, n, p.Norm)
			}
			out[doc] = uint32(math.Round(1 / (p.Norm * p.Norm)))
		}
		tr.Close()
	}
}

// tagWords are the postings of a field whose labels are read from the
// tags.
type tagWords struct {
	// field is the field's name; real is the field indexed beside the
	// tags, whose postings are the field's too ("" for none).
	field, real string
	cols        *columns
	// words maps a word to the column tokens whose terms' labels have
	// it, and how many times; sorted are the words in order.
	words  map[string][]tagHit
	sorted []string
	// norms are the field's norms by document, as float32 bits (see
	// fieldNorms); 0 for a document without the field.
	norms fieldNorms
	// docs keeps each word's tagDocs once made: a word's documents are
	// the union of its terms' (a common word's, tens of terms'), and a
	// search near a place asks for them again and again. There are as
	// many as the labels have words (about a thousand).
	docs sync.Map // word → *roaring.Bitmap
}

// tagHit is a column token whose labels have a word n times.
type tagHit struct {
	tok uint16
	n   uint32
}

// newTagWords reads the labels of the columns' tokens for field: a's
// analysis of each taxonomy term's text lb.texts[..][which] (termText,
// termTextES), as a record's field had it, with base the length of the
// field real in each document (nil for none). Tokens of the columns that
// are not a taxonomy term (the modes, an id the taxonomy lacks), and
// terms without a text, have no labels, as termTexts left them out.
func newTagWords(field string, cols *columns, lb *labels, which int, a analysis.Analyzer, real string, base []uint32) *tagWords {
	t := &tagWords{field: field, real: real, cols: cols, words: map[string][]tagHit{}}
	length := make([]uint32, len(cols.tokens))
	for k, tok := range cols.tokens {
		facet, id, ok := strings.Cut(tok, ":")
		if !ok || !slices.Contains(peerfind.Facets, facet) {
			continue
		}
		txt, ok := lb.texts[peerfind.TermRef{Facet: facet, ID: id}]
		if !ok || txt[which] == "" {
			continue
		}
		ts := a.Analyze([]byte(txt[which]))
		length[k] = uint32(len(ts))
		counts := map[string]uint32{}
		var order []string
		for _, tk := range ts {
			w := string(tk.Term)
			if counts[w] == 0 {
				order = append(order, w)
			}
			counts[w]++
		}
		for _, w := range order {
			t.words[w] = append(t.words[w], tagHit{tok: uint16(k), n: counts[w]})
		}
	}
	t.sorted = slices.Sorted(maps.Keys(t.words))
	n := len(cols.facetOff) - 1
	t.norms = make(fieldNorms, max(n, 0))
	for d := range n {
		var l uint32
		if base != nil {
			l = base[d]
		}
		for _, k := range cols.facetTok[cols.facetOff[d]:cols.facetOff[d+1]] {
			l += length[k]
		}
		if l > 0 {
			t.norms[d] = normBits(l)
		}
	}
	return t
}

// normBits is zap's norm of a field of length l as float32 bits: the
// float32 of 1/√l (zap keeps l and gives its norm so).
func normBits(l uint32) uint32 {
	return math.Float32bits(float32(1.0 / math.Sqrt(float64(l))))
}

// tagDocs are the documents whose labels have word. The bitmap is shared:
// the caller must not change it.
func (t *tagWords) tagDocs(word string) *roaring.Bitmap {
	if bm, ok := t.docs.Load(word); ok {
		return bm.(*roaring.Bitmap)
	}
	hits := t.words[word]
	if len(hits) == 0 {
		return roaring.New() // not kept: any word may be asked for
	}
	bms := make([]*roaring.Bitmap, len(hits))
	for i, h := range hits {
		bms[i] = t.cols.tokDocs[h.tok]
	}
	out := roaring.FastOr(bms...)
	out.RunOptimize()
	bm, _ := t.docs.LoadOrStore(word, out)
	return bm.(*roaring.Bitmap)
}

// postings are the postings of word in the field, as decodePostings
// gives a term's: its documents in order, its frequency in each (in the
// labels, and in the real field read from r) and the most it adds to a
// score. The documents are a new bitmap.
func (t *tagWords) postings(ctx context.Context, r index.IndexReader, word string) (*termPostings, error) {
	hits := t.words[word]
	p := &termPostings{docs: t.tagDocs(word).Clone()}
	var count []uint32
	if len(hits) > 1 {
		count = make([]uint32, len(t.cols.tokens))
		for _, h := range hits {
			count[h.tok] = h.n
		}
	}
	var real []docFreq
	if t.real != "" {
		var err error
		if real, err = realFrequencies(ctx, r, t.real, word); err != nil {
			return nil, err
		}
		docs := make([]uint32, len(real))
		for i, df := range real {
			docs[i] = df.doc
		}
		p.docs.AddMany(docs)
	}
	n := p.docs.GetCardinality()
	p.freq = make([]uint8, 0, n)
	it := p.docs.Iterator()
	for i := 0; it.HasNext(); i++ {
		if i%(1<<16) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("postings of %s:%s: %w", t.field, word, err)
			}
		}
		d := it.Next()
		var f uint32
		if len(real) > 0 && real[0].doc == d {
			f, real = real[0].freq, real[1:]
		}
		switch {
		case len(hits) == 1:
			if t.cols.tokDocs[hits[0].tok].Contains(d) {
				f += hits[0].n
			}
		case len(hits) > 1:
			for _, k := range t.cols.facetTok[t.cols.facetOff[d]:t.cols.facetOff[d+1]] {
				f += count[k]
			}
		}
		p.most = max(p.most, math.Sqrt(float64(f))*t.norms.get(d))
		if f >= math.MaxUint8 {
			if p.over == nil {
				p.over = map[uint32]uint32{}
			}
			p.over[d] = f
			f = math.MaxUint8
		}
		p.freq = append(p.freq, uint8(f))
	}
	p.compact(uint64(len(t.norms)))
	return p, nil
}

// docFreq is a term's frequency in a document.
type docFreq struct{ doc, freq uint32 }

// realFrequencies is word's frequency in field by document, in document
// order, read from r.
func realFrequencies(ctx context.Context, r index.IndexReader, field, word string) ([]docFreq, error) {
	tr, err := r.TermFieldReader(ctx, []byte(word), field, true, false, false)
	if err != nil {
		return nil, fmt.Errorf("postings of %s:%s: %w", field, word, err)
	}
	defer tr.Close()
	out := make([]docFreq, 0, tr.Count())
	var tfd index.TermFieldDoc
	for i := 0; ; i++ {
		if i%(1<<16) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		p, err := tr.Next(&tfd)
		if err != nil {
			return nil, fmt.Errorf("postings of %s:%s: %w", field, word, err)
		}
		if p == nil {
			return out, nil
		}
		v := p.ID.Value()
		if v > math.MaxUint32 || (len(out) > 0 && uint32(v) <= out[len(out)-1].doc) {
			return nil, fmt.Errorf("postings of %s:%s: document %d out of range or order", field, word, v)
		}
		out = append(out, docFreq{uint32(v), uint32(min(p.Freq, math.MaxUint32))})
	}
}

// compact readies p's documents for reading by rank: a term that most
// documents of the index (docs) have in 16 ranks them by a bitset of its
// own (denseRanks), others are run-optimized.
func (p *termPostings) compact(docs uint64) {
	if p.docs.GetCardinality()*16 >= docs {
		p.dense = newDenseRanks(p.docs)
		p.docs = roaring.FromDense(p.dense.words, false) // shares the words
		return
	}
	p.docs.RunOptimize()
}

// tagQuery is a query on a field whose labels are read from the tags
// (tagFields): a match query, fuzzy or not, or a prefix query. Its
// searcher is the query's, over a reader whose postings and dictionary of
// that field are the tags' with the real field's (tagReader).
type tagQuery struct {
	query.Query
	tags *tagFields
}

func (q tagQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	return q.Query.Searcher(ctx, tagReader{IndexReader: i, tags: q.tags}, m, options)
}

// tagged is q as a tagQuery when its field's labels are read from the
// tags.
func (f *tagFields) tagged(q query.FieldableQuery) query.Query {
	if f.of(q.Field()) == nil {
		return q
	}
	return tagQuery{Query: q, tags: f}
}

// tagReader is a snapshot whose postings of the tags' fields are the
// tags'.
type tagReader struct {
	index.IndexReader
	tags *tagFields
}

func (r tagReader) TermFieldReader(ctx context.Context, term []byte, field string, includeFreq, includeNorm, includeTermVectors bool) (index.TermFieldReader, error) {
	t := r.tags.of(field)
	if t == nil {
		return r.IndexReader.TermFieldReader(ctx, term, field, includeFreq, includeNorm, includeTermVectors)
	}
	p, err := t.postings(ctx, r.IndexReader, string(term))
	if err != nil {
		return nil, err
	}
	return &postingsReader{p: p, norms: t.norms, it: p.docs.Iterator(), last: -1}, nil
}

// FieldDict is the field's words: for a tags' field, the real field's
// and the labels' (tagWords.dict).
func (r tagReader) FieldDict(field string) (index.FieldDict, error) {
	return r.FieldDictPrefix(field, nil)
}

// FieldDictPrefix is the field's words with prefix.
func (r tagReader) FieldDictPrefix(field string, prefix []byte) (index.FieldDict, error) {
	t := r.tags.of(field)
	if t == nil {
		if prefix == nil {
			return r.IndexReader.FieldDict(field)
		}
		return r.IndexReader.FieldDictPrefix(field, prefix)
	}
	var real index.FieldDict
	if t.real != "" {
		var err error
		if real, err = r.IndexReader.FieldDictPrefix(t.real, prefix); err != nil {
			return nil, err
		}
	}
	p := string(prefix)
	return t.dict(real, func(w string) (bool, uint8) { return strings.HasPrefix(w, p), 0 })
}

// FieldDictFuzzy is the field's words within fuzziness edits of term
// that have prefix.
func (r tagReader) FieldDictFuzzy(field, term string, fuzziness int, prefix string) (index.FieldDict, error) {
	d, _, err := r.FieldDictFuzzyAutomaton(field, term, fuzziness, prefix)
	return d, err
}

// FieldDictFuzzyAutomaton is FieldDictFuzzy and the automaton that
// measures the edits, as bleve's fuzzy searcher asks a scorch snapshot
// for them: for a tags' field, the real field's words the snapshot finds
// and the labels' words the automaton accepts.
func (r tagReader) FieldDictFuzzyAutomaton(field, term string, fuzziness int, prefix string) (index.FieldDict, index.FuzzyAutomaton, error) {
	fz, ok := r.IndexReader.(index.IndexReaderFuzzy)
	if !ok {
		return nil, nil, fmt.Errorf("fuzzy terms of %s: the index cannot find them (%T)", field, r.IndexReader)
	}
	t := r.tags.of(field)
	if t == nil {
		return fz.FieldDictFuzzyAutomaton(field, term, fuzziness, prefix)
	}
	realField := t.real
	if realField == "" {
		realField = t.field // not indexed: no words, and the automaton
	}
	real, a, err := fz.FieldDictFuzzyAutomaton(realField, term, fuzziness, prefix)
	if err != nil {
		return nil, nil, err
	}
	d, err := t.dict(real, func(w string) (bool, uint8) {
		if !strings.HasPrefix(w, prefix) {
			return false, 0
		}
		return a.MatchAndDistance(w)
	})
	return d, a, err
}

// dict is the words of real (nil for none) and the labels' words keep
// accepts, in order, each once; real is closed. A word of both keeps
// real's entry; a word of the labels alone counts no documents (no
// reader of these dictionaries reads the counts).
func (t *tagWords) dict(real index.FieldDict, keep func(string) (bool, uint8)) (index.FieldDict, error) {
	var entries []index.DictEntry
	var bytesRead uint64
	if real != nil {
		for {
			e, err := real.Next()
			if err != nil {
				real.Close()
				return nil, fmt.Errorf("words of %s: %w", t.real, err)
			}
			if e == nil {
				break
			}
			entries = append(entries, *e)
		}
		bytesRead = real.BytesRead()
		if err := real.Close(); err != nil {
			return nil, fmt.Errorf("words of %s: %w", t.real, err)
		}
	}
	n := len(entries)
	for _, w := range t.sorted {
		if ok, dist := keep(w); ok {
			if _, found := slices.BinarySearchFunc(entries[:n], w, func(e index.DictEntry, w string) int { return strings.Compare(e.Term, w) }); !found {
				entries = append(entries, index.DictEntry{Term: w, EditDistance: dist})
			}
		}
	}
	if len(entries) > n {
		slices.SortFunc(entries, func(a, b index.DictEntry) int { return strings.Compare(a.Term, b.Term) })
	}
	return &sliceDict{entries: entries, bytesRead: bytesRead}, nil
}

// sliceDict is a dictionary read from a list.
type sliceDict struct {
	entries   []index.DictEntry
	next      int
	bytesRead uint64
}

func (d *sliceDict) Next() (*index.DictEntry, error) {
	if d.next >= len(d.entries) {
		return nil, nil
	}
	d.next++
	return &d.entries[d.next-1], nil
}

func (d *sliceDict) Close() error      { return nil }
func (d *sliceDict) Cardinality() int  { return len(d.entries) }
func (d *sliceDict) BytesRead() uint64 { return d.bytesRead }

// postingsReader reads a termPostings as bleve's term field reader
// reads a term's postings: the documents in order, with the term's
// frequency and the field's norm in each.
type postingsReader struct {
	p     *termPostings
	norms fieldNorms
	it    roaring.IntPeekable
	// i is the rank of the next document; last the document read last
	// (-1 before the first).
	i    int
	last int64
}

func (r *postingsReader) Next(pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	if !r.it.HasNext() {
		return nil, nil
	}
	d := r.it.Next()
	rv := r.doc(pre, d, r.i)
	r.i++
	r.last = int64(d)
	return rv, nil
}

func (r *postingsReader) Advance(id index.IndexInternalID, pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	v := id.Value()
	if v > math.MaxUint32 {
		return nil, nil
	}
	if int64(v) <= r.last {
		// Back, or to the document read last, as scorch's reader
		// allows: from the start again.
		r.it = r.p.docs.Iterator()
	}
	r.it.AdvanceIfNeeded(uint32(v))
	if !r.it.HasNext() {
		return nil, nil
	}
	r.i = r.p.index(r.it.PeekNext())
	return r.Next(pre)
}

func (r *postingsReader) doc(pre *index.TermFieldDoc, d uint32, i int) *index.TermFieldDoc {
	rv := pre
	if rv == nil {
		rv = &index.TermFieldDoc{}
	}
	rv.ID = index.NewIndexInternalID(rv.ID, uint64(d))
	rv.Freq = uint64(r.p.frequency(i, d))
	rv.Norm = r.norms.get(d)
	rv.Vectors = rv.Vectors[:0]
	return rv
}

func (r *postingsReader) Count() uint64 { return r.p.docs.GetCardinality() }
func (r *postingsReader) Close() error  { return nil }
func (r *postingsReader) Size() int {
	return int(unsafe.Sizeof(*r)) + r.p.bytes()
}
