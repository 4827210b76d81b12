package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/peerfind/peerfind"
)

func gen(t *testing.T, seed uint64) *Generator {
	t.Helper()
	g, err := New(seed)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestDeterministic(t *testing.T) {
	out := func(seed uint64) ([32]byte, []byte) {
		var b bytes.Buffer
		if err := gen(t, seed).WriteGzip(&b, 0, 200); err != nil {
			t.Fatal(err)
		}
		var q bytes.Buffer
		if err := gen(t, seed).WriteQueries(&q, 200); err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b.Bytes()), q.Bytes()
	}
	a, qa := out(7)
	b, qb := out(7)
	if a != b || !bytes.Equal(qa, qb) {
		t.Errorf("seed 7 gave different bytes on two runs")
	}
	if c, qc := out(8); c == a || bytes.Equal(qa, qc) {
		t.Errorf("seeds 7 and 8 gave the same bytes")
	}
	// Record i does not depend on where the range starts (shards).
	g := gen(t, 7)
	var whole, part bytes.Buffer
	g.WriteRecords(&whole, 0, 10)
	g.WriteRecords(&part, 5, 10)
	if !bytes.HasSuffix(whole.Bytes(), part.Bytes()) {
		t.Errorf("records 5-9 differ when written from 5")
	}
}

func TestRecordsValidate(t *testing.T) {
	g := gen(t, 1)
	ids := map[string]bool{}
	for i := range 2000 {
		s := g.Record(i)
		if err := s.Validate(g.Taxonomy()); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if ids[s.ID] {
			t.Fatalf("record %d: duplicate id %s", i, s.ID)
		}
		ids[s.ID] = true
		b, _ := s.MarshalJSONLine()
		var back peerfind.Service
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("record %d does not round-trip: %v", i, err)
		}
	}
}

// TestSkew checks the shares documented in the package comment, with
// generous margins (n = 20,000).
func TestSkew(t *testing.T) {
	g := gen(t, 3)
	const n = 20000
	var remote, areas, en, es int
	cats := map[string]int{}
	metroRecs := map[string]int{}
	for i := range n {
		s := g.Record(i)
		if len(s.Locations) == 0 {
			remote++
		} else {
			metroRecs[s.Locations[0].Address.City+", "+s.Locations[0].Address.StateProvince]++
		}
		if len(s.ServiceAreas) > 0 {
			areas++
		}
		if slices.Contains(s.Languages, "en") {
			en++
		}
		if slices.Contains(s.Languages, "es") {
			es++
		}
		for _, c := range s.Categories {
			cats[c]++
		}
	}
	share := func(k int) float64 { return float64(k) / n }
	for _, c := range []struct {
		name     string
		got      float64
		min, max float64
	}{
		{"remote", share(remote), 0.08, 0.12},
		{"service areas", share(areas), 0.035, 0.065},
		{"en", share(en), 0.85, 0.93},
		{"es", share(es), 0.12, 0.18},
	} {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s share %.3f, want %.3f..%.3f", c.name, c.got, c.min, c.max)
		}
	}
	// Zipf-like: the most used category is used several times as often
	// as the fifth.
	ranked := g.v.terms[peerfind.FacetCategory]
	if a, b := cats[ranked[0]], cats[ranked[4]]; a < 3*b {
		t.Errorf("category %s used %d times, %s %d: want a steeper skew", ranked[0], a, ranked[4], b)
	}
	// Population weighting: New York has more records than Chicago.
	if ny, chi := metroRecs["New York, NY"], metroRecs["Chicago, IL"]; ny <= chi || chi == 0 {
		t.Errorf("New York %d records, Chicago %d: want NY > Chicago > 0", ny, chi)
	}
}

func TestQueries(t *testing.T) {
	g := gen(t, 1)
	var empty, near, pages int
	for i := range 1000 {
		q := g.Query(i)
		if q.Q == "" {
			empty++
		}
		if q.Near != "" {
			near++
			if q.Radius == "" {
				t.Errorf("query %d: near without radius", i)
			}
		} else if q.Sort == "distance" {
			t.Errorf("query %d: sort=distance without near", i)
		}
		if q.Page != "" {
			pages++
		}
		if strings.Contains(q.Values().Encode(), "=&") {
			t.Errorf("query %d: empty parameter in %s", i, q.Values().Encode())
		}
	}
	if empty < 150 || empty > 250 || near < 860 || near > 940 || pages < 350 || pages > 450 {
		t.Errorf("empty %d, near %d, paged %d of 1000: want about 200, 900, 400", empty, near, pages)
	}
}
