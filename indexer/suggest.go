package indexer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/peerfind/peerfind"
)

// MaxSuggestions is the most suggestions Suggest returns.
const MaxSuggestions = 8

// suggestList is the type-ahead list: every taxonomy label and synonym
// (English and Spanish) and every record name, keyed by their folded text
// from each word on, sorted, so a prefix is a binary search away.
type suggestList struct {
	keys []string // sorted folded keys
	// entries are the texts; refs[i] is the entry of keys[i].
	entries []suggestEntry
	refs    []suggestRef
}

// suggestRef is a key's entry and whether the key starts at a later word
// of its text.
type suggestRef struct {
	i     int32
	inner bool
}

type suggestEntry struct {
	s peerfind.Suggestion
	// folded is the folded text, for removing duplicates; runes its
	// length.
	folded string
	runes  int
	// lang is the language of a taxonomy label or synonym ("" for names).
	lang string
	// label is true for a term's label (not a synonym).
	label bool
}

// maxNameWords is how many word starts of a name are keys: "Alcoholics
// Anonymous Big Book" is found from "alc", "anon" and "big".
const maxNameWords = 6

func newSuggestList(tax *peerfind.Taxonomy, names map[string]string) *suggestList {
	// A key is the folded text from one of its words on: a suffix of the
	// folded text, so the keys share its memory.
	type keyed struct {
		key string
		suggestRef
	}
	var base []suggestEntry
	var all []keyed
	add := func(text string, e suggestEntry) {
		words := strings.Fields(peerfind.Fold(text))
		e.folded = strings.Join(words, " ")
		e.runes = utf8.RuneCountInString(text)
		i := int32(len(base))
		base = append(base, e)
		at := 0
		for w := 0; w < len(words) && w < maxNameWords; w++ {
			all = append(all, keyed{e.folded[at:], suggestRef{i, w > 0}})
			at += len(words[w]) + 1
		}
	}
	for _, f := range tax.Facets {
		kind := peerfind.SuggestNeed
		switch f.ID {
		case peerfind.FacetCategory:
			kind = peerfind.SuggestCategory
		case peerfind.FacetCondition, peerfind.FacetPopulation, peerfind.FacetSupport:
		default:
			continue // attendance, language and cost are filters, not needs
		}
		for _, t := range f.Terms {
			for _, lang := range []string{"en", "es"} {
				s := peerfind.Suggestion{Text: t.Label[lang], Kind: kind, Facet: f.ID, ID: t.ID}
				add(s.Text, suggestEntry{s: s, lang: lang, label: true})
				for _, syn := range t.Synonyms[lang] {
					s.Text = syn
					add(syn, suggestEntry{s: s, lang: lang})
				}
			}
		}
	}
	for name, id := range names {
		add(name, suggestEntry{s: peerfind.Suggestion{Text: name, Kind: peerfind.SuggestName, ID: id}})
	}
	slices.SortStableFunc(all, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
	l := &suggestList{keys: make([]string, len(all)), entries: base, refs: make([]suggestRef, len(all))}
	for j, k := range all {
		l.keys[j], l.refs[j] = k.key, k.suggestRef
	}
	return l
}

// maxScan bounds the work of a one-letter prefix.
const maxScan = 4000

// suggest returns up to n completions of prefix: taxonomy terms before
// names, the UI language's labels first, then matches at the start of the
// text before matches at a later word, shorter before longer.
func (l *suggestList) suggest(prefix, ui string, n int) []peerfind.Suggestion {
	p := peerfind.Fold(prefix)
	out := []peerfind.Suggestion{}
	if p == "" || n <= 0 {
		return out
	}
	i := sort.SearchStrings(l.keys, p)
	// Keep the best few candidates in order as the prefix's range is
	// scanned: a one-letter prefix has thousands.
	type cand struct {
		e          *suggestEntry
		rank, size int
	}
	less := func(a, b cand) bool {
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.size != b.size {
			return a.size < b.size
		}
		return a.e.s.Text < b.e.s.Text
	}
	keep := 4 * n
	best := make([]cand, 0, keep+1)
	for j := i; j < len(l.keys) && j-i < maxScan && strings.HasPrefix(l.keys[j], p); j++ {
		ref := l.refs[j]
		e := &l.entries[ref.i]
		rank := 0
		if e.s.Kind == peerfind.SuggestName {
			rank += 4
		} else if e.lang != ui {
			rank += 2
		}
		if ref.inner {
			rank += 8
		}
		if !e.label {
			rank++
		}
		c := cand{e, rank, e.runes}
		if len(best) == keep && !less(c, best[keep-1]) {
			continue
		}
		k := sort.Search(len(best), func(k int) bool { return less(c, best[k]) })
		best = append(best, cand{})
		copy(best[k+1:], best[k:])
		best[k] = c
		if len(best) > keep {
			best = best[:keep]
		}
	}
	seen := map[string]bool{}
	for _, c := range best {
		if seen[c.e.folded] {
			continue
		}
		seen[c.e.folded] = true
		out = append(out, c.e.s)
		if len(out) == n {
			break
		}
	}
	return out
}

// Suggest implements peerfind.Suggester from an in-memory list built on
// first use from the taxonomy and the names of the active records.
func (x *Index) Suggest(ctx context.Context, prefix, ui string, n int) ([]peerfind.Suggestion, error) {
	l, err := x.suggestions(ctx)
	if err != nil {
		return nil, err
	}
	return l.suggest(prefix, ui, min(n, MaxSuggestions)), nil
}

func (x *Index) suggestions(ctx context.Context) (*suggestList, error) {
	x.suggestOnce.Do(func() {
		names, err := x.names(ctx)
		if err != nil {
			x.suggestErr = err
			return
		}
		x.suggestList = newSuggestList(x.tax, names)
	})
	return x.suggestList, x.suggestErr
}

// names maps the name of every active record to its id, or to "" when
// several records share it (a meeting's name, say "Living Sober"). They
// are read from the names the build saved beside the index (names.json),
// or else from every record's stored name, which reads every stored
// document (at a million records, a gigabyte of the index left
// resident).
func (x *Index) names(ctx context.Context) (map[string]string, error) {
	saved, err := x.savedNames()
	if err != nil {
		return nil, err
	}
	if saved == nil {
		if saved, err = x.storedNames(ctx); err != nil {
			return nil, err
		}
	}
	// In id order, so that of names that fold alike, the same is kept
	// whichever way they were read.
	slices.SortFunc(saved.Names, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	names := map[string]string{}
	folded := map[string]string{}
	for _, n := range saved.Names {
		id, name := n[0], n[1]
		if name == "" {
			continue
		}
		k := peerfind.Fold(name)
		if prev, ok := folded[k]; ok {
			names[prev] = ""
			continue
		}
		folded[k] = name
		names[name] = id
	}
	return names, nil
}

// namesOfIndex are the names of the active records of an index, as
// [id, name] pairs, with the number of documents of the index they were
// taken from.
type namesOfIndex struct {
	Documents uint64      `json:"documents"`
	Names     [][2]string `json:"names"`
}

// suggestName is the name of a record in the type-ahead list: its name,
// or its other name when it has none.
func suggestName(name string) string {
	name, _, _ = strings.Cut(name, " · ")
	return strings.TrimSpace(name)
}

// writeNames saves the names of recs at path (a namesOfIndex), pair by
// pair: the build holds every record in memory, and a million names are
// tens of megabytes more.
func writeNames(path string, recs []*peerfind.Service) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("save names: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("save names: %w", cerr)
		}
	}()
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, `{"documents":%d,"names":[`, len(recs))
	sep := ""
	for _, s := range recs {
		if s.Status != statusActive {
			continue
		}
		b, err := json.Marshal([2]string{s.ID, suggestName(joinNonEmpty(s.Name, s.AlternateName))})
		if err != nil {
			return fmt.Errorf("save names: %w", err)
		}
		w.WriteString(sep)
		w.Write(b)
		sep = ","
	}
	w.WriteString("]}\n")
	if err := w.Flush(); err != nil {
		return fmt.Errorf("save names: %w", err)
	}
	return nil
}

// savedNames reads the names saved beside the index, or nil when there
// are none (an index built before they were) or they are not this
// index's.
func (x *Index) savedNames() (*namesOfIndex, error) {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(x.path), namesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("suggestions: %w", err)
	}
	var n namesOfIndex
	if err := json.Unmarshal(b, &n); err != nil {
		return nil, fmt.Errorf("suggestions: %s: %w", namesFile, err)
	}
	docs, err := x.idx.DocCount()
	if err != nil {
		return nil, fmt.Errorf("suggestions: %w", err)
	}
	if n.Documents != docs {
		return nil, nil // beside another index
	}
	return &n, nil
}

// storedNames reads the names of the active records from the index.
func (x *Index) storedNames(ctx context.Context) (*namesOfIndex, error) {
	t := query.NewTermQuery(statusActive)
	t.SetField(fieldStatus)
	out := &namesOfIndex{}
	err := x.eachDoc(ctx, t, []string{fieldName}, func(h *search.DocumentMatch) error {
		name, _ := h.Fields[fieldName].(string)
		out.Names = append(out.Names, [2]string{h.ID, suggestName(name)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("suggestions: read names: %w", err)
	}
	return out, nil
}

// suggestState is embedded in Index.
type suggestState struct {
	suggestOnce sync.Once
	suggestList *suggestList
	suggestErr  error
}

// Suggest completes prefix on the current generation (see Index.Suggest).
func (r *Reloader) Suggest(ctx context.Context, prefix, ui string, n int) (out []peerfind.Suggestion, err error) {
	err = r.with(func(x *Index) error {
		out, err = x.Suggest(ctx, prefix, ui, n)
		return err
	})
	return out, err
}

var _ peerfind.Suggester = (*Reloader)(nil)
