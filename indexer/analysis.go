package indexer

import (
	"fmt"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// cachedAnalyzerType is a bleve analyzer type that is a custom analyzer
// (the same config as bleve's "custom" type) and remembers the tokens of the texts it
// is told to (see remember): the labels and synonyms of the taxonomy's
// terms, which a build would otherwise analyze again for every record
// that carries them — most of a record's text.
const cachedAnalyzerType = "peerfind_cached"

func init() {
	registry.RegisterAnalyzer(cachedAnalyzerType, func(config map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
		inner, err := custom.AnalyzerConstructor(config, cache)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cachedAnalyzerType, err)
		}
		return &cachedAnalyzer{inner: inner}, nil
	})
}

type cachedAnalyzer struct {
	inner analysis.Analyzer
	// known maps a remembered text to its tokens; replaced whole by
	// remember, read without locks.
	known atomic.Pointer[map[string]analysis.TokenStream]
}

// Analyze returns the remembered tokens of text, or analyzes it. The
// remembered tokens are shared: bleve reads the tokens of a field's text
// into its own frequencies and never changes them.
func (a *cachedAnalyzer) Analyze(text []byte) analysis.TokenStream {
	if m := a.known.Load(); m != nil {
		if ts, ok := (*m)[string(text)]; ok {
			return ts
		}
	}
	return a.inner.Analyze(text)
}

// remember analyzes the texts once and keeps their tokens.
func (a *cachedAnalyzer) remember(texts []string) {
	m := map[string]analysis.TokenStream{}
	if old := a.known.Load(); old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	for _, t := range texts {
		if _, ok := m[t]; !ok {
			m[t] = a.inner.Analyze([]byte(t))
		}
	}
	a.known.Store(&m)
}

// rememberTexts has the cached analyzers of m remember texts.
func rememberTexts(m mapping.IndexMapping, texts []string) {
	for _, name := range []string{analyzerText, analyzerES} {
		if a, ok := m.AnalyzerNamed(name).(*cachedAnalyzer); ok {
			a.remember(texts)
		}
	}
}
