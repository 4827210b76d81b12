package searchd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/peerfind/peerfind"
)

// suggestingSearcher adds type-ahead to the fake searcher: n numbered
// suggestions of the prefix, labelled in the ui language.
type suggestingSearcher struct {
	*fakeSearcher
	gotPrefix, gotUI string
}

func (s *suggestingSearcher) Suggest(ctx context.Context, prefix, ui string, n int) ([]peerfind.Suggestion, error) {
	s.gotPrefix, s.gotUI = prefix, ui
	var out []peerfind.Suggestion
	for i := range 20 { // more than asked: the server caps them
		out = append(out, peerfind.Suggestion{Text: fmt.Sprintf("%s %s %d", prefix, ui, i), Kind: peerfind.SuggestName})
	}
	return out, nil
}

func TestSuggest(t *testing.T) {
	var sg *suggestingSearcher
	e := newTestEnv(t, func(s *Server) {
		sg = &suggestingSearcher{fakeSearcher: s.Searcher.(*fakeSearcher)}
		s.Searcher = sg
	})
	w := e.do("GET", "/api/v1/suggest?q=++gri%C3%A9f++gr&ui=es")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var got SuggestResponse
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Query != "griéf gr" || sg.gotPrefix != "griéf gr" || sg.gotUI != "es" {
		t.Errorf("query %q, searcher got %q in %q", got.Query, sg.gotPrefix, sg.gotUI)
	}
	if len(got.Suggestions) != maxSuggestions {
		t.Errorf("%d suggestions, want %d", len(got.Suggestions), maxSuggestions)
	}
	if !strings.Contains(w.Body.String(), `"kind":"name"`) {
		t.Errorf("body %s lacks a kind", w.Body)
	}

	for _, tc := range []struct {
		target string
		status int
		body   string
	}{
		{"/api/v1/suggest", 200, `{"query":"","suggestions":[]}`},
		{"/api/v1/suggest?q=", 200, `{"query":"","suggestions":[]}`},
		{"/api/v1/suggest?q=a&ui=fr", 400, `"param":"ui"`},
		{"/api/v1/suggest?query=a", 400, `"code":"unknown_parameter"`},
		{"/api/v1/suggest?q=a&q=b", 400, `"param":"q"`},
		{"/api/v1/suggest?q=" + strings.Repeat("a", maxSuggestQueryLen+1), 400, `"param":"q"`},
	} {
		w := e.do("GET", tc.target)
		if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.body) {
			t.Errorf("%s: %d %s; want %d with %s", tc.target, w.Code, w.Body, tc.status, tc.body)
		}
	}
}

func TestSuggestWithoutSuggester(t *testing.T) {
	e := newTestEnv(t)
	w := e.do("GET", "/api/v1/suggest?q=grief")
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"query":"grief","suggestions":[]}` {
		t.Errorf("%d %s; want 200 and no suggestions", w.Code, w.Body)
	}
}
