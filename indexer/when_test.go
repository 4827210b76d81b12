package indexer

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peerfind/peerfind"
)

func TestSearchWhen(t *testing.T) {
	idx, _, _ := mustBuild(t)
	la, _ := time.LoadLocation("America/Los_Angeles")
	ny, _ := time.LoadLocation("America/New_York")
	monLA := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, la) } // a Monday
	mondays := []string{"on-1", "ph-2", "sf-1", "sj-1", "sj-2", "sj-3", "sj-4"}
	for _, tc := range []struct {
		name    string
		q       peerfind.Query
		want    []string
		inOrder bool
	}{
		{"day", peerfind.Query{Days: []string{"TU"}}, []string{"ph-1"}, false},
		{"two days", peerfind.Query{Days: []string{"TU", "MO"}}, append([]string{"ph-1"}, mondays...), false},
		{"time of day", peerfind.Query{TimesOfDay: []string{"evening"}}, append([]string{"ph-1"}, mondays...), false},
		{"day and time", peerfind.Query{Days: []string{"TU"}, TimesOfDay: []string{"morning"}}, nil, false},
		{"open now", peerfind.Query{OpenNow: true, Now: monLA(19, 30)}, mondays, false},
		{"not open yet", peerfind.Query{OpenNow: true, Now: monLA(18, 30)}, nil, false},
		// Philadelphia's Tuesday 18:30 Eastern is Tuesday 15:30 Pacific.
		{"open now, other zone", peerfind.Query{OpenNow: true, Now: time.Date(2026, 11, 24, 15, 45, 0, 0, la)}, []string{"ph-1"}, false},
		// After Monday's meetings, Tuesday's in Philadelphia is next; the
		// window wraps past midnight.
		{"upcoming", peerfind.Query{Upcoming: true, Now: monLA(20, 30)}, []string{"ph-1"}, true},
		{"upcoming, soonest first", peerfind.Query{Upcoming: true, Now: time.Date(2026, 11, 23, 8, 0, 0, 0, ny), PerPage: 20},
			append(mondays[:0:0], mondays...), false},
		{"upcoming, in order", peerfind.Query{Upcoming: true, Text: "respite", Now: monLA(10, 0), PerPage: 20}, []string{"ph-2"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := idx.Search(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(res)
			if !tc.inOrder {
				sort.Strings(got)
				sort.Strings(tc.want)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}

	// Each hit says when it meets next, in the searcher's zone.
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, ny) // Monday 9:00 in LA
	res, err := idx.Search(context.Background(), peerfind.Query{Text: "respite", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.Service.ID != "ph-2" {
			continue
		}
		want := time.Date(2026, 11, 23, 22, 0, 0, 0, ny) // 19:00 Pacific
		if h.NextMeeting == nil || !h.NextMeeting.Equal(want) || h.NextMeeting.Location() != ny {
			t.Errorf("ph-2 next meeting %v, want %v", h.NextMeeting, want)
		}
	}
}

// TestSlotToken checks the hand-built token against the format it
// replaces, for every day and minute of the day.
func TestSlotToken(t *testing.T) {
	for _, zone := range []string{"America/New_York", "UTC", "America/Argentina/Buenos_Aires"} {
		for wd := range peerfind.Weekdays {
			for m := 0; m < 24*60; m++ {
				s := m - m%slotMinutes
				want := fmt.Sprintf("%s|%s|%02d:%02d", zone, peerfind.Weekdays[wd], s/60, s%60)
				if got := slotToken(zone, wd, m); got != want {
					t.Fatalf("slotToken(%q, %d, %d) = %q, want %q", zone, wd, m, got, want)
				}
			}
		}
	}
}
