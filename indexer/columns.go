package indexer

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/geo"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
)

// statusActive is the status of a service open to people (peerfind.Statuses).
const statusActive = "active"

// columns hold, for every document of an open index by its number in
// bleve, what a search reads once per match: its facet tokens (for the
// counts), its points, whether it is remote, and the rank of its id (for
// the sort). bleve reads these through doc values, decoding a compressed
// block per match; at a million records that was a quarter of a query's
// time (docs/performance.md). The index is opened read-only, so the
// document numbers of every search's snapshot are those read at Open.
type columns struct {
	// tokens are the distinct facet tokens ("lang:es", see facetToken),
	// in order.
	tokens []string
	// facetOff[d]..facetOff[d+1] index facetTok, document d's tokens.
	facetOff []uint32
	facetTok []uint16
	// tokDocs are the documents of each token: a large set's counts
	// are the sizes of its intersections with them.
	tokDocs []*roaring.Bitmap
	// ptOff[d]..ptOff[d+1] index pts, document d's points.
	ptOff []uint32
	pts   []orb.Point // lon, lat as bleve decodes them
	// remote is set for documents not attended in person, active for
	// active services, inactive for those with another status (an
	// empty one is neither).
	remote, active, inactive []bool
	// modes are the facet tokens of the modes of attendance, and the
	// mode each one names.
	modes map[uint16]string
	// assured is the day (since 1970-01-01) each record was last
	// confirmed, or noDay.
	assured []int32
	// areaDocs are the documents of each area token that restricts whom
	// a service serves (a state, county or ZIP code, or nationwide);
	// shaped are those with polygon areas, which only the record can
	// decide (see serves).
	areaDocs map[string]*roaring.Bitmap
	shaped   *roaring.Bitmap
	// idRank is the position of the document's id in id order; ids
	// are the first and the last id in that order; byRank are the
	// documents in that order.
	idRank []uint32
	ids    [2]string
	byRank []uint32
	// grid finds the points within a radius.
	grid pointGrid
	// times are the meeting times, or nil in an index built before they
	// were saved beside it, which has them as tokens (whenQuery).
	times *timesColumn
}

// readColumns reads the columns of every document of idx, with the
// points saved in dir beside it (pointsFile) or, in an index built
// before, in its doc values.
func readColumns(ctx context.Context, idx bleve.Index, dir string) (*columns, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	defer r.Close()
	c := &columns{}

	saved := filepath.Join(dir, pointsFile)
	_, statErr := os.Stat(saved)
	fromFile := statErr == nil
	if !fromFile && !hasField(idx.Mapping(), fieldLoc) {
		return nil, fmt.Errorf("read columns: the points beside the index (%s) are missing: %w", saved, statErr)
	}
	var dv index.DocValueReader
	if !fromFile {
		if dv, err = r.DocValueReader([]string{fieldLoc}); err != nil {
			return nil, fmt.Errorf("read columns: %w", err)
		}
	}
	// The documents, and in an index built before, their points from
	// loc's doc values.
	all, err := r.DocIDReaderAll()
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	defer all.Close()
	var cur []orb.Point
	visit := func(field string, term []byte) {
		if field != fieldLoc {
			return
		}
		if ok, shift := numeric.ValidPrefixCodedTermBytes(term); !ok || shift != 0 {
			return
		}
		v, err := numeric.PrefixCoded(term).Int64()
		if err != nil {
			return
		}
		cur = append(cur, orb.Point{geo.MortonUnhashLon(uint64(v)), geo.MortonUnhashLat(uint64(v))})
	}
	docs := 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("read columns: %w", err)
		}
		iid, err := all.Next()
		if err != nil {
			return nil, fmt.Errorf("read columns: %w", err)
		}
		if iid == nil {
			break
		}
		n := iid.Value()
		if n >= math.MaxUint32 {
			return nil, fmt.Errorf("read columns: document number %d out of range", n)
		}
		c.grow(int(n) + 1)
		docs++
		if fromFile {
			continue
		}
		cur = cur[:0]
		if err := dv.VisitDocValues(iid, visit); err != nil {
			return nil, fmt.Errorf("read columns: points of document %d: %w", n, err)
		}
		c.setPoints(int(n), cur)
	}
	if fromFile {
		if docs != len(c.idRank) {
			return nil, fmt.Errorf("read columns: %d documents numbered up to %d: saved points need them numbered from 0 without gaps", docs, len(c.idRank))
		}
		if err := c.readPoints(saved, docs); err != nil {
			return nil, err
		}
	} else {
		c.closePoints()
	}
	// The meeting times, saved beside the index like the points, or in
	// an index built before, tokens of fieldWhen.
	times := filepath.Join(dir, timesFile)
	if _, err := os.Stat(times); err == nil {
		if docs != len(c.idRank) {
			return nil, fmt.Errorf("read columns: %d documents numbered up to %d: saved meeting times need them numbered from 0 without gaps", docs, len(c.idRank))
		}
		if c.times, err = readTimes(times, docs); err != nil {
			return nil, err
		}
	} else if !hasField(idx.Mapping(), fieldWhen) {
		return nil, fmt.Errorf("read columns: the meeting times beside the index (%s) are missing: %w", times, err)
	}
	// The rank of each id, from the ids' dictionary, which lists them in
	// order. (An id read from the stored document would read every
	// document's stored fields: a gigabyte of the index at a million
	// records, kept resident.)
	rank := 0
	err = eachPosting(ctx, r, fieldID, func(id string, doc uint64) {
		if doc < uint64(len(c.idRank)) {
			if rank == 0 {
				c.ids[0] = id
			}
			c.ids[1] = id
			c.idRank[doc] = uint32(rank)
			c.byRank = append(c.byRank, uint32(doc))
			rank++
		}
	})
	if err != nil {
		return nil, err
	}
	if rank != docs {
		return nil, fmt.Errorf("read columns: %d ids for %d documents", rank, docs)
	}
	c.buildGrid()

	// Facet tokens and the remote flag, term by term.
	type docTok struct {
		doc uint32
		tok uint16
	}
	var pairs []docTok
	// A token is a facet's field and a term of it ("lang:es"), read
	// from the facet fields and the mode; the tokens are numbered in
	// order, c.tokens sorted. (An index built before 2026-11-24 also has
	// them in a field of their own, which is no longer read.)
	for _, field := range append([]string{fieldMode}, peerfind.Facets...) {
		err = eachPosting(ctx, r, field, func(term string, doc uint64) {
			if tok := facetToken(field, term); len(c.tokens) == 0 || c.tokens[len(c.tokens)-1] != tok {
				c.tokens = append(c.tokens, tok)
			}
			pairs = append(pairs, docTok{uint32(doc), uint16(len(c.tokens) - 1)})
		})
		if err != nil {
			return nil, err
		}
		if len(c.tokens) > math.MaxUint16+1 {
			return nil, fmt.Errorf("read columns: more than %d facet tokens", math.MaxUint16+1)
		}
	}
	if !slices.IsSorted(c.tokens) {
		order := make([]uint16, len(c.tokens))
		for i := range order {
			order[i] = uint16(i)
		}
		slices.SortFunc(order, func(a, b uint16) int { return strings.Compare(c.tokens[a], c.tokens[b]) })
		renum := make([]uint16, len(c.tokens))
		sorted := make([]string, len(c.tokens))
		for to, from := range order {
			renum[from], sorted[to] = uint16(to), c.tokens[from]
		}
		c.tokens = sorted
		for i := range pairs {
			pairs[i].tok = renum[pairs[i].tok]
		}
	}
	c.facetOff = make([]uint32, len(c.idRank)+1)
	for _, p := range pairs {
		if int(p.doc) < len(c.idRank) {
			c.facetOff[p.doc+1]++
		}
	}
	for d := 1; d < len(c.facetOff); d++ {
		c.facetOff[d] += c.facetOff[d-1]
	}
	c.facetTok = make([]uint16, c.facetOff[len(c.facetOff)-1])
	fill := slices.Clone(c.facetOff[:len(c.facetOff)-1])
	for _, p := range pairs {
		if int(p.doc) < len(c.idRank) {
			c.facetTok[fill[p.doc]] = p.tok
			fill[p.doc]++
		}
	}
	c.tokDocs = make([]*roaring.Bitmap, len(c.tokens))
	for i := range c.tokDocs {
		c.tokDocs[i] = roaring.New()
	}
	for len(pairs) > 0 {
		tok, docs := pairs[0].tok, make([]uint32, 0, 1024)
		for len(pairs) > 0 && pairs[0].tok == tok && len(docs) < cap(docs) {
			if int(pairs[0].doc) < len(c.idRank) {
				docs = append(docs, pairs[0].doc)
			}
			pairs = pairs[1:]
		}
		c.tokDocs[tok].AddMany(docs)
	}
	for _, bm := range c.tokDocs {
		bm.RunOptimize()
	}
	err = eachPosting(ctx, r, fieldRemote, func(term string, doc uint64) {
		if term == "1" && doc < uint64(len(c.remote)) {
			c.remote[doc] = true
		}
	})
	if err == nil {
		err = eachPosting(ctx, r, fieldStatus, func(term string, doc uint64) {
			if doc < uint64(len(c.active)) {
				c.active[doc] = term == statusActive
				c.inactive[doc] = inactive(term)
			}
		})
	}
	if err == nil {
		err = c.readRank(ctx, r)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// noDay is the day of a record with no date, or one that does not read.
const noDay = math.MinInt32

// readRank reads what the rerank window needs besides the points: the
// modes, the dates and the areas (see window.go).
func (c *columns) readRank(ctx context.Context, r index.IndexReader) error {
	c.modes = map[uint16]string{}
	for i, t := range c.tokens {
		if mode, ok := strings.CutPrefix(t, fieldMode+":"); ok {
			c.modes[uint16(i)] = mode
		}
	}
	last, day := "", int32(noDay)
	err := eachPosting(ctx, r, fieldAssured, func(term string, doc uint64) {
		if term != last {
			last, day = term, noDay
			if t, err := time.Parse(time.DateOnly, term); err == nil {
				day = int32(t.Unix() / secondsPerDay)
			}
		}
		if doc < uint64(len(c.assured)) {
			c.assured[doc] = day
		}
	})
	if err != nil {
		return err
	}
	c.areaDocs, c.shaped = map[string]*roaring.Bitmap{}, roaring.New()
	return eachPosting(ctx, r, fieldArea, func(term string, doc uint64) {
		switch term {
		case tokenOpen, tokenAnyone:
			return
		case tokenShaped:
			c.shaped.Add(uint32(doc))
			return
		}
		bm := c.areaDocs[term]
		if bm == nil {
			bm = roaring.New()
			c.areaDocs[term] = bm
		}
		bm.Add(uint32(doc))
	})
}

const secondsPerDay = 24 * 60 * 60

// grow makes room for n documents.
func (c *columns) grow(n int) {
	for len(c.idRank) < n {
		c.idRank = append(c.idRank, math.MaxUint32)
		c.remote = append(c.remote, false)
		c.active = append(c.active, false)
		c.inactive = append(c.inactive, false)
		c.assured = append(c.assured, noDay)
		c.ptOff = append(c.ptOff, uint32(len(c.pts)))
	}
}

// setPoints records the points of document n, read in document order.
func (c *columns) setPoints(n int, pts []orb.Point) {
	c.ptOff[n] = uint32(len(c.pts))
	c.pts = append(c.pts, pts...)
}

// closePoints ends the point offsets after the last document.
func (c *columns) closePoints() {
	// Documents skipped by number (deleted ones) got the offset of the
	// next one in grow, and so no points.
	c.ptOff = append(c.ptOff, uint32(len(c.pts)))
}

// eachPosting calls fn for every term of field, in order, and every
// document carrying it.
func eachPosting(ctx context.Context, r index.IndexReader, field string, fn func(term string, doc uint64)) error {
	d, err := r.FieldDict(field)
	if err != nil {
		return fmt.Errorf("read columns: terms of %s: %w", field, err)
	}
	defer d.Close()
	for {
		e, err := d.Next()
		if err != nil {
			return fmt.Errorf("read columns: terms of %s: %w", field, err)
		}
		if e == nil {
			return nil
		}
		tfr, err := r.TermFieldReader(ctx, []byte(e.Term), field, false, false, false)
		if err != nil {
			return fmt.Errorf("read columns: postings of %s:%s: %w", field, e.Term, err)
		}
		var tfd index.TermFieldDoc
		for {
			p, err := tfr.Next(&tfd)
			if err != nil {
				tfr.Close()
				return fmt.Errorf("read columns: postings of %s:%s: %w", field, e.Term, err)
			}
			if p == nil {
				break
			}
			fn(e.Term, p.ID.Value())
			tfd.Reset()
		}
		if err := tfr.Close(); err != nil {
			return fmt.Errorf("read columns: postings of %s:%s: %w", field, e.Term, err)
		}
	}
}

// mode is how document d is attended (peerfind.Service.Mode), from its
// facet tokens.
func (c *columns) mode(d uint64) string {
	if d+1 >= uint64(len(c.facetOff)) {
		return ""
	}
	for _, t := range c.facetTok[c.facetOff[d]:c.facetOff[d+1]] {
		if m, ok := c.modes[t]; ok {
			return m
		}
	}
	return ""
}

// points are document d's points.
func (c *columns) points(d uint64) []orb.Point {
	if d+1 >= uint64(len(c.ptOff)) {
		return nil
	}
	return c.pts[c.ptOff[d]:c.ptOff[d+1]]
}

// serves reports whether document d serves a searcher in the place
// whose area tokens are toks (PlaceTokens), as ServesPlace says from the
// record; ok is false when only the record can say (polygon areas).
func (c *columns) serves(d uint64, toks []string) (serves, ok bool) {
	if d >= uint64(len(c.remote)) || c.shaped.Contains(uint32(d)) {
		return false, false
	}
	for _, t := range toks {
		if bm := c.areaDocs[t]; bm != nil && bm.Contains(uint32(d)) &&
			(t != tokenNationwide || c.remote[d]) {
			return true, true
		}
	}
	return false, true
}

// assuredAge is how long before now document d was last confirmed, or
// -1 when unknown (AssuredAge).
func (c *columns) assuredAge(d uint64, now time.Time) time.Duration {
	if d >= uint64(len(c.assured)) || c.assured[d] == noDay {
		return -1
	}
	return since(time.Unix(int64(c.assured[d])*secondsPerDay, 0).UTC(), now)
}

// isActive reports whether document d is an active service.
func (c *columns) isActive(d uint64) bool { return d < uint64(len(c.active)) && c.active[d] }

// count adds document d's facet tokens to counts.
func (c *columns) count(d uint64, counts []uint32) {
	if d+1 >= uint64(len(c.facetOff)) {
		return
	}
	for _, t := range c.facetTok[c.facetOff[d]:c.facetOff[d+1]] {
		counts[t]++
	}
}

// countSet counts the facet tokens of the documents of set: document by
// document (about 12 ns each at a million records), or for a large set
// token by token, intersecting the set with the token's documents (a
// few microseconds each).
func (c *columns) countSet(set *roaring.Bitmap) []uint32 {
	if set.GetCardinality() > 512*uint64(len(c.tokens)) {
		return c.countTokens(set)
	}
	return c.countDocs(set)
}

// countTokens is countSet token by token.
func (c *columns) countTokens(set *roaring.Bitmap) []uint32 {
	counts := make([]uint32, len(c.tokens))
	for t, bm := range c.tokDocs {
		counts[t] = uint32(set.AndCardinality(bm))
	}
	return counts
}

// countDocs is countSet document by document.
func (c *columns) countDocs(set *roaring.Bitmap) []uint32 {
	counts := make([]uint32, len(c.tokens))
	eachOf(set, func(d uint32) { c.count(uint64(d), counts) })
	return counts
}

// eachOf calls fn with each number of bm in order, read in batches
// (roaring's one-at-a-time iterator costs a call per number).
func eachOf(bm *roaring.Bitmap, fn func(uint32)) {
	it := bm.ManyIterator()
	buf := make([]uint32, min(bm.GetCardinality(), 1024))
	for {
		n := it.NextMany(buf)
		if n == 0 {
			return
		}
		for _, d := range buf[:n] {
			fn(d)
		}
	}
}

// all counts the tokens of every document.
func (c *columns) all() []uint32 {
	counts := make([]uint32, len(c.tokens))
	for _, t := range c.facetTok {
		counts[t]++
	}
	return counts
}

// facetResults are counts in the shape of bleve's facet results, under
// the name fieldFacets, for facetCounts.
func (c *columns) facetResults(counts []uint32) search.FacetResults {
	terms := &search.TermFacets{}
	total := 0
	for i, n := range counts {
		if n > 0 {
			terms.Add(&search.TermFacet{Term: c.tokens[i], Count: int(n)})
			total += int(n)
		}
	}
	return search.FacetResults{fieldFacets: &search.FacetResult{Field: fieldFacets, Total: total, Terms: terms}}
}

// tapped is ctx with a hook that counts the facet tokens of every match
// of a search into counts, before bleve's own collection of the match.
func (c *columns) tapped(ctx context.Context, counts []uint32) context.Context {
	var mk search.MakeDocumentMatchHandler = func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		next, loadID, err := collector.MakeTopNDocumentMatchHandler(sctx)
		if err != nil {
			return nil, false, err
		}
		return func(d *search.DocumentMatch) error {
			if d != nil {
				c.count(d.IndexInternalID.Value(), counts)
			}
			return next(d)
		}, loadID, nil
	}
	return context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, mk)
}

// nearestKM is the great-circle distance in km from (lon, lat) to the
// nearest point of document d, as bleve's geo distance sort computes it,
// and false when d has none.
func (c *columns) nearestKM(d uint64, lon, lat float64) (float64, bool) {
	if d+1 >= uint64(len(c.ptOff)) {
		return 0, false
	}
	best, ok := math.Inf(1), false
	for _, p := range c.pts[c.ptOff[d]:c.ptOff[d+1]] {
		if km := geo.Haversin(lon, lat, p[0], p[1]); km < best {
			best, ok = km, true
		}
	}
	return best, ok
}

// placeSort orders matches by distance from a point, nearest first
// (documents without a point last), then by id; with remoteLast, every
// in-person service before every remote one. It reads the columns, not
// doc values. Matches it cannot place (no columns) sort last.
type placeSort struct {
	c          *columns
	lon, lat   float64
	hasPoint   bool
	remoteLast bool
	desc       bool
}

// newPlaceSort orders by distance from q.Near (when set), remote
// services last with remoteLast.
func newPlaceSort(c *columns, q peerfind.Query, remoteLast bool) placeSort {
	s := placeSort{c: c, remoteLast: remoteLast}
	if q.Near != nil {
		s.lon, s.lat, s.hasPoint = q.Near.Lon(), q.Near.Lat(), true
	}
	return s
}

func (s *placeSort) UpdateVisitor(string, []byte) {}

func (s *placeSort) Value(m *search.DocumentMatch) string {
	k := s.key(m.IndexInternalID.Value())
	var b [13]byte
	b[0] = k.remote
	binary.BigEndian.PutUint64(b[1:9], k.dist)
	binary.BigEndian.PutUint32(b[9:], k.rank)
	return string(b[:])
}

func (s *placeSort) DecodeValue(v string) string { return "" }
func (s *placeSort) Descending() bool            { return s.desc }
func (s *placeSort) RequiresDocID() bool         { return false }
func (s *placeSort) RequiresScoring() bool       { return false }
func (s *placeSort) RequiresFields() []string    { return nil }
func (s *placeSort) Reverse()                    { s.desc = !s.desc }
func (s *placeSort) Copy() search.SearchSort     { c := *s; return &c }

// placeRank is a document's place in placeSort's order, compared field by
// field as placeSort.Value's bytes are.
type placeRank struct {
	remote uint8
	dist   uint64
	rank   uint32
	doc    uint32
}

func (a placeRank) compare(b placeRank) int {
	if c := cmp.Compare(a.remote, b.remote); c != 0 {
		return c
	}
	if c := cmp.Compare(a.dist, b.dist); c != 0 {
		return c
	}
	return cmp.Compare(a.rank, b.rank)
}

func (a placeRank) less(b placeRank) bool { return a.compare(b) < 0 }

// key is document d's place in the order: remote ones last with
// remoteLast, then the distance (as the non-negative float's bits), then
// the id's rank. A document without columns sorts after every other.
func (s *placeSort) key(d uint64) placeRank {
	k := placeRank{dist: math.MaxUint64, rank: math.MaxUint32, doc: uint32(d)}
	if d >= uint64(len(s.c.idRank)) {
		k.remote = 0xff
		return k
	}
	if s.remoteLast && s.c.remote[d] {
		k.remote = 1
	}
	if s.hasPoint {
		if km, ok := s.c.nearestKM(d, s.lon, s.lat); ok {
			k.dist = math.Float64bits(km)
		}
	}
	k.rank = s.c.idRank[d]
	return k
}

// first returns the first n documents of set in placeSort's order. Once
// n are kept, a document whose every point is surely farther than the
// last kept one (by the dot product of unit vectors, with the margins of
// within) is passed over without its exact distance.
func (s *placeSort) first(set *roaring.Bitmap, n int) []uint32 {
	if n <= 0 {
		return nil
	}
	if !s.hasPoint && !s.remoteLast {
		if out, ok := s.firstByRank(set, n); ok {
			return out
		}
	}
	return s.firstOfAll(set, n)
}

// firstByRank is first without a point and without remoteLast, where the
// order is the ids': the documents are walked in that order until n of
// set are seen. A set of most of the directory (a browse with no need, a
// nationwide filter) is then a few hundred lookups instead of a million
// keys. It returns false when the
// walk would be longer than going through the set, or found fewer than
// n (documents without an id are last in placeSort's order).
func (s *placeSort) firstByRank(set *roaring.Bitmap, n int) ([]uint32, bool) {
	all := uint64(len(s.c.byRank))
	card := set.GetCardinality()
	// Expected, a walk of n·all/card documents; beyond four times that,
	// or the set's own size, the set is cheaper.
	limit := 4 * uint64(n) * all / max(card, 1)
	if limit >= card || all == 0 {
		return nil, false
	}
	out := make([]uint32, 0, n)
	for i, d := range s.c.byRank {
		if uint64(i) >= limit {
			return nil, false
		}
		if set.Contains(d) {
			if out = append(out, d); len(out) == n {
				return out, true
			}
		}
	}
	return nil, false
}

// firstOfAll is first by going through every document of set.
func (s *placeSort) firstOfAll(set *roaring.Bitmap, n int) []uint32 {
	best := newBestN(n, placeRank.less)
	var v0 [3]float64
	if s.hasPoint {
		v0 = unitVector(s.lon, s.lat)
	}
	lastDist, cosOut := uint64(math.MaxUint64), -2.0
	eachOf(set, func(d uint32) {
		if last, full := best.last(); full && s.hasPoint && int(d)+1 < len(s.c.ptOff) && s.c.ptOff[d] < s.c.ptOff[d+1] {
			remote := uint8(0)
			if s.remoteLast && s.c.remote[d] {
				remote = 1
			}
			if remote > last.remote {
				return
			}
			if remote == last.remote && last.dist != math.MaxUint64 {
				if last.dist != lastDist {
					lastDist, cosOut = last.dist, -2
					if a := math.Float64frombits(last.dist) / (radiusPoleKM * 0.999); a < math.Pi {
						cosOut = math.Cos(a)
					}
				}
				farther := true
				for k := s.c.ptOff[d]; k < s.c.ptOff[d+1] && farther; k++ {
					v := s.c.grid.vec[k]
					farther = v[0]*v0[0]+v[1]*v0[1]+v[2]*v0[2] < cosOut
				}
				if farther {
					return
				}
			}
		}
		best.offer(s.key(uint64(d)))
	})
	ks := best.sorted()
	out := make([]uint32, len(ks))
	for i, k := range ks {
		out[i] = k.doc
	}
	return out
}

// bestN keeps the n first of the values offered to it in the order of
// less, in a max-heap whose root is the last of them.
type bestN[T any] struct {
	h    []T
	n    int
	less func(a, b T) bool
}

func newBestN[T any](n int, less func(a, b T) bool) *bestN[T] {
	return &bestN[T]{h: make([]T, 0, n), n: n, less: less}
}

// last is the last value kept, when n are kept.
func (b *bestN[T]) last() (T, bool) {
	if len(b.h) < b.n || b.n == 0 {
		var zero T
		return zero, false
	}
	return b.h[0], true
}

func (b *bestN[T]) offer(v T) {
	h := b.h
	if len(h) < b.n {
		h = append(h, v)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !b.less(h[p], h[i]) {
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
		b.h = h
		return
	}
	if b.n == 0 || !b.less(v, h[0]) {
		return
	}
	h[0] = v
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		if r := l + 1; r < len(h) && b.less(h[l], h[r]) {
			l = r
		}
		if !b.less(h[i], h[l]) {
			return
		}
		h[i], h[l] = h[l], h[i]
		i = l
	}
}

// sorted returns the values kept, first first.
func (b *bestN[T]) sorted() []T {
	slices.SortFunc(b.h, func(x, y T) int {
		switch {
		case b.less(x, y):
			return -1
		case b.less(y, x):
			return 1
		}
		return 0
	})
	return b.h
}

// ranks is the number of documents with an id rank.
func (c *columns) ranks() int {
	n := 0
	for _, r := range c.idRank {
		if r != math.MaxUint32 {
			n++
		}
	}
	return n
}
