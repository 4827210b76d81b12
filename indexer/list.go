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
// stored fields asked for. It reads the matches a chunk at a time (search
// after the last id), so a million matches never sit in memory at once.
func (x *Index) eachDoc(ctx context.Context, q query.Query, fields []string, fn func(h *search.DocumentMatch) error) error {
	var after []string
	for {
		req := bleve.NewSearchRequestOptions(q, listChunk, 0, false)
		req.Fields = fields
		req.SortByCustom(search.SortOrder{&search.SortDocID{}})
		req.Score = "none"
		if after != nil {
			req.SetSearchAfter(after)
		}
		res, err := x.idx.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("list documents: %w", err)
		}
		for _, h := range res.Hits {
			if err := fn(h); err != nil {
				return err
			}
		}
		if len(res.Hits) < listChunk {
			return nil
		}
		after = []string{res.Hits[len(res.Hits)-1].ID}
	}
}
