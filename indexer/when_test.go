package indexer

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"

	"github.com/peerfind/peerfind"
)

func TestSearchWhen(t *testing.T) {
	idx, _, _ := mustBuild(t)
	la, _ := time.LoadLocation("America/Los_Angeles")
	ny, _ := time.LoadLocation("America/New_York")
	monLA := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, la) } // a Monday
	mondays := []string{"on-1", "ph-2", "sf-1", "sj-1", "sj-2", "sj-3", "sj-4"}
	for _, tc := range []struct {
		name    string
		q       peerfind.Query
		want    []string
		inOrder bool
	}{
		{"day", peerfind.Query{Days: []string{"TU"}}, []string{"ph-1"}, false},
		{"two days", peerfind.Query{Days: []string{"TU", "MO"}}, append([]string{"ph-1"}, mondays...), false},
		{"time of day", peerfind.Query{TimesOfDay: []string{"evening"}}, append([]string{"ph-1"}, mondays...), false},
		{"day and time", peerfind.Query{Days: []string{"TU"}, TimesOfDay: []string{"morning"}}, nil, false},
		{"open now", peerfind.Query{OpenNow: true, Now: monLA(19, 30)}, mondays, false},
		{"not open yet", peerfind.Query{OpenNow: true, Now: monLA(18, 30)}, nil, false},
		// Philadelphia's Tuesday 18:30 Eastern is Tuesday 15:30 Pacific.
		{"open now, other zone", peerfind.Query{OpenNow: true, Now: time.Date(2026, 11, 24, 15, 45, 0, 0, la)}, []string{"ph-1"}, false},
		// After Monday's meetings, Tuesday's in Philadelphia is next; the
		// window wraps past midnight.
		{"upcoming", peerfind.Query{Upcoming: true, Now: monLA(20, 30)}, []string{"ph-1"}, true},
		{"upcoming, soonest first", peerfind.Query{Upcoming: true, Now: time.Date(2026, 11, 23, 8, 0, 0, 0, ny), PerPage: 20},
			append(mondays[:0:0], mondays...), false},
		{"upcoming, in order", peerfind.Query{Upcoming: true, Text: "respite", Now: monLA(10, 0), PerPage: 20}, []string{"ph-2"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := idx.Search(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(res)
			if !tc.inOrder {
				sort.Strings(got)
				sort.Strings(tc.want)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}

	// Each hit says when it meets next, in the searcher's zone.
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, ny) // Monday 9:00 in LA
	res, err := idx.Search(context.Background(), peerfind.Query{Text: "respite", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.Service.ID != "ph-2" {
			continue
		}
		want := time.Date(2026, 11, 23, 22, 0, 0, 0, ny) // 19:00 Pacific
		if h.NextMeeting == nil || !h.NextMeeting.Equal(want) || h.NextMeeting.Location() != ny {
			t.Errorf("ph-2 next meeting %v, want %v", h.NextMeeting, want)
		}
	}
}

// TestSlotToken checks the hand-built token against the format it
// replaces, for every day and minute of the day.
func TestSlotToken(t *testing.T) {
	for _, zone := range []string{"America/New_York", "UTC", "America/Argentina/Buenos_Aires"} {
		for wd := range peerfind.Weekdays {
			for m := 0; m < 24*60; m++ {
				s := m - m%slotMinutes
				want := fmt.Sprintf("%s|%s|%02d:%02d", zone, peerfind.Weekdays[wd], s/60, s%60)
				if got := slotToken(zone, wd, m); got != want {
					t.Fatalf("slotToken(%q, %d, %d) = %q, want %q", zone, wd, m, got, want)
				}
			}
		}
	}
}

// TestOpenBlocks: a record is in session at a half hour of the week when
// one of the blocks that hold it (openTokens) is among its blocks
// (whenTokens), for every half hour of the week and every zone; the
// reference is the slot tokens the open field held, every half hour in
// session. The records are the benchmark's, and meetings that run over
// midnight and over the end of the week.
func TestOpenBlocks(t *testing.T) {
	recs, _ := synthRecords(t, 2000)
	late := *recs[0]
	late.Schedules = []peerfind.Schedule{
		{Freq: "WEEKLY", ByDay: []string{"SA"}, OpensAt: "22:30", ClosesAt: "02:00", Timezone: "America/Chicago"},
		{Freq: "WEEKLY", ByDay: []string{"MO", "TU", "WE", "TH", "FR"}, OpensAt: "09:00", ClosesAt: "17:00", Timezone: "America/Chicago"},
		{Freq: "WEEKLY", ByDay: []string{"SU"}, OpensAt: "00:00", ClosesAt: "23:59", Timezone: "Pacific/Honolulu"},
	}
	recs = append(recs, &late)
	blocks, slots := 0, 0
	for _, s := range recs {
		_, open := whenTokens(s)
		have := map[string]bool{}
		for _, tok := range open {
			have[tok] = true
		}
		want := openSlotTokens(s)
		zones := map[string]bool{}
		for tok := range want {
			z, _, _ := strings.Cut(tok, "|")
			zones[z] = true
		}
		for tok := range have {
			z, _, _ := strings.Cut(tok, "|")
			if !zones[z] {
				t.Fatalf("%s: block %q of a zone it does not meet in", s.ID, tok)
			}
		}
		for z := range zones {
			for wd := range 7 {
				for m := 0; m < 24*60; m += slotMinutes {
					in := false
					for _, tok := range openTokens(z, wd, m, true) {
						in = in || have[tok]
					}
					if want[slotToken(z, wd, m)] != in {
						t.Fatalf("%s: %s %s %02d:%02d in session %v, want %v (blocks %v)", s.ID, z, peerfind.Weekdays[wd], m/60, m%60, in, !in, open)
					}
				}
			}
		}
		blocks += len(open)
		slots += len(want)
	}
	if slots == 0 || blocks*2 > slots {
		t.Errorf("%d blocks for %d half hours in session: the blocks should be far fewer", blocks, slots)
	}
	t.Logf("%d blocks for %d half hours in session", blocks, slots)
}

// openSlotTokens is the tokens the open field held: "zone|day|HH:MM" of
// every half hour a meeting of s is in session.
func openSlotTokens(s *peerfind.Service) map[string]bool {
	out := map[string]bool{}
	for _, sc := range s.Schedules {
		minutes, length, loc, ok := sc.Clock()
		if !ok {
			continue
		}
		for _, day := range sc.Days() {
			wd := weekday(day)
			for m := minutes - minutes%slotMinutes; m < minutes+int(length/time.Minute); m += slotMinutes {
				out[slotToken(loc.String(), (wd+m/(24*60))%7, m%(24*60))] = true
			}
		}
	}
	return out
}

// TestWhenQueryMatches holds whenQuery, over the tokens whenTokens
// indexes, to what the filters mean, read from the schedules: a day and
// a part of the day of a start; in session now (openSlotTokens); and
// upcoming as the tokens of indexes before it had it, a start in one
// of the window's half hours or in session now. The records are
// TestOpenBlocks's; the instants are every three hours and a quarter
// of a week, in two zones.
func TestWhenQueryMatches(t *testing.T) {
	recs, _ := synthRecords(t, 500)
	late := *recs[0]
	late.Schedules = []peerfind.Schedule{
		{Freq: "WEEKLY", ByDay: []string{"SA"}, OpensAt: "22:30", ClosesAt: "02:00", Timezone: "America/Chicago"},
		{Freq: "WEEKLY", ByDay: []string{"TU"}, OpensAt: "06:10", ClosesAt: "06:11", Timezone: "America/New_York"},
	}
	recs = append(recs, &late)
	type indexed struct {
		toks         map[[2]string]bool // field, term
		days         map[[2]string]bool
		open, starts map[string]bool
	}
	zoneSet := map[string]bool{}
	docs := make([]indexed, len(recs))
	for i, s := range recs {
		when, open := whenTokens(s)
		d := indexed{toks: map[[2]string]bool{}, days: map[[2]string]bool{}, open: openSlotTokens(s), starts: map[string]bool{}}
		for _, tok := range when {
			d.toks[[2]string{fieldWhen, tok}] = true
		}
		for _, tok := range open {
			d.toks[[2]string{fieldOpenBlocks, tok}] = true
		}
		for _, sc := range s.Schedules {
			minutes, _, loc, ok := sc.Clock()
			if !ok {
				continue
			}
			zoneSet[loc.String()] = true
			for _, day := range sc.Days() {
				d.days[[2]string{day, peerfind.DayPart(minutes)}] = true
				d.starts[slotToken(loc.String(), weekday(day), minutes)] = true
			}
		}
		docs[i] = d
	}
	var zones []string
	for z := range zoneSet {
		zones = append(zones, z)
	}
	sort.Strings(zones)
	// slots are the tokens of the half hours of the times in every zone.
	slots := func(times ...time.Time) []string {
		var out []string
		for _, z := range zones {
			loc, _ := peerfind.LoadLocation(z)
			for _, t := range times {
				l := t.In(loc)
				out = append(out, slotToken(z, int(l.Weekday()), l.Hour()*60+l.Minute()))
			}
		}
		return out
	}
	anyOf := func(set map[string]bool, toks []string) bool {
		return slices.ContainsFunc(toks, func(tok string) bool { return set[tok] })
	}
	var qs []peerfind.Query
	for _, days := range [][]string{nil, {"MO"}, {"SA", "SU"}, peerfind.Weekdays} {
		for _, parts := range [][]string{nil, {peerfind.Evening}, {peerfind.Morning, peerfind.Night}} {
			if days != nil || parts != nil {
				qs = append(qs, peerfind.Query{Days: days, TimesOfDay: parts})
			}
		}
	}
	ny, _ := time.LoadLocation("America/New_York")
	for now := time.Date(2026, 11, 22, 0, 5, 0, 0, ny); now.Before(time.Date(2026, 11, 29, 0, 0, 0, 0, ny)); now = now.Add(195 * time.Minute) {
		qs = append(qs,
			peerfind.Query{OpenNow: true, Now: now},
			peerfind.Query{Upcoming: true, Now: now},
			peerfind.Query{OpenNow: true, Upcoming: true, Now: now},
			peerfind.Query{Upcoming: true, Days: []string{"WE"}, Now: now})
	}
	matched := 0
	for _, q := range qs {
		wq := whenQuery(q, zones, true)
		now := slots(q.Now)
		var window []time.Time
		for t := q.Now; !t.After(q.Now.Add(peerfind.UpcomingWindow)); t = t.Add(slotMinutes * time.Minute) {
			window = append(window, t)
		}
		soon := slots(window...)
		for i, d := range docs {
			want := true
			if len(q.Days) > 0 || len(q.TimesOfDay) > 0 {
				any := false
				for pair := range d.days {
					any = any || ((len(q.Days) == 0 || slices.Contains(q.Days, pair[0])) && (len(q.TimesOfDay) == 0 || slices.Contains(q.TimesOfDay, pair[1])))
				}
				want = any
			}
			if q.OpenNow {
				want = want && anyOf(d.open, now)
			} else if q.Upcoming {
				want = want && (anyOf(d.open, now) || anyOf(d.starts, soon))
			}
			if got := tokensMatch(t, wq, d.toks); got != want {
				t.Fatalf("%s: %+v matched %v, want %v", recs[i].ID, q, got, want)
			}
			if want {
				matched++
			}
		}
	}
	if matched == 0 {
		t.Fatal("no query matched a record: the test tests nothing")
	}
	t.Logf("%d queries, %d records, %d matches", len(qs), len(docs), matched)
}

// tokensMatch evaluates a query of term, conjunction and disjunction
// queries over the tokens of one document (field, term).
func tokensMatch(t *testing.T, q query.Query, toks map[[2]string]bool) bool {
	switch q := q.(type) {
	case *query.TermQuery:
		return toks[[2]string{q.FieldVal, q.Term}]
	case *query.MatchNoneQuery:
		return false
	case *query.ConjunctionQuery:
		for _, c := range q.Conjuncts {
			if !tokensMatch(t, c, toks) {
				return false
			}
		}
		return true
	case *query.DisjunctionQuery:
		for _, c := range q.Disjuncts {
			if tokensMatch(t, c, toks) {
				return true
			}
		}
		return false
	}
	t.Fatalf("query %T", q)
	return false
}

// whenTokens returns the tokens of a record's schedules for the two
// fields (when, open_blocks) of an index built before the times were
// saved beside it (see fieldWhen).
func whenTokens(s *peerfind.Service) (when, open []string) {
	seen := map[string]bool{}
	var zones []string
	inSession := map[string]*[weekSlots]bool{}
	for _, sc := range s.Schedules {
		minutes, length, loc, ok := sc.Clock()
		if !ok {
			continue
		}
		part := peerfind.DayPart(minutes)
		for _, day := range sc.Days() {
			if tok := day + "-" + part; !seen[tok] {
				seen[tok] = true
				when = append(when, tok)
			}
			wd := weekday(day)
			zone := loc.String()
			slots := inSession[zone]
			if slots == nil {
				slots = new([weekSlots]bool)
				inSession[zone] = slots
				zones = append(zones, zone)
			}
			// The half hour of the start is in session: a meeting lasts
			// a minute at least (Schedule.Clock).
			for m := minutes - minutes%slotMinutes; m < minutes+int(length/time.Minute); m += slotMinutes {
				slots[((wd+m/(24*60))%7)*(24*60/slotMinutes)+m%(24*60)/slotMinutes] = true
			}
		}
	}
	for _, z := range zones {
		open = append(open, openBlocks(z, inSession[z])...)
	}
	return when, open
}

// openBlocks are the tokens of the fewest aligned blocks (blockToken)
// that cover the half hours in session of a week in zone: each run of
// half hours is cut into the largest blocks that start at a multiple of
// their size, so that the blocks cover the run and nothing else.
func openBlocks(zone string, in *[weekSlots]bool) []string {
	var out []string
	for i := 0; i < weekSlots; {
		if !in[i] {
			i++
			continue
		}
		level := 0
		for l := 1; l < blockLevels && i%(1<<l) == 0; l++ {
			if !covered(in, i, i+1<<l) {
				break
			}
			level = l
		}
		out = append(out, blockToken(zone, level, i>>level))
		i += 1 << level
	}
	return out
}

// covered reports whether every half hour from..to (to excluded) is in
// session; none past the week is.
func covered(in *[weekSlots]bool, from, to int) bool {
	if to > weekSlots {
		return false
	}
	for _, v := range in[from:to] {
		if !v {
			return false
		}
	}
	return true
}
