package geocode_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer/geocode"
)

// codes is what TestGeocodeCodes checks of a Place: all but the point.
type codes struct {
	Name, Kind, State, StateFIPS, County, CountyFIPS, ZIP, Timezone string
}

func codesOf(p peerfind.Place) codes {
	return codes{p.Name, p.Kind, p.State, p.StateFIPS, p.County, p.CountyFIPS, p.ZIP, p.Timezone}
}

// TestGeocodeCodes checks that every kind of place carries its state,
// county, ZIP code and time zone.
func TestGeocodeCodes(t *testing.T) {
	g := gazetteer(t)
	travis := codes{"Travis County, TX", "county", "TX", "48", "Travis County", "48453", "", "America/Chicago"}
	tests := []struct {
		in   string
		want codes
	}{
		// Coordinates: the ZIP is the nearest ZIP centre in the county.
		{"30.2672,-97.7431", codes{"30.2672, -97.7431", "coordinates", "TX", "48", "Travis County", "48453", "78713", "America/Chicago"}},
		{"37.60,-122.25", codes{"37.6000, -122.2500", "coordinates", "CA", "06", "San Mateo County", "06081", "94404", "America/Los_Angeles"}}, // in the bay
		{"45,-150", codes{"45.0000, -150.0000", "coordinates", "", "", "", "", "", "America/Anchorage"}},                                       // mid Pacific
		// ZIP codes and ZIP+4.
		{"19103", codes{"ZIP 19103 (Philadelphia, PA)", "zip", "PA", "42", "Philadelphia County", "42101", "19103", "America/New_York"}},
		{"78701-1234", codes{"ZIP 78701 (Austin, TX)", "zip", "TX", "48", "Travis County", "48453", "78701", "America/Chicago"}},
		{"787011234", codes{"ZIP 78701 (Austin, TX)", "zip", "TX", "48", "Travis County", "48453", "78701", "America/Chicago"}},
		{"Austin, TX 78701-1234", codes{"ZIP 78701 (Austin, TX)", "zip", "TX", "48", "Travis County", "48453", "78701", "America/Chicago"}},
		// Cities.
		{"Austin, TX", codes{"Austin, TX", "city", "TX", "48", "Travis County", "48453", "78705", "America/Chicago"}},
		{"Richmond, VA", codes{"Richmond, VA", "city", "VA", "51", "Richmond city", "51760", "23273", "America/New_York"}},
		{"Adak, AK", codes{"Adak, AK", "city", "AK", "02", "Aleutians West Census Area", "02016", "99546", "America/Adak"}},
		{"Honolulu", codes{"Honolulu, HI", "city", "HI", "15", "Honolulu County", "15003", "96813", "Pacific/Honolulu"}},
		// States.
		{"TX", codes{"Texas", "state", "TX", "48", "", "", "", "America/Chicago"}},
		{"Puerto Rico", codes{"Puerto Rico", "state", "PR", "72", "", "", "", "America/Puerto_Rico"}},
		// Counties, in every spelling.
		{"Travis County, TX", travis},
		{"Travis County Texas", travis},
		{"Travis Co, TX", travis},
		{"Travis Co. TX", travis},
		{"travis county", travis},
		{"Orleans Parish, LA", codes{"Orleans Parish, LA", "county", "LA", "22", "Orleans Parish", "22071", "", "America/Chicago"}},
		{"Anchorage Municipality", codes{"Anchorage Municipality, AK", "county", "AK", "02", "Anchorage Municipality", "02020", "", "America/Anchorage"}},
		{"Bethel Census Area", codes{"Bethel Census Area, AK", "county", "AK", "02", "Bethel Census Area", "02050", "", "America/Anchorage"}},
		{"Ponce Municipio", codes{"Ponce Municipio, PR", "county", "PR", "72", "Ponce Municipio", "72113", "", "America/Puerto_Rico"}},
		{"Richmond city, VA", codes{"Richmond city, VA", "county", "VA", "51", "Richmond city", "51760", "", "America/New_York"}},
		{"Richmond County, VA", codes{"Richmond County, VA", "county", "VA", "51", "Richmond County", "51159", "", "America/New_York"}},
		{"Baltimore city", codes{"Baltimore city, MD", "county", "MD", "24", "Baltimore city", "24510", "", "America/New_York"}},
		{"St. Louis County, MO", codes{"St. Louis County, MO", "county", "MO", "29", "St. Louis County", "29189", "", "America/Chicago"}},
		{"Dona Ana County, NM", codes{"Doña Ana County, NM", "county", "NM", "35", "Doña Ana County", "35013", "", "America/Denver"}},
		// A city that is also a county equivalent stays a city.
		{"Carson City", codes{"Carson City, NV", "city", "NV", "32", "Carson City", "32510", "89702", "America/Los_Angeles"}},
	}
	for _, tt := range tests {
		got, err := g.Geocode(context.Background(), tt.in)
		if err != nil {
			t.Errorf("Geocode(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, codesOf(got)); diff != "" {
			t.Errorf("Geocode(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestGeocodeCountyPoint checks that a county's point is inside it.
func TestGeocodeCountyPoint(t *testing.T) {
	g := gazetteer(t)
	b := boundaries(t)
	for _, in := range []string{"Travis County, TX", "Los Angeles County", "Aleutians West Census Area", "Hawaii County, HI", "Monroe County, FL"} {
		p, err := g.Geocode(context.Background(), in)
		if err != nil {
			t.Fatalf("Geocode(%q): %v", in, err)
		}
		if loc := b.Locate(p.Point); loc.County == nil || loc.County.FIPS != p.CountyFIPS {
			t.Errorf("Geocode(%q) point %v is not in county %s", in, p.Point, p.CountyFIPS)
		}
	}
}

func TestGeocodeCountyErrors(t *testing.T) {
	g := gazetteer(t)
	tests := []struct {
		in    string
		cands []string
	}{
		{"Washington County", []string{"Washington County, OR", "Washington County, AR", "Washington County, MD", "Washington County, MN", "Washington County, UT"}},
		{"Kings County", []string{"Kings County, NY", "Kings County, CA"}},
		{"Travs County, TX", []string{"Travis County, TX"}},
	}
	for _, tt := range tests {
		_, err := g.Geocode(context.Background(), tt.in)
		var pe *peerfind.PlaceError
		if !errors.As(err, &pe) || !errors.Is(err, peerfind.ErrNotFound) {
			t.Errorf("Geocode(%q): %v, want a PlaceError matching ErrNotFound", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.cands, pe.Candidates); diff != "" {
			t.Errorf("Geocode(%q) candidates mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestGeocodeWithoutBoundaries checks that a gazetteer without boundaries
// still fills the state codes and time zone, and knows no counties.
func TestGeocodeWithoutBoundaries(t *testing.T) {
	g, err := geocode.New(data.GazetteerFS)
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.Geocode(context.Background(), "19103")
	if err != nil {
		t.Fatal(err)
	}
	want := codes{"ZIP 19103 (Philadelphia, PA)", "zip", "PA", "42", "", "", "19103", "America/New_York"}
	if diff := cmp.Diff(want, codesOf(p)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	if _, err := g.Geocode(context.Background(), "Travis County, TX"); !errors.Is(err, peerfind.ErrNotFound) {
		t.Errorf("county without boundaries: %v", err)
	}
}

// TestSuggestCodes checks that suggestions carry their codes.
func TestSuggestCodes(t *testing.T) {
	g := gazetteer(t)
	for _, tt := range []struct {
		prefix string
		want   codes
	}{
		{"19103", codes{"ZIP 19103 (Philadelphia, PA)", "zip", "PA", "42", "Philadelphia County", "42101", "19103", ""}},
		{"travis co", codes{"Travis County, TX", "county", "TX", "48", "Travis County", "48453", "", ""}},
		{"austin, tx", codes{"Austin, TX", "city", "TX", "48", "Travis County", "48453", "78705", ""}},
		{"texas", codes{"Texas", "state", "TX", "48", "", "", "", ""}},
	} {
		got := g.Suggest(tt.prefix, 1)
		if len(got) != 1 {
			t.Errorf("Suggest(%q) = %v", tt.prefix, got)
			continue
		}
		if diff := cmp.Diff(tt.want, codesOf(got[0])); diff != "" {
			t.Errorf("Suggest(%q) mismatch (-want +got):\n%s", tt.prefix, diff)
		}
	}
}

// TestTimezoneGrid checks the grid search against a scan of every place
// (through the exported answer: the zone of the nearest place), on a grid
// of points over the US and the oceans around it.
func TestTimezoneGrid(t *testing.T) {
	g := gazetteer(t)
	n := 0
	for lat := -10.0; lat < 75; lat += 1.7 {
		for lng := -180.0; lng < 180; lng += 2.9 {
			p := orb.Point{lng, lat}
			if got, want := g.Timezone(p), g.TimezoneScan(p); got != want {
				t.Errorf("Timezone(%v) = %q, scan says %q", p, got, want)
			}
			n++
		}
	}
	t.Logf("%d points", n)
}
