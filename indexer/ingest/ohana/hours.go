package ohana

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/peerfind/peerfind"
)

// The directory writes opening hours as "Monday-Friday, 8-5",
// "Monday-Friday, 9-12, 1-5", "Monday, 2-7; Tuesday, Wednesday, 11-8" or
// "24 hours daily". schedules turns the text into weekly rules when every
// part of it reads unambiguously, and always keeps the text as the
// schedules' description. Hours without am/pm are read the way office
// hours are written: "8-5" is 8:00-17:00, "9-12" 9:00-12:00, "1-5"
// 13:00-17:00; "7-9", which could be morning or evening, is left as text.

const dayPat = `(?:sunday|monday|tuesday|wednesday|thursday|friday|saturday|sun|mon|tues|tue|wed|thurs|thur|thu|fri|sat)\.?`

var (
	dayItemPat = dayPat + `(?:\s*-\s*` + dayPat + `)?`
	daysPat    = `(daily|every day|7 days(?: a week)?|` + dayItemPat + `(?:\s*,\s*` + dayItemPat + `)*)`
	timePat    = `(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?|noon)`
	rangePat   = timePat + `\s*-\s*` + timePat
	rangesPat  = `(` + rangePat + `(?:\s*,\s*` + rangePat + `)*)`

	segmentRe  = regexp.MustCompile(`^` + daysPat + `\s*,?\s*` + rangesPat + `$`)
	dayItemRe  = regexp.MustCompile(dayItemPat)
	dayRe      = regexp.MustCompile(dayPat)
	rangeRe    = regexp.MustCompile(`(` + timePat + `)\s*-\s*(` + timePat + `)`)
	timeRe     = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$`)
	allDayRe   = regexp.MustCompile(`^24[- ]hours?( daily| a day| facility| service|,? 7 days( a week)?)?\.?$`)
	weekOrder  = []string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}
	dayIndexes = map[string]int{"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
)

// schedules turns opening hours text into weekly rules in the zone tz, or
// into one free-text schedule when the text does not read unambiguously.
func schedules(text, tz string) []peerfind.Schedule {
	if text == "" {
		return nil
	}
	if rules, ok := parseHours(text); ok {
		for i := range rules {
			rules[i].Timezone = tz
			rules[i].Description = text
		}
		return rules
	}
	return []peerfind.Schedule{{Description: text}}
}

// parseHours reads the text into weekly rules, or reports false.
func parseHours(text string) ([]peerfind.Schedule, bool) {
	t := strings.ToLower(strings.TrimSpace(text))
	if allDayRe.MatchString(t) {
		return []peerfind.Schedule{{Freq: "WEEKLY", Interval: 1, ByDay: weekOrder, OpensAt: "00:00", ClosesAt: "23:59"}}, true
	}
	var out []peerfind.Schedule
	for _, seg := range strings.Split(t, ";") {
		m := segmentRe.FindStringSubmatch(strings.TrimSpace(seg))
		if m == nil {
			return nil, false
		}
		days, ok := parseDays(m[1])
		if !ok {
			return nil, false
		}
		for _, r := range rangeRe.FindAllStringSubmatch(m[2], -1) {
			opens, closes, ok := parseRange(r[1], r[2])
			if !ok {
				return nil, false
			}
			out = append(out, peerfind.Schedule{Freq: "WEEKLY", Interval: 1, ByDay: days, OpensAt: opens, ClosesAt: closes})
		}
	}
	return out, len(out) > 0
}

// parseDays reads "monday-friday", "tuesday, wednesday" or "daily".
func parseDays(s string) ([]string, bool) {
	switch s {
	case "daily", "every day", "7 days", "7 days a week":
		return weekOrder, true
	}
	var set [7]bool
	for _, item := range dayItemRe.FindAllString(s, -1) {
		ds := dayRe.FindAllString(item, -1)
		first, ok1 := dayIndex(ds[0])
		last, ok2 := first, true
		if len(ds) > 1 {
			last, ok2 = dayIndex(ds[1])
		}
		if !ok1 || !ok2 {
			return nil, false
		}
		for d := first; ; d = (d + 1) % 7 {
			set[d] = true
			if d == last {
				break
			}
		}
	}
	var out []string
	for d, on := range set {
		if on {
			out = append(out, weekOrder[d])
		}
	}
	return out, len(out) > 0
}

func dayIndex(s string) (int, bool) {
	s = strings.TrimSuffix(s, ".")
	if len(s) < 3 {
		return 0, false
	}
	d, ok := dayIndexes[s[:3]]
	return d, ok
}

// clock is a time as written: hour 1-12 (or 0-23 with no marker) and
// minutes, with "am", "pm" or "" for no marker.
type clock struct {
	h, m   int
	marker string
}

func parseClock(s string) (clock, bool) {
	s = strings.TrimSpace(s)
	if s == "noon" {
		return clock{12, 0, "pm"}, true
	}
	g := timeRe.FindStringSubmatch(s)
	if g == nil {
		return clock{}, false
	}
	h, _ := strconv.Atoi(g[1])
	m := 0
	if g[2] != "" {
		m, _ = strconv.Atoi(g[2])
	}
	c := clock{h: h, m: m, marker: strings.ReplaceAll(g[3], ".", "")}
	if c.h < 1 || c.h > 12 || c.m > 59 {
		return clock{}, false
	}
	return c, true
}

// hour24 returns the hour on a 24-hour clock.
func (c clock) hour24() int {
	h := c.h % 12
	if c.marker == "pm" {
		h += 12
	}
	return h
}

// parseRange reads an opening and a closing time, inferring am and pm.
func parseRange(a, b string) (opens, closes string, ok bool) {
	o, ok1 := parseClock(a)
	c, ok2 := parseClock(b)
	if !ok1 || !ok2 {
		return "", "", false
	}
	switch {
	case o.marker == "" && c.marker == "":
		switch {
		case o.h >= 6 && o.h <= 11: // morning opening
			o.marker = "am"
			switch {
			case c.h == 12 || c.h < o.h:
				c.marker = "pm"
			case o.h >= 8: // "9-11", "8-10": a morning
				c.marker = "am"
			default: // "7-9", "6-10": morning or evening?
				return "", "", false
			}
		case o.h == 12 || o.h <= 5: // noon or afternoon opening
			o.marker, c.marker = "pm", "pm"
			if c.h == 12 || (o.h != 12 && c.h <= o.h) {
				return "", "", false
			}
		default:
			return "", "", false
		}
	case o.marker == "":
		o.marker = c.marker
		if (clock{o.h, o.m, c.marker}).hour24() > c.hour24() {
			o.marker = "am"
		}
	case c.marker == "":
		c.marker = o.marker
		if c.hour24() <= o.hour24() {
			c.marker = "pm"
		}
	}
	oh, ch := o.hour24()*60+o.m, c.hour24()*60+c.m
	if ch <= oh {
		return "", "", false
	}
	return fmt.Sprintf("%02d:%02d", oh/60, oh%60), fmt.Sprintf("%02d:%02d", ch/60, ch%60), true
}
