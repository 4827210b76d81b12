package indexer

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/peerfind/peerfind"
)

// Fields of the meeting times in indexes built before the times were
// saved beside the index (times.go), keyword tokens in each service's
// local time; whenQuery reads them:
//
//   - when: the days and the parts of the day of the start times, as
//     pairs ("MO-evening"), for the day and time filters: a day alone is
//     any of its four pairs, a part of the day any of its seven;
//   - open_blocks: the half hours a meeting is in session, for OpenNow and
//     Upcoming, as the fewest aligned blocks of the week that cover them:
//     "zone|level|n" is the n-th block of 2^level half hours. A half hour
//     is in session when one of the nine blocks that hold it is indexed.
//
// Older indexes also have the days and the parts alone in when, and
// starts: "zone|day|HH:MM" of each start time, rounded down to the half
// hour; whenQuery reads neither. (Older still have open: "zone|day|HH:MM"
// of every half hour in session, 26 a record, instead of open_blocks.)
//
// Monthly rules ("2TU") are indexed as their weekday: the exact dates are
// checked with Schedule.Next on the hits.
const (
	fieldWhen       = "when"
	fieldOpen       = "open"
	fieldOpenBlocks = "open_blocks"
	slotMinutes     = 30
	// weekSlots is the number of half hours in a week, blockLevels the
	// sizes of block (1 to 256 half hours; 512 would be over a week).
	weekSlots   = 7 * 24 * 60 / slotMinutes
	blockLevels = 9
)

// blockToken is "zone|level|n", the n-th block of 2^level half hours of
// the week (from Sunday 00:00) in zone.
func blockToken(zone string, level, n int) string {
	return zone + "|" + strconv.Itoa(level) + "|" + strconv.Itoa(n)
}

// openTokens are the tokens a record in session at the half hour of the
// week slot has one of: the nine blocks that hold it (with blocks), or
// its slot token (an index built before, see fieldOpen).
func openTokens(zone string, wd, minutes int, blocks bool) []string {
	if !blocks {
		return []string{slotToken(zone, wd, minutes)}
	}
	slot := weekSlot(wd, minutes)
	out := make([]string, blockLevels)
	for l := range out {
		out[l] = blockToken(zone, l, slot>>l)
	}
	return out
}

// askedPairs are the day-part pairs (day, part of the day) q's day and
// time filters ask for, or nil when it has neither: a day alone is any
// of its four pairs, a part of the day any of its seven.
func askedPairs(q peerfind.Query) [][2]string {
	if len(q.Days) == 0 && len(q.TimesOfDay) == 0 {
		return nil
	}
	days, parts := q.Days, q.TimesOfDay
	if len(days) == 0 {
		days = peerfind.Weekdays
	}
	if len(parts) == 0 {
		parts = peerfind.DayParts
	}
	pairs := make([][2]string, 0, len(days)*len(parts))
	for _, d := range days {
		for _, p := range parts {
			pairs = append(pairs, [2]string{d, p})
		}
	}
	return pairs
}

// eachAskedHalfHour calls fn with the weekday and the minutes after
// midnight, in loc, of each half hour q's OpenNow or Upcoming asks a
// record to be in session at: now (OpenNow, with Upcoming or not), or
// from now to the end of the window (Upcoming). A meeting that starts
// within the window is in session at its start, and one in session
// later in the window that started before it is in session now.
func eachAskedHalfHour(q peerfind.Query, loc *time.Location, fn func(wd, minutes int)) {
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	until := now
	if !q.OpenNow {
		until = now.Add(peerfind.UpcomingWindow)
	}
	for at := now; !at.After(until); at = at.Add(slotMinutes * time.Minute) {
		l := at.In(loc)
		fn(int(l.Weekday()), l.Hour()*60+l.Minute())
	}
}

// weekSlot is the half hour of the week (from Sunday 00:00) that holds
// minutes after midnight of weekday wd; minutes past the day run into
// the next days, and the week wraps.
func weekSlot(wd, minutes int) int {
	const day = 24 * 60
	return ((wd+minutes/day)%7)*(day/slotMinutes) + minutes%day/slotMinutes
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
// has none. zones are the time zones of the indexed schedules; blocks
// says the index has fieldOpenBlocks (not fieldOpen).
func whenQuery(q peerfind.Query, zones []string, blocks bool) query.Query {
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
	if pairs := askedPairs(q); pairs != nil {
		var toks []string
		for _, p := range pairs {
			toks = append(toks, p[0]+"-"+p[1])
		}
		must = append(must, terms(fieldWhen, toks))
	}
	if q.OpenNow || q.Upcoming {
		var toks []string
		seen := map[string]bool{}
		for _, z := range zones {
			loc, err := peerfind.LoadLocation(z)
			if err != nil {
				continue
			}
			eachAskedHalfHour(q, loc, func(wd, minutes int) {
				for _, tok := range openTokens(z, wd, minutes, blocks) {
					if !seen[tok] {
						seen[tok] = true
						toks = append(toks, tok)
					}
				}
			})
		}
		sort.Strings(toks)
		field := fieldOpen
		if blocks {
			field = fieldOpenBlocks
		}
		must = append(must, terms(field, toks))
	}
	if len(must) == 0 {
		return nil
	}
	return query.NewConjunctionQuery(must)
}

// readZones lists the time zones of the indexed schedules.
func readZones(x *Index) ([]string, error) {
	field := fieldOpen
	if x.openBlocks {
		field = fieldOpenBlocks
	}
	d, err := x.idx.FieldDict(field)
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
