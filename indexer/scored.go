package indexer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/peerfind/peerfind"
)

// A scored search from sets (runScored): the filters are a set, and the
// need is scored within it here, with bleve's TF-IDF, from postings
// decoded once and kept (postingsCache).
//
// bleve's scorer reads a term's frequency and norm by stepping through
// every posting before the document it is asked for, however few
// documents the filters and the radius leave (docs/performance.md). Here
// a term costs what it shares with the filters' set: its documents are a
// bitmap, and its frequencies and norms are read from memory.
//
// The scores are those bleve gives the need searched alone: each term
// scores sqrt(freq)·norm·idf·(boost·idf·queryNorm); a conjunction sums
// its clauses, a disjunction sums those that match times the share that
// match, a boolean query adds its should clauses' score to its must
// clauses'; sums run over the clauses in bleve's order (fewest postings
// first), and the query norm is the root of the summed squared weights
// of every term of the need (the filters weigh nothing, see filtered).
// Two things make bleve's own filtered search differ:
//
//   - over 10 clauses, a disjunction sums in the order of a heap that
//     depends on how it was advanced: the last bits differ;
//   - when a conjunction advances a boolean clause, bleve's
//     BooleanSearcher advances the should clauses even when they already
//     stand on a later match (v2.6.3; the must-not clauses have the
//     guard), and that match loses its bonus. Here it keeps it.
//
// TestSetsMatchSearchers and TestColumnsMatchBleve compare the two. A
// need with a clause this does not know (fuzzy terms, prefixes) is left
// to bleve.

// errNotScorable says a need has a clause scoreNode does not reproduce.
var errNotScorable = errors.New("not scorable from sets")

type nodeKind uint8

const (
	nodeNone nodeKind = iota
	nodeTerm
	nodeConj
	nodeDisj
	nodeBool // kids: must, should
	nodePhrase
)

// scoreNode is a clause of the need as bleve would search it.
type scoreNode struct {
	kind nodeKind
	// count is what bleve's searcher Count says: a term's postings, a
	// compound clause's sum. Clauses are summed in this order.
	count uint64
	kids  []*scoreNode
	// min is a disjunction's least number of matching clauses.
	min int

	// A term's postings, its field's norms, boost and idf.
	post  *termPostings
	norms fieldNorms
	boost float64
	idf   float64
	// weight is queryWeight: boost·idf·queryNorm, set by setNorm.
	weight float64

	// A phrase's query: its matches are read from sets.
	phrase *query.MatchPhraseQuery
}

// needScorer compiles a need for one snapshot.
type needScorer struct {
	ctx   context.Context
	s     *sets  // with its postings cache
	total uint64 // documents in the snapshot, for the idf
}

func (sc *needScorer) compile(q query.Query) (*scoreNode, error) {
	switch q := q.(type) {
	case *query.TermQuery:
		return sc.term(sc.s.field(q.FieldVal), q.Term, q.BoostVal.Value())
	case *query.MatchQuery:
		if q.Fuzziness != 0 {
			return nil, errNotScorable
		}
		field := sc.s.field(q.FieldVal)
		ts, err := sc.tokens(field, q.Analyzer, q.Match)
		if err != nil || len(ts) == 0 {
			return &scoreNode{kind: nodeNone}, err
		}
		var kids []*scoreNode
		for _, t := range ts {
			k, err := sc.term(field, t, q.BoostVal.Value())
			if err != nil {
				return nil, err
			}
			kids = append(kids, k)
		}
		if q.Operator == query.MatchQueryOperatorOr {
			return compound(nodeDisj, kids, 1), nil
		}
		return compound(nodeConj, kids, 0), nil
	case tagQuery:
		if sc.s.tags != q.tags {
			return nil, errNotScorable
		}
		return sc.compile(q.Query)
	case *query.MatchPhraseQuery:
		if q.Fuzziness != 0 {
			return nil, errNotScorable
		}
		field := sc.s.field(q.FieldVal)
		a, err := sc.s.analyzer(field, q.Analyzer)
		if err != nil {
			return nil, err
		}
		toks := a.Analyze([]byte(q.MatchPhrase))
		if len(toks) == 0 {
			return &scoreNode{kind: nodeNone}, nil
		}
		// One term at each position (a position with several would be a
		// disjunction in bleve's phrase searcher; the text's analyzer
		// never makes one).
		at := map[int]string{}
		for _, t := range toks {
			if _, dup := at[t.Position]; dup {
				return nil, errNotScorable
			}
			at[t.Position] = string(t.Term)
		}
		positions := make([]int, 0, len(at))
		for p := range at {
			positions = append(positions, p)
		}
		slices.Sort(positions)
		var kids []*scoreNode
		for _, p := range positions {
			k, err := sc.term(field, at[p], q.BoostVal.Value())
			if err != nil {
				return nil, err
			}
			kids = append(kids, k)
		}
		n := compound(nodeConj, kids, 0)
		n.kind, n.phrase = nodePhrase, q
		return n, nil
	case *query.MatchNoneQuery:
		return &scoreNode{kind: nodeNone}, nil
	case *query.ConjunctionQuery:
		if len(q.Conjuncts) == 0 {
			return &scoreNode{kind: nodeNone}, nil
		}
		kids, err := sc.compileAll(q.Conjuncts)
		if err != nil {
			return nil, err
		}
		return compound(nodeConj, kids, 0), nil
	case *query.DisjunctionQuery:
		if len(q.Disjuncts) == 0 {
			return &scoreNode{kind: nodeNone}, nil
		}
		kids, err := sc.compileAll(q.Disjuncts)
		if err != nil {
			return nil, err
		}
		return compound(nodeDisj, kids, int(q.Min)), nil
	case *query.BooleanQuery:
		if q.Filter != nil || (q.MustNot != nil && !isNone(q.MustNot)) {
			return nil, errNotScorable
		}
		var must, should *scoreNode
		var err error
		if q.Must != nil {
			if must, err = sc.compile(q.Must); err != nil {
				return nil, err
			}
		}
		if q.Should != nil {
			if should, err = sc.compile(q.Should); err != nil {
				return nil, err
			}
		}
		// bleve drops a clause that matches nothing by construction.
		if must != nil && must.kind == nodeNone {
			must = nil
		}
		if should != nil && should.kind == nodeNone {
			should = nil
		}
		switch {
		case must == nil && should == nil:
			return &scoreNode{kind: nodeNone}, nil
		case should == nil:
			return must, nil
		case must == nil:
			return should, nil
		}
		// min 0 only: a should clause that must match is not ours.
		if should.kind == nodeDisj && should.min > 0 {
			return nil, errNotScorable
		}
		return &scoreNode{kind: nodeBool, count: must.count + should.count, kids: []*scoreNode{must, should}}, nil
	}
	return nil, errNotScorable
}

func (sc *needScorer) compileAll(qs []query.Query) ([]*scoreNode, error) {
	kids := make([]*scoreNode, 0, len(qs))
	for _, q := range qs {
		k, err := sc.compile(q)
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	return kids, nil
}

// compound is a conjunction or disjunction of kids, in bleve's order:
// fewest postings first (a stable sort: bleve's sort of so few clauses
// is an insertion sort).
func compound(kind nodeKind, kids []*scoreNode, minMatch int) *scoreNode {
	slices.SortStableFunc(kids, func(a, b *scoreNode) int { return cmp.Compare(a.count, b.count) })
	n := &scoreNode{kind: kind, kids: kids, min: minMatch}
	for _, k := range kids {
		n.count += k.count
	}
	return n
}

func (sc *needScorer) term(field, term string, boost float64) (*scoreNode, error) {
	p, norms, err := sc.s.cache.get(sc.ctx, sc.s, field, term)
	if err != nil {
		return nil, err
	}
	n := p.docs.GetCardinality()
	return &scoreNode{
		kind:  nodeTerm,
		count: n,
		post:  p,
		norms: norms,
		boost: boost,
		idf:   1.0 + math.Log(float64(sc.total)/float64(n+1.0)),
	}, nil
}

// tokens are the terms a match query searches, in the analyzer's order.
func (sc *needScorer) tokens(field, analyzer, text string) ([]string, error) {
	a, err := sc.s.analyzer(field, analyzer)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range a.Analyze([]byte(text)) {
		out = append(out, string(t.Term))
	}
	return out, nil
}

// sumWeights is the sum of the squared weights of n's terms, summed as
// bleve's searchers sum them.
func (n *scoreNode) sumWeights() float64 {
	switch n.kind {
	case nodeTerm:
		w := n.boost * n.idf
		return w * w
	case nodeNone:
		return 0
	}
	var sum float64
	for _, k := range n.kids {
		sum += k.sumWeights()
	}
	return sum
}

// setNorm gives every term its query weight under the query norm.
func (n *scoreNode) setNorm(norm float64) {
	if n.kind == nodeTerm {
		n.weight = n.boost * n.idf * norm
		return
	}
	for _, k := range n.kids {
		k.setNorm(norm)
	}
}

// scores are a clause's matches among the documents searched, in
// document order, with their scores. Each list belongs to the clause
// that made it and is read once, by its parent: the merges write their
// result over a clause's list where it fits (conjoin, boost, keep).
type scores struct {
	docs  []uint32
	score []float64
}

// evaluator scores the clauses over the documents of set.
type evaluator struct {
	ctx context.Context
	s   *sets
	set *roaring.Bitmap
	// splitOver, when not 0, is how many documents of a tier scoreTier
	// scores in two halves at once, a core each (when a core is free:
	// Index.searching).
	splitOver uint64
	// all says that every document of set matches the clause evaluated
	// (its matches were found before): a conjunction's clauses, then,
	// need not find theirs, nor a term intersect its postings with set.
	all bool
	// shared is what the evaluators of one evaluation share (nil for
	// none).
	shared *evalShared
}

// evalShared is what the evaluators of one evaluation of a need share:
// their sets made ranked, and a batch for the terms. One evaluation runs
// on one goroutine.
type evalShared struct {
	sets  map[*roaring.Bitmap]*rankedSet
	batch *termBatch
}

// release returns the evaluation's ranked sets to rankedPool, once its
// scores are made: none of them is in a clause's scores.
func (sh *evalShared) release() {
	for _, r := range sh.sets {
		r.release()
	}
	clear(sh.sets)
}

// over is an evaluator of the same evaluation over set, all as said of
// it; it scores whole (splitOver is the search's, for its tiers).
func (e *evaluator) over(set *roaring.Bitmap, all bool) *evaluator {
	return &evaluator{ctx: e.ctx, s: e.s, set: set, all: all, shared: e.shared}
}

// evaluation is an evaluator of a new evaluation of the need over set,
// every document of which matches it.
func (e *evaluator) evaluation(set *roaring.Bitmap) *evaluator {
	return &evaluator{ctx: e.ctx, s: e.s, set: set, all: true, shared: &evalShared{sets: map[*roaring.Bitmap]*rankedSet{}}}
}

// scoreOver is root's scores over set, every document of which matches
// it, in an evaluation of its own whose buffers are kept for the next.
func (e *evaluator) scoreOver(set *roaring.Bitmap, root *scoreNode) (scores, error) {
	ev := e.evaluation(set)
	defer ev.shared.release()
	return ev.eval(root)
}

func (e *evaluator) eval(n *scoreNode) (scores, error) {
	if err := e.ctx.Err(); err != nil {
		return scores{}, err
	}
	switch n.kind {
	case nodeNone:
		return scores{}, nil
	case nodeTerm:
		return e.term(n), nil
	case nodeConj, nodePhrase:
		if n.kind == nodeConj && len(n.kids) == 1 {
			// A clause alone (a match query of one word): its own
			// scores, and only its matches have any. Finding them first
			// would intersect the set with its postings twice.
			return e.eval(n.kids[0])
		}
		// Each clause is scored only where they all match (a phrase,
		// where it is found): a clause's matches elsewhere would be
		// scored to be dropped.
		both, ok := e.set, true
		if !e.all {
			var err error
			if both, ok, err = e.matches(n); err != nil {
				return scores{}, err
			}
			if !ok { // a clause that needs two of its own: found as scored
				both = e.set
			}
		}
		kids, err := e.over(both, ok).evalAll(n.kids)
		if err != nil {
			return scores{}, err
		}
		out := conjoin(kids)
		if n.kind == nodePhrase && !ok && len(out.docs) > 0 {
			lim := roaring.New()
			lim.AddMany(out.docs)
			in, err := e.s.phrase(e.ctx, n.phrase, lim)
			if err != nil {
				return scores{}, err
			}
			out = keep(out, in)
		}
		return out, nil
	case nodeDisj:
		// A document of set matches some clauses, not each. In an
		// evaluation over a set that is not sparse, the clauses' scores
		// are summed in one array by rank.
		if e.shared != nil && len(n.kids) < math.MaxUint8 && e.set.GetCardinality() <= n.count && !e.sparse() {
			return e.disjunction(n)
		}
		kids, err := e.over(e.set, false).evalAll(n.kids)
		if err != nil {
			return scores{}, err
		}
		return disjoin(kids, len(n.kids), n.min), nil
	case nodeBool:
		// The should clauses only where the must clauses match.
		must, err := e.eval(n.kids[0])
		if err != nil || len(must.docs) == 0 {
			return must, err
		}
		in := roaring.New()
		in.AddMany(must.docs)
		should, err := e.over(in, false).eval(n.kids[1])
		if err != nil {
			return scores{}, err
		}
		return boost(must, should), nil
	}
	return scores{}, fmt.Errorf("score node kind %d", n.kind)
}

func (e *evaluator) evalAll(ns []*scoreNode) ([]scores, error) {
	out := make([]scores, len(ns))
	for i, k := range ns {
		var err error
		if out[i], err = e.eval(k); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// term scores the documents of the set that have the term, in order.
func (e *evaluator) term(n *scoreNode) scores {
	var out scores
	e.eachTermScore(n, func(m uint64) {
		out = scores{docs: make([]uint32, 0, m), score: make([]float64, 0, m)}
	}, func(b *termBatch) {
		out.docs = append(out.docs, b.doc[:b.n]...)
		out.score = append(out.score, b.score[:b.n]...)
	})
	return out
}

// termBatch is a batch of a term's documents in a set, in order: each
// document, its rank in the set (-1 where not known), the index of its
// frequency in the term's postings, and its score. The walks fill the
// documents, and scoring and what is done with the scores run in loops
// of their own, a batch at a time.
type termBatch struct {
	n     int
	doc   [termBatchN]uint32
	rank  [termBatchN]int32
	post  [termBatchN]int32
	score [termBatchN]float64
}

const termBatchN = 512

// scoreAll scores the batch: sqrt(freq)·norm·idf·weight, the norm read
// from norms by rank when given, from the field's by document if not.
func (b *termBatch) scoreAll(n *scoreNode, norms []float32) {
	p := n.post
	for k := range b.n {
		var tf float64
		if f := p.frequency(int(b.post[k]), b.doc[k]); int(f) < len(sqrtCache) {
			tf = sqrtCache[f]
		} else {
			tf = math.Sqrt(float64(f))
		}
		var norm float64
		if norms != nil {
			norm = float64(norms[b.rank[k]])
		} else {
			norm = n.norms.get(b.doc[k])
		}
		s := tf * norm * n.idf
		if n.weight != 1.0 {
			s *= n.weight
		}
		b.score[k] = s
	}
}

// eachTermScore calls emit with the documents of the set that have the
// term, in order, in batches, scored; first, count with how many there
// are. The i-th document of the term's postings has the i-th
// frequency: a few documents find theirs by rank; many, by a walk of the
// postings beside the set as a bitset, a word of 64 documents at a time
// for a dense term. Those read their norms from the set's copy of the
// field's (rankedSet.fieldNorms): a concept's words are in most of the
// set's documents, and a field's norms are 4 MB at a million records.
func (e *evaluator) eachTermScore(n *scoreNode, count func(uint64), emit func(*termBatch)) {
	p := n.post
	set := e.set
	if set.IsEmpty() || p.docs.IsEmpty() {
		count(0)
		return
	}
	b := e.batch()
	var norms []float32
	flush := func() {
		b.scoreAll(n, norms)
		emit(b)
		b.n = 0
	}
	// byRank walks the documents of the set that have the term (all of
	// them when e.all), ranking each in the term's postings; first it
	// tells counted, when given, how many there are.
	byRank := func(counted func(uint64)) {
		both := set
		if !e.all {
			both = roaring.And(set, p.docs)
		}
		if counted != nil {
			counted(both.GetCardinality())
		}
		eachOf(both, func(d uint32) {
			b.doc[b.n], b.rank[b.n], b.post[b.n] = d, -1, int32(p.index(d))
			if b.n++; b.n == termBatchN {
				flush()
			}
		})
		if b.n > 0 {
			flush()
		}
	}
	// Few documents find their frequency by rank: roaring's counts up
	// to a container's 1,024 words (about 250 ns), a dense term's a few
	// words. Many, by a walk: about a nanosecond a posting, or a word of
	// the set's span. A set of few documents over its span is not worth
	// a bitset (sparse).
	var m uint64
	switch {
	case e.sparse():
		byRank(count)
		return
	case e.all:
		m = set.GetCardinality()
	default:
		m = set.AndCardinality(p.docs)
	}
	count(m)
	first, last := set.Minimum(), set.Maximum()
	if m == 0 {
		return
	}
	if m*256 < p.docs.GetCardinality() || (p.dense != nil && m*4 < spanWords(first, last)) {
		byRank(nil)
		return
	}
	rs := e.ranked()
	in, before := rs.words, rs.before
	if m*8 >= uint64(len(rs.docs)) { // worth a copy of the norms
		norms = rs.fieldNorms(n.norms)
	}
	if p.dense != nil {
		pw := p.dense.words
		w0, w1 := int(first/64), min(int(last/64), len(pw)-1)
		i := 0
		if w0 <= w1 {
			i = p.dense.rank(uint32(w0) * 64) // the term's documents before word w0
		}
		for w := w0; w <= w1; w++ {
			pwv, inv := pw[w], in[w]
			for x := inv & pwv; x != 0; x &= x - 1 {
				bit := bits.TrailingZeros64(x)
				below := uint64(1)<<bit - 1
				b.doc[b.n] = uint32(w<<6 | bit)
				b.rank[b.n] = int32(before[w]) + int32(bits.OnesCount64(inv&below))
				b.post[b.n] = int32(i + bits.OnesCount64(pwv&below))
				if b.n++; b.n == termBatchN {
					flush()
				}
			}
			i += bits.OnesCount64(pwv)
		}
		if b.n > 0 {
			flush()
		}
		return
	}
	// The term's postings in batches from the start, those before the
	// first document of the set skipped a batch at a time: roaring hands
	// out a batch at about a nanosecond a posting.
	i := 0
	all := p.docs.ManyIterator()
	buf := make([]uint32, 1024)
walk:
	for {
		k := all.NextMany(buf)
		if k == 0 || buf[0] > last {
			break
		}
		if buf[k-1] < first {
			i += k
			continue
		}
		for _, d := range buf[:k] {
			if d > last {
				break walk
			}
			w, bit := d>>6, uint64(1)<<(d&63)
			if inv := in[w]; inv&bit != 0 {
				b.doc[b.n] = d
				b.rank[b.n] = int32(before[w]) + int32(bits.OnesCount64(inv&(bit-1)))
				b.post[b.n] = int32(i)
				if b.n++; b.n == termBatchN {
					flush()
				}
			}
			i++
		}
	}
	if b.n > 0 {
		flush()
	}
}

// disjunction is eval of the disjunction n over the set: its clauses'
// scores are summed, in their order, in an array by the rank of their
// documents in the set, and a term's straight from its postings (most
// of a concept's synonyms are terms). It is disjoin's sum, to the bit.
func (e *evaluator) disjunction(n *scoreNode) (scores, error) {
	rs := e.ranked()
	buf, sum, cnt := denseSums(len(rs.docs))
	defer densePool.Put(buf)
	add := func(b *termBatch) {
		for k, r := range b.rank[:b.n] {
			if r < 0 {
				r = int32(rs.rank(b.doc[k]))
			}
			sum[r] += b.score[k]
			cnt[r]++
		}
	}
	sub := e.over(e.set, false)
	most := 0
	for _, k := range n.kids {
		t := k
		for t.kind == nodeConj && len(t.kids) == 1 {
			t = t.kids[0]
		}
		if t.kind == nodeTerm {
			sub.eachTermScore(t, func(c uint64) { most = max(most, int(c)) }, add)
			continue
		}
		sc, err := sub.eval(k)
		if err != nil {
			return scores{}, err
		}
		most = max(most, len(sc.docs))
		for j, d := range sc.docs {
			r := rs.rank(d)
			sum[r] += sc.score[j]
			cnt[r]++
		}
	}
	least, total := max(n.min, 1), float64(len(n.kids))
	out := scores{docs: make([]uint32, 0, most), score: make([]float64, 0, most)}
	for r, c := range cnt {
		if int(c) < least {
			continue
		}
		out.docs = append(out.docs, rs.docs[r])
		out.score = append(out.score, sum[r]*(float64(c)/total))
	}
	return out, nil
}

// rankedSet is a set as a bitset (document d is bit d%64 of word d/64),
// with the number of its documents before each word, and its documents
// in order.
type rankedSet struct {
	words  []uint64
	before []uint32
	docs   []uint32
	// norms are fields' norms of the documents by rank, by the field's
	// first norm's address.
	norms map[*uint32][]float32
	// spare are norms' lists of an earlier use of the set's buffers
	// (rankedPool).
	spare [][]float32
}

// fieldNorms are the field's norms of the set's documents, by rank:
// read once, in order.
func (r *rankedSet) fieldNorms(f fieldNorms) []float32 {
	if len(f) == 0 {
		return nil
	}
	key := &f[0]
	if out, ok := r.norms[key]; ok {
		return out
	}
	var out []float32
	if k := len(r.spare) - 1; k >= 0 && cap(r.spare[k]) >= len(r.docs) {
		out, r.spare = r.spare[k][:len(r.docs)], r.spare[:k]
	} else {
		out = make([]float32, len(r.docs))
	}
	for i, d := range r.docs {
		out[i] = math.Float32frombits(atomic.LoadUint32(&f[d]))
	}
	if r.norms == nil {
		r.norms = map[*uint32][]float32{}
	}
	r.norms[key] = out
	return out
}

// rank is the rank of document d of the set.
func (r *rankedSet) rank(d uint32) int {
	w := d >> 6
	return int(r.before[w]) + bits.OnesCount64(r.words[w]&(1<<(d&63)-1))
}

// batch is a termBatch for the evaluation's terms, one at a time.
func (e *evaluator) batch() *termBatch {
	if e.shared == nil {
		return &termBatch{}
	}
	if e.shared.batch == nil {
		e.shared.batch = &termBatch{}
	}
	e.shared.batch.n = 0
	return e.shared.batch
}

// spanWords is how many words of 64 documents the documents first to
// last span.
func spanWords(first, last uint32) uint64 {
	return uint64(last/64-first/64) + 1
}

// sparse reports whether the evaluator's set has fewer documents than a
// quarter of the words of its span: not worth a bitset.
func (e *evaluator) sparse() bool {
	if e.set.IsEmpty() {
		return true
	}
	return e.set.GetCardinality()*4 < spanWords(e.set.Minimum(), e.set.Maximum())
}

// ranked is the evaluator's set as a rankedSet, made once for the
// evaluators that share it.
func (e *evaluator) ranked() *rankedSet {
	if e.shared == nil {
		return newRankedSet(e.set)
	}
	r, ok := e.shared.sets[e.set]
	if !ok {
		r = newRankedSet(e.set)
		e.shared.sets[e.set] = r
	}
	return r
}

// rankedPool keeps the buffers of the ranked sets of finished
// evaluations (evalShared.release): a set over a million documents is a
// bitset of 125 KB and its counts, made for every tier of a search.
var rankedPool = sync.Pool{New: func() any { return &rankedSet{} }}

func newRankedSet(set *roaring.Bitmap) *rankedSet {
	r := rankedPool.Get().(*rankedSet)
	words := int(set.DenseSize())
	r.words = slices.Grow(r.words[:0], words)[:words]
	clear(r.words)
	set.WriteDenseTo(r.words)
	r.before = slices.Grow(r.before[:0], words)[:words]
	n := 0
	for w, x := range r.words {
		r.before[w] = uint32(n)
		n += bits.OnesCount64(x)
	}
	r.docs = slices.Grow(r.docs[:0], n)[:n]
	it := set.ManyIterator()
	for k := 0; k < n; {
		m := it.NextMany(r.docs[k:])
		if m == 0 {
			break
		}
		k += m
	}
	return r
}

// release puts r back in rankedPool, its norms kept as spares. Nothing
// of it may be used after.
func (r *rankedSet) release() {
	for _, ns := range r.norms {
		r.spare = append(r.spare, ns)
	}
	clear(r.norms)
	rankedPool.Put(r)
}

// sqrtCache is bleve's table of square roots of small frequencies (the
// same values math.Sqrt gives).
var sqrtCache = func() []float64 {
	t := make([]float64, 64)
	for i := range t {
		t[i] = math.Sqrt(float64(i))
	}
	return t
}()

// leap is the first index at or after j of a value at least d in the
// sorted list ds: galloping, then a binary search.
func leap(ds []uint32, j int, d uint32) int {
	if j >= len(ds) || ds[j] >= d {
		return j
	}
	step := 1
	lo, hi := j, j+1
	for hi < len(ds) && ds[hi] < d {
		lo = hi
		step *= 2
		hi = j + step
	}
	hi = min(hi, len(ds))
	k, _ := slices.BinarySearch(ds[lo:hi], d)
	return lo + k
}

// conjoin is the documents every clause matches, their scores summed in
// the clauses' order.
func conjoin(kids []scores) scores {
	if len(kids) == 0 {
		return scores{}
	}
	if len(kids) == 1 {
		return kids[0]
	}
	short := 0
	for i, k := range kids {
		if len(k.docs) < len(kids[short].docs) {
			short = i
		}
	}
	pos := make([]int, len(kids))
	// The matches are written over the shortest list's, which they
	// never overtake: every list is its clause's own, read once.
	out := scores{docs: kids[short].docs[:0], score: kids[short].score[:0]}
next:
	for _, d := range kids[short].docs {
		for i, k := range kids {
			pos[i] = leap(k.docs, pos[i], d)
			if pos[i] == len(k.docs) {
				break next
			}
			if k.docs[pos[i]] != d {
				continue next
			}
		}
		var sum float64
		for i, k := range kids {
			sum += k.score[pos[i]]
		}
		out.docs = append(out.docs, d)
		out.score = append(out.score, sum)
	}
	return out
}

// disjoin is the documents at least minMatch of the clauses match (one,
// for a minimum of 0 or 1), each scored as the sum of the clauses it
// matches, in their order, times the share of the total clauses it
// matches.
func disjoin(kids []scores, total, minMatch int) scores {
	// The clauses with matches left, in order, and where each stands.
	var live []int
	n, sum := 0, 0
	lo, hi := uint32(math.MaxUint32), uint32(0)
	for i, k := range kids {
		if len(k.docs) > 0 {
			live = append(live, i)
			n = max(n, len(k.docs))
			sum += len(k.docs)
			lo, hi = min(lo, k.docs[0]), max(hi, k.docs[len(k.docs)-1])
		}
	}
	if len(live) == 1 {
		// One clause matches: its own list, scaled in place.
		if minMatch > 1 {
			return scores{}
		}
		k := kids[live[0]]
		coord := float64(1) / float64(total)
		for i := range k.score {
			k.score[i] *= coord
		}
		return k
	}
	if len(live) == 2 {
		return disjoin2(kids[live[0]], kids[live[1]], total, minMatch)
	}
	if len(live) < math.MaxUint8 && sum >= 64 && int(hi-lo) < 4*sum {
		return disjoinDense(kids, live, lo, hi, total, minMatch)
	}
	return disjoinMerge(kids, live, n, total, minMatch)
}

// disjoinDense is disjoin for clauses whose matches are dense over their
// span of documents: each clause adds its scores, in the clauses' order,
// into an array over the span, and one pass reads the sums. A merge would
// compare every clause at every match.
func disjoinDense(kids []scores, live []int, lo, hi uint32, total, minMatch int) scores {
	buf, sum, cnt := denseSums(int(hi-lo) + 1)
	defer densePool.Put(buf)
	n := 0
	for _, i := range live {
		k := kids[i]
		n = max(n, len(k.docs))
		for j, d := range k.docs {
			sum[d-lo] += k.score[j]
			cnt[d-lo]++
		}
	}
	least := max(minMatch, 1)
	out := scores{docs: make([]uint32, 0, n), score: make([]float64, 0, n)}
	for i, c := range cnt {
		if int(c) < least {
			continue
		}
		out.docs = append(out.docs, lo+uint32(i))
		out.score = append(out.score, sum[i]*(float64(c)/float64(total)))
	}
	return out
}

type denseBuf struct {
	sum []float64
	n   []uint8
}

var densePool = sync.Pool{New: func() any { return &denseBuf{} }}

// denseSums are n sums and counts, zero, from densePool: the caller puts
// buf back when done with them.
func denseSums(n int) (buf *denseBuf, sum []float64, cnt []uint8) {
	buf = densePool.Get().(*denseBuf)
	if cap(buf.sum) < n {
		buf.sum, buf.n = make([]float64, n), make([]uint8, n)
	}
	sum, cnt = buf.sum[:n], buf.n[:n]
	clear(sum)
	clear(cnt)
	return buf, sum, cnt
}

// disjoinMerge is disjoin by merging the clauses' lists.
func disjoinMerge(kids []scores, live []int, n, total, minMatch int) scores {
	live = slices.Clone(live) // dropped from as clauses run out
	pos := make([]int, len(kids))
	out := scores{docs: make([]uint32, 0, n), score: make([]float64, 0, n)}
	for len(live) > 0 {
		d := kids[live[0]].docs[pos[live[0]]]
		for _, i := range live[1:] {
			d = min(d, kids[i].docs[pos[i]])
		}
		var sum float64
		matched := 0
		keep := live[:0]
		for _, i := range live {
			k := kids[i]
			if k.docs[pos[i]] == d {
				sum += k.score[pos[i]]
				matched++
				pos[i]++
			}
			if pos[i] < len(k.docs) {
				keep = append(keep, i)
			}
		}
		live = keep
		if matched < minMatch {
			continue
		}
		out.docs = append(out.docs, d)
		out.score = append(out.score, sum*(float64(matched)/float64(total)))
	}
	return out
}

// disjoin2 is disjoin when two clauses match: a plain merge.
func disjoin2(a, b scores, total, minMatch int) scores {
	one, two := float64(1)/float64(total), float64(2)/float64(total)
	n := max(len(a.docs), len(b.docs))
	out := scores{docs: make([]uint32, 0, n), score: make([]float64, 0, n)}
	i, j := 0, 0
	for i < len(a.docs) || j < len(b.docs) {
		switch {
		case j == len(b.docs) || (i < len(a.docs) && a.docs[i] < b.docs[j]):
			if minMatch <= 1 {
				out.docs = append(out.docs, a.docs[i])
				out.score = append(out.score, a.score[i]*one)
			}
			i++
		case i == len(a.docs) || b.docs[j] < a.docs[i]:
			if minMatch <= 1 {
				out.docs = append(out.docs, b.docs[j])
				out.score = append(out.score, b.score[j]*one)
			}
			j++
		default:
			out.docs = append(out.docs, a.docs[i])
			out.score = append(out.score, (a.score[i]+b.score[j])*two)
			i++
			j++
		}
	}
	return out
}

// boost is a boolean query's score: the must clauses' matches, plus the
// should clauses' score where they match too.
func boost(must, should scores) scores {
	out := must // written over: the list is the must clause's own
	j := 0
	for i, d := range must.docs {
		j = leap(should.docs, j, d)
		if j < len(should.docs) && should.docs[j] == d {
			out.score[i] = must.score[i] + should.score[j]
		} else {
			out.score[i] = must.score[i]
		}
	}
	return out
}

// keep is sc restricted to the documents of bm.
func keep(sc scores, bm *roaring.Bitmap) scores {
	out := scores{docs: sc.docs[:0], score: sc.score[:0]} // in place
	for i, d := range sc.docs {
		if bm.Contains(d) {
			out.docs = append(out.docs, d)
			out.score = append(out.score, sc.score[i])
		}
	}
	return out
}

// scorer compiles the need of a scored search (all, built by request)
// and evaluates its filters to a set: the evaluator over that set and the
// need's clauses. It returns false when the index cannot be read as sets
// or the need has a clause it does not score.
func (x *Index) scorer(ctx context.Context, r index.IndexReader, all query.Query) (*evaluator, *scoreNode, bool, error) {
	need, filters, active, ok := splitFiltered(all)
	if !ok {
		return nil, nil, false, nil
	}
	s := x.sets(r)
	if s == nil {
		return nil, nil, false, nil
	}
	total, err := r.DocCount()
	if err != nil {
		return nil, nil, false, fmt.Errorf("search: %w", err)
	}
	sc := &needScorer{ctx: ctx, s: s, total: total}
	root, err := sc.compile(need)
	if errors.Is(err, errNormsDiffer) {
		slog.Warn("scores left to bleve", "err", err)
	}
	if errors.Is(err, errNotScorable) || errors.Is(err, errNormsDiffer) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("search: %w", err)
	}
	var within query.Query = query.NewMatchAllQuery()
	if len(filters) > 0 {
		within = query.NewConjunctionQuery(filters)
	}
	if active {
		within = activeQuery{q: within, c: x.cols}
	}
	in, err := s.eval(ctx, within, nil)
	if err != nil {
		return nil, nil, false, fmt.Errorf("search: %w", err)
	}
	root.setNorm(1.0 / math.Sqrt(root.sumWeights()))
	e := &evaluator{ctx: ctx, s: s, set: in}
	if x.coreFree() {
		e.splitOver = x.splitOver
	}
	return e, root, true, nil
}

// runScored answers a scored search (req, built by request) from sets
// and its own scores: the filters are a set; the need, scored within
// it, gives the matches with their scores; the window is the best of
// them by score, then placeSort's order, as bleve's collector would
// keep them (found without scoring every match, see maxscore.go). It returns false when the index cannot be read as sets or
// the need has a clause it does not score.
func (x *Index) runScored(ctx context.Context, q peerfind.Query, req *bleve.SearchRequest, from, size int, facets bool) (*bleve.SearchResult, bool, error) {
	r, err := x.reader()
	if err != nil {
		return nil, false, err
	}
	defer r.Close()
	e, root, ok, err := x.scorer(ctx, r, req.Query)
	if err != nil || !ok {
		return nil, false, err
	}
	place := newPlaceSort(x.cols, q, false)
	best, matched, err := e.best(root, &place, from+size, x.pruneOver)
	if err != nil {
		return nil, false, fmt.Errorf("search: %w", err)
	}
	res := &bleve.SearchResult{Request: req, Total: matched.GetCardinality(), Status: &bleve.SearchStatus{Total: 1, Successful: 1}}
	if facets {
		res.Facets = x.cols.facetResults(x.cols.countSet(matched))
	}
	if from >= len(best) {
		return res, true, nil
	}
	// The hits are references; their records are read when decoded.
	for _, b := range best[from:] {
		res.Hits = append(res.Hits, &search.DocumentMatch{IndexInternalID: index.NewIndexInternalID(nil, uint64(b.key.doc)), Score: b.score})
		res.MaxScore = max(res.MaxScore, b.score)
	}
	return res, true, nil
}

type scoredDoc struct {
	score float64
	key   placeRank
}

// worse orders the window: higher scores first, then placeSort's order.
func (a scoredDoc) worse(b scoredDoc) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return b.key.less(a.key)
}

// bestScored is the n best of sc, best first. A document's place is read
// only when its score could enter the window.
func bestScored(sc scores, place *placeSort, n int) []scoredDoc {
	if n <= 0 {
		return nil
	}
	window := newWindow(n)
	offerScored(window, sc, place)
	return window.sorted()
}

// newWindow keeps the n best scored documents.
func newWindow(n int) *bestN[scoredDoc] {
	return newBestN(n, func(a, b scoredDoc) bool { return b.worse(a) })
}

// offerScored offers sc to window, reading a document's place only when
// its score could enter it.
func offerScored(window *bestN[scoredDoc], sc scores, place *placeSort) {
	for i, d := range sc.docs {
		s := sc.score[i]
		if last, full := window.last(); full && s < last.score {
			continue
		}
		window.offer(scoredDoc{score: s, key: place.key(uint64(d))})
	}
}
