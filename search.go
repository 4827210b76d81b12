package peerfind

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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
	// RadiusKM limits in-person results to this great-circle distance from
	// Near, in kilometres. Zero with Near widens the radius step by step
	// (WidenStepsKM) until WidenEnough in-person services match.
	RadiusKM float64
	// Place is what Near was resolved from, with the codes of the state,
	// county and ZIP code around it: services whose service area is one of
	// them match wherever their office is. Nil matches only service areas
	// given as polygons.
	Place *Place
	// Remote says how services attended online or by phone (Service.Mode)
	// join the results when Near is given: RemoteMixed (default),
	// RemoteApart, RemoteExclude or RemoteOnly. Without Near, every
	// service matches wherever it is.
	Remote string
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

	// Days keeps services that meet on one of these days (Weekdays codes,
	// "MO"...), in the service's local time.
	Days []string
	// TimesOfDay keeps services with a meeting that starts in one of these
	// parts of the day (DayParts), in the service's local time; with Days,
	// on one of those days.
	TimesOfDay []string
	// OpenNow keeps services with a meeting in session at Now.
	OpenNow bool
	// Upcoming keeps services with a meeting that starts within
	// UpcomingWindow after Now (or is in session), soonest first: it
	// replaces Sort.
	Upcoming bool
	// Now is the searcher's clock, in the searcher's time zone: it dates
	// OpenNow and Upcoming, and Hit.NextMeeting is given in its zone. The
	// zero value means time.Now() in UTC.
	Now time.Time
}

// How remote services join the results, as Query.Remote.
const (
	// RemoteMixed ranks remote services that serve the searcher's area or
	// are open to all among the in-person ones.
	RemoteMixed = "mixed"
	// RemoteApart returns them in Results.Remote, apart from the in-person
	// hits.
	RemoteApart = "apart"
	// RemoteExclude leaves them out.
	RemoteExclude = "exclude"
	// RemoteOnly returns only them.
	RemoteOnly = "only"
)

// WidenStepsKM are the radii (5, 10, 25, 50 and 100 miles) tried in turn
// for a Query with Near and no RadiusKM.
var WidenStepsKM = []float64{5 * KMPerMile, 10 * KMPerMile, 25 * KMPerMile, 50 * KMPerMile, 100 * KMPerMile}

// WidenEnough is how many in-person matches stop the widening.
const WidenEnough = 5

// KMPerMile converts statute miles to kilometres.
const KMPerMile = 1.609344

// UpcomingWindow is how far ahead Query.Upcoming looks.
const UpcomingWindow = 24 * time.Hour

// Results is one page of hits with the total and facet counts.
type Results struct {
	// Total is the number of matching services over all pages.
	Total uint64
	// Hits are this page's services, in order.
	Hits []Hit
	// Facets maps a facet id to the counts of its terms over all matching
	// services, most frequent first.
	Facets map[string][]FacetCount

	// RadiusKM is the radius in-person services were sought within: the
	// query's, or where the widening stopped. Zero without Near.
	RadiusKM float64
	// Widened is true when RadiusKM was chosen by widening.
	Widened bool
	// InPerson is how many of Total are in-person services within the
	// radius or serving the searcher's area.
	InPerson uint64
	// Remote are the remote services, apart, for Query.Remote ==
	// RemoteApart; or the remote services that fit when nothing in person
	// does (see NothingNearby).
	Remote []Hit
	// RemoteTotal is the number of remote services that match.
	RemoteTotal uint64
	// NothingNearby is true when Near was given and no in-person service
	// matched within the largest radius tried; Farther and Remote then
	// hold the fallbacks.
	NothingNearby bool
	// Farther are the nearest in-person matches beyond the radius, nearest
	// first, when NothingNearby.
	Farther []Hit
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
	// NextMeeting is when the service next meets (or the meeting in
	// session began), in the zone of Query.Now, or nil when its schedules
	// do not say.
	NextMeeting *time.Time
	// Mode is how the service is attended (Service.Mode).
	Mode string
	// ServesArea is true when one of the service's areas contains the
	// query's point (or is nationwide).
	ServesArea bool
	// Snippet is the part of the description that matched the need, as
	// HTML: escaped text with the matching words in <mark>; empty when
	// the description did not match.
	Snippet string
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
	// Kind is "coordinates", "zip", "city", "county" or "state".
	Kind string `json:"kind"`
	// Point is the place's centroid ([lon, lat]).
	Point orb.Point `json:"-"`
	// State is the USPS code of the state the point is in ("TX"), and
	// StateFIPS its FIPS code ("48"); empty outside the states.
	State     string `json:"state,omitempty"`
	StateFIPS string `json:"state_fips,omitempty"`
	// County names the county the point is in ("Travis County"), and
	// CountyFIPS is its 5-digit FIPS code ("48453"); empty for a state.
	County     string `json:"county,omitempty"`
	CountyFIPS string `json:"county_fips,omitempty"`
	// ZIP is the ZIP code given, or the one whose centre is nearest the
	// point within its county; empty for a county or a state.
	ZIP string `json:"zip,omitempty"`
	// Timezone is the IANA time zone at the point.
	Timezone string `json:"timezone,omitempty"`
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

// Suggestion kinds.
const (
	SuggestCategory = "category"
	SuggestNeed     = "need"
	SuggestName     = "name"
)

// Suggestion is one type-ahead completion of what a searcher is typing.
type Suggestion struct {
	// Text is the completion to show and to search for.
	Text string `json:"text"`
	// Kind is SuggestCategory (a support category), SuggestNeed (a
	// condition, population or other taxonomy term) or SuggestName (a
	// group's or service's name).
	Kind string `json:"kind"`
	// Facet is the facet of a category or need, usable as a filter name.
	Facet string `json:"facet,omitempty"`
	// ID is the term id of a category or need, or the service id of a
	// name that only one service has.
	ID string `json:"id,omitempty"`
}

// Suggester completes a prefix into at most n suggestions, preferring the
// UI language ("en", "es"). A Searcher may implement it.
type Suggester interface {
	Suggest(ctx context.Context, prefix, ui string, n int) ([]Suggestion, error)
}
