package peerfind

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// The facet ids of the taxonomy. Each is also the name of the search
// filter parameter and of the index field that holds its term ids.
const (
	FacetCategory   = "category"
	FacetSupport    = "support"
	FacetPopulation = "population"
	FacetCondition  = "condition"
	FacetAttendance = "attendance"
	FacetLanguage   = "lang"
	FacetCost       = "cost"
)

// Facets lists the facet ids in the order they are shown.
var Facets = []string{FacetCategory, FacetSupport, FacetPopulation, FacetCondition, FacetAttendance, FacetLanguage, FacetCost}

// Taxonomy is the peer-support vocabulary: for each facet (category,
// support type, population, condition, attendance, language, cost) its
// terms, with labels in English and Spanish, synonyms, and the raw terms of
// source data that map to them. It is data (data/taxonomy/taxonomy.json),
// loaded with LoadTaxonomy.
type Taxonomy struct {
	// Version identifies the taxonomy file's revision.
	Version string `json:"version"`
	// Facets are the dimensions, in display order.
	Facets []*Facet `json:"facets"`

	byFacet map[string]*Facet
	// codes maps a Meeting Guide type code to its terms.
	codes map[string][]TermRef
	// phrases are the match patterns, longest first.
	phrases []phrase
}

// Facet is one dimension of the taxonomy.
type Facet struct {
	// ID is the facet id, one of the Facet* constants.
	ID string `json:"id"`
	// Label is the facet's name by UI language ("en", "es").
	Label map[string]string `json:"label"`
	// Multi is true when a record may carry several terms of this facet.
	Multi bool `json:"multi"`
	// Terms are the facet's terms.
	Terms []*Term `json:"terms"`

	byID map[string]*Term
}

// Term is one term of a facet.
type Term struct {
	// ID is the stable term id used in records, filters and URLs.
	ID string `json:"id"`
	// Label is the display name by UI language ("en", "es").
	Label map[string]string `json:"label"`
	// Description explains the term in English, for curators and tooltips.
	Description string `json:"description,omitempty"`
	// Synonyms are other words people use for the term, by language. They
	// feed query expansion.
	Synonyms map[string][]string `json:"synonyms,omitempty"`
	// Matches are raw phrases in source data (names, descriptions, keyword
	// lists) that map a record to this term, matched case- and
	// accent-insensitively on word boundaries, e.g. "12-step", "warm line".
	Matches []string `json:"matches,omitempty"`
	// MeetingGuideTypes are the Meeting Guide type codes that map to this
	// term, e.g. "W" for women, "S" for Spanish.
	MeetingGuideTypes []string `json:"meeting_guide_types,omitempty"`
	// Implies are other terms ("facet:id") that a record with this term
	// also has, e.g. warmline implies support:emotional.
	Implies []string `json:"implies,omitempty"`
}

// TermRef names a term by facet and id.
type TermRef struct {
	Facet string
	ID    string
}

// String formats the reference as "facet:id".
func (r TermRef) String() string { return r.Facet + ":" + r.ID }

type phrase struct {
	foldedPhrase
	ref TermRef
	n   int
}

// foldedPhrase is a phrase to find in folded text: the folded phrase, a
// cheap substring test (most texts contain none), before its pattern
// (phrasePattern), which holds it to word boundaries.
type foldedPhrase struct {
	folded string
	re     *regexp.Regexp
}

func newFoldedPhrase(m string) (foldedPhrase, error) {
	re, err := phrasePattern(m)
	return foldedPhrase{folded: Fold(m), re: re}, err
}

// in reports whether the phrase is in s, a folded text.
func (p foldedPhrase) in(s string) bool {
	return strings.Contains(s, p.folded) && p.re.MatchString(s)
}

// LoadTaxonomy reads and checks a taxonomy file.
func LoadTaxonomy(r io.Reader) (*Taxonomy, error) {
	var t Taxonomy
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("decode taxonomy: %w", err)
	}
	if err := t.init(); err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}
	return &t, nil
}

func (t *Taxonomy) init() error {
	t.byFacet = map[string]*Facet{}
	t.codes = map[string][]TermRef{}
	for _, f := range t.Facets {
		if !contains(Facets, f.ID) {
			return fmt.Errorf("unknown facet %q", f.ID)
		}
		if t.byFacet[f.ID] != nil {
			return fmt.Errorf("facet %q defined twice", f.ID)
		}
		if f.Label["en"] == "" || f.Label["es"] == "" {
			return fmt.Errorf("facet %q needs en and es labels", f.ID)
		}
		t.byFacet[f.ID] = f
		f.byID = map[string]*Term{}
		for _, term := range f.Terms {
			if !validID(term.ID) {
				return fmt.Errorf("facet %q: bad term id %q", f.ID, term.ID)
			}
			if f.byID[term.ID] != nil {
				return fmt.Errorf("facet %q: term %q defined twice", f.ID, term.ID)
			}
			if term.Label["en"] == "" || term.Label["es"] == "" {
				return fmt.Errorf("term %s:%s needs en and es labels", f.ID, term.ID)
			}
			f.byID[term.ID] = term
			ref := TermRef{f.ID, term.ID}
			for _, c := range term.MeetingGuideTypes {
				t.codes[c] = append(t.codes[c], ref)
			}
			for _, m := range term.Matches {
				p, err := newFoldedPhrase(m)
				if err != nil {
					return fmt.Errorf("term %s: match %q: %w", ref, m, err)
				}
				t.phrases = append(t.phrases, phrase{foldedPhrase: p, ref: ref, n: len(m)})
			}
		}
	}
	for _, id := range Facets {
		if t.byFacet[id] == nil {
			return fmt.Errorf("facet %q is missing", id)
		}
	}
	// Check implications only once every term is known.
	for _, f := range t.Facets {
		for _, term := range f.Terms {
			for _, imp := range term.Implies {
				ref, ok := ParseTermRef(imp)
				if !ok || t.Term(ref.Facet, ref.ID) == nil {
					return fmt.Errorf("term %s:%s implies unknown term %q", f.ID, term.ID, imp)
				}
			}
		}
	}
	sort.SliceStable(t.phrases, func(i, j int) bool { return t.phrases[i].n > t.phrases[j].n })
	return nil
}

// ParseTermRef parses "facet:id".
func ParseTermRef(s string) (TermRef, bool) {
	f, id, ok := strings.Cut(s, ":")
	if !ok || f == "" || id == "" {
		return TermRef{}, false
	}
	return TermRef{f, id}, true
}

func phrasePattern(m string) (*regexp.Regexp, error) {
	m = Fold(m)
	if m == "" {
		return nil, fmt.Errorf("empty")
	}
	// Word boundaries that also work next to punctuation such as "12-step"
	// or "al-anon": the phrase must not touch a letter or digit.
	return regexp.Compile(`(^|[^\p{L}\p{N}])` + regexp.QuoteMeta(m) + `($|[^\p{L}\p{N}])`)
}

// Facet returns the facet with the id, or nil.
func (t *Taxonomy) Facet(id string) *Facet { return t.byFacet[id] }

// Term returns the term of a facet, or nil when there is none.
func (t *Taxonomy) Term(facet, id string) *Term {
	f := t.byFacet[facet]
	if f == nil {
		return nil
	}
	return f.byID[id]
}

// Term returns the facet's term with the id, or nil.
func (f *Facet) Term(id string) *Term { return f.byID[id] }

// Resolve finds the facet's term for what a person or a link may give as a
// filter value: the term id, or (case- and accent-insensitively) one of its
// labels or synonyms, so "lang=Spanish" and "lang=español" mean "lang=es".
// It returns nil when nothing fits.
func (f *Facet) Resolve(s string) *Term {
	if t := f.byID[s]; t != nil {
		return t
	}
	k := Fold(s)
	if k == "" {
		return nil
	}
	if t := f.byID[k]; t != nil {
		return t
	}
	for _, t := range f.Terms {
		for _, l := range t.Label {
			if Fold(l) == k {
				return t
			}
		}
	}
	for _, t := range f.Terms {
		for _, syns := range t.Synonyms {
			for _, syn := range syns {
				if Fold(syn) == k {
					return t
				}
			}
		}
	}
	return nil
}

// LabelFor returns the term's label in the UI language, falling back to
// English.
func (t *Term) LabelFor(lang string) string {
	if s := t.Label[lang]; s != "" {
		return s
	}
	return t.Label["en"]
}

// LabelFor returns the facet's label in the UI language, falling back to
// English.
func (f *Facet) LabelFor(lang string) string {
	if s := f.Label[lang]; s != "" {
		return s
	}
	return f.Label["en"]
}

// MeetingGuideType returns the terms a Meeting Guide type code maps to.
// Codes are case-sensitive, as in the Meeting Guide spec.
func (t *Taxonomy) MeetingGuideType(code string) []TermRef {
	return t.codes[strings.TrimSpace(code)]
}

// Classify returns the terms whose match phrases occur in the texts,
// without duplicates, in taxonomy order of discovery.
func (t *Taxonomy) Classify(texts ...string) []TermRef {
	var out []TermRef
	seen := map[TermRef]bool{}
	for _, s := range texts {
		s = Fold(s)
		if s == "" {
			continue
		}
		for _, p := range t.phrases {
			if !seen[p.ref] && p.in(s) {
				seen[p.ref] = true
				out = append(out, p.ref)
			}
		}
	}
	return out
}

// Apply adds the terms to the record's fields, follows the terms'
// implications, and keeps each list free of duplicates.
func (t *Taxonomy) Apply(s *Service, refs ...TermRef) {
	queue := append([]TermRef(nil), refs...)
	seen := map[TermRef]bool{}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		if seen[r] {
			continue
		}
		seen[r] = true
		term := t.Term(r.Facet, r.ID)
		if term == nil {
			continue
		}
		s.AddTerm(r.Facet, r.ID)
		for _, imp := range term.Implies {
			if ref, ok := ParseTermRef(imp); ok {
				queue = append(queue, ref)
			}
		}
	}
}

// termList returns the record's list field for a multi-valued facet, or
// nil for cost (a single value) and unknown facets. It is the one place
// that maps facet ids to fields.
func (s *Service) termList(facet string) *[]string {
	switch facet {
	case FacetCategory:
		return &s.Categories
	case FacetSupport:
		return &s.SupportTypes
	case FacetPopulation:
		return &s.Populations
	case FacetCondition:
		return &s.Conditions
	case FacetAttendance:
		return &s.Attendance
	case FacetLanguage:
		return &s.Languages
	}
	return nil
}

// TermIDs returns the record's term ids for a facet.
func (s *Service) TermIDs(facet string) []string {
	if l := s.termList(facet); l != nil {
		return *l
	}
	if facet == FacetCost && s.Cost != "" {
		return []string{s.Cost}
	}
	return nil
}

// AddTerm adds a term id to the record's field for the facet, once; for
// cost, it sets the cost when none is set. Unknown facets are ignored.
func (s *Service) AddTerm(facet, id string) {
	if l := s.termList(facet); l != nil {
		if !contains(*l, id) {
			*l = append(*l, id)
		}
		return
	}
	if facet == FacetCost && s.Cost == "" {
		s.Cost = id
	}
}

// Fold lower-cases s, removes accents and collapses white space, so that
// "Depresión  " and "depresion" compare equal.
func Fold(s string) string {
	if isASCII(s) {
		return foldASCII(s)
	}
	// A transform.Chain keeps state (transform.String resets it), so
	// each call takes one of its own from the pool. Made per call, the
	// chain and its buffers were most of what opening a million records
	// allocated (their names are folded for the type-ahead list).
	chain := foldChains.Get().(transform.Transformer)
	defer foldChains.Put(chain)
	out, _, err := transform.String(chain, s)
	if err != nil {
		out = s
	}
	return strings.Join(strings.Fields(strings.ToLower(out)), " ")
}

var foldChains = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldASCII is Fold for ASCII text, which has no accents to remove: s
// itself when it is folded already.
func foldASCII(s string) string {
	folded := true
	for i := 0; i < len(s) && folded; i++ {
		c := s[i]
		folded = !('A' <= c && c <= 'Z') && !asciiSpace(c) || c == ' ' && i > 0 && i+1 < len(s) && s[i+1] != ' '
	}
	if folded {
		return s
	}
	b := make([]byte, 0, len(s))
	gap := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if asciiSpace(c) {
			gap = len(b) > 0
			continue
		}
		if gap {
			b = append(b, ' ')
			gap = false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

// asciiSpace is unicode.IsSpace for an ASCII byte.
func asciiSpace(c byte) bool {
	return c == ' ' || '\t' <= c && c <= '\r'
}

// ClassifyFacet is Classify limited to the terms of one facet, for fields
// that speak of one thing only (a language list, a fees text).
func (t *Taxonomy) ClassifyFacet(facet string, texts ...string) []TermRef {
	var out []TermRef
	for _, r := range t.Classify(texts...) {
		if r.Facet == facet {
			out = append(out, r)
		}
	}
	return out
}

// EditDistance is the optimal string alignment distance between a and b:
// Levenshtein, with a transposition of neighbours ("greif") as one edit. Matching code (typo tolerance, "did you mean")
// shares it.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
