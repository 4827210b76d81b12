package indexer

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/peerfind/peerfind"
)

// snippetLen is the length of a snippet, in bytes of the source text.
const snippetLen = 200

// highlighter finds the words of a need in a text: a word matches when it
// analyzes to the same English or Spanish term as a query word ("groups"
// for "group", "depresión" for "depression").
type highlighter struct {
	x     *Index
	terms map[string]bool
	// prefixes are the first letters of the query words: a cheap test
	// before analyzing a word of the text.
	prefixes map[string]bool
}

func (x *Index) newHighlighter(words []string) *highlighter {
	h := &highlighter{x: x, terms: map[string]bool{}, prefixes: map[string]bool{}}
	for _, w := range words {
		for _, t := range x.analyze(analyzerText, w) {
			h.terms["en:"+t] = true
		}
		for _, t := range x.analyze(analyzerES, w) {
			h.terms["es:"+t] = true
		}
		h.prefixes[prefix3(w)] = true
	}
	return h
}

func prefix3(w string) string {
	n := 0
	for i := range w {
		if n == 3 {
			return w[:i]
		}
		n++
	}
	return w
}

func (h *highlighter) matches(word string) bool {
	var f string
	if isASCII(word) {
		f = strings.ToLower(word)
	} else {
		f = peerfind.Fold(word)
	}
	if !h.prefixes[prefix3(f)] {
		return false
	}
	for _, t := range h.x.analyze(analyzerText, f) {
		if h.terms["en:"+t] {
			return true
		}
	}
	for _, t := range h.x.analyze(analyzerES, f) {
		if h.terms["es:"+t] {
			return true
		}
	}
	return false
}

// snippet returns about snippetLen bytes of text around its first match,
// HTML-escaped, with the matching words in <mark>, or "" when no word
// matches.
func (h *highlighter) snippet(text string) string {
	text = strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " ")
	type span struct{ start, end int }
	var spans []span
	start := -1
	for i, r := range text + " " {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			if h.matches(text[start:i]) {
				spans = append(spans, span{start, i})
			}
			start = -1
		}
	}
	if len(spans) == 0 {
		return ""
	}
	// A window around the first match, on word boundaries.
	lo := max(0, spans[0].start-snippetLen/3)
	if lo > 0 {
		if j := strings.IndexByte(text[lo:spans[0].start], ' '); j >= 0 {
			lo += j + 1
		} else {
			lo = spans[0].start
		}
	}
	hi := min(len(text), lo+snippetLen)
	if hi < len(text) {
		if j := strings.LastIndexByte(text[spans[0].end:hi], ' '); j >= 0 {
			hi = spans[0].end + j
		} else {
			hi = max(hi, spans[0].end)
			for hi < len(text) && !utf8.RuneStart(text[hi]) {
				hi++
			}
		}
	}
	var b strings.Builder
	if lo > 0 {
		b.WriteString("…")
	}
	at := lo
	for _, s := range spans {
		if s.start < lo || s.end > hi {
			continue
		}
		b.WriteString(html.EscapeString(text[at:s.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.start:s.end]))
		b.WriteString("</mark>")
		at = s.end
	}
	b.WriteString(html.EscapeString(text[at:hi]))
	if hi < len(text) {
		b.WriteString("…")
	}
	return b.String()
}

// isASCII reports whether s is all ASCII.
func isASCII[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
