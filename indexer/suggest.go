package indexer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
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
//
// It holds no pointers but its one string: at a million records it has
// three million keys of a million texts, and as strings and structs of
// strings the collector walked them all at every cycle. Under eight
// clients that was a quarter of searchd's time (docs/performance.md).
type suggestList struct {
	// blob is every entry's text, id and folded text, one after another.
	blob    string
	entries []suggestEntry
	// refs are the keys, sorted: each is an entry's folded text from
	// one of its words on.
	refs []suggestRef
	// kinds, facets and langs are the few values of the entries' kind,
	// facet and language, which the entries index.
	kinds, facets, langs []string
}

// suggestRef is a key: the entry and where in its folded text the key
// starts (after 0, at a later word).
type suggestRef struct {
	i  int32
	at uint32
}

// suggestEntry is a text of the list, its parts in the blob.
type suggestEntry struct {
	// off is where the text starts in the blob; its id and its folded
	// text (for removing duplicates) follow, of lengths text, id and
	// folded.
	off              int
	text, id, folded uint32
	// runes is the text's length in characters.
	runes int32
	// kind, facet and lang (the language of a taxonomy label or synonym,
	// "" for names) index the list's kinds, facets and langs.
	kind, facet, lang uint8
	// label is true for a term's label (not a synonym).
	label bool
}

// code is the index of v in *values, added if new. A list has a few
// kinds, facets and languages; past 256 (none are) they would share the
// last code.
func code(values *[]string, v string) uint8 {
	if i := slices.Index(*values, v); i >= 0 {
		return uint8(i)
	}
	if len(*values) > math.MaxUint8 {
		return math.MaxUint8
	}
	*values = append(*values, v)
	return uint8(len(*values) - 1)
}

// folded is the folded text of entry e.
func (l *suggestList) folded(e *suggestEntry) string {
	at := e.off + int(e.text) + int(e.id)
	return l.blob[at : at+int(e.folded)]
}

// key is the j-th key.
func (l *suggestList) key(j int) string {
	r := l.refs[j]
	f := l.folded(&l.entries[r.i])
	return f[r.at:]
}

// text is the text of entry e.
func (l *suggestList) text(e *suggestEntry) string {
	return l.blob[e.off : e.off+int(e.text)]
}

// suggestion is entry e as a suggestion; its strings are the blob's.
func (l *suggestList) suggestion(e *suggestEntry) peerfind.Suggestion {
	id := l.blob[e.off+int(e.text) : e.off+int(e.text)+int(e.id)]
	return peerfind.Suggestion{Text: l.text(e), Kind: l.kinds[e.kind], Facet: l.facets[e.facet], ID: id}
}

// maxNameWords is how many word starts of a name are keys: "Alcoholics
// Anonymous Big Book" is found from "alc", "anon" and "big".
const maxNameWords = 6

func newSuggestList(tax *peerfind.Taxonomy, names map[string]string) *suggestList {
	l := &suggestList{}
	var blob strings.Builder
	add := func(s peerfind.Suggestion, lang string, label bool) {
		words := strings.Fields(peerfind.Fold(s.Text))
		folded := strings.Join(words, " ")
		e := suggestEntry{
			off:    blob.Len(),
			text:   uint32(len(s.Text)),
			id:     uint32(len(s.ID)),
			folded: uint32(len(folded)),
			runes:  int32(utf8.RuneCountInString(s.Text)),
			kind:   code(&l.kinds, s.Kind),
			facet:  code(&l.facets, s.Facet),
			lang:   code(&l.langs, lang),
			label:  label,
		}
		blob.WriteString(s.Text)
		blob.WriteString(s.ID)
		blob.WriteString(folded)
		i := int32(len(l.entries))
		l.entries = append(l.entries, e)
		at := 0
		for w := 0; w < len(words) && w < maxNameWords; w++ {
			l.refs = append(l.refs, suggestRef{i, uint32(at)})
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
				add(s, lang, true)
				for _, syn := range t.Synonyms[lang] {
					s.Text = syn
					add(s, lang, false)
				}
			}
		}
	}
	for name, id := range names {
		add(peerfind.Suggestion{Text: name, Kind: peerfind.SuggestName, ID: id}, "", false)
	}
	l.blob = blob.String()
	slices.SortStableFunc(l.refs, func(a, b suggestRef) int {
		fa, fb := l.folded(&l.entries[a.i]), l.folded(&l.entries[b.i])
		return strings.Compare(fa[a.at:], fb[b.at:])
	})
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
	i := sort.Search(len(l.refs), func(j int) bool { return l.key(j) >= p })
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
		return l.text(a.e) < l.text(b.e)
	}
	keep := 4 * n
	best := make([]cand, 0, keep+1)
	for j := i; j < len(l.refs) && j-i < maxScan && strings.HasPrefix(l.key(j), p); j++ {
		ref := l.refs[j]
		e := &l.entries[ref.i]
		rank := 0
		if l.kinds[e.kind] == peerfind.SuggestName {
			rank += 4
		} else if l.langs[e.lang] != ui {
			rank += 2
		}
		if ref.at > 0 {
			rank += 8
		}
		if !e.label {
			rank++
		}
		c := cand{e, rank, int(e.runes)}
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
		f := l.folded(c.e)
		if seen[f] {
			continue
		}
		seen[f] = true
		out = append(out, l.suggestion(c.e))
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
