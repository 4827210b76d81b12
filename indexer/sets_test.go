package indexer

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/peerfind/peerfind"
)

// TestSetsMatchSearchers holds the sets (runSets) to bleve's searchers:
// every query of the benchmark mix, sorted both ways, on two pages, in
// every remote mode, with and without a radius and closed services, must
// give the same answer to the last field either way: totals, facet
// counts, hits with their scores and distances, the remote and farther
// lists.
func TestSetsMatchSearchers(t *testing.T) {
	x, g := synthTestIndex(t, 3000)
	now := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)
	x.now = func() time.Time { return now }
	answer := func(q peerfind.Query, noSets, noScored bool) string {
		t.Helper()
		x.noSets, x.noScored = noSets, noScored
		r, err := x.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	compared, withHits, rounded := 0, 0, 0
	for i := 0; i < 150; i++ {
		base := mixQuery(t, g.Query(i))
		base.Now = now
		var variants []peerfind.Query
		for _, sortBy := range []string{peerfind.SortRelevance, peerfind.SortDistance} {
			q := base
			q.Sort = sortBy
			if sortBy == peerfind.SortDistance && q.Near == nil {
				continue
			}
			variants = append(variants, q)
			q.Page = 3
			variants = append(variants, q)
		}
		if base.Near != nil {
			for _, mode := range []string{peerfind.RemoteApart, peerfind.RemoteExclude, peerfind.RemoteOnly} {
				q := base
				q.Remote = mode
				variants = append(variants, q)
			}
			q := base
			q.RadiusKM = 0 // widened
			variants = append(variants, q)
		}
		q := base
		q.IncludeClosed = true
		variants = append(variants, q)
		for _, q := range variants {
			got, want := answer(q, false, true), answer(q, true, true)
			if got != want {
				t.Fatalf("query %+v:\nsets     %s\nsearcher %s", q, got, want)
			}
			if scored := answer(q, false, false); scored != want {
				if a, b := roundScores(t, scored), roundScores(t, want); a != b {
					t.Fatalf("query %+v:\nscored   %s\nsearcher %s", q, a, b)
				}
				rounded++
			}
			compared++
			if len(got) > 200 {
				withHits++
			}
		}
	}
	t.Logf("%d answers compared, %d with hits, %d the same only with scores rounded", compared, withHits, rounded)
	if withHits < compared/2 {
		t.Fatalf("only %d of %d answers have hits", withHits, compared)
	}
}

// roundScores is an answer (JSON) with its scores to 12 digits. bleve's
// scores differ in the last bits by the order it sums a disjunction's
// clauses: over 10 clauses it sums them in the order of a heap whose
// state depends on how the searcher was advanced, so a document's score
// is not quite the same in two searches that reach it differently.
func roundScores(t *testing.T, answer string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(answer), &v); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if f, ok := e.(float64); ok && k == "Score" {
					v[k], _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 12, 64), 64)
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSetsSegments holds sets to bleve's searchers on an index of several
// segments with a deleted document, which Build never writes (it writes
// one segment) but a scorch index can hold: the document numbers of the
// later segments are offset, and a deleted one must not match.
// waitPersisted waits (10 s at most) until idx holds no segment in
// memory only: bleve's persister merges the in-memory segments it finds
// into one, so a batch written before the last is persisted may share
// its segment, on a slow machine.
func waitPersisted(t *testing.T, idx bleve.Index) {
	t.Helper()
	for range 1000 {
		st, _ := idx.StatsMap()["index"].(map[string]any)
		if n, ok := st["TotMemorySegmentsAtRoot"].(uint64); ok && n == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the index's segments were not persisted in 10 s")
}

func TestSetsSegments(t *testing.T) {
	recs, _ := synthRecords(t, 90)
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	// No merges: scorch's merger would soon make the three segments
	// one (it takes no segment larger than half of MaxSegmentSize), and
	// on a busy machine before they are read.
	idx, err := bleve.NewUsing(filepath.Join(t.TempDir(), "index"), m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore,
		map[string]any{"scorchMergePlanOptions": map[string]any{"MaxSegmentSize": 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	for i := 0; i < len(recs); i += 30 {
		b := idx.NewBatch()
		for _, s := range recs[i : i+30] {
			d := document(s)
			if err := b.Index(s.ID, d); err != nil {
				t.Fatal(err)
			}
		}
		if err := idx.Batch(b); err != nil {
			t.Fatal(err)
		}
		waitPersisted(t, idx)
	}
	if err := idx.Delete(recs[40].ID); err != nil {
		t.Fatal(err)
	}
	adv, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := newSets(r, m)
	if s == nil {
		t.Fatal("no sets for a scorch index")
	}
	if len(s.segs) < 2 {
		t.Fatalf("%d segments, want several", len(s.segs))
	}
	if s.all.GetCardinality() != uint64(len(recs)-1) {
		t.Fatalf("%d live documents, want %d", s.all.GetCardinality(), len(recs)-1)
	}
	ctx := context.Background()
	deleted := term(fieldStatus, recs[40].Status)
	queries := map[string]query.Query{
		"all":     query.NewMatchAllQuery(),
		"status":  deleted,
		"english": term(peerfind.FacetLanguage, "en"),
		"words":   match(fieldProse, "alcohol support", analyzerText, query.MatchQueryOperatorOr, 1),
		"and":     query.NewConjunctionQuery([]query.Query{deleted, match(fieldProse, "group", analyzerText, query.MatchQueryOperatorAnd, 1)}),
		"not":     query.NewBooleanQuery(nil, nil, []query.Query{deleted}),
		"prefix":  prefixQuery(fieldProse, "sup"),
	}
	for name, q := range queries {
		got, err := s.eval(ctx, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.collect(ctx, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equals(want) {
			t.Errorf("%s: %d documents %v, bleve's searcher %d %v", name, got.GetCardinality(), got.ToArray(), want.GetCardinality(), want.ToArray())
		}
		if name != "not" && want.IsEmpty() {
			t.Errorf("%s: matches nothing, a weak check", name)
		}
	}
}

func prefixQuery(field, prefix string) query.Query {
	p := query.NewPrefixQuery(prefix)
	p.SetField(field)
	return p
}

// TestAndNarrowsInPlace checks a conjunction whose terms narrow its
// matches in place (sets.intersect) against each clause evaluated alone:
// terms of many documents, of one, of none, after a radius; and that the
// limit it was given is left as it was.
func TestAndNarrowsInPlace(t *testing.T) {
	x, s, g := synthSets(t, 3000)
	ctx := context.Background()
	p := g.Record(0).Points()[0]
	one, err := s.r.ExternalID(index.NewIndexInternalID(nil, 2500)) // outside the limit
	if err != nil {
		t.Fatal(err)
	}
	radius := radiusQuery{c: x.cols, lon: p.Lon(), lat: p.Lat(), km: 300}
	limit := roaring.New()
	limit.AddRange(0, 2000)
	for _, tc := range []struct {
		name    string
		clauses []query.Query
	}{
		{"terms", []query.Query{term(fieldMode, peerfind.ModeInPerson), term(peerfind.FacetLanguage, "es"), term(fieldArea, tokenAnyone)}},
		{"one document", []query.Query{term(fieldStatus, statusActive), term(fieldID, one)}},
		{"none", []query.Query{term(fieldStatus, statusActive), term(peerfind.FacetLanguage, "no-such-language")}},
		{"after a radius", []query.Query{radius, filterQuery{term(fieldArea, tokenAnyone)}, term(fieldMode, peerfind.ModeInPerson)}},
	} {
		for _, lim := range []*roaring.Bitmap{nil, limit} {
			want := roaring.New()
			want.AddRange(0, uint64(len(x.cols.idRank)))
			if lim != nil {
				want.And(lim)
			}
			for _, c := range tc.clauses {
				bm, err := s.eval(ctx, c, nil)
				if err != nil {
					t.Fatal(err)
				}
				want.And(bm)
			}
			var before *roaring.Bitmap
			if lim != nil {
				before = lim.Clone()
			}
			got, err := s.and(ctx, tc.clauses, lim)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equals(want) {
				t.Errorf("%s (limit %v): %d documents, want %d", tc.name, lim != nil, got.GetCardinality(), want.GetCardinality())
			}
			if lim != nil && !lim.Equals(before) {
				t.Errorf("%s: the limit was changed", tc.name)
			}
		}
	}
}
