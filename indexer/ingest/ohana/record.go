package ohana

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/peerfind/peerfind/indexer/ingest/internal/flex"
)

// record is one service of an Ohana export, flattened: the 2013 San Mateo
// County MongoDB export has this shape; the nested import format is
// flattened into it, one record per service. The fields tagged "-" are
// filled only from the nested format.
type record struct {
	// line is the record's line in the input (1-based).
	line int
	// item identifies the record in reports ("line 12", or "line 3
	// location 1 service 2" for the nested format).
	item string

	Agency                 flex.String  `json:"agency"`
	Name                   flex.String  `json:"name"`
	Description            flex.String  `json:"description"`
	ServicesProvided       flex.String  `json:"services_provided"`
	StreetAddress          flex.String  `json:"street_address"`
	City                   flex.String  `json:"city"`
	State                  flex.String  `json:"state"`
	Zipcode                flex.String  `json:"zipcode"`
	Coordinates            []float64    `json:"coordinates"`
	Phones                 phoneList    `json:"phones"`
	Faxes                  flex.Strings `json:"faxes"`
	TTYs                   flex.Strings `json:"ttys"`
	TelephoneNo            flex.String  `json:"telephone_no"`
	FaxNo                  flex.String  `json:"fax_no"`
	Hours                  flex.String  `json:"hours"`
	ServiceHours           flex.String  `json:"service_hours"`
	Keywords               flex.Strings `json:"keywords"`
	URLs                   flex.Strings `json:"urls"`
	Emails                 flex.Strings `json:"emails"`
	Fees                   flex.String  `json:"fees"`
	LanguagesSpoken        flex.Strings `json:"languages_spoken"`
	ServiceArea            flex.Strings `json:"service_area"`
	TargetGroup            flex.String  `json:"target_group"`
	Eligibility            flex.String  `json:"eligibility_requirements"`
	HowToApply             flex.String  `json:"how_to_apply"`
	Transportation         flex.String  `json:"transportation_availability"`
	CreatedAt              mongoDate    `json:"created_at"`
	UpdatedAt              mongoDate    `json:"updated_at"`
	Status                 flex.String  `json:"-"`
	AlternateName          flex.String  `json:"-"`
	OrganizationDesc       flex.String  `json:"-"`
	OrganizationURL        flex.String  `json:"-"`
	OrganizationEmail      flex.String  `json:"-"`
	Latitude, Longitude    *float64     `json:"-"`
	LocationName           flex.String  `json:"-"`
	LocationDescriptionAdd flex.String  `json:"-"`
}

// phone is one published number.
type phone struct {
	Number, Extension, Hours, Type, Department string
}

// phoneList reads the export's phones: a list of lists of
// {number, phone_hours}, or a plain list.
type phoneList []phone

// UnmarshalJSON reads nested lists of phone objects or numbers.
func (p *phoneList) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = nil
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			*p = append(*p, phone{Number: x})
		case map[string]any:
			str := func(k string) string { s, _ := x[k].(string); return s }
			*p = append(*p, phone{Number: str("number"), Extension: str("extension"), Hours: str("phone_hours"),
				Type: str("number_type"), Department: str("department")})
		}
	}
	walk(v)
	return nil
}

// mongoDate reads MongoDB extended JSON dates: {"$date": ms},
// {"$date": "2013-07-04T..."} or {"$date": {"$numberLong": "..."}}, and
// plain RFC 3339 strings.
type mongoDate struct {
	// Time is the date, zero when absent or unreadable.
	Time time.Time
}

// UnmarshalJSON reads the date forms; unreadable dates stay zero.
func (d *mongoDate) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	d.Time = time.Time{}
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	d.Time = parseDateValue(v)
	return nil
}

func parseDateValue(v any) time.Time {
	switch x := v.(type) {
	case map[string]any:
		if inner, ok := x["$date"]; ok {
			return parseDateValue(inner)
		}
		if n, ok := x["$numberLong"].(string); ok {
			if ms, err := strconv.ParseInt(n, 10, 64); err == nil {
				return time.UnixMilli(ms).UTC()
			}
		}
	case float64:
		return time.UnixMilli(int64(x)).UTC()
	case string:
		for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999-07:00", "2006-01-02"} {
			if t, err := time.Parse(l, x); err == nil {
				return t.UTC()
			}
		}
	}
	return time.Time{}
}

// nestedOrg is one organization of the Ohana nested import format
// (sample_data.json): organization → locations → services.
type nestedOrg struct {
	Name          flex.String `json:"name"`
	AlternateName flex.String `json:"alternate_name"`
	Description   flex.String `json:"description"`
	Email         flex.String `json:"email"`
	Website       flex.String `json:"website"`
	Locations     []struct {
		Name        flex.String `json:"name"`
		Description flex.String `json:"description"`
		ShortDesc   flex.String `json:"short_desc"`
		Latitude    *float64    `json:"latitude"`
		Longitude   *float64    `json:"longitude"`
		Address     *struct {
			Street1    flex.String `json:"street_1"`
			Street2    flex.String `json:"street_2"`
			City       flex.String `json:"city"`
			State      flex.String `json:"state"`
			PostalCode flex.String `json:"postal_code"`
		} `json:"address_attributes"`
		Hours          flex.String  `json:"hours"`
		Transportation flex.String  `json:"transportation"`
		Languages      flex.Strings `json:"languages"`
		Emails         flex.Strings `json:"emails"`
		URLs           flex.Strings `json:"urls"`
		Phones         phoneList    `json:"phones_attributes"`
		Services       []struct {
			Name          flex.String  `json:"name"`
			AlternateName flex.String  `json:"alternate_name"`
			Description   flex.String  `json:"description"`
			Audience      flex.String  `json:"audience"`
			Eligibility   flex.String  `json:"eligibility"`
			Fees          flex.String  `json:"fees"`
			HowToApply    flex.String  `json:"how_to_apply"`
			ServiceAreas  flex.Strings `json:"service_areas"`
			Keywords      flex.Strings `json:"keywords"`
			Languages     flex.Strings `json:"languages"`
			Status        flex.String  `json:"status"`
			Website       flex.String  `json:"website"`
			Email         flex.String  `json:"email"`
			UpdatedAt     mongoDate    `json:"updated_at"`
		} `json:"services_attributes"`
	} `json:"locations"`
}

// flatten turns a nested organization into one record per service.
func (o *nestedOrg) flatten(line int) []*record {
	var out []*record
	for li, loc := range o.Locations {
		for si, svc := range loc.Services {
			r := &record{
				line:              line,
				item:              fmt.Sprintf("line %d location %d service %d", line, li+1, si+1),
				Agency:            o.Name,
				Name:              svc.Name,
				AlternateName:     svc.AlternateName,
				Description:       svc.Description,
				Hours:             loc.Hours,
				Keywords:          svc.Keywords,
				URLs:              loc.URLs,
				Emails:            loc.Emails,
				Fees:              svc.Fees,
				LanguagesSpoken:   append(append(flex.Strings{}, loc.Languages...), svc.Languages...),
				ServiceArea:       svc.ServiceAreas,
				TargetGroup:       svc.Audience,
				Eligibility:       svc.Eligibility,
				HowToApply:        svc.HowToApply,
				Transportation:    loc.Transportation,
				UpdatedAt:         svc.UpdatedAt,
				Status:            svc.Status,
				OrganizationDesc:  o.Description,
				OrganizationURL:   o.Website,
				OrganizationEmail: o.Email,
				Latitude:          loc.Latitude,
				Longitude:         loc.Longitude,
				LocationName:      loc.Name,
			}
			if svc.Website != "" {
				r.URLs = append(flex.Strings{string(svc.Website)}, r.URLs...)
			}
			if svc.Email != "" {
				r.Emails = append(flex.Strings{string(svc.Email)}, r.Emails...)
			}
			// The location's description often repeats the service's.
			sd, ld := strings.TrimSpace(string(r.Description)), strings.TrimSpace(string(loc.Description))
			switch {
			case sd == "" || strings.Contains(ld, sd):
				r.Description = loc.Description
			case ld != "" && !strings.Contains(sd, ld):
				r.LocationDescriptionAdd = loc.Description
			}
			if a := loc.Address; a != nil {
				r.StreetAddress = flex.String(strings.TrimSpace(string(a.Street1) + " " + string(a.Street2)))
				r.City, r.State, r.Zipcode = a.City, a.State, a.PostalCode
			}
			for _, p := range loc.Phones {
				switch strings.ToLower(p.Type) {
				case "fax":
					r.Faxes = append(r.Faxes, p.Number)
				case "tty":
					r.TTYs = append(r.TTYs, p.Number)
				default:
					r.Phones = append(r.Phones, p)
				}
			}
			out = append(out, r)
		}
	}
	return out
}
