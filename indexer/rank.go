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
//   - a service whose area contains the searcher counts at least
//     servesFactor, however far its office;
//   - a remote service (online, by phone) counts as far as it is based,
//     and at least remoteFactor, as an in-person one at the edge of the
//     radius: it is open to the searcher, but most people looking near a
//     place want to go there;
//   - status: a service that is not active (asked for with
//     include_closed) counts half.
func (h windowHit) adjust(radiusKM float64) float64 {
	f := 1.0
	remote := h.Mode != "" && h.Mode != peerfind.ModeInPerson
	d := 0.0 // the distance factor; 0 when unknown
	if h.DistanceKM != nil {
		scale := max(5, radiusKM/3)
		d = 0.5 + 0.5*math.Exp(-*h.DistanceKM/scale)
	}
	switch {
	case radiusKM == 0: // no place in the query
	case h.ServesArea:
		f *= max(d, servesFactor)
	case remote:
		f *= max(d, remoteFactor)
	case h.DistanceKM != nil:
		f *= d
	}
	f *= h.fresh
	if h.inactive {
		f *= 0.5
	}
	return f
}

// Distance-like factors of adjust for services that have no distance to
// the searcher that means anything.
const (
	servesFactor = 0.7
	remoteFactor = 0.5
)

// freshness is 1 for a record confirmed within three years, falling
// linearly to 0.92 at ten years; an unknown or unreadable date counts as
// old.
func freshness(assured string, now time.Time) float64 {
	return freshnessOf(AssuredAge(assured, now))
}

// freshnessOf is freshness for a record confirmed age ago (-1: unknown).
func freshnessOf(age time.Duration) float64 {
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
	return since(t, now)
}

// since is how long before now t was; 0 when t is later.
func since(t, now time.Time) time.Duration {
	if d := now.Sub(t); d > 0 {
		return d
	}
	return 0
}

// inactive reports whether a status counts half in adjust: any but
// active (a record with none is not marked down).
func inactive(status string) bool { return status != "" && status != statusActive }

// blend orders hits (sorted best first) so that services based far away
// and attended remotely take at most the places remoteSlots allows (the
// third, eighth, thirteenth...) unless no local service is left. Remote
// groups are open to the searcher and worth showing on the first page,
// but someone looking near a place mostly wants a group of their own
// area, and a well-worded online meeting from across the country should
// not push every local one down. A remote service based within the
// radius, or serving the searcher's area, counts as local.
func blend(hits []windowHit, radiusKM float64) []windowHit {
	out := make([]windowHit, 0, len(hits))
	var local, remote []windowHit
	for _, h := range hits {
		if h.Mode == peerfind.ModeInPerson || h.Mode == "" || h.ServesArea ||
			(h.DistanceKM != nil && *h.DistanceKM <= radiusKM) {
			local = append(local, h)
		} else {
			remote = append(remote, h)
		}
	}
	nRemote := 0
	for len(local) > 0 || len(remote) > 0 {
		pos := len(out) + 1
		takeRemote := len(remote) > 0 && (len(local) == 0 ||
			(nRemote < remoteSlots(pos) && remote[0].Score > local[0].Score))
		if takeRemote {
			out = append(out, remote[0])
			remote = remote[1:]
			nRemote++
		} else {
			out = append(out, local[0])
			local = local[1:]
		}
	}
	return out
}

// remoteSlots is how many of the first pos places blend gives to remote
// services based far away: none of the first two, one from the third,
// then one more every five.
func remoteSlots(pos int) int {
	if pos < 3 {
		return 0
	}
	return 1 + (pos-3)/5
}
