package indexer

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

var updateBaseline = flag.Bool("update-baseline", false, "write the measured figures to testdata/search/baseline.json")

// judgedFile is the judged query set: realistic needs, in English and
// Spanish, misspelled, by culture and population and near real places,
// each with the records that should come first and their grades.
const (
	judgedFile   = "testdata/search/judged.json"
	baselineFile = "testdata/search/baseline.json"
	qualityK     = 10
	// qualitySlack absorbs float noise when comparing with the baseline.
	qualitySlack = 0.0005
)

type judgedSet struct {
	Queries []judgedQuery `json:"queries"`
}

type judgedQuery struct {
	Q        string         `json:"q"`
	Near     string         `json:"near,omitempty"`
	Lat      float64        `json:"lat,omitempty"`
	Lng      float64        `json:"lng,omitempty"`
	RadiusKM float64        `json:"radius_km,omitempty"`
	Note     string         `json:"note,omitempty"`
	Relevant map[string]int `json:"relevant"`
}

type qualityFigures struct {
	NDCG10  float64 `json:"ndcg@10"`
	MRR     float64 `json:"mrr"`
	Queries int     `json:"queries"`
}

// TestQuality builds the index of the shipped dataset, runs every judged
// query and computes nDCG@10 and MRR; it fails when either falls below
// the recorded baseline. `make quality` prints the table (-v).
// -update-baseline records the figures measured.
func TestQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the index of the whole shipped dataset")
	}
	b, err := os.ReadFile(judgedFile)
	if err != nil {
		t.Fatal(err)
	}
	var set judgedSet
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatalf("%s: %v", judgedFile, err)
	}
	if len(set.Queries) < 60 {
		t.Fatalf("%s has %d queries, want at least 60", judgedFile, len(set.Queries))
	}

	ctx := context.Background()
	recs, _, err := data.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tax := taxonomy(t)
	dir := filepath.Join(t.TempDir(), "index")
	if _, err := Build(ctx, dir, recs, BuildOptions{Taxonomy: tax}); err != nil {
		t.Fatal(err)
	}
	idx, err := Open(dir, tax)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()

	got, rows := evaluate(t, idx, set.Queries)
	t.Logf("\n%-44s %6s %5s %6s  %s\n%s\n%-44s %6.3f %5.3f   (%d queries)",
		"query", "nDCG10", "RR", "total", "first hit (grade)", strings.Join(rows, "\n"),
		"MEAN", got.NDCG10, got.MRR, got.Queries)
	if testing.Verbose() {
		// What each feature brings: the figures with it turned off.
		var ab []string
		for _, v := range []struct {
			name string
			off  func(*features)
		}{
			{"without synonyms", func(f *features) { f.synonyms = false }},
			{"without Spanish", func(f *features) { f.spanish = false }},
			{"without typo tolerance", func(f *features) { f.fuzzy = false }},
			{"without distance/freshness", func(f *features) { f.rerank = false }},
			{"none of them", func(f *features) { *f = features{} }},
		} {
			idx.feat = allFeatures
			v.off(&idx.feat)
			fig, _ := evaluate(t, idx, set.Queries)
			ab = append(ab, fmt.Sprintf("%-44s %6.3f %5.3f", v.name, fig.NDCG10, fig.MRR))
		}
		idx.feat = allFeatures
		t.Logf("\n%-44s %6s %5s\n%-44s %6.3f %5.3f\n%s", "features", "nDCG10", "MRR", "all", got.NDCG10, got.MRR, strings.Join(ab, "\n"))
	}

	if *updateBaseline {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(baselineFile, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	var want qualityFigures
	b, err = os.ReadFile(baselineFile)
	if err != nil {
		t.Fatalf("%v (record one with go test -run TestQuality ./indexer/ -update-baseline)", err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("%s: %v", baselineFile, err)
	}
	if got.NDCG10 < want.NDCG10-qualitySlack {
		t.Errorf("nDCG@10 = %.4f, below the baseline %.4f", got.NDCG10, want.NDCG10)
	}
	if got.MRR < want.MRR-qualitySlack {
		t.Errorf("MRR = %.4f, below the baseline %.4f", got.MRR, want.MRR)
	}
}

// evaluate runs the judged queries and returns the mean figures and one
// table row per query.
func evaluate(t *testing.T, idx *Index, queries []judgedQuery) (qualityFigures, []string) {
	t.Helper()
	ctx := context.Background()
	var sumNDCG, sumRR float64
	var rows []string
	for _, jq := range queries {
		q := peerfind.Query{Text: jq.Q, Sort: peerfind.SortRelevance, PerPage: qualityK}
		if jq.Near != "" {
			q.Near = &orb.Point{jq.Lng, jq.Lat}
			q.RadiusKM = jq.RadiusKM
		}
		res, err := idx.Search(ctx, q)
		if err != nil {
			t.Fatalf("%q: %v", jq.Q, err)
		}
		got := ids(res)
		n, rr := ndcg(got, jq.Relevant, qualityK), reciprocalRank(got, jq.Relevant)
		sumNDCG += n
		sumRR += rr
		label := jq.Q
		if jq.Near != "" {
			label += " @ " + jq.Near
		}
		top := "-"
		if len(got) > 0 {
			top = fmt.Sprintf("%s (%d)", clip(got[0], 48), jq.Relevant[got[0]])
		}
		rows = append(rows, fmt.Sprintf("%-44s %6.3f %5.2f %6d  %s", clip(label, 44), n, rr, res.Total, top))
	}
	return qualityFigures{
		NDCG10:  round4(sumNDCG / float64(len(queries))),
		MRR:     round4(sumRR / float64(len(queries))),
		Queries: len(queries),
	}, rows
}

// ndcg is the normalized discounted cumulative gain of the first k ids,
// with gain 2^grade-1 and the ideal order of every judged record.
func ndcg(got []string, rel map[string]int, k int) float64 {
	dcg := 0.0
	for i, id := range got {
		if i == k {
			break
		}
		dcg += gain(rel[id]) / math.Log2(float64(i+2))
	}
	var grades []int
	for _, g := range rel {
		grades = append(grades, g)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(grades)))
	ideal := 0.0
	for i, g := range grades {
		if i == k {
			break
		}
		ideal += gain(g) / math.Log2(float64(i+2))
	}
	if ideal == 0 {
		return 0
	}
	return dcg / ideal
}

func gain(grade int) float64 { return math.Pow(2, float64(grade)) - 1 }

// reciprocalRank is 1/rank of the first judged record among the ids.
func reciprocalRank(got []string, rel map[string]int) float64 {
	for i, id := range got {
		if rel[id] > 0 {
			return 1 / float64(i+1)
		}
	}
	return 0
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func TestNDCG(t *testing.T) {
	rel := map[string]int{"a": 3, "b": 1}
	if got := ndcg([]string{"a", "b"}, rel, 10); math.Abs(got-1) > 1e-9 {
		t.Errorf("ideal order: nDCG = %v, want 1", got)
	}
	if got := ndcg([]string{"x", "y"}, rel, 10); got != 0 {
		t.Errorf("no relevant: nDCG = %v, want 0", got)
	}
	if got := ndcg([]string{"b", "a"}, rel, 10); got <= 0 || got >= 1 {
		t.Errorf("swapped: nDCG = %v, want between 0 and 1", got)
	}
	if got := reciprocalRank([]string{"x", "b"}, rel); got != 0.5 {
		t.Errorf("RR = %v, want 0.5", got)
	}
}
