package meetingguide

import (
	"regexp"
	"strings"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest/internal/textutil"
)

// parsedAddress is an address read from a feed, with what was repaired.
type parsedAddress struct {
	addr peerfind.Address
	// street is true when the address names a street or building, not
	// just a city, region or country.
	street bool
	// repairs say what was fixed, e.g. `state "California" read as CA`.
	repairs []string
}

var (
	usZip       = `\d{5}(?:-\d{4})?`
	caPostal    = `[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d`
	statePostal = regexp.MustCompile(`^(.+?)\.?\s+(` + usZip + `|` + caPostal + `)$`)
	postalOnly  = regexp.MustCompile(`^(?:` + usZip + `|` + caPostal + `)$`)
	// Postal codes of other countries: "7975" (ZA), "10119 Berlin" (DE),
	// "5612 EK Eindhoven" (NL), "London WC2H 0EW" (GB).
	bareDigits   = regexp.MustCompile(`^\d{4,5}$`)
	postalFirst  = regexp.MustCompile(`^(\d{4}\s?[A-Z]{2}|\d{4,5})\s+(\D.*)$`)
	ukPostalLast = regexp.MustCompile(`^(.+?)\s+([A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})$`)
	// streetCity splits "325 Cherry St. Philadelphia" after the street
	// type.
	streetCity = regexp.MustCompile(`(?i)^(\d+\s.*\b(?:st|street|rd|road|ave|avenue|blvd|boulevard|dr|drive|ln|lane|pike|way|ct|court|pl|place|hwy|highway|pkwy|parkway|ter|terrace|cir|circle)\.?)\s+(\p{L}[\p{L} .'-]*)$`)
)

// parseFormatted reads a one-line address such as "3186 Pullman St, Costa
// Mesa, CA 92626, USA", "8318 104 St, Edmonton, Alberta, T6E 4E8, Canada"
// or "London, UK". defCountry is the ISO code assumed when the address
// names no country.
func parseFormatted(s, defCountry string) parsedAddress {
	var p parsedAddress
	var parts []string
	for _, x := range strings.Split(textutil.Clean(s), ",") {
		if x = strings.TrimSpace(x); x != "" {
			parts = append(parts, x)
		}
	}
	// "Edmonton, Alberta, Canada , Edmonton, Alberta, Canada": the same
	// address twice.
	if h := len(parts) / 2; len(parts)%2 == 0 && h > 0 &&
		peerfind.Fold(strings.Join(parts[:h], ",")) == peerfind.Fold(strings.Join(parts[h:], ",")) {
		parts = parts[:h]
	}
	if len(parts) == 0 {
		return p
	}
	// The country, last, maybe glued to the part before: "PA 19061 United States".
	last := parts[len(parts)-1]
	if c, ok := countryCode(last, defCountry); ok {
		p.addr.Country = c
		parts = parts[:len(parts)-1]
	} else if c, rest, ok := countrySuffix(last); ok {
		p.addr.Country = c
		parts[len(parts)-1] = rest
	}
	if len(parts) == 0 {
		if p.addr.Country == "" {
			p.addr.Country = defCountry
		}
		return p
	}
	country := p.addr.Country
	if country == "" {
		country = defCountry
	}
	n := len(parts)
	last = parts[n-1]
	cityIdx := -1
	switch {
	case statePostal.MatchString(last) && p.setState(statePostal.FindStringSubmatch(last)[1], country):
		p.addr.PostalCode = strings.ToUpper(statePostal.FindStringSubmatch(last)[2])
		cityIdx = n - 2
	case postalOnly.MatchString(last) && n >= 2 && p.setState(parts[n-2], country):
		p.addr.PostalCode = strings.ToUpper(last)
		cityIdx = n - 3
	case p.setState(last, country):
		cityIdx = n - 2
	case bareDigits.MatchString(last):
		p.addr.PostalCode = last
		cityIdx = n - 2
	case postalFirst.MatchString(last):
		m := postalFirst.FindStringSubmatch(last)
		p.addr.PostalCode, p.addr.City = m[1], m[2]
		cityIdx = n - 1
	case ukPostalLast.MatchString(last):
		m := ukPostalLast.FindStringSubmatch(last)
		p.addr.City, p.addr.PostalCode = m[1], m[2]
		cityIdx = n - 1
	default:
		p.addr.City = last
		cityIdx = n - 1
	}
	if cityIdx >= 0 && p.addr.City == "" {
		p.addr.City = parts[cityIdx]
		// "2203 Harmonyville rd. Elverson, PA. 19520": street and city
		// without a comma between them.
		if m := streetCity.FindStringSubmatch(p.addr.City); m != nil {
			parts[cityIdx] = m[1]
			p.addr.City = m[2]
			cityIdx++
		}
	}
	if cityIdx > 0 {
		p.addr.Address1 = strings.Join(parts[:cityIdx], ", ")
		p.street = true
	}
	if p.addr.Country == "" {
		switch {
		case usStates[p.addr.StateProvince] != "":
			p.addr.Country = "US"
		case caProvinces[p.addr.StateProvince] != "":
			p.addr.Country = "CA"
		default:
			p.addr.Country = defCountry
		}
	}
	return p
}

// setState sets the state or province when s names one of country (US or
// Canada, or either when country is unknown), noting a repair when s was
// not already the upper-case code.
func (p *parsedAddress) setState(s, country string) bool {
	code, ok := stateCode(s, country)
	if !ok {
		return false
	}
	if code != s {
		p.repairs = append(p.repairs, `state "`+s+`" read as `+code)
	}
	p.addr.StateProvince = code
	return true
}

// stateCode returns the two-letter code of a US state or Canadian
// province given as a code in any case ("ca", "PA."), a name
// ("California", "Alberta") or a common abbreviation ("Calif.").
func stateCode(s, country string) (string, bool) {
	if country != "" && country != "US" && country != "CA" {
		return "", false
	}
	t := strings.TrimSpace(s)
	if len(t) == 3 && t[2] == '.' {
		t = t[:2]
	}
	if len(t) == 2 {
		up := strings.ToUpper(t)
		if (country == "" || country == "US") && usStates[up] != "" {
			return up, true
		}
		if (country == "" || country == "CA") && caProvinces[up] != "" {
			return up, true
		}
		return "", false
	}
	f := strings.TrimSuffix(peerfind.Fold(t), ".")
	if c, ok := stateNames[f]; ok {
		if country == "" || (country == "US") == (usStates[c] != "") {
			return c, true
		}
	}
	return "", false
}

// countryCode returns the ISO code of a country name as feeds write it.
// "Georgia" is the country unless the feed is a US one.
func countryCode(s, defCountry string) (string, bool) {
	f := strings.TrimSuffix(peerfind.Fold(s), ".")
	if f == "georgia" && defCountry == "US" {
		return "", false
	}
	c, ok := countryNames[f]
	return c, ok
}

// countrySuffix splits "PA 19061 United States" into US and "PA 19061".
func countrySuffix(s string) (code, rest string, ok bool) {
	f := peerfind.Fold(s)
	for _, name := range []string{"united states of america", "united states", "usa", "canada", "united kingdom", "uk"} {
		if strings.HasSuffix(f, " "+name) {
			cut := len(s) - len(name)
			if cut <= 0 || cut > len(s) {
				return "", "", false
			}
			return countryNames[name], strings.TrimSpace(s[:cut]), true
		}
	}
	return "", "", false
}

// normalizeCountry reads a country field ("USA", "Canada", "UK" or an
// ISO code).
func normalizeCountry(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if len(t) == 2 && strings.ToUpper(t) == t {
		return t, true
	}
	return countryCode(t, "")
}

var countryNames = map[string]string{
	"us": "US", "usa": "US", "u.s.a": "US", "u.s": "US", "united states": "US", "united states of america": "US",
	"canada": "CA",
	"uk":     "GB", "u.k": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
	"wales": "GB", "northern ireland": "GB",
	"ireland": "IE", "germany": "DE", "deutschland": "DE", "netherlands": "NL", "the netherlands": "NL",
	"nederland": "NL", "belgium": "BE", "france": "FR", "spain": "ES", "portugal": "PT", "italy": "IT",
	"switzerland": "CH", "austria": "AT", "sweden": "SE", "norway": "NO", "denmark": "DK", "finland": "FI",
	"iceland": "IS", "poland": "PL", "israel": "IL", "india": "IN", "japan": "JP", "south korea": "KR",
	"philippines": "PH", "australia": "AU", "new zealand": "NZ", "south africa": "ZA", "mexico": "MX",
	"georgia": "GE", "puerto rico": "PR", "brazil": "BR", "argentina": "AR",
}

// usStates maps the USPS codes of the states, DC and Puerto Rico to the
// IANA time zone that most of the state's people live in.
var usStates = map[string]string{
	"AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix", "AR": "America/Chicago",
	"CA": "America/Los_Angeles", "CO": "America/Denver", "CT": "America/New_York", "DE": "America/New_York",
	"DC": "America/New_York", "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
	"ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis", "IA": "America/Chicago",
	"KS": "America/Chicago", "KY": "America/New_York", "LA": "America/Chicago", "ME": "America/New_York",
	"MD": "America/New_York", "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
	"MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver", "NE": "America/Chicago",
	"NV": "America/Los_Angeles", "NH": "America/New_York", "NJ": "America/New_York", "NM": "America/Denver",
	"NY": "America/New_York", "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
	"OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York", "RI": "America/New_York",
	"SC": "America/New_York", "SD": "America/Chicago", "TN": "America/Chicago", "TX": "America/Chicago",
	"UT": "America/Denver", "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
	"WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver", "PR": "America/Puerto_Rico",
}

// caProvinces maps the Canadian province codes to their main time zone.
var caProvinces = map[string]string{
	"AB": "America/Edmonton", "BC": "America/Vancouver", "MB": "America/Winnipeg", "NB": "America/Moncton",
	"NL": "America/St_Johns", "NS": "America/Halifax", "NT": "America/Yellowknife", "NU": "America/Iqaluit",
	"ON": "America/Toronto", "PE": "America/Halifax", "QC": "America/Toronto", "SK": "America/Regina",
	"YT": "America/Whitehorse",
}

// countryZones maps countries with one main time zone to it.
var countryZones = map[string]string{
	"GB": "Europe/London", "IE": "Europe/Dublin", "DE": "Europe/Berlin", "NL": "Europe/Amsterdam",
	"BE": "Europe/Brussels", "FR": "Europe/Paris", "ES": "Europe/Madrid", "PT": "Europe/Lisbon",
	"IT": "Europe/Rome", "CH": "Europe/Zurich", "AT": "Europe/Vienna", "SE": "Europe/Stockholm",
	"NO": "Europe/Oslo", "DK": "Europe/Copenhagen", "FI": "Europe/Helsinki", "IS": "Atlantic/Reykjavik",
	"PL": "Europe/Warsaw", "IL": "Asia/Jerusalem", "IN": "Asia/Kolkata", "JP": "Asia/Tokyo",
	"KR": "Asia/Seoul", "PH": "Asia/Manila", "NZ": "Pacific/Auckland", "ZA": "Africa/Johannesburg",
	"GE": "Asia/Tbilisi", "MX": "America/Mexico_City", "PR": "America/Puerto_Rico",
}

// placeZone returns the time zone of a place: its state's or province's,
// or its country's when the country has one main zone.
func placeZone(a peerfind.Address) string {
	switch a.Country {
	case "US", "":
		if z := usStates[a.StateProvince]; z != "" {
			return z
		}
	case "CA":
		return caProvinces[a.StateProvince]
	}
	return countryZones[a.Country]
}

// stateNames maps folded state and province names and abbreviations to
// their codes.
var stateNames = map[string]string{
	"alabama": "AL", "ala": "AL", "alaska": "AK", "arizona": "AZ", "ariz": "AZ", "arkansas": "AR", "ark": "AR",
	"california": "CA", "calif": "CA", "cal": "CA", "colorado": "CO", "colo": "CO", "connecticut": "CT",
	"conn": "CT", "delaware": "DE", "del": "DE", "district of columbia": "DC", "florida": "FL", "fla": "FL",
	"georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL", "ill": "IL", "indiana": "IN",
	"ind": "IN", "iowa": "IA", "kansas": "KS", "kan": "KS", "kans": "KS", "kentucky": "KY", "ky": "KY",
	"louisiana": "LA", "maine": "ME", "maryland": "MD", "md": "MD", "massachusetts": "MA", "mass": "MA",
	"michigan": "MI", "mich": "MI", "minnesota": "MN", "minn": "MN", "mississippi": "MS", "miss": "MS",
	"missouri": "MO", "montana": "MT", "mont": "MT", "nebraska": "NE", "neb": "NE", "nebr": "NE",
	"nevada": "NV", "nev": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
	"new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
	"okla": "OK", "oregon": "OR", "ore": "OR", "pennsylvania": "PA", "penn": "PA", "penna": "PA",
	"rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "tenn": "TN",
	"texas": "TX", "tex": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
	"wash": "WA", "west virginia": "WV", "wisconsin": "WI", "wis": "WI", "wisc": "WI", "wyoming": "WY",
	"wyo": "WY", "puerto rico": "PR",
	"alberta": "AB", "british columbia": "BC", "manitoba": "MB", "new brunswick": "NB",
	"newfoundland and labrador": "NL", "newfoundland": "NL", "nova scotia": "NS",
	"northwest territories": "NT", "nunavut": "NU", "ontario": "ON", "prince edward island": "PE",
	"quebec": "QC", "saskatchewan": "SK", "yukon": "YT",
}
