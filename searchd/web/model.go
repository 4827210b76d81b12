package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/peerfind/peerfind"
)

// apiError is the error body of an API answer.
type apiError struct {
	Code       string   `json:"code"`
	Message    string   `json:"message"`
	Param      string   `json:"param"`
	Candidates []string `json:"candidates"`
}

// term is a labelled taxonomy term.
type term struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// searchAnswer is the part of the search API's answer the page shows.
type searchAnswer struct {
	Location *struct {
		Name        string  `json:"name"`
		RadiusMI    float64 `json:"radius_mi"`
		RadiusKM    float64 `json:"radius_km"`
		Message     string  `json:"message"`
		Attribution string  `json:"attribution"`
	} `json:"location"`
	Total      int      `json:"total"`
	Page       int      `json:"page"`
	TotalPages int      `json:"total_pages"`
	Results    []result `json:"results"`
	Facets     facets   `json:"facets"`
	// Crisis is shown first when the API sends it (a crisis line for
	// searches that suggest someone is in danger).
	Crisis *crisis `json:"crisis"`
	// Remote holds the remote services apart (remote=apart).
	Remote *struct {
		Total   int      `json:"total"`
		Results []result `json:"results"`
	} `json:"remote"`
	// NothingNearby is the fallbacks when nothing in person matched.
	NothingNearby *struct {
		Message       string         `json:"message"`
		Farther       []result       `json:"farther"`
		Remote        []result       `json:"remote"`
		RemoteTotal   int            `json:"remote_total"`
		NationalLines []nationalLine `json:"national_lines"`
	} `json:"nothing_nearby"`
}

// nationalLine is a national line offered when nothing nearby fits.
type nationalLine struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Phone       string `json:"phone"`
	SMS         string `json:"sms"`
	URL         string `json:"url"`
	Hours       string `json:"hours"`
}

// crisis is the crisis block of a search answer.
type crisis struct {
	Gentle  bool         `json:"gentle"`
	Title   string       `json:"title"`
	Message string       `json:"message"`
	Lines   []crisisLine `json:"lines"`
}

// crisisLine is one crisis line of the block.
type crisisLine struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	SMS      string `json:"sms"`
	URL      string `json:"url"`
	URLLabel string `json:"url_label"`
}

// result is one search result.
type result struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Organization string   `json:"organization"`
	Description  string   `json:"description"`
	Categories   []term   `json:"categories"`
	Attendance   []term   `json:"attendance"`
	Languages    []term   `json:"languages"`
	Populations  []term   `json:"populations"`
	Cost         *term    `json:"cost"`
	Address      string   `json:"address"`
	LocationName string   `json:"location_name"`
	DistanceMI   *float64 `json:"distance_mi"`
	DistanceKM   *float64 `json:"distance_km"`
	Phone        string   `json:"phone"`
	URL          string   `json:"url"`
	Schedule     string   `json:"schedule"`
	// Mode is in_person, online or phone; ServesYourArea is true when
	// one of the service's areas holds the searcher's place.
	Mode           string `json:"mode"`
	ServesYourArea bool   `json:"serves_your_area"`
	// ScheduleYourTime is the schedule in the searcher's zone.
	ScheduleYourTime string `json:"schedule_your_time"`
	NextMeeting      string `json:"next_meeting"`
	Status           string `json:"status"`
	Meeting          *struct {
		OpenClosed    string `json:"open_closed"`
		ConferenceURL string `json:"conference_url"`
	} `json:"meeting"`
	SourceName string `json:"source_name"`
	SourceDate string `json:"source_date"`
}

// facets keeps the API's facet order (a JSON object in display order).
type facets []facet

// facet is one facet of the answer.
type facet struct {
	ID    string
	Label string `json:"label"`
	Terms []struct {
		ID       string `json:"id"`
		Label    string `json:"label"`
		Count    int    `json:"count"`
		Selected bool   `json:"selected"`
	} `json:"terms"`
}

// UnmarshalJSON decodes the facets object in key order.
func (fs *facets) UnmarshalJSON(b []byte) error {
	var order []string
	// Find the keys in order with a decoder over the raw object.
	var raw map[string]facet
	if err := jsonUnmarshal(b, &raw); err != nil {
		return err
	}
	order, err := objectKeys(b)
	if err != nil {
		return err
	}
	for _, k := range order {
		f := raw[k]
		f.ID = k
		*fs = append(*fs, f)
	}
	return nil
}

// serviceAnswer is the service API's answer.
type serviceAnswer struct {
	peerfind.Service
	Labels struct {
		Categories   []term `json:"categories"`
		SupportTypes []term `json:"support_types"`
		Populations  []term `json:"populations"`
		Conditions   []term `json:"conditions"`
		Attendance   []term `json:"attendance"`
		Languages    []term `json:"languages"`
		Cost         *term  `json:"cost"`
	} `json:"labels"`
	ScheduleSummary string `json:"schedule_summary"`
}

// link is a labelled URL.
type link struct {
	Label    string
	URL      string
	Lang     string
	Count    int
	Selected bool
	Current  bool
}

// base is what every page's template uses.
type base struct {
	UI      string
	T       map[string]string
	Title   string
	Path    string
	Query   url.Values
	OtherUI link
	Error   string
}

// searchPage is the data of search.html.
type searchPage struct {
	base
	Q, Near, Radius string
	Radii           []link
	RemoteModes     []link
	Searched        bool
	Resp            searchAnswer
	Candidates      []link
	// Filters are the facets as lists of links that toggle a term.
	Filters []filterGroup
	// Selected are links that remove one selected term each.
	Selected []link
	// Prev, Next and Pages link the neighbouring pages ("" when none).
	Prev, Next string
	Pages      []link
	// Summary says how many results, in the UI language.
	Summary string
	Items   []item
	// RemoteItems are the remote services listed apart (remote=apart).
	RemoteItems []item
	RemoteTotal int
	// Nearby is the "nothing nearby" block, or nil.
	Nearby *nearbyBlock
}

// nearbyBlock is what the page offers when nothing in person matched:
// farther matches, remote groups and national lines, in that order.
type nearbyBlock struct {
	Message string
	// AllRemote links to every remote service that fits, when the block
	// shows only some.
	AllRemote link
	Farther   []item
	Remote    []item
	Lines     []nationalLine
}

// filterGroup is one facet's links.
type filterGroup struct {
	ID, Label string
	Links     []link
	Open      bool
}

// item is a result with its page link and display strings.
type item struct {
	result
	Href     string
	Distance string
	Tel      string // the phone's digits, for a tel: link
	Tags     []string
	// ModeLabel says "Online" or "By phone" for a remote service.
	ModeLabel string
	// AreaLabel says "Serves your area" when it does.
	AreaLabel string
	// N numbers the result on the page, for element ids.
	N int
}

// referralPage is the data of referral.html.
type referralPage struct {
	base
	Back     string
	ShareURL string
	Entries  []referralEntry
	Missing  []string
}

// referralEntry is one service of a referral list.
type referralEntry struct {
	S       serviceAnswer
	PageURL string
	// QRPath draws the QR code of PageURL in a QRSize-unit square.
	QRPath string
	QRSize int
}

// servicePage is the data of service.html.
type servicePage struct {
	base
	Back   string
	S      *serviceAnswer
	JSONLD any
}

// build fills the page's links from the API's answer.
func (d *searchPage) build(q url.Values) {
	t := d.T
	resp := &d.Resp
	switch resp.Total {
	case 0:
		d.Summary = t["none"]
	case 1:
		d.Summary = t["one"]
	default:
		d.Summary = fmt.Sprintf(t["many"], resp.Total)
	}
	if resp.Location != nil {
		if m := resp.Location.Message; m != "" {
			d.Summary += " " + m + "."
		} else {
			d.Summary += " " + fmt.Sprintf(t["within"], fmtNum(resp.Location.RadiusMI), resp.Location.Name)
		}
	}
	for _, f := range resp.Facets {
		g := filterGroup{ID: f.ID, Label: f.Label}
		for _, tm := range f.Terms {
			v := cloneValues(q)
			v.Del("page")
			cur := splitValues(v[f.ID])
			if tm.Selected {
				cur = slices.DeleteFunc(cur, func(s string) bool { return s == tm.ID })
				g.Open = true
			} else {
				cur = append(cur, tm.ID)
			}
			if len(cur) == 0 {
				v.Del(f.ID)
			} else {
				v[f.ID] = []string{strings.Join(cur, ",")}
			}
			l := link{Label: tm.Label, URL: "/?" + v.Encode(), Count: tm.Count, Selected: tm.Selected}
			g.Links = append(g.Links, l)
			if tm.Selected {
				d.Selected = append(d.Selected, l)
			}
		}
		if len(g.Links) > 0 {
			d.Filters = append(d.Filters, g)
		}
	}
	pageURL := func(n int) string {
		v := cloneValues(q)
		if n == 1 {
			v.Del("page")
		} else {
			v.Set("page", strconv.Itoa(n))
		}
		return "/?" + v.Encode()
	}
	if resp.Page > 1 {
		d.Prev = pageURL(resp.Page - 1)
	}
	if resp.Page < resp.TotalPages {
		d.Next = pageURL(resp.Page + 1)
	}
	if resp.TotalPages > 1 {
		lo, hi := max(1, resp.Page-2), min(resp.TotalPages, resp.Page+2)
		for n := lo; n <= hi; n++ {
			d.Pages = append(d.Pages, link{Label: strconv.Itoa(n), URL: pageURL(n), Current: n == resp.Page})
		}
	}
	n := 0
	items := func(rs []result) []item {
		var out []item
		for _, r := range rs {
			n++
			out = append(out, d.item(r, n))
		}
		return out
	}
	d.Items = items(resp.Results)
	if resp.Remote != nil {
		d.RemoteItems, d.RemoteTotal = items(resp.Remote.Results), resp.Remote.Total
	}
	if nn := resp.NothingNearby; nn != nil {
		d.Nearby = &nearbyBlock{Message: nn.Message, Farther: items(nn.Farther), Remote: items(nn.Remote), Lines: webLines(nn.NationalLines)}
		// Nothing in person: the main list holds only remote services,
		// which the block shows; a link leads to all of them.
		d.Items, d.Prev, d.Next, d.Pages = nil, "", "", nil
		if nn.RemoteTotal > len(nn.Remote) {
			v := cloneValues(q)
			v.Set("remote", peerfind.RemoteOnly)
			v.Del("page")
			d.Nearby.AllRemote = link{URL: "/?" + v.Encode(), Label: fmt.Sprintf(t["allremote"], nn.RemoteTotal)}
		}
	}
}

// item shapes one result for the page; n numbers it for element ids.
func (d *searchPage) item(r result, n int) item {
	t := d.T
	it := item{result: r, N: n, Href: "/services/" + url.PathEscape(r.ID), Tel: telDigits(r.Phone)}
	if d.UI == "es" {
		it.Href += "?ui=es"
	}
	// A distance is a trip only to an in-person service.
	if r.DistanceMI != nil && (r.Mode == "" || r.Mode == peerfind.ModeInPerson) {
		it.Distance = fmt.Sprintf(t["distance"], fmtNum(*r.DistanceMI))
	}
	switch r.Mode {
	case peerfind.ModeOnline:
		it.ModeLabel = t["modeonline"]
	case peerfind.ModePhone:
		it.ModeLabel = t["modephone"]
	}
	if r.ServesYourArea {
		it.AreaLabel = t["servesarea"]
	}
	for _, a := range r.Attendance {
		if a.Label != it.ModeLabel {
			it.Tags = append(it.Tags, a.Label)
		}
	}
	if r.Cost != nil {
		it.Tags = append(it.Tags, r.Cost.Label)
	}
	return it
}

// webLines keeps the national lines' links only when they are absolute
// http(s) URLs (html/template would otherwise write a dead "#ZgotmplZ").
func webLines(ls []nationalLine) []nationalLine {
	out := slices.Clone(ls)
	for i := range out {
		if u, err := url.Parse(out[i].URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			out[i].URL = ""
		}
	}
	return out
}

// splitValues splits comma-separated filter values.
func splitValues(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// telDigits returns the digits (and a leading +) of a phone number, for a
// tel: link, up to an extension; "" when there are too few. Templates
// write href="tel:{{tel .}}" so html/template still checks the URL.
func telDigits(phone string) string {
	var b strings.Builder
	for i, r := range phone {
		if r >= '0' && r <= '9' || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
		if r == 'x' || r == 'X' || r == ',' || r == ';' {
			break
		}
	}
	if b.Len() < 3 {
		return ""
	}
	return b.String()
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// radiusOptions are the choices of the radius selector.
func radiusOptions(ui, cur string) []link {
	var out []link
	for _, mi := range []string{"", "5mi", "10mi", "25mi", "50mi", "100mi"} {
		l := link{URL: mi, Selected: mi == cur}
		if mi == "" {
			l.Label = texts[ui]["anyradius"]
		} else {
			l.Label = strings.TrimSuffix(mi, "mi") + " mi"
		}
		out = append(out, l)
	}
	return out
}

// remoteOptions are the choices of how online and phone groups show.
func remoteOptions(ui, cur string) []link {
	var out []link
	for _, m := range []string{"", peerfind.RemoteApart, peerfind.RemoteExclude, peerfind.RemoteOnly} {
		key := "remote" + m
		if m == "" {
			key = "remotemixed"
		}
		out = append(out, link{URL: m, Label: texts[ui][key], Selected: m == cur || (m == "" && cur == peerfind.RemoteMixed)})
	}
	return out
}

// jsonLD describes a service for search engines (schema.org). The
// template encodes it as JSON inside the script element, escaping < and >.
func jsonLD(s *serviceAnswer) map[string]any {
	m := map[string]any{
		"@context": "https://schema.org",
		"@type":    "Service",
		"@id":      "/services/" + s.ID,
		"name":     s.Name,
	}
	if s.Description != "" {
		m["description"] = s.Description
	}
	if s.URL != "" {
		m["url"] = s.URL
	}
	if s.Organization.Name != "" {
		org := map[string]any{"@type": "Organization", "name": s.Organization.Name}
		if s.Organization.URL != "" {
			org["url"] = s.Organization.URL
		}
		m["provider"] = org
	}
	if len(s.Phones) > 0 {
		m["telephone"] = s.Phones[0].Number
	}
	var places []any
	for _, l := range s.Locations {
		p := map[string]any{"@type": "Place"}
		if l.Name != "" {
			p["name"] = l.Name
		}
		a := l.Address
		p["address"] = map[string]any{"@type": "PostalAddress", "streetAddress": a.Address1,
			"addressLocality": a.City, "addressRegion": a.StateProvince, "postalCode": a.PostalCode, "addressCountry": a.Country}
		if l.Latitude != nil && l.Longitude != nil {
			p["geo"] = map[string]any{"@type": "GeoCoordinates", "latitude": *l.Latitude, "longitude": *l.Longitude}
		}
		places = append(places, p)
	}
	if len(places) > 0 {
		m["areaServed"] = places
	}
	if len(s.Languages) > 0 {
		m["availableLanguage"] = s.Languages
	}
	var cats []string
	for _, c := range s.Labels.Categories {
		cats = append(cats, c.Label)
	}
	if len(cats) > 0 {
		m["category"] = cats
	}
	return m
}
