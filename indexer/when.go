package indexer

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/peerfind/peerfind"
)

// Fields of the meeting times, keyword tokens in each service's local
// time:
//
//   - when: the days ("MO"), the parts of the day of the start times
//     ("evening") and both together ("MO-evening"), for the day and time
//     filters;
//   - starts: "zone|day|HH:MM" of each start time, rounded down to the
//     half hour, for Upcoming;
//   - open: the same for every half hour a meeting is in session, for
//     OpenNow.
//
// Monthly rules ("2TU") are indexed as their weekday: the exact dates are
// checked with Schedule.Next on the hits.
const (
	fieldWhen   = "when"
	fieldStarts = "starts"
	fieldOpen   = "open"
	slotMinutes = 30
)

// whenTokens returns the tokens of a record's schedules for the three
// fields.
func whenTokens(s *peerfind.Service) (when, starts, open []string) {
	seen := map[*[]string]map[string]bool{&when: {}, &starts: {}, &open: {}}
	add := func(list *[]string, tok string) {
		if !seen[list][tok] {
			seen[list][tok] = true
			*list = append(*list, tok)
		}
	}
	for _, sc := range s.Schedules {
		minutes, length, loc, ok := sc.Clock()
		if !ok {
			continue
		}
		part := peerfind.DayPart(minutes)
		add(&when, part)
		for _, day := range sc.Days() {
			add(&when, day)
			add(&when, day+"-"+part)
			wd := weekday(day)
			add(&starts, slotToken(loc.String(), wd, minutes))
			for m := minutes - minutes%slotMinutes; m < minutes+int(length/time.Minute); m += slotMinutes {
				add(&open, slotToken(loc.String(), (wd+m/(24*60))%7, m%(24*60)))
			}
		}
	}
	return when, starts, open
}

func weekday(code string) int {
	for i, w := range peerfind.Weekdays {
		if w == code {
			return i
		}
	}
	return 0
}

// slotToken is "zone|day|hh:mm" for the slot of slotMinutes that holds
// minutes past midnight. (Built by hand: a record has 26 on average, and
// fmt took 8 of a million records' build CPU-seconds.)
func slotToken(zone string, wd, minutes int) string {
	minutes -= minutes % slotMinutes
	if minutes < 0 || minutes >= 100*60 {
		return fmt.Sprintf("%s|%s|%02d:%02d", zone, peerfind.Weekdays[wd], minutes/60, minutes%60)
	}
	day := peerfind.Weekdays[wd]
	h, m := minutes/60, minutes%60
	b := make([]byte, 0, len(zone)+len(day)+8)
	b = append(b, zone...)
	b = append(b, '|')
	b = append(b, day...)
	return string(append(b, '|', byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10)))
}

// whenQuery returns the query of q's meeting-time filters, or nil when it
// has none. zones are the time zones of the indexed schedules.
func whenQuery(q peerfind.Query, zones []string) query.Query {
	var must []query.Query
	terms := func(field string, toks []string) query.Query {
		var any []query.Query
		for _, t := range toks {
			tq := query.NewTermQuery(t)
			tq.SetField(field)
			any = append(any, tq)
		}
		if len(any) == 0 {
			return query.NewMatchNoneQuery()
		}
		return query.NewDisjunctionQuery(any)
	}
	switch {
	case len(q.Days) > 0 && len(q.TimesOfDay) > 0:
		var toks []string
		for _, d := range q.Days {
			for _, t := range q.TimesOfDay {
				toks = append(toks, d+"-"+t)
			}
		}
		must = append(must, terms(fieldWhen, toks))
	case len(q.Days) > 0:
		must = append(must, terms(fieldWhen, q.Days))
	case len(q.TimesOfDay) > 0:
		must = append(must, terms(fieldWhen, q.TimesOfDay))
	}
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	if q.OpenNow {
		var toks []string
		for _, z := range zones {
			if loc, err := peerfind.LoadLocation(z); err == nil {
				l := now.In(loc)
				toks = append(toks, slotToken(z, int(l.Weekday()), l.Hour()*60+l.Minute()))
			}
		}
		must = append(must, terms(fieldOpen, toks))
	}
	if q.Upcoming {
		// Meetings in session now, or starting within the window.
		var toks []string
		for _, z := range zones {
			loc, err := peerfind.LoadLocation(z)
			if err != nil {
				continue
			}
			for t := now; !t.After(now.Add(peerfind.UpcomingWindow)); t = t.Add(slotMinutes * time.Minute) {
				l := t.In(loc)
				toks = append(toks, slotToken(z, int(l.Weekday()), l.Hour()*60+l.Minute()))
			}
		}
		sort.Strings(toks)
		must = append(must, query.NewDisjunctionQuery([]query.Query{terms(fieldStarts, toks), whenQuery(peerfind.Query{OpenNow: true, Now: now}, zones)}))
	}
	if len(must) == 0 {
		return nil
	}
	return query.NewConjunctionQuery(must)
}

// readZones lists the time zones of the indexed schedules.
func readZones(x *Index) ([]string, error) {
	d, err := x.idx.FieldDict(fieldStarts)
	if err != nil {
		return nil, fmt.Errorf("read time zones: %w", err)
	}
	defer d.Close()
	seen := map[string]bool{}
	var out []string
	for {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("read time zones: %w", err)
		}
		if e == nil {
			return out, nil
		}
		z, _, _ := strings.Cut(e.Term, "|")
		if !seen[z] {
			seen[z] = true
			out = append(out, z)
		}
	}
}

// maxUpcoming bounds the matches ordered by their next meeting.
const maxUpcoming = 2000

// upcoming keeps the hits whose next meeting is in session or starts
// within the window (a monthly rule's other weeks drop out here), orders
// them by it, soonest first, and returns the page asked for with the
// total.
func upcoming(hits []peerfind.Hit, total uint64, now time.Time, page, perPage int) ([]peerfind.Hit, uint64) {
	var kept []peerfind.Hit
	for _, h := range hits {
		if h.NextMeeting != nil && !h.NextMeeting.After(now.Add(peerfind.UpcomingWindow)) {
			kept = append(kept, h)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].NextMeeting.Before(*kept[j].NextMeeting) })
	if total <= uint64(len(hits)) {
		total = uint64(len(kept))
	}
	lo := min((page-1)*perPage, len(kept))
	return kept[lo:min(lo+perPage, len(kept))], total
}
