package indexer

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
)

func TestSuggest(t *testing.T) {
	idx, _, _ := mustBuild(t)
	for _, tc := range []struct {
		prefix, ui string
		want       peerfind.Suggestion // among the suggestions
		first      bool                // and first
	}{
		{"warm", "en", peerfind.Suggestion{Text: "Warmline", Kind: "category", Facet: "category", ID: "warmline"}, true},
		{"línea", "es", peerfind.Suggestion{Text: "Línea cálida", Kind: "category", Facet: "category", ID: "warmline"}, true},
		{"linea c", "es", peerfind.Suggestion{Text: "Línea cálida", Kind: "category", Facet: "category", ID: "warmline"}, true},
		{"depr", "en", peerfind.Suggestion{Text: "Depression and bipolar", Kind: "need", Facet: "condition", ID: "depression-bipolar"}, true},
		{"depre", "es", peerfind.Suggestion{Text: "Depresión y bipolaridad", Kind: "need", Facet: "condition", ID: "depression-bipolar"}, true},
		{"alcoholics an", "en", peerfind.Suggestion{Text: "alcoholics anonymous", Kind: "need", Facet: "condition", ID: "alcohol"}, true},
		{"philadelphia peer", "en", peerfind.Suggestion{Text: "Philadelphia Peer Respite", Kind: "name", ID: "ph-2"}, true},
		{"respite", "en", peerfind.Suggestion{Text: "Philadelphia Peer Respite", Kind: "name", ID: "ph-2"}, false},
	} {
		got, err := idx.Suggest(context.Background(), tc.prefix, tc.ui, MaxSuggestions)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > MaxSuggestions {
			t.Errorf("%q: %d suggestions, want at most %d", tc.prefix, len(got), MaxSuggestions)
		}
		found := -1
		for i, s := range got {
			if s == tc.want {
				found = i
				break
			}
		}
		if found < 0 || (tc.first && found != 0) {
			t.Errorf("%q (ui=%s) = %+v; want %+v%s", tc.prefix, tc.ui, got, tc.want, map[bool]string{true: " first"}[tc.first])
		}
	}
	for _, p := range []string{"", "   ", "zzzzqx"} {
		got, err := idx.Suggest(context.Background(), p, "en", MaxSuggestions)
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("%q = %v, %v; want an empty list", p, got, err)
		}
	}
}

// shippedIndex builds and opens the index of the shipped dataset.
func shippedIndex(b testing.TB) *Index {
	b.Helper()
	recs, _, err := data.Records(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	tax := taxonomy(b)
	dir := filepath.Join(b.TempDir(), "index")
	if _, err := Build(context.Background(), dir, recs, BuildOptions{Taxonomy: tax}); err != nil {
		b.Fatal(err)
	}
	idx, err := Open(dir, tax)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { idx.Close() })
	return idx
}

// BenchmarkSuggest measures one keystroke's suggestions over the shipped
// dataset, for prefixes from one letter to a few words.
func BenchmarkSuggest(b *testing.B) {
	idx := shippedIndex(b)
	ctx := context.Background()
	prefixes := []string{"a", "al", "alc", "alcoholics a", "gr", "grie", "dep", "l", "línea", "women", "sunday m", "big b"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := idx.Suggest(ctx, prefixes[i%len(prefixes)], "en", MaxSuggestions); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchNeeds measures a need search over the shipped dataset.
func BenchmarkSearchNeeds(b *testing.B) {
	idx := shippedIndex(b)
	ctx := context.Background()
	qs := []string{"grief support group", "alcoholicos anonimos", "alchoholics anonymous", "warm line", "depresion"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := idx.Search(ctx, peerfind.Query{Text: qs[i%len(qs)], PerPage: 10}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSavedNames holds the names the build saves beside the index
// (names.json) to those read from every stored record, over the shipped
// dataset: the same pairs, and the same type-ahead names from them. Saved
// names of another index (another count of documents) are not used.
func TestSavedNames(t *testing.T) {
	x := shippedIndex(t)
	ctx := context.Background()
	saved, err := x.savedNames()
	if err != nil || saved == nil {
		t.Fatalf("no saved names (%v)", err)
	}
	stored, err := x.storedNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := func(a, b [2]string) int { return strings.Compare(a[0], b[0]) }
	slices.SortFunc(saved.Names, byID)
	slices.SortFunc(stored.Names, byID)
	if len(saved.Names) < 1000 || !slices.Equal(saved.Names, stored.Names) {
		t.Fatalf("saved %d names, stored %d, or they differ", len(saved.Names), len(stored.Names))
	}
	fromSaved, err := x.names(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(x.path), namesFile))
	if err != nil {
		t.Fatal(err)
	}
	// Beside an index of another size, the names are read from the
	// records, and come out the same.
	var other namesOfIndex
	if err := json.Unmarshal(b, &other); err != nil {
		t.Fatal(err)
	}
	other.Documents++
	b, _ = json.Marshal(other)
	if err := os.WriteFile(filepath.Join(filepath.Dir(x.path), namesFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := x.savedNames(); err != nil || n != nil {
		t.Fatalf("names of another index used (%v)", err)
	}
	fromStored, err := x.names(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(fromSaved, fromStored) {
		t.Fatalf("type-ahead names: %d from the saved names, %d from the records", len(fromSaved), len(fromStored))
	}
}

// TestSuggestListHoldsNoPointers keeps the type-ahead list's entries and
// keys free of pointers: at a million records they are four million
// values, and the collector would walk every one at every cycle (a
// quarter of searchd's time under load, docs/performance.md).
func TestSuggestListHoldsNoPointers(t *testing.T) {
	var hasPointers func(reflect.Type) bool
	hasPointers = func(rt reflect.Type) bool {
		switch rt.Kind() {
		case reflect.Struct:
			for i := range rt.NumField() {
				if hasPointers(rt.Field(i).Type) {
					return true
				}
			}
			return false
		case reflect.Array:
			return hasPointers(rt.Elem())
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			return false
		}
		return true
	}
	for _, v := range []any{suggestEntry{}, suggestRef{}} {
		if rt := reflect.TypeOf(v); hasPointers(rt) {
			t.Errorf("%s holds a pointer", rt)
		}
	}
}
