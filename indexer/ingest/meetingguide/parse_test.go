package meetingguide

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/peerfind/peerfind"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"19:30", "19:30", true},
		{"7:30", "07:30", true},
		{"19:30:00", "19:30", true},
		{"11:00 AM", "11:00", true},
		{"8:00 PM", "20:00", true},
		{"12:00 PM", "12:00", true},
		{"12:00 AM", "00:00", true},
		{"12:01 PM", "12:01", true},
		{"7pm", "19:00", true},
		{"7 p.m.", "19:00", true},
		{"noon", "12:00", true},
		{"24:00", "00:00", true},
		{"25:00", "", false},
		{"13:00 PM", "", false},
		{"bogus", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := parseTime(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseTime(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"8/29/2021", "2021-08-29", true},
		{"2020-10-27 16:17:24", "2020-10-27", true},
		{"8/25/2022 11:17:07 AM", "2022-08-25", true},
		{"2023-08-28", "2023-08-28", true},
		{"2023-04-06T18:14:00Z", "2023-04-06", true},
		{"0023-03-31", "2023-03-31", true},
		{"1850-01-01", "", false},
		{"yesterday", "", false},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseDate(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseFormatted(t *testing.T) {
	tests := []struct {
		in, country string
		want        peerfind.Address
		street      bool
		repairs     []string
	}{
		{"3186 Pullman St, Costa Mesa, CA 92626, USA", "US",
			peerfind.Address{Address1: "3186 Pullman St", City: "Costa Mesa", StateProvince: "CA", PostalCode: "92626", Country: "US"}, true, nil},
		{"979 West County Line Road, Hatboro, PA, 19040, USA", "US",
			peerfind.Address{Address1: "979 West County Line Road", City: "Hatboro", StateProvince: "PA", PostalCode: "19040", Country: "US"}, true, nil},
		{"325 Cherry St. Philadelphia, PA 19106", "US",
			peerfind.Address{Address1: "325 Cherry St.", City: "Philadelphia", StateProvince: "PA", PostalCode: "19106", Country: "US"}, true, nil},
		{"San Jose, CA, USA", "US", peerfind.Address{City: "San Jose", StateProvince: "CA", Country: "US"}, false, nil},
		{"California, USA", "US", peerfind.Address{StateProvince: "CA", Country: "US"}, false, []string{`state "California" read as CA`}},
		{"1 Main St, Sacramento, Calif. 95814", "", peerfind.Address{Address1: "1 Main St", City: "Sacramento", StateProvince: "CA", PostalCode: "95814", Country: "US"}, true, []string{`state "Calif" read as CA`}},
		{"PA  19061 United States", "US", peerfind.Address{StateProvince: "PA", PostalCode: "19061", Country: "US"}, false, nil},
		{"United States", "", peerfind.Address{Country: "US"}, false, nil},
		{"8318 104 St, Edmonton, Alberta, T6E 4E8, Canada", "CA",
			peerfind.Address{Address1: "8318 104 St", City: "Edmonton", StateProvince: "AB", PostalCode: "T6E 4E8", Country: "CA"}, true, []string{`state "Alberta" read as AB`}},
		{"Edmonton, Alberta, Canada , Edmonton, Alberta, Canada", "CA",
			peerfind.Address{City: "Edmonton", StateProvince: "AB", Country: "CA"}, false, []string{`state "Alberta" read as AB`}},
		{"1200 Kootenay St N, Cranbrook, BC V1C 5X1, Canada", "",
			peerfind.Address{Address1: "1200 Kootenay St N", City: "Cranbrook", StateProvince: "BC", PostalCode: "V1C 5X1", Country: "CA"}, true, nil},
		{"125 Charing Cross Rd, London WC2H 0EW, UK", "",
			peerfind.Address{Address1: "125 Charing Cross Rd", City: "London", PostalCode: "WC2H 0EW", Country: "GB"}, true, nil},
		{"Pastoriestraat 147, 5612 EK Eindhoven, Netherlands", "",
			peerfind.Address{Address1: "Pastoriestraat 147", City: "Eindhoven", PostalCode: "5612 EK", Country: "NL"}, true, nil},
		{"Upper Recreation Rd, Fish Hoek, Cape Town, 7975, South Africa", "",
			peerfind.Address{Address1: "Upper Recreation Rd, Fish Hoek", City: "Cape Town", PostalCode: "7975", Country: "ZA"}, true, nil},
		{"Tbilisi, Georgia", "", peerfind.Address{City: "Tbilisi", Country: "GE"}, false, nil},
		{"Atlanta, Georgia", "US", peerfind.Address{City: "Atlanta", StateProvince: "GA", Country: "US"}, false, []string{`state "Georgia" read as GA`}},
		{"", "US", peerfind.Address{}, false, nil},
	}
	for _, tt := range tests {
		got := parseFormatted(tt.in, tt.country)
		if diff := cmp.Diff(tt.want, got.addr); diff != "" {
			t.Errorf("parseFormatted(%q) (-want +got):\n%s", tt.in, diff)
		}
		if got.street != tt.street {
			t.Errorf("parseFormatted(%q).street = %v, want %v", tt.in, got.street, tt.street)
		}
		if diff := cmp.Diff(tt.repairs, got.repairs); diff != "" {
			t.Errorf("parseFormatted(%q) repairs (-want +got):\n%s", tt.in, diff)
		}
	}
}
