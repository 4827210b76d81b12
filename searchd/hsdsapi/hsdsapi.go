// Package hsdsapi serves peerfind's directory as an Open Referral HSDS 3.0
// API under /hsds/ (services, service_at_locations, organizations,
// taxonomies, taxonomy_terms, with the spec's paging envelope and query
// parameters) and the recurring groups as a Meeting Guide feed.
//
// It sees the index only through peerfind.Searcher: the whole directory
// (a few thousand records) is read once by paging through an empty search
// and kept in memory, where the HSDS filters run; the search parameter is
// answered by the Searcher itself.
package hsdsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/peerfind/peerfind"
)

// Limits of the paging parameters.
const (
	DefaultPerPage = 50
	MaxPerPage     = 100
	searchPerPage  = 100
	maxSearchPages = 10
)

// API serves the HSDS endpoints.
type API struct {
	// Searcher reads the directory. Required.
	Searcher peerfind.Searcher
	// Taxonomy labels peerfind's terms. Required.
	Taxonomy *peerfind.Taxonomy
	// BaseURL is the public URL of the server ("https://peerfind.org"),
	// used in GET /hsds/; empty uses the request's host.
	BaseURL string
	// ProfileURL is the URI of the peer-support HSDS profile; empty
	// serves the profile at /hsds/profile/.
	ProfileURL string
	// Geocoder resolves postcode for proximity=<meters> (the spec's form);
	// nil allows only proximity=lat,lng,meters.
	Geocoder peerfind.Geocoder
	// Profile holds the profile's files (data/hsds-profile), served at
	// /hsds/profile/; nil serves none.
	Profile fs.FS

	// MaxAge is how long the directory read from the Searcher is reused
	// before it is read again, so a reloaded index shows (default 1m).
	MaxAge time.Duration

	mu        sync.Mutex
	termsOnce sync.Once
	termIDs   map[string][2]string // HSDS term uuid → facet, term id
	loadedAt  time.Time
	all       []*peerfind.Service
	byKey     map[string]*peerfind.Service // peerfind id and HSDS uuid
}

// Register mounts the routes on r: /hsds/... and /feeds/meeting-guide.json.
func (a *API) Register(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc("/hsds", a.handleRoot).Methods(get...)
	r.HandleFunc("/hsds/", a.handleRoot).Methods(get...)
	r.HandleFunc("/hsds/services", a.handleServices).Methods(get...)
	r.HandleFunc("/hsds/services/{id}", a.handleService).Methods(get...)
	r.HandleFunc("/hsds/service_at_locations", a.handleSALs).Methods(get...)
	r.HandleFunc("/hsds/service_at_locations/{id}", a.handleSAL).Methods(get...)
	r.HandleFunc("/hsds/organizations", a.handleOrganizations).Methods(get...)
	r.HandleFunc("/hsds/organizations/{id}", a.handleOrganization).Methods(get...)
	r.HandleFunc("/hsds/taxonomies", a.handleTaxonomies).Methods(get...)
	r.HandleFunc("/hsds/taxonomies/{id}", a.handleTaxonomy).Methods(get...)
	r.HandleFunc("/hsds/taxonomy_terms", a.handleTerms).Methods(get...)
	r.HandleFunc("/hsds/taxonomy_terms/{id}", a.handleTerm).Methods(get...)
	r.HandleFunc("/hsds/openapi.json", a.handleOpenAPI).Methods(get...)
	if a.Profile != nil {
		r.PathPrefix("/hsds/profile/").Methods(get...).Handler(http.StripPrefix("/hsds/profile/", http.FileServerFS(a.Profile)))
	}
	r.HandleFunc("/feeds/meeting-guide.json", a.handleFeed).Methods(get...)
}

// load reads the whole directory, when not read within MaxAge, and
// returns it.
func (a *API) load(ctx context.Context) ([]*peerfind.Service, map[string]*peerfind.Service, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	maxAge := a.MaxAge
	if maxAge <= 0 {
		maxAge = time.Minute
	}
	if a.all != nil && time.Since(a.loadedAt) < maxAge {
		return a.all, a.byKey, nil
	}
	all, byKey := []*peerfind.Service{}, map[string]*peerfind.Service{}
	for page := 1; page <= 1000; page++ {
		res, err := a.Searcher.Search(ctx, peerfind.Query{IncludeClosed: true, Page: page, PerPage: searchPerPage})
		if err != nil {
			return nil, nil, fmt.Errorf("hsds: list services: %w", err)
		}
		for _, h := range res.Hits {
			if _, dup := byKey[h.Service.ID]; dup {
				continue
			}
			all = append(all, h.Service)
			byKey[h.Service.ID] = h.Service
			byKey[peerfind.HSDSID("service", h.Service.ID)] = h.Service
		}
		if len(res.Hits) == 0 || uint64(page*searchPerPage) >= res.Total {
			break
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	a.all, a.byKey, a.loadedAt = all, byKey, time.Now()
	return all, byKey, nil
}

func (a *API) nested(s *peerfind.Service) *peerfind.HSDSService {
	return peerfind.ToHSDS(s, a.Taxonomy)
}

// handleRoot handles "GET /hsds/": the API's version, profile and OpenAPI.
func (a *API) handleRoot(w http.ResponseWriter, r *http.Request) {
	base := a.base(r)
	profile := a.ProfileURL
	if profile == "" {
		profile = base + "/hsds/profile/"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"version":     peerfind.HSDSVersion,
		"profile":     profile,
		"openapi_url": base + "/hsds/openapi.json",
	})
}

func (a *API) base(r *http.Request) string {
	if a.BaseURL != "" {
		return strings.TrimRight(a.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// params are the HSDS list parameters.
type params struct {
	search, termID, taxonomyID, orgID, postcode string
	modifiedAfter                               time.Time
	hasModified                                 bool
	minimal, full, ndjson                       bool
	page, perPage                               int
	near                                        *[3]float64 // lat, lng, radius km
	radiusM                                     float64     // proximity=<meters> around postcode
	fullService                                 bool
}

var known = map[string]bool{"search": true, "taxonomy_term_id": true, "taxonomy_id": true, "organization_id": true,
	"modified_after": true, "minimal": true, "full": true, "page": true, "per_page": true, "format": true,
	"postcode": true, "proximity": true, "full_service": true}

func parseParams(r *http.Request) (params, error) {
	q := r.URL.Query()
	p := params{page: 1, perPage: DefaultPerPage}
	for k := range q {
		if !known[k] {
			return p, fmt.Errorf("unknown parameter %q", k)
		}
	}
	p.search = strings.TrimSpace(q.Get("search"))
	if len([]rune(p.search)) > 200 {
		return p, errors.New("search is longer than 200 characters")
	}
	p.termID, p.taxonomyID, p.orgID = q.Get("taxonomy_term_id"), q.Get("taxonomy_id"), q.Get("organization_id")
	p.postcode = strings.TrimSpace(q.Get("postcode"))
	if v := q.Get("modified_after"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if t, err = time.Parse("2006-01-02", v); err != nil {
				return p, fmt.Errorf("modified_after %q is not a date-time (2024-01-31T00:00:00Z) or date", v)
			}
		}
		p.modifiedAfter, p.hasModified = t, true
	}
	var err error
	if p.minimal, err = boolParam(q.Get("minimal"), "minimal"); err != nil {
		return p, err
	}
	if p.full, err = boolParam(q.Get("full"), "full"); err != nil {
		return p, err
	}
	if p.fullService, err = boolParam(q.Get("full_service"), "full_service"); err != nil {
		return p, err
	}
	switch f := q.Get("format"); f {
	case "", "json":
	case "ndjson":
		p.ndjson = true
	default:
		return p, fmt.Errorf("format %q: want json or ndjson", f)
	}
	if v := q.Get("page"); v != "" {
		if p.page, err = strconv.Atoi(v); err != nil || p.page < 1 || p.page > 100000 {
			return p, fmt.Errorf("page %q: want a number from 1", v)
		}
	}
	if v := q.Get("per_page"); v != "" {
		if p.perPage, err = strconv.Atoi(v); err != nil || p.perPage < 1 || p.perPage > MaxPerPage {
			return p, fmt.Errorf("per_page %q: want 1 to %d", v, MaxPerPage)
		}
	}
	if v := q.Get("proximity"); v != "" && !strings.Contains(v, ",") {
		m, err := strconv.ParseFloat(v, 64)
		if err != nil || m <= 0 || m > 1e6 || p.postcode == "" {
			return p, fmt.Errorf("proximity %q: want meters (with postcode) or lat,lng,meters", v)
		}
		p.radiusM = m
	} else if v != "" {
		parts := strings.Split(v, ",")
		var f [3]float64
		ok := len(parts) == 3
		for i := 0; ok && i < 3; i++ {
			f[i], err = strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
			ok = err == nil && !math.IsNaN(f[i])
		}
		if !ok || f[0] < -90 || f[0] > 90 || f[1] < -180 || f[1] > 180 || f[2] <= 0 || f[2] > 1e6 {
			return p, fmt.Errorf("proximity %q: want lat,lng,meters (radius up to 1000 km)", v)
		}
		f[2] /= 1000
		p.near = &f
	}
	return p, nil
}

func boolParam(v, name string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, fmt.Errorf("%s %q: want true or false", name, v)
}

// filter returns the services matching p, in id order or, with search, in
// relevance order.
func (a *API) filter(ctx context.Context, all []*peerfind.Service, p params) ([]*peerfind.Service, error) {
	list := all
	if p.search != "" {
		var out []*peerfind.Service
		seen := map[string]bool{}
		for page := 1; page <= maxSearchPages; page++ {
			res, err := a.Searcher.Search(ctx, peerfind.Query{Text: p.search, IncludeClosed: true, Page: page, PerPage: searchPerPage})
			if err != nil {
				return nil, err
			}
			for _, h := range res.Hits {
				if !seen[h.Service.ID] {
					seen[h.Service.ID] = true
					out = append(out, h.Service)
				}
			}
			if uint64(page*searchPerPage) >= res.Total {
				break
			}
		}
		list = out
	}
	var out []*peerfind.Service
	for _, s := range list {
		if p.orgID != "" && peerfind.HSDSOrganizationID(s) != p.orgID && s.Organization.ID != p.orgID {
			continue
		}
		if p.termID != "" && !a.hasTerm(s, p.termID) {
			continue
		}
		if p.taxonomyID != "" && !a.hasTaxonomy(s, p.taxonomyID) {
			continue
		}
		if p.hasModified && !modifiedAfter(s, p.modifiedAfter) {
			continue
		}
		if p.postcode != "" && !hasPostcode(s, p.postcode) {
			continue
		}
		if p.near != nil && !within(s, p.near) {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

// hasTerm accepts an HSDS term uuid, "facet:id" or a bare peerfind term
// id (matching in any facet).
func (a *API) hasTerm(s *peerfind.Service, id string) bool {
	facet, term, ok := strings.Cut(id, ":")
	if !ok {
		facet, term = "", id
	}
	if f, t, ok := a.termByUUID(id); ok {
		facet, term = f, t
	}
	for _, f := range peerfind.Facets {
		if facet != "" && f != facet {
			continue
		}
		for _, t := range s.TermIDs(f) {
			if t == term {
				return true
			}
		}
	}
	return false
}

// termByUUID resolves an HSDS taxonomy term id of peerfind's taxonomy.
func (a *API) termByUUID(id string) (facet, term string, ok bool) {
	a.termsOnce.Do(func() {
		a.termIDs = map[string][2]string{}
		for _, f := range a.Taxonomy.Facets {
			for _, t := range f.Terms {
				a.termIDs[peerfind.HSDSID("term", peerfind.HSDSTaxonomyName(f.ID), t.ID)] = [2]string{f.ID, t.ID}
			}
		}
	})
	x, ok := a.termIDs[id]
	return x[0], x[1], ok
}

func (a *API) hasTaxonomy(s *peerfind.Service, id string) bool {
	for _, f := range peerfind.Facets {
		if len(s.TermIDs(f)) > 0 && (id == f || id == peerfind.HSDSTaxonomyName(f) || id == peerfind.HSDSID("taxonomy", peerfind.HSDSTaxonomyName(f))) {
			return true
		}
	}
	return false
}

func modifiedAfter(s *peerfind.Service, t time.Time) bool {
	for _, d := range []string{s.AssuredDate, s.Provenance.Retrieved} {
		if d == "" {
			continue
		}
		if dt, err := time.Parse("2006-01-02", d); err == nil && dt.After(t) {
			return true
		}
	}
	return false
}

func hasPostcode(s *peerfind.Service, pc string) bool {
	for _, l := range s.Locations {
		if strings.EqualFold(strings.ReplaceAll(l.Address.PostalCode, " ", ""), strings.ReplaceAll(pc, " ", "")) ||
			(len(l.Address.PostalCode) > 5 && len(pc) == 5 && l.Address.PostalCode[:5] == pc) {
			return true
		}
	}
	return false
}

func within(s *peerfind.Service, near *[3]float64) bool {
	for _, l := range s.Locations {
		if l.Latitude != nil && l.Longitude != nil && haversineKM(near[0], near[1], *l.Latitude, *l.Longitude) <= near[2] {
			return true
		}
	}
	return false
}

func haversineKM(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	dlat, dlng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlng/2)*math.Sin(dlng/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// page is the HSDS paging envelope.
type page struct {
	TotalItems int   `json:"total_items"`
	TotalPages int   `json:"total_pages"`
	PageNumber int   `json:"page_number"`
	Size       int   `json:"size"`
	FirstPage  bool  `json:"first_page"`
	LastPage   bool  `json:"last_page"`
	Empty      bool  `json:"empty"`
	Contents   []any `json:"contents"`
}

// writePage pages items and writes the envelope, or NDJSON.
func writePage[T any](w http.ResponseWriter, p params, items []T, conv func(T) any) {
	total := len(items)
	pages := (total + p.perPage - 1) / p.perPage
	lo := (p.page - 1) * p.perPage
	hi := min(lo+p.perPage, total)
	if lo > total {
		lo = total
	}
	contents := make([]any, 0, hi-lo)
	for _, it := range items[lo:hi] {
		contents = append(contents, conv(it))
	}
	if p.ndjson {
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, c := range contents {
			_ = enc.Encode(c)
		}
		return
	}
	writeJSON(w, http.StatusOK, page{TotalItems: total, TotalPages: max(pages, 1), PageNumber: p.page, Size: len(contents),
		FirstPage: p.page == 1, LastPage: p.page >= pages, Empty: total == 0, Contents: contents})
}

// listService is a service with only its one-to-one fields (the spec's
// service_list shape), with its organization unless minimal.
func (a *API) listService(s *peerfind.Service, p params) any {
	h := a.nested(s)
	if p.full {
		return h
	}
	if p.minimal {
		return map[string]any{"id": h.ID, "name": h.Name, "status": h.Status, "last_modified": h.LastModified}
	}
	flat := *h
	flat.Phones, flat.Schedules, flat.ServiceAreas, flat.Languages, flat.SALs, flat.Attributes = nil, nil, nil, nil, nil, nil
	b, _ := json.Marshal(flat)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"phones", "schedules", "service_areas", "languages", "service_at_locations", "attributes"} {
		delete(m, k)
	}
	return m
}

// handleServices handles "GET /hsds/services".
func (a *API) handleServices(w http.ResponseWriter, r *http.Request) {
	p, list, ok := a.list(w, r)
	if !ok {
		return
	}
	writePage(w, p, list, func(s *peerfind.Service) any { return a.listService(s, p) })
}

func (a *API) list(w http.ResponseWriter, r *http.Request) (params, []*peerfind.Service, bool) {
	p, err := parseParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return p, nil, false
	}
	if p.radiusM > 0 {
		// The spec's form: services within meters of the postcode's centroid.
		if a.Geocoder == nil {
			writeError(w, http.StatusBadRequest, "proximity=<meters> needs a geocoder; use proximity=lat,lng,meters")
			return p, nil, false
		}
		place, err := a.Geocoder.Geocode(r.Context(), p.postcode)
		if err != nil {
			writeError(w, http.StatusBadRequest, "postcode: "+err.Error())
			return p, nil, false
		}
		p.near = &[3]float64{place.Point.Lat(), place.Point.Lon(), p.radiusM / 1000}
		p.postcode = ""
	}
	all, _, err := a.load(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "the directory could not be read")
		return p, nil, false
	}
	list, err := a.filter(r.Context(), all, p)
	if err != nil {
		if errors.Is(err, peerfind.ErrInvalid) {
			writeError(w, http.StatusBadRequest, err.Error())
		} else {
			writeError(w, http.StatusInternalServerError, "search failed")
		}
		return p, nil, false
	}
	return p, list, true
}

// handleService handles "GET /hsds/services/{id}" (HSDS uuid or peerfind id).
func (a *API) handleService(w http.ResponseWriter, r *http.Request) {
	if s := a.lookup(w, r); s != nil {
		writeJSON(w, http.StatusOK, a.nested(s))
	}
}

func (a *API) lookup(w http.ResponseWriter, r *http.Request) *peerfind.Service {
	_, byKey, err := a.load(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "the directory could not be read")
		return nil
	}
	s := byKey[mux.Vars(r)["id"]]
	if s == nil {
		writeError(w, http.StatusNotFound, "no service with this id")
	}
	return s
}

// sal is one service at one location.
type sal struct {
	s *peerfind.Service
	i int
}

func (a *API) sals(list []*peerfind.Service, p params) []sal {
	var out []sal
	for _, s := range list {
		for i, l := range s.Locations {
			if p.postcode != "" && !hasPostcode(&peerfind.Service{Locations: []peerfind.Location{l}}, p.postcode) {
				continue
			}
			if p.near != nil && !within(&peerfind.Service{Locations: []peerfind.Location{l}}, p.near) {
				continue
			}
			out = append(out, sal{s, i})
		}
	}
	return out
}

func (a *API) salObject(x sal, full bool) any {
	h := a.nested(x.s)
	out := h.SALs[x.i]
	if full {
		svc := *h
		svc.SALs = nil
		b, _ := json.Marshal(svc)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		delete(m, "service_at_locations")
		ob, _ := json.Marshal(out)
		var o map[string]any
		_ = json.Unmarshal(ob, &o)
		o["service"] = m
		return o
	}
	return out
}

// handleSALs handles "GET /hsds/service_at_locations" (postcode, proximity).
func (a *API) handleSALs(w http.ResponseWriter, r *http.Request) {
	p, list, ok := a.list(w, r)
	if !ok {
		return
	}
	writePage(w, p, a.sals(list, p), func(x sal) any { return a.salObject(x, p.full) })
}

// handleSAL handles "GET /hsds/service_at_locations/{id}".
func (a *API) handleSAL(w http.ResponseWriter, r *http.Request) {
	all, _, err := a.load(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "the directory could not be read")
		return
	}
	id := mux.Vars(r)["id"]
	for _, s := range all {
		for i := range s.Locations {
			if peerfind.HSDSID("service_at_location", s.ID, strconv.Itoa(i)) == id {
				writeJSON(w, http.StatusOK, a.salObject(sal{s, i}, true))
				return
			}
		}
	}
	writeError(w, http.StatusNotFound, "no service_at_location with this id")
}

// org is one organization with its services.
type org struct {
	id       string
	services []*peerfind.Service
}

// orgs groups services by organization, in name order, without projecting
// the services (cheap enough for every list request).
func (a *API) orgs(list []*peerfind.Service) []*org {
	by := map[string]*org{}
	var out []*org
	for _, s := range list {
		id := peerfind.HSDSOrganizationID(s)
		o := by[id]
		if o == nil {
			o = &org{id: id}
			by[id] = o
			out = append(out, o)
		}
		o.services = append(o.services, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].services[0].Organization.Name < out[j].services[0].Organization.Name
	})
	return out
}

// organization projects o, with its fully nested services when full.
func (a *API) organization(o *org, full bool) *peerfind.HSDSOrganization {
	s := o.services[0]
	h := &peerfind.HSDSOrganization{ID: o.id, Name: s.Organization.Name, Description: s.Organization.Description,
		Website: s.Organization.URL, Email: s.Organization.Email}
	if h.Description == "" {
		h.Description = h.Name // as peerfind.ToHSDS: HSDS requires one
	}
	if full {
		for _, s := range o.services {
			h.Services = append(h.Services, *a.nested(s))
		}
	}
	return h
}

// handleOrganizations handles "GET /hsds/organizations".
func (a *API) handleOrganizations(w http.ResponseWriter, r *http.Request) {
	p, list, ok := a.list(w, r)
	if !ok {
		return
	}
	writePage(w, p, a.orgs(list), func(o *org) any { return a.organization(o, p.full || p.fullService) })
}

// handleOrganization handles "GET /hsds/organizations/{id}": the
// organization with its fully nested services.
func (a *API) handleOrganization(w http.ResponseWriter, r *http.Request) {
	all, _, err := a.load(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "the directory could not be read")
		return
	}
	id := mux.Vars(r)["id"]
	for _, o := range a.orgs(all) {
		if o.id == id {
			writeJSON(w, http.StatusOK, a.organization(o, true))
			return
		}
	}
	writeError(w, http.StatusNotFound, "no organization with this id")
}

// taxonomies returns peerfind's facets as HSDS taxonomies.
func (a *API) taxonomies() []peerfind.HSDSTaxonomy {
	var out []peerfind.HSDSTaxonomy
	for _, f := range a.Taxonomy.Facets {
		name := peerfind.HSDSTaxonomyName(f.ID)
		out = append(out, peerfind.HSDSTaxonomy{ID: peerfind.HSDSID("taxonomy", name), Name: name,
			Description: "peerfind peer-support taxonomy: " + f.LabelFor("en"), Version: a.Taxonomy.Version,
			URI: "https://github.com/peerfind/peerfind/blob/main/data/taxonomy/taxonomy.json"})
	}
	return out
}

// terms returns peerfind's terms as HSDS taxonomy terms.
func (a *API) terms() []*peerfind.HSDSTaxonomyTerm {
	var out []*peerfind.HSDSTaxonomyTerm
	for _, f := range a.Taxonomy.Facets {
		for _, t := range f.Terms {
			out = append(out, peerfind.HSDSTerm(a.Taxonomy, peerfind.HSDSTaxonomyName(f.ID), t.ID))
		}
	}
	return out
}

// handleTaxonomies handles "GET /hsds/taxonomies".
func (a *API) handleTaxonomies(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writePage(w, p, a.taxonomies(), func(t peerfind.HSDSTaxonomy) any { return t })
}

// handleTaxonomy handles "GET /hsds/taxonomies/{id}".
func (a *API) handleTaxonomy(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	for _, t := range a.taxonomies() {
		if t.ID == id || t.Name == id {
			writeJSON(w, http.StatusOK, t)
			return
		}
	}
	writeError(w, http.StatusNotFound, "no taxonomy with this id")
}

// handleTerms handles "GET /hsds/taxonomy_terms" (taxonomy_id filters).
func (a *API) handleTerms(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var list []*peerfind.HSDSTaxonomyTerm
	for _, t := range a.terms() {
		if p.taxonomyID != "" && t.TaxonomyID != p.taxonomyID && t.Taxonomy != p.taxonomyID {
			continue
		}
		if p.search != "" && !strings.Contains(peerfind.Fold(t.Name+" "+t.Code), peerfind.Fold(p.search)) {
			continue
		}
		list = append(list, t)
	}
	writePage(w, p, list, func(t *peerfind.HSDSTaxonomyTerm) any { return t })
}

// handleTerm handles "GET /hsds/taxonomy_terms/{id}".
func (a *API) handleTerm(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	for _, t := range a.terms() {
		if t.ID == id {
			writeJSON(w, http.StatusOK, t)
			return
		}
	}
	writeError(w, http.StatusNotFound, "no taxonomy term with this id")
}

// handleFeed handles "GET /feeds/meeting-guide.json".
func (a *API) handleFeed(w http.ResponseWriter, r *http.Request) {
	all, _, err := a.load(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "the directory could not be read")
		return
	}
	feed := peerfind.MeetingGuideFeed(all, a.Taxonomy)
	if feed == nil {
		feed = []peerfind.MeetingGuideMeeting{}
	}
	writeJSON(w, http.StatusOK, feed)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	code := map[int]string{400: "bad_request", 404: "not_found", 500: "internal"}[status]
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// handleOpenAPI handles "GET /hsds/openapi.json": the HSDS 3.0 OpenAPI
// document with the profile's patch applied (RFC 7396).
func (a *API) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	doc, err := a.openAPI()
	if err != nil {
		writeError(w, http.StatusNotFound, "no OpenAPI document: the profile is not installed")
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

func (a *API) openAPI() (any, error) {
	if a.Profile == nil {
		return nil, errors.New("no profile")
	}
	read := func(name string) (any, error) {
		b, err := fs.ReadFile(a.Profile, name)
		if err != nil {
			return nil, err
		}
		var v any
		return v, json.Unmarshal(b, &v)
	}
	base, err := read("upstream/openapi.json")
	if err != nil {
		return nil, err
	}
	patch, err := read("openapi.json")
	if err != nil {
		return nil, err
	}
	return MergePatch(base, patch), nil
}

// MergePatch applies a JSON merge patch (RFC 7396) to doc and returns the
// result; doc is not modified.
func MergePatch(doc, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	d, ok := doc.(map[string]any)
	out := map[string]any{}
	if ok {
		for k, v := range d {
			out[k] = v
		}
	}
	for k, v := range p {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = MergePatch(out[k], v)
	}
	return out
}
