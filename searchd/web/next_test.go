package web

import "testing"

func TestNextMeeting(t *testing.T) {
	for _, tc := range []struct{ in, ui, want string }{
		{"2026-11-28T09:30:00-05:00", "en", "Sat, Nov 28, 9:30 AM"},
		{"2026-11-28T19:05:00-08:00", "es", "sáb 28 nov, 19:05"},
		{"", "en", ""},
		{"<script>", "en", ""},
	} {
		if got := nextMeeting(tc.in, tc.ui); got != tc.want {
			t.Errorf("nextMeeting(%q, %s) = %q, want %q", tc.in, tc.ui, got, tc.want)
		}
	}
}
