package synth

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

// metro is a US city of the shipped gazetteer with its population, the
// centre of a cluster of generated records.
type metro struct {
	Name, State, County string
	Lat, Lng            float64
	Population          int
	Timezone            string
	// CountyFIPS is the county's 5-digit FIPS code when countyFIPS
	// knows it, else "".
	CountyFIPS string
	// SigmaKM is the standard deviation of the records' spread around
	// the centre.
	SigmaKM float64
}

// vocab is what the generator draws from: the shipped records, the
// taxonomy and the gazetteer, each list in a fixed order so that a seed
// always gives the same output.
type vocab struct {
	tax *peerfind.Taxonomy
	// names are the distinct real group and service names.
	names []string
	// descs are real descriptions without links, clipped.
	descs []string
	// locNames are real meeting-place names; streets real street names.
	locNames, streets []string
	// nameWords are the words of the names by descending frequency
	// (common first), for query text of varied selectivity.
	nameWords []string
	// metros are the biggest places, by descending population, and
	// metroPick picks one weighted by population.
	metros    []metro
	metroPick *weighted
	// terms holds, per facet, the term ids ranked by how often the
	// shipped records use them (then by id), and pick draws from them
	// with Zipf-like weights.
	terms map[string][]string
	pick  map[string]*weighted
	// otherLangs are the language ids other than en and es, ranked.
	otherLangs []string
	otherPick  *weighted
}

// MetroCount is how many of the gazetteer's biggest places are used as
// cluster centres.
const MetroCount = 300

// ZipfExponent is the exponent s of the Zipf-like weights 1/rank^s with
// which categories, populations, conditions, costs and the tail of
// languages are drawn.
const ZipfExponent = 1.1

var (
	vocabOnce sync.Once
	theVocab  *vocab
	vocabErr  error
)

func loadVocab() (*vocab, error) {
	vocabOnce.Do(func() { theVocab, vocabErr = buildVocab(context.Background()) })
	return theVocab, vocabErr
}

func buildVocab(ctx context.Context) (*vocab, error) {
	tax, err := data.Taxonomy()
	if err != nil {
		return nil, err
	}
	recs, _, err := data.Records(ctx)
	if err != nil {
		return nil, fmt.Errorf("synth: shipped records: %w", err)
	}
	v := &vocab{tax: tax, terms: map[string][]string{}, pick: map[string]*weighted{}}
	names, descs, locs, streets := set{}, set{}, set{}, set{}
	words := map[string]int{}
	counts := map[string]map[string]int{}
	for _, f := range peerfind.Facets {
		counts[f] = map[string]int{}
	}
	for _, r := range recs {
		if n := strings.TrimSpace(r.Name); n != "" && len(n) <= 80 {
			names.add(n)
			for _, w := range strings.FieldsFunc(n, notLetter) {
				if len(w) >= 3 {
					words[strings.ToLower(w)]++
				}
			}
		}
		if d := strings.TrimSpace(r.Description); d != "" && usableDesc(d) {
			descs.add(clipWords(d, 160))
		}
		for _, l := range r.Locations {
			if l.Name != "" && len(l.Name) <= 60 {
				locs.add(l.Name)
			}
			if st := streetName(l.Address.Address1); st != "" {
				streets.add(st)
			}
		}
		for _, f := range peerfind.Facets {
			for _, id := range r.TermIDs(f) {
				counts[f][id]++
			}
		}
	}
	v.names, v.descs, v.locNames, v.streets = names.sorted(), descs.sorted(), locs.sorted(), streets.sorted()
	for w := range words {
		v.nameWords = append(v.nameWords, w)
	}
	slices.SortFunc(v.nameWords, func(a, b string) int {
		if c := words[b] - words[a]; c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	for _, fc := range tax.Facets {
		var ids []string
		for _, t := range fc.Terms {
			ids = append(ids, t.ID)
		}
		c := counts[fc.ID]
		slices.SortStableFunc(ids, func(a, b string) int { return c[b] - c[a] })
		v.terms[fc.ID] = ids
		v.pick[fc.ID] = zipf(len(ids))
	}
	for _, id := range v.terms[peerfind.FacetLanguage] {
		if id != "en" && id != "es" {
			v.otherLangs = append(v.otherLangs, id)
		}
	}
	v.otherPick = zipf(len(v.otherLangs))
	if v.metros, err = loadMetros(MetroCount); err != nil {
		return nil, err
	}
	w := make([]float64, len(v.metros))
	for i, m := range v.metros {
		w[i] = float64(m.Population)
	}
	v.metroPick = newWeighted(w)
	if len(v.names) == 0 || len(v.descs) == 0 || len(v.streets) == 0 || len(v.locNames) == 0 {
		return nil, fmt.Errorf("synth: shipped records gave no vocabulary")
	}
	return v, nil
}

// loadMetros reads the n most populous places of the shipped gazetteer.
func loadMetros(n int) ([]metro, error) {
	f, err := data.GazetteerFS.Open("gazetteer/places.csv.gz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(zr)
	head, err := cr.Read()
	if err != nil {
		return nil, err
	}
	if strings.Join(head, ",") != "name,state,county,lat,lng,population,timezone" {
		return nil, fmt.Errorf("synth: places.csv header %q", head)
	}
	var ms []metro
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("synth: places.csv: %w", err)
		}
		pop, _ := strconv.Atoi(row[5])
		lat, err1 := strconv.ParseFloat(row[3], 64)
		lng, err2 := strconv.ParseFloat(row[4], 64)
		if pop <= 0 || err1 != nil || err2 != nil || row[6] == "" {
			continue
		}
		ms = append(ms, metro{Name: row[0], State: row[1], County: row[2], Lat: lat, Lng: lng, Population: pop, Timezone: row[6]})
	}
	slices.SortStableFunc(ms, func(a, b metro) int { return b.Population - a.Population })
	ms = ms[:min(n, len(ms))]
	for i := range ms {
		m := &ms[i]
		m.CountyFIPS = countyFIPS[m.State+"/"+m.County]
		// A few km for a small city, up to 8 km for the largest metros.
		m.SigmaKM = math.Min(8, math.Max(2, 2+2*math.Log10(float64(m.Population)/1e5)))
	}
	return ms, nil
}

// countyFIPS are the FIPS codes of the counties of the largest metros,
// for service areas of kind county.
var countyFIPS = map[string]string{
	"NY/Queens": "36081", "NY/Kings": "36047", "NY/New York": "36061", "NY/Bronx": "36005",
	"CA/Los Angeles": "06037", "IL/Cook": "17031", "FL/Miami-Dade": "12086", "TX/Harris": "48201",
	"TX/Dallas": "48113", "PA/Philadelphia": "42101", "GA/Fulton": "13121", "AZ/Maricopa": "04013",
	"MA/Suffolk": "25025", "CA/San Francisco": "06075", "CA/Riverside": "06065", "MI/Wayne": "26163",
	"WA/King": "53033", "MN/Hennepin": "27053", "CA/San Diego": "06073", "FL/Hillsborough": "12057",
	"CO/Denver": "08031", "MD/Baltimore": "24510", "MO/St. Louis": "29510", "FL/Orange": "12095",
	"NC/Mecklenburg": "37119", "TX/Bexar": "48029", "OR/Multnomah": "41051", "CA/Sacramento": "06067",
	"PA/Allegheny": "42003", "NV/Clark": "32003", "TX/Travis": "48453", "OH/Hamilton": "39061",
	"MO/Jackson": "29095", "OH/Franklin": "39049", "IN/Marion": "18097", "OH/Cuyahoga": "39035",
	"CA/Santa Clara": "06085", "TN/Davidson": "47037", "DC/District of Columbia": "11001",
	"CA/Alameda": "06001", "CA/Orange": "06059", "UT/Salt Lake": "49035", "WI/Milwaukee": "55079",
	"FL/Duval": "12031", "TN/Shelby": "47157", "OK/Oklahoma": "40109", "LA/Orleans": "22071",
	"KY/Jefferson": "21111", "HI/Honolulu": "15003", "CA/San Mateo": "06081", "CA/Fresno": "06019",
}

// streetName returns the street of a street address without its number,
// or "" when it does not look like one.
func streetName(a string) string {
	num, rest, ok := strings.Cut(strings.TrimSpace(a), " ")
	if !ok || num == "" || !unicode.IsDigit(rune(num[0])) {
		return ""
	}
	rest = strings.TrimSpace(rest)
	if len(rest) < 4 || len(rest) > 40 || strings.ContainsAny(rest, ",#()") {
		return ""
	}
	return rest
}

// usableDesc reports whether a real description can be reused: no links,
// addresses or meeting passwords.
func usableDesc(d string) bool {
	l := strings.ToLower(d)
	for _, bad := range []string{"http", "@", "www.", "password", "passcode", "meeting id", "zoom"} {
		if strings.Contains(l, bad) {
			return false
		}
	}
	return true
}

// clipWords cuts s at a word boundary at most n bytes long.
func clipWords(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	if i := strings.LastIndexByte(s[:n], ' '); i > 0 {
		return s[:i]
	}
	return s[:n]
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }

type set map[string]bool

func (s set) add(x string) { s[x] = true }

func (s set) sorted() []string {
	out := make([]string, 0, len(s))
	for x := range s {
		out = append(out, x)
	}
	slices.Sort(out)
	return out
}

// weighted draws indexes with probability proportional to weights.
type weighted struct{ cum []float64 }

func newWeighted(w []float64) *weighted {
	cum := make([]float64, len(w))
	t := 0.0
	for i, x := range w {
		t += x
		cum[i] = t
	}
	return &weighted{cum: cum}
}

// zipf weighs n ranks 1/rank^ZipfExponent.
func zipf(n int) *weighted {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), ZipfExponent)
	}
	return newWeighted(w)
}

// draw maps u in [0,1) to an index.
func (w *weighted) draw(u float64) int {
	x := u * w.cum[len(w.cum)-1]
	i, _ := slices.BinarySearch(w.cum, x)
	for i < len(w.cum)-1 && w.cum[i] <= x {
		i++
	}
	return min(i, len(w.cum)-1)
}
