package geocode

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"sanjose", "sanjose", 2, 0},
		{"sanjsoe", "sanjose", 2, 1}, // a swap costs 1
		{"philadelfia", "philadelphia", 3, 2},
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 3}, // over max: max+1
		{"abc", "abcdefgh", 2, 3},
		{"", "ab", 2, 2},
	}
	var d distance
	for _, tt := range tests {
		if got := d.between(tt.a, tt.b, tt.max); got != tt.want {
			t.Errorf("between(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
}

func TestParseCoords(t *testing.T) {
	tests := []struct {
		in       string
		lat, lng float64
		ok       bool
	}{
		{"37.33,-121.89", 37.33, -121.89, true},
		{"37.33 , -121.89", 37.33, -121.89, true},
		{"37.33 -121.89", 37.33, -121.89, true},
		{"[37.33, -121.89]", 37.33, -121.89, true},
		{"+37,-121", 37, -121, true},
		{"37.33", 0, 0, false},
		{"37.33,-121.89,5", 0, 0, false},
		{"1.2.3,4", 0, 0, false},
		{"San Jose, CA", 0, 0, false},
		{"37.33 N, 121.89 W", 0, 0, false},
	}
	for _, tt := range tests {
		lat, lng, ok := parseCoords(tt.in)
		if ok != tt.ok || ok && (lat != tt.lat || lng != tt.lng) {
			t.Errorf("parseCoords(%q) = %v, %v, %v; want %v, %v, %v", tt.in, lat, lng, ok, tt.lat, tt.lng, tt.ok)
		}
	}
}

func TestCutTrailingZIP(t *testing.T) {
	tests := []struct {
		in, rest string
		code     uint32
		ok       bool
	}{
		{"San Jose, CA 95112", "San Jose, CA", 95112, true},
		{"San Jose, CA, 95112-1234", "San Jose, CA", 95112, true},
		{"Philadelphia PA 19103 1234", "Philadelphia PA", 19103, true},
		{"San Jose, CA", "", 0, false},
		{"Route 66", "", 0, false},
	}
	for _, tt := range tests {
		rest, code, ok := cutTrailingZIP(tt.in)
		if rest != tt.rest || code != tt.code || ok != tt.ok {
			t.Errorf("cutTrailingZIP(%q) = %q, %d, %v; want %q, %d, %v", tt.in, rest, code, ok, tt.rest, tt.code, tt.ok)
		}
	}
}
