package indexer

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
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
// length is the sum of its terms' label lengths.
//
// So the field is no longer indexed: tagWords makes its postings from
// the columns and the taxonomy, the same documents, frequencies and
// norms bleve's analysis of the field gave, for the scored searches'
// own scorer (postingsCache.get) and for bleve's searchers (tagMatch).
// TestTagWordsMatchAnalysis holds them to that analysis.

// tagWords are the postings of fieldTerms, read from the tags.
type tagWords struct {
	cols *columns
	// words maps a word to the column tokens whose terms' labels have
	// it, and how many times.
	words map[string][]tagHit
	// norms are the field's norms by document, as float32 bits (see
	// fieldNorms); 0 for a document without labels, which has no field.
	norms fieldNorms
}

// tagHit is a column token whose labels have a word n times.
type tagHit struct {
	tok uint16
	n   uint32
}

// newTagWords reads the labels of the columns' tokens: a's analysis of
// each taxonomy term's text (termText) as a record's fieldTerms had it.
// Tokens of the columns that are not a taxonomy term (the modes, an id
// the taxonomy lacks) have no labels, as termTexts left them out.
func newTagWords(cols *columns, tax *peerfind.Taxonomy, a analysis.Analyzer) *tagWords {
	lb := newLabels(tax)
	t := &tagWords{cols: cols, words: map[string][]tagHit{}}
	length := make([]uint32, len(cols.tokens))
	for k, tok := range cols.tokens {
		facet, id, ok := strings.Cut(tok, ":")
		if !ok || !slices.Contains(peerfind.Facets, facet) {
			continue
		}
		txt, ok := lb.texts[peerfind.TermRef{Facet: facet, ID: id}]
		if !ok {
			continue
		}
		ts := a.Analyze([]byte(txt[0]))
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
	n := len(cols.facetOff) - 1
	t.norms = make(fieldNorms, max(n, 0))
	for d := range n {
		var l uint32
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

// docs are the documents with word in fieldTerms, a new bitmap.
func (t *tagWords) docs(word string) *roaring.Bitmap {
	out := roaring.New()
	for _, h := range t.words[word] {
		out.Or(t.cols.tokDocs[h.tok])
	}
	return out
}

// postings are the postings of word in fieldTerms, as decodePostings
// gives a term's: its documents in order, its frequency in each and the
// most it adds to a score. The documents are a new bitmap.
func (t *tagWords) postings(ctx context.Context, word string) (*termPostings, error) {
	hits := t.words[word]
	p := &termPostings{docs: t.docs(word)}
	var count []uint32
	if len(hits) > 1 {
		count = make([]uint32, len(t.cols.tokens))
		for _, h := range hits {
			count[h.tok] = h.n
		}
	}
	n := p.docs.GetCardinality()
	p.freq = make([]uint8, 0, n)
	it := p.docs.Iterator()
	for i := 0; it.HasNext(); i++ {
		if i%(1<<16) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("postings of %s:%s: %w", fieldTerms, word, err)
			}
		}
		d := it.Next()
		var f uint32
		if len(hits) == 1 {
			f = hits[0].n
		} else {
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

// tagMatch is a match query on fieldTerms (any of its words, as
// MatchQuery with the OR operator), whose postings are the tags'
// (tagWords). Its searcher is the match query's, over a reader whose
// fieldTerms is the tags'.
type tagMatch struct {
	*query.MatchQuery
	tags *tagWords
}

func (q tagMatch) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	return q.MatchQuery.Searcher(ctx, tagReader{IndexReader: i, tags: q.tags}, m, options)
}

// tagReader is a snapshot whose fieldTerms postings are the tags'.
type tagReader struct {
	index.IndexReader
	tags *tagWords
}

func (r tagReader) TermFieldReader(ctx context.Context, term []byte, field string, includeFreq, includeNorm, includeTermVectors bool) (index.TermFieldReader, error) {
	if field != fieldTerms {
		return r.IndexReader.TermFieldReader(ctx, term, field, includeFreq, includeNorm, includeTermVectors)
	}
	p, err := r.tags.postings(ctx, string(term))
	if err != nil {
		return nil, err
	}
	return &postingsReader{p: p, norms: r.tags.norms, it: p.docs.Iterator(), last: -1}, nil
}

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
