package searchd

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/peerfind/peerfind"
)

// whenParams are the meeting-time parameters of a search.
type whenParams struct {
	// Days are RFC 5545 day codes ("MO"), TimesOfDay parts of the day
	// ("evening"), both in the services' local time.
	Days, TimesOfDay []string
	// OpenNow and Upcoming are the open_now and upcoming flags.
	OpenNow, Upcoming bool
	// TZ is the searcher's IANA time zone as given, Loc the zone; nil
	// when tz is absent (times are then given in each service's zone).
	TZ  string
	Loc *time.Location
}

// dayNames maps what a client may send for a day to its code.
var dayNames = map[string]string{
	"su": "SU", "sun": "SU", "sunday": "SU", "domingo": "SU", "0": "SU",
	"mo": "MO", "mon": "MO", "monday": "MO", "lunes": "MO", "1": "MO",
	"tu": "TU", "tue": "TU", "tuesday": "TU", "martes": "TU", "2": "TU",
	"we": "WE", "wed": "WE", "wednesday": "WE", "miercoles": "WE", "3": "WE",
	"th": "TH", "thu": "TH", "thursday": "TH", "jueves": "TH", "4": "TH",
	"fr": "FR", "fri": "FR", "friday": "FR", "viernes": "FR", "5": "FR",
	"sa": "SA", "sat": "SA", "saturday": "SA", "sabado": "SA", "6": "SA",
}

// timeNames maps a part of the day, in English or Spanish, to its id.
var timeNames = map[string]string{
	"morning": peerfind.Morning, "manana": peerfind.Morning,
	"afternoon": peerfind.Afternoon, "tarde": peerfind.Afternoon,
	"evening": peerfind.Evening, "noche": peerfind.Evening,
	"night": peerfind.Night, "madrugada": peerfind.Night,
}

// parseWhen reads day and time (repeatable, comma-separated; day as
// "MO", "monday", "lunes" or 0–6 with 0 for Sunday as Meeting Guide
// counts), open_now, upcoming and tz.
func parseWhen(v url.Values, single func(string) (string, error), max int) (whenParams, error) {
	var w whenParams
	list := func(name string, names map[string]string, valid string) ([]string, error) {
		var out []string
		n := 0
		for _, raw := range v[name] {
			for _, s := range strings.Split(raw, ",") {
				s = strings.TrimSpace(s)
				if s == "" {
					continue
				}
				if n++; n > max {
					return nil, invalidParam(name, "%s has more than %d values", name, max)
				}
				id, ok := names[peerfind.Fold(s)]
				if !ok {
					return nil, invalidParam(name, "%s has the unknown value %q; valid values are %s", name, clipRunes(strings.ToValidUTF8(s, "�"), 40), valid)
				}
				if !slices.Contains(out, id) {
					out = append(out, id)
				}
			}
		}
		return out, nil
	}
	var err error
	if w.Days, err = list("day", dayNames, "MO, TU, WE, TH, FR, SA, SU (or monday…, lunes…, 0–6 from Sunday)"); err != nil {
		return w, err
	}
	if w.TimesOfDay, err = list("time", timeNames, "morning, afternoon, evening, night"); err != nil {
		return w, err
	}
	flag := func(name string) (bool, error) {
		s, err := single(name)
		if err != nil {
			return false, err
		}
		switch strings.ToLower(s) {
		case "", "false", "0", "no":
			return false, nil
		case "true", "1", "yes":
			return true, nil
		}
		return false, invalidParam(name, "%s must be true or false", name)
	}
	if w.OpenNow, err = flag("open_now"); err != nil {
		return w, err
	}
	if w.Upcoming, err = flag("upcoming"); err != nil {
		return w, err
	}
	tz, err := single("tz")
	if err != nil {
		return w, err
	}
	if tz != "" {
		// time.LoadLocation also reads files: only IANA-shaped names.
		loc, err := peerfind.LoadLocation(tz)
		if err != nil || len(tz) > 64 || strings.Contains(tz, "..") || strings.HasPrefix(tz, "/") || strings.EqualFold(tz, "local") {
			return w, invalidParam("tz", "tz must be an IANA time zone such as America/Los_Angeles")
		}
		w.TZ, w.Loc = tz, loc
	}
	return w, nil
}

// applyWhen copies the meeting-time parameters into the query, with the
// searcher's clock when it matters.
func applyWhen(q *peerfind.Query, w whenParams, now time.Time) {
	q.Days, q.TimesOfDay, q.OpenNow, q.Upcoming = w.Days, w.TimesOfDay, w.OpenNow, w.Upcoming
	if !w.OpenNow && !w.Upcoming && w.Loc == nil {
		return // the searcher's clock does not matter: the index's will do
	}
	if w.Loc != nil {
		now = now.In(w.Loc)
	}
	q.Now = now
}

// nextMeeting formats a hit's next meeting (RFC 3339) in the searcher's
// zone, or without tz in the service's own zone.
func nextMeeting(h peerfind.Hit, w whenParams) string {
	if h.NextMeeting == nil {
		return ""
	}
	t := *h.NextMeeting
	if w.Loc == nil && h.Service != nil {
		if loc, err := peerfind.LoadLocation(scheduleTimezone(h.Service.Schedules)); err == nil {
			t = t.In(loc)
		}
	}
	return t.Format(time.RFC3339)
}
