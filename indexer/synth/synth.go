// Package synth generates realistic peer-support records and a search
// query mix at any size, deterministically, for benchmarks.
//
// Record i of a seed is a pure function of (seed, i), so output is
// byte-identical for the same seed and can be written in shards. The
// vocabulary is real: group names, descriptions, meeting-place and street
// names come from the shipped records (data.Records), term ids and the
// words of descriptions from the shipped taxonomy, and the points from the
// MetroCount most populous places of the shipped gazetteer.
//
// The distributions (docs/performance.md has the table):
//
//   - Place: a metro drawn with probability proportional to its population,
//     then a Gaussian offset of SigmaKM (2 km for a town of 100,000, up to
//     8 km for the largest metros) in each direction.
//   - Remote: RemoteShare of records are online or by phone, with no
//     location; ServiceAreaShare carry a service area (the metro's county
//     by FIPS code when known, else its state).
//   - Categories (1, sometimes 2), populations (none for 60%, else 1-2),
//     conditions (1-2), cost: Zipf-like, weights 1/rank^ZipfExponent over
//     the terms ranked by their use in the shipped records.
//   - Languages: en 80%; es 15% (of which half also en); another language
//     5% (half also en), Zipf-like over the remaining taxonomy languages.
//   - Status: 97% active, 2% temporarily closed, 1% inactive.
//   - Schedules: groups meet weekly on one day (70%), two or three days
//     (20%), every day (5%) or monthly (5%), at a half hour between 06:00
//     and 21:30, for an hour; services are open weekdays 09:00-17:00.
package synth

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/peerfind/peerfind"
)

// Shares of the records with particular traits (see the package doc).
const (
	RemoteShare      = 0.10
	ServiceAreaShare = 0.05
)

// Retrieved is the provenance date of every generated record.
const Retrieved = "2026-11-01"

// Generator generates records and queries for one seed.
type Generator struct {
	seed uint64
	v    *vocab
}

// New returns a generator for seed. It loads the vocabulary from the
// shipped data once per process.
func New(seed uint64) (*Generator, error) {
	v, err := loadVocab()
	if err != nil {
		return nil, err
	}
	return &Generator{seed: seed, v: v}, nil
}

// Taxonomy returns the taxonomy the records are tagged with.
func (g *Generator) Taxonomy() *peerfind.Taxonomy { return g.v.tax }

// rng returns the random source of item i of stream.
func (g *Generator) rng(stream, i uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed^0x9e3779b97f4a7c15*(stream+1), i))
}

func (g *Generator) term(r *rand.Rand, facet string) string {
	ids := g.v.terms[facet]
	return ids[g.v.pick[facet].draw(r.Float64())]
}

// terms draws n distinct terms of facet.
func (g *Generator) terms(r *rand.Rand, facet string, n int) []string {
	var out []string
	for range 4 * n {
		t := g.term(r, facet)
		if !contains(out, t) {
			out = append(out, t)
		}
		if len(out) == n {
			break
		}
	}
	return out
}

func pickS(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// point returns a point around metro m.
func point(r *rand.Rand, m *metro) (lat, lng float64) {
	const kmPerDeg = 111.2
	lat = m.Lat + r.NormFloat64()*m.SigmaKM/kmPerDeg
	lng = m.Lng + r.NormFloat64()*m.SigmaKM/(kmPerDeg*math.Cos(m.Lat*math.Pi/180))
	// Five decimals (about a metre), as feeds give them.
	return math.Round(lat*1e5) / 1e5, math.Round(lng*1e5) / 1e5
}

var days = []string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// Record returns record i (0-based).
func (g *Generator) Record(i int) *peerfind.Service {
	r := g.rng(0, uint64(i))
	v := g.v
	m := &v.metros[v.metroPick.draw(r.Float64())]
	s := &peerfind.Service{
		ID:     "synth-" + strconv.Itoa(i),
		Status: "active",
		Provenance: peerfind.Provenance{
			SourceURL:  "https://peerfind.example/synth/" + strconv.Itoa(i),
			SourceKind: "manual",
			SourceName: "peerfind synthetic benchmark records",
			Retrieved:  Retrieved,
		},
	}
	switch x := r.Float64(); {
	case x < 0.01:
		s.Status = "inactive"
	case x < 0.03:
		s.Status = "temporarily closed"
	}
	// Terms.
	s.Categories = g.terms(r, peerfind.FacetCategory, 1+b2i(r.Float64() < 0.25))
	s.Conditions = g.terms(r, peerfind.FacetCondition, 1+b2i(r.Float64() < 0.3))
	if r.Float64() < 0.4 {
		s.Populations = g.terms(r, peerfind.FacetPopulation, 1+b2i(r.Float64() < 0.2))
	}
	s.SupportTypes = g.terms(r, peerfind.FacetSupport, 1+r.IntN(2))
	s.Cost = g.term(r, peerfind.FacetCost)
	switch x := r.Float64(); {
	case x < 0.80:
		s.Languages = []string{"en"}
	case x < 0.875:
		s.Languages = []string{"es"}
	case x < 0.95:
		s.Languages = []string{"en", "es"}
	case x < 0.975:
		s.Languages = []string{v.otherLangs[v.otherPick.draw(r.Float64())]}
	default:
		s.Languages = []string{"en", v.otherLangs[v.otherPick.draw(r.Float64())]}
	}
	spanish := s.Languages[0] == "es"
	group := contains(s.Categories, "self-help-group") || contains(s.Categories, "internet-support-group") || contains(s.Categories, "family-support-group")

	// Text: a real name, a sentence of taxonomy labels, a real description.
	name := pickS(r, v.names)
	if r.Float64() < 0.3 {
		name += " – " + m.Name
	}
	s.Name = name
	s.Description = g.sentence(r, s, spanish) + " " + pickS(r, v.descs)
	s.Organization = peerfind.Organization{Name: m.Name + " " + orgKinds[r.IntN(len(orgKinds))]}
	if r.Float64() < 0.5 {
		s.Phones = []peerfind.Phone{{Number: fmt.Sprintf("(%03d) 555-%04d", 200+r.IntN(800), r.IntN(10000)), Type: "voice"}}
	}
	if r.Float64() < 0.4 {
		s.URL = "https://peerfind.example/groups/" + strconv.Itoa(i)
	}
	y, mo := 2019+r.IntN(8), 1+r.IntN(12)
	if y == 2026 {
		mo = 1 + r.IntN(10)
	}
	s.AssuredDate = fmt.Sprintf("%04d-%02d-%02d", y, mo, 1+r.IntN(28))

	// Where and how.
	if r.Float64() < RemoteShare {
		if r.Float64() < 0.7 {
			s.Attendance = []string{"online"}
			s.Meeting = &peerfind.Meeting{ConferenceURL: "https://zoom.example/j/" + strconv.Itoa(1e9+r.IntN(9e9))}
		} else {
			s.Attendance = []string{"phone"}
			if len(s.Phones) == 0 {
				s.Phones = []peerfind.Phone{{Number: fmt.Sprintf("(800) 555-%04d", r.IntN(10000)), Type: "voice"}}
			}
		}
	} else {
		lat, lng := point(r, m)
		loc := peerfind.Location{
			Name: pickS(r, v.locNames),
			Address: peerfind.Address{
				Address1:      strconv.Itoa(1+r.IntN(9899)) + " " + pickS(r, v.streets),
				City:          m.Name,
				StateProvince: m.State,
				Country:       "US",
			},
			Latitude: &lat, Longitude: &lng,
		}
		s.Locations = []peerfind.Location{loc}
		s.Attendance = []string{"in-person"}
		if r.Float64() < 0.12 {
			s.Attendance = []string{"hybrid"}
		}
	}
	if r.Float64() < ServiceAreaShare {
		if m.CountyFIPS != "" && r.Float64() < 0.6 {
			s.ServiceAreas = []peerfind.ServiceArea{{Name: m.County + " County, " + m.State, Kind: peerfind.AreaCounty, Codes: []string{m.CountyFIPS}}}
		} else {
			s.ServiceAreas = []peerfind.ServiceArea{{Name: m.State, Kind: peerfind.AreaState, Codes: []string{m.State}}}
		}
	}
	if group {
		if s.Meeting == nil {
			s.Meeting = &peerfind.Meeting{}
		}
		s.Meeting.OpenClosed = []string{"open", "closed"}[r.IntN(2)]
		s.Schedules = []peerfind.Schedule{meetingSchedule(r, m.Timezone)}
	} else {
		s.Schedules = []peerfind.Schedule{{Freq: "WEEKLY", ByDay: []string{"MO", "TU", "WE", "TH", "FR"}, OpensAt: "09:00", ClosesAt: "17:00", Timezone: m.Timezone}}
	}
	return s
}

func meetingSchedule(r *rand.Rand, tz string) peerfind.Schedule {
	start := 12 + r.IntN(32) // half hours from 06:00 to 21:30
	sc := peerfind.Schedule{Freq: "WEEKLY", OpensAt: fmt.Sprintf("%02d:%02d", start/2, 30*(start%2)),
		ClosesAt: fmt.Sprintf("%02d:%02d", (start+2)/2%24, 30*(start%2)), Timezone: tz}
	switch x := r.Float64(); {
	case x < 0.70:
		sc.ByDay = []string{days[r.IntN(7)]}
	case x < 0.90:
		first := r.IntN(7)
		sc.ByDay = []string{days[first], days[(first+2+r.IntN(3))%7]}
	case x < 0.95:
		sc.ByDay = days
	default:
		sc.Freq = "MONTHLY"
		sc.ByDay = []string{strconv.Itoa(1+r.IntN(4)) + days[r.IntN(7)]}
	}
	return sc
}

// orgKinds name the organizations, after the shipped publishers.
var orgKinds = []string{"AA Intergroup", "Al-Anon Family Groups", "Eating Disorders Anonymous", "Peer Support Network",
	"Recovery Community Center", "NAMI Affiliate", "Warmline Collective", "Mental Health Peer Alliance",
	"Grief Support Circle", "Family Resource Center"}

// sentence describes the record's terms in words, from the taxonomy's
// labels, in Spanish for a Spanish-language record.
func (g *Generator) sentence(r *rand.Rand, s *peerfind.Service, spanish bool) string {
	lang, forw, and := "en", " for ", " and "
	if spanish {
		lang, forw, and = "es", " para ", " y "
	}
	label := func(facet, id string) string {
		t := g.v.tax.Term(facet, id)
		if t == nil {
			return id
		}
		// Sometimes a synonym, as people word it.
		if syn := t.Synonyms[lang]; len(syn) > 0 && r.Float64() < 0.3 {
			return syn[r.IntN(len(syn))]
		}
		return t.LabelFor(lang)
	}
	var b strings.Builder
	b.WriteString(label(peerfind.FacetCategory, s.Categories[0]))
	b.WriteString(forw)
	for i, c := range s.Conditions {
		if i > 0 {
			b.WriteString(and)
		}
		b.WriteString(strings.ToLower(label(peerfind.FacetCondition, c)))
	}
	if len(s.Populations) > 0 {
		b.WriteString(" (")
		b.WriteString(label(peerfind.FacetPopulation, s.Populations[0]))
		b.WriteString(")")
	}
	b.WriteString(".")
	return b.String()
}

// WriteRecords writes records [from, to) to w as JSON lines, one
// peerfind.Service per line, the record format bin/indexer reads.
func (g *Generator) WriteRecords(w io.Writer, from, to int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	for i := from; i < to; i++ {
		b, err := g.Record(i).MarshalJSONLine()
		if err != nil {
			return err
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteGzip writes records [from, to) to w as gzipped JSON lines.
func (g *Generator) WriteGzip(w io.Writer, from, to int) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	if err := g.WriteRecords(zw, from, to); err != nil {
		return err
	}
	return zw.Close()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// WriteFiles writes records [0, n) to path as gzipped JSON lines, or,
// when perFile > 0 and n > perFile, to several files of at most perFile
// records named path with "-001", "-002"… before its extension. It
// returns the files written. Each file is written to a temporary name
// and renamed when complete.
func WriteFiles(ctx context.Context, g *Generator, path string, n, perFile int) ([]string, error) {
	if n < 0 {
		return nil, fmt.Errorf("synth: negative record count %d", n)
	}
	if perFile <= 0 || n <= perFile {
		perFile = max(n, 1)
	}
	base, ext := path, ""
	for _, e := range []string{".jsonl.gz", ".jsonl", ".gz"} {
		if strings.HasSuffix(path, e) {
			base, ext = strings.TrimSuffix(path, e), e
			break
		}
	}
	var files []string
	for from, k := 0, 1; from < n || (n == 0 && k == 1); from, k = from+perFile, k+1 {
		if err := ctx.Err(); err != nil {
			return files, err
		}
		name := path
		if n > perFile {
			name = fmt.Sprintf("%s-%03d%s", base, k, ext)
		}
		if err := writeFile(g, name, from, min(from+perFile, n)); err != nil {
			return files, err
		}
		files = append(files, name)
	}
	return files, nil
}

func writeFile(g *Generator, name string, from, to int) error {
	tmp := name + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := g.WriteGzip(f, from, to); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("synth: write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, name)
}
