package peerfind_test

import (
	"testing"
	"time"

	"github.com/peerfind/peerfind"
)

func TestScheduleNext(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, la)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// 2026-11-23 is a Monday.
	for _, tc := range []struct {
		name      string
		s         peerfind.Schedule
		now, want string
	}{
		{"later today", peerfind.Schedule{Freq: "WEEKLY", ByDay: []string{"MO"}, OpensAt: "19:00", ClosesAt: "20:00", Timezone: "America/Los_Angeles"}, "2026-11-23 10:00", "2026-11-23 19:00"},
		{"in session", peerfind.Schedule{Freq: "WEEKLY", ByDay: []string{"MO"}, OpensAt: "19:00", ClosesAt: "20:00", Timezone: "America/Los_Angeles"}, "2026-11-23 19:30", "2026-11-23 19:00"},
		{"wraps the week end", peerfind.Schedule{Freq: "WEEKLY", ByDay: []string{"SU"}, OpensAt: "08:00", Timezone: "America/Los_Angeles"}, "2026-11-23 10:00", "2026-11-29 08:00"},
		{"past midnight, still in session", peerfind.Schedule{Freq: "WEEKLY", ByDay: []string{"SU"}, OpensAt: "23:30", ClosesAt: "01:00", Timezone: "America/Los_Angeles"}, "2026-11-23 00:30", "2026-11-22 23:30"},
		{"second Tuesday", peerfind.Schedule{Freq: "MONTHLY", ByDay: []string{"2TU"}, OpensAt: "18:00", Timezone: "America/Los_Angeles"}, "2026-11-23 10:00", "2026-12-08 18:00"},
		{"last Friday", peerfind.Schedule{Freq: "MONTHLY", ByDay: []string{"-1FR"}, OpensAt: "18:00", Timezone: "America/Los_Angeles"}, "2026-11-23 10:00", "2026-11-27 18:00"},
		{"an end equal to the start lasts an hour", peerfind.Schedule{Freq: "WEEKLY", ByDay: []string{"SU"}, OpensAt: "10:00", ClosesAt: "10:00", Timezone: "America/Los_Angeles"}, "2026-11-23 06:00", "2026-11-29 10:00"},
		{"another zone", peerfind.Schedule{Freq: "WEEKLY", ByDay: []string{"MO"}, OpensAt: "19:00", Timezone: "America/New_York"}, "2026-11-23 10:00", "2026-11-23 16:00"},
	} {
		got, _, ok := tc.s.Next(at(tc.now))
		if !ok || !got.Equal(at(tc.want)) {
			t.Errorf("%s: Next = %v, %v; want %s", tc.name, got.In(la), ok, tc.want)
		}
	}
	if _, _, ok := (peerfind.Schedule{Description: "call"}).Next(time.Now()); ok {
		t.Error("a free-text schedule has a next meeting")
	}
	for m, want := range map[int]string{0: "night", 5 * 60: "morning", 12 * 60: "afternoon", 19 * 60: "evening", 21 * 60: "night"} {
		if got := peerfind.DayPart(m); got != want {
			t.Errorf("DayPart(%d) = %s, want %s", m, got, want)
		}
	}
}
