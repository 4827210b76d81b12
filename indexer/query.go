package indexer

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/peerfind/peerfind"
)

// features are the parts of need matching, each of which can be turned
// off to measure what it brings (see TestQuality).
type features struct {
	// synonyms matches a query word or phrase that is a taxonomy label or
	// synonym ("aa", "warm line", "duelo") against the term's facet too,
	// so records tagged but not worded that way match.
	synonyms bool
	// spanish searches the Spanish-analyzed text as well, and prefers
	// Spanish-language records when the query is in Spanish.
	spanish bool
	// fuzzy tolerates typos in words the index does not know and
	// completes the last word as a prefix.
	fuzzy bool
	// rerank blends distance and the age of the last confirmation into
	// the relevance order.
	rerank bool
}

var allFeatures = features{synonyms: true, spanish: true, fuzzy: true, rerank: true}

// vocabulary is the taxonomy's words for query expansion: every label and
// synonym, in English and Spanish, folded, with the terms it names.
type vocabulary struct {
	// phrases maps folded words joined by one space to the terms.
	phrases map[string]*vocabPhrase
	// maxWords is the length of the longest phrase, in words.
	maxWords int
	// words are the words of every phrase, for spelling correction.
	words    map[string]bool
	wordList []string
	// byTerm lists each term's phrases (words joined by a space).
	byTerm map[peerfind.TermRef][]string
}

// expansions are the folded labels and synonyms of a term, in English
// and Spanish, for expanding a query word to its synonyms in the text.
func (v *vocabulary) expansions(r peerfind.TermRef) []string { return v.byTerm[r] }

type vocabPhrase struct {
	refs []peerfind.TermRef
	en   bool // an English label or synonym
	es   bool // a Spanish label or synonym
}

// newVocabulary collects the taxonomy's labels and synonyms. A phrase of
// several words is also known with its words joined ("al anon" as
// "alanon", "warm line" as "warmline"), as people type both.
func newVocabulary(tax *peerfind.Taxonomy) *vocabulary {
	v := &vocabulary{phrases: map[string]*vocabPhrase{}, words: map[string]bool{}, byTerm: map[peerfind.TermRef][]string{}}
	add := func(s, lang string, ref peerfind.TermRef) {
		ws := queryWords(s)
		if len(ws) == 0 {
			return
		}
		keys := []string{strings.Join(ws, " ")}
		if !slices.Contains(v.byTerm[ref], keys[0]) {
			v.byTerm[ref] = append(v.byTerm[ref], keys[0])
		}
		if len(ws) > 1 && len(ws) <= 3 {
			keys = append(keys, strings.Join(ws, ""))
		}
		for _, k := range keys {
			p := v.phrases[k]
			if p == nil {
				p = &vocabPhrase{}
				v.phrases[k] = p
			}
			if !slices.Contains(p.refs, ref) {
				p.refs = append(p.refs, ref)
			}
			p.en = p.en || lang == "en"
			p.es = p.es || lang == "es"
		}
		v.maxWords = max(v.maxWords, len(ws))
		for _, w := range ws {
			if !v.words[w] {
				v.words[w] = true
				v.wordList = append(v.wordList, w)
			}
		}
	}
	for _, f := range tax.Facets {
		for _, t := range f.Terms {
			ref := peerfind.TermRef{Facet: f.ID, ID: t.ID}
			for _, lang := range []string{"en", "es"} {
				add(t.Label[lang], lang, ref)
				for _, s := range t.Synonyms[lang] {
					add(s, lang, ref)
				}
			}
		}
	}
	slices.Sort(v.wordList)
	return v
}

// queryWords folds s (lower case, no accents) and splits it into words of
// letters and digits: "Al-Anon" is "al", "anon".
func queryWords(s string) []string {
	return strings.FieldsFunc(peerfind.Fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// segment is a part of the query that must be matched: one taxonomy
// phrase, or one word.
type segment struct {
	// words are the folded words as typed; fixed are the same words with
	// spelling corrected towards the taxonomy's words.
	words, fixed []string
	// refs are the taxonomy terms the phrase names.
	refs []peerfind.TermRef
}

// spanishWords are common Spanish words of needs that are not taxonomy
// phrases; with the taxonomy's Spanish-only phrases they tell a Spanish
// query from an English one.
var spanishWords = map[string]bool{
	"de": true, "del": true, "la": true, "las": true, "los": true, "el": true, "en": true, "para": true,
	"con": true, "por": true, "mi": true, "mis": true, "hijo": true, "hija": true, "esposo": true,
	"esposa": true, "grupo": true, "grupos": true, "reunion": true, "reuniones": true, "apoyo": true,
	"ayuda": true, "espanol": true, "cerca": true, "que": true, "y": true, "una": true, "un": true,
}

// englishWords are common English words of needs, for the same purpose.
var englishWords = map[string]bool{
	"the": true, "for": true, "with": true, "my": true, "group": true, "groups": true, "meeting": true,
	"meetings": true, "support": true, "and": true, "of": true, "near": true, "help": true,
}

// segments splits the query into taxonomy phrases (longest first, after
// spelling correction of unknown words) and single words, and says
// whether the query reads as Spanish.
func (v *vocabulary) segments(text string, known func(string) bool, fix bool) ([]segment, bool) {
	words := queryWords(text)
	if len(words) > 32 {
		words = words[:32]
	}
	fixed := slices.Clone(words)
	if fix {
		for i, w := range words {
			if !v.words[w] && !known(w) {
				fixed[i] = v.correct(w)
			}
		}
	}
	var segs []segment
	es, en := 0, 0
	for i := 0; i < len(words); {
		n := 1
		var p *vocabPhrase
		for k := min(v.maxWords, len(words)-i); k >= 1; k-- {
			if q := v.phrases[strings.Join(fixed[i:i+k], " ")]; q != nil {
				n, p = k, q
				break
			}
		}
		seg := segment{words: words[i : i+n], fixed: fixed[i : i+n]}
		if p != nil {
			seg.refs = p.refs
			switch {
			case p.es && !p.en:
				es++
			case p.en && !p.es:
				en++
			}
		} else if n == 1 {
			switch {
			case spanishWords[words[i]]:
				es++
			case englishWords[words[i]]:
				en++
			}
		}
		segs = append(segs, seg)
		i += n
	}
	return segs, es > en
}

// correct returns the taxonomy word nearest to w when it is a likely typo
// of it (one edit for words of 5 to 7 letters, two from 8), else w.
func (v *vocabulary) correct(w string) string {
	n := utf8.RuneCountInString(w)
	limit := fuzziness(n)
	if limit == 0 || n < 5 {
		return w
	}
	best, bestD, ties := w, limit+1, 0
	for _, c := range v.wordList {
		cn := utf8.RuneCountInString(c)
		if cn < n-limit || cn > n+limit || c[0] != w[0] {
			continue
		}
		d := peerfind.EditDistance(w, c)
		switch {
		case d < bestD:
			best, bestD, ties = c, d, 0
		case d == bestD:
			ties++
		}
	}
	if bestD > limit || ties > 0 {
		return w
	}
	return best
}

// fuzziness is the number of edits tolerated in a word of n letters: none
// below 4, so short queries do not explode into noise.
func fuzziness(n int) int {
	switch {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

// needQuery is the query of the need in free text. Each segment must
// match (any segment, with op OR) in one of several ways: its words in
// the English or the Spanish text, the taxonomy term it names, a typo's
// nearest words, or the last word as a prefix. Matches in the name, the
// taxonomy labels and the organization score higher than matches in the
// description, and a Spanish query prefers Spanish-language records
// (unless scored is false: then only what matches counts, and the
// clauses that only score are left out). It also returns the words to
// highlight.
func (x *Index) needQuery(text string, op query.MatchQueryOperator, f features, scored bool) (query.Query, []string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return query.NewMatchAllQuery(), nil
	}
	segs, spanish := x.vocab.segments(text, x.known, f.fuzzy)
	var parts []query.Query
	var mark []string
	for i, seg := range segs {
		s := strings.Join(seg.words, " ")
		fixed := strings.Join(seg.fixed, " ")
		en, es := x.analyze(analyzerText, s), x.analyze(analyzerES, s)
		if (len(en) == 0 || len(es) == 0) && len(seg.refs) == 0 {
			continue // a stop word in one of the languages
		}
		mark = append(mark, seg.words...)
		var alts []query.Query
		for _, t := range uniq(s, fixed) {
			if len(x.analyze(analyzerText, t)) > 0 {
				alts = append(alts, x.tags.tagged(match(fieldText, t, analyzerText, query.MatchQueryOperatorAnd, 1)))
			}
			if f.spanish && len(x.analyze(analyzerES, t)) > 0 {
				alts = append(alts, x.tags.tagged(match(fieldTextES, t, analyzerES, query.MatchQueryOperatorAnd, 0.8)))
			}
		}
		if fixed != s {
			mark = append(mark, seg.fixed...)
		}
		if f.synonyms {
			for _, r := range seg.refs {
				t := query.NewTermQuery(r.ID)
				t.SetField(r.Facet)
				t.SetBoost(1.5)
				alts = append(alts, t)
				// The term's other words in the text too: "loss" finds
				// "bereaved parents" of a record not tagged grief.
				if len(segs) == 1 && x.common(r) {
					// Many records have it, and nothing else is asked:
					// its words would add little, at a cost.
					continue
				}
				for _, syn := range x.vocab.expansions(r) {
					if syn == fixed || syn == s {
						continue
					}
					if !strings.Contains(syn, " ") {
						alts = append(alts, x.tags.tagged(match(fieldText, syn, analyzerText, query.MatchQueryOperatorAnd, 0.5)))
						continue
					}
					alts = append(alts, x.phraseQuery(syn, 0.5))
				}
			}
		}
		if f.fuzzy && len(seg.words) == 1 && len(seg.refs) == 0 {
			w := seg.words[0]
			n := utf8.RuneCountInString(w)
			if !x.known(w) {
				if fz := fuzziness(n); fz > 0 {
					m := match(fieldText, w, analyzerText, query.MatchQueryOperatorAnd, 0.5)
					m.SetFuzziness(fz)
					m.SetPrefix(1)
					alts = append(alts, x.tags.tagged(m))
				}
				if i == len(segs)-1 && n >= 3 {
					for _, p := range uniq(w, firstOr(en, w)) {
						pq := query.NewPrefixQuery(p)
						pq.SetField(fieldText)
						pq.SetBoost(0.3)
						alts = append(alts, x.tags.tagged(pq))
					}
				}
			}
		}
		if len(alts) == 0 {
			continue
		}
		parts = append(parts, query.NewDisjunctionQuery(alts))
	}
	if len(parts) == 0 {
		return query.NewMatchNoneQuery(), nil
	}
	var need query.Query
	var should []query.Query
	if op == query.MatchQueryOperatorAnd || len(parts) == 1 {
		need = query.NewConjunctionQuery(parts)
	} else {
		need = query.NewDisjunctionQuery(parts)
	}
	if !scored {
		return need, mark
	}
	if op != query.MatchQueryOperatorAnd && len(parts) > 1 {
		// Records that match every part first.
		all := query.NewConjunctionQuery(parts)
		all.SetBoost(5)
		should = append(should, all)
	}

	// (A phrase of the whole need in the name scored too, until issue 9:
	// it was a third of a query's time at 100k records, and the judged
	// queries' nDCG@10 went from 0.856 to 0.855 without it. A phrase
	// bonus in the rerank window instead changed none of them.)
	should = append(should,
		match(fieldName, text, analyzerText, query.MatchQueryOperatorOr, 3),
		x.tags.tagged(match(fieldTerms, text, analyzerText, query.MatchQueryOperatorOr, 2)),
		match(fieldOrg, text, analyzerText, query.MatchQueryOperatorOr, 1.5),
	)
	if f.spanish && spanish {
		t := query.NewTermQuery("es")
		t.SetField(peerfind.FacetLanguage)
		t.SetBoost(2)
		should = append(should, t)
	}
	b := query.NewBooleanQuery([]query.Query{need}, should, nil)
	b.Should.(*query.DisjunctionQuery).SetMin(0)
	return b, mark
}

func match(field, text, analyzer string, op query.MatchQueryOperator, boost float64) *query.MatchQuery {
	m := query.NewMatchQuery(text)
	m.SetField(field)
	m.Analyzer = analyzer
	m.SetOperator(op)
	m.SetBoost(boost)
	return m
}

// analyze returns the terms the named analyzer makes of s.
func (x *Index) analyze(analyzer, s string) []string {
	a := x.idx.Mapping().AnalyzerNamed(analyzer)
	if a == nil {
		return nil
	}
	var out []string
	for _, t := range a.Analyze([]byte(s)) {
		out = append(out, string(t.Term))
	}
	return out
}

// known reports whether the index has the word, in English or Spanish
// analysis: a known word is never treated as a typo.
func (x *Index) known(w string) bool {
	for _, t := range x.analyze(analyzerText, w) {
		if _, ok := x.terms[t]; ok {
			return true
		}
	}
	for _, t := range x.analyze(analyzerES, w) {
		if _, ok := x.termsES[t]; ok {
			return true
		}
	}
	return false
}

func uniq(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

func firstOr(ss []string, def string) string {
	if len(ss) > 0 {
		return ss[0]
	}
	return def
}

// common reports whether more than a tenth of the records carry the term.
func (x *Index) common(r peerfind.TermRef) bool {
	return x.docs > 0 && x.termDocs[r] > x.docs/10
}
