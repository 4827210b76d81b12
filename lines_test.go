package peerfind_test

import (
	"slices"
	"testing"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

func TestNationalLinesFor(t *testing.T) {
	lines, err := data.NationalLines()
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ls []peerfind.NationalLine) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		wanted      []peerfind.TermRef
		first       string
		mustNot     []string
		wantGeneral bool
	}{
		{name: "no terms: the general lines", first: "samhsa-helpline", mustNot: []string{"trevor-project", "veterans-crisis-line", "smart-recovery-online"}, wantGeneral: true},
		{name: "gambling", wanted: []peerfind.TermRef{{Facet: peerfind.FacetCondition, ID: "gambling"}}, first: "problem-gambling-helpline"},
		{name: "veterans", wanted: []peerfind.TermRef{{Facet: peerfind.FacetPopulation, ID: "veterans"}}, first: "veterans-crisis-line"},
		{name: "lgbtq youth", wanted: []peerfind.TermRef{{Facet: peerfind.FacetPopulation, ID: "lgbtq"}, {Facet: peerfind.FacetPopulation, ID: "youth"}}, first: "trevor-project"},
		{name: "families and alcohol", wanted: []peerfind.TermRef{{Facet: peerfind.FacetPopulation, ID: "families"}, {Facet: peerfind.FacetCondition, ID: "alcohol"}}, first: "al-anon-meetings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ids(lines.For(tc.wanted, 4))
			if len(got) == 0 || got[0] != tc.first {
				t.Fatalf("For = %v, want %s first", got, tc.first)
			}
			if len(got) > 4 {
				t.Errorf("For = %d lines, want at most 4", len(got))
			}
			for _, id := range tc.mustNot {
				if slices.Contains(got, id) {
					t.Errorf("For = %v, must not offer %s", got, id)
				}
			}
			if tc.wantGeneral && !slices.Contains(got, "nami-helpline") {
				t.Errorf("For = %v, want the NAMI HelpLine among the general lines", got)
			}
		})
	}
}
