package indexer

import (
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/peerfind/peerfind"
)

// phrases answers which taxonomy terms' texts (termText) contain a
// phrase, once per phrase.
type phrases struct {
	once  sync.Once
	terms []labelTokens
	mu    sync.Mutex
	found map[string][]peerfind.TermRef
}

type labelTokens struct {
	ref peerfind.TermRef
	at  map[int]string // position → term, as analyzerText makes them
}

// phraseQuery matches what a phrase query of syn over the whole text
// (fieldText) would: the phrase in the prose (the text without the
// taxonomy's labels), or a tag of a term whose labels have the phrase.
// Every tagged record has its terms' labels in its text, so a phrase over
// the text read the positions of those labels in every tagged record; the
// tags' postings say the same for a fraction of the cost (at 1M records
// the phrases were a third of a query's time, docs/performance.md).
func (x *Index) phraseQuery(syn string, boost float64) query.Query {
	p := query.NewMatchPhraseQuery(syn)
	p.SetField(fieldProse)
	p.Analyzer = analyzerText
	p.SetBoost(boost)
	refs := x.labelled(syn)
	if len(refs) == 0 {
		return p
	}
	alts := []query.Query{p}
	for _, r := range refs {
		t := term(r.Facet, r.ID)
		t.SetBoost(boost)
		alts = append(alts, t)
	}
	return query.NewDisjunctionQuery(alts)
}

// labelled lists the terms whose text (termText, as fieldText holds it)
// has the phrase: its words at the same relative positions after
// analysis, as bleve's phrase search requires.
func (x *Index) labelled(phrase string) []peerfind.TermRef {
	ph := &x.phrases
	a := x.idx.Mapping().AnalyzerNamed(analyzerText)
	if a == nil {
		return nil
	}
	ph.once.Do(func() {
		for _, f := range x.tax.Facets {
			for _, t := range f.Terms {
				ph.terms = append(ph.terms, labelTokens{
					ref: peerfind.TermRef{Facet: f.ID, ID: t.ID},
					at:  positions(a.Analyze([]byte(termText(t)))),
				})
			}
		}
		ph.found = map[string][]peerfind.TermRef{}
	})
	ph.mu.Lock()
	defer ph.mu.Unlock()
	if refs, ok := ph.found[phrase]; ok {
		return refs
	}
	want := a.Analyze([]byte(phrase))
	var refs []peerfind.TermRef
	if len(want) > 0 {
		for _, lt := range ph.terms {
			if hasPhrase(lt.at, want) {
				refs = append(refs, lt.ref)
			}
		}
	}
	if len(ph.found) < 10000 {
		ph.found[phrase] = refs
	}
	return refs
}

func positions(ts analysis.TokenStream) map[int]string {
	at := make(map[int]string, len(ts))
	for _, t := range ts {
		at[t.Position] = string(t.Term)
	}
	return at
}

// hasPhrase reports whether the tokens at positions at have the phrase's
// tokens at the same distances from each other.
func hasPhrase(at map[int]string, phrase analysis.TokenStream) bool {
	first := phrase[0]
	for pos, term := range at {
		if term != string(first.Term) {
			continue
		}
		off := pos - first.Position
		all := true
		for _, t := range phrase[1:] {
			if at[t.Position+off] != string(t.Term) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
