package indexer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// cachedAnalyzerType is a bleve analyzer type that is a custom analyzer
// (the same config as bleve's "custom" type) and, in a build worker's
// mapping, remembers the tokens of the texts analyzed for the record at
// hand (see workerMapping). Indexes name it in their mapping.
const cachedAnalyzerType = "peerfind_cached"

func init() {
	registry.RegisterAnalyzer(cachedAnalyzerType, func(config map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
		inner, err := custom.AnalyzerConstructor(config, cache)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cachedAnalyzerType, err)
		}
		a := &cachedAnalyzer{inner: inner}
		if d, ok := inner.(*analysis.DefaultAnalyzer); ok {
			for i, cf := range d.CharFilters {
				if f, ok := cf.(*asciifolding.AsciiFoldingFilter); ok {
					d.CharFilters[i] = asciiFolding{f}
				}
			}
			a.pipeline = d
			a.perToken = !slices.ContainsFunc(d.TokenFilters, func(f analysis.TokenFilter) bool { return !termFilter(f) })
		}
		return a, nil
	})
}

// asciiFolding is bleve's ASCII folding without its work on a text that
// is ASCII already, which it leaves as it is: it decodes every text into
// runes and encodes it again, a sixth of a build's analysis. The text is
// copied all the same, as bleve's is: the token filters change the terms
// in place.
type asciiFolding struct {
	inner *asciifolding.AsciiFoldingFilter
}

func (f asciiFolding) Filter(input []byte) []byte {
	if !isASCII(input) {
		return f.inner.Filter(input)
	}
	if len(input) == 0 {
		return input
	}
	return bytes.Clone(input)
}

// termFilter reports whether f is one of bleve's token filters that make
// of each token one token or none, by its term alone, and leave its
// position and offsets: what they make of a term can be remembered.
func termFilter(f analysis.TokenFilter) bool {
	switch f.(type) {
	case *lowercase.LowerCaseFilter, *stop.StopTokensFilter, *porter.PorterStemmer,
		*en.PossessiveFilter, *es.SpanishLightStemmerFilter:
		return true
	}
	return false
}

// partsTokenizer is a bleve tokenizer that makes each part of a value
// of parts (joinParts) one token, whole, as bleve's keyword tokenizer
// makes a value one token. A keyword field of several values (a
// record's open slots, its facet tokens) is one value of parts: bleve
// would make a field of each value of a list, analyze each into a map of
// its own and merge the maps, where one value makes one field and one
// map. The terms, their frequencies and the field's length (its norm)
// are the same as the list's.
const partsTokenizer = "peerfind_parts"

func init() {
	err := registry.RegisterTokenizer(partsTokenizer, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return partsTokenizerImpl{}, nil
	})
	if err != nil {
		panic(err)
	}
}

type partsTokenizerImpl struct{}

func (partsTokenizerImpl) Tokenize(input []byte) analysis.TokenStream {
	n := bytes.Count(input, []byte{partSep}) + 1
	toks := make([]analysis.Token, n)
	out := make(analysis.TokenStream, n)
	eachPart(input, func(i, start, end int) {
		toks[i] = analysis.Token{Term: input[start:end], Start: start, End: end, Position: i + 1, Type: analysis.AlphaNumeric}
		out[i] = &toks[i]
	})
	return out
}

// eachPart calls fn with each part of a value of parts (joinParts), in
// order: its number from 0, where it starts and where it ends. A value
// of no separator is one part, an empty one too.
func eachPart[T string | []byte](v T, fn func(i, start, end int)) {
	i, start := 0, 0
	for j := 0; j <= len(v); j++ {
		if j == len(v) || v[j] == partSep {
			fn(i, start, j)
			i, start = i+1, j+1
		}
	}
}

type cachedAnalyzer struct {
	inner analysis.Analyzer
	// pipeline is inner's steps, when inner is bleve's usual analyzer;
	// perToken is set when its token filters are all termFilters.
	pipeline *analysis.DefaultAnalyzer
	perToken bool
	// terms, when set (in a build worker's own mapping, see
	// workerMapping) and perToken, holds what the token filters made of
	// each term the tokenizer gave: stemming and the rest took half of a
	// build's analysis, for a vocabulary that soon stops growing. Not for
	// concurrent use.
	terms map[string]filteredTerm
	// chunks, set with terms when the tokenizer is bleve's unicode one,
	// holds the tokens of each run of text between two spaces (a chunk)
	// that the analysis gave: in ASCII a space always ends a word and
	// begins the next (UAX #29), so a text's tokens are its chunks'
	// one after the other. Tokenizing was the half of the analysis left,
	// and a text's words come again and again.
	chunks map[string]*chunkTokens
	// recent, when set (in a build worker's own mapping, see
	// workerMapping), holds the tokens of the other texts analyzed since
	// forgetRecent: a record's name and organization are analyzed for
	// their fields and again in its prose. Not for concurrent use: nil in
	// a mapping that is shared.
	recent map[string]analysis.TokenStream
}

// partSep separates the parts of a text field's value (see joinParts).
const partSep = '\x1e'

// joinParts is the value of a text field made of several parts (the
// record's name, description... and its taxonomy terms' texts): the
// parts joined by partSep, which Analyze splits again. One value rather
// than a list of values: bleve would analyze each value of a list into a
// map of its own and merge the maps (a tenth of a build's time), where
// one value makes one map. A partSep within a part (a control character,
// from crawled text perhaps) becomes a space.
func joinParts(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		if strings.IndexByte(parts[0], partSep) < 0 {
			return parts[0]
		}
	}
	n := len(parts) - 1
	for _, p := range parts {
		n += len(p)
	}
	var b strings.Builder
	b.Grow(n)
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(partSep)
		}
		if strings.IndexByte(p, partSep) >= 0 {
			p = strings.ReplaceAll(p, string(partSep), " ")
		}
		b.WriteString(p)
	}
	return b.String()
}

// Analyze returns the tokens of text: the remembered tokens of a
// recent text (see recent), or its analysis. A text of parts (joinParts)
// is analyzed part by part, each remembered or not, into one stream
// whose positions and offsets run on from part to part. The remembered
// tokens are shared: bleve reads the tokens of a field's text into its
// own frequencies and never changes them; tokens whose position or
// offsets differ from the remembered ones are copies.
func (a *cachedAnalyzer) Analyze(text []byte) analysis.TokenStream {
	if bytes.IndexByte(text, partSep) < 0 {
		return a.part(text)
	}
	var out analysis.TokenStream
	offset, last := 0, 0 // bytes before the part; the last position so far
	for p := range bytes.SplitSeq(text, []byte{partSep}) {
		ts := a.part(p)
		if offset == 0 {
			out = append(out, ts...) // the first part's tokens are right as they are
		} else {
			copies := make([]analysis.Token, len(ts))
			for i, t := range ts {
				copies[i] = *t
				copies[i].Start += offset
				copies[i].End += offset
				copies[i].Position += last
				out = append(out, &copies[i])
			}
		}
		if len(ts) > 0 {
			last = out[len(out)-1].Position
		}
		offset += len(p) + 1
	}
	return out
}

// part returns the remembered tokens of text, or analyzes it.
func (a *cachedAnalyzer) part(text []byte) analysis.TokenStream {
	if a.recent == nil {
		return a.analyze(text)
	}
	if ts, ok := a.recent[string(text)]; ok {
		return ts
	}
	ts := a.analyze(text)
	a.recent[string(text)] = ts
	return ts
}

// filteredTerm is what the token filters made of a term: a term, or
// nothing (a stop word).
type filteredTerm struct {
	term []byte
	drop bool
}

// maxTerms bounds the remembered terms of a worker's analyzer: past it,
// they are forgotten and remembered again from there.
const maxTerms = 1 << 17

// analyze analyzes text as inner does, with the terms' filtering
// remembered when it can be (see terms). A remembered term is shared by
// the tokens that have it: bleve copies a token's term into its own
// frequencies and changes none after analysis.
func (a *cachedAnalyzer) analyze(text []byte) analysis.TokenStream {
	if a.terms == nil || !a.perToken {
		return a.inner.Analyze(text)
	}
	for _, cf := range a.pipeline.CharFilters {
		text = cf.Filter(text)
	}
	if a.chunks != nil && isASCII(text) {
		return a.analyzeChunks(text)
	}
	return a.filterTokens(a.pipeline.Tokenizer.Tokenize(text))
}

// filterTokens filters the tokens ts in place, each term's filtering
// remembered.
func (a *cachedAnalyzer) filterTokens(ts analysis.TokenStream) analysis.TokenStream {
	out := ts[:0]
	for _, t := range ts {
		f, ok := a.terms[string(t.Term)]
		if !ok {
			f = a.filter(t)
			if len(a.terms) >= maxTerms {
				clear(a.terms)
			}
			a.terms[string(t.Term)] = f
		}
		if f.drop {
			continue
		}
		t.Term = f.term
		out = append(out, t)
	}
	return out
}

// chunkTokens are the tokens of a chunk (see cachedAnalyzer.chunks):
// how many the tokenizer gave, which advance the positions, and those
// the filters kept, with offsets and positions within the chunk.
type chunkTokens struct {
	n    int
	kept []analysis.Token
}

// analyzeChunks analyzes a text in ASCII chunk by chunk, each chunk's
// tokens remembered.
func (a *cachedAnalyzer) analyzeChunks(text []byte) analysis.TokenStream {
	type placed struct {
		c  *chunkTokens
		at int
	}
	var buf [64]placed
	cs := buf[:0]
	kept := 0
	for i := 0; i < len(text); {
		if text[i] == ' ' {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && text[j] != ' ' {
			j++
		}
		c, ok := a.chunks[string(text[i:j])]
		if !ok {
			// The tokenizer numbers its tokens from 1, one by one.
			ts := a.pipeline.Tokenizer.Tokenize(text[i:j])
			c = &chunkTokens{n: len(ts)}
			for _, t := range a.filterTokens(ts) {
				c.kept = append(c.kept, *t)
			}
			if len(a.chunks) >= maxTerms {
				clear(a.chunks)
			}
			a.chunks[string(text[i:j])] = c
		}
		cs = append(cs, placed{c, i})
		kept += len(c.kept)
		i = j
	}
	toks := make([]analysis.Token, 0, kept)
	out := make(analysis.TokenStream, kept)
	pos := 0
	for _, p := range cs {
		for _, t := range p.c.kept {
			t.Start += p.at
			t.End += p.at
			t.Position += pos
			toks = append(toks, t)
			out[len(toks)-1] = &toks[len(toks)-1]
		}
		pos += p.c.n
	}
	return out
}

// filter runs the token filters on a copy of t alone.
func (a *cachedAnalyzer) filter(t *analysis.Token) filteredTerm {
	c := *t
	c.Term = bytes.Clone(t.Term)
	ts := analysis.TokenStream{&c}
	for _, f := range a.pipeline.TokenFilters {
		ts = f.Filter(ts)
	}
	if len(ts) == 0 {
		return filteredTerm{drop: true}
	}
	return filteredTerm{term: ts[0].Term}
}

// workerMapping is a copy of m for one build worker (through its JSON,
// as bleve keeps it with the index): its English analyzer remembers every
// text it analyzes until forgetRecent.
func workerMapping(m mapping.IndexMapping) (mapping.IndexMapping, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("copy mapping: %w", err)
	}
	c := mapping.NewIndexMapping()
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("copy mapping: %w", err)
	}
	// Only the English analysis sees the same texts twice: the Spanish
	// one analyzes a record's prose for text_es alone.
	if a, ok := c.AnalyzerNamed(analyzerText).(*cachedAnalyzer); ok {
		a.recent = map[string]analysis.TokenStream{}
	}
	for _, name := range []string{analyzerText, analyzerES} {
		if a, ok := c.AnalyzerNamed(name).(*cachedAnalyzer); ok && a.perToken {
			a.terms = map[string]filteredTerm{}
			if _, ok := a.pipeline.Tokenizer.(*unicode.UnicodeTokenizer); ok {
				a.chunks = map[string]*chunkTokens{}
			}
		}
	}
	return c, nil
}

// forgetRecent has the English analyzer of a worker's mapping forget
// the texts it analyzed (see workerMapping); a record's texts are not
// another's.
func forgetRecent(m mapping.IndexMapping) {
	if a, ok := m.AnalyzerNamed(analyzerText).(*cachedAnalyzer); ok {
		clear(a.recent)
	}
}
