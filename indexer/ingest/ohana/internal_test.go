package ohana

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peerfind/peerfind"
)

func TestParseHours(t *testing.T) {
	week := []string{"MO", "TU", "WE", "TH", "FR"}
	rule := func(days []string, o, c string) peerfind.Schedule {
		return peerfind.Schedule{Freq: "WEEKLY", Interval: 1, ByDay: days, OpensAt: o, ClosesAt: c}
	}
	tests := []struct {
		in   string
		want []peerfind.Schedule // nil: left as text
	}{
		{"Monday-Friday, 8-5", []peerfind.Schedule{rule(week, "08:00", "17:00")}},
		{"Monday-Friday, 8:30-4:30", []peerfind.Schedule{rule(week, "08:30", "16:30")}},
		{"Monday - Friday, 9-5", []peerfind.Schedule{rule(week, "09:00", "17:00")}},
		{"Monday-Friday, 9-12, 1-5", []peerfind.Schedule{rule(week, "09:00", "12:00"), rule(week, "13:00", "17:00")}},
		{"Monday-Wednesday, 4 pm-8 pm", []peerfind.Schedule{rule([]string{"MO", "TU", "WE"}, "16:00", "20:00")}},
		{"Monday-Thursday, 8 am-9 pm; Friday, 8-6", []peerfind.Schedule{
			rule([]string{"MO", "TU", "WE", "TH"}, "08:00", "21:00"), rule([]string{"FR"}, "08:00", "18:00")}},
		{"Monday, 2-7; Tuesday, Wednesday, 11-8; Thursday-Saturday, 10-6", []peerfind.Schedule{
			rule([]string{"MO"}, "14:00", "19:00"), rule([]string{"TU", "WE"}, "11:00", "20:00"),
			rule([]string{"TH", "FR", "SA"}, "10:00", "18:00")}},
		{"Wednesday-Sunday, 12-4", []peerfind.Schedule{rule([]string{"SU", "WE", "TH", "FR", "SA"}, "12:00", "16:00")}},
		{"Daily, 10-5", []peerfind.Schedule{rule(weekOrder, "10:00", "17:00")}},
		{"24 hours daily", []peerfind.Schedule{rule(weekOrder, "00:00", "23:59")}},
		{"24-hour facility", []peerfind.Schedule{rule(weekOrder, "00:00", "23:59")}},
		{"Tuesday, 7-9", nil}, // morning or evening?
		{"By appointment", nil},
		{"Monday-Friday, 11:07-12:30 (TAPP class hours)", nil},
		{"Daily, 8 am-dusk", nil},
	}
	for _, tt := range tests {
		got, ok := parseHours(tt.in)
		if ok != (tt.want != nil) {
			t.Errorf("parseHours(%q) ok = %v", tt.in, ok)
			continue
		}
		if diff := cmp.Diff(tt.want, got); ok && diff != "" {
			t.Errorf("parseHours(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	if s := schedules("By appointment", "America/Los_Angeles"); !cmp.Equal(s, []peerfind.Schedule{{Description: "By appointment"}}) {
		t.Errorf("schedules(text) = %+v", s)
	}
}

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Self-help clinics are offered for tenants", "  are offered for tenants"},
		{"the site features self-help materials", "the site features  "},
		{"The Friends of Filoli, a volunteer support group, offers concerts", "The Friends of Filoli, a  , offers concerts"},
		{`a "warmline" for clinical consultation`, "a   consultation"},
		{"Referrals are also available for counseling and support groups.", " ."},
		{"Offers support groups for battered women", "Offers support groups for battered women"},
		{"A self-help group for families", "A self-help group for families"},
	}
	for _, tt := range tests {
		if got := mask(tt.in); got != tt.want {
			t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRoleEmail(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"jgoldstein@legalaidsmc.org"}, ""},
		{[]string{"jane.doe@x.org", "info@x.org"}, "info@x.org"},
		{[]string{"intake@x.org"}, "intake@x.org"},
		{[]string{"not an address"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := roleEmail(tt.in); got != tt.want {
			t.Errorf("roleEmail(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
