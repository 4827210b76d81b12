// Package extract turns one fetched page or feed into peerfind records.
// Each format (schema.org JSON-LD, microdata, Meeting Guide JSON, HSDS
// JSON, per-source CSS-selector rules) is a small unit; Extract picks one
// from the declared kind or, when none is declared, from the content type
// and the content.
//
// JSON-LD and microdata are read into one common form (schema.org nodes
// with local property and type names) and mapped by one mapper;
// CSS-selector rules build the same form from the fields they pick.
// Meeting Guide feeds and HSDS JSON go through the indexer's readers
// (indexer/ingest/meetingguide, indexer/ingest/hsds).
//
// Decisions worth knowing:
//   - Crawled text is data: every text field is stripped of markup
//     (entities decoded, script and style content dropped), white space
//     collapsed, names cut to 300 bytes and descriptions to 5000 (on a
//     rune boundary). URLs must be http(s): others (javascript:, data:)
//     are dropped with a warning. A page yields at most MaxRecords records.
//   - Peer support: categories come from tax.Classify on the name,
//     description, keywords, serviceType and category. A record no phrase
//     classifies gets self-help-group when its text says "support group",
//     "peer support", "mutual support" (or, on a peer-only source, when it
//     is an event that calls itself a group or meeting). Otherwise a
//     peer-only source's (Source.PeerOnly) events become self-help-group and
//     its other records peer-delivered-service, with a warning; a general
//     source's records are skipped as "not peer support".
//   - Phones: Number holds E.164 ("+16505550100") when the published number
//     is a North American one, else the published text; an extension goes
//     to Extension.
//   - Ids are "web-" and 16 hex digits of a hash of the page host, the
//     folded name and the folded first address, so JSON-LD and microdata
//     of the same group, and later crawls, give the same id; the same
//     name and address twice on a page is kept once (JSON-LD first).
//   - Languages become ISO 639 codes of the taxonomy; unknown ones are
//     dropped with a warning. Unknown raw category terms of rules pages
//     are kept as "unknown term" warnings.
package extract

import (
	"net/url"
	"time"

	"github.com/peerfind/peerfind"
)

// Kinds of source content. KindAuto lets Extract detect it.
const (
	KindAuto         = ""
	KindJSONLD       = "json-ld"
	KindMicrodata    = "microdata"
	KindMeetingGuide = "meeting-guide"
	KindHSDS         = "hsds"
	KindRules        = "rules"
)

// Page is one fetched resource.
type Page struct {
	// URL is the final URL of the page (after redirects).
	URL *url.URL
	// ContentType is the response's Content-Type header.
	ContentType string
	// Body is the response body, already bounded in size by the crawler.
	Body []byte
	// Retrieved is when the page was fetched.
	Retrieved time.Time
	// Source describes the source the page belongs to.
	Source Source
}

// Source is what the sources file says about a source that extraction
// needs.
type Source struct {
	// Name names the publisher, for provenance.
	Name string `json:"name" yaml:"name"`
	// Kind is the content kind, or KindAuto.
	Kind string `json:"kind,omitempty" yaml:"kind,omitempty"`
	// License and Attribution go into each record's provenance.
	License     string `json:"license,omitempty" yaml:"license,omitempty"`
	Attribution string `json:"attribution,omitempty" yaml:"attribution,omitempty"`
	// Rules are the CSS-selector rules for KindRules pages.
	Rules *Rules `json:"rules,omitempty" yaml:"rules,omitempty"`
	// PeerOnly is false for general human-service sources (a county's 211
	// data): their records are kept only when classified as peer support.
	PeerOnly bool `json:"peer_only,omitempty" yaml:"peer_only,omitempty"`
}

// Result is what one page yielded.
type Result struct {
	// Extractor names the extractor used (one of the Kind constants).
	Extractor string
	// Records are the valid records found.
	Records []*peerfind.Service
	// Follow are further URLs the content itself points to as part of the
	// same data (an HSDS API's next page); the crawler enqueues them.
	Follow []string
	// Report counts what was read and lists what was skipped and why.
	Report *peerfind.Report
}

// Rules are CSS-selector rules for directory pages with no structured
// markup: one selector picks each entry, the others pick fields within it.
// The extractor owning KindRules defines and documents the field set.
type Rules struct {
	// Item selects one element per group or service.
	Item string `json:"item" yaml:"item"`
	// Fields maps a record field name (name, description, url, phone,
	// address, city, state, postal_code, schedule, language, category, ...)
	// to a selector within the item; "sel@attr" reads an attribute.
	Fields map[string]string `json:"fields" yaml:"fields"`
}
