package peerfind

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// The parts of the day of the time filter, by local start time: morning
// 5:00–11:59, afternoon 12:00–16:59, evening 17:00–20:59, night
// 21:00–4:59.
const (
	Morning   = "morning"
	Afternoon = "afternoon"
	Evening   = "evening"
	Night     = "night"
)

// DayParts lists the parts of the day in order.
var DayParts = []string{Morning, Afternoon, Evening, Night}

// Weekdays are the RFC 5545 day codes, Sunday first as time.Weekday.
var Weekdays = []string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// DayPart returns the part of the day of a local time of day, given in
// minutes after midnight.
func DayPart(minutes int) string {
	switch {
	case minutes >= 5*60 && minutes < 12*60:
		return Morning
	case minutes >= 12*60 && minutes < 17*60:
		return Afternoon
	case minutes >= 17*60 && minutes < 21*60:
		return Evening
	}
	return Night
}

// DefaultMeetingLength is the length assumed for a schedule without an
// end time.
const DefaultMeetingLength = time.Hour

// Clock returns the schedule's local start time in minutes after
// midnight, its length, and its time zone; ok is false when the schedule
// has no start time or no known time zone.
func (s Schedule) Clock() (start int, length time.Duration, loc *time.Location, ok bool) {
	start, ok = clockMinutes(s.OpensAt)
	if !ok || len(s.ByDay) == 0 {
		return 0, 0, nil, false
	}
	loc = location(s.Timezone)
	if loc == nil {
		return 0, 0, nil, false
	}
	length = DefaultMeetingLength
	if end, ok := clockMinutes(s.ClosesAt); ok && end != start {
		// An end equal to the start is a feed's placeholder, not a day.
		d := end - start
		if d < 0 {
			d += 24 * 60 // past midnight
		}
		length = time.Duration(d) * time.Minute
	}
	return start, length, loc, true
}

// Days returns the schedule's weekdays ("MO"...) without ordinals.
func (s Schedule) Days() []string {
	var out []string
	for _, d := range s.ByDay {
		_, wd, ok := parseByDay(d)
		if ok {
			out = append(out, Weekdays[wd])
		}
	}
	return out
}

// Next returns the first meeting of the schedule that has not ended at t:
// the one in session, or the next to start. Weekly rules repeat every
// week (an interval above 1 is taken as weekly, since feeds give no
// anchor date); monthly rules follow their ordinals ("2TU", "-1FR"). The
// times are in the schedule's time zone. ok is false for a schedule
// without days, a start time or a known time zone.
func (s Schedule) Next(t time.Time) (start, end time.Time, ok bool) {
	minutes, length, loc, ok := s.Clock()
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	local := t.In(loc)
	y, m, d := local.Date()
	monthly := strings.EqualFold(s.Freq, "MONTHLY")
	// From yesterday (a meeting past midnight may still be in session)
	// through two months ahead (a monthly rule).
	for i := -1; i <= 62; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		for _, bd := range s.ByDay {
			n, wd, ok := parseByDay(bd)
			if !ok || day.Weekday() != wd {
				continue
			}
			if monthly && n != 0 && !nthWeekday(day, n) {
				continue
			}
			st := time.Date(day.Year(), day.Month(), day.Day(), minutes/60, minutes%60, 0, 0, loc)
			if en := st.Add(length); en.After(t) {
				return st, en, true
			}
		}
	}
	return time.Time{}, time.Time{}, false
}

// NextMeeting returns the earliest Next of the schedules.
func (s *Service) NextMeeting(t time.Time) (start, end time.Time, ok bool) {
	for _, sc := range s.Schedules {
		if st, en, found := sc.Next(t); found && (!ok || st.Before(start)) {
			start, end, ok = st, en, true
		}
	}
	return start, end, ok
}

// nthWeekday reports whether day is the nth of its weekday in its month
// (n < 0 counts from the end).
func nthWeekday(day time.Time, n int) bool {
	if n > 0 {
		return (day.Day()-1)/7+1 == n
	}
	last := time.Date(day.Year(), day.Month()+1, 0, 0, 0, 0, 0, day.Location()).Day()
	return (last-day.Day())/7+1 == -n
}

// parseByDay reads an RFC 5545 BYDAY value: "TU", "2TU", "-1FR".
func parseByDay(s string) (n int, wd time.Weekday, ok bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) < 2 {
		return 0, 0, false
	}
	code := s[len(s)-2:]
	found := false
	for i, w := range Weekdays {
		if w == code {
			wd, found = time.Weekday(i), true
		}
	}
	if !found {
		return 0, 0, false
	}
	if num := s[:len(s)-2]; num != "" {
		v, err := strconv.Atoi(strings.TrimPrefix(num, "+"))
		if err != nil || v == 0 || v < -5 || v > 5 {
			return 0, 0, false
		}
		n = v
	}
	return n, wd, true
}

func clockMinutes(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 {
		return 0, false
	}
	return (hh*60 + mm) % (24 * 60), true
}

var locations sync.Map // IANA name -> *time.Location, for the zones that load

// location loads an IANA time zone once (LoadLocation), or nil.
func location(name string) *time.Location {
	if name == "" {
		return nil
	}
	loc, err := LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

// LoadLocation is time.LoadLocation remembered: it reads and parses the
// zone's file at every call, which was a tenth of what a search
// allocated. Only the zones that load are remembered, so names from a
// query string cannot grow the memory past the zones there are.
func LoadLocation(name string) (*time.Location, error) {
	if v, ok := locations.Load(name); ok {
		return v.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, loc)
	return loc, nil
}
