package normalize_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/peerfind/peerfind/crawler/normalize"
)

func TestStripMarkup(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain  text\n here", "plain text here"},
		{"Group <script>alert(1)</script><img src=x onerror=alert(1)>", "Group"},
		{"<b>Bold</b> &amp; <i>it</i>", "Bold & it"},
		{"a<!-- hidden -->b", "a b"},
		{"&lt;script&gt;", "<script>"}, // decoded text is data, never re-parsed
		{"caf\xe9", "caf"},
		{"<style>p{}</style>Text", "Text"},
		{"", ""},
	} {
		if got := normalize.StripMarkup(tc.in); got != tc.want {
			t.Errorf("StripMarkup(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello world", 6, "hello"},
		{"ééé", 3, "é"},
		{"ééé", 4, "éé"},
		{"abc", -1, ""},
	} {
		if got := normalize.Clip(tc.in, tc.n); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestCleanURL(t *testing.T) {
	base, _ := url.Parse("https://example.org/groups/")
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"https://x.org/a?b=1", "https://x.org/a?b=1", true},
		{"/g/1", "https://example.org/g/1", true},
		{"tuesday", "https://example.org/groups/tuesday", true},
		{" javascript:alert(1)", "", false},
		{"JaVaScRiPt:alert(1)", "", false},
		{"data:text/html,<script>", "", false},
		{"mailto:a@b.org", "", false},
		{"http://", "", false},
		{"", "", false},
		{"https://x.org/a&amp;b", "https://x.org/a&b", true},
	} {
		got, ok := normalize.CleanURL(tc.in, base)
		if got != tc.want || ok != tc.ok {
			t.Errorf("CleanURL(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPhoneE164(t *testing.T) {
	for _, tc := range []struct {
		in, e164, ext string
		ok            bool
	}{
		{"(650) 555-0100", "+16505550100", "", true},
		{"650.555.0100", "+16505550100", "", true},
		{"+1 650 555 0100", "+16505550100", "", true},
		{"1-800-555-0100 ext. 12", "+18005550100", "12", true},
		{"tel:+16505550100", "+16505550100", "", true},
		{"(650) 555-0100 x7", "+16505550100", "7", true},
		{"+44 1234 234567", "", "", false},
		{"555-0100", "", "", false},
		{"1-800-WARMLINE", "", "", false},
		{"(050) 555-0100", "", "", false},
	} {
		e, ext, ok := normalize.PhoneE164(tc.in)
		if e != tc.e164 || ext != tc.ext || ok != tc.ok {
			t.Errorf("PhoneE164(%q) = %q, %q, %v; want %q, %q, %v", tc.in, e, ext, ok, tc.e164, tc.ext, tc.ok)
		}
	}
}

func TestParseUSAddress(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want normalize.Address
		ok   bool
	}{
		{"123 Main St, San Jose, CA 95112", normalize.Address{"123 Main St", "San Jose", "CA", "95112"}, true},
		{"123 Main St, Suite 4, San Jose, California 95112, USA", normalize.Address{"123 Main St, Suite 4", "San Jose", "CA", "95112"}, true},
		{"123 Main St, San Jose CA 95112-1234", normalize.Address{"123 Main St", "San Jose", "CA", "95112-1234"}, true},
		{"San Jose, CA", normalize.Address{"", "San Jose", "CA", ""}, true},
		{"12 Elm St, Albany, NY, 12207", normalize.Address{"12 Elm St", "Albany", "NY", "12207"}, true},
		{"Online", normalize.Address{Street: "Online"}, false},
		{"10 Downing St, London SW1A 2AA", normalize.Address{Street: "10 Downing St, London SW1A 2AA"}, false},
		{"", normalize.Address{}, false},
	} {
		got, ok := normalize.ParseUSAddress(tc.in)
		if diff := cmp.Diff(tc.want, got); diff != "" || ok != tc.ok {
			t.Errorf("ParseUSAddress(%q) ok=%v (want %v) (-want +got):\n%s", tc.in, ok, tc.ok, diff)
		}
	}
}

func TestLanguage(t *testing.T) {
	for in, want := range map[string]string{
		"English": "en", "en-US": "en", "es": "es", "Spanish": "es", "Español": "es", "eng": "en",
		"ASL": "ase", "zh-Hant-TW": "zh", "Klingon": "", "": "", "e": "", strings.Repeat("x", 100): "",
	} {
		if got := normalize.Language(in); got != want {
			t.Errorf("Language(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClock(t *testing.T) {
	for in, want := range map[string]string{
		"19:00": "19:00", "19:00:00": "19:00", "7pm": "19:00", "7:30 PM": "19:30", "7 p.m.": "19:00",
		"12am": "00:00", "12 PM": "12:00", "noon": "12:00", "19:00:00-05:00": "19:00", "19:00Z": "19:00",
		"25:00": "", "13pm": "", "": "", "seven": "", "7": "07:00",
	} {
		if got := normalize.Clock(in); got != want {
			t.Errorf("Clock(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDay(t *testing.T) {
	for in, want := range map[string]string{
		"https://schema.org/Tuesday": "TU", "http://schema.org/Sunday": "SU", "Tuesday": "TU", "thurs": "TH",
		"Mo": "MO", "sábado": "SA", "Someday": "",
	} {
		if got := normalize.Day(in); got != want {
			t.Errorf("Day(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestState(t *testing.T) {
	for in, want := range map[string]string{"CA": "CA", "ca": "CA", "California": "CA", "new york": "NY", "XX": "", "Narnia": ""} {
		if got := normalize.State(in); got != want {
			t.Errorf("State(%q) = %q, want %q", in, got, want)
		}
	}
}
