package crawler

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sessionParams are query parameters that carry a session or a campaign
// and never change the page; they are removed from URLs.
var sessionParams = map[string]bool{
	"jsessionid": true, "phpsessid": true, "sid": true, "sessionid": true,
	"session_id": true, "cfid": true, "cftoken": true, "fbclid": true,
	"gclid": true, "msclkid": true, "mc_cid": true, "mc_eid": true,
}

// pathSession matches ";jsessionid=..." style path parameters.
var pathSession = regexp.MustCompile(`(?i);(jsessionid|phpsessid|sid|sessionid)=[^/?#]*`)

// NormalizeURL resolves ref against base (nil for an absolute ref) and
// returns the canonical form the crawler fetches and dedupes by: http(s)
// only, lower-case scheme and host, no default port, no user info, no
// fragment, "/" for an empty path, session and tracking parameters
// (jsessionid, PHPSESSID, sid, utm_*, ...) removed and the query sorted by
// key.
func NormalizeURL(base *url.URL, ref string) (*url.URL, error) {
	ref = strings.TrimSpace(ref)
	u, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("parse URL: %w", err)
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("not an http(s) URL: %q", clip(ref))
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("URL has no host: %q", clip(ref))
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	u.Opaque = ""
	if p := pathSession.ReplaceAllString(u.EscapedPath(), ""); p != u.EscapedPath() {
		if dp, err := url.PathUnescape(p); err == nil {
			u.Path, u.RawPath = dp, ""
		}
	}
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return nil, fmt.Errorf("parse query of %q: %w", clip(ref), err)
		}
		for k := range q {
			lk := strings.ToLower(k)
			if sessionParams[lk] || strings.HasPrefix(lk, "utm_") || strings.HasPrefix(lk, "aspsessionid") {
				delete(q, k)
			}
		}
		u.RawQuery = q.Encode() // sorted by key
		u.ForceQuery = false
	}
	return u, nil
}

// hostKey is the key per-host limits use: the lower-case host with its
// port, so that two servers on one address are two hosts.
func hostKey(u *url.URL) string { return strings.ToLower(u.Host) }

// Trap-guard defaults.
const (
	DefaultMaxQueryVariants = 50
	DefaultMaxPathSegments  = 12
	DefaultMaxURLLength     = 2048
	// DefaultCalendarWindow is how far from today a date in a URL may lie.
	DefaultCalendarWindow = 366 * 24 * time.Hour
)

// trapGuard refuses URLs that look like crawler traps: too long, too
// deep, repeating path segments, dates far from today (endless
// calendars), or too many query variants of one path.
type trapGuard struct {
	maxVariants, maxSegments, maxLen int
	window                           time.Duration
	now                              time.Time

	mu       sync.Mutex
	variants map[string]map[string]bool // host+path → queries
}

// datePattern finds year-month(-day) dates in URLs: 2026-11, 2026/11/05,
// 20261105; yearParam finds year=2026 style parameters.
var (
	datePattern = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)[0-9]{2})[-/_.]?(0[1-9]|1[0-2])(?:[-/_.]?([0-2][0-9]|3[01]))?(?:[^0-9]|$)`)
	yearParam   = regexp.MustCompile(`(?i)(?:^|[&?;/])(?:y|yr|year|cal_?year)[=/]((?:19|20)[0-9]{2})(?:[^0-9]|$)`)
)

// check returns why u must not be fetched, or "".
func (g *trapGuard) check(u *url.URL) string {
	s := u.String()
	if len(s) > g.maxLen {
		return fmt.Sprintf("crawler trap: URL longer than %d bytes", g.maxLen)
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) > g.maxSegments {
		return fmt.Sprintf("crawler trap: path deeper than %d segments", g.maxSegments)
	}
	count := map[string]int{}
	for _, seg := range segs {
		if seg == "" {
			continue
		}
		if count[seg]++; count[seg] > 2 {
			return fmt.Sprintf("crawler trap: path segment %q repeats", clip(seg))
		}
	}
	target := u.EscapedPath() + "?" + u.RawQuery
	if unq, err := url.QueryUnescape(target); err == nil {
		target = unq
	}
	for _, m := range datePattern.FindAllStringSubmatch(target, -1) {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		t := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
		if d := t.Sub(g.now); d > g.window || d < -g.window-31*24*time.Hour {
			return fmt.Sprintf("crawler trap: calendar date %s-%02d far from today", m[1], mo)
		}
	}
	for _, m := range yearParam.FindAllStringSubmatch(target, -1) {
		y, _ := strconv.Atoi(m[1])
		if diff := y - g.now.Year(); diff > 1 || diff < -1 {
			return fmt.Sprintf("crawler trap: calendar year %d far from today", y)
		}
	}
	if u.RawQuery != "" {
		key := hostKey(u) + u.EscapedPath()
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.variants == nil {
			g.variants = map[string]map[string]bool{}
		}
		v := g.variants[key]
		if v == nil {
			v = map[string]bool{}
			g.variants[key] = v
		}
		if !v[u.RawQuery] {
			if len(v) >= g.maxVariants {
				return fmt.Sprintf("crawler trap: more than %d query variants of %s", g.maxVariants, clip(u.Path))
			}
			v[u.RawQuery] = true
		}
	}
	return ""
}

// clip shortens s for messages.
func clip(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}
