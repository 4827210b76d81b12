package web

import (
	"strings"
	"testing"
)

func TestEncodeQR(t *testing.T) {
	for _, c := range []struct {
		n    int // bytes of text
		size int // modules per side; 0 when too long
	}{
		{10, 21}, {14, 21}, {15, 25}, {106, 41}, {107, 45}, {122, 45}, {123, 49}, {180, 53}, {181, 57}, {213, 57}, {214, 0},
	} {
		q := encodeQR(strings.Repeat("a", c.n), -1)
		switch {
		case c.size == 0 && q != nil:
			t.Errorf("%d bytes: got a %d-module code, want none", c.n, q.size)
		case c.size != 0 && q == nil:
			t.Errorf("%d bytes: got no code, want %d modules", c.n, c.size)
		case c.size != 0 && q.size != c.size:
			t.Errorf("%d bytes: got %d modules, want %d", c.n, q.size, c.size)
		}
	}
	// The finder patterns' corners are dark; the separators are light.
	q := encodeQR("https://peerfind.example/services/x", -1)
	n := q.size
	for _, p := range [][2]int{{0, 0}, {n - 1, 0}, {0, n - 1}, {6, 6}} {
		if !q.modules[p[1]][p[0]] {
			t.Errorf("module %v is light", p)
		}
	}
	if q.modules[7][7] || !strings.HasPrefix(q.svgPath(), "M4 4h1v1h-1z") {
		t.Error("unexpected layout")
	}
}

func TestTelDigits(t *testing.T) {
	for in, want := range map[string]string{
		"(408) 555-0101":      "4085550101",
		"+1 415 555 0199 x12": "+14155550199",
		"988":                 "988",
		"call us":             "",
		"javascript:alert(1)": "",
	} {
		if got := telDigits(in); got != want {
			t.Errorf("telDigits(%q) = %q, want %q", in, got, want)
		}
	}
}
