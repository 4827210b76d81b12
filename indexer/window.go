package indexer

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"

	"github.com/peerfind/peerfind"
)

// windowHit is a hit of the rerank window (sort=relevance): what adjust
// and blend read. It comes from the columns; its record is read when it
// reaches the page, or earlier when the columns cannot stand for it (see
// window). Reading and decoding the records of the whole window (133
// with a place) was about a tenth of a query's time at a million
// records, and the stored pages it mapped were about half of the index
// pages resident in searchd (see records.go).
type windowHit struct {
	// Hit has the text score, the mode, the distance and whether the
	// service serves the searcher's area; its Service is nil until read.
	peerfind.Hit
	match *search.DocumentMatch
	// fresh is the record's freshness; inactive is set when its status
	// counts half.
	fresh    float64
	inactive bool
}

// window is the rerank window of res. now is the clock of freshness.
func (x *Index) window(ctx context.Context, res *bleve.SearchResult, q peerfind.Query, now time.Time) ([]windowHit, error) {
	var toks []string
	if q.Near != nil {
		toks = PlaceTokens(q.Place)
	}
	out := make([]windowHit, len(res.Hits))
	var unread []int // in out
	for i, m := range res.Hits {
		d := m.IndexInternalID.Value()
		w := windowHit{Hit: peerfind.Hit{Score: m.Score}, match: m}
		serves, ok := x.cols.serves(d, toks)
		if !ok {
			unread = append(unread, i)
			out[i] = w
			continue
		}
		w.Mode, w.ServesArea = x.cols.mode(d), serves
		if q.Near != nil {
			if km, ok := nearestKM(*q.Near, x.cols.points(d)); ok {
				w.DistanceKM = &km
			}
		}
		w.fresh, w.inactive = freshnessOf(x.cols.assuredAge(d, now)), x.cols.inactive[d]
		out[i] = w
	}
	ms := make([]*search.DocumentMatch, len(unread))
	for k, i := range unread {
		ms[k] = out[i].match
	}
	if err := x.read(ctx, ms); err != nil {
		return nil, err
	}
	for _, i := range unread {
		s, err := decodeSource(out[i].match)
		if err != nil {
			return nil, err
		}
		out[i].Hit = placed(s, out[i].Score, q)
		out[i].fresh, out[i].inactive = freshness(s.AssuredDate, now), inactive(s.Status)
	}
	return out, nil
}

// page is the hits of a window's page, their records read (hits), with
// their adjusted scores.
func (x *Index) page(ctx context.Context, ws []windowHit, q peerfind.Query, now time.Time) ([]peerfind.Hit, error) {
	res := &bleve.SearchResult{Hits: make(search.DocumentMatchCollection, len(ws))}
	for i, w := range ws {
		w.match.Score = w.Score
		res.Hits[i] = w.match
	}
	return x.hits(ctx, res, q, now)
}

// read reads the record of the matches that lack it, by number, from
// the records beside the index.
func (x *Index) read(ctx context.Context, ms []*search.DocumentMatch) error {
	for _, m := range ms {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("search: read hits: %w", err)
		}
		if _, ok := m.Fields[fieldSource]; ok {
			continue
		}
		d := m.IndexInternalID.Value()
		if d >= uint64(len(x.cols.idRank)) || x.cols.idRank[d] == math.MaxUint32 {
			return fmt.Errorf("search: read hits: document %d has no id", d)
		}
		b, err := x.recs.read(int(x.cols.idRank[d]))
		if err != nil {
			return fmt.Errorf("search: read hits: %w", err)
		}
		m.ID, m.Fields = recordID(b), map[string]any{fieldSource: string(b)}
	}
	return nil
}
