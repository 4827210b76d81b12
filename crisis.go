package peerfind

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Crisis is the reviewed list of words that signal a crisis or danger in a
// search, with the crisis lines to show first, by language. It is data
// (data/crisis/crisis.json), loaded with LoadCrisis.
type Crisis struct {
	// Version identifies the list's revision.
	Version string `json:"version"`
	// Review says how the list is kept; for curators.
	Review string `json:"review"`
	// Languages maps an ISO 639-1 code to that language's block.
	Languages map[string]*CrisisBlock `json:"languages"`

	langs []string // sorted, English first
}

// CrisisBlock is what a search answer shows first when its query signals
// a crisis, in one language.
type CrisisBlock struct {
	// Title is the block's heading.
	Title string `json:"title"`
	// Message is one or two sentences to the person searching.
	Message string `json:"message"`
	// GentleTitle and GentleMessage replace Title and Message when the
	// query names the topic rather than a danger ("suicide loss survivors
	// group"): the lines are still shown, quietly.
	GentleTitle   string `json:"gentle_title"`
	GentleMessage string `json:"gentle_message"`
	// Lines are the crisis lines, most important first.
	Lines []CrisisLine `json:"lines"`
	// Signals are the phrases that mark a query as a crisis.
	Signals []string `json:"signals,omitempty"`
	// NotCrisis are phrases that contain a signal but are not a crisis
	// ("suicide loss survivors group"); they are removed before matching.
	NotCrisis []string `json:"not_crisis,omitempty"`

	signals, not []foldedPhrase // found as the taxonomy finds its phrases
}

// CrisisLine is one crisis line.
type CrisisLine struct {
	// Name is the line's name, e.g. "988 Suicide & Crisis Lifeline".
	Name string `json:"name"`
	// Phone is the number to call.
	Phone string `json:"phone,omitempty"`
	// SMS is the number to text.
	SMS string `json:"sms,omitempty"`
	// URL is the line's chat or web page.
	URL string `json:"url,omitempty"`
	// URLLabel is the link text for URL.
	URLLabel string `json:"url_label,omitempty"`
}

// LoadCrisis reads and checks a crisis file.
func LoadCrisis(r io.Reader) (*Crisis, error) {
	var c Crisis
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decode crisis list: %w", err)
	}
	if c.Languages["en"] == nil {
		return nil, fmt.Errorf("crisis list: no English block")
	}
	for lang, b := range c.Languages {
		if b.Title == "" || b.Message == "" || b.GentleTitle == "" || b.GentleMessage == "" || len(b.Lines) == 0 || len(b.Signals) == 0 {
			return nil, fmt.Errorf("crisis list: %s needs a title, message, gentle title and message, lines and signals", lang)
		}
		for _, l := range b.Lines {
			if l.Name == "" || (l.Phone == "" && l.SMS == "" && l.URL == "") {
				return nil, fmt.Errorf("crisis list: %s: a line needs a name and a way to reach it", lang)
			}
			if l.URL != "" && !isHTTPURL(l.URL) {
				return nil, fmt.Errorf("crisis list: %s: %q is not an http(s) URL", lang, l.URL)
			}
		}
		for _, s := range b.Signals {
			p, err := newFoldedPhrase(s)
			if err != nil {
				return nil, fmt.Errorf("crisis list: %s signal %q: %w", lang, s, err)
			}
			b.signals = append(b.signals, p)
		}
		for _, s := range b.NotCrisis {
			p, err := newFoldedPhrase(s)
			if err != nil {
				return nil, fmt.Errorf("crisis list: %s exclusion %q: %w", lang, s, err)
			}
			b.not = append(b.not, p)
		}
		c.langs = append(c.langs, lang)
	}
	sort.Slice(c.langs, func(i, j int) bool {
		if (c.langs[i] == "en") != (c.langs[j] == "en") {
			return c.langs[i] == "en"
		}
		return c.langs[i] < c.langs[j]
	})
	return &c, nil
}

// Detect reports whether text signals a crisis, how urgently, and in which
// language to answer. A signal outside the exclusions is urgent ("I want
// to die", "quiero morir"); a signal only inside an exclusion ("suicide
// loss survivors group") is gentle: the person is looking for peer
// support about the topic, and the lines are shown quietly. The answer's
// language is the one with the most signals of its own in the text; a word
// two languages share ("crisis") answers in hint (the UI language) when it
// is one of them, else English.
func (c *Crisis) Detect(text, hint string) (lang string, gentle, ok bool) {
	folded := " " + Fold(text) + " "
	if strings.TrimSpace(folded) == "" {
		return "", false, false
	}
	s := folded
	for _, l := range c.langs {
		for _, p := range c.Languages[l].not {
			if strings.Contains(s, p.folded) {
				s = p.re.ReplaceAllString(s, " · ")
			}
		}
	}
	if lang, ok := c.detect(s, hint); ok {
		return lang, false, true
	}
	if lang, ok := c.detect(folded, hint); ok {
		return lang, true, true
	}
	return "", false, false
}

func (c *Crisis) detect(s, hint string) (string, bool) {
	best, bestOwn := "", -1
	for _, l := range c.langs {
		b := c.Languages[l]
		matched, own := false, 0
		for i, p := range b.signals {
			if !p.in(s) {
				continue
			}
			matched = true
			if !c.shared(l, b.Signals[i]) {
				own++
			}
		}
		if !matched {
			continue
		}
		if own > bestOwn || (own == bestOwn && l == hint) {
			best, bestOwn = l, own
		}
	}
	return best, best != ""
}

// shared reports whether another language lists the same signal.
func (c *Crisis) shared(lang, signal string) bool {
	f := Fold(signal)
	for l, b := range c.Languages {
		if l == lang {
			continue
		}
		for _, s := range b.Signals {
			if Fold(s) == f {
				return true
			}
		}
	}
	return false
}

// Block returns the crisis block for a language, falling back to English.
func (c *Crisis) Block(lang string) *CrisisBlock {
	if b := c.Languages[lang]; b != nil {
		return b
	}
	return c.Languages["en"]
}
