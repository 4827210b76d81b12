package searchd

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
)

// This file holds what an answer says about place: how far the search
// looked, the remote services apart, the fallbacks when nothing nearby
// fits, and schedules in the searcher's time zone.

// RemoteResults are the remote services of an answer with remote=apart.
type RemoteResults struct {
	// Total is the number of remote services that fit.
	Total uint64 `json:"total"`
	// Results are the best of them; never null.
	Results []Result `json:"results"`
}

// NothingNearby is what an answer offers when no in-person service
// matched near the searcher, so that it is never a dead end.
type NothingNearby struct {
	// Message says so in the ui language.
	Message string `json:"message"`
	// Farther are the nearest in-person matches beyond the radius,
	// nearest first; never null.
	Farther []Result `json:"farther"`
	// Remote are remote services (online, phone) that fit the need and
	// filters and are open to the searcher; never null.
	Remote []Result `json:"remote"`
	// RemoteTotal is how many remote services fit in all.
	RemoteTotal uint64 `json:"remote_total"`
	// NationalLines are national lines for the need; never null.
	NationalLines []NationalLineAnswer `json:"national_lines"`
}

// NationalLineAnswer is a national line in the ui language.
type NationalLineAnswer struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Phone       string `json:"phone,omitempty"`
	SMS         string `json:"sms,omitempty"`
	URL         string `json:"url,omitempty"`
	Hours       string `json:"hours,omitempty"`
}

// maxNationalLines is how many national lines a fallback offers.
const maxNationalLines = 4

// lists are the answer's result lists, for per-result touches.
func (r *SearchResponse) lists() [][]Result {
	out := [][]Result{r.Results}
	if r.Remote != nil {
		out = append(out, r.Remote.Results)
	}
	if n := r.NothingNearby; n != nil {
		out = append(out, n.Farther, n.Remote)
	}
	return out
}

// newNothingNearby builds the fallbacks of an answer with nothing nearby.
func newNothingNearby(p searchParams, loc *SearchLocation, near *orb.Point, res *peerfind.Results, tax *peerfind.Taxonomy, lines *peerfind.NationalLines) *NothingNearby {
	n := &NothingNearby{
		Farther:       newResults(p, near, res.Farther, tax),
		Remote:        newResults(p, near, res.Remote, tax),
		RemoteTotal:   res.RemoteTotal,
		NationalLines: []NationalLineAnswer{},
	}
	var wanted []peerfind.TermRef
	for _, f := range []string{peerfind.FacetCondition, peerfind.FacetPopulation, peerfind.FacetCategory} {
		for _, id := range p.Filters[f] {
			wanted = append(wanted, peerfind.TermRef{Facet: f, ID: id})
		}
	}
	if tax != nil && p.Text != "" {
		wanted = append(wanted, tax.Classify(p.Text)...)
	}
	for _, l := range lines.For(wanted, maxNationalLines) {
		n.NationalLines = append(n.NationalLines, NationalLineAnswer{
			ID: l.ID, Name: peerfind.Text(l.Name, p.UI), Description: peerfind.Text(l.Description, p.UI),
			Phone: l.Phone, SMS: l.SMS, URL: webURL(l.URL), Hours: peerfind.Text(l.Hours, p.UI),
		})
	}
	where := p.Near
	radius := ""
	if loc != nil {
		where = loc.Name
		radius = milesText(loc.RadiusMI)
	}
	if p.UI == "es" {
		n.Message = fmt.Sprintf("No encontramos servicios presenciales a menos de %s de %s que coincidan con su búsqueda.", radius, where)
		if len(n.Farther) > 0 || len(n.Remote) > 0 || len(n.NationalLines) > 0 {
			n.Message += " Estas opciones pueden ayudar: los más cercanos más lejos, grupos en línea o por teléfono, y líneas nacionales."
		}
	} else {
		n.Message = fmt.Sprintf("Nothing in person within %s of %s matches your search.", radius, where)
		if len(n.Farther) > 0 || len(n.Remote) > 0 || len(n.NationalLines) > 0 {
			n.Message += " These may help: the nearest matches farther out, groups you can join online or by phone, and national lines."
		}
	}
	return n
}

// radiusMessage says how far the search looked.
func radiusMessage(ui string, loc *SearchLocation, res *peerfind.Results) string {
	r := milesText(loc.RadiusMI)
	from := ""
	if res.Widened && len(peerfind.WidenStepsKM) > 0 && res.RadiusKM > peerfind.WidenStepsKM[0]+1e-9 {
		from = milesText(round(peerfind.WidenStepsKM[0]/kmPerMile, 1))
	}
	if ui == "es" {
		m := fmt.Sprintf("Presencial a menos de %s de %s", r, loc.Name)
		if loc.County != "" {
			m += fmt.Sprintf(", o que atienden %s", loc.County)
		}
		if from != "" {
			m += fmt.Sprintf(" (ampliado desde %s)", from)
		}
		return m
	}
	m := fmt.Sprintf("In person within %s of %s", r, loc.Name)
	if loc.County != "" {
		m += fmt.Sprintf(", or serving %s", loc.County)
	}
	if from != "" {
		m += fmt.Sprintf(" (widened from %s)", from)
	}
	return m
}

func milesText(mi float64) string {
	return strconv.FormatFloat(mi, 'f', -1, 64) + " mi"
}

// scheduleYourTime is a service's schedule in the searcher's zone, with
// that zone's name, when the searcher's zone is known and its clock
// differs from the service's this week.
func scheduleYourTime(s *peerfind.Service, loc *time.Location, ui string) (string, string) {
	if loc == nil || s == nil {
		return "", ""
	}
	ref := time.Now()
	conv, changed := ConvertSchedules(s.Schedules, loc, ref)
	if !changed {
		return "", ""
	}
	text := FormatSchedules(conv, ui)
	if text == "" {
		return "", ""
	}
	abbr := ref.In(loc).Format("MST")
	if abbr != "" && !strings.HasPrefix(abbr, "+") && !strings.HasPrefix(abbr, "-") {
		text += " " + abbr
	}
	return text, loc.String()
}

// ConvertSchedules gives weekly and monthly rules in the zone to, as they
// fall in the week of ref: a Monday 9:00 PM meeting in New York is a
// Monday 6:00 PM one in Los Angeles, and a Monday 11:00 PM one in Los
// Angeles is a Tuesday 2:00 AM one in New York (the day moves with the
// time). Rules without a zone or a start time are kept as they are.
// changed reports whether any rule moved.
func ConvertSchedules(ss []peerfind.Schedule, to *time.Location, ref time.Time) (out []peerfind.Schedule, changed bool) {
	for _, sc := range ss {
		from, err := peerfind.LoadLocation(sc.Timezone)
		if sc.Timezone == "" || err != nil || sc.OpensAt == "" || len(sc.ByDay) == 0 {
			out = append(out, sc)
			continue
		}
		open, okOpen := clock(sc.OpensAt)
		if !okOpen {
			out = append(out, sc)
			continue
		}
		// Shift in minutes between the zones this week, and the day move.
		day := time.Date(ref.Year(), ref.Month(), ref.Day(), 12, 0, 0, 0, from)
		local := time.Date(day.Year(), day.Month(), day.Day(), open/60, open%60, 0, 0, from).In(to)
		dayShift := dayDiff(day, local)
		c := sc
		c.Timezone = to.String()
		c.OpensAt = local.Format("15:04")
		if close, ok := clock(sc.ClosesAt); ok {
			c.ClosesAt = time.Date(day.Year(), day.Month(), day.Day(), close/60, close%60, 0, 0, from).In(to).Format("15:04")
		}
		if dayShift != 0 {
			c.ByDay = make([]string, 0, len(sc.ByDay))
			for _, d := range sc.ByDay {
				c.ByDay = append(c.ByDay, shiftDay(d, dayShift))
			}
		}
		if c.OpensAt != sc.OpensAt || dayShift != 0 {
			changed = true
		}
		out = append(out, c)
	}
	return out, changed
}

// clock reads "HH:MM" as minutes after midnight.
func clock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// dayDiff is how many calendar days b's date is after a's, in their own
// zones (-1, 0 or 1 between zones).
func dayDiff(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// shiftDay moves an RFC 5545 BYDAY value ("MO", "2TU", "-1FR") by n days,
// keeping its ordinal.
func shiftDay(d string, n int) string {
	if len(d) < 2 {
		return d
	}
	ord, code := d[:len(d)-2], d[len(d)-2:]
	i := -1
	for k, c := range dayCodes {
		if c == code {
			i = k
		}
	}
	if i < 0 {
		return d
	}
	return ord + dayCodes[((i+n)%7+7)%7]
}
