package searchd

import (
	"testing"

	"github.com/peerfind/peerfind"
)

func TestFormatSchedules(t *testing.T) {
	weekly := func(open, close string, days ...string) peerfind.Schedule {
		return peerfind.Schedule{Freq: "WEEKLY", ByDay: days, OpensAt: open, ClosesAt: close}
	}
	monthly := func(open string, days ...string) peerfind.Schedule {
		return peerfind.Schedule{Freq: "MONTHLY", ByDay: days, OpensAt: open}
	}
	text := func(s string) peerfind.Schedule { return peerfind.Schedule{Description: s} }
	for _, tc := range []struct {
		name   string
		in     []peerfind.Schedule
		en, es string
	}{
		{"none", nil, "", ""},
		{"brief example", []peerfind.Schedule{weekly("19:30", "", "MO", "WE"), weekly("10:00", "", "SA")},
			"Mon, Wed 7:30 PM; Sat 10:00 AM", "lun, mié 19:30; sáb 10:00"},
		{"one rule per day is merged", []peerfind.Schedule{weekly("19:30", "", "WE"), weekly("10:00", "", "SA"), weekly("19:30", "", "MO")},
			"Mon, Wed 7:30 PM; Sat 10:00 AM", "lun, mié 19:30; sáb 10:00"},
		{"groups ordered by first day", []peerfind.Schedule{weekly("10:00", "", "SA"), weekly("07:00", "", "SU"), weekly("12:00", "", "TU")},
			"Tue 12:00 PM; Sat 10:00 AM; Sun 7:00 AM", "mar 12:00; sáb 10:00; dom 7:00"},
		{"same first day ordered by time", []peerfind.Schedule{weekly("19:00", "", "MO"), weekly("07:00", "", "MO")},
			"Mon 7:00 AM; Mon 7:00 PM", "lun 7:00; lun 19:00"},
		{"weekday range", []peerfind.Schedule{weekly("09:00", "17:00", "MO", "TU", "WE", "TH", "FR")},
			"Mon–Fri 9:00 AM–5:00 PM", "lun–vie 9:00–17:00"},
		{"range and singles", []peerfind.Schedule{weekly("09:00", "", "SU", "MO", "TU", "WE", "FR")},
			"Mon–Wed, Fri, Sun 9:00 AM", "lun–mié, vie, dom 9:00"},
		{"two days are not a range", []peerfind.Schedule{weekly("18:00", "", "SA", "SU")},
			"Sat, Sun 6:00 PM", "sáb, dom 18:00"},
		{"daily", []peerfind.Schedule{weekly("00:00", "23:59", "MO", "TU", "WE", "TH", "FR", "SA", "SU")},
			"Daily 12:00 AM–11:59 PM", "todos los días 0:00–23:59"},
		{"same half of day", []peerfind.Schedule{weekly("18:00", "19:30", "TH")},
			"Thu 6:00–7:30 PM", "jue 18:00–19:30"},
		{"noon and midnight", []peerfind.Schedule{weekly("12:00", "00:30", "FR")},
			"Fri 12:00 PM–12:30 AM", "vie 12:00–0:30"},
		{"duplicate days", []peerfind.Schedule{weekly("08:00", "", "MO", "MO"), weekly("08:00", "", "MO")},
			"Mon 8:00 AM", "lun 8:00"},
		{"every other week", []peerfind.Schedule{{Freq: "WEEKLY", Interval: 2, ByDay: []string{"TH"}, OpensAt: "19:00"}},
			"Thu 7:00 PM (every 2 weeks)", "jue 19:00 (cada 2 semanas)"},
		{"monthly ordinals", []peerfind.Schedule{{Freq: "MONTHLY", ByDay: []string{"4TU", "2TU"}, OpensAt: "18:00", ClosesAt: "19:30"}},
			"2nd & 4th Tue 6:00–7:30 PM", "2.º y 4.º mar 18:00–19:30"},
		{"monthly last", []peerfind.Schedule{monthly("19:00", "-1FR", "1MO")},
			"1st Mon, last Fri 7:00 PM", "1.er lun, último vie 19:00"},
		{"weekly before monthly", []peerfind.Schedule{monthly("10:00", "1SA"), weekly("19:00", "", "WE")},
			"Wed 7:00 PM; 1st Sat 10:00 AM", "mié 19:00; 1.er sáb 10:00"},
		{"monthly on plain days is weekly", []peerfind.Schedule{monthly("10:00", "SA")},
			"Sat 10:00 AM", "sáb 10:00"},
		{"every other month", []peerfind.Schedule{{Freq: "MONTHLY", Interval: 2, ByDay: []string{"3WE"}, OpensAt: "18:00"}},
			"3rd Wed 6:00 PM (every 2 months)", "3.er mié 18:00 (cada 2 meses)"},
		{"days without time", []peerfind.Schedule{weekly("", "", "MO", "WE")},
			"Mon, Wed", "lun, mié"},
		{"time without days", []peerfind.Schedule{weekly("09:00", "12:00")},
			"9:00 AM–12:00 PM", "9:00–12:00"},
		{"free text only", []peerfind.Schedule{text("Monday-Friday,\n 8-5"), text("Closed on holidays"), text("Closed on holidays")},
			"Monday-Friday, 8-5; Closed on holidays", "Monday-Friday, 8-5; Closed on holidays"},
		{"rules win over free text", []peerfind.Schedule{text("Thursday evenings"), weekly("19:00", "", "TH")},
			"Thu 7:00 PM", "jue 19:00"},
		{"rule without days or time falls back to its text", []peerfind.Schedule{{Freq: "WEEKLY", Description: "Weekly, call for times"}},
			"Weekly, call for times", "Weekly, call for times"},
		{"lower-case and junk are tolerated", []peerfind.Schedule{{Freq: "weekly", ByDay: []string{"mo", "XX", "9MO", ""}, OpensAt: "7pm"}},
			"Mon", "lun"},
		{"bad times are dropped", []peerfind.Schedule{weekly("24:00", "25:61", "SU"), weekly("+1:00", "-1:00", "SA")},
			"Sat, Sun", "sáb, dom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatSchedules(tc.in, "en"); got != tc.en {
				t.Errorf("en: got %q, want %q", got, tc.en)
			}
			if got := FormatSchedules(tc.in, "es"); got != tc.es {
				t.Errorf("es: got %q, want %q", got, tc.es)
			}
		})
	}
	if got, want := FormatSchedules([]peerfind.Schedule{weekly("19:30", "", "MO")}, "de"), "Mon 7:30 PM"; got != want {
		t.Errorf("unknown ui: got %q, want %q (English)", got, want)
	}
}
