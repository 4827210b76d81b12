package crawler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/peerfind/peerfind/crawler/extract"
)

// The sources file lists what the crawler visits. It is YAML (.yaml,
// .yml) or JSON (.json) with this shape:
//
//	sources:
//	  - name: AA Santa Clara County      # publisher; required, unique
//	    seeds:                          # start URLs; required, http(s)
//	      - https://aasanjose.org/wp-admin/admin-ajax.php?action=meetings
//	    kind: meeting-guide             # json-ld, microdata, meeting-guide,
//	                                    # hsds, rules; empty = auto-detect
//	    allowed_hosts: [aasanjose.org]  # hosts links may lead to; default:
//	                                    # the seeds' hosts; "*.x.org" allows
//	                                    # subdomains
//	    max_depth: 0                    # link hops from a seed (0 = seeds and
//	                                    # the URLs their content says to
//	                                    # follow, such as HSDS next pages)
//	    max_pages: 500                  # pages per host; default 1000
//	    delay: 2s                       # between requests to one host;
//	                                    # default 1s
//	    license: "..."                  # terms, copied into provenance
//	    attribution: "..."              # credit line, copied likewise
//	    peer_only: true                 # false for general 211-style data
//	    rules:                          # CSS rules for kind "rules"
//	      item: "div.group"
//	      fields: {name: "h3", schedule: ".when"}
//
// Durations are Go durations ("1500ms", "2s") or a number of seconds.
type sourcesFile struct {
	Sources []Source `json:"sources" yaml:"sources"`
}

// Source is one entry of the sources file: a publisher and how to crawl it.
type Source struct {
	// Name names the publisher; it goes into each record's provenance.
	Name string `json:"name" yaml:"name"`
	// Seeds are the URLs the crawl of this source starts from.
	Seeds []string `json:"seeds" yaml:"seeds"`
	// Kind is the extract kind of the source's pages, or empty for
	// auto-detection.
	Kind string `json:"kind,omitempty" yaml:"kind,omitempty"`
	// AllowedHosts are the host names (without port) links may lead to;
	// "*.example.org" also allows subdomains. Empty means the seeds' hosts.
	AllowedHosts []string `json:"allowed_hosts,omitempty" yaml:"allowed_hosts,omitempty"`
	// MaxDepth is how many link hops from a seed are followed.
	MaxDepth int `json:"max_depth,omitempty" yaml:"max_depth,omitempty"`
	// MaxPages bounds the pages fetched per host for this source; 0 means
	// DefaultMaxPages.
	MaxPages int `json:"max_pages,omitempty" yaml:"max_pages,omitempty"`
	// Delay is the pause between two requests to one host; 0 means
	// DefaultDelay. Hosts shared by several sources use the longest.
	Delay Duration `json:"delay,omitempty" yaml:"delay,omitempty"`
	// License and Attribution go into each record's provenance.
	License     string `json:"license,omitempty" yaml:"license,omitempty"`
	Attribution string `json:"attribution,omitempty" yaml:"attribution,omitempty"`
	// PeerOnly is false for general human-service sources, whose records
	// are kept only when classified as peer support.
	PeerOnly bool `json:"peer_only,omitempty" yaml:"peer_only,omitempty"`
	// Rules are CSS-selector rules for kind "rules".
	Rules *extract.Rules `json:"rules,omitempty" yaml:"rules,omitempty"`
}

// Defaults for Source fields left zero.
const (
	DefaultMaxPages = 1000
	DefaultDelay    = time.Second
)

// Duration is a time.Duration read from "2s"-style strings or a number
// of seconds.
type Duration time.Duration

// UnmarshalJSON reads a duration string or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	return d.set(v)
}

// UnmarshalYAML reads a duration string or a number of seconds.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var v any
	if err := n.Decode(&v); err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	return d.set(v)
}

func (d *Duration) set(v any) error {
	switch x := v.(type) {
	case string:
		t, err := time.ParseDuration(x)
		if err != nil {
			return fmt.Errorf("duration: %w", err)
		}
		*d = Duration(t)
	case float64:
		*d = Duration(x * float64(time.Second))
	case int:
		*d = Duration(time.Duration(x) * time.Second)
	default:
		return fmt.Errorf("duration: want a string such as \"2s\" or seconds, got %v", v)
	}
	if *d < 0 {
		return errors.New("duration: negative")
	}
	return nil
}

// LoadSources reads a sources file (YAML or JSON by extension; YAML
// otherwise) and checks every entry.
func LoadSources(path string) ([]Source, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	var f sourcesFile
	if strings.EqualFold(filepath.Ext(path), ".json") {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err = dec.Decode(&f)
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		err = dec.Decode(&f)
	}
	if err != nil {
		return nil, fmt.Errorf("parse sources %s: %w", path, err)
	}
	names := map[string]bool{}
	for i := range f.Sources {
		s := &f.Sources[i]
		if err := s.check(); err != nil {
			return nil, fmt.Errorf("sources %s: entry %d: %w", path, i+1, err)
		}
		if names[s.Name] {
			return nil, fmt.Errorf("sources %s: entry %d: name %q used twice", path, i+1, s.Name)
		}
		names[s.Name] = true
	}
	return f.Sources, nil
}

var kinds = []string{extract.KindAuto, extract.KindJSONLD, extract.KindMicrodata,
	extract.KindMeetingGuide, extract.KindHSDS, extract.KindRules}

// check validates the source and fills in defaults.
func (s *Source) check() error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return errors.New("source needs a name")
	}
	if len(s.Seeds) == 0 {
		return fmt.Errorf("source %q: no seeds", s.Name)
	}
	ok := false
	for _, k := range kinds {
		ok = ok || k == s.Kind
	}
	if !ok {
		return fmt.Errorf("source %q: unknown kind %q", s.Name, s.Kind)
	}
	if s.Kind == extract.KindRules && (s.Rules == nil || s.Rules.Item == "") {
		return fmt.Errorf("source %q: kind rules needs rules.item", s.Name)
	}
	for _, seed := range s.Seeds {
		u, err := url.Parse(seed)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
			return fmt.Errorf("source %q: seed %q is not an http(s) URL", s.Name, seed)
		}
		if !s.allowsHost(u.Hostname()) {
			s.AllowedHosts = append(s.AllowedHosts, strings.ToLower(u.Hostname()))
		}
	}
	for i, h := range s.AllowedHosts {
		s.AllowedHosts[i] = strings.ToLower(strings.TrimSpace(h))
	}
	if s.MaxDepth < 0 || s.MaxPages < 0 {
		return fmt.Errorf("source %q: negative max_depth or max_pages", s.Name)
	}
	if s.MaxPages == 0 {
		s.MaxPages = DefaultMaxPages
	}
	if s.Delay == 0 {
		s.Delay = Duration(DefaultDelay)
	}
	return nil
}

// allowsHost reports whether links may lead to host (a host name without
// port).
func (s *Source) allowsHost(host string) bool {
	host = strings.ToLower(host)
	for _, h := range s.AllowedHosts {
		h = strings.ToLower(h)
		if h == host || (strings.HasPrefix(h, "*.") && (strings.HasSuffix(host, h[1:]) || host == h[2:])) {
			return true
		}
	}
	return false
}

// extractSource is what extraction needs to know of the source.
func (s *Source) extractSource() extract.Source {
	return extract.Source{Name: s.Name, Kind: s.Kind, License: s.License,
		Attribution: s.Attribution, Rules: s.Rules, PeerOnly: s.PeerOnly}
}
