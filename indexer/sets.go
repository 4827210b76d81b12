package indexer

import (
	"context"
	"fmt"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segapi "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/peerfind/peerfind"
)

// sets evaluates a query without scores to the set of its documents'
// numbers, from the postings' own bitmaps: a term is its bitmap, AND and
// OR are bitmap operations, the radius is the columns' list. bleve's
// searchers would step through every match of every clause one document
// at a time, at about a microsecond a match; a query near a large metro
// matches a hundred thousand records at a million. Clauses without a
// bitmap (phrases, fuzzy terms, shapes, numeric ranges) are run as bleve
// searchers without scores, only within the matches of the other
// clauses (see cost and collect).
type sets struct {
	r    index.IndexReader
	m    mapping.IndexMapping
	segs []setSegment
	// all is every live document.
	all *roaring.Bitmap
	// cache, if set, keeps the phrases' documents (postingsCache.phrase).
	cache *postingsCache
	// tags, if set, are the fields whose labels are read from the tags.
	tags *tagFields
}

// setSegment is one segment of the snapshot: its documents are numbered
// from off in the index.
type setSegment struct {
	seg     segapi.Segment
	deleted *roaring.Bitmap
	off     uint64
}

// postings is the live postings list of term in field in the segment.
func (sg setSegment) postings(field, term string) (segapi.PostingsList, error) {
	d, err := sg.seg.Dictionary(field)
	if err != nil {
		return nil, fmt.Errorf("postings of %s:%s: %w", field, term, err)
	}
	pl, err := d.PostingsList([]byte(term), sg.deleted, nil)
	if err != nil {
		return nil, fmt.Errorf("postings of %s:%s: %w", field, term, err)
	}
	return pl, nil
}

// bitmap is the live postings of term in field in the segment as zap
// keeps them, numbered in the segment: its bitmap, or a bitmap of the one
// document of a term that has one. When they are neither, bm is nil and
// it walks them.
func (sg setSegment) bitmap(field, term string) (bm *roaring.Bitmap, it segapi.PostingsIterator, err error) {
	pl, err := sg.postings(field, term)
	if err != nil {
		return nil, nil, err
	}
	it = pl.Iterator(false, false, false, nil)
	if o, ok := it.(segapi.OptimizablePostingsIterator); ok {
		if bm := o.ActualBitmap(); bm != nil {
			return bm, it, nil
		}
		if n, ok := o.DocNum1Hit(); ok {
			if sg.deleted != nil && sg.deleted.Contains(uint32(n)) {
				return roaring.New(), it, nil
			}
			return roaring.BitmapOf(uint32(n)), it, nil
		}
	}
	return nil, it, nil
}

// newSets reads the segments of r. It returns nil when r is not a scorch
// snapshot: then every query runs through bleve's searchers.
func newSets(r index.IndexReader, m mapping.IndexMapping) *sets {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	s := &sets{r: r, m: m, all: roaring.New()}
	var off uint64
	for _, ss := range snap.Segments() {
		seg := ss.Segment()
		s.segs = append(s.segs, setSegment{seg: seg, deleted: ss.Deleted(), off: off})
		off += seg.Count()
	}
	if off > 1<<32-1 {
		return nil
	}
	// The segments number the documents one after another: every number
	// below off but the deleted ones.
	s.all.AddRange(0, off)
	for _, sg := range s.segs {
		if sg.deleted != nil && !sg.deleted.IsEmpty() {
			s.all.AndNot(shift(sg.deleted, sg.off))
		}
	}
	return s
}

// term is the set of documents with term in field. The result is the
// caller's to change.
func (s *sets) term(field, term string, limit *roaring.Bitmap) (*roaring.Bitmap, error) {
	if t := s.tags.of(field); t != nil {
		var bm *roaring.Bitmap
		if limit != nil {
			bm = roaring.And(t.tagDocs(term), limit)
		} else {
			bm = t.tagDocs(term).Clone()
		}
		if t.real != "" {
			real, err := s.term(t.real, term, limit)
			if err != nil {
				return nil, err
			}
			bm.Or(real)
		}
		return bm, nil
	}
	out := roaring.New()
	for _, sg := range s.segs {
		if limit != nil && !limit.IntersectsWithInterval(sg.off, sg.off+sg.seg.Count()) {
			// None of this segment's documents can be in the answer: a
			// search near a place reads its region's segments only.
			continue
		}
		bm, it, err := sg.bitmap(field, term)
		if err != nil {
			return nil, err
		}
		if bm != nil {
			if sg.off != 0 {
				bm = shift(bm, sg.off)
			}
			if limit != nil {
				// Only the intersection is made (and kept, when it is
				// the first): copying the term's containers to cut
				// them down after was a third of what the searches
				// allocated at a million records.
				if bm = roaring.And(bm, limit); out.IsEmpty() {
					out = bm
					continue
				}
			}
			out.Or(bm)
			continue
		}
		for {
			p, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("postings of %s:%s: %w", field, term, err)
			}
			if p == nil {
				break
			}
			out.Add(uint32(sg.off + p.Number()))
		}
	}
	return within(out, limit), nil
}

// shift is bm with off added to every number: a segment's document
// numbers as the index's. Container by container, not number by number:
// an index of many segments shifts the postings of every term it reads.
func shift(bm *roaring.Bitmap, off uint64) *roaring.Bitmap {
	return roaring.AddOffset64(bm, int64(off))
}

// eval is the set of documents q matches among those of limit (all of
// them for a nil limit). The result is the caller's to change.
func (s *sets) eval(ctx context.Context, q query.Query, limit *roaring.Bitmap) (*roaring.Bitmap, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit != nil && limit.IsEmpty() {
		return roaring.New(), nil
	}
	switch q := q.(type) {
	case *query.TermQuery:
		return s.term(s.field(q.FieldVal), q.Term, limit)
	case *query.MatchQuery:
		if q.Fuzziness == 0 {
			return s.match(q, limit)
		}
	case tagQuery:
		// The query's postings and words are read as the field's (see
		// term and prefix); one that runs a searcher runs over the tags'
		// reader (collect of q).
		if s.tags == q.tags && cost(q.Query) == 0 {
			return s.eval(ctx, q.Query, limit)
		}
	case *query.PrefixQuery:
		return s.prefix(q, limit)
	case *query.MatchPhraseQuery:
		return s.phrase(ctx, q, limit)
	case *query.MatchAllQuery:
		return s.allOf(limit), nil
	case *query.MatchNoneQuery:
		return roaring.New(), nil
	case *query.ConjunctionQuery:
		return s.and(ctx, q.Conjuncts, limit)
	case *query.DisjunctionQuery:
		if q.Min <= 1 {
			return s.or(ctx, q.Disjuncts, limit)
		}
	case *query.BooleanQuery:
		return s.boolean(ctx, q, limit)
	case filterQuery:
		return s.eval(ctx, q.q, limit)
	case activeQuery:
		// Nearly every service is active: as a limit, the status would
		// only be a set as large as the index to intersect the others
		// with. The matches are narrowed to it after, in place.
		bm, err := s.eval(ctx, q.q, limit)
		if err != nil || bm.IsEmpty() {
			return bm, err
		}
		active := term(fieldStatus, statusActive)
		if ok, err := s.intersect(active, bm); ok || err != nil {
			return bm, err
		}
		return s.term(fieldStatus, statusActive, bm)
	case radiusQuery:
		bm, shared := q.set(ctx)
		switch {
		case limit != nil:
			return roaring.And(bm, limit), nil
		case shared:
			return bm.Clone(), nil
		}
		return bm, nil
	case timesQuery:
		return q.f.set(q.t, limit), nil
	}
	return s.collect(ctx, q, limit)
}

// within is bm restricted to limit (nil for no restriction).
func within(bm, limit *roaring.Bitmap) *roaring.Bitmap {
	if limit != nil {
		bm.And(limit)
	}
	return bm
}

// allOf is every document of limit (of the index, for a nil limit), a
// set of the caller's own: the intersection alone, not a copy of every
// document cut down after.
func (s *sets) allOf(limit *roaring.Bitmap) *roaring.Bitmap {
	if limit == nil {
		return s.all.Clone()
	}
	return roaring.And(s.all, limit)
}

// cost is the number of clauses of q that eval runs as bleve searchers
// (see collect): 0 when q is read from bitmaps alone. The clauses of a
// conjunction are evaluated cheapest first (the filters before the need,
// see filtersFirst), each within the matches of the ones before; those
// of a disjunction too, each among the documents not matched yet.
func cost(q query.Query) int {
	sum := func(qs []query.Query) int {
		n := 0
		for _, c := range qs {
			n += cost(c)
		}
		return n
	}
	switch q := q.(type) {
	case *query.TermQuery, *query.PrefixQuery, *query.MatchAllQuery, *query.MatchNoneQuery, radiusQuery, timesQuery:
		return 0
	case *query.MatchQuery:
		if q.Fuzziness == 0 {
			return 0
		}
	case tagQuery:
		return cost(q.Query)
	case *query.ConjunctionQuery:
		return sum(q.Conjuncts)
	case *query.DisjunctionQuery:
		if q.Min <= 1 {
			return sum(q.Disjuncts)
		}
	case *query.BooleanQuery:
		if q.Filter == nil {
			return sum([]query.Query{q.Must, q.Should, q.MustNot})
		}
	case filterQuery:
		return cost(q.q)
	case activeQuery:
		return cost(q.q)
	case nil:
		return 0
	}
	return 1
}

// byCost orders qs cheapest first, keeping the order of equals.
func byCost(qs []query.Query) []query.Query {
	ordered := slices.Clone(qs)
	slices.SortStableFunc(ordered, func(a, b query.Query) int { return cost(a) - cost(b) })
	return ordered
}

// filtersFirst orders the clauses of a conjunction: the filters (the
// place, the facets, the meeting times), then the need, each group
// cheapest first. A need of common words matches much of the directory
// and is made of many terms, each intersected with what the clauses
// before left; the filters leave a few thousand documents near a place
// (at a million records, a search near a place unscored took 0.67 ms
// instead of 0.87).
func filtersFirst(qs []query.Query) []query.Query {
	ordered := slices.Clone(qs)
	slices.SortStableFunc(ordered, func(a, b query.Query) int {
		_, fa := a.(filterQuery)
		_, fb := b.(filterQuery)
		switch {
		case fa && !fb:
			return -1
		case fb && !fa:
			return 1
		}
		return cost(a) - cost(b)
	})
	return ordered
}

func (s *sets) field(f string) string {
	if f == "" {
		return s.m.DefaultSearchField()
	}
	return f
}

// analyzer is the analyzer named, or the field's when name is empty, as
// bleve's match and phrase queries choose it.
func (s *sets) analyzer(field, name string) (analysis.Analyzer, error) {
	if name == "" {
		name = s.m.AnalyzerNameForPath(field)
	}
	a := s.m.AnalyzerNamed(name)
	if a == nil {
		return nil, fmt.Errorf("no analyzer named %q", name)
	}
	return a, nil
}

// match is a match query without fuzziness: its analyzed terms, all of
// them (AND) or any (OR), as bleve's MatchQuery searches them.
func (s *sets) match(q *query.MatchQuery, limit *roaring.Bitmap) (*roaring.Bitmap, error) {
	field := s.field(q.FieldVal)
	a, err := s.analyzer(field, q.Analyzer)
	if err != nil {
		return nil, err
	}
	var out *roaring.Bitmap
	for _, t := range a.Analyze([]byte(q.Match)) {
		bm, err := s.term(field, string(t.Term), limit)
		if err != nil {
			return nil, err
		}
		switch {
		case out == nil:
			out = bm
		case q.Operator == query.MatchQueryOperatorAnd:
			out.And(bm)
		default:
			out.Or(bm)
		}
	}
	if out == nil {
		return roaring.New(), nil
	}
	return out, nil
}

// phrase runs the phrase's searcher only on the documents with all of its
// words: reading positions costs, and most documents with one of the
// words lack another.
func (s *sets) phrase(ctx context.Context, q *query.MatchPhraseQuery, limit *roaring.Bitmap) (*roaring.Bitmap, error) {
	if s.cache != nil {
		all, err := s.cache.phrase(ctx, s, q)
		if err != nil {
			return nil, err
		}
		if limit == nil {
			return all.Clone(), nil
		}
		return roaring.And(all, limit), nil
	}
	return s.phraseWithin(ctx, q, limit)
}

// phraseWithin is phrase without the cache.
func (s *sets) phraseWithin(ctx context.Context, q *query.MatchPhraseQuery, limit *roaring.Bitmap) (*roaring.Bitmap, error) {
	words := query.NewMatchQuery(q.MatchPhrase)
	words.SetField(q.FieldVal)
	words.Analyzer = q.Analyzer
	words.SetOperator(query.MatchQueryOperatorAnd)
	bound, err := s.match(words, limit)
	if err != nil {
		return nil, err
	}
	if bound.IsEmpty() {
		return bound, nil
	}
	return s.collect(ctx, q, bound)
}

// prefix is every term of the field that starts with the prefix.
func (s *sets) prefix(q *query.PrefixQuery, limit *roaring.Bitmap) (*roaring.Bitmap, error) {
	field := s.field(q.FieldVal)
	d, err := tagReader{IndexReader: s.r, tags: s.tags}.FieldDictPrefix(field, []byte(q.Prefix))
	if err != nil {
		return nil, fmt.Errorf("terms of %s with prefix %q: %w", field, q.Prefix, err)
	}
	defer d.Close()
	var bms []*roaring.Bitmap
	for {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("terms of %s with prefix %q: %w", field, q.Prefix, err)
		}
		if e == nil {
			break
		}
		bm, err := s.term(field, e.Term, limit)
		if err != nil {
			return nil, err
		}
		bms = append(bms, bm)
	}
	return roaring.FastOr(bms...), nil
}

// and evaluates the clauses filters first (filtersFirst), each within
// the matches of the ones before.
func (s *sets) and(ctx context.Context, qs []query.Query, limit *roaring.Bitmap) (*roaring.Bitmap, error) {
	if len(qs) == 0 {
		return roaring.New(), nil
	}
	out, owned := limit, false
	for _, c := range filtersFirst(qs) {
		if owned {
			// The matches so far are this conjunction's own: a term
			// narrows them in place, without a new set.
			ok, err := s.intersect(c, out)
			if err != nil {
				return nil, err
			}
			if ok {
				if out.IsEmpty() {
					break
				}
				continue
			}
		}
		bm, err := s.eval(ctx, c, out)
		if err != nil {
			return nil, err
		}
		out, owned = bm, true
		if out.IsEmpty() {
			break
		}
	}
	return out, nil
}

// intersect narrows out, a set of the caller's own, to the documents q
// matches, in place, and reports whether it did: it does for a term of an
// index of one segment (most of a conjunction's clauses: the mode, the
// area, a facet's value), and leaves out as it was for any other clause.
func (s *sets) intersect(q query.Query, out *roaring.Bitmap) (bool, error) {
	switch q := q.(type) {
	case filterQuery:
		return s.intersect(q.q, out)
	case *query.TermQuery:
		field := s.field(q.FieldVal)
		if s.tags.of(field) != nil || len(s.segs) != 1 || s.segs[0].off != 0 {
			return false, nil
		}
		bm, _, err := s.segs[0].bitmap(field, q.Term)
		if err != nil || bm == nil {
			return false, err
		}
		out.And(bm)
		return true, nil
	}
	return false, nil
}

// or evaluates the clauses cheapest first; one that runs a bleve searcher
// looks only at the documents not matched by the ones before (but a geo
// shape, isShape). Like every
// set eval returns, a clause's is the caller's to change, so the first
// is kept as the union (an Or into an empty set copied each of its
// containers).
func (s *sets) or(ctx context.Context, qs []query.Query, limit *roaring.Bitmap) (*roaring.Bitmap, error) {
	var out *roaring.Bitmap
	for _, c := range byCost(qs) {
		lim := limit
		if cost(c) > 0 && out != nil && !out.IsEmpty() && !isShape(c) {
			if lim == nil {
				lim = s.all
			}
			lim = roaring.AndNot(lim, out)
		}
		bm, err := s.eval(ctx, c, lim)
		if err != nil {
			return nil, err
		}
		out = union(out, bm)
	}
	if out == nil {
		return roaring.New(), nil
	}
	return out, nil
}

// isShape reports whether q is a geo shape query: the services whose
// area holds a point, a few, found by the shapes' index whatever the
// limit. Sparing it the documents matched already would copy a set as
// large as the limit.
func isShape(q query.Query) bool {
	_, ok := q.(*query.GeoShapeQuery)
	return ok
}

// union adds bm to out, a set of the caller's own, and returns it; with
// out nil, bm is the union: a set a clause returns is its caller's to
// change, and an Or into an empty set would copy each of its containers.
func union(out, bm *roaring.Bitmap) *roaring.Bitmap {
	if out == nil {
		return bm
	}
	out.Or(bm)
	return out
}

// boolean follows bleve's BooleanQuery: a clause whose searcher matches
// nothing by construction counts as absent, the should clauses only score
// when there are must clauses (and min is 0), and with only must-not
// clauses every other document matches.
func (s *sets) boolean(ctx context.Context, q *query.BooleanQuery, limit *roaring.Bitmap) (*roaring.Bitmap, error) {
	if q.Filter != nil {
		return s.collect(ctx, q, limit)
	}
	must, should, not := q.Must, q.Should, q.MustNot
	if isNone(must) {
		must = nil
	}
	if isNone(should) {
		should = nil
	}
	if isNone(not) {
		not = nil
	}
	var out *roaring.Bitmap
	var err error
	switch {
	case must == nil && should == nil && not == nil:
		return roaring.New(), nil
	case must != nil:
		if d, ok := should.(*query.DisjunctionQuery); ok && d.Min > 0 {
			return s.collect(ctx, q, limit)
		}
		if out, err = s.eval(ctx, must, limit); err != nil {
			return nil, err
		}
	case should != nil:
		if out, err = s.eval(ctx, should, limit); err != nil {
			return nil, err
		}
	default:
		out = s.allOf(limit)
	}
	if not != nil && !out.IsEmpty() {
		bm, err := s.eval(ctx, not, out)
		if err != nil {
			return nil, err
		}
		out.AndNot(bm)
	}
	return out, nil
}

// isNone reports whether bleve makes a searcher that matches nothing of
// q without looking at the index.
func isNone(q query.Query) bool {
	switch q := q.(type) {
	case nil:
		return true
	case *query.MatchNoneQuery:
		return true
	case *query.ConjunctionQuery:
		return len(q.Conjuncts) == 0
	case *query.DisjunctionQuery:
		return len(q.Disjuncts) == 0
	}
	return false
}

// collect runs q's bleve searcher without scores and gathers its matches
// among those of limit, leaping between the two.
func (s *sets) collect(ctx context.Context, q query.Query, limit *roaring.Bitmap) (*roaring.Bitmap, error) {
	sr, err := q.Searcher(ctx, s.r, s.m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, fmt.Errorf("match set: %w", err)
	}
	defer sr.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(sr.DocumentMatchPoolSize(), 0)}
	out := roaring.New()
	var it roaring.IntPeekable
	if limit != nil {
		it = limit.Iterator()
	}
	var id index.IndexInternalID
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var d *search.DocumentMatch
		if it == nil {
			d, err = sr.Next(sctx)
		} else {
			if !it.HasNext() {
				return out, nil
			}
			id = index.NewIndexInternalID(id, uint64(it.PeekNext()))
			d, err = sr.Advance(sctx, id)
		}
		if err != nil {
			return nil, fmt.Errorf("match set: %w", err)
		}
		if d == nil {
			return out, nil
		}
		doc := uint32(d.IndexInternalID.Value())
		sctx.DocumentMatchPool.Put(d)
		if it == nil {
			out.Add(doc)
			continue
		}
		it.AdvanceIfNeeded(doc)
		if it.HasNext() && it.PeekNext() == doc {
			out.Add(doc)
			it.Next()
		}
	}
}

// runSets answers an unscored search (req, built by request) from sets:
// the total is the set's size, the facets are counted from the columns,
// and the window of hits is the set's first documents in the order of
// placeSort, read from the index by id. It returns false when the index
// cannot be read as sets.
func (x *Index) runSets(ctx context.Context, q peerfind.Query, req *bleve.SearchRequest, from, size int, facets bool) (*bleve.SearchResult, bool, error) {
	r, err := x.reader()
	if err != nil {
		return nil, false, err
	}
	defer r.Close()
	set, ok, err := x.setOf(ctx, r, req.Query)
	if err != nil || !ok {
		return nil, ok, err
	}
	res := &bleve.SearchResult{Request: req, Total: set.GetCardinality(), Status: &bleve.SearchStatus{Total: 1, Successful: 1}}
	if facets {
		res.Facets = x.cols.facetResults(x.cols.countSet(set))
	}
	if size == 0 {
		return res, true, nil
	}
	place := newPlaceSort(x.cols, q, q.Sort == peerfind.SortDistance)
	docs := place.first(set, from+size)
	if from >= len(docs) {
		return res, true, nil
	}
	// The hits are references; their records are read when decoded.
	for _, d := range docs[from:] {
		res.Hits = append(res.Hits, &search.DocumentMatch{IndexInternalID: index.NewIndexInternalID(nil, uint64(d))})
	}
	return res, true, nil
}

// setOf is the set of documents q matches in the snapshot r, unscored.
// It returns false when the index cannot be read as sets.
func (x *Index) setOf(ctx context.Context, r index.IndexReader, q query.Query) (*roaring.Bitmap, bool, error) {
	s := x.sets(r)
	if s == nil {
		return nil, false, nil
	}
	set, err := s.eval(ctx, q, nil)
	if err != nil {
		return nil, false, fmt.Errorf("search: %w", err)
	}
	return set, true, nil
}

// sets reads the snapshot r as sets, with the index's cache of decoded
// postings and phrases; nil when r is not a scorch snapshot.
func (x *Index) sets(r index.IndexReader) *sets {
	s := newSets(r, x.idx.Mapping())
	if s != nil {
		s.cache, s.tags = x.postings, x.tags
	}
	return s
}

// reader is a snapshot of the index, for the caller to close.
func (x *Index) reader() (index.IndexReader, error) {
	adv, err := x.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return r, nil
}
