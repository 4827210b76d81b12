package peerfind

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortDistance  = "distance"
)

// Query is one search: a need in free text, an optional place with a
// radius, and filters by facet. Values within one filter are OR'ed;
// filters are AND'ed.
type Query struct {
	// Text is the need in the searcher's words; empty matches everything.
	Text string
	// Near is the searcher's point ([lon, lat]), or nil for no location.
	Near *orb.Point
	// RadiusKM limits results to this great-circle distance from Near, in
	// kilometres. Ignored when Near is nil.
	RadiusKM float64
	// Filters maps a facet id (FacetCategory, ...) to the term ids wanted.
	Filters map[string][]string
	// IncludeClosed also returns services whose status is not "active"
	// (temporarily closed, inactive, defunct); by default they are left out.
	IncludeClosed bool
	// Sort is SortRelevance or SortDistance (SortDistance needs Near).
	Sort string
	// Page is the 1-based page number.
	Page int
	// PerPage is the number of hits per page.
	PerPage int
}

// Results is one page of hits with the total and facet counts.
type Results struct {
	// Total is the number of matching services over all pages.
	Total uint64
	// Hits are this page's services, in order.
	Hits []Hit
	// Facets maps a facet id to the counts of its terms over all matching
	// services, most frequent first.
	Facets map[string][]FacetCount
}

// Hit is one matching service.
type Hit struct {
	// Service is the full record.
	Service *Service
	// Score is the relevance score (higher is better).
	Score float64
	// DistanceKM is the great-circle distance in kilometres from the query
	// point to the service's nearest location, or nil when either is
	// unknown.
	DistanceKM *float64
}

// FacetCount is how many matching services carry one term.
type FacetCount struct {
	// Term is the term id.
	Term string
	// Count is the number of matching services with the term.
	Count int
}

// Searcher answers searches and looks up single records. The indexer's
// index implements it; the search daemon depends only on this interface.
type Searcher interface {
	// Search runs the query. An invalid query returns an error matching
	// ErrInvalid.
	Search(ctx context.Context, q Query) (*Results, error)
	// Service returns one record by id, or an error matching ErrNotFound.
	Service(ctx context.Context, id string) (*Service, error)
}

// Place is what a place name, ZIP or coordinate pair resolved to.
type Place struct {
	// Name is the place as the searcher should read it, e.g.
	// "San Jose, CA" or "ZIP 19103 (Philadelphia, PA)".
	Name string `json:"name"`
	// Kind is "coordinates", "zip", "city" or "state".
	Kind string `json:"kind"`
	// Point is the place's centroid ([lon, lat]).
	Point orb.Point `json:"-"`
}

// Geocoder turns what a searcher types as a location into a point, offline.
type Geocoder interface {
	// Geocode resolves s. Unknown places return an error matching
	// ErrNotFound; malformed input an error matching ErrInvalid.
	Geocode(ctx context.Context, s string) (Place, error)
}

// Sentinel errors, to be wrapped with %w and tested with errors.Is.
var (
	// ErrInvalid marks bad input: a record or query that breaks the rules.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound marks a missing record or an unknown place.
	ErrNotFound = errors.New("not found")
)

// PlaceError is returned by a Geocoder when it cannot resolve a place. It
// matches ErrNotFound (unknown or ambiguous place) or ErrInvalid
// (malformed input), and carries the closest candidates so the searcher
// can be asked "did you mean …".
type PlaceError struct {
	// Input is what the searcher typed.
	Input string
	// Reason says what went wrong, e.g. "unknown ZIP code" or "ambiguous:
	// several places have this name".
	Reason string
	// Candidates are the closest places, as "City, ST" or ZIP strings.
	Candidates []string
	// Err is ErrNotFound or ErrInvalid.
	Err error
}

// Error formats the error for people, including the candidates.
func (e *PlaceError) Error() string {
	s := fmt.Sprintf("%s: %q", e.Reason, e.Input)
	if len(e.Candidates) > 0 {
		s += "; did you mean " + strings.Join(e.Candidates, ", ") + "?"
	}
	return s
}

// Unwrap returns ErrNotFound or ErrInvalid.
func (e *PlaceError) Unwrap() error { return e.Err }
