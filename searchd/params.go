package searchd

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/peerfind/peerfind"
)

// Bounds of the radius parameter, in kilometres.
const (
	minRadiusKM = 0.1
	maxRadiusKM = 500
	kmPerMile   = 1.609344
)

// Hard caps that the Server's limits cannot lift: they protect the server
// rather than shape the API.
const (
	maxRawQuery = 8192 // bytes of the raw query string
	maxNearLen  = 100  // characters of near
	maxValueLen = 100  // bytes of one filter value
)

// ignoredParams are accepted and ignored on every endpoint, so that
// clients may bust caches: "_" is what jQuery and many widgets add
// (?_=1700000000000). Everything else unknown is an error, so typos such
// as "categroy" are caught instead of silently widening a search.
var ignoredParams = []string{"_"}

// searchScalarParams are the single-valued parameters of the search
// endpoint; the facet ids (peerfind.Facets) are the repeatable ones.
var searchScalarParams = []string{"q", "near", "radius", "remote", "page", "per_page", "sort", "ui", "include_closed", "open_now", "upcoming", "tz"}

// searchTimeParams are the repeatable meeting-time filters (see when.go).
var searchTimeParams = []string{"day", "time"}

// paramAliases are names other APIs use for our parameters, suggested
// when a client sends them.
var paramAliases = map[string]string{
	"query": "q", "text": "q", "search": "q", "keywords": "q",
	"location": "near", "zip": "near", "zipcode": "near", "postal_code": "near", "where": "near", "lat": "near", "lng": "near", "lon": "near",
	"language": "lang", "languages": "lang", "categories": "category", "populations": "population", "conditions": "condition",
	"limit": "per_page", "size": "per_page", "page_size": "per_page", "pagesize": "per_page", "perpage": "per_page",
	"distance": "radius", "radius_km": "radius", "radius_mi": "radius", "order": "sort", "sort_by": "sort",
	"lang_ui": "ui", "locale": "ui", "hl": "ui",
}

// uiLanguages are the label languages of the ui parameter.
var uiLanguages = []string{"en", "es"}

// searchParams is a parsed and checked search request, before geocoding.
type searchParams struct {
	Text string
	Near string
	// Radius is the radius as echoed ("25mi"), RadiusKM its value; both
	// are set only when Near is.
	Radius   string
	RadiusKM float64
	// RadiusSet is true when the request gave the radius.
	RadiusSet bool
	// Filters maps a facet id to its term ids, deduplicated, in request
	// order; facets without values are absent.
	Filters map[string][]string
	Page    int
	PerPage int
	Sort    string
	UI      string
	// IncludeClosed asks for services that are not active too.
	IncludeClosed bool
	// Remote is how remote services join the results (peerfind.Remote*);
	// "" means mixed.
	Remote string
	// When holds the meeting-time filters and the searcher's time zone.
	When whenParams
}

// parseSearchParams parses the raw query string of GET /api/v1/search. It
// returns an *apiError (HTTP 400) for anything it cannot use. Empty values
// count as absent (an HTML form sends near= when the field is left blank).
func parseSearchParams(rawQuery string, lim limits, tax *peerfind.Taxonomy) (searchParams, error) {
	var p searchParams
	v, err := parseRawQuery(rawQuery, append(append(slices.Clone(searchScalarParams), searchTimeParams...), peerfind.Facets...))
	if err != nil {
		return p, err
	}

	single := singleParam(v)

	// q: the need in free text.
	q, err := single("q")
	if err != nil {
		return p, err
	}
	p.Text = normalizeText(q)
	if n := utf8.RuneCountInString(p.Text); n > lim.maxQueryLen {
		return p, invalidParam("q", "q is too long (%d characters, at most %d)", n, lim.maxQueryLen)
	}

	// near and radius.
	near, err := single("near")
	if err != nil {
		return p, err
	}
	p.Near = normalizeText(near)
	if n := utf8.RuneCountInString(p.Near); n > maxNearLen {
		return p, invalidParam("near", `near is too long (%d characters, at most %d); give a ZIP code, "City, ST" or "lat,lng"`, n, maxNearLen)
	}
	radius, err := single("radius")
	if err != nil {
		return p, err
	}
	if radius != "" {
		echo, km, err := parseRadius(radius)
		if err != nil {
			return p, err
		}
		// A radius without near is ignored, not refused: forms send their
		// radius selector even when the place is left blank.
		if p.Near != "" {
			p.Radius, p.RadiusKM, p.RadiusSet = echo, km, true
		}
	}
	if p.Near != "" && p.Radius == "" && lim.defaultRadiusKM > 0 {
		p.RadiusKM = lim.defaultRadiusKM
		p.Radius = formatRadius(lim.defaultRadiusKM)
	}
	remote, err := single("remote")
	if err != nil {
		return p, err
	}
	switch remote = strings.ToLower(strings.TrimSpace(remote)); remote {
	case "", peerfind.RemoteMixed, peerfind.RemoteApart, peerfind.RemoteExclude, peerfind.RemoteOnly:
		p.Remote = remote
	default:
		return p, invalidParam("remote", "remote must be mixed (default), apart, exclude or only")
	}

	// Filters, each repeatable and comma-separated.
	for _, facet := range peerfind.Facets {
		ids, err := parseFilter(facet, v[facet], lim.maxFilterValues, tax)
		if err != nil {
			return p, err
		}
		if len(ids) > 0 {
			if p.Filters == nil {
				p.Filters = map[string][]string{}
			}
			p.Filters[facet] = ids
		}
	}

	// Paging.
	if p.Page, err = intParam(single, "page", 1, lim.maxPage, 1); err != nil {
		return p, err
	}
	if p.PerPage, err = intParam(single, "per_page", 1, lim.maxPerPage, lim.defaultPerPage); err != nil {
		return p, err
	}

	// sort: explicit, or relevance when there is text, distance when there
	// is only a place.
	srt, err := single("sort")
	if err != nil {
		return p, err
	}
	switch strings.ToLower(srt) {
	case "":
		p.Sort = peerfind.SortRelevance
		if p.Text == "" && p.Near != "" {
			p.Sort = peerfind.SortDistance
		}
	case peerfind.SortRelevance:
		p.Sort = peerfind.SortRelevance
	case peerfind.SortDistance:
		if p.Near == "" {
			return p, invalidParam("sort", "sort=distance needs a location in near")
		}
		p.Sort = peerfind.SortDistance
	default:
		return p, invalidParam("sort", "sort must be relevance or distance")
	}

	ui, err := uiParam(single)
	if err != nil {
		return p, err
	}
	p.UI = ui

	if p.When, err = parseWhen(v, single, lim.maxFilterValues); err != nil {
		return p, err
	}

	// include_closed: also temporarily closed and inactive services.
	ic, err := single("include_closed")
	if err != nil {
		return p, err
	}
	switch strings.ToLower(ic) {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		p.IncludeClosed = true
	default:
		return p, invalidParam("include_closed", "include_closed must be true or false")
	}
	return p, nil
}

// parseRawQuery parses a query string strictly: malformed escapes,
// semicolons and unknown parameter names are errors, not silently dropped.
func parseRawQuery(rawQuery string, known []string) (url.Values, error) {
	if len(rawQuery) > maxRawQuery {
		return nil, invalidParam("", "the query string is too long (%d bytes, at most %d)", len(rawQuery), maxRawQuery)
	}
	v, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, invalidParam("", "the query string is malformed; encode values with encodeURIComponent")
	}
	var unknown []string
	for name := range v {
		if !slices.Contains(known, name) && !slices.Contains(ignoredParams, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return v, nil
	}
	sort.Strings(unknown)
	name := unknown[0]
	e := &apiError{status: 400, code: CodeUnknownParameter, param: clipRunes(name, 40)}
	best := closest(name, known)
	if alias, ok := paramAliases[strings.ToLower(name)]; ok && slices.Contains(known, alias) {
		best = alias
	}
	if best != "" {
		e.message = fmt.Sprintf("unknown parameter %q; did you mean %q?", clipRunes(name, 40), best)
		e.candidates = []string{best}
	} else {
		e.message = fmt.Sprintf("unknown parameter %q; known parameters are %s", clipRunes(name, 40), strings.Join(known, ", "))
	}
	return nil, e
}

// singleParam returns a reader of v's single-valued parameters: a
// parameter given twice or not in UTF-8 is an error; the value is trimmed
// and "" means absent.
func singleParam(v url.Values) func(name string) (string, error) {
	return func(name string) (string, error) {
		vals := v[name]
		if len(vals) > 1 {
			return "", invalidParam(name, "%s may be given only once", name)
		}
		if len(vals) == 0 {
			return "", nil
		}
		if !utf8.ValidString(vals[0]) {
			return "", invalidParam(name, "%s must be UTF-8 text", name)
		}
		return strings.TrimSpace(vals[0]), nil
	}
}

// uiParam reads the ui parameter (label language), defaulting to English.
func uiParam(single func(string) (string, error)) (string, error) {
	ui, err := single("ui")
	if err != nil {
		return "", err
	}
	ui = strings.ToLower(ui)
	if ui == "" {
		return "en", nil
	}
	if !slices.Contains(uiLanguages, ui) {
		return "", invalidParam("ui", "ui must be en or es")
	}
	return ui, nil
}

// intParam reads a whole number within [min, max], or def when absent.
func intParam(single func(string) (string, error), name string, min, max, def int) (int, error) {
	s, err := single(name)
	if err != nil || s == "" {
		return def, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, invalidParam(name, "%s must be a whole number from %d to %d", name, min, max)
	}
	return n, nil
}

var radiusRe = regexp.MustCompile(`^([0-9]{1,6}(?:\.[0-9]{0,6})?|\.[0-9]{1,6})\s*([a-z]*)$`)

// parseRadius reads "10mi", "25km", "15" (miles), "2.5 miles". It returns
// the radius as echoed ("2.5mi") and in kilometres.
func parseRadius(s string) (string, float64, error) {
	bad := invalidParam("radius", "radius must be between %v and %v km, e.g. 10mi or 25km", minRadiusKM, maxRadiusKM)
	m := radiusRe.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return "", 0, bad
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return "", 0, bad
	}
	var unit string
	var km float64
	switch m[2] {
	case "", "mi", "mile", "miles":
		unit, km = "mi", n*kmPerMile
	case "km", "kms", "kilometer", "kilometers", "kilometre", "kilometres":
		unit, km = "km", n
	default:
		return "", 0, bad
	}
	// Compare with a little slack so "0.1km" and "500km" pass after
	// floating-point conversion.
	if km < minRadiusKM-1e-9 || km > maxRadiusKM+1e-9 {
		return "", 0, bad
	}
	return strconv.FormatFloat(n, 'f', -1, 64) + unit, km, nil
}

// formatRadius echoes a default radius, in miles when it is a whole number
// of miles, else in kilometres.
func formatRadius(km float64) string {
	mi := km / kmPerMile
	if r := math.Round(mi); math.Abs(mi-r) < 1e-6 {
		return strconv.FormatFloat(r, 'f', -1, 64) + "mi"
	}
	return strconv.FormatFloat(math.Round(km*10)/10, 'f', -1, 64) + "km"
}

// parseFilter reads one facet filter from its repeated, comma-separated
// values, checks each against the taxonomy and drops duplicates.
func parseFilter(facet string, vals []string, max int, tax *peerfind.Taxonomy) ([]string, error) {
	var ids []string
	n := 0
	for _, v := range vals {
		for _, id := range strings.Split(v, ",") {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if n++; n > max {
				return nil, invalidParam(facet, "%s has more than %d values", facet, max)
			}
			if len(id) > maxValueLen || !utf8.ValidString(id) {
				return nil, unknownTerm(facet, id, tax)
			}
			var term *peerfind.Term
			if f := tax.Facet(facet); f != nil {
				term = f.Resolve(id)
			}
			if term == nil {
				return nil, unknownTerm(facet, id, tax)
			}
			if !slices.Contains(ids, term.ID) {
				ids = append(ids, term.ID)
			}
		}
	}
	return ids, nil
}

// unknownTerm reports a filter value that is not a term of the facet,
// suggesting the closest terms first, then the facet's first terms.
func unknownTerm(facet, value string, tax *peerfind.Taxonomy) *apiError {
	var all []string
	if f := tax.Facet(facet); f != nil {
		for _, t := range f.Terms {
			all = append(all, t.ID)
		}
	}
	cands := suggest(value, all, 5)
	for _, id := range all {
		if len(cands) >= 5 {
			break
		}
		if !slices.Contains(cands, id) {
			cands = append(cands, id)
		}
	}
	msg := fmt.Sprintf("%s has the unknown value %q", facet, clipRunes(strings.ToValidUTF8(value, "�"), 40))
	if len(cands) > 0 {
		msg += "; valid values include " + strings.Join(cands, ", ")
	}
	return &apiError{status: 400, code: CodeInvalidParameter, param: facet, message: msg, candidates: cands}
}

// normalizeText turns control characters into spaces and collapses runs of
// white space.
func normalizeText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// clipRunes shortens s to at most n runes, adding "…" when it cuts.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// closest returns the candidate nearest to s by edit distance, if it is
// near enough to be a likely typo.
func closest(s string, candidates []string) string {
	if c := suggest(s, candidates, 1); len(c) > 0 {
		return c[0]
	}
	return ""
}

// suggest returns up to n candidates within a small edit distance of s
// (or sharing its prefix), nearest first.
func suggest(s string, candidates []string, n int) []string {
	s = strings.ToLower(s)
	if s == "" || len(s) > 64 {
		return nil
	}
	type scored struct {
		id string
		d  int
	}
	var found []scored
	for _, c := range candidates {
		d := peerfind.EditDistance(s, strings.ToLower(c))
		limit := 1 + len(c)/4
		if d <= limit || (len(s) >= 3 && strings.HasPrefix(c, s)) || (len(c) >= 3 && strings.HasPrefix(s, c)) {
			found = append(found, scored{c, d})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].d < found[j].d })
	var out []string
	for _, f := range found {
		if len(out) == n {
			break
		}
		out = append(out, f.id)
	}
	return out
}

// typeAheadParam is the q of a type-ahead route, normalized, at most
// max characters.
func typeAheadParam(single func(string) (string, error), max int) (string, error) {
	q, err := single("q")
	if err != nil {
		return "", err
	}
	q = normalizeText(q)
	if n := utf8.RuneCountInString(q); n > max {
		return "", invalidParam("q", "q is too long (%d characters, at most %d)", n, max)
	}
	return q, nil
}
