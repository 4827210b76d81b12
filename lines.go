package peerfind

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
)

// NationalLines are the national phone, text and online lines a search
// answer offers when nothing nearby fits: data (data/lines/national.json),
// loaded with LoadNationalLines.
type NationalLines struct {
	// Version identifies the list's revision (the date it was compiled).
	Version string `json:"version"`
	// Review says how the list is kept; for curators.
	Review string `json:"review"`
	// Lines are the lines, in the order to show when equally fitting.
	Lines []NationalLine `json:"lines"`
}

// NationalLine is one national line.
type NationalLine struct {
	// ID identifies the line in the list.
	ID string `json:"id"`
	// Name, Description and Hours are by language ("en", "es").
	Name        map[string]string `json:"name"`
	Description map[string]string `json:"description,omitempty"`
	Hours       map[string]string `json:"hours,omitempty"`
	// Phone is the number to call, SMS the number to text.
	Phone string `json:"phone,omitempty"`
	SMS   string `json:"sms,omitempty"`
	// URL is the line's page.
	URL string `json:"url,omitempty"`
	// Languages the line answers in.
	Languages []string `json:"languages,omitempty"`
	// Conditions, Populations and Categories are the taxonomy terms the
	// line is for; a line without populations is for everyone.
	Conditions  []string `json:"conditions,omitempty"`
	Populations []string `json:"populations,omitempty"`
	Categories  []string `json:"categories,omitempty"`
	// Source is where the line publishes its number and hours.
	Source string `json:"source"`
}

// LoadNationalLines reads and checks the list.
func LoadNationalLines(r io.Reader) (*NationalLines, error) {
	var l NationalLines
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("read national lines: %w", err)
	}
	seen := map[string]bool{}
	for i, line := range l.Lines {
		switch {
		case line.ID == "" || seen[line.ID]:
			return nil, fmt.Errorf("national line %d: missing or repeated id %q", i, line.ID)
		case line.Name["en"] == "":
			return nil, fmt.Errorf("national line %q: no English name", line.ID)
		case line.Phone == "" && line.SMS == "" && line.URL == "":
			return nil, fmt.Errorf("national line %q: no phone, text number or URL", line.ID)
		case line.Source == "":
			return nil, fmt.Errorf("national line %q: no source", line.ID)
		}
		seen[line.ID] = true
	}
	return &l, nil
}

// For picks at most n lines for a search: those whose terms match the
// wanted ones (filters, and terms the query's words name), most matches
// first, a population line only when its population is wanted; then the
// general mental-health lines (for everyone, or for mental health) to
// fill up.
func (l *NationalLines) For(wanted []TermRef, n int) []NationalLine {
	if l == nil || n <= 0 {
		return nil
	}
	has := func(facet string, ids []string) int {
		c := 0
		for _, w := range wanted {
			if w.Facet == facet && slices.Contains(ids, w.ID) {
				c++
			}
		}
		return c
	}
	type scored struct {
		line  NationalLine
		score int
	}
	var picks []scored
	for _, line := range l.Lines {
		pop := has(FacetPopulation, line.Populations)
		if len(line.Populations) > 0 && pop == 0 {
			continue
		}
		score := 2*pop + has(FacetCondition, line.Conditions) + has(FacetCategory, line.Categories)
		general := len(line.Populations) == 0 && (len(line.Conditions) == 0 || slices.Contains(line.Conditions, "mental-health"))
		if score == 0 && !general {
			continue
		}
		picks = append(picks, scored{line, score})
	}
	sort.SliceStable(picks, func(i, j int) bool { return picks[i].score > picks[j].score })
	var out []NationalLine
	for _, p := range picks[:min(n, len(picks))] {
		out = append(out, p.line)
	}
	return out
}

// Text returns m's text in lang, else in English.
func Text(m map[string]string, lang string) string {
	if s := m[lang]; s != "" {
		return s
	}
	return m["en"]
}
