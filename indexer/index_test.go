package indexer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

func readFixture(tb testing.TB, name string) []*peerfind.Service {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []*peerfind.Service
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s peerfind.Service
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		out = append(out, &s)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func taxonomy(tb testing.TB) *peerfind.Taxonomy {
	tb.Helper()
	tax, err := data.Taxonomy()
	if err != nil {
		tb.Fatal(err)
	}
	return tax
}

// mustBuild indexes the fixture into a temporary directory (on disk: the
// in-memory bleve index uses another engine) and opens it.
func mustBuild(tb testing.TB) (*Index, *BuildStats, string) {
	tb.Helper()
	tax := taxonomy(tb)
	dir := filepath.Join(tb.TempDir(), "index")
	stats, err := Build(context.Background(), dir, readFixture(tb, "records.jsonl"), BuildOptions{Taxonomy: tax})
	if err != nil {
		tb.Fatal(err)
	}
	idx, err := Open(dir, tax)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { idx.Close() })
	return idx, stats, dir
}

func ids(res *peerfind.Results) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Service.ID)
	}
	return out
}

func TestBuildRejectsInvalidAndDuplicate(t *testing.T) {
	_, stats, dir := mustBuild(t)
	if got, want := stats.Indexed, 9; got != want {
		t.Errorf("Indexed = %d, want %d", got, want)
	}
	if got, want := stats.Rejected, 3; got != want {
		t.Errorf("Rejected = %d, want %d", got, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, rejectedFile))
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r Rejection
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		reasons = append(reasons, r.ID+": "+r.Reason)
	}
	for _, want := range []string{"bad-1: invalid record: name is required", "knitting-circle", "sj-1: duplicate id"} {
		found := false
		for _, r := range reasons {
			found = found || strings.Contains(r, want)
		}
		if !found {
			t.Errorf("rejected.jsonl lacks %q; has %q", want, reasons)
		}
	}
}

// TestBuildPhases checks that a build says where its time went: every
// step, in order, adding up to no more than the whole; and that it says
// once, before the segments, that the records are encoded.
func TestBuildPhases(t *testing.T) {
	encoded := 0
	opts := BuildOptions{Taxonomy: taxonomy(t), Encoded: func() { encoded++ }}
	opts.Progress = func(int) {
		if encoded == 0 {
			t.Error("records indexed before Encoded was called")
		}
	}
	stats, err := Build(context.Background(), filepath.Join(t.TempDir(), "index"), readFixture(t, "records.jsonl"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if encoded != 1 {
		t.Fatalf("Encoded called %d times, want once", encoded)
	}
	var names []string
	var sum time.Duration
	for _, p := range stats.Phases {
		names = append(names, p.Name)
		if p.Duration < 0 {
			t.Errorf("phase %s took %s", p.Name, p.Duration)
		}
		sum += p.Duration
	}
	// Nine records make one segment: nothing to merge (the records are
	// saved before the frame).
	want := []string{"validate", "order", "encode", "segments", "frame", "check"}
	if !slices.Equal(names, want) {
		t.Errorf("phases %q, want %q", names, want)
	}
	if sum > stats.Duration {
		t.Errorf("phases add up to %s, more than the build's %s", sum, stats.Duration)
	}
	if s := stats.PhaseSummary(); !strings.HasPrefix(s, "validate ") || !strings.Contains(s, ", frame ") {
		t.Errorf("PhaseSummary() = %q", s)
	}
}

func TestSearch(t *testing.T) {
	idx, _, _ := mustBuild(t)
	sanJose := orb.Point{-121.8863, 37.3382}
	philly := orb.Point{-75.1652, 39.9526}
	for _, tc := range []struct {
		name    string
		q       peerfind.Query
		wantIDs []string
		inOrder bool
	}{
		{name: "everything", q: peerfind.Query{PerPage: 20},
			wantIDs: []string{"on-1", "ph-1", "ph-2", "sf-1", "sj-1", "sj-2", "sj-3", "sj-4"}},
		{name: "near San Jose by distance", q: peerfind.Query{Near: &sanJose, RadiusKM: 15, Sort: peerfind.SortDistance},
			wantIDs: []string{"sj-1", "sj-2", "sj-4", "sj-3", "on-1"}, inOrder: true},
		// sj-3 is a warmline based in San Jose: by phone, after the groups.
		{name: "in person only", q: peerfind.Query{Near: &sanJose, RadiusKM: 15, Sort: peerfind.SortDistance, Remote: peerfind.RemoteExclude},
			wantIDs: []string{"sj-1", "sj-2", "sj-4"}, inOrder: true},
		{name: "radius widens to San Francisco", q: peerfind.Query{Near: &sanJose, RadiusKM: 80, Sort: peerfind.SortDistance},
			wantIDs: []string{"sj-1", "sj-2", "sj-4", "sf-1", "sj-3", "on-1"}, inOrder: true},
		{name: "need text, stemmed", q: peerfind.Query{Text: "hearing voice"}, wantIDs: []string{"sj-4"}},
		{name: "taxonomy label matches untagged words", q: peerfind.Query{Text: "warm line"}, wantIDs: []string{"sj-3"}},
		{name: "accent-insensitive Spanish", q: peerfind.Query{Text: "reunion espanol"}, wantIDs: []string{"sj-2"}},
		{name: "language filter", q: peerfind.Query{Filters: map[string][]string{"lang": {"es"}}}, wantIDs: []string{"sj-2", "sj-3"}},
		{name: "OR within a filter", q: peerfind.Query{Filters: map[string][]string{"population": {"women", "lgbtq"}}}, wantIDs: []string{"sf-1", "sj-1"}},
		{name: "AND across filters", q: peerfind.Query{Filters: map[string][]string{"lang": {"es"}, "population": {"latinx"}}}, wantIDs: []string{"sj-2"}},
		{name: "near Philadelphia", q: peerfind.Query{Near: &philly, RadiusKM: 10, Sort: peerfind.SortDistance}, wantIDs: []string{"ph-1", "ph-2", "on-1"}, inOrder: true},
		{name: "text and location", q: peerfind.Query{Text: "respite", Near: &philly, RadiusKM: 10}, wantIDs: []string{"ph-2"}},
		{name: "no words all match falls back to any word", q: peerfind.Query{Text: "grief zebra"}, wantIDs: []string{"on-1"}},
		{name: "nothing", q: peerfind.Query{Text: "zebra"}, wantIDs: nil},
		{name: "closed left out by default", q: peerfind.Query{Text: "zanzibar"}, wantIDs: nil},
		{name: "closed on request", q: peerfind.Query{Text: "zanzibar", IncludeClosed: true}, wantIDs: []string{"sj-closed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := idx.Search(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(res)
			if !tc.inOrder {
				sort.Strings(got)
			}
			if diff := cmp.Diff(tc.wantIDs, got); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if int(res.Total) != len(tc.wantIDs) {
				t.Errorf("Total = %d, want %d", res.Total, len(tc.wantIDs))
			}
		})
	}
}

func TestSearchDistanceAndFacets(t *testing.T) {
	idx, _, _ := mustBuild(t)
	sanJose := orb.Point{-121.8863, 37.3382}
	res, err := idx.Search(context.Background(), peerfind.Query{Near: &sanJose, RadiusKM: 80, Sort: peerfind.SortDistance, Remote: peerfind.RemoteExclude})
	if err != nil {
		t.Fatal(err)
	}
	prev := -1.0
	for _, h := range res.Hits {
		if h.DistanceKM == nil {
			t.Fatalf("%s: no distance", h.Service.ID)
		}
		if *h.DistanceKM < prev {
			t.Errorf("%s at %.2f km comes after %.2f km", h.Service.ID, *h.DistanceKM, prev)
		}
		prev = *h.DistanceKM
	}
	// San Francisco's Castro is about 67 km from downtown San Jose.
	if last := res.Hits[len(res.Hits)-1]; last.Service.ID != "sf-1" || *last.DistanceKM < 60 || *last.DistanceKM > 75 {
		t.Errorf("last hit %s at %v km, want sf-1 at ~67 km", last.Service.ID, *last.DistanceKM)
	}

	// Facet counts match the results they describe.
	counts := map[string]map[string]int{}
	for _, h := range res.Hits {
		for _, f := range peerfind.Facets {
			for _, id := range h.Service.TermIDs(f) {
				if counts[f] == nil {
					counts[f] = map[string]int{}
				}
				counts[f][id]++
			}
		}
	}
	for _, f := range peerfind.Facets {
		got := map[string]int{}
		for _, fc := range res.Facets[f] {
			got[fc.Term] = fc.Count
		}
		want := counts[f]
		if want == nil {
			want = map[string]int{}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("facet %s (-want +got):\n%s", f, diff)
		}
	}
	if got := res.Facets["category"][0]; got.Term != "self-help-group" || got.Count != 4 {
		t.Errorf("top category = %+v, want self-help-group: 4", got)
	}
}

func TestSearchPaging(t *testing.T) {
	idx, _, _ := mustBuild(t)
	var all []string
	for page := 1; page <= 3; page++ {
		res, err := idx.Search(context.Background(), peerfind.Query{Page: page, PerPage: 3})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 8 {
			t.Errorf("page %d: Total = %d, want 8", page, res.Total)
		}
		all = append(all, ids(res)...)
	}
	sort.Strings(all)
	want := []string{"on-1", "ph-1", "ph-2", "sf-1", "sj-1", "sj-2", "sj-3", "sj-4"}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("pages together (-want +got):\n%s", diff)
	}
}

func TestSearchInvalid(t *testing.T) {
	idx, _, _ := mustBuild(t)
	bad := orb.Point{200, 10}
	for _, tc := range []struct {
		name string
		q    peerfind.Query
	}{
		{"unknown filter value", peerfind.Query{Filters: map[string][]string{"lang": {"klingon"}}}},
		{"unknown filter", peerfind.Query{Filters: map[string][]string{"colour": {"red"}}}},
		{"distance sort without location", peerfind.Query{Sort: peerfind.SortDistance}},
		{"point out of range", peerfind.Query{Near: &bad, RadiusKM: 5}},
		{"overlong text", peerfind.Query{Text: strings.Repeat("a", MaxTextBytes+1)}},
		{"per page too large", peerfind.Query{PerPage: MaxPerPage + 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := idx.Search(context.Background(), tc.q)
			if !errors.Is(err, peerfind.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestService(t *testing.T) {
	idx, _, _ := mustBuild(t)
	s, err := idx.Service(context.Background(), "ph-2")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "Philadelphia Peer Respite" || s.Provenance.SourceURL == "" {
		t.Errorf("got %q with provenance %+v", s.Name, s.Provenance)
	}
	if _, err := idx.Service(context.Background(), "nope"); !errors.Is(err, peerfind.ErrNotFound) {
		t.Errorf("missing id: err = %v, want ErrNotFound", err)
	}
}

func TestRebuildSwapsAndKeepsOldOnFailure(t *testing.T) {
	tax := taxonomy(t)
	dir := filepath.Join(t.TempDir(), "index")
	recs := readFixture(t, "records.jsonl")
	if _, err := Build(context.Background(), dir, recs[:3], BuildOptions{Taxonomy: tax}); err != nil {
		t.Fatal(err)
	}
	old, err := Open(dir, tax)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()

	// A cancelled build fails and leaves the current index alone.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, dir, recs, BuildOptions{Taxonomy: tax}); err == nil {
		t.Fatal("cancelled build succeeded")
	}
	reopened, err := Open(dir, tax)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := reopened.DocCount(); n != 3 {
		t.Errorf("after failed build: %d docs, want 3", n)
	}
	reopened.Close()

	// A full build swaps in while the old index is still open and usable.
	if _, err := Build(context.Background(), dir, recs, BuildOptions{Taxonomy: tax}); err != nil {
		t.Fatal(err)
	}
	if n, _ := old.DocCount(); n != 3 {
		t.Errorf("old index during swap: %d docs, want 3", n)
	}
	fresh, err := Open(dir, tax)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if n, _ := fresh.DocCount(); n != 9 {
		t.Errorf("new index: %d docs, want 9", n)
	}
	entries, _ := os.ReadDir(dir)
	gens := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), genPrefix) {
			gens++
		}
		if strings.HasPrefix(e.Name(), ".building-") {
			t.Errorf("leftover build folder %s", e.Name())
		}
	}
	if gens > keepGens {
		t.Errorf("%d generations kept, want at most %d", gens, keepGens)
	}
}

func TestBuildRefusesForeignIndex(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Build(context.Background(), dir, nil, BuildOptions{Taxonomy: taxonomy(t)})
	if err == nil || !strings.Contains(err.Error(), "not made by peerfind") {
		t.Errorf("err = %v, want refusal", err)
	}
}

func TestBuildNoValidRecords(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	recs := readFixture(t, "records.jsonl")
	_, err := Build(context.Background(), dir, recs[8:10], BuildOptions{Taxonomy: taxonomy(t)})
	if err == nil || !strings.Contains(err.Error(), "none of 2 records is valid") {
		t.Fatalf("err = %v, want none valid", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "rejected-failed-build.jsonl"))
	if err != nil || strings.Count(string(b), "\n") != 2 {
		t.Errorf("rejected-failed-build.jsonl = %q, %v; want 2 lines", b, err)
	}
	if _, err := Open(dir, taxonomy(t)); err == nil {
		t.Error("Open succeeded on a directory with no built index")
	}
}
