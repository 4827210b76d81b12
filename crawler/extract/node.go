package extract

import (
	"fmt"
	"strconv"
	"strings"
)

// A node is one schema.org item in the common form that both the JSON-LD
// and the microdata readers produce, so that one mapper serves both:
// property names are local names ("name", not "https://schema.org/name"),
// "@type" holds the local type names as a []string, and values are
// strings, float64s, bools, nested nodes or []any of those.
type node map[string]any

// maxDepth bounds how deep the readers and the mapper follow nested
// values, so a hostile page cannot make them recurse without end.
const maxDepth = 24

// localName strips a vocabulary prefix: "https://schema.org/Event",
// "http://schema.org/Event" and "schema:Event" all give "Event".
func localName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "/#"); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// types returns the node's local type names.
func (n node) types() []string {
	switch t := n["@type"].(type) {
	case []string:
		return t
	case string:
		return []string{localName(t)}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, localName(s))
			}
		}
		return out
	}
	return nil
}

// is reports whether the node has one of the types.
func (n node) is(set map[string]bool) bool {
	for _, t := range n.types() {
		if set[t] {
			return true
		}
	}
	return false
}

// all returns every value of a property, flattening lists.
func (n node) all(prop string) []any {
	v, ok := n[prop]
	if !ok || v == nil {
		return nil
	}
	if l, ok := v.([]any); ok {
		var out []any
		for _, x := range l {
			if x != nil {
				out = append(out, x)
			}
		}
		return out
	}
	return []any{v}
}

// str returns the first text value of the properties, in order: a string,
// a number, or the "name" (else "@value", "url") of a nested node.
func (n node) str(props ...string) string {
	for _, p := range props {
		for _, v := range n.all(p) {
			if s := text(v); s != "" {
				return s
			}
		}
	}
	return ""
}

// strs returns every text value of the properties.
func (n node) strs(props ...string) []string {
	var out []string
	for _, p := range props {
		for _, v := range n.all(p) {
			if s := text(v); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// child returns the first nested node of the properties.
func (n node) child(props ...string) node {
	for _, p := range props {
		for _, v := range n.all(p) {
			if c := asNode(v); c != nil {
				return c
			}
		}
	}
	return nil
}

// children returns every nested node of the property.
func (n node) children(prop string) []node {
	var out []node
	for _, v := range n.all(prop) {
		if c := asNode(v); c != nil {
			out = append(out, c)
		}
	}
	return out
}

func asNode(v any) node {
	switch x := v.(type) {
	case node:
		return x
	case map[string]any:
		return node(x)
	}
	return nil
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case node, map[string]any:
		c := asNode(x)
		for _, k := range []string{"@value", "name", "url", "@id"} {
			if s, ok := c[k].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
	return ""
}

// float reads a number given as a JSON number or a string.
func float(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// normalizeJSON turns decoded JSON into the node form: objects become
// nodes with local property names, "@type" a []string, "@graph" kept.
func normalizeJSON(v any, depth int) any {
	if depth > maxDepth {
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		n := node{}
		for k, val := range x {
			switch {
			case k == "@type":
				n["@type"] = node{"@type": val}.types()
			case strings.HasPrefix(k, "@"):
				n[k] = normalizeJSON(val, depth+1)
			default:
				name := localName(k)
				if prev, ok := n[name]; ok {
					n[name] = append(asList(prev), asList(normalizeJSON(val, depth+1))...)
				} else {
					n[name] = normalizeJSON(val, depth+1)
				}
			}
		}
		return n
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if e := normalizeJSON(e, depth+1); e != nil {
				out = append(out, e)
			}
		}
		return out
	}
	return v
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}
