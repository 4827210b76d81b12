package geocode_test

import (
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/geocode"
)

var (
	bOnce   sync.Once
	bLoaded *geocode.Boundaries
	bErr    error
)

func boundaries(t testing.TB) *geocode.Boundaries {
	t.Helper()
	bOnce.Do(func() { bLoaded, bErr = geocode.LoadBoundaries(data.BoundariesFS) })
	if bErr != nil {
		t.Fatal(bErr)
	}
	return bLoaded
}

type locateCase struct {
	name     string
	lat, lng float64
	state    string // USPS, "" for none
	county   string // FIPS, "" for none
	fullName string // county full name, "" to skip
}

// knownPoints are the 24 points data/boundaries/PROVENANCE.md was checked
// against, each in exactly one county.
var knownPoints = []locateCase{
	{"San Francisco", 37.7749, -122.4194, "CA", "06075", "San Francisco County"},
	{"Philadelphia", 39.9526, -75.1652, "PA", "42101", "Philadelphia County"},
	{"Austin", 30.2672, -97.7431, "TX", "48453", "Travis County"},
	{"Chicago", 41.8781, -87.6298, "IL", "17031", "Cook County"},
	{"Manhattan", 40.7831, -73.9712, "NY", "36061", "New York County"},
	{"Los Angeles", 34.0522, -118.2437, "CA", "06037", "Los Angeles County"},
	{"Anchorage", 61.2181, -149.9003, "AK", "02020", "Anchorage Municipality"},
	{"Honolulu", 21.3069, -157.8583, "HI", "15003", "Honolulu County"},
	{"San Juan", 18.4655, -66.1057, "PR", "72127", "San Juan Municipio"},
	{"Washington DC", 38.9072, -77.0369, "DC", "11001", "District of Columbia"},
	{"Richmond city", 37.5407, -77.4360, "VA", "51760", "Richmond city"},
	{"Baltimore city", 39.2904, -76.6122, "MD", "24510", "Baltimore city"},
	{"St. Louis city", 38.6270, -90.1994, "MO", "29510", "St. Louis city"},
	{"Denver", 39.7392, -104.9903, "CO", "08031", "Denver County"},
	{"Seattle", 47.6062, -122.3321, "WA", "53033", "King County"},
	{"Miami", 25.7617, -80.1918, "FL", "12086", "Miami-Dade County"},
	{"New Orleans", 29.9511, -90.0715, "LA", "22071", "Orleans Parish"},
	{"Adak", 51.8800, -176.6581, "AK", "02016", "Aleutians West Census Area"},
	{"Key West", 24.5551, -81.7800, "FL", "12087", "Monroe County"},
	{"Boise", 43.6150, -116.2023, "ID", "16001", "Ada County"},
	{"Minneapolis", 44.9778, -93.2650, "MN", "27053", "Hennepin County"},
	{"Charlotte", 35.2271, -80.8431, "NC", "37119", "Mecklenburg County"},
	{"Las Vegas", 36.1699, -115.1398, "NV", "32003", "Clark County"},
	{"Carson City", 39.1638, -119.7674, "NV", "32510", "Carson City"},
}

func runLocate(t *testing.T, cases []locateCase) {
	t.Helper()
	b := boundaries(t)
	for _, tt := range cases {
		loc := b.Locate(orb.Point{tt.lng, tt.lat})
		var st, co, full string
		if loc.State != nil {
			st = loc.State.State
		}
		if loc.County != nil {
			co, full = loc.County.FIPS, loc.County.FullName
		}
		if st != tt.state || co != tt.county || tt.fullName != "" && full != tt.fullName {
			t.Errorf("%s (%v,%v): got %q %q %q, want %q %q %q", tt.name, tt.lat, tt.lng, st, co, full, tt.state, tt.county, tt.fullName)
		}
		if loc.County != nil && loc.State.StateFIPS != loc.County.FIPS[:2] {
			t.Errorf("%s: state %s but county %s", tt.name, loc.State.FIPS, loc.County.FIPS)
		}
	}
}

func TestLocateKnownPoints(t *testing.T) { runLocate(t, knownPoints) }

// TestLocateBorders takes points at least 2 km either side of state lines,
// above the boundaries' accuracy of about 1 km.
func TestLocateBorders(t *testing.T) {
	runLocate(t, []locateCase{
		{"Texarkana TX", 33.425, -94.08, "TX", "48037", "Bowie County"},
		{"Texarkana AR", 33.425, -94.00, "AR", "05091", "Miller County"},
		{"Kansas City KS", 39.05, -94.65, "KS", "20209", "Wyandotte County"},
		{"Kansas City MO", 39.05, -94.56, "MO", "29095", "Jackson County"},
		{"Bristol TN", 36.57, -82.18, "TN", "47163", "Sullivan County"},
		{"Bristol VA", 36.62, -82.18, "VA", "51520", "Bristol city"},
		{"Yellowstone WY", 44.99, -111.05, "WY", "56029", "Park County"},
		{"Yellowstone MT", 45.01, -111.05, "MT", "30031", "Gallatin County"},
	})
}

// TestLocateMultipolygonStates takes islands and exclaves of states made
// of several polygons, including the Aleutians west of 180°.
func TestLocateMultipolygonStates(t *testing.T) {
	runLocate(t, []locateCase{
		{"Hilo, Big Island", 19.7071, -155.0816, "HI", "15001", "Hawaii County"},
		{"Kahului, Maui", 20.8893, -156.4729, "HI", "15009", "Maui County"},
		{"Lihue, Kauai", 21.9811, -159.3711, "HI", "15007", "Kauai County"},
		{"Marquette, Upper Peninsula", 46.5436, -87.3954, "MI", "26103", "Marquette County"},
		{"Sault Ste. Marie, Upper Peninsula", 46.4953, -84.3453, "MI", "26033", "Chippewa County"},
		{"Shemya, east of 180°", 52.7236, 174.1133, "AK", "02016", "Aleutians West Census Area"},
		{"Unalaska", 53.8739, -166.5369, "AK", "02016", "Aleutians West Census Area"},
		{"Cold Bay", 55.2, -162.7, "AK", "02013", "Aleutians East Borough"},
	})
}

// TestLocateCounties tells neighbouring counties apart: a Travis County
// program must not match Round Rock.
func TestLocateCounties(t *testing.T) {
	runLocate(t, []locateCase{
		{"Austin", 30.2672, -97.7431, "TX", "48453", "Travis County"},
		{"Round Rock", 30.5083, -97.6789, "TX", "48491", "Williamson County"},
		{"Georgetown", 30.6333, -97.6770, "TX", "48491", "Williamson County"},
	})
}

// TestLocateWater places points in bays and just offshore in the nearest
// county within geocode.OffshoreKM, and points farther out nowhere.
func TestLocateWater(t *testing.T) {
	runLocate(t, []locateCase{
		{"SF Bay off San Mateo", 37.60, -122.25, "CA", "06081", ""},
		{"SF Bay off the Embarcadero", 37.80, -122.36, "CA", "06075", ""},
		{"Lake Michigan off Chicago", 41.88, -87.60, "IL", "17031", ""},
		{"Biscayne Bay", 25.70, -80.15, "FL", "12086", ""},
		{"Pacific, 100 km out", 36.0, -123.5, "", "", ""},
		{"Gulf of Mexico", 28.0, -90.0, "", "", ""},
		{"mid Lake Michigan", 43.0, -87.0, "", "", ""},
		{"Atlantic", 35.0, -60.0, "", "", ""},
		{"Toronto", 43.65, -79.38, "", "", ""},
		{"south pole", -90, 0, "", "", ""},
	})
	b := boundaries(t)
	if l := b.Locate(orb.Point{-122.25, 37.60}); !(l.OffshoreKM > 0 && l.OffshoreKM <= geocode.OffshoreKM) {
		t.Errorf("bay point offshore %v km", l.OffshoreKM)
	}
}

func TestBoundariesLookups(t *testing.T) {
	b := boundaries(t)
	if n := len(b.States()); n != 52 {
		t.Errorf("%d states, want 52", n)
	}
	if n := len(b.Counties()); n != 3219 {
		t.Errorf("%d counties, want 3219", n)
	}
	for _, code := range []string{"TX", "tx", "48"} {
		if s := b.State(code); s == nil || s.FIPS != "48" || s.Name != "Texas" {
			t.Errorf("State(%q) = %+v", code, s)
		}
	}
	if b.State("XX") != nil || b.State("99") != nil {
		t.Error("unknown state found")
	}
	if c := b.County("48453"); c == nil || c.Label() != "Travis County, TX" {
		t.Errorf("County(48453) = %+v", c)
	}
	if b.County("51610") != nil {
		t.Error("Falls Church (51610) is not in the data but was found")
	}
}

func BenchmarkLocate(b *testing.B) {
	bd := boundaries(b)
	pts := make([]orb.Point, len(knownPoints))
	for i, k := range knownPoints {
		pts[i] = orb.Point{k.lng, k.lat}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		bd.Locate(pts[i%len(pts)])
	}
}

func BenchmarkLocateOffshore(b *testing.B) {
	bd := boundaries(b)
	p := orb.Point{-122.25, 37.60}
	for b.Loop() {
		bd.Locate(p)
	}
}

func BenchmarkLoadBoundaries(b *testing.B) {
	for b.Loop() {
		if _, err := geocode.LoadBoundaries(data.BoundariesFS); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLocateAgreesWithOrb checks Locate's own point-in-polygon test
// against planar.MultiPolygonContains on a grid of points over the states.
func TestLocateAgreesWithOrb(t *testing.T) {
	b := boundaries(t)
	n := 0
	for lat := 18.0; lat < 71.5; lat += 0.37 {
		for lng := -179.9; lng < -65; lng += 0.53 {
			p := orb.Point{lng, lat}
			loc := b.Locate(p)
			var want *geocode.Region
			for i := range b.Counties() {
				c := &b.Counties()[i]
				if c.Bound.Contains(p) && planar.MultiPolygonContains(c.Geometry, p) {
					want = c
					break
				}
			}
			if want == nil {
				continue
			}
			n++
			if loc.County == nil || loc.County.FIPS != want.FIPS || loc.OffshoreKM != 0 {
				t.Errorf("Locate(%v) = %+v, orb says %s", p, loc, want.FIPS)
			}
		}
	}
	if n < 5000 {
		t.Errorf("only %d points fell in a county", n)
	}
}
