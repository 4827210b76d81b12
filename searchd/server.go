// Package searchd is the HTTP face of peerfind: a JSON search API for the
// web widget, partner sites and referral tools.
//
// It sees the index and the geocoder only through the peerfind.Searcher and
// peerfind.Geocoder interfaces; cmd/searchd wires the implementations in.
//
// Routes:
//
//	GET /api/v1/search          search (SearchResponse)
//	GET /api/v1/services/{id}   one full record (ServiceResponse)
//	GET /api/v1/suggest         type-ahead suggestions (SuggestResponse)
//	GET /api/v1/places          type-ahead places for near (PlacesResponse)
//	GET /healthz                liveness ({"status":"ok"})
//	GET /hsds/...               HSDS 3.0 API (package hsdsapi)
//	GET /openapi.json           OpenAPI 3.1 of this API (package openapi)
//	GET /feeds/meeting-guide.json  recurring groups as a Meeting Guide feed
//	GET /readyz                 readiness: 200 while an index is open (ops.go)
//	GET /metrics                Prometheus metrics, when Ops is set (ops.go)
//	GET /                       the search page (HTML, package web)
//	GET /services/{id}          a service's page with JSON-LD (HTML)
//	GET /referral?id=...        a printable referral list (HTML)
//	GET /static/...             the pages' CSS
//	GET /widget/v1/...          the embeddable widget (package widget)
//
// Every API answer, errors included, is JSON; errors have the shape
// {"error":{"code":...,"message":...,"param":...}} (ErrorResponse).
//
// Requests are strict: unknown parameters, parameters given twice that
// take one value, and unknown filter values are 400s that name the
// parameter, so that typos ("categroy=") are not silently ignored. The
// only exception is "_", the cache-busting parameter that jQuery and many
// widgets add, which every endpoint accepts and ignores. Empty values
// ("near=") count as absent, as HTML forms send them.
//
// Bad input never causes a 5xx. Only 5xx answers are logged, and never
// with the query text or the client's address.
package searchd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/searchd/hsdsapi"
	"github.com/peerfind/peerfind/searchd/openapi"
	"github.com/peerfind/peerfind/searchd/web"
	"github.com/peerfind/peerfind/searchd/widget"
)

// Defaults of the Server's limits.
const (
	DefaultMaxQueryLen     = 200
	DefaultMaxPage         = 100
	DefaultMaxPerPage      = 50
	DefaultPerPage         = 10
	DefaultMaxFilterValues = 20
	DefaultTimeout         = 10 * time.Second
	DefaultSearchMaxAge    = 60 * time.Second
)

// allowedMethods is the Allow header of every route.
const allowedMethods = "GET, HEAD, OPTIONS"

// Server serves the search API. Set the fields, then call Handler once;
// do not change them afterwards. Zero limits take their defaults.
type Server struct {
	// Searcher runs searches and looks up records. Required.
	Searcher peerfind.Searcher
	// Geocoder resolves the near parameter. Without one, near is refused
	// with a 400.
	Geocoder peerfind.Geocoder
	// Taxonomy validates filter values and labels terms. Required.
	Taxonomy *peerfind.Taxonomy
	// PlaceAttribution is the credit line the geocoder's data requires
	// (e.g. data.GazetteerAttribution); it is sent as location.attribution
	// whenever near was resolved, so clients can show it with the results.
	PlaceAttribution string
	// Logger receives server faults (5xx) only. Nil discards them.
	Logger *slog.Logger

	// AllowedOrigins are the origins (e.g. "https://partner.example")
	// allowed to call the API from a browser. Empty, or containing "*",
	// allows every origin: the widget is embedded on partner sites.
	AllowedOrigins []string
	// Crisis, when set, is the reviewed list of crisis signals: a search
	// whose q matches one gets the crisis lines first (see data.Crisis).
	Crisis *peerfind.Crisis
	// Ops, when set, adds metrics at /metrics, the per-client rate limit,
	// the concurrency cap and the body limit (ops.go).
	Ops *Ops

	// Now, when set, is the clock that dates results' confirmations
	// (assured_age_days, stale); tests fix it. Nil means time.Now.
	Now func() time.Time

	// WidgetFS, when set, replaces the embedded widget files served at
	// /widget/v1/ (searchd -dev serves them from disk).
	WidgetFS fs.FS
	// HSDSProfile, when set, holds the peer-support HSDS profile
	// (hsdsprofile.FS in data/hsds-profile), served at /hsds/profile/.
	HSDSProfile fs.FS

	// MaxQueryLen is the maximum length of q, in characters (default 200).
	MaxQueryLen int
	// MaxPage is the highest page number (default 100).
	MaxPage int
	// MaxPerPage is the largest page size (default 50).
	MaxPerPage int
	// DefaultPerPage is the page size when per_page is absent (default 10).
	DefaultPerPage int
	// MaxFilterValues is the maximum number of values of one filter
	// (default 20).
	MaxFilterValues int
	// DefaultRadiusKM is the radius around near when radius is absent, in
	// kilometres. Zero (the default) widens the radius step by step, 5 to
	// 100 miles, until enough in-person services match
	// (peerfind.WidenStepsKM).
	DefaultRadiusKM float64
	// Lines are the national lines offered when nothing nearby fits (see
	// data.NationalLines); nil offers none.
	Lines *peerfind.NationalLines
	// Timeout bounds the geocoding and search of one request (default 10s;
	// negative for none).
	Timeout time.Duration
	// SearchMaxAge is the Cache-Control max-age of search answers (default
	// 60s; negative for no-store).
	SearchMaxAge time.Duration
}

// limits are the Server's limits with defaults applied.
type limits struct {
	maxQueryLen     int
	maxPage         int
	maxPerPage      int
	defaultPerPage  int
	maxFilterValues int
	defaultRadiusKM float64
}

func (s *Server) limits() limits {
	def := func(v, d int) int {
		if v <= 0 {
			return d
		}
		return v
	}
	l := limits{
		maxQueryLen:     def(s.MaxQueryLen, DefaultMaxQueryLen),
		maxPage:         def(s.MaxPage, DefaultMaxPage),
		maxPerPage:      def(s.MaxPerPage, DefaultMaxPerPage),
		maxFilterValues: def(s.MaxFilterValues, DefaultMaxFilterValues),
		defaultRadiusKM: s.DefaultRadiusKM,
	}
	l.defaultPerPage = min(def(s.DefaultPerPage, DefaultPerPage), l.maxPerPage)
	if !(l.defaultRadiusKM >= minRadiusKM && l.defaultRadiusKM <= maxRadiusKM) {
		l.defaultRadiusKM = 0 // widen
	}
	return l
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// Handler returns the HTTP handler of the API. It panics if Searcher or
// Taxonomy is nil, a wiring mistake to be caught at start-up.
//
// Middleware wraps the whole router rather than using mux's Router.Use,
// which runs only for matched routes: so CORS preflights, 404s and 405s
// get the same headers, and a panic anywhere becomes a 500 JSON answer.
func (s *Server) Handler() http.Handler {
	if s.Searcher == nil {
		panic("searchd: Server.Searcher is nil")
	}
	if s.Taxonomy == nil {
		panic("searchd: Server.Taxonomy is nil")
	}
	r := mux.NewRouter()
	// Unclean paths ("//api", "/api/../") get a JSON 404, not a redirect.
	r.SkipClean(true)
	r.HandleFunc("/api/v1/search", s.handleSearch).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/api/v1/services/{id}", s.handleService).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/api/v1/suggest", s.handleSuggest).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/api/v1/places", s.handlePlaces).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/healthz", s.handleHealth).Methods(http.MethodGet, http.MethodHead)
	// HSDS 3.0 API under /hsds/ and the Meeting Guide feed (package hsdsapi).
	(&hsdsapi.API{Searcher: s.Searcher, Taxonomy: s.Taxonomy, Geocoder: s.Geocoder, Profile: s.HSDSProfile}).Register(r)
	r.Handle("/openapi.json", openapi.Handler()).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/readyz", s.handleReady).Methods(http.MethodGet, http.MethodHead)
	if s.Ops != nil {
		s.Ops.init(s)
		r.Handle("/metrics", s.Ops.metricsHandler()).Methods(http.MethodGet, http.MethodHead)
	}

	// The HTML pages render the API's own answers, called in process.
	pages := &web.Pages{API: r}
	r.HandleFunc("/", pages.Search).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/referral", pages.Referral).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/services/{id}", func(w http.ResponseWriter, req *http.Request) {
		pages.Service(w, req, mux.Vars(req)["id"])
	}).Methods(http.MethodGet, http.MethodHead)
	r.PathPrefix("/static/").Methods(http.MethodGet, http.MethodHead).Handler(
		cacheFor("public, max-age=3600", http.StripPrefix("/static/", http.FileServerFS(web.StaticFS))))
	wfs := s.WidgetFS
	if wfs == nil {
		wfs = widget.FS
	}
	r.PathPrefix("/widget/v1/").Methods(http.MethodGet, http.MethodHead).Handler(
		cacheFor("public, max-age=3600", http.StripPrefix("/widget/v1/", http.FileServerFS(wfs))))
	r.NotFoundHandler = http.HandlerFunc(s.handleNotFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(s.handleMethodNotAllowed)

	var h http.Handler = r
	h = s.Ops.limits(s, h) // ops.go
	h = s.cors(h)
	h = s.Ops.instrument(s, r, h) // ops.go
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	return h
}

// crisisFor returns the crisis block when the raw query's q signals a
// crisis, in the query's language (ui breaks a tie), or nil.
func (s *Server) crisisFor(rawQuery string) *CrisisAnswer {
	if s.Crisis == nil {
		return nil
	}
	v, _ := url.ParseQuery(rawQuery) // what parses is enough to decide
	q := v.Get("q")
	if len(q) > 4*DefaultMaxQueryLen {
		q = q[:4*DefaultMaxQueryLen]
	}
	lang, gentle, ok := s.Crisis.Detect(q, strings.ToLower(v.Get("ui")))
	if !ok {
		return nil
	}
	b := s.Crisis.Block(lang)
	if gentle {
		return &CrisisAnswer{Lang: lang, Gentle: true, Title: b.GentleTitle, Message: b.GentleMessage, Lines: b.Lines}
	}
	return &CrisisAnswer{Lang: lang, Title: b.Title, Message: b.Message, Lines: b.Lines}
}

// handleSearch handles the "GET /api/v1/search" route.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	lim := s.limits()
	// A query that signals a crisis shows the crisis lines first, on every
	// answer, even one that finds fault with another parameter.
	crisis := s.crisisFor(r.URL.RawQuery)
	p, err := parseSearchParams(r.URL.RawQuery, lim, s.Taxonomy)
	if err != nil {
		s.writeErrorWith(w, r, err, crisis)
		return
	}
	ctx, cancel := s.withTimeout(r.Context())
	defer cancel()

	q := peerfind.Query{
		Text:    p.Text,
		Filters: p.Filters,
		Sort:    p.Sort,
		Page:    p.Page,
		PerPage: p.PerPage,
		Remote:  p.Remote,

		IncludeClosed: p.IncludeClosed,
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	var loc *SearchLocation
	if p.Near != "" {
		if s.Geocoder == nil {
			s.writeErrorWith(w, r, invalidParam("near", "this server does not search by location"), crisis)
			return
		}
		place, err := s.Geocoder.Geocode(ctx, p.Near)
		if err != nil {
			s.writeErrorWith(w, r, geocodeError(err), crisis, p.Text, p.Near)
			return
		}
		pt := place.Point
		if !validPoint(pt.Lat(), pt.Lon()) {
			s.writeErrorWith(w, r, fmt.Errorf("geocoder returned the invalid point %v", pt), crisis, p.Text, p.Near)
			return
		}
		if place.Kind == "state" && !p.RadiusSet {
			// The default radius suits a ZIP or a town; around a state's
			// centroid it would miss most of the state.
			p.RadiusKM, p.Radius = maxRadiusKM, formatRadius(maxRadiusKM)
		}
		q.Near, q.RadiusKM, q.Place = &pt, p.RadiusKM, &place
		loc = newSearchLocation(p.Near, place, p.RadiusKM)
		loc.Attribution = s.PlaceAttribution
		// Without tz, times are given in the zone of the searcher's place.
		if p.When.Loc == nil && place.Timezone != "" {
			if z, err := peerfind.LoadLocation(place.Timezone); err == nil {
				p.When.Loc = z
			}
		}
	}
	applyWhen(&q, p.When, now)
	res, err := s.Searcher.Search(ctx, q)
	if err != nil {
		s.writeErrorWith(w, r, fmt.Errorf("search: %w", err), crisis, p.Text, p.Near)
		return
	}
	resp := newSearchResponse(p, loc, q.Near, res, s.Taxonomy, lim.maxPage)
	if res.NothingNearby {
		resp.NothingNearby = newNothingNearby(p, loc, q.Near, res, s.Taxonomy, s.Lines)
	}
	for _, list := range resp.lists() {
		for i := range list {
			list[i].AssuredAgeDays, list[i].Stale = assuredAge(list[i].AssuredDate, now)
		}
	}
	resp.Crisis = crisis
	s.writeJSON(w, r, http.StatusOK, resp, s.searchCacheControl())
}

// handleService handles the "GET /api/v1/services/{id}" route.
func (s *Server) handleService(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if !peerfind.ValidID(id) {
		s.writeError(w, r, invalidParam("id", "a service id has 1 to 200 letters, digits or . _ : -"))
		return
	}
	v, err := parseRawQuery(r.URL.RawQuery, []string{"ui"})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ui, err := uiParam(singleParam(v))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := s.withTimeout(r.Context())
	defer cancel()
	svc, err := s.Searcher.Service(ctx, id)
	if err == nil && svc == nil {
		err = peerfind.ErrNotFound
	}
	if err != nil {
		if errors.Is(err, peerfind.ErrNotFound) {
			err = &apiError{status: http.StatusNotFound, code: CodeNotFound, message: fmt.Sprintf("there is no service with id %q", id)}
		}
		s.writeError(w, r, fmt.Errorf("service %q: %w", id, err))
		return
	}
	s.writeJSON(w, r, http.StatusOK, newServiceResponse(svc, ui, s.Taxonomy), "public, max-age=300")
}

// cacheFor sets the Cache-Control of a static file handler's answers.
func cacheFor(cc string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", cc)
		next.ServeHTTP(w, r)
	})
}

// handleHealth handles the "GET /healthz" route.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, http.StatusOK, HealthResponse{Status: "ok"}, "no-store")
}

// handleNotFound answers every path without a route.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, &apiError{status: http.StatusNotFound, code: CodeNotFound,
		message: "no such endpoint; see /api/v1/search and /api/v1/services/{id}"})
}

// handleMethodNotAllowed answers a known path with the wrong method.
func (s *Server) handleMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, &apiError{status: http.StatusMethodNotAllowed, code: CodeMethodNotAllowed,
		message: "this endpoint answers GET only"})
}

func (s *Server) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	switch {
	case s.Timeout < 0:
		return context.WithCancel(ctx)
	case s.Timeout == 0:
		return context.WithTimeout(ctx, DefaultTimeout)
	}
	return context.WithTimeout(ctx, s.Timeout)
}

func (s *Server) searchCacheControl() string {
	age := s.SearchMaxAge
	if age == 0 {
		age = DefaultSearchMaxAge
	}
	if age < 0 {
		return "no-store"
	}
	return fmt.Sprintf("public, max-age=%d", int(age.Seconds()))
}

// writeJSON encodes v (escaping <, > and &) and sends it with the status.
// The body is encoded before anything is sent, so an encoding failure can
// still become a 500.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any, cacheControl string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		s.logger().ErrorContext(r.Context(), "encode answer", "route", routeName(r), "err", err.Error())
		status, cacheControl = http.StatusInternalServerError, "no-store"
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"something went wrong on our side; please try again later"}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", cacheControl)
	h.Set("Content-Length", fmt.Sprint(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// routeName names the request's route for logs by its template, never by
// its path, which is request data.
func routeName(r *http.Request) string {
	if route := mux.CurrentRoute(r); route != nil {
		if t, err := route.GetPathTemplate(); err == nil {
			return t
		}
	}
	switch p := r.URL.Path; {
	case p == "/api/v1/search", p == "/healthz":
		return p
	case strings.HasPrefix(p, "/api/v1/services/"):
		return "/api/v1/services/{id}"
	}
	return "(other)"
}

func validPoint(lat, lon float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

// securityHeaders sets the headers every answer carries. The answers are
// JSON data, never a document: nothing may sniff, frame or run them.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY") // for browsers without frame-ancestors; the widget is a script, never a frame
		next.ServeHTTP(w, r)
	})
}

// corsPath reports whether other sites' pages may read a path: the APIs
// (/api/, /hsds/), the Meeting Guide feed and the OpenAPI document; not the
// pages, the widget files or the operator's /metrics.
func corsPath(p string) bool {
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/hsds/") || p == "/hsds" ||
		strings.HasPrefix(p, "/feeds/") || p == "/openapi.json"
}

// cors adds CORS headers to /api/ answers and answers preflights itself,
// before routing (mux's middleware would not see an OPTIONS request that
// matches no route).
func (s *Server) cors(next http.Handler) http.Handler {
	anyOrigin := len(s.AllowedOrigins) == 0 || slices.Contains(s.AllowedOrigins, "*")
	allowed := func(origin string) bool {
		for _, o := range s.AllowedOrigins {
			if strings.EqualFold(strings.TrimRight(o, "/"), origin) {
				return true
			}
		}
		return false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !corsPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		origin := r.Header.Get("Origin")
		switch {
		case anyOrigin:
			h.Set("Access-Control-Allow-Origin", "*")
		default:
			h.Add("Vary", "Origin")
			if origin != "" && allowed(origin) {
				h.Set("Access-Control-Allow-Origin", origin)
			}
		}
		if r.Method != http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		// Preflight (or a plain OPTIONS): answer here, with no body.
		h.Set("Allow", allowedMethods)
		if r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Language, Content-Type")
			h.Set("Access-Control-Max-Age", "600")
		}
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	})
}

// recoverPanics turns a panic into a 500 JSON answer, so that no request
// can crash the connection without an answer. The log names the route and
// the panic's type and stack, not its message, which might quote the
// request; runtime errors, which cannot, keep their message.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &trackingWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			what := fmt.Sprintf("%T", v)
			if re, ok := v.(runtime.Error); ok {
				what = re.Error()
			}
			s.logger().ErrorContext(r.Context(), "panic serving request",
				"method", r.Method, "route", routeName(r), "panic", what, "stack", string(debug.Stack()))
			if tw.wroteHeader {
				return // too late for a clean answer
			}
			s.writeJSON(w, r, http.StatusInternalServerError, ErrorResponse{Error: ErrorBody{
				Code: CodeInternal, Message: "something went wrong on our side; please try again later"}}, "no-store")
		}()
		next.ServeHTTP(tw, r)
	})
}

// trackingWriter records whether the header was sent.
type trackingWriter struct {
	http.ResponseWriter
	wroteHeader bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wroteHeader = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wroteHeader = true
	return t.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController access to the underlying writer.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
