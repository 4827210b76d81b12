package searchd

import (
	"fmt"
	"net/http"

	"github.com/peerfind/peerfind"
)

// Limits of the suggest endpoint.
const (
	maxSuggestions     = 8
	maxSuggestQueryLen = 100 // characters of q
)

// SuggestResponse is the answer of GET /api/v1/suggest.
type SuggestResponse struct {
	// Query is q as typed, with white space collapsed.
	Query string `json:"query"`
	// Suggestions are at most 8 completions, best first; never null.
	Suggestions []peerfind.Suggestion `json:"suggestions"`
}

// handleSuggest handles the "GET /api/v1/suggest" route: type-ahead
// completions of q from the taxonomy's categories and needs (labels and
// synonyms, English and Spanish, the ui language first) and the services'
// names. It answers in well under a millisecond in process, to be called
// on every keystroke. A Searcher that is not a peerfind.Suggester gets no
// suggestions.
func (s *Server) handleSuggest(w http.ResponseWriter, r *http.Request) {
	v, err := parseRawQuery(r.URL.RawQuery, []string{"q", "ui"})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	single := singleParam(v)
	q, err := typeAheadParam(single, maxSuggestQueryLen)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ui, err := uiParam(single)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := SuggestResponse{Query: q, Suggestions: []peerfind.Suggestion{}}
	if sg, ok := s.Searcher.(peerfind.Suggester); ok && q != "" {
		ctx, cancel := s.withTimeout(r.Context())
		defer cancel()
		list, err := sg.Suggest(ctx, q, ui, maxSuggestions)
		if err != nil {
			s.writeError(w, r, fmt.Errorf("suggest: %w", err), q)
			return
		}
		resp.Suggestions = append(resp.Suggestions, list[:min(len(list), maxSuggestions)]...)
	}
	s.writeJSON(w, r, http.StatusOK, resp, "public, max-age=300")
}
