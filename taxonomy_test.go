package peerfind_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

func refs(rs []peerfind.TermRef) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	sort.Strings(out)
	return out
}

func TestShippedTaxonomy(t *testing.T) {
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"self-help-group", "internet-support-group", "peer-delivered-service", "peer-run-organization",
		"peer-partnership", "peer-employee-program", "warmline", "peer-respite", "recovery-community-organization", "drop-in-center"} {
		if tax.Term(peerfind.FacetCategory, id) == nil {
			t.Errorf("category %q missing", id)
		}
	}
	for _, id := range []string{"emotional", "informational", "instrumental", "affiliational"} {
		if tax.Term(peerfind.FacetSupport, id) == nil {
			t.Errorf("support type %q missing", id)
		}
	}
	for _, id := range []string{"lgbtq", "black", "latinx", "indigenous", "people-of-color", "veterans", "youth", "young-adults", "seniors", "women", "men", "families"} {
		if tax.Term(peerfind.FacetPopulation, id) == nil {
			t.Errorf("population %q missing", id)
		}
	}
	for _, f := range tax.Facets {
		for _, term := range f.Terms {
			if term.LabelFor("es") == "" || term.LabelFor("en") == "" {
				t.Errorf("%s:%s lacks a label", f.ID, term.ID)
			}
		}
	}
}

func TestMeetingGuideTypes(t *testing.T) {
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		code string
		want []string
	}{
		{"S", []string{"lang:es"}},
		{"W", []string{"population:women"}},
		{"LGBTQ", []string{"population:lgbtq"}},
		{"POC", []string{"population:people-of-color"}},
		{"Y", []string{"population:young-adults"}}, // "Young People" meetings are mostly adults
		{"ONL", []string{"attendance:online", "category:internet-support-group"}},
		{"ASL", []string{"lang:ase", "population:deaf-hard-of-hearing"}},
		{"DD", []string{"condition:co-occurring"}},
		{"s", nil}, // codes are case-sensitive
		{"NOPE", nil},
	} {
		if diff := cmp.Diff(tc.want, refs(tax.MeetingGuideType(tc.code)), cmp.Comparer(func(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") })); diff != "" {
			t.Errorf("MeetingGuideType(%q) (-want +got):\n%s", tc.code, diff)
		}
	}
}

func TestClassify(t *testing.T) {
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Santa Clara County Warm Line", []string{"category:warmline"}},
		{"12-Step meeting of Alcoholics Anonymous", []string{"category:self-help-group", "condition:alcohol", "condition:substance-use"}},
		{"WRAP and Hearing Voices groups", []string{"category:self-help-group", "condition:psychosis-voices"}},
		{"SMART Recovery", []string{"category:self-help-group", "condition:substance-use"}},
		{"Al-Anon Family Groups", []string{"category:family-support-group", "category:self-help-group", "condition:alcohol", "condition:substance-use", "population:families"}},
		{"Peninsula Humane Society", nil},    // "peer" is not in "Peninsula"
		{"Depresión y ansiedad", []string{}}, // Spanish synonyms are for queries, not matches
		{"Grupo de DBSA", []string{"category:self-help-group", "condition:depression-bipolar"}},
	} {
		got := refs(tax.Classify(tc.text))
		if len(tc.want) == 0 && len(got) == 0 {
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Classify(%q) (-want +got):\n%s", tc.text, diff)
		}
	}
}

func TestApplyFollowsImplications(t *testing.T) {
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	var s peerfind.Service
	tax.Apply(&s, peerfind.TermRef{Facet: "category", ID: "warmline"}, peerfind.TermRef{Facet: "category", ID: "warmline"}, peerfind.TermRef{Facet: "condition", ID: "co-occurring"})
	want := peerfind.Service{
		Categories:   []string{"warmline"},
		SupportTypes: []string{"emotional"},
		Attendance:   []string{"phone"},
		Conditions:   []string{"co-occurring", "mental-health", "substance-use"},
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("Apply (-want +got):\n%s", diff)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"  Depresión  Grave ": "depresion grave", "ALCOHÓLICOS Anónimos": "alcoholicos anonimos", "": "",
		// ASCII, folded already or not.
		"living sober": "living sober", "Living  Sober": "living sober", " living sober": "living sober",
		"living sober ": "living sober", "living\tsober\n": "living sober", "AA": "aa", " ": "", "a": "a",
		"12 & 12 step-study": "12 & 12 step-study", "x\vy\fz\r": "x y z",
	} {
		if got := peerfind.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzFoldASCII holds Fold's ASCII path to the general one: lower case,
// white space collapsed, nothing else changed.
func FuzzFoldASCII(f *testing.F) {
	for _, s := range []string{"Living Sober", "  a\tB  c ", "x\x0by", "", "already folded"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return
			}
		}
		want := strings.Join(strings.Fields(strings.ToLower(s)), " ")
		if got := peerfind.Fold(s); got != want {
			t.Errorf("Fold(%q) = %q, want %q", s, got, want)
		}
	})
}

func BenchmarkClassify(b *testing.B) {
	tax, err := data.Taxonomy()
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("Provides advice and information regarding planning for disasters, peer support groups and a warm line. ", 10)
	b.ReportAllocs()
	for b.Loop() {
		tax.Classify(text)
	}
}

func TestResolve(t *testing.T) {
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ facet, in, want string }{
		{"lang", "es", "es"},
		{"lang", "ES", "es"},
		{"lang", "Spanish", "es"},
		{"lang", "español", "es"},
		{"category", "Warm Line", "warmline"},
		{"population", "mujeres", "women"},
		{"lang", "klingon", ""},
		{"lang", "", ""},
	} {
		got := ""
		if term := tax.Facet(tc.facet).Resolve(tc.in); term != nil {
			got = term.ID
		}
		if got != tc.want {
			t.Errorf("Resolve(%s, %q) = %q, want %q", tc.facet, tc.in, got, tc.want)
		}
	}
}
