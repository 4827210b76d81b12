// Package normalize cleans crawled values into the shapes peerfind records
// use: plain text without markup and of bounded length, http(s) URLs only,
// US phone numbers in E.164, one-line US addresses split into parts,
// language names and tags as ISO 639 codes, and clock times as "HH:MM".
//
// Everything here treats its input as untrusted data: functions never
// panic and return "" (or false) for what they cannot read.
package normalize

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
)

// StripMarkup returns the text of s with every HTML tag and comment
// removed, the content of script and style elements dropped, entities
// decoded and white space collapsed to single spaces.
func StripMarkup(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToValidUTF8(s, "")
	if !strings.ContainsAny(s, "<&") {
		return Collapse(s)
	}
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return Collapse(html.UnescapeString(b.String()))
		case xhtml.TextToken:
			if skip == 0 {
				b.Write(z.Text())
				b.WriteByte(' ')
			}
		case xhtml.StartTagToken:
			name, _ := z.TagName()
			if n := string(name); n == "script" || n == "style" {
				skip++
			}
			b.WriteByte(' ')
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			if n := string(name); (n == "script" || n == "style") && skip > 0 {
				skip--
			}
			b.WriteByte(' ')
		}
	}
}

// Collapse drops control characters and invalid UTF-8 and collapses runs
// of white space to one space, trimming both ends.
func Collapse(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// Clip shortens s to at most n bytes without splitting a UTF-8 sequence.
func Clip(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace)
}

// Text is StripMarkup followed by Clip to n bytes: the cleaning every
// crawled text field gets.
func Text(s string, n int) string { return Clip(StripMarkup(s), n) }

// CleanURL resolves s against base (which may be nil) and returns it when
// it is an http or https URL with a host; otherwise it returns "" and
// false. Fragments are kept; white space and markup are removed first.
func CleanURL(s string, base *url.URL) (string, bool) {
	s = strings.TrimSpace(html.UnescapeString(s))
	if s == "" || len(s) > 2048 {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", false
	}
	if base != nil && !u.IsAbs() {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}

var (
	nonDigit = regexp.MustCompile(`\D+`)
	extRe    = regexp.MustCompile(`(?i)\s*(?:,|;)?\s*(?:ext\.?|extension|x|#)\s*(\d{1,6})\s*$`)
)

// PhoneE164 reads a North American number ("(650) 555-0100", "650.555.0100",
// "+1 650 555 0100", "1-800-555-0100 ext. 12") and returns it in E.164
// ("+16505550100") with any extension apart. ok is false when s is not a
// ten-digit NANP number (with an optional leading 1) and an extension.
func PhoneE164(s string) (e164, ext string, ok bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "tel:"), "TEL:")
	if m := extRe.FindStringSubmatchIndex(s); m != nil {
		ext = s[m[2]:m[3]]
		s = s[:m[0]]
	}
	if strings.IndexFunc(s, unicode.IsLetter) >= 0 {
		return "", "", false
	}
	d := nonDigit.ReplaceAllString(s, "")
	if len(d) == 11 && d[0] == '1' {
		d = d[1:]
	}
	if len(d) != 10 || d[0] < '2' || d[3] < '2' {
		return "", "", false
	}
	return "+1" + d, ext, true
}

// Address is a one-line address split into parts.
type Address struct {
	Street, City, State, PostalCode string
}

var (
	zipRe   = regexp.MustCompile(`^(\d{5})(?:-\d{4})?$`)
	stateRe = regexp.MustCompile(`^[A-Za-z]{2}$`)
)

// states maps US state and territory names to their two-letter codes.
var states = map[string]string{
	"alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
	"connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
	"hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
	"kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
	"michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
	"nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
	"new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
	"oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
	"tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
	"west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR", "guam": "GU",
}

// State returns the two-letter code of a US state given by code or name,
// or "".
func State(s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "."))
	if stateRe.MatchString(s) {
		up := strings.ToUpper(s)
		for _, c := range states {
			if c == up {
				return up
			}
		}
		return ""
	}
	return states[strings.ToLower(Collapse(s))]
}

// ParseUSAddress splits a one-line US address such as
// "123 Main St, San Jose, CA 95112" or "123 Main St, Suite 4, San Jose,
// California 95112, USA" into parts. ok is false when no state could be
// found; Street then holds the whole text.
func ParseUSAddress(s string) (a Address, ok bool) {
	s = Collapse(s)
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	// Drop a trailing country.
	if n := len(parts); n > 1 {
		switch strings.ToUpper(strings.ReplaceAll(parts[n-1], ".", "")) {
		case "USA", "US", "UNITED STATES", "UNITED STATES OF AMERICA":
			parts = parts[:n-1]
		}
	}
	n := len(parts)
	if n < 2 {
		return Address{Street: s}, false
	}
	// The last part is "CA 95112", "CA", "California 95112" or "95112".
	last := strings.Fields(parts[n-1])
	if len(last) > 0 && zipRe.MatchString(last[len(last)-1]) {
		a.PostalCode = last[len(last)-1]
		last = last[:len(last)-1]
	}
	cityIdx := n - 2
	if len(last) > 0 {
		a.State = State(strings.Join(last, " "))
		if a.State == "" {
			// "San Jose CA 95112" with no comma before the state.
			if len(last) > 1 {
				if st := State(last[len(last)-1]); st != "" {
					a.State = st
					a.City = strings.Join(last[:len(last)-1], " ")
					cityIdx = n - 1
				}
			}
		}
	} else if n >= 3 {
		// "..., San Jose, CA, 95112"
		if st := State(parts[n-2]); st != "" {
			a.State = st
			cityIdx = n - 3
		}
	}
	if a.State == "" {
		return Address{Street: s}, false
	}
	if a.City == "" && cityIdx >= 0 {
		a.City = parts[cityIdx]
	} else if a.City != "" {
		cityIdx = n - 1
	}
	if cityIdx > 0 {
		a.Street = strings.Join(parts[:cityIdx], ", ")
	}
	return a, true
}

var langNames = map[string]string{
	"english": "en", "spanish": "es", "espanol": "es", "español": "es", "castellano": "es", "french": "fr",
	"francais": "fr", "français": "fr", "german": "de", "deutsch": "de", "italian": "it", "portuguese": "pt",
	"chinese": "zh", "mandarin": "zh", "cantonese": "yue", "vietnamese": "vi", "tagalog": "tl", "filipino": "tl",
	"korean": "ko", "japanese": "ja", "russian": "ru", "arabic": "ar", "farsi": "fa", "persian": "fa",
	"hindi": "hi", "punjabi": "pa", "urdu": "ur", "polish": "pl", "dutch": "nl", "greek": "el", "hebrew": "he",
	"armenian": "hy", "american sign language": "ase", "asl": "ase", "sign language": "ase", "hmong": "hmn",
	"somali": "so", "amharic": "am", "haitian creole": "ht", "creole": "ht", "ukrainian": "uk", "slovak": "sk",
}

var tagRe = regexp.MustCompile(`^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$`)

// Language returns the ISO 639 code (639-1 where one exists) of a
// language given as a BCP 47 tag ("en-US", "es"), an ISO 639-2/3 code of
// a few common languages ("eng", "spa") or an English or native name
// ("English", "Español"), or "" when it cannot tell.
func Language(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 60 {
		return ""
	}
	low := strings.ToLower(s)
	if c, ok := langNames[low]; ok {
		return c
	}
	switch low {
	case "eng":
		return "en"
	case "spa":
		return "es"
	case "fra", "fre":
		return "fr"
	case "ger", "deu":
		return "de"
	case "zho", "chi":
		return "zh"
	case "vie":
		return "vi"
	case "kor":
		return "ko"
	}
	if m := tagRe.FindStringSubmatch(s); m != nil {
		c := strings.ToLower(m[1])
		if len(c) == 2 || c == "ase" || c == "yue" || c == "hmn" {
			return c
		}
	}
	return ""
}

var clockRe = regexp.MustCompile(`(?i)^\s*(\d{1,2})(?:[:.h](\d{2}))?(?::\d{2}(?:\.\d+)?)?\s*([ap])?\.?\s*(m\.?)?\s*$`)

// Clock reads a time of day ("19:00", "19:00:00", "7pm", "7:30 PM",
// "7 p.m.", "noon") and returns it as "HH:MM", or "".
func Clock(s string) string {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "noon", "midday":
		return "12:00"
	case "midnight":
		return "00:00"
	}
	// Drop a zone offset or "Z" after an ISO time.
	if i := strings.IndexAny(s, "z+"); i > 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '-'); i > 4 {
		s = s[:i]
	}
	m := clockRe.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	h := atoi(m[1])
	min := 0
	if m[2] != "" {
		min = atoi(m[2])
	}
	switch m[3] {
	case "p":
		if h < 1 || h > 12 {
			return ""
		}
		if h != 12 {
			h += 12
		}
	case "a":
		if h < 1 || h > 12 {
			return ""
		}
		if h == 12 {
			h = 0
		}
	default:
		if m[4] != "" {
			return ""
		}
	}
	if h > 23 || min > 59 {
		return ""
	}
	return string([]byte{byte('0' + h/10), byte('0' + h%10), ':', byte('0' + min/10), byte('0' + min%10)})
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

var dayNames = map[string]string{
	"monday": "MO", "mon": "MO", "mondays": "MO", "tuesday": "TU", "tue": "TU", "tues": "TU", "tuesdays": "TU",
	"wednesday": "WE", "wed": "WE", "wednesdays": "WE", "thursday": "TH", "thu": "TH", "thur": "TH", "thurs": "TH",
	"thursdays": "TH", "friday": "FR", "fri": "FR", "fridays": "FR", "saturday": "SA", "sat": "SA",
	"saturdays": "SA", "sunday": "SU", "sun": "SU", "sundays": "SU",
	"lunes": "MO", "martes": "TU", "miercoles": "WE", "miércoles": "WE", "jueves": "TH", "viernes": "FR",
	"sabado": "SA", "sábado": "SA", "domingo": "SU", "domingos": "SU",
	"mo": "MO", "tu": "TU", "we": "WE", "th": "TH", "fr": "FR", "sa": "SA", "su": "SU",
}

// Day returns the RFC 5545 BYDAY code ("TU") of a weekday given by name,
// abbreviation or schema.org URL ("https://schema.org/Tuesday"), or "".
func Day(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	return dayNames[strings.ToLower(strings.TrimSuffix(s, "."))]
}
