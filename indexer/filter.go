package indexer

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// filterQuery matches what its query matches, unscored: a filter (facet
// terms, status, meeting times, the radius) says whether a record is in,
// not how well it answers the need. Without scores bleve skips the
// frequencies and norms and can combine term filters as bitmaps, and the
// geo radius's many cell terms as one union.
type filterQuery struct{ q query.Query }

func (f filterQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	options.Score = "none"
	options.IncludeTermVectors = false
	options.Explain = false
	s, err := f.q.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	return unweighted{s}, nil
}

// unweighted is a filter's searcher with no weight in the query norm:
// bleve divides every score by the root of the summed weights of all
// clauses, filters included, so two searches for one need with
// different filters (the parts of blendWindow) would score the same
// record differently.
type unweighted struct{ search.Searcher }

func (unweighted) Weight() float64      { return 0 }
func (unweighted) SetQueryNorm(float64) {}

// filtered is need AND every filter, the filters unscored.
func filtered(need query.Query, filters []query.Query) query.Query {
	must := []query.Query{need}
	for _, f := range filters {
		must = append(must, filterQuery{f})
	}
	return query.NewConjunctionQuery(must)
}

// splitFiltered takes apart a query of request (filtered, perhaps
// within activeQuery): the need, the filters, and whether only active
// services match. It returns false for a query of another shape.
func splitFiltered(q query.Query) (need query.Query, filters []query.Query, active, ok bool) {
	if a, isActive := q.(activeQuery); isActive {
		q, active = a.q, true
	}
	c, isConj := q.(*query.ConjunctionQuery)
	if !isConj || len(c.Conjuncts) == 0 {
		return nil, nil, false, false
	}
	for _, f := range c.Conjuncts[1:] {
		fq, isFilter := f.(filterQuery)
		if !isFilter {
			return nil, nil, false, false
		}
		filters = append(filters, fq.q)
	}
	return c.Conjuncts[0], filters, active, true
}

// activeQuery matches what q matches among active services. The status
// is read from the columns as each match comes, instead of stepping the
// postings of "active" (nearly every record) in step with the need and
// the other filters.
type activeQuery struct {
	q query.Query
	c *columns
}

func (a activeQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	s, err := a.q.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	return searcher.NewFilteringSearcher(ctx, s, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		return a.c.isActive(d.IndexInternalID.Value())
	}), nil
}
