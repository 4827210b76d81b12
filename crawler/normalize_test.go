package crawler

import (
	"net/url"
	"testing"
	"time"
)

func TestNormalizeURL(t *testing.T) {
	base, _ := url.Parse("http://Example.org/dir/page.html")
	for _, c := range []struct{ in, want string }{
		{"HTTP://WWW.Example.ORG:80/a#frag", "http://www.example.org/a"},
		{"https://example.org:443", "https://example.org/"},
		{"other.html?b=2&a=1", "http://example.org/dir/other.html?a=1&b=2"},
		{"/x?utm_source=a&id=3&PHPSESSID=zz&sid=1&fbclid=q", "http://example.org/x?id=3"},
		{"/x;jsessionid=ABC?y=1", "http://example.org/x?y=1"},
		{"../up/./b", "http://example.org/up/b"},
		{"http://user:pw@example.org:8080/p", "http://example.org:8080/p"},
		{"//cdn.example.org/s", "http://cdn.example.org/s"},
		{"?", "http://example.org/dir/page.html"},
	} {
		u, err := NormalizeURL(base, c.in)
		if err != nil {
			t.Errorf("NormalizeURL(%q): %v", c.in, err)
			continue
		}
		if got := u.String(); got != c.want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, bad := range []string{"javascript:alert(1)", "mailto:x@y.org", "ftp://example.org/", "data:text/html,hi", "http://"} {
		if u, err := NormalizeURL(nil, bad); err == nil {
			t.Errorf("NormalizeURL(%q) = %v, want an error", bad, u)
		}
	}
}

func TestTrapGuard(t *testing.T) {
	g := &trapGuard{maxVariants: 3, maxSegments: 6, maxLen: 200, window: DefaultCalendarWindow,
		now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		u    string
		trap bool
	}{
		{"http://x.org/calendar?month=2026-12", false},
		{"http://x.org/calendar?month=2027-11", false},
		{"http://x.org/calendar?month=2028-01", true},
		{"http://x.org/events/2024/03/", true},
		{"http://x.org/events/2026/10/05/", false},
		{"http://x.org/cal?year=2031", true},
		{"http://x.org/a/b/c/d/e/f/g", true},
		{"http://x.org/a/a/a", true},
		{"http://x.org/p?q=1", false},
		{"http://x.org/p?q=2", false},
		{"http://x.org/p?q=3", false},
		{"http://x.org/p?q=1", false},
		{"http://x.org/p?q=4", true},
		{"http://x.org/phone/4155550100", false},
	} {
		u, _ := url.Parse(c.u)
		if why := g.check(u); (why != "") != c.trap {
			t.Errorf("check(%s) = %q, want trap %v", c.u, why, c.trap)
		}
	}
}
