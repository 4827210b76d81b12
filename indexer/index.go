// Package indexer turns peerfind records into a bleve index and searches
// it. Build writes a new index generation and swaps it in when complete;
// Open opens the current generation read-only; (*Index).Search implements
// peerfind.Searcher.
package indexer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/peerfind/peerfind"
)

// Index is an open, read-only search index.
type Index struct {
	idx  bleve.Index
	tax  *peerfind.Taxonomy
	path string

	// vocab is the taxonomy's labels and synonyms, for query expansion.
	vocab *vocabulary
	// terms and termsES are the index's words in English and Spanish
	// analysis: a known word is not corrected as a typo.
	terms, termsES map[string]struct{}
	// zones are the time zones of the indexed schedules.
	zones []string
	// docs is the number of records, termDocs how many carry each term.
	docs     int
	termDocs map[peerfind.TermRef]int
	// feat are the matching features in use (all but in tests).
	feat features
	// now is the clock that dates confirmations (time.Now but in tests).
	now func() time.Time
	// cols are the per-document values of facet counts and sorting.
	cols *columns
	// noSets answers unscored searches with bleve's searchers instead of
	// sets (see runSets), to compare the two in tests.
	noSets bool
	// noScored answers scored searches with bleve's searchers instead of
	// sets and runScored's own scores, to compare the two in tests.
	noScored bool
	// pruneOver is how many matches of a scored search make it worth
	// scoring them in tiers (maxscore.go); tests change it.
	pruneOver uint64
	// postings are the postings scored searches decoded (runScored).
	postings *postingsCache
	// recs are the records beside the index (records.go).
	recs *recordFile
	// tags are the fields whose labels are read from the tags.
	tags *tagFields
	// openBlocks says the index has fieldOpenBlocks, not fieldOpen.
	openBlocks bool
	// phrases knows the terms whose labels have a phrase.
	phrases phrases
	// searching counts the searches in flight: with fewer than the
	// cores, a scored search scores a tier of splitOver documents or
	// more on a second core too (evaluator.splitOver); tests change
	// splitOver.
	searching atomic.Int32
	splitOver uint64
	suggestState
}

// coreFree reports whether fewer searches are in flight than there are
// cores: then a search may take a second one for a part of its work.
func (x *Index) coreFree() bool {
	return int(x.searching.Load()) < runtime.GOMAXPROCS(0)
}

// relaxBelow is the number of results under which a query that requires
// every word falls back to any word. Falling back with a few results
// already found (5) measured +0.005 nDCG@10 on the judged set but turned
// three-word needs into thousands of loose matches: not worth the noise.
const relaxBelow = 1

// Limits the index enforces whatever its caller checked.
const (
	MaxPerPage   = 100
	MaxPage      = 1000
	MaxTextBytes = 1000
	MaxRadiusKM  = 1000
)

// Open opens the current index generation under dir (see Build) for
// reading. tax supplies the facet vocabulary.
func Open(dir string, tax *peerfind.Taxonomy) (*Index, error) {
	if tax == nil {
		return nil, errors.New("open index: no taxonomy")
	}
	path := dir
	if _, err := os.Lstat(filepath.Join(dir, currentLink)); err == nil {
		target, err := os.Readlink(filepath.Join(dir, currentLink))
		if err != nil {
			return nil, fmt.Errorf("open index %s: %w", dir, err)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(dir, target)
		}
		path = filepath.Join(target, "index")
	}
	if _, err := os.Stat(filepath.Join(path, "index_meta.json")); err != nil {
		return nil, fmt.Errorf("open index %s: no index there (build one with bin/indexer -out %s): %w", dir, dir, err)
	}
	idx, err := bleve.OpenUsing(path, map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	x := &Index{idx: idx, tax: tax, path: path, vocab: newVocabulary(tax), feat: allFeatures, now: time.Now, postings: newPostingsCache(PostingsBudget), pruneOver: defaultPruneOver, splitOver: defaultSplitOver}
	x.openBlocks = hasField(idx.Mapping(), fieldOpenBlocks)
	x.cols, err = readColumns(context.Background(), idx, filepath.Dir(path))
	if err == nil {
		x.tags, err = x.readTags()
	}
	if err == nil {
		x.recs, err = openRecords(filepath.Dir(path), x.cols.ranks(), x.cols.ids[0], x.cols.ids[1])
		if err == nil && x.recs == nil {
			err = fmt.Errorf("the records beside the index (%s, %s) are missing or not this index's; an index built before they were saved must be built again (bin/indexer -out %s)", recordsFile, recordsOffsets, dir)
		}
	}
	if err == nil {
		x.terms, err = x.words(x.tags.text, fieldText)
	}
	if err == nil {
		x.termsES, err = x.words(x.tags.es, fieldTextES)
	}
	if err == nil {
		err = x.countTerms()
	}
	if err == nil && x.cols.times == nil {
		x.zones, err = readZones(x)
	}
	if err == nil {
		// The type-ahead list is built now, not on the first keystroke.
		_, err = x.suggestions(context.Background())
	}
	if err != nil {
		x.recs.close()
		idx.Close()
		return nil, fmt.Errorf("open index %s: %w", path, err)
	}
	return x, nil
}

// countTerms counts the records and the records of each term.
func (x *Index) countTerms() error {
	n, err := x.idx.DocCount()
	if err != nil {
		return fmt.Errorf("count terms: %w", err)
	}
	x.docs = int(n)
	x.termDocs = map[peerfind.TermRef]int{}
	res := &bleve.SearchResult{Facets: x.cols.facetResults(x.cols.all())}
	for f, counts := range facetCounts(res) {
		for _, c := range counts {
			x.termDocs[peerfind.TermRef{Facet: f, ID: c.Term}] = c.Count
		}
	}
	return nil
}

// facetCounts splits the counts of fieldFacets by facet (and "mode"),
// each list by count, most first, then by term.
func facetCounts(res *bleve.SearchResult) map[string][]peerfind.FacetCount {
	out := map[string][]peerfind.FacetCount{}
	fr := res.Facets[fieldFacets]
	if fr == nil || fr.Terms == nil {
		return out
	}
	for _, t := range fr.Terms.Terms() {
		if f, id, ok := strings.Cut(t.Term, ":"); ok {
			out[f] = append(out[f], peerfind.FacetCount{Term: id, Count: t.Count})
		}
	}
	for _, counts := range out {
		sort.Slice(counts, func(i, j int) bool {
			if counts[i].Count != counts[j].Count {
				return counts[i].Count > counts[j].Count
			}
			return counts[i].Term < counts[j].Term
		})
	}
	return out
}

// readTags reads the fields whose labels are read from the tags.
func (x *Index) readTags() (*tagFields, error) {
	r, err := x.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return readTagFields(context.Background(), r, x.idx.Mapping(), x.cols, x.tax)
}

// words are the words of field: those of its prose and of its labels when
// t reads its labels from the tags, or the field's own dictionary (t nil:
// an index built before).
func (x *Index) words(t *tagWords, field string) (map[string]struct{}, error) {
	if t == nil {
		return readFieldDict(x.idx, field)
	}
	out, err := readFieldDict(x.idx, t.real)
	if err != nil {
		return nil, err
	}
	for w := range t.words {
		out[w] = struct{}{}
	}
	return out, nil
}

// readFieldDict reads the dictionary of a field.
func readFieldDict(idx bleve.Index, field string) (map[string]struct{}, error) {
	d, err := idx.FieldDict(field)
	if err != nil {
		return nil, fmt.Errorf("read the words of %s: %w", field, err)
	}
	defer d.Close()
	out := map[string]struct{}{}
	for {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("read the words of %s: %w", field, err)
		}
		if e == nil {
			return out, nil
		}
		out[e.Term] = struct{}{}
	}
}

// Close releases the index.
func (x *Index) Close() error { return errors.Join(x.recs.close(), x.idx.Close()) }

// Path is the folder of the open generation.
func (x *Index) Path() string { return x.path }

// DocCount returns the number of records in the index.
func (x *Index) DocCount() (uint64, error) { return x.idx.DocCount() }

// Service returns the record with the id.
func (x *Index) Service(ctx context.Context, id string) (*peerfind.Service, error) {
	if id == "" || len(id) > 200 {
		return nil, fmt.Errorf("service id %q: %w", id, peerfind.ErrInvalid)
	}
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery([]string{id}), 1, 0, false)
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("look up service %q: %w", id, err)
	}
	if len(res.Hits) == 0 {
		return nil, fmt.Errorf("service %q: %w", id, peerfind.ErrNotFound)
	}
	if err := x.read(ctx, res.Hits); err != nil {
		return nil, fmt.Errorf("look up service %q: %w", id, err)
	}
	return decodeSource(res.Hits[0])
}

// Search runs q: a text match over names, descriptions and taxonomy
// labels; filters by facet (OR within a facet, AND across facets); a
// radius around q.Near; facet counts over all matches; one page of hits
// with their great-circle distance.
func (x *Index) Search(ctx context.Context, q peerfind.Query) (*peerfind.Results, error) {
	if err := x.check(q); err != nil {
		return nil, err
	}
	x.searching.Add(1)
	defer x.searching.Add(-1)
	ctx = withRadiusMemo(ctx)
	page, perPage := q.Page, q.PerPage
	if page < 1 {
		page = 1
	}
	if perPage < 1 {
		perPage = 10
	}

	// With sort=relevance, the first rerankWindow hits are fetched and
	// reordered by distance and freshness (see adjust); deeper pages keep
	// the index's order.
	from, size := (page-1)*perPage, perPage
	rerank := x.feat.rerank && q.Text != "" && q.Sort != peerfind.SortDistance && from+perPage <= rerankWindow
	if rerank {
		from, size = 0, rerankWindow
	}
	now := q.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	if q.Upcoming {
		// Every match is fetched and ordered by its next meeting.
		from, size, rerank = 0, maxUpcoming, false
	}
	out := &peerfind.Results{Facets: map[string][]peerfind.FacetCount{}}
	mode := remoteMode(q.Remote)
	var where query.Query
	if q.Near != nil {
		radius := q.RadiusKM
		if radius == 0 && mode != peerfind.RemoteOnly {
			var err error
			if radius, err = x.widen(ctx, q); err != nil {
				return nil, err
			}
			out.Widened = true
		}
		out.RadiusKM = radius
		switch mode {
		case peerfind.RemoteOnly:
			where = x.whereQuery(q, radius, partRemote)
		case peerfind.RemoteApart, peerfind.RemoteExclude:
			where = x.whereQuery(q, radius, partInPerson)
		default:
			where = x.whereQuery(q, radius, partAll)
		}
	}
	var res *bleve.SearchResult
	var mark []string
	var err error
	if rerank && q.Near != nil && mode == peerfind.RemoteMixed {
		// The window is fetched in two parts, blended below: a window of
		// the best text matches overall could be all online meetings.
		res, mark, err = x.blendWindow(ctx, q, out.RadiusKM)
	} else {
		res, mark, err = x.relaxed(ctx, q, from, size, where, true)
	}
	if err != nil {
		return nil, err
	}
	out.Total = res.Total
	if rerank {
		// The window is reordered from the columns; only the page's
		// records are read.
		window, err := x.window(ctx, res, q, x.now())
		if err != nil {
			return nil, err
		}
		for i := range window {
			window[i].Score *= window[i].adjust(out.RadiusKM)
		}
		sort.SliceStable(window, func(i, j int) bool { return window[i].Score > window[j].Score })
		if q.Near != nil && mode == peerfind.RemoteMixed {
			window = blend(window, out.RadiusKM)
		}
		lo := min((page-1)*perPage, len(window))
		if out.Hits, err = x.page(ctx, window[lo:min(lo+perPage, len(window))], q, now); err != nil {
			return nil, err
		}
	} else if out.Hits, err = x.hits(ctx, res, q, now); err != nil {
		return nil, err
	}
	if q.Upcoming {
		out.Hits, out.Total = upcoming(out.Hits, res.Total, now, page, perPage)
	}
	if len(mark) > 0 {
		hl := x.newHighlighter(mark)
		for i := range out.Hits {
			out.Hits[i].Snippet = hl.snippet(out.Hits[i].Service.Description)
		}
	}
	if q.Near != nil {
		if err := x.nearby(ctx, q, mode, res, out, now); err != nil {
			return nil, err
		}
	}
	counts := facetCounts(res)
	for _, f := range peerfind.Facets {
		if len(counts[f]) > 0 {
			out.Facets[f] = counts[f]
		}
	}
	return out, nil
}

func (x *Index) check(q peerfind.Query) error {
	switch {
	case len(q.Text) > MaxTextBytes:
		return fmt.Errorf("query text longer than %d bytes: %w", MaxTextBytes, peerfind.ErrInvalid)
	case q.Page > MaxPage:
		return fmt.Errorf("page %d beyond %d: %w", q.Page, MaxPage, peerfind.ErrInvalid)
	case q.PerPage > MaxPerPage:
		return fmt.Errorf("per_page %d above %d: %w", q.PerPage, MaxPerPage, peerfind.ErrInvalid)
	case q.Sort == peerfind.SortDistance && q.Near == nil:
		return fmt.Errorf("sort by distance needs a location: %w", peerfind.ErrInvalid)
	case q.Sort != "" && q.Sort != peerfind.SortDistance && q.Sort != peerfind.SortRelevance:
		return fmt.Errorf("unknown sort %q: %w", q.Sort, peerfind.ErrInvalid)
	case remoteMode(q.Remote) != q.Remote && q.Remote != "":
		return fmt.Errorf("unknown remote mode %q (want mixed, apart, exclude or only): %w", q.Remote, peerfind.ErrInvalid)
	}
	if q.Near != nil {
		lon, lat := q.Near.Lon(), q.Near.Lat()
		if math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return fmt.Errorf("location %v out of range: %w", *q.Near, peerfind.ErrInvalid)
		}
		if q.RadiusKM < 0 || q.RadiusKM > MaxRadiusKM || math.IsNaN(q.RadiusKM) {
			return fmt.Errorf("radius %v km outside 0..%d: %w", q.RadiusKM, MaxRadiusKM, peerfind.ErrInvalid)
		}
	}
	for f, ids := range q.Filters {
		facet := x.tax.Facet(f)
		if facet == nil {
			return fmt.Errorf("unknown filter %q: %w", f, peerfind.ErrInvalid)
		}
		for _, id := range ids {
			if facet.Term(id) == nil {
				return fmt.Errorf("unknown %s %q: %w", f, id, peerfind.ErrInvalid)
			}
		}
	}
	return nil
}

// run runs one bleve search for q: its need with the operator op, its
// filters, the location filter where (nil for none), one window of hits,
// and the facet counts when facets is set.
func (x *Index) run(ctx context.Context, q peerfind.Query, from, size int, op query.MatchQueryOperator, where query.Query, facets bool) (*bleve.SearchResult, []string, error) {
	req, mark, scored := x.request(q, from, size, op, where)
	if !x.noSets && (!scored || !x.noScored) {
		run := x.runSets
		if scored {
			run = x.runScored
		}
		res, ok, err := run(ctx, q, req, from, size, facets)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			return res, mark, nil
		}
	}
	var counts []uint32
	if facets {
		// Counted from the columns as bleve collects each match.
		counts = make([]uint32, len(x.cols.tokens))
		ctx = x.cols.tapped(ctx, counts)
	}
	if size == 0 {
		// Only the total and the facets: no sort values to read.
		req.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}})
	} else {
		// In-person services first, nearest first, then remote ones; or
		// by relevance, then distance. Ties go by id (unscored, see
		// request, under sort=distance).
		place := newPlaceSort(x.cols, q, q.Sort == peerfind.SortDistance)
		if q.Sort == peerfind.SortDistance {
			req.SortByCustom(search.SortOrder{&place})
		} else {
			req.SortByCustom(search.SortOrder{&search.SortScore{Desc: true}, &place})
		}
	}
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, nil, fmt.Errorf("search: %w", err)
	}
	if facets {
		res.Facets = x.cols.facetResults(counts)
	}
	return res, mark, nil
}

// request is the bleve request of run, without its sort and facets.
func (x *Index) request(q peerfind.Query, from, size int, op query.MatchQueryOperator, where query.Query) (*bleve.SearchRequest, []string, bool) {
	scored := isScored(q, size)
	all, mark := x.query(q, op, where, scored)
	return bleve.NewSearchRequestOptions(all, size, from, false), mark, scored
}

// isScored reports whether a window of size hits of q is ordered by
// score. Without a need every score is the same. Under sort=distance the
// score would only order services at the same distance, which the ID
// does as well; a window of no hits (counts and facets) needs no order at
// all. Unscored, a search runs from sets (runSets).
func isScored(q peerfind.Query, size int) bool {
	return q.Sort != peerfind.SortDistance && size > 0 && strings.TrimSpace(q.Text) != ""
}

// query is the query of request: the need (scored or not), the filters,
// the location filter where and the status.
func (x *Index) query(q peerfind.Query, op query.MatchQueryOperator, where query.Query, scored bool) (query.Query, []string) {
	need, mark := x.needQuery(q.Text, op, x.feat, scored)
	var must []query.Query // filters, unscored (see filtered)
	for _, f := range peerfind.Facets {
		ids := q.Filters[f]
		if len(ids) == 0 {
			continue
		}
		var any []query.Query
		for _, id := range ids {
			t := query.NewTermQuery(id)
			t.SetField(f)
			any = append(any, t)
		}
		must = append(must, query.NewDisjunctionQuery(any))
	}
	if x.cols.times != nil {
		if f, ok := newTimesFilter(q, x.cols.times); ok {
			must = append(must, timesQuery{t: x.cols.times, f: f})
		}
	} else if wq := whenQuery(q, x.zones, x.openBlocks); wq != nil {
		must = append(must, wq)
	}
	if where != nil {
		must = append(must, where)
	}
	var all query.Query = filtered(need, must)
	if !scored {
		all = filterQuery{all}
	}
	if !q.IncludeClosed {
		all = activeQuery{q: all, c: x.cols}
	}
	return all, mark
}

func decodeSource(h *search.DocumentMatch) (*peerfind.Service, error) {
	raw, ok := h.Fields[fieldSource].(string)
	if !ok {
		return nil, fmt.Errorf("record %q: stored source missing", h.ID)
	}
	s, err := peerfind.DecodeService([]byte(raw))
	if err != nil {
		return nil, fmt.Errorf("record %q: decode stored source: %w", h.ID, err)
	}
	return s, nil
}

// nearestKM is the great-circle distance from p to the nearest of pts.
func nearestKM(p orb.Point, pts []orb.Point) (float64, bool) {
	best, ok := math.Inf(1), false
	for _, q := range pts {
		if d := geo.DistanceHaversine(p, q) / 1000; d < best {
			best, ok = d, true
		}
	}
	return best, ok
}

var (
	_ peerfind.Searcher  = (*Index)(nil)
	_ peerfind.Suggester = (*Index)(nil)
)
