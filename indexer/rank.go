package indexer

import (
	"math"
	"time"

	"github.com/peerfind/peerfind"
)

// rerankWindow is how many of the best text matches are reordered by
// distance and freshness when sorting by relevance.
const rerankWindow = 100

// adjust is the multiplier of a hit's text score for sort=relevance:
//
//   - distance, when the query has a place: 1 at the searcher's door,
//     decaying towards 0.5 with a scale of a third of the radius (at
//     least 5 km), so a closer group wins among equally good matches but a
//     much better match still comes first;
//   - freshness: 1 when the publisher confirmed the record in the last
//     three years, down to 0.92 when that is ten years ago or unknown
//     (mild: an old confirmation is a reason to call ahead, not to hide
//     the only group of its kind);
//   - status: a service that is not active (asked for with
//     include_closed) counts half.
func adjust(h peerfind.Hit, radiusKM float64, now time.Time) float64 {
	f := 1.0
	if h.DistanceKM != nil {
		scale := max(5, radiusKM/3)
		f *= 0.5 + 0.5*math.Exp(-*h.DistanceKM/scale)
	}
	f *= freshness(h.Service.AssuredDate, now)
	if h.Service.Status != "" && h.Service.Status != "active" {
		f *= 0.5
	}
	return f
}

// freshness is 1 for a record confirmed within three years, falling
// linearly to 0.92 at ten years; an unknown or unreadable date counts as
// old.
func freshness(assured string, now time.Time) float64 {
	age := AssuredAge(assured, now)
	if age < 0 {
		return 0.92
	}
	years := age.Hours() / 24 / 365.25
	return 1 - 0.08*math.Min(1, math.Max(0, (years-3)/7))
}

// AssuredAge is how long ago the record was last confirmed
// (assured_date, YYYY-MM-DD), or -1 when the date is missing or unreadable.
func AssuredAge(assured string, now time.Time) time.Duration {
	t, err := time.Parse(time.DateOnly, assured)
	if err != nil {
		return -1
	}
	if d := now.Sub(t); d > 0 {
		return d
	}
	return 0
}
