// Package web serves peerfind's own, server-rendered pages: the search
// page at / and a page per service at /services/{id}. They are html/template
// pages that work with JavaScript off (there is no script at all), under a
// strict Content-Security-Policy, with their CSS in static files.
//
// The pages are a client of the JSON API like any other: Pages calls the
// API handler in process and renders its answer, so the pages and the API
// can never disagree about parameters, defaults or errors.
package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/peerfind/peerfind"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// StaticFS holds the pages' static files (CSS), served at /static/.
var StaticFS, _ = fs.Sub(staticFS, "static")

// CSP is the Content-Security-Policy of the pages: no script at all, styles
// and images from this origin only, forms submit here only.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"join":     strings.Join,
	"tel":      telDigits,
	"nextmeet": nextMeeting,
	// itemctx gives the item template a result, its page and, optionally,
	// the level of its heading (3 by default; 4 under a subheading).
	"itemctx": func(it item, page *searchPage, level ...int) itemCtx {
		c := itemCtx{It: it, Page: page, Sub: len(level) > 0 && level[0] == 4}
		return c
	},
}).ParseFS(templateFS, "templates/*.html"))

// itemCtx is what the "item" template sees: one result and its page.
type itemCtx struct {
	It   item
	Page *searchPage
	// Sub puts the result's name in an h4, under an h3 subheading.
	Sub bool
}

// Pages renders the HTML pages from the answers of the JSON API.
type Pages struct {
	// API is the JSON API's handler (routes /api/v1/...). Required.
	API http.Handler
}

// apiGet calls the API in process and decodes its JSON answer into v (or
// into an error body). It returns the status.
func (p *Pages) apiGet(ctx context.Context, path string, query url.Values, v any) (int, *apiError, error) {
	u := path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	rec := httptest.NewRecorder()
	p.API.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	if rec.Code != http.StatusOK {
		var e struct {
			Error apiError `json:"error"`
		}
		if err := json.Unmarshal(body, &e); err != nil {
			return rec.Code, nil, fmt.Errorf("decode API error %d: %w", rec.Code, err)
		}
		return rec.Code, &e.Error, nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return rec.Code, nil, fmt.Errorf("decode API answer: %w", err)
	}
	return rec.Code, nil, nil
}

// render executes the named template into a buffer first, so a template
// error becomes a 500 rather than half a page.
func render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", CSP)
	h.Set("Cache-Control", "public, max-age=60")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// pageParams are the parameters the search page passes on to the API.
var pageParams = append([]string{"q", "near", "radius", "remote", "page", "per_page", "sort", "ui", "include_closed", "tz"}, peerfind.Facets...)

// uiLang returns "es" when the request asks for the Spanish UI.
func uiLang(r *http.Request) string {
	if strings.EqualFold(r.URL.Query().Get("ui"), "es") {
		return "es"
	}
	return "en"
}

// Search handles the "GET /" route: the search form, results, facet links
// and paging.
func (p *Pages) Search(w http.ResponseWriter, r *http.Request) {
	in := r.URL.Query()
	q := url.Values{}
	for _, k := range pageParams {
		for _, v := range in[k] {
			if strings.TrimSpace(v) != "" {
				q.Add(k, v)
			}
		}
	}
	ui := uiLang(r)
	d := searchPage{base: base{UI: ui, T: texts[ui], Path: "/", Query: q}}
	d.Title = d.T["title"]
	d.Q, d.Near, d.Radius = q.Get("q"), q.Get("near"), q.Get("radius")
	d.Radii = radiusOptions(ui, d.Radius)
	d.RemoteModes = remoteOptions(ui, q.Get("remote"))
	d.OtherUI = otherUI(q, ui)
	status := http.StatusOK
	if len(q) > 0 && !(len(q) == 1 && q.Has("ui")) {
		d.Searched = true
		st, apiErr, err := p.apiGet(r.Context(), "/api/v1/search", q, &d.Resp)
		switch {
		case err != nil:
			status, d.Error = http.StatusInternalServerError, d.T["error"]
		case apiErr != nil:
			status, d.Error = st, apiErr.Message
			for _, c := range apiErr.Candidates {
				if apiErr.Param == "" {
					continue
				}
				v := cloneValues(q)
				v.Set(apiErr.Param, c)
				v.Del("page")
				d.Candidates = append(d.Candidates, link{Label: c, URL: "/?" + v.Encode()})
			}
		default:
			d.build(q)
		}
	}
	render(w, r, status, "search.html", &d)
}

// Service handles the "GET /services/{id}" route: one service, with its
// schema.org JSON-LD.
func (p *Pages) Service(w http.ResponseWriter, r *http.Request, id string) {
	ui := uiLang(r)
	d := servicePage{base: base{UI: ui, T: texts[ui], Path: r.URL.Path, Query: url.Values{}}}
	if ui == "es" {
		d.Query.Set("ui", "es")
	}
	d.OtherUI = otherUI(d.Query, ui)
	d.Back = "/"
	if ui == "es" {
		d.Back = "/?ui=es"
	}
	var svc serviceAnswer
	st, apiErr, err := p.apiGet(r.Context(), "/api/v1/services/"+url.PathEscape(id), url.Values{"ui": {ui}}, &svc)
	switch {
	case err != nil:
		d.Title, d.Error = d.T["error"], d.T["error"]
		render(w, r, http.StatusInternalServerError, "service.html", d)
		return
	case apiErr != nil:
		d.Title, d.Error = d.T["notfound"], d.T["notfound"]
		render(w, r, st, "service.html", d)
		return
	}
	d.S = &svc
	d.Title = svc.Name
	d.JSONLD = jsonLD(&svc)
	render(w, r, http.StatusOK, "service.html", d)
}

// NotFound answers a page path that does not exist, in HTML.
func (p *Pages) NotFound(w http.ResponseWriter, r *http.Request) {
	ui := uiLang(r)
	d := servicePage{base: base{UI: ui, T: texts[ui], Path: r.URL.Path, Query: url.Values{}}}
	d.Title, d.Error, d.Back = d.T["notfound"], d.T["notfound"], "/"
	render(w, r, http.StatusNotFound, "service.html", d)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// otherUI links to the same page in the other UI language.
func otherUI(q url.Values, ui string) link {
	v := cloneValues(q)
	if ui == "es" {
		v.Del("ui")
		return link{Label: "English", URL: "?" + v.Encode(), Lang: "en"}
	}
	v.Set("ui", "es")
	return link{Label: "Español", URL: "?" + v.Encode(), Lang: "es"}
}

// maxReferral is the most services one referral list holds.
const maxReferral = 20

// Referral handles the "GET /referral" route: a printable list of the
// services named by id parameters, each with a QR code of its page. The
// list lives only in its URL, which can be shared; nothing is stored
// about the person referred.
func (p *Pages) Referral(w http.ResponseWriter, r *http.Request) {
	ui := uiLang(r)
	q := url.Values{}
	for _, id := range splitValues(r.URL.Query()["id"]) {
		if !slices.Contains(q["id"], id) && len(q["id"]) < maxReferral {
			q.Add("id", id)
		}
	}
	if ui == "es" {
		q.Set("ui", "es")
	}
	d := referralPage{base: base{UI: ui, T: texts[ui], Path: "/referral", Query: q}}
	d.Title = d.T["reftitle"]
	d.OtherUI = otherUI(q, ui)
	d.Back = "/"
	if ui == "es" {
		d.Back = "/?ui=es"
	}
	origin := requestOrigin(r)
	d.ShareURL = origin + "/referral?" + q.Encode()
	for _, id := range q["id"] {
		var svc serviceAnswer
		_, apiErr, err := p.apiGet(r.Context(), "/api/v1/services/"+url.PathEscape(id), url.Values{"ui": {ui}}, &svc)
		if err != nil || apiErr != nil {
			d.Missing = append(d.Missing, id)
			continue
		}
		page := origin + "/services/" + url.PathEscape(svc.ID)
		if ui == "es" {
			page += "?ui=es"
		}
		e := referralEntry{S: svc, PageURL: page}
		if qr := encodeQR(page, -1); qr != nil {
			e.QRPath, e.QRSize = qr.svgPath(), qr.size+8
		}
		d.Entries = append(d.Entries, e)
	}
	render(w, r, http.StatusOK, "referral.html", d)
}

// requestOrigin is the origin the request was made to, for absolute links
// in printed lists; a Host that is not a plain host[:port] is replaced.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	host := r.Host
	for _, c := range host {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c)) {
			host = "localhost"
			break
		}
	}
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

var (
	esDays   = []string{"dom", "lun", "mar", "mié", "jue", "vie", "sáb"}
	esMonths = []string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"}
)

// nextMeeting formats an RFC 3339 next-meeting time from the API in the
// meeting's own zone and the UI language ("Sat, Nov 28, 9:30 AM";
// "sáb 28 nov, 9:30"), or "" when there is none or it does not parse.
func nextMeeting(s, ui string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return ""
	}
	if ui == "es" {
		return fmt.Sprintf("%s %d %s, %d:%02d", esDays[t.Weekday()], t.Day(), esMonths[t.Month()-1], t.Hour(), t.Minute())
	}
	return t.Format("Mon, Jan 2, 3:04 PM")
}
