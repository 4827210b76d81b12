package geocode

import (
	"math"

	"github.com/paulmach/orb"
)

// TimezoneScan is Timezone by a scan of every place, for tests.
func (g *Gazetteer) TimezoneScan(pt orb.Point) string {
	lat, lng := pt.Lat(), pt.Lon()
	k := math.Cos(lat * math.Pi / 180)
	best, bestD := -1, math.Inf(1)
	for i := range g.places {
		p := &g.places[i]
		dy := float64(p.lat) - lat
		dx := math.Abs(float64(p.lng) - lng)
		if dx > 180 {
			dx = 360 - dx
		}
		dx *= k
		if d := dx*dx + dy*dy; d < bestD {
			best, bestD = i, d
		}
	}
	if best < 0 {
		return ""
	}
	return g.places[best].tz
}
