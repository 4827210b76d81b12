package searchd

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSearchWhenParams(t *testing.T) {
	e := newTestEnv(t)
	w := e.do("GET", "/api/v1/search?q=grief&day=lunes,TU&day=2&time=Evening,noche&open_now=true&upcoming=1&tz=America/New_York")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	q, ok := e.searcher.last()
	if !ok {
		t.Fatal("no search")
	}
	if diff := cmp.Diff([]string{"MO", "TU"}, q.Days); diff != "" {
		t.Errorf("days (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"evening"}, q.TimesOfDay); diff != "" {
		t.Errorf("times (-want +got):\n%s", diff)
	}
	want := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC) // the test clock, 12:00 UTC, in New York
	if !q.OpenNow || !q.Upcoming || q.Now.Location().String() != "America/New_York" || q.Now.Hour() != want.Hour() {
		t.Errorf("open_now %v upcoming %v now %v", q.OpenNow, q.Upcoming, q.Now)
	}
	for _, s := range []string{`"day":["MO","TU"]`, `"time":["evening"]`, `"open_now":true`, `"upcoming":true`, `"tz":"America/New_York"`} {
		if !strings.Contains(w.Body.String(), s) {
			t.Errorf("echo lacks %s: %s", s, w.Body)
		}
	}
	for _, tc := range []struct{ target, param string }{
		{"/api/v1/search?day=someday", "day"},
		{"/api/v1/search?time=brunch", "time"},
		{"/api/v1/search?open_now=maybe", "open_now"},
		{"/api/v1/search?tz=Mars/Olympus", "tz"},
		{"/api/v1/search?tz=../../etc/passwd", "tz"},
		{"/api/v1/search?tz=Local", "tz"},
	} {
		w := e.do("GET", tc.target)
		if w.Code != 400 || !strings.Contains(w.Body.String(), `"param":"`+tc.param+`"`) {
			t.Errorf("%s: %d %s; want a 400 on %s", tc.target, w.Code, w.Body, tc.param)
		}
	}
}
