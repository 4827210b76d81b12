package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/peerfind/peerfind"
)

// TestScoredConcurrent runs scored searches from several goroutines on a
// cold postings cache, with a budget small enough to evict, and holds
// each answer to the same search run alone on a warm cache: the cache's
// entries are filled once, shared, and dropped while others read them.
func TestScoredConcurrent(t *testing.T) {
	x, g := synthTestIndex(t, 3000)
	now := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)
	x.now = func() time.Time { return now }
	var qs []peerfind.Query
	for i := 0; len(qs) < 40; i++ {
		q := mixQuery(t, g.Query(i))
		if q.Text == "" || q.Sort == peerfind.SortDistance {
			continue
		}
		q.Now = now
		qs = append(qs, q)
	}
	answer := func(q peerfind.Query) string {
		r, err := x.Search(context.Background(), q)
		if err != nil {
			t.Error(err)
			return ""
		}
		b, _ := json.Marshal(r)
		return string(b)
	}
	want := make([]string, len(qs))
	for i, q := range qs {
		want[i] = answer(q)
	}
	x.postings = newPostingsCache(64 << 10)
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for k := range qs {
				i := (k + 7*w) % len(qs)
				if got := answer(qs[i]); got != want[i] {
					t.Errorf("query %q: answer differs under concurrency", qs[i].Text)
				}
			}
		}(w)
	}
	wg.Wait()
}

// TestDisjoinAndConjoin checks the merges of scored clauses by hand: a
// disjunction's coordination factor and minimum, a conjunction's sums.
func TestDisjoinAndConjoin(t *testing.T) {
	// Fresh lists for each merge: the merges write over their clauses'.
	a := func() scores { return scores{docs: []uint32{1, 3, 5, 9}, score: []float64{1, 1, 1, 1}} }
	b := func() scores { return scores{docs: []uint32{3, 4, 9}, score: []float64{2, 2, 2}} }
	none := scores{}
	two3 := float64(2) / float64(3) // at run time, as disjoin computes it
	tests := []struct {
		name string
		got  scores
		want scores
	}{
		{"or", disjoin([]scores{a(), b(), none}, 3, 1), scores{
			docs:  []uint32{1, 3, 4, 5, 9},
			score: []float64{1.0 / 3, 3 * 2.0 / 3, 2.0 / 3, 1.0 / 3, 3 * 2.0 / 3},
		}},
		{"or, two at least", disjoin([]scores{a(), b()}, 2, 2), scores{docs: []uint32{3, 9}, score: []float64{3, 3}}},
		{"and", conjoin([]scores{a(), b()}), scores{docs: []uint32{3, 9}, score: []float64{3, 3}}},
		{"and with nothing", conjoin([]scores{a(), none}), scores{}},
		{"boost", boost(a(), b()), scores{docs: []uint32{1, 3, 5, 9}, score: []float64{1, 3, 1, 3}}},
		{"or, one clause matches", disjoin([]scores{none, b()}, 2, 1), scores{docs: []uint32{3, 4, 9}, score: []float64{1, 1, 1}}},
		{"or, one clause but two wanted", disjoin([]scores{none, b()}, 2, 2), scores{}},
		{"or, two clauses", disjoin([]scores{a(), none, b()}, 3, 1), scores{
			docs:  []uint32{1, 3, 4, 5, 9},
			score: []float64{1.0 / 3, 3 * (2.0 / 3), 2.0 / 3, 1.0 / 3, 3 * (2.0 / 3)},
		}},
		{"or, three clauses", disjoin([]scores{a(), b(), {docs: []uint32{4, 5}, score: []float64{4, 4}}}, 4, 1), scores{
			docs:  []uint32{1, 3, 4, 5, 9},
			score: []float64{1 * (1.0 / 4), 3 * (2.0 / 4), 6 * (2.0 / 4), 5 * (2.0 / 4), 3 * (2.0 / 4)},
		}},
		{"or, three clauses, two wanted", disjoin([]scores{a(), b(), {docs: []uint32{4, 5}, score: []float64{4, 4}}}, 3, 2), scores{
			docs:  []uint32{3, 4, 5, 9},
			score: []float64{3 * two3, 6 * two3, 5 * two3, 3 * two3},
		}},
		{"or, two clauses, both wanted", disjoin([]scores{a(), b()}, 2, 2), scores{docs: []uint32{3, 9}, score: []float64{3, 3}}},
	}
	for _, tt := range tests {
		if len(tt.got.docs) != len(tt.want.docs) {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
			continue
		}
		for i := range tt.got.docs {
			if tt.got.docs[i] != tt.want.docs[i] || tt.got.score[i] != tt.want.score[i] {
				t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
				break
			}
		}
	}
	// The dense way and the merge give the same matches and the same
	// scores to the bit, sums in the clauses' order.
	rng := rand.New(rand.NewPCG(1, 2))
	var kids []scores
	var live []int
	lo, hi := uint32(math.MaxUint32), uint32(0)
	for k := 0; k < 6; k++ {
		var sc scores
		for d := uint32(1000); d < 60000; d++ {
			if rng.IntN(3+k) == 0 {
				sc.docs = append(sc.docs, d)
				sc.score = append(sc.score, rng.Float64())
			}
		}
		if k == 4 {
			sc = scores{} // a clause with no match
		}
		if len(sc.docs) > 0 {
			live = append(live, k)
			lo, hi = min(lo, sc.docs[0]), max(hi, sc.docs[len(sc.docs)-1])
		}
		kids = append(kids, sc)
	}
	for _, least := range []int{0, 1, 3} {
		dense := disjoinDense(kids, live, lo, hi, len(kids), least)
		merged := disjoinMerge(kids, live, 0, len(kids), least)
		if !slices.Equal(dense.docs, merged.docs) || !slices.Equal(dense.score, merged.score) {
			t.Errorf("at least %d: dense %d matches, merge %d, or scores differ", least, len(dense.docs), len(merged.docs))
		}
		if len(dense.docs) == 0 {
			t.Errorf("at least %d: no matches", least)
		}
	}

	bm := roaring.BitmapOf(3, 9)
	if k := keep(a(), bm); len(k.docs) != 2 || k.docs[0] != 3 || k.docs[1] != 9 {
		t.Errorf("keep: %v", k)
	}
}

// TestTermFrequencies reads a term's frequencies the ways term finds
// them (by rank for a few documents, roaring's or a dense term's, by a
// walk from the start for most of them, by a walk over a span for a
// region's), on postings whose frequency is known from the document's
// number, and holds every dense rank to roaring's.
func TestTermFrequencies(t *testing.T) {
	norm := func(d uint32) float32 { return float32(1 / math.Sqrt(float64(d%5+1))) }
	p := &termPostings{docs: roaring.New(), over: map[uint32]uint32{}}
	norms := make(fieldNorms, 1<<20)
	for d := uint32(0); d < 1<<20; d += 3 {
		p.docs.Add(d)
		f := d%7 + 1
		if d%1000 == 0 {
			f = 300 // over a byte
			p.over[d] = f
		}
		p.freq = append(p.freq, uint8(min(f, 255)))
		norms[d] = math.Float32bits(norm(d))
	}
	// The same postings with the ranks of a dense term (a third of the
	// documents), sharing their words.
	dp := *p
	dp.dense = newDenseRanks(p.docs)
	dp.docs = roaring.FromDense(dp.dense.words, false)
	want := func(d uint32) float64 {
		if d%1000 == 0 {
			return math.Sqrt(300) * float64(norm(d))
		}
		return math.Sqrt(float64(d%7+1)) * float64(norm(d))
	}
	sets := map[string]*roaring.Bitmap{
		"few":    roaring.BitmapOf(3, 999, 3000, 600000, 999999),
		"most":   func() *roaring.Bitmap { b := roaring.New(); b.AddRange(0, 1<<20); return b }(),
		"region": func() *roaring.Bitmap { b := roaring.New(); b.AddRange(400000, 460000); return b }(),
		"scattered": func() *roaring.Bitmap {
			b := roaring.New()
			for d := uint32(5); d < 1<<20; d += 97 {
				b.Add(d)
			}
			return b
		}(),
	}
	for _, post := range []*termPostings{p, &dp} {
		n := &scoreNode{kind: nodeTerm, post: post, norms: norms, idf: 1, weight: 1}
		for name, set := range sets {
			if post.dense != nil {
				name += " (dense)"
			}
			both := roaring.And(set, p.docs)
			// Alone; in an evaluation, with the set's bitset and its
			// copy of the norms; and over the documents that have the
			// term (all), as a conjunction's clauses are.
			ctx := context.Background()
			for way, e := range map[string]*evaluator{
				"alone":      {ctx: ctx, set: set},
				"evaluation": (&evaluator{ctx: ctx}).evaluation(set).over(set, false),
				"all":        (&evaluator{ctx: ctx}).evaluation(both),
			} {
				got := e.term(n)
				if uint64(len(got.docs)) != both.GetCardinality() {
					t.Fatalf("%s, %s: %d documents, want %d", name, way, len(got.docs), both.GetCardinality())
				}
				for i, d := range got.docs {
					if got.score[i] != want(d) {
						t.Fatalf("%s, %s: document %d scored %v, want %v", name, way, d, got.score[i], want(d))
					}
				}
			}
		}
	}

	// A disjunction over a set sums its clauses in an array by rank
	// (evaluator.disjunction), a repeated term scored once: the lists'
	// way (disjoin) to the bit. Its clauses: the term, the dense term,
	// a third term (every fifth document), a clause of one clause, the
	// term again with another weight, and nothing.
	q := &termPostings{docs: roaring.New()}
	for d := uint32(0); d < 1<<20; d += 5 {
		q.docs.Add(d)
		q.freq = append(q.freq, 2)
	}
	term := func(post *termPostings, weight float64) *scoreNode {
		return &scoreNode{kind: nodeTerm, post: post, norms: norms, idf: 1.5, weight: weight, count: post.docs.GetCardinality()}
	}
	disj := compound(nodeDisj, []*scoreNode{
		term(p, 0.7), term(&dp, 1.1), term(q, 0.3),
		compound(nodeConj, []*scoreNode{term(q, 0.9)}, 0),
		term(p, 1.3), {kind: nodeNone},
	}, 1)
	for name, set := range sets {
		for _, least := range []int{1, 3} {
			disj.min = least
			ctx := context.Background()
			want, err := (&evaluator{ctx: ctx, set: set}).eval(disj)
			if err != nil {
				t.Fatal(err)
			}
			got, err := (&evaluator{ctx: ctx}).evaluation(set).over(set, false).eval(disj)
			if err != nil {
				t.Fatal(err)
			}
			if len(want.docs) == 0 || !slices.Equal(got.docs, want.docs) || !slices.Equal(got.score, want.score) {
				t.Fatalf("%s, at least %d: %d documents by rank, %d by lists, or scores differ", name, least, len(got.docs), len(want.docs))
			}
		}
	}
	// Every rank of the dense term is roaring's.
	it := p.docs.Iterator()
	for it.HasNext() {
		d := it.Next()
		if got, want := dp.index(d), int(p.docs.Rank(d))-1; got != want {
			t.Fatalf("document %d: dense rank %d, want %d", d, got, want)
		}
	}
}

// TestPostingsCacheCancelled: a search waiting on an entry that another,
// cancelled search was filling fills it itself, and gets its answer, not
// the other search's cancellation.
func TestPostingsCacheCancelled(t *testing.T) {
	c := newPostingsCache(1 << 20)
	s := &sets{}
	key := fieldTerm{"text", "grief"}
	started, release := make(chan struct{}), make(chan struct{})
	first, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := c.entry(first, s, key, nil, func(e *postingsEntry) error {
			close(started)
			<-release
			return first.Err()
		})
		done <- err
	}()
	<-started
	second := make(chan *postingsEntry)
	// The second search is in the cache, under its lock, before the
	// first is cancelled: it finds the first's entry and waits on it.
	waiting := make(chan struct{})
	var once sync.Once
	inside := func(*postingsCache) { once.Do(func() { close(waiting) }) }
	go func() {
		e, err := c.entry(context.Background(), s, key, inside, func(e *postingsEntry) error {
			e.bm, e.bytes = roaring.BitmapOf(7), 64
			return nil
		})
		if err != nil {
			t.Errorf("second search: %v", err)
		}
		second <- e
	}()
	<-waiting
	cancel()
	close(release)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("first search: %v, want cancelled", err)
	}
	if e := <-second; e == nil || e.bm == nil || !e.bm.Contains(7) {
		t.Fatalf("second search got %+v", e)
	}
	// And the entry is kept for the next search.
	e, err := c.entry(context.Background(), s, key, nil, func(*postingsEntry) error {
		t.Fatal("filled again")
		return nil
	})
	if err != nil || !e.bm.Contains(7) {
		t.Fatalf("third search: %v, %+v", err, e)
	}
}

// TestPostingsCancelledWhileDecoding: a search cancelled (or out of time)
// while it decodes a term's postings gets its context's error, and the
// next search decodes them.
func TestPostingsCancelledWhileDecoding(t *testing.T) {
	_, s, _ := synthSets(t, 3000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct{ field, term string }{{fieldProse, "support"}, {fieldName, "group"}} {
		if _, _, err := s.cache.get(ctx, s, tc.field, tc.term); !errors.Is(err, context.Canceled) {
			t.Fatalf("%s:%s cancelled: %v, want context.Canceled", tc.field, tc.term, err)
		}
		p, _, err := s.cache.get(context.Background(), s, tc.field, tc.term)
		if err != nil || p == nil || p.docs.IsEmpty() {
			t.Fatalf("%s:%s after: %v, %+v", tc.field, tc.term, err, p)
		}
	}
}
