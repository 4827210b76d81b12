package indexer

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/geocode"
)

// areaEnv is an index of testdata/areas.jsonl (records with service areas
// given by state, county name, ZIP list, polygon, "statewide" and
// nationwide, an online Spanish group, and depression groups around Round
// Rock, TX), built with the areas resolved against the shipped
// boundaries, and the gazetteer that resolves searchers' places.
type areaEnv struct {
	idx *Index
	gaz *geocode.Gazetteer
}

func newAreaEnv(t *testing.T) areaEnv {
	t.Helper()
	gaz, err := geocode.New(data.GazetteerFS, geocode.WithBoundariesFS(data.BoundariesFS))
	if err != nil {
		t.Fatal(err)
	}
	tax := taxonomy(t)
	dir := filepath.Join(t.TempDir(), "index")
	stats, err := Build(context.Background(), dir, readFixture(t, "areas.jsonl"), BuildOptions{Taxonomy: tax, Areas: gaz.ServiceAreas()})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rejected != 0 || stats.AreasUnresolved != 0 {
		t.Fatalf("build: %d rejected, %d areas unresolved", stats.Rejected, stats.AreasUnresolved)
	}
	idx, err := Open(dir, tax)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return areaEnv{idx, gaz}
}

// query is a search near "lat,lng" (or any place the gazetteer knows),
// with the Place resolved as searchd resolves it.
func (e areaEnv) query(t *testing.T, near string, q peerfind.Query) *peerfind.Results {
	t.Helper()
	place, err := e.gaz.Geocode(context.Background(), near)
	if err != nil {
		t.Fatalf("geocode %q: %v", near, err)
	}
	q.Near, q.Place = &place.Point, &place
	if q.PerPage == 0 {
		q.PerPage = 50
	}
	res, err := e.idx.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("search near %q: %v", near, err)
	}
	return res
}

func findHit(hits []peerfind.Hit, id string) (peerfind.Hit, bool) {
	i := slices.IndexFunc(hits, func(h peerfind.Hit) bool { return h.Service.ID == id })
	if i < 0 {
		return peerfind.Hit{}, false
	}
	return hits[i], true
}

// TestServiceAreas checks who serves whom on real boundaries: a statewide
// line anywhere in its state and not just across the border, a county
// program only in its county, a ZIP list, multipolygon states, a
// "statewide" name resolved from the office's state, a drawn polygon
// (bleve geoshape) and a nationwide line.
func TestServiceAreas(t *testing.T) {
	e := newAreaEnv(t)
	for _, tc := range []struct {
		id, near, where string
		want            bool
	}{
		{"tx-warmline", "31.7619,-106.4850", "El Paso, TX", true},
		{"tx-warmline", "35.2220,-101.8313", "Amarillo, TX", true},
		{"tx-warmline", "25.9017,-97.4975", "Brownsville, TX", true},
		{"tx-warmline", "33.4251,-94.0700", "Texarkana, TX, 2 km from Arkansas", true},
		{"tx-warmline", "33.4251,-94.0200", "Texarkana, AR, 2 km from Texas", false},
		{"tx-warmline", "31.8060,-106.5600", "Sunland Park, NM, across from El Paso", false},
		{"tx-warmline", "32.5252,-93.7502", "Shreveport, LA", false},
		{"tx-warmline", "33.9940,-96.3708", "Durant, OK, north of the Red River", false},
		{"travis-program", "30.4602,-97.9886", "Lago Vista, Travis County, far from the office", true},
		{"travis-program", "30.1800,-97.6100", "southeast Travis County", true},
		{"travis-program", "30.5083,-97.6789", "Round Rock, Williamson County", false},
		{"travis-program", "30.0900,-97.8400", "Buda, Hays County", false},
		{"austin-zips", "78702", "ZIP 78702", true},
		{"austin-zips", "78745", "ZIP 78745", false},
		{"hi-warmline", "20.8893,-156.4729", "Kahului, Maui", true},
		{"hi-warmline", "21.9811,-159.3711", "Lihue, Kauai", true},
		{"hi-warmline", "19.7071,-155.0885", "Hilo, Hawaii island", true},
		{"hi-warmline", "34.0522,-118.2437", "Los Angeles", false},
		{"mi-warmline", "46.5436,-87.3954", "Marquette, Upper Peninsula", true},
		{"mi-warmline", "42.3314,-83.0458", "Detroit", true},
		{"mi-warmline", "44.5133,-88.0133", "Green Bay, WI", false},
		{"bay-polygon", "37.7749,-122.4194", "San Francisco, inside the drawn area", true},
		{"bay-polygon", "37.8044,-122.2712", "Oakland, outside it", false},
		{"national-line", "61.2181,-149.9003", "Anchorage", true},
		{"national-line", "18.4655,-66.1057", "San Juan, PR", true},
	} {
		t.Run(fmt.Sprintf("%s/%s", tc.id, tc.where), func(t *testing.T) {
			res := e.query(t, tc.near, peerfind.Query{RadiusKM: 1})
			h, ok := findHit(res.Hits, tc.id)
			if ok != tc.want {
				t.Fatalf("%s in results = %v, want %v (place %+v)", tc.id, ok, tc.want, res)
			}
			if ok && !h.ServesArea {
				t.Errorf("%s: ServesArea false", tc.id)
			}
		})
	}
}

// TestCountyProgramOnlyInItsCounty: a program for Travis County residents
// shows for a point in Travis County and not for one as near its office
// across the county line.
func TestCountyProgramOnlyInItsCounty(t *testing.T) {
	e := newAreaEnv(t)
	for _, tc := range []struct {
		near, where string
		want        bool
	}{
		{"30.4394,-97.6200", "Pflugerville, Travis County, 22 km from the office", true},
		{"30.0852,-97.8403", "Buda, Hays County, 22 km from the office", false},
		{"30.2672,-97.7431", "next door to the office", true},
	} {
		res := e.query(t, tc.near, peerfind.Query{RadiusKM: 30, Remote: peerfind.RemoteExclude})
		if _, ok := findHit(res.Hits, "travis-program"); ok != tc.want {
			t.Errorf("%s: travis-program shown = %v, want %v", tc.where, ok, tc.want)
		}
		// A group with no service area is for anyone within the radius.
		if _, ok := findHit(res.Hits, "round-rock-group"); !ok && tc.where[:4] == "Pflu" {
			t.Errorf("%s: the Round Rock group (no area, 9.5 km) is missing", tc.where)
		}
	}
}

func TestServesAreaLabelsInPersonFarAway(t *testing.T) {
	e := newAreaEnv(t)
	res := e.query(t, "30.4602,-97.9886", peerfind.Query{RadiusKM: 5, Sort: peerfind.SortDistance})
	h, ok := findHit(res.Hits, "travis-program")
	if !ok {
		t.Fatal("the Travis County program is missing for a point in Travis County")
	}
	if h.Mode != peerfind.ModeInPerson || h.DistanceKM == nil || *h.DistanceKM < 20 {
		t.Errorf("travis-program: mode %s, distance %v; want in person about 25 km away", h.Mode, h.DistanceKM)
	}
	if res.NothingNearby {
		t.Error("a program serving the searcher's county counts as nearby")
	}
}

// TestRemoteModes checks how online and phone services join an answer.
func TestRemoteModes(t *testing.T) {
	e := newAreaEnv(t)
	austin := "78701" // downtown Austin, in the ZIP list of austin-zips
	remoteIDs := []string{"tx-warmline", "online-es", "national-line"}
	for _, tc := range []struct {
		mode                   string
		wantMain, notMain      []string
		wantApart              []string
		wantInPerson, wantHits int
	}{
		{mode: peerfind.RemoteMixed, wantMain: append([]string{"travis-program", "austin-zips"}, remoteIDs...)},
		{mode: peerfind.RemoteApart, wantMain: []string{"travis-program", "austin-zips"}, notMain: remoteIDs, wantApart: remoteIDs},
		{mode: peerfind.RemoteExclude, wantMain: []string{"travis-program", "austin-zips"}, notMain: remoteIDs},
		{mode: peerfind.RemoteOnly, wantMain: remoteIDs, notMain: []string{"travis-program", "austin-zips"}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			res := e.query(t, austin, peerfind.Query{RadiusKM: 10, Remote: tc.mode, Sort: peerfind.SortDistance})
			for _, id := range tc.wantMain {
				if _, ok := findHit(res.Hits, id); !ok {
					t.Errorf("%s missing from the results", id)
				}
			}
			for _, id := range tc.notMain {
				if _, ok := findHit(res.Hits, id); ok {
					t.Errorf("%s in the results", id)
				}
			}
			for _, id := range tc.wantApart {
				if _, ok := findHit(res.Remote, id); !ok {
					t.Errorf("%s missing from the remote results", id)
				}
			}
			if tc.mode == peerfind.RemoteApart && res.RemoteTotal != uint64(len(res.Remote)) {
				t.Errorf("RemoteTotal %d, %d remote hits", res.RemoteTotal, len(res.Remote))
			}
			// Sorted by distance, in-person services come first; remote
			// ones have no trip to make.
			seenRemote := false
			for _, h := range res.Hits {
				remote := h.Mode != peerfind.ModeInPerson
				if !remote && seenRemote {
					t.Errorf("in-person %s after a remote service", h.Service.ID)
				}
				seenRemote = seenRemote || remote
			}
			if h, ok := findHit(res.Hits, "online-es"); ok && h.Mode != peerfind.ModeOnline {
				t.Errorf("online-es mode %q", h.Mode)
			}
			if h, ok := findHit(res.Hits, "tx-warmline"); ok && (h.Mode != peerfind.ModePhone || !h.ServesArea) {
				t.Errorf("tx-warmline mode %q, serves area %v", h.Mode, h.ServesArea)
			}
		})
	}
	if _, err := e.idx.Search(context.Background(), peerfind.Query{Remote: "sometimes"}); err == nil {
		t.Error("unknown remote mode accepted")
	}
}

// TestOnlineSpanishGroupAnywhere: an online group in Spanish appears for
// a Spanish-language search anywhere, labelled online.
func TestOnlineSpanishGroupAnywhere(t *testing.T) {
	e := newAreaEnv(t)
	for _, near := range []string{"61.2181,-149.9003", "Miami, FL", "04401", "30.2672,-97.7431"} {
		res := e.query(t, near, peerfind.Query{Text: "grupo de apoyo", Filters: map[string][]string{"lang": {"es"}}, RadiusKM: 40})
		h, ok := findHit(res.Hits, "online-es")
		if !ok {
			t.Errorf("near %s: the online Spanish group is missing", near)
			continue
		}
		if h.Mode != peerfind.ModeOnline || h.ServesArea {
			t.Errorf("near %s: mode %q, serves area %v; want online, open to all", near, h.Mode, h.ServesArea)
		}
	}
}

// TestWidening: with no radius, the search widens 5 → 10 → 25 → 50 → 100
// miles until five in-person services match, and says how far it went.
func TestWidening(t *testing.T) {
	e := newAreaEnv(t)
	// Around Round Rock: one group within 5 mi, five within 10 mi
	// (Pflugerville 9.5 km, Hutto 13.2, Cedar Park 13.6, Georgetown 13.9).
	res := e.query(t, "30.5083,-97.6789", peerfind.Query{Text: "depression", Remote: peerfind.RemoteExclude, Sort: peerfind.SortDistance})
	if !res.Widened || math.Abs(res.RadiusKM-10*peerfind.KMPerMile) > 1e-9 {
		t.Fatalf("radius %.2f km, widened %v; want 10 mi, widened", res.RadiusKM, res.Widened)
	}
	if res.Total != 5 || res.InPerson != 5 {
		t.Errorf("total %d, in person %d; want 5", res.Total, res.InPerson)
	}
	for _, h := range res.Hits {
		if h.DistanceKM == nil || *h.DistanceKM > res.RadiusKM {
			t.Errorf("%s at %v km, beyond %.1f km", h.Service.ID, h.DistanceKM, res.RadiusKM)
		}
	}
	// A radius given is kept.
	res = e.query(t, "30.5083,-97.6789", peerfind.Query{Text: "depression", RadiusKM: 5, Remote: peerfind.RemoteExclude})
	if res.Widened || res.RadiusKM != 5 || res.Total != 1 {
		t.Errorf("radius 5 km: radius %v, widened %v, total %d; want 5, false, 1", res.RadiusKM, res.Widened, res.Total)
	}
}

// TestNothingNearby: a rural ZIP with nothing close gets, in order, the
// nearest matches farther out and remote services that fit.
func TestNothingNearby(t *testing.T) {
	e := newAreaEnv(t)
	res := e.query(t, "59001", peerfind.Query{}) // Absarokee, MT
	if !res.NothingNearby || res.InPerson != 0 {
		t.Fatalf("nothing nearby %v, in person %d; want true, 0", res.NothingNearby, res.InPerson)
	}
	if res.RadiusKM != peerfind.WidenStepsKM[len(peerfind.WidenStepsKM)-1] {
		t.Errorf("radius %v km, want the widest step", res.RadiusKM)
	}
	if len(res.Farther) == 0 {
		t.Fatal("no farther matches")
	}
	prev := 0.0
	for _, h := range res.Farther {
		if h.Mode != peerfind.ModeInPerson || h.DistanceKM == nil || *h.DistanceKM < prev {
			t.Errorf("farther %s: mode %s, distance %v after %v", h.Service.ID, h.Mode, h.DistanceKM, prev)
			continue
		}
		prev = *h.DistanceKM
	}
	if prev < 1000 {
		t.Errorf("farthest fallback at %.0f km; Montana to Texas is more than 1000", prev)
	}
	for _, id := range []string{"national-line", "online-es"} {
		if _, ok := findHit(res.Remote, id); !ok {
			t.Errorf("%s missing from the remote fallbacks", id)
		}
	}
	if _, ok := findHit(res.Remote, "tx-warmline"); ok {
		t.Error("the Texas warmline offered in Montana")
	}
	// An in-person center whose area is "nationwide" is not nearby for
	// everyone: in Montana it is only a farther match.
	if _, ok := findHit(res.Hits, "berkeley-nationwide"); ok {
		t.Error("an in-person center in Berkeley counts as nearby in Montana")
	}
}

func TestBlend(t *testing.T) {
	hit := func(id, mode string, score float64) windowHit {
		return windowHit{Hit: peerfind.Hit{Service: &peerfind.Service{ID: id}, Mode: mode, Score: score}}
	}
	in, on := peerfind.ModeInPerson, peerfind.ModeOnline
	got := blend([]windowHit{
		hit("r1", on, 9), hit("r2", on, 8), hit("r3", on, 7),
		hit("l1", in, 5), hit("l2", in, 4), hit("l3", in, 3), hit("l4", in, 2), hit("l5", in, 1),
	}, 10)
	var ids []string
	for _, h := range got {
		ids = append(ids, h.Service.ID)
	}
	// Far remote services take the 3rd and 8th places, then the rest
	// follow when no local one is left.
	want := []string{"l1", "l2", "r1", "l3", "l4", "l5", "r2", "r3"}
	if !slices.Equal(ids, want) {
		t.Errorf("blend = %v, want %v", ids, want)
	}
	// A remote service based within the radius counts as local.
	d := 2.0
	near := hit("r-near", on, 9)
	near.DistanceKM = &d
	if got := blend([]windowHit{near, hit("l1", in, 5)}, 10); got[0].Service.ID != "r-near" {
		t.Errorf("a local online group is not first: %v", got[0].Service.ID)
	}
}

func TestPlaceTokens(t *testing.T) {
	p := &peerfind.Place{State: "TX", StateFIPS: "48", CountyFIPS: "48453", ZIP: "78701"}
	want := []string{"nationwide", "state:TX", "state:48", "county:48453", "zip:78701"}
	if got := PlaceTokens(p); !slices.Equal(got, want) {
		t.Errorf("PlaceTokens = %v, want %v", got, want)
	}
	s := &peerfind.Service{ServiceAreas: []peerfind.ServiceArea{{Kind: peerfind.AreaCounty, Codes: []string{"48453"}}}}
	if !ServesPlace(s, p, orb.Point{-97.74, 30.27}) {
		t.Error("county area does not serve a place in it")
	}
	if ServesPlace(s, &peerfind.Place{StateFIPS: "48", CountyFIPS: "48491"}, orb.Point{-97.68, 30.51}) {
		t.Error("county area serves the next county")
	}
}
