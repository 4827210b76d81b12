package crawler

import (
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/peerfind/peerfind"
)

// sameGroupMeters is how close two locations of same-named records from
// different sources must be to count as one group.
const sameGroupMeters = 50

// deduper recognizes the same group published by several sources: same
// folded name and, for some location, the same street address, the same
// postal code, or a point within sameGroupMeters. Records with no
// location are never merged (two online "Big Book Study" meetings are
// usually different groups). It is not safe for concurrent use.
type deduper struct {
	keys   map[string]seenAt         // name|address or name|postal → first record
	points map[string][]sourcedPoint // name → points seen
	ids    map[string]bool           // record ids emitted
}

type seenAt struct {
	source, id string
}

type sourcedPoint struct {
	p      orb.Point
	source string
	id     string
}

func newDeduper() *deduper {
	return &deduper{keys: map[string]seenAt{}, points: map[string][]sourcedPoint{}, ids: map[string]bool{}}
}

// seen reports whether s duplicates a record already added (same id, or
// the same group from another source) and which, and otherwise adds it.
func (d *deduper) seen(s *peerfind.Service) (string, bool) {
	if d.ids[s.ID] {
		return s.ID, true
	}
	name := peerfind.Fold(s.Name)
	src := s.Provenance.SourceName
	var keys []string
	var pts []orb.Point
	for _, l := range s.Locations {
		a := l.Address
		if street := peerfind.Fold(a.Address1); street != "" {
			keys = append(keys, name+"|a|"+street+"|"+peerfind.Fold(a.City))
		}
		if pc := strings.ToUpper(strings.ReplaceAll(a.PostalCode, " ", "")); pc != "" {
			keys = append(keys, name+"|p|"+pc)
		}
		if p, ok := l.Point(); ok && !l.Approximate {
			pts = append(pts, p)
		}
	}
	for _, k := range keys {
		if other, ok := d.keys[k]; ok && other.source != src {
			return other.id, true
		}
	}
	for _, p := range pts {
		for _, q := range d.points[name] {
			if q.source != src && math.Abs(p.Lat()-q.p.Lat()) < 0.01 && geo.Distance(p, q.p) <= sameGroupMeters {
				return q.id, true
			}
		}
	}
	d.ids[s.ID] = true
	for _, k := range keys {
		if _, ok := d.keys[k]; !ok {
			d.keys[k] = seenAt{src, s.ID}
		}
	}
	for _, p := range pts {
		d.points[name] = append(d.points[name], sourcedPoint{p, src, s.ID})
	}
	return "", false
}
