// Package textutil holds the small text helpers the importers share:
// cleaning free text from feeds, slugs and record ids.
package textutil

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/peerfind/peerfind"
)

// Clean trims s, drops control characters and invalid UTF-8, and collapses
// runs of white space to one space.
func Clean(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToValidUTF8(s, "")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// CleanLines is Clean for multi-line text: it keeps line breaks (at most
// one blank line in a row) and cleans each line.
func CleanLines(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out []string
	blank := false
	for _, l := range strings.Split(s, "\n") {
		l = Clean(l)
		if l == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// Truncate shortens s to at most n bytes without splitting a UTF-8
// sequence, ending with "…" when it cut anything.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	if cut < 0 {
		cut = 0
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace) + ell
}

// Slug turns s into lower-case ASCII words joined by '-', without accents,
// at most max bytes long (0 for no limit): "Crazy Corona Men's Meeting"
// becomes "crazy-corona-men-s-meeting".
func Slug(s string, max int) string {
	s = peerfind.Fold(s)
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	out := b.String()
	if max > 0 && len(out) > max {
		out = strings.TrimRight(out[:max], "-")
	}
	return out
}

// ID makes a record id from a prefix and a source identifier, keeping only
// the characters record ids allow (letters, digits, '.', '_', ':', '-')
// and at most 200 bytes. Other characters become '-'.
func ID(prefix, s string) string {
	var b strings.Builder
	b.WriteString(prefix)
	dash := strings.HasSuffix(prefix, "-")
	for _, r := range s {
		ok := r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '.' || r == '_' || r == ':' || r == '-')
		if !ok {
			r = '-'
		}
		if r == '-' {
			if dash {
				continue
			}
			dash = true
		} else {
			dash = false
		}
		b.WriteRune(r)
	}
	id := strings.TrimRight(b.String(), "-")
	if len(id) > 200 {
		id = strings.TrimRight(id[:200], "-")
	}
	return id
}

// Unique appends s to list unless it is empty or already there.
func Unique(list []string, s ...string) []string {
outer:
	for _, x := range s {
		if x == "" {
			continue
		}
		for _, y := range list {
			if x == y {
				continue outer
			}
		}
		list = append(list, x)
	}
	return list
}

// ReadLine reads one line without its end. A line longer than max is
// consumed and reported as long, with no content. A line that fits in
// br's buffer is returned in it, not copied (a million records were 1.6 s
// of copying): it is valid only until the next read from br.
func ReadLine(br *bufio.Reader, max int) (line []byte, long bool, err error) {
	chunk, err := br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		if len(chunk) > max+1 {
			return nil, true, err
		}
		return bytes.TrimRight(chunk, "\r\n"), false, err
	}
	if long = len(chunk) > max+1; !long {
		line = append(line, chunk...)
	}
	for {
		chunk, err := br.ReadSlice('\n')
		if !long {
			if len(line)+len(chunk) > max+1 {
				long, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), long, err
	}
}
