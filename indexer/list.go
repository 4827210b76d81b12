package indexer

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// listChunk is how many documents eachDoc reads per search.
const listChunk = 5000

// eachDoc calls fn for every document matching q, in id order, with the
// stored fields asked for. It walks the ids in the index's dictionary and
// reads the matches listChunk ids at a time, so a million matches never
// sit in memory at once and each document is read once (a search after
// the last id would sort every match again for every chunk).
func (x *Index) eachDoc(ctx context.Context, q query.Query, fields []string, fn func(h *search.DocumentMatch) error) error {
	d, err := x.idx.FieldDict("_id")
	if err != nil {
		return fmt.Errorf("list documents: %w", err)
	}
	defer d.Close()
	ids := make([]string, 0, listChunk)
	flush := func() error {
		if len(ids) == 0 {
			return nil
		}
		chunk := query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), q})
		req := bleve.NewSearchRequestOptions(chunk, len(ids), 0, false)
		req.Fields = fields
		req.SortByCustom(search.SortOrder{&search.SortDocID{}})
		req.Score = "none"
		res, err := x.idx.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("list documents: %w", err)
		}
		for _, h := range res.Hits {
			if err := fn(h); err != nil {
				return err
			}
		}
		ids = ids[:0]
		return nil
	}
	for {
		e, err := d.Next()
		if err != nil {
			return fmt.Errorf("list documents: %w", err)
		}
		if e == nil {
			return flush()
		}
		ids = append(ids, e.Term)
		if len(ids) == listChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}
