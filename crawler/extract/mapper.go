package extract

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/crawler/normalize"
)

// Type sets the mapper recognises, by local schema.org type name.
var (
	orgTypes = set("Organization", "NGO", "MedicalOrganization", "LocalBusiness", "NonprofitOrganization",
		"GovernmentOrganization", "MedicalClinic", "CommunityHealth", "EmergencyService", "HealthAndBeautyBusiness",
		"ProfessionalService", "Hospital", "Physician", "Library", "CivicStructure")
	serviceTypes = set("Service", "GovernmentService", "BroadcastService", "CableOrSatelliteService", "FinancialProduct")
	placeTypes   = set("Place", "CivicStructure", "PlaceOfWorship", "Church", "CommunityCenter", "Accommodation")
	eventTypes   = set("Event", "EventSeries", "SocialEvent", "EducationEvent", "BusinessEvent", "CourseInstance",
		"ChildrensEvent", "ComedyEvent", "DanceEvent", "ExhibitionEvent", "Festival", "FoodEvent", "Hackathon",
		"LiteraryEvent", "MusicEvent", "PublicationEvent", "SaleEvent", "ScreeningEvent", "SportsEvent",
		"TheaterEvent", "VisualArtsEvent", "DeliveryEvent")
	// rulesType marks nodes built by the CSS-rules extractor.
	rulesType = "peerfind:RulesItem"
)

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// draft is a record being built from a node, with what classification
// and the peer-support decision need.
type draft struct {
	s        *peerfind.Service
	texts    []string // name, description, keywords...: classified with tax.Classify
	isEvent  bool     // a gathering (Event, EventSeries): a group when peer support
	terms    []string // raw category terms (rules "category"), each classified alone
	rawLangs []string
	address  string // for the id and dedupe
}

// mappable reports whether the node is of a type the mapper turns into a
// record.
func mappable(n node) bool {
	for _, t := range n.types() {
		if orgTypes[t] || serviceTypes[t] || eventTypes[t] || t == rulesType {
			return true
		}
	}
	return false
}

// mapNode turns one schema.org node into a draft record. base resolves
// relative URLs; warn reports dropped fields.
func mapNode(n node, base *url.URL, warn func(format string, args ...any)) *draft {
	s := &peerfind.Service{Status: "active"}
	d := &draft{s: s, isEvent: n.is(eventTypes)}
	s.Name = normalize.Text(n.str("name", "headline", "alternateName"), peerfind.MaxNameLen)
	if alt := normalize.Text(n.str("alternateName"), peerfind.MaxNameLen); alt != s.Name {
		s.AlternateName = alt
	}
	s.Description = normalize.Text(n.str("description", "disambiguatingDescription"), maxDescription)
	d.texts = append(d.texts, s.Name, s.Description)
	d.texts = append(d.texts, n.strs("keywords", "serviceType", "category", "audience", "about")...)
	if u := n.str("url", "sameAs"); u != "" {
		s.URL = cleanURL(u, base, "url", warn)
	}
	if e := cleanEmail(n.str("email")); e != "" {
		s.Email = e
	}
	for _, t := range n.strs("telephone", "faxNumber") {
		if p, ok := phone(t); ok {
			s.Phones = append(s.Phones, p)
		}
	}
	if ch := n.child("availableChannel"); ch != nil {
		if sp := ch.child("servicePhone"); sp != nil {
			if p, ok := phone(sp.str("telephone", "name")); ok {
				s.Phones = append(s.Phones, p)
			}
		}
		if s.URL == "" {
			s.URL = cleanURL(ch.str("serviceUrl"), base, "serviceUrl", warn)
		}
	}
	// Languages: knowsLanguage, availableLanguage, inLanguage.
	d.rawLangs = n.strs("knowsLanguage", "availableLanguage", "inLanguage")

	// Organization: the node itself when it is one, else provider/organizer.
	if n.is(orgTypes) {
		s.Organization = peerfind.Organization{Name: s.Name, Description: s.Description, URL: s.URL, Email: s.Email}
	} else if o := n.child("provider", "organizer", "publisher", "parentOrganization"); o != nil {
		s.Organization.Name = normalize.Text(o.str("name", "legalName"), peerfind.MaxNameLen)
		s.Organization.URL = cleanURL(o.str("url"), base, "organization.url", warn)
		s.Organization.Email = cleanEmail(o.str("email"))
		if len(s.Phones) == 0 {
			if p, ok := phone(o.str("telephone")); ok {
				s.Phones = append(s.Phones, p)
			}
		}
	} else if name := n.str("provider", "organizer"); name != "" {
		s.Organization.Name = normalize.Text(name, peerfind.MaxNameLen)
	}

	// Places: the node itself (an Organization or Place with an address),
	// location(s) of an Event, or a Service's availableChannel.serviceLocation.
	if loc, ok := place(n, base); ok && !d.isEvent {
		s.Locations = append(s.Locations, loc)
	}
	online := false
	for _, v := range n.all("location") {
		switch l := v.(type) {
		case string:
			if u, ok := normalize.CleanURL(l, base); ok && strings.HasPrefix(strings.TrimSpace(l), "http") {
				online = true
				setConference(s, u)
				continue
			}
			a := parseAddress(l)
			if a != (peerfind.Address{}) {
				s.Locations = append(s.Locations, peerfind.Location{Address: a})
			}
		default:
			ln := asNode(v)
			if ln == nil {
				continue
			}
			if ln.is(set("VirtualLocation")) {
				online = true
				if u := cleanURL(ln.str("url"), base, "location.url", warn); u != "" {
					setConference(s, u)
				}
				continue
			}
			if loc, ok := place(ln, base); ok {
				s.Locations = append(s.Locations, loc)
			}
		}
	}
	if ch := n.child("availableChannel"); ch != nil {
		if ln := ch.child("serviceLocation"); ln != nil {
			if loc, ok := place(ln, base); ok {
				s.Locations = append(s.Locations, loc)
			}
		}
	}
	if len(s.Locations) > 0 {
		d.address = s.Locations[0].Address.String()
	}

	// Attendance.
	mode := strings.ToLower(localName(n.str("eventAttendanceMode")))
	switch {
	case strings.Contains(mode, "mixed"):
		s.Attendance = []string{"hybrid", "in-person", "online"}
	case strings.Contains(mode, "online"):
		s.Attendance = []string{"online"}
	case strings.Contains(mode, "offline"):
		s.Attendance = []string{"in-person"}
	case online && hasStreet(s.Locations):
		s.Attendance = []string{"hybrid", "in-person", "online"}
	case online:
		s.Attendance = []string{"online"}
	case d.isEvent && hasStreet(s.Locations):
		s.Attendance = []string{"in-person"}
	}

	// Service areas.
	for _, v := range n.all("areaServed") {
		name := ""
		if an := asNode(v); an != nil {
			name = an.str("name", "address")
			if name == "" {
				if a := an.child("address"); a != nil {
					name = postal(a).String()
				}
			}
		} else {
			name = text(v)
		}
		if name = normalize.Text(name, peerfind.MaxNameLen); name != "" {
			s.ServiceAreas = append(s.ServiceAreas, peerfind.ServiceArea{Name: name})
		}
	}

	// Cost.
	if v, ok := n["isAccessibleForFree"]; ok {
		if b, _ := v.(bool); b || strings.EqualFold(text(v), "true") {
			s.Cost = "free"
		}
	}

	// Schedules.
	for _, v := range n.all("eventSchedule") {
		if sc, ok := schedule(v, warn); ok {
			s.Schedules = append(s.Schedules, sc)
		}
	}
	if len(s.Schedules) == 0 && d.isEvent {
		if sd := n.str("startDate"); sd != "" {
			s.Schedules = append(s.Schedules, peerfind.Schedule{Description: "Starts " + normalize.Text(sd, 60)})
		}
	}
	for _, h := range n.strs("openingHours") {
		if h = normalize.Text(h, 300); h != "" {
			s.Schedules = append(s.Schedules, peerfind.Schedule{Description: h})
		}
	}
	return d
}

func setConference(s *peerfind.Service, u string) {
	if s.Meeting == nil {
		s.Meeting = &peerfind.Meeting{}
	}
	if s.Meeting.ConferenceURL == "" {
		s.Meeting.ConferenceURL = u
	}
}

func hasStreet(locs []peerfind.Location) bool {
	for _, l := range locs {
		if l.Address.Address1 != "" {
			return true
		}
	}
	return false
}

// place reads a Place-like node (its address and geo) into a Location.
func place(n node, base *url.URL) (peerfind.Location, bool) {
	var loc peerfind.Location
	if !n.is(eventTypes) {
		loc.Name = normalize.Text(n.str("name"), peerfind.MaxNameLen)
	}
	switch a := n["address"].(type) {
	case string:
		loc.Address = parseAddress(a)
	default:
		if an := n.child("address"); an != nil {
			loc.Address = postal(an)
		}
	}
	if g := n.child("geo"); g != nil {
		lat, ok1 := float(g["latitude"])
		lon, ok2 := float(g["longitude"])
		if ok1 && ok2 && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !(lat == 0 && lon == 0) {
			loc.Latitude, loc.Longitude = &lat, &lon
		}
	}
	if loc.Address == (peerfind.Address{}) && loc.Latitude == nil {
		return loc, false
	}
	return loc, true
}

// postal reads a PostalAddress node.
func postal(a node) peerfind.Address {
	addr := peerfind.Address{
		Address1:      normalize.Text(a.str("streetAddress"), 200),
		City:          normalize.Text(a.str("addressLocality"), 100),
		StateProvince: normalize.Text(a.str("addressRegion"), 100),
		PostalCode:    normalize.Text(a.str("postalCode"), 20),
		Country:       normalize.Text(a.str("addressCountry"), 60),
	}
	if st := normalize.State(addr.StateProvince); st != "" {
		addr.StateProvince = st
	}
	switch strings.ToUpper(strings.ReplaceAll(addr.Country, ".", "")) {
	case "US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA":
		addr.Country = "US"
	default:
		if len(addr.Country) != 2 {
			addr.Country = ""
		} else {
			addr.Country = strings.ToUpper(addr.Country)
		}
	}
	if addr.Address1 != "" && addr.City == "" && addr.StateProvince == "" {
		if p, ok := normalize.ParseUSAddress(addr.Address1); ok {
			addr.Address1, addr.City, addr.StateProvince, addr.PostalCode = p.Street, p.City, p.State, p.PostalCode
		}
	}
	return addr
}

// parseAddress reads a one-line address; unparseable text stays whole in
// Address1.
func parseAddress(s string) peerfind.Address {
	s = normalize.Text(s, 300)
	if s == "" {
		return peerfind.Address{}
	}
	if p, ok := normalize.ParseUSAddress(s); ok {
		return peerfind.Address{Address1: p.Street, City: p.City, StateProvince: p.State, PostalCode: p.PostalCode, Country: "US"}
	}
	return peerfind.Address{Address1: s}
}

func cleanURL(s string, base *url.URL, field string, warn func(string, ...any)) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	u, ok := normalize.CleanURL(s, base)
	if !ok {
		warn("dropped %s: not an http(s) URL: %q", field, normalize.Clip(s, 60))
		return ""
	}
	return u
}

func cleanEmail(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(normalize.StripMarkup(s)), "mailto:")
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 254 || strings.Count(s, "@") != 1 || strings.ContainsAny(s, " <>\"'") {
		return ""
	}
	return s
}

// phone turns published text into a Phone: Number in E.164 when it is a
// North American number, else the published text; Extension apart.
func phone(s string) (peerfind.Phone, bool) {
	s = normalize.Text(s, 60)
	if s == "" {
		return peerfind.Phone{}, false
	}
	if e, ext, ok := normalize.PhoneE164(s); ok {
		return peerfind.Phone{Number: e, Extension: ext, Type: "voice"}, true
	}
	if strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) < 0 {
		return peerfind.Phone{}, false
	}
	return peerfind.Phone{Number: s}, true
}

// schedule reads a schema.org Schedule node, or a free-text schedule.
func schedule(v any, warn func(string, ...any)) (peerfind.Schedule, bool) {
	n := asNode(v)
	if n == nil {
		return freeSchedule(text(v))
	}
	var sc peerfind.Schedule
	var days []string
	for _, d := range n.strs("byDay") {
		if c := normalize.Day(d); c != "" {
			days = append(days, c)
		}
	}
	freq := strings.ToUpper(strings.TrimSpace(n.str("repeatFrequency")))
	switch {
	case freq == "" || freq == "WEEKLY" || freq == "P1W" || freq == "P7D":
		sc.Freq = "WEEKLY"
	case freq == "P2W":
		sc.Freq, sc.Interval = "WEEKLY", 2
	case freq == "MONTHLY" || freq == "P1M":
		sc.Freq = "MONTHLY"
	case freq == "DAILY" || freq == "P1D":
		sc.Freq = "WEEKLY"
		days = []string{"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
	default:
		warn("unsupported repeatFrequency %q", normalize.Clip(freq, 20))
	}
	start := n.str("startTime")
	if start == "" {
		if sd := n.str("startDate"); strings.Contains(sd, "T") {
			start = sd[strings.IndexByte(sd, 'T')+1:]
		}
	}
	sc.OpensAt = normalize.Clock(start)
	sc.ClosesAt = normalize.Clock(n.str("endTime"))
	if len(days) == 0 && sc.Freq == "WEEKLY" {
		if sd := n.str("startDate"); len(sd) >= 10 {
			if t, err := time.Parse("2006-01-02", sd[:10]); err == nil {
				days = []string{normalize.Day(t.Weekday().String())}
			}
		}
	}
	if sc.Freq == "MONTHLY" {
		var weeks []string
		for _, w := range n.all("byMonthWeek") {
			if f, ok := float(w); ok && f == float64(int(f)) && f >= -1 && f <= 5 && f != 0 {
				weeks = append(weeks, strconv.Itoa(int(f)))
			}
		}
		if len(weeks) > 0 {
			var out []string
			for _, w := range weeks {
				for _, d := range days {
					out = append(out, w+d)
				}
			}
			days = out
		}
	}
	sc.ByDay = days
	if tz := strings.TrimSpace(n.str("scheduleTimezone")); tz != "" {
		if _, err := peerfind.LoadLocation(tz); err == nil && !strings.EqualFold(tz, "local") {
			sc.Timezone = tz
		} else {
			warn("unknown scheduleTimezone %q", normalize.Clip(tz, 40))
		}
	}
	if sc.Freq == "" || len(sc.ByDay) == 0 {
		if desc := normalize.Text(n.str("description", "name"), 300); desc != "" {
			return peerfind.Schedule{Description: desc}, true
		}
		return peerfind.Schedule{}, false
	}
	return sc, true
}

// freeSchedule keeps a schedule given as text in Description and, when it
// names exactly one weekday and at most one time ("Tuesdays 7pm",
// "Tuesday 7:00 PM - 8:30 PM"), also reads it as a weekly rule.
func freeSchedule(s string) (peerfind.Schedule, bool) {
	s = normalize.Text(s, 300)
	if s == "" {
		return peerfind.Schedule{}, false
	}
	sc := peerfind.Schedule{Description: s}
	lower := strings.ToLower(s)
	for _, w := range []string{"every other", "biweekly", "first", "second", "third", "fourth", "last", "1st", "2nd", "3rd", "4th", "month", "except"} {
		if strings.Contains(lower, w) {
			return sc, true
		}
	}
	words := strings.FieldsFunc(lower, func(r rune) bool { return r == ' ' || r == ',' || r == '@' || r == '-' || r == '–' })
	var days, times []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		if d := normalize.Day(strings.TrimSuffix(w, "s")); d != "" && len(w) > 2 {
			days = append(days, d)
			continue
		}
		if d := normalize.Day(w); d != "" && len(w) > 2 {
			days = append(days, d)
			continue
		}
		if w == "at" || w == "from" || w == "to" {
			continue
		}
		c := ""
		if i+1 < len(words) && ampm(words[i+1]) {
			if c = normalize.Clock(w + " " + words[i+1]); c != "" {
				i++
			}
		} else if strings.Contains(w, ":") || strings.HasSuffix(w, "am") || strings.HasSuffix(w, "pm") ||
			strings.HasSuffix(w, "a.m.") || strings.HasSuffix(w, "p.m.") {
			c = normalize.Clock(w)
		}
		if c != "" {
			times = append(times, c)
		}
	}
	if len(days) == 1 && len(times) >= 1 && len(times) <= 2 {
		sc.Freq, sc.ByDay, sc.OpensAt = "WEEKLY", days, times[0]
		if len(times) == 2 {
			sc.ClosesAt = times[1]
		}
	}
	return sc, true
}

func ampm(w string) bool {
	switch strings.TrimSuffix(w, ".") {
	case "am", "pm", "a.m", "p.m":
		return true
	}
	return false
}
