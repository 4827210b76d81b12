package geocode

import (
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
)

// The files New reads, by their paths in the file system it is given: the
// layout of data.GazetteerFS. indexer/cmd/gazetteer writes them.
const (
	ZIPsFile   = "gazetteer/zips.csv.gz"
	PlacesFile = "gazetteer/places.csv.gz"
	StatesFile = "gazetteer/states.csv"
)

// The header line each file must start with.
const (
	zipsHeader   = "zip,lat,lng,city,state"
	placesHeader = "name,state,county,lat,lng,population,timezone"
	statesHeader = "code,name,fips,lat,lng"
)

// readText returns the whole content of name in fsys, gunzipped when the
// name ends in ".gz".
func readText(fsys fs.FS, name string) (string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var r io.Reader = f
	size := 0
	if st, err := f.Stat(); err == nil {
		size = int(st.Size())
	}
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return "", fmt.Errorf("gunzip: %w", err)
		}
		defer zr.Close()
		r = zr
		size *= 4 // the files compress about 3:1
	}
	var b strings.Builder
	b.Grow(size + 512)
	if _, err := io.Copy(&b, r); err != nil {
		return "", fmt.Errorf("read: %w", err)
	}
	return b.String(), nil
}

// csvRows walks the lines of a CSV text whose first line must be header,
// calling fn with each following non-empty line's fields. Fields are
// substrings of text except quoted ones, which are unquoted into new
// strings. The field slice is reused between calls.
func csvRows(text, header string, fn func(line int, f []string) error) error {
	first, rest, _ := strings.Cut(text, "\n")
	first = strings.TrimSuffix(strings.TrimPrefix(first, "\ufeff"), "\r")
	if first != header {
		return fmt.Errorf("header is %q, want %q", first, header)
	}
	want := strings.Count(header, ",") + 1
	fields := make([]string, 0, want)
	for line := 2; rest != ""; line++ {
		var row string
		row, rest, _ = strings.Cut(rest, "\n")
		row = strings.TrimSuffix(row, "\r")
		if row == "" {
			continue
		}
		var err error
		fields, err = splitCSV(fields[:0], row)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if len(fields) != want {
			return fmt.Errorf("line %d: %d fields, want %d", line, len(fields), want)
		}
		if err := fn(line, fields); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	return nil
}

// splitCSV appends the fields of one RFC 4180 line (without line breaks
// inside quotes, which the gazetteer never has) to dst.
func splitCSV(dst []string, row string) ([]string, error) {
	for {
		if strings.HasPrefix(row, `"`) {
			var b strings.Builder
			i := 1
			for {
				j := strings.IndexByte(row[i:], '"')
				if j < 0 {
					return dst, fmt.Errorf("unterminated quoted field")
				}
				b.WriteString(row[i : i+j])
				i += j + 1
				if i < len(row) && row[i] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				break
			}
			dst = append(dst, b.String())
			row = row[i:]
			if row == "" {
				return dst, nil
			}
			if row[0] != ',' {
				return dst, fmt.Errorf("text after a closing quote")
			}
			row = row[1:]
			continue
		}
		f, more, found := strings.Cut(row, ",")
		dst = append(dst, f)
		if !found {
			return dst, nil
		}
		row = more
	}
}

// parseLatLng parses and range-checks a latitude and a longitude.
func parseLatLng(lat, lng string) (float32, float32, error) {
	la, err := strconv.ParseFloat(lat, 32)
	if err != nil || la < -90 || la > 90 {
		return 0, 0, fmt.Errorf("bad latitude %q", lat)
	}
	lo, err := strconv.ParseFloat(lng, 32)
	if err != nil || lo < -180 || lo > 180 {
		return 0, 0, fmt.Errorf("bad longitude %q", lng)
	}
	return float32(la), float32(lo), nil
}

// loadStates reads the states file into g.
func (g *Gazetteer) loadStates(fsys fs.FS) error {
	text, err := readText(fsys, StatesFile)
	if err != nil {
		return fmt.Errorf("read %s: %w", StatesFile, err)
	}
	err = csvRows(text, statesHeader, func(_ int, f []string) error {
		if len(f[0]) != 2 || f[1] == "" {
			return fmt.Errorf("bad state %q %q", f[0], f[1])
		}
		lat, lng, err := parseLatLng(f[3], f[4])
		if err != nil {
			return err
		}
		if len(g.states) >= maxStates {
			return fmt.Errorf("more than %d states", maxStates)
		}
		code := strings.ToUpper(f[0])
		i := uint8(len(g.states))
		g.states = append(g.states, stateEntry{code: code, name: f[1], fips: f[2], lat: lat, lng: lng})
		g.stateCode[strings.ToLower(code)] = i
		g.stateName[NameKey(f[1])] = i
		return nil
	})
	if err != nil {
		return fmt.Errorf("parse %s: %w", StatesFile, err)
	}
	if len(g.states) == 0 {
		return fmt.Errorf("parse %s: no states", StatesFile)
	}
	return nil
}

// stateIndex returns the index of a state code as written in the files.
func (g *Gazetteer) stateIndex(code string) (uint8, error) {
	if len(code) == 2 {
		if i, ok := g.stateCode[strings.ToLower(code)]; ok {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown state %q", code)
}

// loadZIPs reads the ZIP file into g.
func (g *Gazetteer) loadZIPs(fsys fs.FS) error {
	text, err := readText(fsys, ZIPsFile)
	if err != nil {
		return fmt.Errorf("read %s: %w", ZIPsFile, err)
	}
	g.zips = make([]zipEntry, 0, strings.Count(text, "\n"))
	last := -1
	err = csvRows(text, zipsHeader, func(_ int, f []string) error {
		code, ok := parseZIP(f[0])
		if !ok {
			return fmt.Errorf("bad ZIP %q", f[0])
		}
		if int(code) <= last {
			return fmt.Errorf("ZIP %s out of order", f[0])
		}
		last = int(code)
		lat, lng, err := parseLatLng(f[1], f[2])
		if err != nil {
			return err
		}
		st, err := g.stateIndex(f[4])
		if err != nil {
			return err
		}
		g.zips = append(g.zips, zipEntry{code: code, lat: lat, lng: lng, city: f[3], state: st})
		return nil
	})
	if err != nil {
		return fmt.Errorf("parse %s: %w", ZIPsFile, err)
	}
	return nil
}

// loadPlaces reads the places file into g and indexes the names.
func (g *Gazetteer) loadPlaces(fsys fs.FS) error {
	text, err := readText(fsys, PlacesFile)
	if err != nil {
		return fmt.Errorf("read %s: %w", PlacesFile, err)
	}
	n := strings.Count(text, "\n")
	g.places = make([]placeEntry, 0, n)
	tz := make(map[string]string)
	err = csvRows(text, placesHeader, func(_ int, f []string) error {
		if f[0] == "" {
			return fmt.Errorf("empty name")
		}
		st, err := g.stateIndex(f[1])
		if err != nil {
			return err
		}
		lat, lng, err := parseLatLng(f[3], f[4])
		if err != nil {
			return err
		}
		pop, err := strconv.ParseUint(f[5], 10, 32)
		if err != nil {
			return fmt.Errorf("bad population %q", f[5])
		}
		zone, ok := tz[f[6]]
		if !ok {
			zone = f[6]
			tz[zone] = zone
		}
		g.places = append(g.places, placeEntry{
			name: f[0], county: f[2], tz: zone,
			lat: lat, lng: lng, pop: uint32(pop), state: st,
		})
		g.states[st].pop += pop
		return nil
	})
	if err != nil {
		return fmt.Errorf("parse %s: %w", PlacesFile, err)
	}
	g.indexPlaces()
	g.indexPlaceCells()
	return nil
}
