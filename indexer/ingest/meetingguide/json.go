package meetingguide

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/peerfind/peerfind/indexer/ingest/internal/flex"
)

// The feed's fields are read through these types, which accept the shapes
// real feeds use for the same field: a number or a string, one value or a
// list, null or nothing.

// flexFloat is a coordinate written as a number, a string, "" or null.
type flexFloat struct {
	// Raw is the value as written, for reports.
	Raw string
	// Value is the number, valid when OK.
	Value float64
	// OK is true when Raw held a number.
	OK bool
}

// UnmarshalJSON reads a number, a numeric string, "" or null.
func (f *flexFloat) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*f = flexFloat{}
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else if b[0] == '[' || b[0] == '{' {
		f.Raw = s
		return nil
	}
	f.Raw = strings.TrimSpace(s)
	if f.Raw == "" {
		return nil
	}
	v, err := strconv.ParseFloat(f.Raw, 64)
	if err == nil && v == v {
		f.Value, f.OK = v, true
	}
	return nil
}

// flexDays is the day field: 0-6 (Sunday is 0) as a number or a string, a
// day name, or a list of these. Values it cannot read are kept in Bad.
type flexDays struct {
	// Present is true when the field was there and not null.
	Present bool
	// Days are the days read, 0 = Sunday.
	Days []int
	// Bad are the values that are not days, as written.
	Bad []string
}

// UnmarshalJSON reads a day, a list of days or null.
func (d *flexDays) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*d = flexDays{}
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	d.Present = true
	d.add(v)
	if len(d.Days) == 0 && len(d.Bad) == 0 {
		d.Bad = append(d.Bad, string(b))
	}
	return nil
}

func (d *flexDays) add(v any) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			d.add(e)
		}
	case float64:
		if x == float64(int(x)) && x >= 0 && x <= 6 {
			d.Days = append(d.Days, int(x))
			return
		}
		d.Bad = append(d.Bad, strconv.FormatFloat(x, 'f', -1, 64))
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return
		}
		if n, err := strconv.Atoi(s); err == nil {
			d.add(float64(n))
			return
		}
		if n, ok := dayNames[strings.ToLower(strings.TrimSuffix(s, "."))]; ok {
			d.Days = append(d.Days, n)
			return
		}
		d.Bad = append(d.Bad, s)
	default:
		b, _ := json.Marshal(x)
		d.Bad = append(d.Bad, string(b))
	}
}

var dayNames = map[string]int{
	"sunday": 0, "sun": 0, "su": 0, "domingo": 0,
	"monday": 1, "mon": 1, "mo": 1, "lunes": 1,
	"tuesday": 2, "tue": 2, "tues": 2, "tu": 2, "martes": 2,
	"wednesday": 3, "wed": 3, "we": 3, "miércoles": 3, "miercoles": 3,
	"thursday": 4, "thu": 4, "thur": 4, "thurs": 4, "th": 4, "jueves": 4,
	"friday": 5, "fri": 5, "fr": 5, "viernes": 5,
	"saturday": 6, "sat": 6, "sa": 6, "sábado": 6, "sabado": 6,
}

// byDay are the RFC 5545 day codes, indexed by Meeting Guide day number.
var byDay = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// entry is one meeting as a feed lists it. Only the fields peerfind uses
// are read; the individual contact fields are never read.
type entry struct {
	ID                   flex.String  `json:"id"`
	Name                 flex.String  `json:"name"`
	Slug                 flex.String  `json:"slug"`
	Day                  flexDays     `json:"day"`
	Time                 flex.String  `json:"time"`
	EndTime              flex.String  `json:"end_time"`
	Timezone             flex.String  `json:"timezone"`
	Types                flex.Strings `json:"types"`
	Notes                flex.String  `json:"notes"`
	Group                flex.String  `json:"group"`
	GroupNotes           flex.String  `json:"group_notes"`
	Location             flex.String  `json:"location"`
	LocationNotes        flex.String  `json:"location_notes"`
	FormattedAddress     flex.String  `json:"formatted_address"`
	Address              flex.String  `json:"address"`
	City                 flex.String  `json:"city"`
	State                flex.String  `json:"state"`
	PostalCode           flex.String  `json:"postal_code"`
	Country              flex.String  `json:"country"`
	Latitude             flexFloat    `json:"latitude"`
	Longitude            flexFloat    `json:"longitude"`
	Approximate          flex.String  `json:"approximate"`
	Region               flex.String  `json:"region"`
	Regions              flex.Strings `json:"regions"`
	SubRegion            flex.String  `json:"sub_region"`
	ConferenceURL        flex.String  `json:"conference_url"`
	ConferenceURLNotes   flex.String  `json:"conference_url_notes"`
	ConferencePhone      flex.String  `json:"conference_phone"`
	ConferencePhoneNotes flex.String  `json:"conference_phone_notes"`
	AttendanceOption     flex.String  `json:"attendance_option"`
	Updated              flex.String  `json:"updated"`
	LastContact          flex.String  `json:"last_contact"`
	URL                  flex.String  `json:"url"`
	Website              flex.String  `json:"website"`
}
