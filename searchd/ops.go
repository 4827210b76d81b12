package searchd

import (
	"container/list"
	"context"
	"hash/maphash"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"
)

// Error codes of the operational limits (see errors.go for the others).
const (
	// CodeRateLimited: the client sent too many requests (HTTP 429); the
	// Retry-After header says when to try again.
	CodeRateLimited = "rate_limited"
	// CodeTooLarge: the request has a body larger than the API accepts
	// (HTTP 413); the API takes none.
	CodeTooLarge = "too_large"
)

// Defaults of Ops.
const (
	DefaultRateBurstFactor = 4
	DefaultMaxClients      = 10000
	DefaultClientTTL       = 10 * time.Minute
	DefaultQueueWait       = 100 * time.Millisecond
	DefaultMaxBodyBytes    = 64 << 10
)

// Ops are the operational layers around the API: Prometheus metrics at
// /metrics, a per-client rate limit, a cap on concurrent requests and a
// request body limit. Set the fields before Server.Handler; zero values
// take the defaults, and a zero RateLimit or MaxConcurrent turns that
// limit off.
//
// Client addresses are used only as rate-limit keys, and only as a salted
// hash (the salt is random per process) in a bounded in-memory table: they
// are never logged, stored or exported.
type Ops struct {
	// RateLimit is the sustained number of requests per second allowed
	// to one client (one IPv4 address or IPv6 /64); 0 turns it off.
	RateLimit float64
	// RateBurst is how many requests a client may send at once (default
	// 4 × RateLimit, at least 1).
	RateBurst int
	// MaxClients bounds the rate-limit table; the least recently seen
	// client is forgotten first (default 10000).
	MaxClients int
	// ClientTTL forgets a client idle this long (default 10 minutes).
	ClientTTL time.Duration
	// ClientIPHeader, when set (e.g. "X-Forwarded-For"), names the header
	// whose last address is the client's, for a server behind a trusted
	// reverse proxy or load balancer. Never set it on a server that
	// clients reach directly: they could choose their own key.
	ClientIPHeader string
	// MaxConcurrent caps the requests served at once; beyond it a request
	// waits at most QueueWait for a slot, then gets a 503. 0 is no cap.
	MaxConcurrent int
	// QueueWait is how long a request may wait for a slot (default 100ms).
	QueueWait time.Duration
	// MaxBodyBytes caps request bodies (default 64 KiB; the API reads none).
	MaxBodyBytes int64
	// Registry receives the metrics; nil makes a new one with the Go and
	// process collectors.
	Registry *prometheus.Registry

	once     sync.Once
	clients  *clientLimiters
	sem      chan struct{}
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge
	limited  prometheus.Counter
	shed     prometheus.Counter
}

// IndexState is implemented by a Searcher that can tell what it serves
// (indexer.Reloader does). /readyz and the index metrics use it.
type IndexState interface {
	// IndexInfo reports the open index's document count and build time;
	// ok is false when no index is open.
	IndexInfo() (docs uint64, built time.Time, ok bool)
}

// ReloadCounter is implemented by a Searcher that swaps indexes.
type ReloadCounter interface {
	// ReloadCounts reports the reloads that swapped an index in and the
	// ones refused.
	ReloadCounts() (ok, failed uint64)
}

// init applies the defaults and registers the metrics, once.
func (o *Ops) init(s *Server) {
	o.once.Do(func() {
		if o.RateLimit > 0 {
			burst := o.RateBurst
			if burst <= 0 {
				burst = max(1, int(math.Ceil(o.RateLimit*DefaultRateBurstFactor)))
			}
			o.clients = newClientLimiters(rate.Limit(o.RateLimit), burst,
				orDefault(o.MaxClients, DefaultMaxClients), orDefault(o.ClientTTL, DefaultClientTTL))
		}
		if o.MaxConcurrent > 0 {
			o.sem = make(chan struct{}, o.MaxConcurrent)
		}
		o.QueueWait = orDefault(o.QueueWait, DefaultQueueWait)
		o.MaxBodyBytes = orDefault(o.MaxBodyBytes, DefaultMaxBodyBytes)
		if o.Registry == nil {
			o.Registry = prometheus.NewRegistry()
			o.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		}
		o.registerMetrics(s)
	})
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// registerMetrics defines the metrics. Labels are route templates, methods
// and status codes: bounded sets, never request data.
func (o *Ops) registerMetrics(s *Server) {
	o.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "peerfind_http_requests_total",
		Help: "HTTP requests answered, by route template, method and status code.",
	}, []string{"route", "method", "code"})
	o.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "peerfind_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route template.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	o.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "peerfind_http_in_flight_requests",
		Help: "HTTP requests being served.",
	})
	o.limited = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "peerfind_rate_limited_total",
		Help: "Requests refused with 429 by the per-client rate limit.",
	})
	o.shed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "peerfind_overload_rejected_total",
		Help: "Requests refused with 503 because the concurrency cap was reached.",
	})
	o.Registry.MustRegister(o.requests, o.latency, o.inFlight, o.limited, o.shed)
	if st, ok := s.Searcher.(IndexState); ok {
		o.Registry.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "peerfind_index_documents",
				Help: "Documents in the index being served.",
			}, func() float64 {
				n, _, _ := st.IndexInfo()
				return float64(n)
			}),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "peerfind_index_age_seconds",
				Help: "Seconds since the index being served was built.",
			}, func() float64 {
				_, built, ok := st.IndexInfo()
				if !ok || built.IsZero() {
					return 0
				}
				return time.Since(built).Seconds()
			}))
	}
	if rc, ok := s.Searcher.(ReloadCounter); ok {
		for _, result := range []string{"ok", "failed"} {
			o.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name:        "peerfind_index_reloads_total",
				Help:        "Index reloads: ok swapped a new generation in, failed refused one.",
				ConstLabels: prometheus.Labels{"result": result},
			}, func() float64 {
				good, bad := rc.ReloadCounts()
				if result == "ok" {
					return float64(good)
				}
				return float64(bad)
			}))
		}
	}
}

// metricsHandler serves the registry in the Prometheus text format.
func (o *Ops) metricsHandler() http.Handler {
	return promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{})
}

// exempt are the paths no limit applies to: probes, metrics and the
// static files (which cost nothing and are cached).
func exempt(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, "/widget/")
}

// instrument records the metrics of every answer, including the limits'
// and the CORS preflights; router names the request's route. With a nil
// Ops it returns next.
func (o *Ops) instrument(s *Server, router *mux.Router, next http.Handler) http.Handler {
	if o == nil {
		return next
	}
	o.init(s)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		route := "(unmatched)"
		var m mux.RouteMatch
		if router.Match(r, &m) && m.Route != nil {
			if t, err := m.Route.GetPathTemplate(); err == nil {
				route = t
			}
		} else if n := routeName(r); n != "(other)" {
			route = n
		}
		sw := &statusWriter{ResponseWriter: w}
		o.inFlight.Inc()
		defer func() {
			o.inFlight.Dec()
			code := sw.status
			v := recover()
			if v != nil {
				code = http.StatusInternalServerError
			}
			if code == 0 {
				code = http.StatusOK
			}
			if r.Context().Err() != nil && code >= 500 {
				// The client went away (or the server is shutting down)
				// before the answer: not a fault of the server. 499 is
				// nginx's "client closed request".
				code = 499
			}
			o.requests.WithLabelValues(route, methodLabel(r.Method), strconv.Itoa(code)).Inc()
			o.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
			if v != nil {
				panic(v)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// limits applies the body limit, the rate limit and the concurrency cap
// to next. It goes inside the CORS layer, so that a widget can read its
// 429 and 503 answers. With a nil Ops it returns next.
func (o *Ops) limits(s *Server, next http.Handler) http.Handler {
	if o == nil {
		return next
	}
	o.init(s)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { o.limit(s, w, r, next) })
}

// limit applies the body limit, the rate limit and the concurrency cap.
func (o *Ops) limit(s *Server, w http.ResponseWriter, r *http.Request, next http.Handler) {
	if exempt(r.URL.Path) {
		next.ServeHTTP(w, r)
		return
	}
	if r.ContentLength > o.MaxBodyBytes {
		s.writeJSON(w, r, http.StatusRequestEntityTooLarge, ErrorResponse{Error: ErrorBody{Code: CodeTooLarge,
			Message: "the request body is too large; the API takes its parameters in the query string"}}, "no-store")
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, o.MaxBodyBytes)
	}
	if o.clients != nil {
		if wait, ok := o.clients.allow(o.clientKey(r), time.Now()); !ok {
			o.limited.Inc()
			secs := max(1, int(math.Ceil(wait.Seconds())))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			s.writeJSON(w, r, http.StatusTooManyRequests, ErrorResponse{Error: ErrorBody{Code: CodeRateLimited,
				Message: "too many requests from your network; please wait " + strconv.Itoa(secs) + " second(s) and try again"}}, "no-store")
			return
		}
	}
	if o.sem != nil {
		if !o.acquire(r.Context()) {
			o.shed.Inc()
			w.Header().Set("Retry-After", "1")
			s.writeJSON(w, r, http.StatusServiceUnavailable, ErrorResponse{Error: ErrorBody{Code: CodeUnavailable,
				Message: "peerfind is busy right now; please try again in a moment"}}, "no-store")
			return
		}
		defer func() { <-o.sem }()
	}
	next.ServeHTTP(w, r)
}

// acquire takes a concurrency slot, waiting at most QueueWait.
func (o *Ops) acquire(ctx context.Context) bool {
	select {
	case o.sem <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(o.QueueWait)
	defer t.Stop()
	select {
	case o.sem <- struct{}{}:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// clientKey is the rate-limit key of the request's client: a salted hash
// of its IPv4 address or IPv6 /64, so the table never holds an address.
func (o *Ops) clientKey(r *http.Request) uint64 {
	host := ""
	if o.ClientIPHeader != "" {
		if v := r.Header.Values(o.ClientIPHeader); len(v) > 0 {
			last := v[len(v)-1]
			host = strings.TrimSpace(last[strings.LastIndexByte(last, ',')+1:])
		}
	}
	if host == "" {
		host = r.RemoteAddr
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
	}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		ip = ip.Unmap()
		if ip.Is6() {
			if p, err := ip.Prefix(64); err == nil {
				ip = p.Addr()
			}
		}
		host = ip.String()
	}
	return maphash.String(keySeed, host)
}

var keySeed = maphash.MakeSeed()

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPost:
		return m
	}
	return "other"
}

// statusWriter records the status code sent.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController access to the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// clientLimiters is a bounded table of token buckets, least recently seen
// first out, idle entries expiring after ttl.
type clientLimiters struct {
	rate  rate.Limit
	burst int
	max   int
	ttl   time.Duration

	mu  sync.Mutex
	m   map[uint64]*list.Element
	lru *list.List // of *clientEntry, most recent at the front
}

type clientEntry struct {
	key  uint64
	lim  *rate.Limiter
	seen time.Time
}

func newClientLimiters(r rate.Limit, burst, max int, ttl time.Duration) *clientLimiters {
	return &clientLimiters{rate: r, burst: burst, max: max, ttl: ttl, m: map[uint64]*list.Element{}, lru: list.New()}
}

// allow takes a token from the client's bucket. When there is none, it
// returns false and how long until there is one.
func (c *clientLimiters) allow(key uint64, now time.Time) (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var e *clientEntry
	if el, ok := c.m[key]; ok {
		e = el.Value.(*clientEntry)
		e.seen = now
		c.lru.MoveToFront(el)
	} else {
		// Forget the idle and, when full, the least recently seen.
		for back := c.lru.Back(); back != nil; back = c.lru.Back() {
			old := back.Value.(*clientEntry)
			if c.lru.Len() < c.max && now.Sub(old.seen) <= c.ttl {
				break
			}
			c.lru.Remove(back)
			delete(c.m, old.key)
		}
		e = &clientEntry{key: key, lim: rate.NewLimiter(c.rate, c.burst), seen: now}
		c.m[key] = c.lru.PushFront(e)
	}
	res := e.lim.ReserveN(now, 1)
	if !res.OK() {
		return time.Second, false
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

// len is the number of clients in the table.
func (c *clientLimiters) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// ReadyResponse is the answer of GET /readyz.
type ReadyResponse struct {
	// Status is "ready", or "unavailable" when no index is open.
	Status string `json:"status"`
	// Documents is the number of records in the index served.
	Documents uint64 `json:"documents,omitempty"`
	// IndexBuilt is when that index was built (RFC 3339).
	IndexBuilt string `json:"index_built,omitempty"`
	// IndexAgeSeconds is the index's age.
	IndexAgeSeconds int64 `json:"index_age_seconds,omitempty"`
}

// handleReady handles the "GET /readyz" route: 200 while an index is open
// (with its document count and age), 503 otherwise, so a load balancer
// sends searches only to replicas that can answer them.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	st, ok := s.Searcher.(IndexState)
	if !ok {
		s.writeJSON(w, r, http.StatusOK, ReadyResponse{Status: "ready"}, "no-store")
		return
	}
	docs, built, open := st.IndexInfo()
	if !open || docs == 0 {
		s.writeJSON(w, r, http.StatusServiceUnavailable, ReadyResponse{Status: "unavailable"}, "no-store")
		return
	}
	resp := ReadyResponse{Status: "ready", Documents: docs}
	if !built.IsZero() {
		resp.IndexBuilt = built.UTC().Format(time.RFC3339)
		resp.IndexAgeSeconds = int64(time.Since(built).Seconds())
	}
	s.writeJSON(w, r, http.StatusOK, resp, "no-store")
}

// clientHost is the host part of the request's remote address, for
// redaction from logs.
func clientHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}
