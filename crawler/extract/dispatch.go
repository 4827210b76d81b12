package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/peerfind/peerfind"
	_ "time/tzdata" // schedules carry IANA zones, which Validate loads
)

// Extract reads one fetched page with the extractor its source declares
// (p.Source.Kind) or, for KindAuto, the one Detect picks, and returns the
// valid records with a report. Every record passes Validate(tax); records
// that do not, or that are not peer support, are skipped in the report
// with the reason, and the rest of the page is still read. An HTML page is
// read for both JSON-LD and microdata, and the same group found by both
// (same name and address) is kept once.
//
// Extract fails only when the page cannot be read at all in its kind
// (a Meeting Guide feed that is not a JSON array) or ctx is done.
func Extract(ctx context.Context, p Page, tax *peerfind.Taxonomy) (res *Result, err error) {
	if tax == nil {
		return nil, fmt.Errorf("extract: no taxonomy")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	src := ""
	if p.URL != nil {
		src = p.URL.String()
	}
	kind := p.Source.Kind
	if kind == KindAuto {
		kind = Detect(p)
	}
	res = &Result{Extractor: kind, Report: &peerfind.Report{Source: src}}
	defer func() {
		// A reader bug on hostile input must not stop the crawl.
		if r := recover(); r != nil {
			res, err = &Result{Extractor: kind, Report: &peerfind.Report{Source: src}}, fmt.Errorf("extract %s: internal error: %v", src, r)
		}
	}()
	switch kind {
	case KindJSONLD, KindMicrodata:
		err = extractHTML(ctx, p, tax, res)
		if err == nil && len(res.Records) == 0 && p.Source.Kind == KindAuto && p.Source.Rules != nil && p.Source.Rules.Item != "" {
			// Structured data that held no group: the source's rules may.
			res = &Result{Extractor: KindRules, Report: res.Report}
			err = extractRules(ctx, p, tax, res)
		}
	case KindRules:
		err = extractRules(ctx, p, tax, res)
	case KindMeetingGuide:
		err = extractMeetingGuide(ctx, p, tax, res)
	case KindHSDS:
		err = extractHSDS(ctx, p, tax, res)
	case "":
		res.Report.Skip(src, "no extractor for content type %q", p.ContentType)
		return res, nil
	default:
		return nil, fmt.Errorf("extract %s: unknown kind %q", src, kind)
	}
	if err != nil {
		return res, fmt.Errorf("extract %s (%s): %w", src, kind, err)
	}
	res.Report.Kept = len(res.Records)
	return res, nil
}

// Detect picks the extractor for a page from its content type and
// content: a JSON array of objects with day, time and name is a Meeting
// Guide feed; a JSON object with contents and total_items (an HSDS API
// page), or with HSDS service fields, or an array of such, is HSDS; HTML
// with an ld+json script is JSON-LD; HTML with itemscope is microdata;
// other HTML is rules when the source has rules. It returns "" when
// nothing fits.
func Detect(p Page) string {
	body := bytes.TrimSpace(bytes.TrimPrefix(p.Body, []byte("\xef\xbb\xbf")))
	mt, _, _ := mime.ParseMediaType(p.ContentType)
	isJSON := strings.Contains(mt, "json") || (len(body) > 0 && (body[0] == '[' || body[0] == '{'))
	if isJSON && len(body) > 0 && (body[0] == '[' || body[0] == '{') {
		if k := detectJSON(body); k != "" {
			return k
		}
		if strings.Contains(mt, "json") {
			return ""
		}
	}
	if mt != "" && !strings.Contains(mt, "html") && !strings.Contains(mt, "xml") && !strings.HasPrefix(mt, "text/") {
		return ""
	}
	lower := bytes.ToLower(body)
	switch {
	case bytes.Contains(lower, []byte("application/ld+json")):
		return KindJSONLD
	case bytes.Contains(lower, []byte("itemscope")):
		return KindMicrodata
	case p.Source.Rules != nil && p.Source.Rules.Item != "":
		return KindRules
	}
	return ""
}

// detectJSON looks at the first value (or first element) of a JSON body.
func detectJSON(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return ""
	}
	var first map[string]json.RawMessage
	switch tok {
	case json.Delim('['):
		if !dec.More() {
			return ""
		}
		if err := dec.Decode(&first); err != nil {
			return ""
		}
		if has(first, "day") && has(first, "time") && has(first, "name") || has(first, "slug") && has(first, "name") && has(first, "day") {
			return KindMeetingGuide
		}
		if hsdsService(first) {
			return KindHSDS
		}
	case json.Delim('{'):
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return ""
		}
		if has(obj, "contents") && has(obj, "total_items") || hsdsService(obj) {
			return KindHSDS
		}
	}
	return ""
}

func hsdsService(m map[string]json.RawMessage) bool {
	return has(m, "name") && has(m, "id") && (has(m, "service_at_locations") || has(m, "organization") ||
		has(m, "eligibility_description") || has(m, "interpretation_services") || has(m, "fees_description") && has(m, "status"))
}

func has(m map[string]json.RawMessage, k string) bool {
	_, ok := m[k]
	return ok
}

// extractHTML reads the JSON-LD and the microdata of an HTML page.
func extractHTML(ctx context.Context, p Page, tax *peerfind.Taxonomy, res *Result) error {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p.Body))
	if err != nil {
		return fmt.Errorf("parse HTML: %w", err)
	}
	rep := res.Report
	warnAt := func(item, format string, args ...any) { rep.Warn(item, format, args...) }
	ld := jsonLDNodes(doc, warnAt)
	md := microdataNodes(doc)
	fin := &finisher{p: p, tax: tax, rep: rep, kind: KindJSONLD, seen: map[string]string{}}
	mapAll := func(nodes []node, kind string) error {
		fin.kind = kind
		for i, n := range nodes {
			if i%64 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			for _, m := range mappableNodes(n) {
				item := kind + " " + itemName(i)
				d := mapNode(m, p.URL, func(format string, args ...any) { rep.Warn(item, format, args...) })
				fin.add(d, item)
			}
		}
		return nil
	}
	if err := mapAll(ld, KindJSONLD); err != nil {
		return err
	}
	if err := mapAll(md, KindMicrodata); err != nil {
		return err
	}
	switch {
	case len(ld) == 0 && len(md) > 0:
		res.Extractor = KindMicrodata
	case len(ld) > 0:
		res.Extractor = KindJSONLD
	}
	res.Records = fin.out
	return nil
}

// mappableNodes returns n when the mapper handles its type, with the
// events it lists (an Organization's "event"), else the mappable nodes
// directly inside it (a WebPage whose mainEntity or about is the
// Organization; an ItemList of Events), one level down.
func mappableNodes(n node) []node {
	var out []node
	if mappable(n) {
		out = append(out, n)
		// An Organization page that lists its groups' meetings.
		for _, prop := range []string{"event", "subEvent", "hasOfferCatalog", "makesOffer"} {
			for _, c := range n.children(prop) {
				if c.is(eventTypes) || c.is(serviceTypes) {
					if c["organizer"] == nil && c["provider"] == nil {
						c["organizer"] = n
					}
					out = append(out, c)
				}
			}
		}
		return out
	}
	for _, prop := range []string{"mainEntity", "about", "itemListElement", "event", "subEvent", "item"} {
		for _, c := range n.children(prop) {
			if mappable(c) {
				out = append(out, mappableNodes(c)...)
			} else if it := c.child("item"); it != nil && mappable(it) {
				out = append(out, mappableNodes(it)...)
			}
		}
	}
	return out
}
