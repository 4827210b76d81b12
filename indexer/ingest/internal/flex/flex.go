// Package flex holds JSON types that accept the shapes real data uses for
// the same field: a number or a string, one value or a list, null or
// nothing.
package flex

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// String is a string that may be written as a number, a boolean or
// null.
type String string

// UnmarshalJSON reads a string, number, boolean, null, or the strings of
// a list.
func (s *String) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = String(v)
	case b[0] == '[' || b[0] == '{':
		// A list or object where text is expected: keep the strings in it.
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = String(strings.Join(collect(v), ", "))
	default:
		*s = String(string(b))
	}
	return nil
}

// Strings is a list of strings that may be written as one string
// (comma-separated or not), a list of strings and numbers, or null.
type Strings []string

// UnmarshalJSON reads a list, one string split at commas, or null.
func (l *Strings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*l = nil
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if s, ok := v.(string); ok {
		var out []string
		for _, x := range strings.Split(s, ",") {
			out = append(out, strings.TrimSpace(x))
		}
		*l = out
		return nil
	}
	*l = collect(v)
	return nil
}

func collect(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case float64:
		return []string{strconv.FormatFloat(x, 'f', -1, 64)}
	case bool:
		return []string{strconv.FormatBool(x)}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, collect(e)...)
		}
		return out
	}
	return nil
}
