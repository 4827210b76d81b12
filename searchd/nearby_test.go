package searchd

import (
	"testing"
	"time"

	"github.com/peerfind/peerfind"
)

func TestConvertSchedules(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	la, _ := time.LoadLocation("America/Los_Angeles")
	hi, _ := time.LoadLocation("Pacific/Honolulu")
	winter := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 6, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		in      peerfind.Schedule
		to      *time.Location
		ref     time.Time
		want    string // FormatSchedules of the result
		changed bool
	}{
		{"New York evening in Los Angeles", peerfind.Schedule{Freq: "WEEKLY", ByDay: []string{"MO", "TH"}, OpensAt: "21:00", ClosesAt: "22:00", Timezone: "America/New_York"}, la, winter, "Mon, Thu 6:00–7:00 PM", true},
		{"late Los Angeles meeting is the next day in New York", peerfind.Schedule{Freq: "WEEKLY", ByDay: []string{"MO"}, OpensAt: "23:00", Timezone: "America/Los_Angeles"}, ny, winter, "Tue 2:00 AM", true},
		{"Honolulu has no DST: 3 hours behind LA in summer", peerfind.Schedule{Freq: "WEEKLY", ByDay: []string{"SA"}, OpensAt: "10:00", Timezone: "America/Los_Angeles"}, hi, summer, "Sat 7:00 AM", true},
		{"monthly keeps its ordinal", peerfind.Schedule{Freq: "MONTHLY", ByDay: []string{"2TU"}, OpensAt: "19:00", Timezone: "America/New_York"}, la, winter, "2nd Tue 4:00 PM", true},
		{"same zone unchanged", peerfind.Schedule{Freq: "WEEKLY", ByDay: []string{"WE"}, OpensAt: "19:00", Timezone: "America/Los_Angeles"}, la, winter, "Wed 7:00 PM", false},
		{"no zone kept", peerfind.Schedule{Freq: "WEEKLY", ByDay: []string{"WE"}, OpensAt: "19:00"}, la, winter, "Wed 7:00 PM", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, changed := ConvertSchedules([]peerfind.Schedule{tc.in}, tc.to, tc.ref)
			if got := FormatSchedules(out, "en"); got != tc.want || changed != tc.changed {
				t.Errorf("ConvertSchedules = %q (changed %v), want %q (%v)", got, changed, tc.want, tc.changed)
			}
		})
	}
}

func TestShiftDay(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{{"MO", 1, "TU"}, {"SU", 1, "MO"}, {"MO", -1, "SU"}, {"2TU", 1, "2WE"}, {"-1FR", -1, "-1TH"}, {"X", 1, "X"}} {
		if got := shiftDay(tc.in, tc.n); got != tc.want {
			t.Errorf("shiftDay(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
