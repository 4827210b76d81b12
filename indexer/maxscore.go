package indexer

import (
	"cmp"
	"math"
	"slices"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
)

// The window of a scored search without scoring every match (MaxScore).
//
// A need of common words matches much of a national directory: "substance
// use" matches 432,351 of a million records, and scoring each costs tens
// of milliseconds. Yet the page is the best hundred, and those owe their
// place to a few clauses: the first hundred are among the 1,786 records
// with one of its words in their name (0.66 and more), while a record
// without either word in its name cannot score above 0.24, whatever its
// description says.
//
// So the matches are found as a set first (for the total and the facet
// counts, exact), and scored in tiers: the records that have one of the
// terms that can add most, then those with the next, until the best score
// a record without any of the terms tiered so far could reach (bound)
// falls under the window's last score. Every record left unscored could
// not have entered the window, ties included (they go by place), so the
// window is the one scoring every match gives, to the bit: a record's
// score does not depend on which others are scored with it.

// defaultPruneOver is how many matches make it worth scoring in tiers:
// below, every match is scored at once.
const defaultPruneOver = 4096

// best is the n best matches of root within e.set, best first (by score,
// then place), and the set of every match. With more than pruneOver
// matches, scoring stops at the tier whose bound the window's last score
// passes (see above); with fewer, or a clause this cannot find as a set,
// every match is scored. With e.splitOver matches or more, each half of
// the matches is scored on its own core, and the two windows make one: a
// document's score does not depend on the others, so the n best of the
// whole are among the n best of each half.
func (e *evaluator) best(root *scoreNode, place *placeSort, n int, pruneOver uint64) ([]scoredDoc, *roaring.Bitmap, error) {
	matched, ok, err := e.matches(root)
	if err != nil {
		return nil, nil, err
	}
	if !ok || n <= 0 || matched.GetCardinality() <= pruneOver {
		all := e
		if ok { // scored where they match, the matches found
			all = e.over(matched, true)
		}
		sc, err := all.eval(root)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			matched = roaring.New()
			matched.AddMany(sc.docs)
		}
		return bestScored(sc, place, n), matched, nil
	}

	if e.splitOver > 0 && matched.GetCardinality() >= e.splitOver {
		lo, hi := halves(matched)
		var other []scoredDoc
		var otherErr error
		var floor scoreFloor
		done := make(chan struct{})
		go func() {
			defer close(done)
			other, otherErr = e.tiers(root, place, n, hi, &floor)
		}()
		best, err := e.tiers(root, place, n, lo, &floor)
		<-done
		if err = cmp.Or(err, otherErr); err != nil {
			return nil, nil, err
		}
		window := newWindow(n)
		for _, b := range slices.Concat(best, other) {
			window.offer(b)
		}
		return window.sorted(), matched, nil
	}
	best, err := e.tiers(root, place, n, matched, nil)
	if err != nil {
		return nil, nil, err
	}
	return best, matched, nil
}

// defaultSplitOver is how many matches make a scored search worth
// scoring in two halves at once (evaluator.splitOver): at a million
// records, the needs that match tens of thousands take 50 to 100 ms on
// one core.
const defaultSplitOver = 16384

// halves are the first and the second half of set, by document.
func halves(set *roaring.Bitmap) (lo, hi *roaring.Bitmap) {
	mid, err := set.Select(uint32(set.GetCardinality() / 2))
	if err != nil { // cannot be: the set has more documents than half
		return set, roaring.New()
	}
	lo, hi = set.Clone(), set.Clone()
	lo.RemoveRange(uint64(mid), math.MaxUint32+1)
	hi.RemoveRange(0, uint64(mid))
	return lo, hi
}

// scoreFloor is the highest last score of the full windows of the halves
// of a search, as float64 bits (scores are not negative, so their bits
// order as they do). When one half has n documents at that score or
// over, so has the whole, and the other half need not score a document
// whose bound is under it: each half prunes as the whole would.
type scoreFloor struct{ bits atomic.Uint64 }

func (f *scoreFloor) get() (float64, bool) {
	if f == nil {
		return 0, false
	}
	b := f.bits.Load()
	return math.Float64frombits(b), b != 0
}

func (f *scoreFloor) raise(s float64) {
	if f == nil || s <= 0 {
		return
	}
	for b := math.Float64bits(s); ; {
		old := f.bits.Load()
		if old >= b || f.bits.CompareAndSwap(old, b) {
			return
		}
	}
}

// tiers is the n best of matched, scored in tiers (see above), or at
// least those of them over floor, which the other half of the search
// raises (nil for none).
func (e *evaluator) tiers(root *scoreNode, place *placeSort, n int, matched *roaring.Bitmap, floor *scoreFloor) ([]scoredDoc, error) {
	// The terms, those that can add most first.
	var terms []*scoreNode
	seen := map[*termPostings]bool{}
	root.walkTerms(func(t *scoreNode) {
		if !seen[t.post] {
			seen[t.post] = true
			terms = append(terms, t)
		}
	})
	slices.SortStableFunc(terms, func(a, b *scoreNode) int {
		return cmp.Or(cmp.Compare(b.most(), a.most()), cmp.Compare(a.count, b.count))
	})

	window := newWindow(n)
	var scored uint64
	left := matched.Clone() // the matches not scored yet
	tiered := map[*termPostings]bool{}
	with := roaring.New() // the documents with a term tiered so far
	for i, t := range terms {
		tiered[t.post] = true
		with.Or(t.post.docs)
		// Each tier evaluates every clause of the need again: a tier is
		// at least the window and as large as the tiers before it
		// together, so their number grows as the logarithm of the
		// matches scored; and the whole rest goes at once when the tier
		// would take most of it.
		tier := roaring.And(left, with)
		size := tier.GetCardinality()
		most, can := root.bound(tiered)
		if size < max(uint64(n), scored) && i+1 < len(terms) && !passed(window, floor, most, can) {
			continue
		}
		if size*2 > left.GetCardinality() {
			tier = left
		}
		if !tier.IsEmpty() {
			sub := e.over(tier, true) // tier is of matched
			sc, err := sub.eval(root)
			if err != nil {
				return nil, err
			}
			scored += uint64(len(sc.docs))
			offerScored(window, sc, place)
			if last, full := window.last(); full {
				floor.raise(last.score)
			}
			if tier == left {
				break
			}
			left.AndNot(tier)
		}
		if left.IsEmpty() {
			break
		}
		// The rest have none of the tiered terms: their best possible
		// score is the bound above, and the window only rose since.
		if passed(window, floor, most, can) {
			break
		}
	}
	if tiersScored != nil {
		tiersScored(matched.GetCardinality(), scored)
	}
	return window.sorted(), nil
}

// tiersScored, when set (by tests), is told how many of a search's
// matches best scored in tiers.
var tiersScored func(matched, scored uint64)

// passed reports whether the window is full, or the other half's is
// (floor), and its last score is over bound most, with a margin for sums
// rounded in another order: no document bound holds to can enter it. A
// document that cannot match (can false) cannot either.
func passed(window *bestN[scoredDoc], floor *scoreFloor, most float64, can bool) bool {
	last, full := window.last()
	over, set := floor.get()
	if !full && !set {
		return false
	}
	if full {
		over = max(over, last.score)
	}
	return !can || most*(1+1e-9) < over
}

// most is the most a term adds to a document's score.
func (n *scoreNode) most() float64 {
	return n.post.most * n.idf * n.weight
}

// walkTerms calls f with each term of n, in order.
func (n *scoreNode) walkTerms(f func(*scoreNode)) {
	if n.kind == nodeTerm {
		if n.count > 0 {
			f(n)
		}
		return
	}
	for _, k := range n.kids {
		k.walkTerms(f)
	}
}

// bound is the highest score n can give a document that has none of the
// terms of absent, and false when such a document cannot match n. It
// adds and scales as eval does, in the same order: with every term at
// its most, each sum is at least the one eval computes.
func (n *scoreNode) bound(absent map[*termPostings]bool) (float64, bool) {
	switch n.kind {
	case nodeTerm:
		if n.count == 0 || absent[n.post] {
			return 0, false
		}
		return n.most(), true
	case nodeConj, nodePhrase:
		var sum float64
		for _, k := range n.kids {
			b, can := k.bound(absent)
			if !can {
				return 0, false
			}
			sum += b
		}
		return sum, len(n.kids) > 0
	case nodeDisj:
		var sum float64
		can := 0
		for _, k := range n.kids {
			if b, ok := k.bound(absent); ok {
				sum += b
				can++
			}
		}
		if can == 0 || can < n.min {
			return 0, false
		}
		return sum * (float64(can) / float64(len(n.kids))), true
	case nodeBool:
		must, can := n.kids[0].bound(absent)
		if !can {
			return 0, false
		}
		if should, ok := n.kids[1].bound(absent); ok {
			return must + should, true
		}
		return must, true
	}
	return 0, false
}

// matches is the set of documents of e.set that eval would score: found
// from the postings' bitmaps, without scores, as a set of the caller's
// own. It returns false for a disjunction that needs two clauses or more
// (counted only as it scores).
func (e *evaluator) matches(n *scoreNode) (*roaring.Bitmap, bool, error) {
	if err := e.ctx.Err(); err != nil {
		return nil, false, err
	}
	switch n.kind {
	case nodeNone:
		return roaring.New(), true, nil
	case nodeTerm:
		return roaring.And(e.set, n.post.docs), true, nil
	case nodeConj, nodePhrase:
		// Each clause within the matches of those before (the fewest
		// postings first).
		in := e.set
		for _, k := range n.kids {
			m, ok, err := e.over(in, false).matches(k)
			if err != nil || !ok {
				return nil, ok, err
			}
			in = m
		}
		if n.kind == nodePhrase && !in.IsEmpty() {
			ph, err := e.s.phrase(e.ctx, n.phrase, in)
			if err != nil {
				return nil, false, err
			}
			in = roaring.And(in, ph)
		}
		if len(n.kids) == 0 {
			return roaring.New(), true, nil
		}
		return in, true, nil
	case nodeDisj:
		if n.min > 1 {
			return nil, false, nil
		}
		var out *roaring.Bitmap
		for _, k := range n.kids {
			m, ok, err := e.matches(k)
			if err != nil || !ok {
				return nil, ok, err
			}
			out = union(out, m)
		}
		if out == nil {
			out = roaring.New()
		}
		return out, true, nil
	case nodeBool:
		return e.matches(n.kids[0])
	}
	return nil, false, nil
}
