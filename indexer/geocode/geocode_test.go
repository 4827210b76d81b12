package geocode_test

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/geocode"
)

var _ peerfind.Geocoder = (*geocode.Gazetteer)(nil)

var (
	loadOnce sync.Once
	loaded   *geocode.Gazetteer
	loadErr  error
)

// gazetteer returns the shipped gazetteer, loaded once for all tests.
func gazetteer(t testing.TB) *geocode.Gazetteer {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = geocode.New(data.GazetteerFS, geocode.WithBoundaries(boundaries(t))) })
	if loadErr != nil {
		t.Fatalf("New(data.GazetteerFS): %v", loadErr)
	}
	return loaded
}

// pt is a point given as lat, lng, the order people write them in.
func pt(lat, lng float64) orb.Point { return orb.Point{lng, lat} }

// approxPoint compares points to within tol degrees in latitude and
// longitude. (cmpopts.EquateApprox does not apply: orb.Point has an Equal
// method, which cmp prefers.)
func approxPoint(tol float64) cmp.Option {
	return cmp.Comparer(func(a, b orb.Point) bool {
		return math.Abs(a.Lat()-b.Lat()) <= tol && math.Abs(a.Lon()-b.Lon()) <= tol
	})
}

func TestGeocode(t *testing.T) {
	g := gazetteer(t)
	// Known points: downtowns and ZIP centres as published (Wikipedia,
	// Census Gazetteer). The gazetteer's city points are the centroids of
	// the Census place, which can be a few km from downtown, so cities get
	// 0.1° (about 10 km); coordinates, ZIPs and states are checked closer.
	sanJose := peerfind.Place{Name: "San Jose, CA", Kind: "city", Point: pt(37.3362, -121.8906)}
	philly := peerfind.Place{Name: "Philadelphia, PA", Kind: "city", Point: pt(39.9526, -75.1652)}
	zip95112 := peerfind.Place{Name: "ZIP 95112 (San Jose, CA)", Kind: "zip", Point: pt(37.3446, -121.8834)}
	zip19103 := peerfind.Place{Name: "ZIP 19103 (Philadelphia, PA)", Kind: "zip", Point: pt(39.9534, -75.1742)}
	stPaul := peerfind.Place{Name: "St. Paul, MN", Kind: "city", Point: pt(44.9537, -93.0900)}
	stLouis := peerfind.Place{Name: "St. Louis, MO", Kind: "city", Point: pt(38.6270, -90.1994)}
	washington := peerfind.Place{Name: "Washington, DC", Kind: "city", Point: pt(38.9072, -77.0369)}
	sanJuan := peerfind.Place{Name: "San Juan, PR", Kind: "city", Point: pt(18.4655, -66.1057)}

	tests := []struct {
		in   string
		want peerfind.Place
		tol  float64 // degrees
	}{
		// Coordinates.
		{"37.33,-121.89", peerfind.Place{Name: "37.3300, -121.8900", Kind: "coordinates", Point: pt(37.33, -121.89)}, 1e-9},
		{" 37.33 , -121.89 ", peerfind.Place{Name: "37.3300, -121.8900", Kind: "coordinates", Point: pt(37.33, -121.89)}, 1e-9},
		{"37.33 -121.89", peerfind.Place{Name: "37.3300, -121.8900", Kind: "coordinates", Point: pt(37.33, -121.89)}, 1e-9},
		{"(39.9526, -75.1652)", peerfind.Place{Name: "39.9526, -75.1652", Kind: "coordinates", Point: pt(39.9526, -75.1652)}, 1e-9},
		{"-90,180", peerfind.Place{Name: "-90.0000, 180.0000", Kind: "coordinates", Point: pt(-90, 180)}, 1e-9},

		// ZIP codes.
		{"95112", zip95112, 0.01},
		{"19103", zip19103, 0.01},
		{"95112-1234", zip95112, 0.01},
		{"95112 1234", zip95112, 0.01},
		{"00601", peerfind.Place{Name: "ZIP 00601 (Adjuntas, PR)", Kind: "zip", Point: pt(18.1806, -66.75)}, 0.01},
		{"20001", peerfind.Place{Name: "ZIP 20001 (Washington, DC)", Kind: "zip", Point: pt(38.9101, -77.0177)}, 0.01},
		// A PO-box ZIP that is not a Census ZCTA comes from the USPS table.
		{"19101", peerfind.Place{Name: "ZIP 19101 (Philadelphia, PA)", Kind: "zip", Point: pt(39.95, -75.16)}, 0.1},

		// City and state, in every spelling.
		{"San Jose, CA", sanJose, 0.05},
		{"san jose ca", sanJose, 0.05},
		{"SAN JOSE, California", sanJose, 0.05},
		{"San José, CA", sanJose, 0.05},
		{"San Jose, CA 95112", zip95112, 0.01},
		{"San Jose, CA, USA", sanJose, 0.05},
		{"Philadelphia, PA", philly, 0.1},
		{"Philadelphia, Pennsylvania", philly, 0.1},
		{"Philadelphia PA 19103", zip19103, 0.01},
		{"Philadelphia PA USA", philly, 0.1},
		{"saint paul mn", stPaul, 0.05},
		{"St. Paul, Minnesota", stPaul, 0.05},
		{"St. Louis, MO", stLouis, 0.05},
		{"Saint Louis MO", stLouis, 0.05},
		{"st.louis,mo", stLouis, 0.05},
		{"Ft. Worth, TX", peerfind.Place{Name: "Fort Worth, TX", Kind: "city", Point: pt(32.7555, -97.3308)}, 0.1},
		{"Mt. Vernon, NY", peerfind.Place{Name: "Mount Vernon, NY", Kind: "city", Point: pt(40.9126, -73.8371)}, 0.05},
		{"Coeur d Alene, ID", peerfind.Place{Name: "Coeur d'Alene, ID", Kind: "city", Point: pt(47.6777, -116.7805)}, 0.1},
		{"Charleston West Virginia", peerfind.Place{Name: "Charleston, WV", Kind: "city", Point: pt(38.3498, -81.6326)}, 0.05},
		{"Springfield, IL", peerfind.Place{Name: "Springfield, IL", Kind: "city", Point: pt(39.7817, -89.6501)}, 0.05},
		{"Washington, DC", washington, 0.05},
		{"Washington, D.C.", washington, 0.05},
		{"Washington DC", washington, 0.05},
		{"San Juan, PR", sanJuan, 0.1},
		{"Mayaguez, Puerto Rico", peerfind.Place{Name: "Mayagüez, PR", Kind: "city", Point: pt(18.2013, -67.1397)}, 0.05},
		// From GeoNames: a New England town and a neighbourhood.
		{"Fairfield, CT", peerfind.Place{Name: "Fairfield, CT", Kind: "city", Point: pt(41.1412, -73.2637)}, 0.05},
		{"Georgetown, DC", peerfind.Place{Name: "Georgetown, DC", Kind: "city", Point: pt(38.9097, -77.0654)}, 0.05},

		// A bare city: unique, or by far the most populous of its name.
		{"Philadelphia", philly, 0.1},
		{"San Jose", sanJose, 0.05},
		{"Virginia Beach", peerfind.Place{Name: "Virginia Beach, VA", Kind: "city", Point: pt(36.8529, -75.9780)}, 0.15},
		{"Kansas City", peerfind.Place{Name: "Kansas City, MO", Kind: "city", Point: pt(39.0997, -94.5786)}, 0.05},
		{"New York City", peerfind.Place{Name: "New York City, NY", Kind: "city", Point: pt(40.7128, -74.0060)}, 0.05},
		{"NYC", peerfind.Place{Name: "New York, NY", Kind: "city", Point: pt(40.7128, -74.0060)}, 0.15},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := g.Geocode(context.Background(), tt.in)
			if err != nil {
				t.Fatalf("Geocode(%q): %v", tt.in, err)
			}
			// TestGeocodeCodes checks the codes.
			codes := cmpopts.IgnoreFields(peerfind.Place{}, "State", "StateFIPS", "County", "CountyFIPS", "ZIP", "Timezone")
			if diff := cmp.Diff(tt.want, got, approxPoint(tt.tol), codes); diff != "" {
				t.Errorf("Geocode(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestGeocodeState(t *testing.T) {
	g := gazetteer(t)
	// A state resolves to a point inside its bounding box.
	tests := []struct {
		in, name     string
		south, north float64
		west, east   float64
	}{
		{"PA", "Pennsylvania", 39.72, 42.27, -80.52, -74.69},
		{"Pennsylvania", "Pennsylvania", 39.72, 42.27, -80.52, -74.69},
		{"pennsylvania", "Pennsylvania", 39.72, 42.27, -80.52, -74.69},
		{"PR", "Puerto Rico", 17.88, 18.52, -67.95, -65.22},
		{"Puerto Rico", "Puerto Rico", 17.88, 18.52, -67.95, -65.22},
		{"DC", "District of Columbia", 38.79, 39.0, -77.12, -76.90},
		{"D.C.", "District of Columbia", 38.79, 39.0, -77.12, -76.90},
		{"District of Columbia", "District of Columbia", 38.79, 39.0, -77.12, -76.90},
		{"ca", "California", 32.53, 42.01, -124.41, -114.13},
		{"Alaska", "Alaska", 51.2, 71.4, -180, -130},
		{"Hawaii", "Hawaii", 18.9, 22.3, -160.3, -154.8},
		{"New York", "New York", 40.49, 45.02, -79.77, -71.85}, // the state, not the city
		{"Washington", "Washington", 45.54, 49.0, -124.85, -116.91},
		{"west virginia", "West Virginia", 37.2, 40.64, -82.65, -77.72},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := g.Geocode(context.Background(), tt.in)
			if err != nil {
				t.Fatalf("Geocode(%q): %v", tt.in, err)
			}
			if got.Name != tt.name || got.Kind != "state" {
				t.Errorf("Geocode(%q) = %q (%s), want %q (state)", tt.in, got.Name, got.Kind, tt.name)
			}
			if lat, lng := got.Point.Lat(), got.Point.Lon(); lat < tt.south || lat > tt.north || lng < tt.west || lng > tt.east {
				t.Errorf("Geocode(%q) point %v is outside %s", tt.in, got.Point, tt.name)
			}
		})
	}
}

func TestGeocodeErrors(t *testing.T) {
	g := gazetteer(t)
	tests := []struct {
		in     string
		err    error  // ErrNotFound or ErrInvalid
		reason string // a prefix of Reason
		// cands is a prefix of the candidates (nil: not checked, empty:
		// none wanted).
		cands []string
	}{
		{"", peerfind.ErrInvalid, "empty location", []string{}},
		{"   ", peerfind.ErrInvalid, "empty location", []string{}},
		{strings.Repeat("a", 201), peerfind.ErrInvalid, "location longer than 200 bytes", []string{}},
		{"91,200", peerfind.ErrInvalid, "latitude out of range", []string{}},
		{"-91.5, 10", peerfind.ErrInvalid, "latitude out of range", []string{}},
		{"45,-200", peerfind.ErrInvalid, "longitude out of range", []string{}},
		{"!!!", peerfind.ErrInvalid, "no place name", []string{}},
		{"99999", peerfind.ErrNotFound, "unknown ZIP code", []string{"99950", "99929"}},
		{"00000", peerfind.ErrNotFound, "unknown ZIP code", []string{"00501", "00544"}},
		{"Springfield", peerfind.ErrNotFound, "ambiguous", []string{"Springfield, MA", "Springfield, MO", "Springfield, IL"}},
		{"springfield usa", peerfind.ErrNotFound, "ambiguous", []string{"Springfield, MA", "Springfield, MO", "Springfield, IL"}},
		{"Portland", peerfind.ErrNotFound, "ambiguous", []string{"Portland, OR", "Portland, ME"}},
		{"San Jsoe, CA", peerfind.ErrNotFound, "unknown place", []string{"San Jose, CA"}},
		{"Philadelfia", peerfind.ErrNotFound, "unknown place", []string{"Philadelphia, PA"}},
		// The wrong state: the name's places elsewhere.
		{"Philadelphia, NJ", peerfind.ErrNotFound, "unknown place", []string{"Philadelphia, PA"}},
		{"San Jose, Costa Rica", peerfind.ErrNotFound, "unknown place", []string{"San Jose, CA"}},
		{"Xyzzyplugh", peerfind.ErrNotFound, "unknown place", []string{}},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 20 {
			name = name[:20] + "…"
		}
		t.Run(name, func(t *testing.T) {
			got, err := g.Geocode(context.Background(), tt.in)
			if err == nil {
				t.Fatalf("Geocode(%q) = %+v, want an error", tt.in, got)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("Geocode(%q) error %v does not match %v", tt.in, err, tt.err)
			}
			var pe *peerfind.PlaceError
			if !errors.As(err, &pe) {
				t.Fatalf("Geocode(%q) error %T is not a *peerfind.PlaceError", tt.in, err)
			}
			if pe.Input != tt.in {
				t.Errorf("Input = %q, want %q", pe.Input, tt.in)
			}
			if !strings.HasPrefix(pe.Reason, tt.reason) {
				t.Errorf("Reason = %q, want prefix %q", pe.Reason, tt.reason)
			}
			if tt.cands != nil {
				got := pe.Candidates
				if len(tt.cands) > 0 && len(got) > len(tt.cands) {
					got = got[:len(tt.cands)]
				}
				if diff := cmp.Diff(tt.cands, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("Candidates %q mismatch (-want +got):\n%s", pe.Candidates, diff)
				}
			}
		})
	}
}

func TestGeocodeCanceled(t *testing.T) {
	g := gazetteer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Geocode(ctx, "San Jose, CA"); !errors.Is(err, context.Canceled) {
		t.Errorf("Geocode with a canceled context: %v, want context.Canceled", err)
	}
}

// TestConcurrent runs lookups from many goroutines; run with -race.
func TestConcurrent(t *testing.T) {
	g := gazetteer(t)
	inputs := []string{"San Jose, CA", "19103", "Springfield", "San Jsoe, CA", "PA", "37.33,-121.89"}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				in := inputs[(i+j)%len(inputs)]
				g.Geocode(context.Background(), in)
				g.Suggest(in, 5)
			}
		})
	}
	wg.Wait()
}

func TestNameKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"San Jose", "sanjose"},
		{"San José", "sanjose"},
		{"St. Louis", "saintlouis"},
		{"SAINT-LOUIS", "saintlouis"},
		{"Ste. Genevieve", "saintegenevieve"},
		{"Ft Worth", "fortworth"},
		{"Mt. Vernon", "mountvernon"},
		{"Coeur d'Alene", "coeurdalene"},
		{"Coeur d’Alene", "coeurdalene"},
		{"Mayagüez", "mayaguez"},
		{"ʻEwa Beach", "ewabeach"},
		{"Washington, D.C.", "washingtondc"},
		{"  ", ""},
	}
	for _, tt := range tests {
		if got := geocode.NameKey(tt.in); got != tt.want {
			t.Errorf("NameKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	g := gazetteer(t)
	names := func(ps []peerfind.Place) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	tests := []struct {
		prefix string
		n      int
		want   []string
	}{
		{"san jo", 3, []string{"San Jose, CA", "San Joaquin County, CA", "San Joaquin, CA"}},
		{"Phila", 2, []string{"Philadelphia, PA", "Philadelphia County, PA"}},
		{"st. lou", 4, []string{"St. Louis, MO", "St. Louis city, MO", "St. Louis County, MO", "St. Louis Park, MN"}},
		{"penn", 2, []string{"Pennsylvania", "Pennington County, SD"}},
		// Counties.
		{"travis", 2, []string{"Travis County, TX", "Travis Ranch, TX"}},
		{"travis co", 5, []string{"Travis County, TX"}},
		{"Travis County, T", 5, []string{"Travis County, TX"}},
		{"orleans", 3, []string{"Orleans Parish, LA", "Orleans, IN", "Orleans County, NY"}},
		{"washington county", 3, []string{"Washington County, OR", "Washington County, AR", "Washington County, MD"}},
		{"springfield, m", 3, []string{"Springfield, MA", "Springfield, MO", "Springfield, MI"}},
		{"springfield, illinois", 5, []string{"Springfield, IL"}},
		{"191", 2, []string{"ZIP 19101 (Philadelphia, PA)", "ZIP 19102 (Philadelphia, PA)"}},
		{"95112", 5, []string{"ZIP 95112 (San Jose, CA)"}},
		{"", 5, nil},
		{"san", 0, nil},
		{"zzzzzz", 5, nil},
	}
	for _, tt := range tests {
		got := names(g.Suggest(tt.prefix, tt.n))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Suggest(%q, %d) mismatch (-want +got):\n%s", tt.prefix, tt.n, diff)
		}
	}
}

func TestTimezone(t *testing.T) {
	g := gazetteer(t)
	tests := []struct {
		at   orb.Point
		want string
	}{
		{pt(33.4484, -112.0740), "America/Phoenix"},
		{pt(39.9526, -75.1652), "America/New_York"},
		{pt(37.3362, -121.8906), "America/Los_Angeles"},
		{pt(18.4655, -66.1057), "America/Puerto_Rico"},
		{pt(21.3069, -157.8583), "Pacific/Honolulu"},
		{pt(41.8781, -87.6298), "America/Chicago"},
	}
	for _, tt := range tests {
		if got := g.Timezone(tt.at); got != tt.want {
			t.Errorf("Timezone(%v) = %q, want %q", tt.at, got, tt.want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	states := "code,name,fips,lat,lng\nPA,Pennsylvania,42,40.3,-76.6\n"
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"no files", fstest.MapFS{}, "gazetteer/states.csv"},
		{"bad header", fstest.MapFS{geocode.StatesFile: {Data: []byte("code,name\nPA,Pennsylvania\n")}}, "header"},
		{"bad latitude", fstest.MapFS{geocode.StatesFile: {Data: []byte("code,name,fips,lat,lng\nPA,Pennsylvania,42,95,-76\n")}}, "latitude"},
		{"zips not gzipped", fstest.MapFS{
			geocode.StatesFile: {Data: []byte(states)},
			geocode.ZIPsFile:   {Data: []byte("zip,lat,lng,city,state\n")},
		}, "gunzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := geocode.New(tt.fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

// BenchmarkNew measures loading the shipped gazetteer with the boundaries. retained-MB is the
// heap the loaded gazetteer keeps.
//
//	go test -run '^$' -bench New -benchmem ./indexer/geocode
func BenchmarkNew(b *testing.B) {
	var keep *geocode.Gazetteer
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for b.Loop() {
		g, err := geocode.New(data.GazetteerFS, geocode.WithBoundariesFS(data.BoundariesFS))
		if err != nil {
			b.Fatal(err)
		}
		keep = g
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "retained-MB")
	runtime.KeepAlive(keep)
}

func BenchmarkGeocode(b *testing.B) {
	g := gazetteer(b)
	for _, in := range []string{"19103", "78701-1234", "30.2672,-97.7431", "San Jose, CA", "saint paul mn", "Springfield", "San Jsoe, CA", "Travis County, TX", "Washington County"} {
		b.Run(in, func(b *testing.B) {
			for b.Loop() {
				g.Geocode(context.Background(), in)
			}
		})
	}
}
