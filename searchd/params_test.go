package searchd

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/paulmach/orb"
	"github.com/peerfind/peerfind"
)

func TestParseSearchParams(t *testing.T) {
	tax := testTaxonomy(t)
	lim := (&Server{}).limits()
	def := func(p searchParams) searchParams {
		if p.Page == 0 {
			p.Page = 1
		}
		if p.PerPage == 0 {
			p.PerPage = 10
		}
		if p.Sort == "" {
			p.Sort = "relevance"
		}
		if p.UI == "" {
			p.UI = "en"
		}
		return p
	}
	for _, tc := range []struct {
		name string
		raw  string
		want searchParams
	}{
		{"empty", "", def(searchParams{})},
		{"text collapsed", "q=%20grief%0A%0Agroup%09", def(searchParams{Text: "grief group"})},
		{"near default radius and distance sort", "near=95112", def(searchParams{Near: "95112", Radius: "", RadiusKM: 0, Sort: "distance"})},
		{"q and near sorts by relevance", "q=grief&near=95112", def(searchParams{Text: "grief", Near: "95112", Radius: "", RadiusKM: 0})},
		{"explicit distance", "q=grief&near=95112&sort=distance", def(searchParams{Text: "grief", Near: "95112", Radius: "", RadiusKM: 0, Sort: "distance"})},
		{"explicit relevance", "near=95112&sort=relevance", def(searchParams{Near: "95112", Radius: "", RadiusKM: 0})},
		{"radius miles", "near=95112&radius=10mi", def(searchParams{Near: "95112", Radius: "10mi", RadiusKM: 10 * kmPerMile, RadiusSet: true, Sort: "distance"})},
		{"radius km", "near=95112&radius=25km", def(searchParams{Near: "95112", Radius: "25km", RadiusKM: 25, RadiusSet: true, Sort: "distance"})},
		{"radius bare number is miles", "near=95112&radius=15", def(searchParams{Near: "95112", Radius: "15mi", RadiusKM: 15 * kmPerMile, RadiusSet: true, Sort: "distance"})},
		{"radius words and case", "near=95112&radius=2.5%20Miles", def(searchParams{Near: "95112", Radius: "2.5mi", RadiusKM: 2.5 * kmPerMile, RadiusSet: true, Sort: "distance"})},
		{"radius leading dot", "near=95112&radius=.5km", def(searchParams{Near: "95112", Radius: "0.5km", RadiusKM: 0.5, RadiusSet: true, Sort: "distance"})},
		{"radius smallest", "near=95112&radius=0.1km", def(searchParams{Near: "95112", Radius: "0.1km", RadiusKM: 0.1, RadiusSet: true, Sort: "distance"})},
		{"radius largest", "near=95112&radius=500km", def(searchParams{Near: "95112", Radius: "500km", RadiusKM: 500, RadiusSet: true, Sort: "distance"})},
		{"radius without near is ignored", "radius=10mi", def(searchParams{})},
		{"empty values are absent", "q=&near=&radius=&category=&page=&per_page=&sort=&ui=", def(searchParams{})},
		{"comma values", "lang=es,en", def(searchParams{Filters: map[string][]string{"lang": {"es", "en"}}})},
		{"repeated values", "lang=es&lang=en", def(searchParams{Filters: map[string][]string{"lang": {"es", "en"}}})},
		{"repeated, comma, spaces, duplicates, case", "lang=es,%20EN&lang=en,&lang=fr", def(searchParams{Filters: map[string][]string{"lang": {"es", "en", "fr"}}})},
		{"several facets", "category=self-help-group&support=emotional&population=women&condition=alcohol&attendance=in-person&cost=free,donation",
			def(searchParams{Filters: map[string][]string{
				"category": {"self-help-group"}, "support": {"emotional"}, "population": {"women"},
				"condition": {"alcohol"}, "attendance": {"in-person"}, "cost": {"free", "donation"}}})},
		{"paging", "page=3&per_page=50", def(searchParams{Page: 3, PerPage: 50})},
		{"ui es", "ui=es", def(searchParams{UI: "es"})},
		{"ui case", "ui=ES", def(searchParams{UI: "es"})},
		{"cache buster ignored", "q=grief&_=1700000000000", def(searchParams{Text: "grief"})},
		{"q at the limit", "q=" + strings.Repeat("é", 200), def(searchParams{Text: strings.Repeat("é", 200)})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSearchParams(tc.raw, lim, tax)
			if err != nil {
				t.Fatalf("parseSearchParams(%q): %v", tc.raw, err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(0, 1e-9), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("parseSearchParams(%q) (-want +got):\n%s", tc.raw, diff)
			}
		})
	}
}

func TestParseSearchParamsErrors(t *testing.T) {
	tax := testTaxonomy(t)
	lim := (&Server{}).limits()
	for _, tc := range []struct {
		name, raw   string
		code, param string
		// inMessage must occur in the message.
		inMessage string
		cands     []string
	}{
		{"typo", "categroy=warmline", CodeUnknownParameter, "categroy", `did you mean "category"`, []string{"category"}},
		{"alias", "query=grief", CodeUnknownParameter, "query", `did you mean "q"`, []string{"q"}},
		{"plural", "languages=es", CodeUnknownParameter, "languages", `did you mean "lang"`, []string{"lang"}},
		{"unknown, no suggestion", "zzzzzz=1", CodeUnknownParameter, "zzzzzz", "known parameters are q, near", nil},
		{"malformed escape", "q=%zz", CodeInvalidParameter, "", "malformed", nil},
		{"semicolon", "q=a;b", CodeInvalidParameter, "", "malformed", nil},
		{"too long query string", "q=" + strings.Repeat("a", maxRawQuery), CodeInvalidParameter, "", "too long", nil},
		{"q too long", "q=" + strings.Repeat("é", 201), CodeInvalidParameter, "q", "too long (201 characters, at most 200)", nil},
		{"q twice", "q=a&q=b", CodeInvalidParameter, "q", "only once", nil},
		{"q not utf-8", "q=%ff%fe", CodeInvalidParameter, "q", "UTF-8", nil},
		{"near too long", "near=" + strings.Repeat("x", 101), CodeInvalidParameter, "near", "too long", nil},
		{"radius zero", "near=95112&radius=0", CodeInvalidParameter, "radius", "between 0.1 and 500 km, e.g. 10mi or 25km", nil},
		{"radius too small", "near=95112&radius=0.05km", CodeInvalidParameter, "radius", "between 0.1 and 500 km", nil},
		{"radius too large", "near=95112&radius=311mi", CodeInvalidParameter, "radius", "between 0.1 and 500 km", nil},
		{"radius negative", "near=95112&radius=-5km", CodeInvalidParameter, "radius", "between", nil},
		{"radius unit", "near=95112&radius=10m", CodeInvalidParameter, "radius", "between", nil},
		{"radius nan", "near=95112&radius=NaN", CodeInvalidParameter, "radius", "between", nil},
		{"radius inf", "near=95112&radius=Infkm", CodeInvalidParameter, "radius", "between", nil},
		{"radius exponent", "near=95112&radius=1e2km", CodeInvalidParameter, "radius", "between", nil},
		{"radius checked without near", "radius=abc", CodeInvalidParameter, "radius", "between", nil},
		{"unknown filter value", "lang=xx", CodeInvalidParameter, "lang", `lang has the unknown value "xx"; valid values include`, []string{"en", "es", "ase", "fr"}},
		{"unknown filter value suggests", "category=warmlin", CodeInvalidParameter, "category", "valid values include warmline,", nil},
		{"one bad among good", "condition=alcohol,alcohool", CodeInvalidParameter, "condition", `"alcohool"; valid values include alcohol`, nil},
		{"too many filter values", "lang=" + strings.Repeat("en,", 21), CodeInvalidParameter, "lang", "more than 20 values", nil},
		{"page zero", "page=0", CodeInvalidParameter, "page", "from 1 to 100", nil},
		{"page too large", "page=101", CodeInvalidParameter, "page", "from 1 to 100", nil},
		{"page not a number", "page=two", CodeInvalidParameter, "page", "whole number", nil},
		{"page huge", "page=99999999999999999999999", CodeInvalidParameter, "page", "whole number", nil},
		{"per_page too large", "per_page=51", CodeInvalidParameter, "per_page", "from 1 to 50", nil},
		{"per_page zero", "per_page=0", CodeInvalidParameter, "per_page", "from 1 to 50", nil},
		{"sort distance without near", "q=grief&sort=distance", CodeInvalidParameter, "sort", "needs a location", nil},
		{"sort unknown", "sort=newest", CodeInvalidParameter, "sort", "relevance or distance", nil},
		{"ui unknown", "ui=fr", CodeInvalidParameter, "ui", "en or es", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseSearchParams(tc.raw, lim, tax)
			var ae *apiError
			if !errors.As(err, &ae) {
				t.Fatalf("parseSearchParams(%q) = %v, want an *apiError", tc.raw, err)
			}
			if !errors.Is(err, peerfind.ErrInvalid) {
				t.Errorf("error does not match ErrInvalid")
			}
			if ae.status != 400 || ae.code != tc.code || ae.param != tc.param {
				t.Errorf("got %d %s param %q, want 400 %s param %q (%s)", ae.status, ae.code, ae.param, tc.code, tc.param, ae.message)
			}
			if !strings.Contains(ae.message, tc.inMessage) {
				t.Errorf("message %q does not contain %q", ae.message, tc.inMessage)
			}
			if tc.cands != nil {
				if diff := cmp.Diff(tc.cands, ae.candidates); diff != "" {
					t.Errorf("candidates (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestSearchQuery checks the peerfind.Query the searcher receives.
func TestSearchQuery(t *testing.T) {
	sj := orb.Point{-121.8863, 37.3382}
	for _, tc := range []struct {
		name string
		raw  string
		want peerfind.Query
	}{
		{"defaults", "", peerfind.Query{Sort: "relevance", Page: 1, PerPage: 10}},
		{"include closed", "include_closed=true", peerfind.Query{Sort: "relevance", Page: 1, PerPage: 10, IncludeClosed: true}},
		{"label as filter value", "lang=Spanish", peerfind.Query{Filters: map[string][]string{"lang": {"es"}}, Sort: "relevance", Page: 1, PerPage: 10}},
		{"text", "q=grief", peerfind.Query{Text: "grief", Sort: "relevance", Page: 1, PerPage: 10}},
		{"near widens", "near=95112", peerfind.Query{Near: &sj, RadiusKM: 0, Sort: "distance", Page: 1, PerPage: 10}},
		{"remote apart", "near=95112&remote=Apart", peerfind.Query{Near: &sj, Remote: "apart", Sort: "distance", Page: 1, PerPage: 10}},
		{"near km", "near=San+Jose,+CA&radius=5km&q=aa", peerfind.Query{Text: "aa", Near: &sj, RadiusKM: 5, Sort: "relevance", Page: 1, PerPage: 10}},
		{"coordinates", "near=37.3382,-121.8863&radius=1mi", peerfind.Query{Near: &sj, RadiusKM: kmPerMile, Sort: "distance", Page: 1, PerPage: 10}},
		{"state widens the default radius", "near=CA", peerfind.Query{Near: &orb.Point{-119.3359, 35.356}, RadiusKM: 500, Sort: "distance", Page: 1, PerPage: 10}},
		{"state keeps a given radius", "near=CA&radius=50mi", peerfind.Query{Near: &orb.Point{-119.3359, 35.356}, RadiusKM: 50 * kmPerMile, Sort: "distance", Page: 1, PerPage: 10}},
		{"filters and paging", "category=self-help-group,warmline&lang=es&lang=en&page=2&per_page=5",
			peerfind.Query{Filters: map[string][]string{"category": {"self-help-group", "warmline"}, "lang": {"es", "en"}}, Sort: "relevance", Page: 2, PerPage: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			w := e.do("GET", "/api/v1/search?"+tc.raw)
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			got, ok := e.searcher.last()
			if !ok {
				t.Fatal("searcher not called")
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(0, 1e-9), cmpopts.IgnoreFields(peerfind.Query{}, "Place")); diff != "" {
				t.Errorf("query (-want +got):\n%s", diff)
			}
			if got.Near != nil && (got.Place == nil || got.Place.Point != *got.Near) {
				t.Errorf("Place = %+v, want the place near resolved to", got.Place)
			}
		})
	}
}

func TestParseRadius(t *testing.T) {
	for _, tc := range []struct {
		in   string
		echo string
		km   float64
	}{
		{"10mi", "10mi", 16.09344},
		{"10 mi", "10mi", 16.09344},
		{"25KM", "25km", 25},
		{"15", "15mi", 24.14016},
		{"1 mile", "1mi", 1.609344},
		{"3 kilometres", "3km", 3},
		{"0.1km", "0.1km", 0.1},
		{"310mi", "310mi", 498.89664},
	} {
		echo, km, err := parseRadius(tc.in)
		if err != nil || echo != tc.echo || math.Abs(km-tc.km) > 1e-9 {
			t.Errorf("parseRadius(%q) = %q, %v, %v; want %q, %v", tc.in, echo, km, err, tc.echo, tc.km)
		}
	}
}

func TestLimitsConfigurable(t *testing.T) {
	tax := testTaxonomy(t)
	lim := (&Server{MaxPerPage: 5, DefaultPerPage: 20, MaxQueryLen: 3, DefaultRadiusKM: 10}).limits()
	p, err := parseSearchParams("near=95112", lim, tax)
	if err != nil {
		t.Fatal(err)
	}
	if p.PerPage != 5 || p.RadiusKM != 10 || p.Radius != "10km" {
		t.Errorf("got per_page %d, radius %q = %v km; want 5, 10km", p.PerPage, p.Radius, p.RadiusKM)
	}
	if _, err := parseSearchParams("q=abcd", lim, tax); err == nil {
		t.Error("q longer than MaxQueryLen accepted")
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"categroy", "category", 1}, {"kitten", "sitting", 3}, {"idioma", "lang", 6},
	} {
		if got := peerfind.EditDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("peerfind.EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
