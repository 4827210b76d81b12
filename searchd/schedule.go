package searchd

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/peerfind/peerfind"
)

// scheduleWords are the words of a schedule summary by UI language.
type scheduleWords struct {
	days       [7]string // Monday first
	daily      string
	ordinals   map[int]string // 1..5, -1..-5
	everyWeeks string         // format with the interval
	everyMonth string         // format with the interval
	and        string         // joins ordinals: "2nd & 4th"
	clock24    bool
}

var scheduleLang = map[string]scheduleWords{
	"en": {
		days:  [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
		daily: "Daily",
		ordinals: map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th",
			-1: "last", -2: "2nd-to-last", -3: "3rd-to-last", -4: "4th-to-last", -5: "5th-to-last"},
		everyWeeks: "every %d weeks",
		everyMonth: "every %d months",
		and:        " & ",
	},
	"es": {
		days:  [7]string{"lun", "mar", "mié", "jue", "vie", "sáb", "dom"},
		daily: "todos los días",
		ordinals: map[int]string{1: "1.er", 2: "2.º", 3: "3.er", 4: "4.º", 5: "5.º",
			-1: "último", -2: "penúltimo", -3: "antepenúltimo", -4: "4.º desde el final", -5: "5.º desde el final"},
		everyWeeks: "cada %d semanas",
		everyMonth: "cada %d meses",
		and:        " y ",
		clock24:    true,
	},
}

var (
	byDayRe  = regexp.MustCompile(`^(-?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$`)
	dayCodes = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
)

// FormatSchedules summarizes schedules on one line for people, in the UI
// language ui ("en" or "es"; anything else is English). Rules at the same
// times are merged and their days listed in week order, runs of three or
// more days shortened to a range:
//
//	en: "Mon, Wed 7:30 PM; Sat 10:00 AM", "Mon–Fri 9:00 AM–5:00 PM", "2nd Tue 7:00 PM"
//	es: "lun, mié 19:30; sáb 10:00", "lun–vie 9:00–17:00", "2.º mar 19:00"
//
// When no schedule has a usable rule, the free-text descriptions are
// returned instead, joined by "; ". Malformed parts are skipped, never
// fatal.
func FormatSchedules(ss []peerfind.Schedule, ui string) string {
	words, ok := scheduleLang[ui]
	if !ok {
		words = scheduleLang["en"]
	}
	type dayRef struct{ ord, day int }
	type group struct {
		monthly       bool
		interval      int
		opens, closes int // minutes after midnight, -1 when unknown
		days          []dayRef
		firstKey      int
	}
	var groups []*group
	var texts []string
	for _, s := range ss {
		freq := strings.ToUpper(strings.TrimSpace(s.Freq))
		if freq != "WEEKLY" && freq != "MONTHLY" {
			if t := normalizeText(s.Description); t != "" && !slices.Contains(texts, t) {
				texts = append(texts, t)
			}
			continue
		}
		interval := max(s.Interval, 1)
		var days []dayRef
		for _, d := range s.ByDay {
			m := byDayRe.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(d)))
			if m == nil {
				continue
			}
			ord, _ := strconv.Atoi(m[1])
			days = append(days, dayRef{ord, slices.Index(dayCodes, m[2])})
		}
		opens, closes := minutes(s.OpensAt), minutes(s.ClosesAt)
		if opens < 0 {
			closes = -1
		}
		if len(days) == 0 && opens < 0 {
			if t := normalizeText(s.Description); t != "" && !slices.Contains(texts, t) {
				texts = append(texts, t)
			}
			continue
		}
		// A monthly rule on plain weekdays every month means every week.
		monthly := freq == "MONTHLY"
		if monthly && interval == 1 && !slices.ContainsFunc(days, func(d dayRef) bool { return d.ord != 0 }) && len(days) > 0 {
			monthly = false
		}
		var g *group
		for _, x := range groups {
			if x.monthly == monthly && x.interval == interval && x.opens == opens && x.closes == closes {
				g = x
				break
			}
		}
		if g == nil {
			g = &group{monthly: monthly, interval: interval, opens: opens, closes: closes, firstKey: 1 << 20}
			groups = append(groups, g)
		}
		for _, d := range days {
			if !slices.Contains(g.days, d) {
				g.days = append(g.days, d)
			}
		}
		// Sort key of a group: weekly before monthly, then its first day.
		for _, d := range g.days {
			k := d.day
			if monthly {
				k += 7 * (1 + ordKey(d.ord))
			}
			g.firstKey = min(g.firstKey, k)
		}
	}
	if len(groups) == 0 {
		return strings.Join(texts, "; ")
	}
	slices.SortStableFunc(groups, func(a, b *group) int {
		if a.firstKey != b.firstKey {
			return a.firstKey - b.firstKey
		}
		return a.opens - b.opens
	})
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		var daysText string
		if g.monthly {
			// "2nd & 4th Tue, last Fri": ordinals of the same day merged.
			slices.SortFunc(g.days, func(a, b dayRef) int {
				if a.day != b.day {
					return a.day - b.day
				}
				return ordKey(a.ord) - ordKey(b.ord)
			})
			var names []string
			for i := 0; i < len(g.days); {
				var ords []string
				j := i
				for ; j < len(g.days) && g.days[j].day == g.days[i].day; j++ {
					if o := words.ordinals[g.days[j].ord]; o != "" {
						ords = append(ords, o)
					}
				}
				names = append(names, strings.TrimSpace(strings.Join(ords, words.and)+" "+words.days[g.days[i].day]))
				i = j
			}
			daysText = strings.Join(names, ", ")
		} else {
			var idx []int
			for _, d := range g.days {
				if !slices.Contains(idx, d.day) {
					idx = append(idx, d.day)
				}
			}
			slices.Sort(idx)
			daysText = dayList(idx, words)
		}
		t := timeRange(g.opens, g.closes, words)
		part := strings.TrimSpace(daysText + " " + t)
		if g.interval > 1 {
			f := words.everyWeeks
			if g.monthly {
				f = words.everyMonth
			}
			part += " (" + fmt.Sprintf(f, g.interval) + ")"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

// dayList lists week days (0 = Monday) with runs of three or more days
// as ranges: "Mon–Fri, Sun"; all seven is "Daily".
func dayList(idx []int, w scheduleWords) string {
	if len(idx) == 7 {
		return w.daily
	}
	var out []string
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if j-i >= 2 {
			out = append(out, w.days[idx[i]]+"–"+w.days[idx[j]])
		} else {
			for k := i; k <= j; k++ {
				out = append(out, w.days[idx[k]])
			}
		}
		i = j + 1
	}
	return strings.Join(out, ", ")
}

// ordKey orders ordinals 0 (every), 1..5, then -5..-1 (last is latest).
func ordKey(o int) int {
	if o < 0 {
		return 10 + o
	}
	return o
}

// minutes reads "HH:MM" (24-hour) as minutes after midnight, or -1.
func minutes(s string) int {
	hs, ms, found := strings.Cut(strings.TrimSpace(s), ":")
	if !found || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 || !digits(hs) || !digits(ms) {
		return -1
	}
	h, _ := strconv.Atoi(hs)
	m, _ := strconv.Atoi(ms)
	if h > 23 || m > 59 {
		return -1
	}
	return h*60 + m
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// timeRange formats an opening time and, if closes is not negative, a
// closing time: "6:00–7:30 PM", "11:00 AM–1:00 PM", "18:00–19:30".
func timeRange(opens, closes int, w scheduleWords) string {
	from, to := clockTime(opens, w), clockTime(closes, w)
	if to == "" {
		return from
	}
	if !w.clock24 && (opens < 12*60) == (closes < 12*60) {
		from = strings.TrimSuffix(strings.TrimSuffix(from, " AM"), " PM")
	}
	return from + "–" + to
}

// clockTime formats minutes after midnight as "7:30 PM" (en) or "19:30"
// (es); it returns "" for a negative value.
func clockTime(min int, w scheduleWords) string {
	if min < 0 {
		return ""
	}
	h, m := min/60, min%60
	if w.clock24 {
		return fmt.Sprintf("%d:%02d", h, m)
	}
	suffix := "AM"
	if h >= 12 {
		suffix = "PM"
	}
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	return fmt.Sprintf("%d:%02d %s", h12, m, suffix)
}
