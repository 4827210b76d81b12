package geocode

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// abbreviations are the whole words of a place name that are spelled out
// before matching, so "St. Louis" and "Saint Louis" meet. They are applied
// to the city part only, never to a state code ("MT" is Montana).
var abbreviations = map[string]string{
	"st":  "saint",
	"ste": "sainte",
	"ft":  "fort",
	"mt":  "mount",
	"mtn": "mountain",
	"pt":  "point",
}

// NameKey returns the key a place name is matched on: accents folded,
// lower case, apostrophes dropped, the abbreviations St., Ste., Ft., Mt.,
// Mtn. and Pt. spelled out, and all spaces and punctuation removed. So
// "St. Louis", "saint louis" and "SAINT-LOUIS" share the key "saintlouis",
// and "Coeur d'Alene" and "Coeur d Alene" share "coeurdalene".
func NameKey(name string) string {
	return joinKey(expand(tokens(name)))
}

// tokens folds s to lower-case ASCII where it can and splits it into
// words at spaces and punctuation. Apostrophes are dropped without
// splitting ("O'Fallon" is one word) and a run of single letters is joined
// ("D.C." and "D C" are "dc").
func tokens(s string) []string {
	s = fold(s)
	var (
		out []string
		cur []byte
	)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			cur = append(cur, c)
			i++
		case c >= 'A' && c <= 'Z':
			cur = append(cur, c+'a'-'A')
			i++
		case c == '\'':
			i++
		case c < utf8.RuneSelf:
			flush()
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				cur = utf8.AppendRune(cur, unicode.ToLower(r))
			} else {
				flush()
			}
			i += n
		}
	}
	flush()
	return joinInitials(out)
}

// joinInitials joins each run of two or more one-letter words into one
// word, in place.
func joinInitials(toks []string) []string {
	out := toks[:0]
	for i := 0; i < len(toks); {
		j := i
		for j < len(toks) && len(toks[j]) == 1 {
			j++
		}
		if j-i >= 2 {
			out = append(out, strings.Join(toks[i:j], ""))
			i = j
			continue
		}
		out = append(out, toks[i])
		i++
	}
	return out
}

// expand spells out the abbreviations in a list of words, returning a new
// slice.
func expand(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		if long, ok := abbreviations[t]; ok {
			t = long
		}
		out[i] = t
	}
	return out
}

// joinKey concatenates words into a key.
func joinKey(toks []string) string { return strings.Join(toks, "") }

// fold removes accents and maps the letters that do not decompose to their
// usual ASCII spelling. ASCII input is returned as it is.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'ʻ', 'ʼ', '‘', '’', '`', '´', 'ʹ':
			b.WriteByte('\'')
		case 'ß':
			b.WriteString("ss")
		case 'æ', 'Æ':
			b.WriteString("ae")
		case 'œ', 'Œ':
			b.WriteString("oe")
		case 'ø', 'Ø':
			b.WriteByte('o')
		case 'ł', 'Ł':
			b.WriteByte('l')
		case 'đ', 'Đ', 'ð', 'Ð':
			b.WriteByte('d')
		case 'þ', 'Þ':
			b.WriteString("th")
		case 'ı':
			b.WriteByte('i')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// distance computes edit distances, reusing its rows between calls. The
// zero value is ready to use; it is not safe for concurrent use.
type distance struct {
	rows [3][]int
}

// between returns the optimal-string-alignment distance between a and b
// (insertions, deletions, substitutions and swaps of two neighbours each
// cost 1), or max+1 when it is larger than max.
func (dist *distance) between(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	// Three rows: the one before the previous, the previous and this one.
	for i := range dist.rows {
		if cap(dist.rows[i]) < len(b)+1 {
			dist.rows[i] = make([]int, len(b)+1)
		}
	}
	prev2, prev, cur := dist.rows[0][:len(b)+1], dist.rows[1][:len(b)+1], dist.rows[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[len(b)] > max {
		return max + 1
	}
	return prev[len(b)]
}
