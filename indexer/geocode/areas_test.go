package geocode_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/geocode"
)

func TestResolveArea(t *testing.T) {
	g := gazetteer(t)
	type want struct {
		Kind   string
		Codes  []string
		Tokens []string
		Names  []string
	}
	nationwide := want{"nationwide", nil, []string{"nationwide"}, []string{"Nationwide"}}
	texas := want{"state", []string{"48"}, []string{"state:48"}, []string{"Texas"}}
	travis := want{"county", []string{"48453"}, []string{"county:48453"}, []string{"Travis County, TX"}}
	tests := []struct {
		name string
		area peerfind.ServiceArea
		home string
		want want
	}{
		// Kind and codes.
		{"nationwide kind", peerfind.ServiceArea{Kind: "nationwide"}, "", nationwide},
		{"state by USPS", peerfind.ServiceArea{Kind: "state", Codes: []string{"TX"}}, "", texas},
		{"state by FIPS", peerfind.ServiceArea{Kind: "state", Codes: []string{"48"}}, "", texas},
		{"two states", peerfind.ServiceArea{Kind: "state", Codes: []string{"pa", "34", "PA"}}, "",
			want{"state", []string{"42", "34"}, []string{"state:42", "state:34"}, []string{"Pennsylvania", "New Jersey"}}},
		{"county", peerfind.ServiceArea{Kind: "county", Codes: []string{"48453", "48491"}}, "",
			want{"county", []string{"48453", "48491"}, []string{"county:48453", "county:48491"}, []string{"Travis County, TX", "Williamson County, TX"}}},
		{"zips", peerfind.ServiceArea{Kind: "zip", Codes: []string{"78701", "78702-1234"}}, "",
			want{"zip", []string{"78701", "78702"}, []string{"zip:78701", "zip:78702"}, []string{"ZIP 78701", "ZIP 78702"}}},
		// URIs.
		{"uri path", peerfind.ServiceArea{Name: "whatever", URI: "https://data.census.gov/profile?g=x/48453"}, "", travis},
		{"uri geoid", peerfind.ServiceArea{URI: "https://api.census.gov/data?geoid=48453&x=1"}, "", travis},
		{"uri census geoid county", peerfind.ServiceArea{URI: "https://data.census.gov/profile/Travis_County?g=0500000US48453"}, "", travis},
		{"uri census geoid state", peerfind.ServiceArea{URI: "https://data.census.gov/profile?g=0400000US48"}, "", texas},
		{"uri census zcta", peerfind.ServiceArea{URI: "https://data.census.gov/profile?g=8600000US78701"}, "",
			want{"zip", []string{"78701"}, []string{"zip:78701"}, []string{"ZIP 78701"}}},
		{"uri fips state", peerfind.ServiceArea{URI: "urn:fips:48"}, "", texas},
		// Names.
		{"Nationwide", peerfind.ServiceArea{Name: "Nationwide"}, "", nationwide},
		{"National", peerfind.ServiceArea{Name: "National"}, "", nationwide},
		{"United States", peerfind.ServiceArea{Name: "United States"}, "", nationwide},
		{"USA", peerfind.ServiceArea{Name: "USA"}, "", nationwide},
		{"All US", peerfind.ServiceArea{Name: "All US"}, "", nationwide},
		{"All 50 states", peerfind.ServiceArea{Name: "All 50 states"}, "", nationwide},
		{"Anywhere in the U.S.", peerfind.ServiceArea{Name: "Anywhere in the U.S."}, "", nationwide},
		{"Texas statewide", peerfind.ServiceArea{Name: "Texas statewide"}, "", texas},
		{"Statewide (TX)", peerfind.ServiceArea{Name: "Statewide (TX)"}, "", texas},
		{"Statewide with home", peerfind.ServiceArea{Name: "Statewide"}, "TX", texas},
		{"State of Texas", peerfind.ServiceArea{Name: "State of Texas"}, "", texas},
		{"Texas", peerfind.ServiceArea{Name: "Texas"}, "", texas},
		{"TX", peerfind.ServiceArea{Name: "TX"}, "", texas},
		{"Travis County, TX", peerfind.ServiceArea{Name: "Travis County, TX"}, "", travis},
		{"Travis County", peerfind.ServiceArea{Name: "Travis County"}, "", travis},
		{"San Mateo County", peerfind.ServiceArea{Name: "San Mateo County"}, "",
			want{"county", []string{"06081"}, []string{"county:06081"}, []string{"San Mateo County, CA"}}},
		{"Washington County for a service in Arkansas", peerfind.ServiceArea{Name: "Washington County"}, "AR",
			want{"county", []string{"05143"}, []string{"county:05143"}, []string{"Washington County, AR"}}},
		{"two counties", peerfind.ServiceArea{Name: "Travis County, TX; Williamson County, TX"}, "",
			want{"county", []string{"48453", "48491"}, []string{"county:48453", "county:48491"}, []string{"Travis County, TX", "Williamson County, TX"}}},
		{"ZIP 78701", peerfind.ServiceArea{Name: "ZIP 78701"}, "",
			want{"zip", []string{"78701"}, []string{"zip:78701"}, []string{"ZIP 78701"}}},
		{"ZIP list", peerfind.ServiceArea{Name: "78701, 78702"}, "",
			want{"zip", []string{"78701", "78702"}, []string{"zip:78701", "zip:78702"}, []string{"ZIP 78701", "ZIP 78702"}}},
		{"ZIP codes list", peerfind.ServiceArea{Name: "ZIP codes 78701 and 78702"}, "",
			want{"zip", []string{"78701", "78702"}, []string{"zip:78701", "zip:78702"}, []string{"ZIP 78701", "ZIP 78702"}}},
		// Kind wins over a name.
		{"kind over name", peerfind.ServiceArea{Name: "Austin area", Kind: "county", Codes: []string{"48453"}}, "", travis},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := g.ResolveArea(tt.area, tt.home)
			if err != nil {
				t.Fatalf("ResolveArea(%+v): %v", tt.area, err)
			}
			got := want{r.Kind, r.Codes, r.Tokens, r.Names}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			if r.Extent != nil {
				t.Errorf("extent %v for an area by reference", r.Extent)
			}
		})
	}
}

func TestResolveAreaErrors(t *testing.T) {
	g := gazetteer(t)
	tests := []struct {
		name string
		area peerfind.ServiceArea
		is   error
	}{
		{"statewide without a state", peerfind.ServiceArea{Name: "Statewide"}, geocode.ErrNeedState},
		{"unknown state code", peerfind.ServiceArea{Kind: "state", Codes: []string{"XX"}}, peerfind.ErrInvalid},
		{"unknown county", peerfind.ServiceArea{Kind: "county", Codes: []string{"48999"}}, peerfind.ErrInvalid},
		{"unknown ZIP", peerfind.ServiceArea{Kind: "zip", Codes: []string{"00000"}}, peerfind.ErrInvalid},
		{"nationwide with codes", peerfind.ServiceArea{Kind: "nationwide", Codes: []string{"TX"}}, peerfind.ErrInvalid},
		{"no codes", peerfind.ServiceArea{Kind: "county"}, peerfind.ErrInvalid},
		{"bad kind", peerfind.ServiceArea{Kind: "city", Codes: []string{"x"}}, peerfind.ErrInvalid},
		{"empty", peerfind.ServiceArea{}, peerfind.ErrInvalid},
		{"ambiguous county", peerfind.ServiceArea{Name: "Washington County"}, peerfind.ErrNotFound},
		{"a city", peerfind.ServiceArea{Name: "Austin, TX"}, peerfind.ErrNotFound},
		{"descriptive text", peerfind.ServiceArea{Name: "Greater Bay Area and surrounding communities"}, peerfind.ErrNotFound},
		{"unknown uri code", peerfind.ServiceArea{URI: "https://example.org/areas/99999"}, peerfind.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := g.ResolveArea(tt.area, "")
			if !errors.Is(err, tt.is) {
				t.Errorf("ResolveArea(%+v) = %+v, %v; want an error matching %v", tt.area, r, err, tt.is)
			}
		})
	}
	_, err := g.ResolveArea(peerfind.ServiceArea{Name: "Washington County"}, "")
	var pe *peerfind.PlaceError
	if !errors.As(err, &pe) || len(pe.Candidates) == 0 {
		t.Errorf("ambiguous county: %v, want candidates", err)
	}
}

func TestResolveAreaExtent(t *testing.T) {
	g := gazetteer(t)
	// A square around downtown Austin with a redundant midpoint on each
	// side, which simplification drops, and an open ring, which it closes.
	square := orb.Polygon{{{-97.8, 30.2}, {-97.75, 30.2}, {-97.7, 30.2}, {-97.7, 30.3}, {-97.8, 30.3}}}
	r, err := g.ResolveArea(peerfind.ServiceArea{Name: "Downtown Austin", Extent: geojson.NewGeometry(square)}, "")
	if err != nil {
		t.Fatal(err)
	}
	poly, ok := r.Extent.(orb.Polygon)
	if !ok || len(poly) != 1 || len(poly[0]) != 5 || poly[0][0] != poly[0][4] {
		t.Errorf("extent = %v, want a closed 4-corner square", r.Extent)
	}
	if len(r.Tokens) != 0 || r.Kind != "" || !cmp.Equal(r.Names, []string{"Downtown Austin"}) {
		t.Errorf("extent resolved to %+v", r)
	}
	if len(square[0]) != 5 {
		t.Error("ResolveArea modified the caller's polygon")
	}
	bad := []orb.Geometry{
		orb.Point{-97.7, 30.2},
		orb.Polygon{{{-97.8, 30.2}, {-97.7, 30.2}, {-97.8, 30.2}}},        // no area
		orb.Polygon{{{-97.8, 95}, {-97.7, 95}, {-97.7, 96}, {-97.8, 95}}}, // latitude out of range
	}
	for _, geom := range bad {
		if _, err := g.ResolveArea(peerfind.ServiceArea{Extent: geojson.NewGeometry(geom)}, ""); !errors.Is(err, peerfind.ErrInvalid) {
			t.Errorf("extent %v: %v, want ErrInvalid", geom, err)
		}
	}
}

func TestAreaTokens(t *testing.T) {
	tests := []struct {
		p    peerfind.Place
		want []string
	}{
		{peerfind.Place{}, []string{"nationwide"}},
		{peerfind.Place{Kind: "state", StateFIPS: "48"}, []string{"nationwide", "state:48"}},
		{peerfind.Place{Kind: "zip", StateFIPS: "48", CountyFIPS: "48453", ZIP: "78701"}, []string{"nationwide", "state:48", "county:48453", "zip:78701"}},
	}
	for _, tt := range tests {
		if got := geocode.AreaTokens(tt.p); !cmp.Equal(got, tt.want) {
			t.Errorf("AreaTokens(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func BenchmarkResolveArea(b *testing.B) {
	g := gazetteer(b)
	for _, a := range []peerfind.ServiceArea{
		{Kind: "county", Codes: []string{"48453"}},
		{Name: "Texas statewide"},
		{Name: "Travis County, TX"},
		{URI: "https://data.census.gov/profile?g=0500000US48453"},
	} {
		b.Run(a.Name+a.Kind+a.URI[min(len(a.URI), 8):], func(b *testing.B) {
			for b.Loop() {
				if _, err := g.ResolveArea(a, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
