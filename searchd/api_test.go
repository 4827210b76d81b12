package searchd

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
	"github.com/peerfind/peerfind"
)

func TestCutText(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"short", "Peer support.", 280, "Peer support."},
		{"white space collapsed", "  Peer\n\tsupport \r\n group  ", 280, "Peer support group"},
		{"control characters", "a\x00b\x1bc", 280, "a b c"},
		{"exact length", "abcde", 5, "abcde"},
		{"word boundary", "Peer support for families and friends", 20, "Peer support for…"},
		{"cut before a space keeps the word", "Peer support group meets", 13, "Peer support…"},
		{"punctuation trimmed", "Drop in, have coffee, talk", 13, "Drop in…"},
		{"long word is cut inside", "Supercalifragilisticexpialidocious", 10, "Supercali…"},
		{"accents are whole runes", "Un espacio de apoyo emocional después de la pérdida", 30, "Un espacio de apoyo emocional…"},
		{"multibyte, no spaces", strings.Repeat("悲", 50), 10, strings.Repeat("悲", 9) + "…"},
		{"emoji", strings.Repeat("🌱", 20), 5, "🌱🌱🌱🌱…"},
		{"invalid UTF-8 replaced", "ab\xffcd efgh ijkl", 8, "ab\uFFFDcd…"},
		{"tiny n", "hello world", 1, "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cutText(tc.in, tc.n)
			if got != tc.want {
				t.Errorf("cutText(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("result is not valid UTF-8: %q", got)
			}
			if c := utf8.RuneCountInString(got); c > max(tc.n, 1) {
				t.Errorf("result has %d runes, more than %d", c, tc.n)
			}
		})
	}
}

func FuzzCutText(f *testing.F) {
	f.Add("Un espacio seguro para compartir la pérdida", 12)
	f.Add("🌱🌱🌱 🌱🌱", 3)
	f.Add("a\xffb", 2)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 1 || n > 1000 {
			return
		}
		got := cutText(s, n)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > n {
			t.Fatalf("cutText(%q, %d) = %q", s, n, got)
		}
	})
}

func TestWebURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.org/a?b=c":    "https://example.org/a?b=c",
		" http://example.org ":         "http://example.org",
		"javascript:alert(1)":          "",
		"JAVASCRIPT:alert(1)":          "",
		"data:text/html,<b>x</b>":      "",
		"//example.org":                "",
		"data/seed/manual.jsonl":       "",
		"file:///etc/passwd":           "",
		"https://":                     "",
		"ftp://example.org/file.txt":   "",
		"https://zoom.example/j/123?p": "https://zoom.example/j/123?p",
	} {
		if got := webURL(in); got != want {
			t.Errorf("webURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewResult(t *testing.T) {
	tax := testTaxonomy(t)
	f := func(x float64) *float64 { return &x }
	svc := &peerfind.Service{
		ID:     "x",
		Name:   "X",
		URL:    "javascript:alert(1)",
		Status: "active",
		Organization: peerfind.Organization{
			Name: "Org", URL: "https://org.example",
		},
		Locations: []peerfind.Location{
			{Name: "no point", Address: peerfind.Address{City: "Nowhere"}},
			{Name: "far", Address: peerfind.Address{City: "Oakland", StateProvince: "CA"}, Latitude: f(37.8), Longitude: f(-122.27)},
			{Name: "near", Address: peerfind.Address{City: "San Jose", StateProvince: "CA"}, Latitude: f(37.34), Longitude: f(-121.89), Approximate: true},
		},
		Phones:     []peerfind.Phone{{Number: "  "}, {Number: " 555-0100 "}},
		Categories: []string{"warmline", "not-a-term"},
		Meeting:    &peerfind.Meeting{ConferenceURL: "javascript:void(0)"},
		Provenance: peerfind.Provenance{SourceURL: "data/seed/x.jsonl", Retrieved: "2026-01-02"},
	}
	sj := orb.Point{-121.8863, 37.3382}

	t.Run("near picks the nearest location", func(t *testing.T) {
		got := newResult(peerfind.Hit{Service: svc}, &sj, "en", tax)
		if got.LocationName != "near" || got.Address != "San Jose, CA" || *got.Lat != 37.34 || !got.Approximate {
			t.Errorf("location: %+v", got)
		}
		if got.DistanceKM == nil || *got.DistanceKM != 0.4 || *got.DistanceMI != 0.2 {
			t.Errorf("distance computed from the nearest location: km %v mi %v", got.DistanceKM, got.DistanceMI)
		}
	})
	t.Run("searcher distance wins", func(t *testing.T) {
		got := newResult(peerfind.Hit{Service: svc, DistanceKM: f(12.345)}, &sj, "en", tax)
		if *got.DistanceKM != 12.3 || *got.DistanceMI != 7.7 {
			t.Errorf("distance km %v mi %v", *got.DistanceKM, *got.DistanceMI)
		}
	})
	t.Run("no near: first location with a point, no distance", func(t *testing.T) {
		got := newResult(peerfind.Hit{Service: svc, DistanceKM: f(3)}, nil, "en", tax)
		if got.LocationName != "far" || got.DistanceKM != nil || got.DistanceMI != nil {
			t.Errorf("%+v", got)
		}
	})
	t.Run("links and fallbacks", func(t *testing.T) {
		got := newResult(peerfind.Hit{Service: svc}, nil, "es", tax)
		if got.URL != "https://org.example" {
			t.Errorf("url %q, want the organization's", got.URL)
		}
		if got.Meeting != nil {
			t.Errorf("meeting with only a bad link: %+v", got.Meeting)
		}
		if got.SourceURL != "" || got.SourceDate != "2026-01-02" {
			t.Errorf("source %q %q", got.SourceURL, got.SourceDate)
		}
		if got.Phone != "555-0100" {
			t.Errorf("phone %q", got.Phone)
		}
		want := []Term{{ID: "warmline", Label: "Línea cálida"}, {ID: "not-a-term", Label: "not-a-term"}}
		if diff := cmp.Diff(want, got.Categories); diff != "" {
			t.Errorf("categories (-want +got):\n%s", diff)
		}
		b, _ := json.Marshal(got)
		for _, key := range []string{`"support_types":[]`, `"languages":[]`} {
			if !strings.Contains(string(b), key) {
				t.Errorf("%s missing in %s", key, b)
			}
		}
	})
	t.Run("remote service", func(t *testing.T) {
		remote := &peerfind.Service{ID: "r", Name: "R", Status: "active"}
		got := newResult(peerfind.Hit{Service: remote}, &sj, "en", tax)
		if got.Address != "" || got.Lat != nil || got.DistanceKM != nil {
			t.Errorf("%+v", got)
		}
	})
}

func TestFacetsJSONRoundTrip(t *testing.T) {
	in := Facets{
		{ID: "lang", Label: "Language", Terms: []FacetTerm{{ID: "es", Label: "Spanish", Count: 2, Selected: true}}},
		{ID: "category", Label: "Category", Terms: []FacetTerm{}},
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"lang":{"label":"Language","terms":[{"id":"es","label":"Spanish","count":2,"selected":true}]},"category":{"label":"Category","terms":[]}}`; string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var out Facets
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}
