package indexer

import (
	"cmp"
	"math"
	"slices"

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
// score does not depend on which others are scored with it. For the
// same reason a large tier is scored in two halves at once, a core each
// when one is free (scoreTier); the tiers themselves, and the window,
// are the search's own, so the halves prune as one search.

// defaultPruneOver is how many matches make it worth scoring in tiers:
// below, every match is scored at once.
const defaultPruneOver = 4096

// best is the n best matches of root within e.set, best first (by score,
// then place), and the set of every match. With more than pruneOver
// matches, scoring stops at the tier whose bound the window's last score
// passes (see above); with fewer, or a clause this cannot find as a set,
// every match is scored.
func (e *evaluator) best(root *scoreNode, place *placeSort, n int, pruneOver uint64) ([]scoredDoc, *roaring.Bitmap, error) {
	matched, ok, err := e.matches(root)
	if err != nil {
		return nil, nil, err
	}
	if !ok || n <= 0 || matched.GetCardinality() <= pruneOver {
		var sc scores
		if ok { // scored where they match, the matches found
			sc, err = e.scoreOver(matched, root)
		} else {
			sc, err = e.eval(root)
		}
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			matched = roaring.New()
			matched.AddMany(sc.docs)
		}
		return bestScored(sc, place, n), matched, nil
	}

	best, err := e.tiers(root, place, n, matched)
	if err != nil {
		return nil, nil, err
	}
	return best, matched, nil
}

// defaultSplitOver is how many documents make a tier worth scoring in
// two halves at once (evaluator.splitOver, scoreTier): at a million
// records, a tier of 7,500 documents takes 7 ms on one core, and the
// needs that score tens of thousands 20 to 40 ms.
const defaultSplitOver = 4096

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

// tiers is the n best of matched, scored in tiers (see above).
func (e *evaluator) tiers(root *scoreNode, place *placeSort, n int, matched *roaring.Bitmap) ([]scoredDoc, error) {
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
		if size < max(uint64(n), scored) && i+1 < len(terms) && !passed(window, most, can) {
			continue
		}
		if size*2 > left.GetCardinality() {
			tier = left
		}
		if !tier.IsEmpty() {
			k, err := e.scoreTier(root, tier, window, place)
			if err != nil {
				return nil, err
			}
			scored += k
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
		if passed(window, most, can) {
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

// passed reports whether the window is full and its last score is over
// bound most, with a margin for sums rounded in another order: no
// document bound holds to can enter it. A document that cannot match
// (can false) cannot either.
func passed(window *bestN[scoredDoc], most float64, can bool) bool {
	last, full := window.last()
	if !full {
		return false
	}
	return !can || most*(1+1e-9) < last.score
}

// scoreTier scores the documents of tier, each a match of root, offers
// them to window, and returns how many it scored. With e.splitOver
// documents or more, each half of the tier is scored on its own core: a
// document's score does not depend on the others.
func (e *evaluator) scoreTier(root *scoreNode, tier *roaring.Bitmap, window *bestN[scoredDoc], place *placeSort) (uint64, error) {
	if e.splitOver == 0 || tier.GetCardinality() < e.splitOver {
		sc, err := e.scoreOver(tier, root)
		if err != nil {
			return 0, err
		}
		offerScored(window, sc, place)
		return uint64(len(sc.docs)), nil
	}
	lo, hi := halves(tier)
	var other scores
	var otherErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		other, otherErr = e.scoreOver(hi, root)
	}()
	sc, err := e.scoreOver(lo, root)
	<-done
	if err = cmp.Or(err, otherErr); err != nil {
		return 0, err
	}
	offerScored(window, sc, place)
	offerScored(window, other, place)
	return uint64(len(sc.docs) + len(other.docs)), nil
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
// from the postings' bitmaps, without scores, as a set the caller reads
// and does not change (a term's within every document is its postings).
// It returns false for a disjunction that needs two clauses or more
// (counted only as it scores).
func (e *evaluator) matches(n *scoreNode) (*roaring.Bitmap, bool, error) {
	if err := e.ctx.Err(); err != nil {
		return nil, false, err
	}
	switch n.kind {
	case nodeNone:
		return roaring.New(), true, nil
	case nodeTerm:
		if e.set.GetCardinality() == e.s.all.GetCardinality() {
			return n.post.docs, true, nil // within every live document
		}
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
		ms := make([]*roaring.Bitmap, 0, len(n.kids))
		for _, k := range n.kids {
			m, ok, err := e.matches(k)
			if err != nil || !ok {
				return nil, ok, err
			}
			ms = append(ms, m)
		}
		switch len(ms) {
		case 0:
			return roaring.New(), true, nil
		case 1:
			return ms[0], true, nil
		}
		// Many sets at once: their cardinality is counted once.
		return roaring.FastOr(ms...), true, nil
	case nodeBool:
		return e.matches(n.kids[0])
	}
	return nil, false, nil
}
