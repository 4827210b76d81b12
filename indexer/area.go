package indexer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/peerfind/peerfind"
)

// This file is where a service is for a searcher: in person near them, in
// a service area that contains them, or remote (online, by phone) and open
// to them.
//
// A service area given by reference (Kind and Codes) is indexed as tokens
// in fieldArea ("state:48", "county:48453", "zip:78701", "nationwide"); the
// searcher's Place carries the codes of the state, county and ZIP around
// its point (the geocoder finds them in the shipped boundaries), so the
// match is a term lookup. An area given as a GeoJSON polygon is indexed as
// a bleve geoshape and matched with a point query.

// Index fields of where a service is.
const (
	// fieldArea holds the area tokens of the service's areas, plus
	// tokenOpen for a remote service that names no area.
	fieldArea = "area"
	// fieldShape holds the service areas given as polygons.
	fieldShape = "area_shape"
	// fieldMode is how the service is attended (peerfind.Service.Mode).
	fieldMode = "mode"
	// fieldRemote is "0" for an in-person service and "1" for a remote
	// one: sorting by it puts in-person services first.
	fieldRemote = "remote"
	// fieldFacets names the facet counts in a search's results
	// (columns.facetResults). It was a field of every facet token of a
	// record until 2026-11-24: the columns read the facet fields
	// themselves, and the build writes a tenth fewer postings.
	fieldFacets = "facets"
)

// Area tokens.
const (
	tokenNationwide = peerfind.AreaNationwide
	// tokenOpen marks a remote service that names no service area: it is
	// open to anyone who can call or connect.
	tokenOpen = "open"
	// tokenAnyone marks a service whose areas do not restrict who may use
	// it: it names none that resolved (or only "nationwide" for an
	// in-person one), so it is for anyone within the radius. A service
	// with a state, county, ZIP or polygon area is for the people in it
	// only, however near its office is: a county program does not show
	// across the county line.
	tokenAnyone = "anyone"
	// tokenShaped marks a service with a polygon area: whether it serves
	// a place is for its record to say (ServesPlace), not the columns.
	tokenShaped = "shaped"
)

// AreaResolver resolves a service area given by name or by URI into a
// reference (Kind and canonical Codes), resolved against the shipped
// boundaries. homeState is the USPS code of the service's own state, for
// names such as "statewide". indexer/geocode implements it. A build
// calls it from several goroutines at once.
type AreaResolver interface {
	ResolveArea(a peerfind.ServiceArea, homeState string) (peerfind.ServiceArea, error)
}

// resolveAreas gives every area of s that has neither a Kind nor an
// Extent a reference when r can resolve its name; it returns how many
// areas stayed descriptive. s is changed in place: the stored record says
// what its areas resolved to.
func resolveAreas(s *peerfind.Service, r AreaResolver) (unresolved int) {
	if r == nil {
		return 0
	}
	home := ""
	for _, l := range s.Locations {
		if l.Address.StateProvince != "" {
			home = l.Address.StateProvince
			break
		}
	}
	for i, a := range s.ServiceAreas {
		if a.Kind == peerfind.AreaNationwide {
			continue
		}
		// Areas given by reference or as polygons are checked and made
		// canonical too (USPS to FIPS codes, simplified polygons).
		got, err := r.ResolveArea(a, home)
		if err != nil || (got.Kind == "" && got.Extent == nil) {
			if a.Kind == "" && a.Extent == nil {
				unresolved++
			}
			continue
		}
		s.ServiceAreas[i] = got
	}
	return unresolved
}

// areaTokens are the index tokens of a service's areas.
func areaTokens(s *peerfind.Service) []string {
	var toks []string
	for _, a := range s.ServiceAreas {
		switch a.Kind {
		case peerfind.AreaNationwide:
			toks = append(toks, tokenNationwide)
		case peerfind.AreaState, peerfind.AreaCounty, peerfind.AreaZIP:
			for _, c := range a.Codes {
				toks = append(toks, a.Kind+":"+strings.ToUpper(strings.TrimSpace(c)))
			}
		}
	}
	// An online service that names no area, or a remote one with no
	// location, is open to all. One whose areas could not be resolved is
	// not, lest it show everywhere; nor is a phone line with an address,
	// which most often serves its own region (it matches within the
	// radius, as it is based there).
	mode := s.Mode()
	if len(s.ServiceAreas) == 0 && (mode == peerfind.ModeOnline || mode == peerfind.ModePhone && len(s.Points()) == 0) {
		toks = append(toks, tokenOpen)
	}
	restricted := slices.ContainsFunc(toks, func(t string) bool { return t != tokenNationwide && t != tokenOpen }) ||
		slices.ContainsFunc(s.ServiceAreas, func(a peerfind.ServiceArea) bool { return a.Extent != nil })
	if !restricted {
		toks = append(toks, tokenAnyone)
	}
	if slices.ContainsFunc(s.ServiceAreas, isPolygon) {
		toks = append(toks, tokenShaped)
	}
	slices.Sort(toks)
	return slices.Compact(toks)
}

// PlaceTokens are the area tokens a searcher at p is in: nationwide, and
// the state (by USPS and FIPS code), county and ZIP codes p carries.
func PlaceTokens(p *peerfind.Place) []string {
	toks := []string{tokenNationwide}
	if p == nil {
		return toks
	}
	for _, t := range []struct{ kind, code string }{
		{peerfind.AreaState, p.State}, {peerfind.AreaState, p.StateFIPS},
		{peerfind.AreaCounty, p.CountyFIPS}, {peerfind.AreaZIP, p.ZIP},
	} {
		if c := strings.ToUpper(strings.TrimSpace(t.code)); c != "" {
			toks = append(toks, t.kind+":"+c)
		}
	}
	return toks
}

// isPolygon reports whether a's extent is a polygon or several.
func isPolygon(a peerfind.ServiceArea) bool {
	if a.Extent == nil {
		return false
	}
	switch a.Extent.Geometry().(type) {
	case orb.Polygon, orb.MultiPolygon:
		return true
	}
	return false
}

// areaShape is the service's polygon areas as one bleve geoshape value (a
// multipolygon), or nil.
func areaShape(s *peerfind.Service) map[string]any {
	var mp orb.MultiPolygon
	for _, a := range s.ServiceAreas {
		if a.Extent == nil {
			continue
		}
		switch g := a.Extent.Geometry().(type) {
		case orb.Polygon:
			mp = append(mp, g)
		case orb.MultiPolygon:
			mp = append(mp, g...)
		}
	}
	if len(mp) == 0 {
		return nil
	}
	// bleve reads shapes as decoded JSON: nested []any, not typed slices
	// (which it silently ignores).
	coords := make([]any, len(mp))
	for i, poly := range mp {
		rings := make([]any, len(poly))
		for j, ring := range poly {
			pts := make([]any, len(ring))
			for k, pt := range ring {
				pts[k] = []any{pt.Lon(), pt.Lat()}
			}
			rings[j] = pts
		}
		coords[i] = rings
	}
	return map[string]any{"type": "multipolygon", "coordinates": coords}
}

// ServesPlace reports whether one of s's service areas contains the
// searcher's place: by reference (its state, county or ZIP; nationwide
// for a remote service) or as a polygon around pt.
func ServesPlace(s *peerfind.Service, p *peerfind.Place, pt orb.Point) bool {
	toks := PlaceTokens(p)
	for _, a := range s.ServiceAreas {
		switch a.Kind {
		case peerfind.AreaNationwide:
			if s.Mode() != peerfind.ModeInPerson {
				return true
			}
		case peerfind.AreaState, peerfind.AreaCounty, peerfind.AreaZIP:
			for _, c := range a.Codes {
				if slices.Contains(toks, a.Kind+":"+strings.ToUpper(strings.TrimSpace(c))) {
					return true
				}
			}
		}
		if a.Extent == nil {
			continue
		}
		switch g := a.Extent.Geometry().(type) {
		case orb.Polygon:
			if g.Bound().Contains(pt) && planar.PolygonContains(g, pt) {
				return true
			}
		case orb.MultiPolygon:
			if g.Bound().Contains(pt) && planar.MultiPolygonContains(g, pt) {
				return true
			}
		}
	}
	return false
}

// Parts of the results a location filter selects.
type part int

const (
	// partAll is every service for the searcher: based within the
	// radius, in person and serving their area, or remote and open to
	// them.
	partAll part = iota
	// partInPerson is in-person services within the radius or serving
	// the searcher's area.
	partInPerson
	// partRemote is remote services serving the searcher's area or open
	// to all.
	partRemote
	// partFarther is every in-person service, whatever the distance.
	partFarther
	// partLocal is every service based within the radius, however
	// attended (a local group that meets online), and in-person services
	// serving the searcher's area.
	partLocal
	// partFarRemote is the rest of partAll: remote services for the
	// searcher that are not in partLocal.
	partFarRemote
)

// whereQuery is the location filter of a query with Near for one part of
// the results, radius in kilometres.
func (x *Index) whereQuery(q peerfind.Query, radiusKM float64, which part) query.Query {
	pt := *q.Near
	inPerson := term(fieldMode, peerfind.ModeInPerson)
	// An in-person service "nationwide" serves people who travel to it;
	// it is not nearby for everyone, so only its other areas count.
	serves := servesQuery(q.Place, pt, false)
	radius := radiusQuery{c: x.cols, lon: pt.Lon(), lat: pt.Lat(), km: radiusKM}
	anyone := term(fieldArea, tokenAnyone)
	// Based within the radius and for anyone there.
	within := query.NewConjunctionQuery([]query.Query{radius, anyone})
	near := query.NewConjunctionQuery([]query.Query{inPerson, within})
	remote := query.NewConjunctionQuery([]query.Query{
		query.NewDisjunctionQuery([]query.Query{term(fieldMode, peerfind.ModeOnline), term(fieldMode, peerfind.ModePhone)}),
		query.NewDisjunctionQuery([]query.Query{term(fieldArea, tokenOpen), servesQuery(q.Place, pt, true)}),
	})
	switch which {
	case partInPerson:
		return query.NewDisjunctionQuery([]query.Query{near, query.NewConjunctionQuery([]query.Query{inPerson, serves})})
	case partRemote:
		return remote
	case partFarther:
		return query.NewConjunctionQuery([]query.Query{inPerson, anyone})
	case partLocal:
		return query.NewDisjunctionQuery([]query.Query{within, query.NewConjunctionQuery([]query.Query{inPerson, serves})})
	case partFarRemote:
		return query.NewBooleanQuery([]query.Query{remote}, nil, []query.Query{within})
	}
	return query.NewDisjunctionQuery([]query.Query{within, query.NewConjunctionQuery([]query.Query{inPerson, serves}), remote})
}

// servesQuery matches services whose area contains the searcher: a token
// of their place (nationwide only when asked), or a polygon around pt.
func servesQuery(p *peerfind.Place, pt orb.Point, nationwide bool) query.Query {
	var any []query.Query
	for _, t := range PlaceTokens(p) {
		if t == tokenNationwide && !nationwide {
			continue
		}
		any = append(any, term(fieldArea, t))
	}
	shape, err := query.NewGeoShapeQuery([][][][]float64{{{{pt.Lon(), pt.Lat()}}}}, "point", "intersects")
	if err == nil {
		shape.SetField(fieldShape)
		any = append(any, shape)
	}
	return query.NewDisjunctionQuery(any)
}

func term(field, value string) *query.TermQuery {
	t := query.NewTermQuery(value)
	t.SetField(field)
	return t
}

// remoteMode is q.Remote with the default applied, or "" when unknown.
func remoteMode(m string) string {
	switch m {
	case "":
		return peerfind.RemoteMixed
	case peerfind.RemoteMixed, peerfind.RemoteApart, peerfind.RemoteExclude, peerfind.RemoteOnly:
		return m
	}
	return ""
}

// relaxed runs q requiring every word of the need and, when nothing
// matches ("my son uses meth"), again with any word, ranked by how many
// match.
//
// Nothing is asked first: a scored search finds its matches as a set
// before it scores any (evaluator.best), so one that matches nothing
// costs little, and one that matches would find them twice.
func (x *Index) relaxed(ctx context.Context, q peerfind.Query, from, size int, where query.Query, facets bool) (*bleve.SearchResult, []string, error) {
	res, mark, err := x.run(ctx, q, from, size, query.MatchQueryOperatorAnd, where, facets)
	if err != nil {
		return nil, nil, err
	}
	if res.Total < relaxBelow && len(strings.Fields(q.Text)) > 1 {
		return x.run(ctx, q, from, size, query.MatchQueryOperatorOr, where, facets)
	}
	return res, mark, nil
}

// widen picks the radius for a query with Near and no radius: the first
// of peerfind.WidenStepsKM within which at least peerfind.WidenEnough
// in-person services match, else the largest.
func (x *Index) widen(ctx context.Context, q peerfind.Query) (float64, error) {
	steps := peerfind.WidenStepsKM
	for _, r := range steps[:len(steps)-1] {
		res, _, err := x.run(ctx, q, 0, 0, query.MatchQueryOperatorAnd, x.whereQuery(q, r, partInPerson), false)
		if err != nil {
			return 0, err
		}
		if res.Total >= peerfind.WidenEnough {
			return r, nil
		}
	}
	return steps[len(steps)-1], nil
}

// hits reads and decodes a window of bleve hits and says, for the
// searcher, how each service is attended, whether it serves their area
// and how far its nearest in-person location is.
func (x *Index) hits(ctx context.Context, res *bleve.SearchResult, q peerfind.Query, now time.Time) ([]peerfind.Hit, error) {
	if err := x.read(ctx, res.Hits); err != nil {
		return nil, err
	}
	out := make([]peerfind.Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		s, err := decodeSource(h)
		if err != nil {
			return nil, err
		}
		out = append(out, hit(s, h.Score, q, now))
	}
	return out, nil
}

// placed is s's hit for the searcher of q: how it is attended, whether
// it serves their area and how far its nearest in-person location is.
func placed(s *peerfind.Service, score float64, q peerfind.Query) peerfind.Hit {
	h := peerfind.Hit{Service: s, Score: score, Mode: s.Mode()}
	if q.Near != nil {
		h.ServesArea = ServesPlace(s, q.Place, *q.Near)
		// For a remote service this is how far away it is based.
		if d, ok := nearestKM(*q.Near, s.Points()); ok {
			h.DistanceKM = &d
		}
	}
	return h
}

// hit is placed with the service's next meeting after now.
func hit(s *peerfind.Service, score float64, q peerfind.Query, now time.Time) peerfind.Hit {
	h := placed(s, score, q)
	if st, _, ok := s.NextMeeting(now); ok {
		st = st.In(now.Location())
		h.NextMeeting = &st
	}
	return h
}

// fallbackHits is how many farther and remote services an answer with
// nothing nearby offers.
const fallbackHits = 5

// nearby completes the answer to a query with Near: how many in-person
// services matched, the remote ones apart when asked, and when nothing in
// person matched the fallbacks (the nearest farther out, remote ones).
func (x *Index) nearby(ctx context.Context, q peerfind.Query, mode string, res *bleve.SearchResult, out *peerfind.Results, now time.Time) error {
	for _, c := range facetCounts(res)[fieldMode] {
		if c.Term == peerfind.ModeInPerson {
			out.InPerson = uint64(c.Count)
		}
	}
	side := func(which part, n int, byDistance bool) ([]peerfind.Hit, uint64, error) {
		sq := q
		sq.Upcoming = false
		if byDistance {
			sq.Sort = peerfind.SortDistance
		} else {
			sq.Sort = peerfind.SortRelevance
		}
		r, _, err := x.relaxed(ctx, sq, 0, n, x.whereQuery(q, out.RadiusKM, which), false)
		if err != nil {
			return nil, 0, err
		}
		hits, err := x.hits(ctx, r, q, now)
		return hits, r.Total, err
	}
	var err error
	if mode == peerfind.RemoteApart {
		if out.Remote, out.RemoteTotal, err = side(partRemote, max(q.PerPage, 10), false); err != nil {
			return err
		}
	}
	if mode == peerfind.RemoteOnly || out.InPerson > 0 {
		return nil
	}
	out.NothingNearby = true
	if out.Farther, _, err = side(partFarther, fallbackHits, true); err != nil {
		return err
	}
	if mode != peerfind.RemoteApart && mode != peerfind.RemoteExclude {
		out.Remote, out.RemoteTotal, err = side(partRemote, fallbackHits, false)
	}
	return err
}

// blendWindow answers a mixed query's rerank window in two parts: the
// best local matches (based within the radius, or in person and serving
// the searcher's area) and the best of the other remote ones (a third as
// many), for blend to interleave. The parts divide the results between
// them, so their totals and facet counts add up to the query's: no third
// search counts them; the result's hits are the local ones, then the
// remote ones. Like relaxed, when nothing matches every word of the
// need, any word will do.
func (x *Index) blendWindow(ctx context.Context, q peerfind.Query, radiusKM float64) (*bleve.SearchResult, []string, error) {
	parts := []struct {
		which part
		n     int
	}{{partLocal, rerankWindow}, {partFarRemote, rerankWindow / 3}}
	search := func(op query.MatchQueryOperator) ([]*bleve.SearchResult, []string, error) {
		rs := make([]*bleve.SearchResult, len(parts))
		marks := make([][]string, len(parts))
		errs := make([]error, len(parts))
		one := func(i int) {
			p := parts[i]
			rs[i], marks[i], errs[i] = x.run(ctx, q, 0, p.n, op, x.whereQuery(q, radiusKM, p.which), true)
		}
		// The parts are apart: the remote one on a core of its own when
		// one is free.
		if x.coreFree() {
			var wg sync.WaitGroup
			for i := 1; i < len(parts); i++ {
				wg.Go(func() { one(i) })
			}
			one(0)
			wg.Wait()
		} else {
			for i := range parts {
				one(i)
			}
		}
		if err := errors.Join(errs...); err != nil {
			return nil, nil, err
		}
		return rs, marks[0], nil // the need's words, the same in each part
	}
	rs, mark, err := search(query.MatchQueryOperatorAnd)
	if err != nil {
		return nil, nil, err
	}
	if rs[0].Total+rs[1].Total < relaxBelow && len(strings.Fields(q.Text)) > 1 {
		if rs, mark, err = search(query.MatchQueryOperatorOr); err != nil {
			return nil, nil, err
		}
	}
	sum := &bleve.SearchResult{Total: rs[0].Total + rs[1].Total, Facets: rs[0].Facets}
	sum.Facets.Merge(rs[1].Facets)
	sum.Hits = append(rs[0].Hits, rs[1].Hits...)
	return sum, mark, nil
}
