package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// maxBlocks bounds the ld+json blocks read from one page.
const maxBlocks = 200

// jsonLDNodes returns the top-level schema.org nodes of every
// <script type="application/ld+json"> block of the document: a single
// object, the objects of an array, and the members of "@graph". Blocks
// that stay unreadable after repair are reported as warnings; the good
// blocks of the page are still read.
func jsonLDNodes(doc *goquery.Document, warn func(item, format string, args ...any)) []node {
	var out []node
	n := 0
	doc.Find("script").EachWithBreak(func(i int, s *goquery.Selection) bool {
		typ, _ := s.Attr("type")
		if t, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(typ)), ";"); strings.TrimSpace(t) != "application/ld+json" {
			return true
		}
		n++
		if n > maxBlocks {
			warn("ld+json", "more than %d ld+json blocks; the rest were ignored", maxBlocks)
			return false
		}
		vals, err := decodeLenient(s.Text())
		if err != nil {
			warn("ld+json block "+itoa(n), "unreadable JSON-LD: %v", shortErr(err))
		}
		for _, v := range vals {
			out = append(out, topNodes(normalizeJSON(v, 0), 0)...)
		}
		return true
	})
	resolveRefs(out)
	return out
}

// resolveRefs replaces references ({"@id": "#place"} with nothing else)
// in the nodes' properties, and in their nested nodes' properties, with
// the page's node of that @id, as @graph blocks write a location or an
// organizer once and refer to it.
func resolveRefs(nodes []node) {
	byID := map[string]node{}
	for _, n := range nodes {
		if id, ok := n["@id"].(string); ok && id != "" && len(n) > 1 {
			byID[id] = n
		}
	}
	if len(byID) == 0 {
		return
	}
	var fix func(n node, depth int)
	fix = func(n node, depth int) {
		if depth > 3 {
			return
		}
		for k, v := range n {
			if strings.HasPrefix(k, "@") {
				continue
			}
			switch x := v.(type) {
			case node:
				if r := ref(x, byID); r != nil {
					n[k] = r
				} else {
					fix(x, depth+1)
				}
			case []any:
				for i, e := range x {
					if c, ok := e.(node); ok {
						if r := ref(c, byID); r != nil {
							x[i] = r
						} else {
							fix(c, depth+1)
						}
					}
				}
			}
		}
	}
	for _, n := range nodes {
		fix(n, 0)
	}
}

// ref returns the node a reference stands for: a node whose only keys
// are "@id" and, optionally, "@type".
func ref(n node, byID map[string]node) node {
	id, ok := n["@id"].(string)
	if !ok {
		return nil
	}
	for k := range n {
		if k != "@id" && k != "@type" {
			return nil
		}
	}
	return byID[id]
}

// topNodes collects the typed nodes of a decoded block, following arrays
// and @graph.
func topNodes(v any, depth int) []node {
	if depth > 4 {
		return nil
	}
	var out []node
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			out = append(out, topNodes(e, depth+1)...)
		}
	case node:
		if len(x.types()) > 0 {
			out = append(out, x)
		}
		if g, ok := x["@graph"]; ok {
			out = append(out, topNodes(g, depth+1)...)
		}
	}
	return out
}

// decodeLenient decodes the JSON values in an ld+json block after
// repairing what real pages break: HTML comment and CDATA wrappers, // and
// /* */ comments, trailing commas and raw control characters in strings.
// Several values in a row are all returned.
func decodeLenient(s string) ([]any, error) {
	b := repairJSON(s)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, fromNumbers(v, 0))
	}
}

// fromNumbers turns json.Numbers into float64s (or strings when they do
// not fit), bounding depth.
func fromNumbers(v any, depth int) any {
	if depth > maxDepth {
		return nil
	}
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case map[string]any:
		for k, e := range x {
			x[k] = fromNumbers(e, depth+1)
		}
	case []any:
		for i, e := range x {
			x[i] = fromNumbers(e, depth+1)
		}
	}
	return v
}

// repairJSON removes comments and wrappers outside strings, trailing
// commas before } or ], and escapes control characters inside strings.
func repairJSON(s string) []byte {
	s = strings.TrimSpace(s)
	for _, w := range []string{"<!--", "//<![CDATA[", "<![CDATA["} {
		s = strings.TrimPrefix(strings.TrimSpace(s), w)
	}
	for _, w := range []string{"-->", "//]]>", "]]>"} {
		s = strings.TrimSuffix(strings.TrimSpace(s), w)
	}
	out := make([]byte, 0, len(s))
	inStr, esc := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			case c < 0x20:
				out = append(out, ' ')
				continue
			}
			out = append(out, c)
			continue
		}
		switch {
		case c == '"':
			inStr = true
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				i = len(s)
			} else {
				i += end + 3
			}
			continue
		case strings.HasPrefix(s[i:], "<!--"):
			i += 3
			continue
		case strings.HasPrefix(s[i:], "-->"):
			i += 2
			continue
		}
		out = append(out, c)
	}
	return dropTrailingCommas(out)
}

// dropTrailingCommas removes commas (outside strings) that only white
// space separates from a closing } or ].
func dropTrailingCommas(b []byte) []byte {
	out := b[:0:0]
	inStr, esc := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		} else if c == '"' {
			inStr = true
		} else if c == ',' {
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r') {
				j++
			}
			if j < len(b) && (b[j] == '}' || b[j] == ']') {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

func itoa(i int) string { return strconv.Itoa(i) }
