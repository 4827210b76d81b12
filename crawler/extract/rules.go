package extract

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/peerfind/peerfind"
)

// RuleFields are the field names Rules.Fields may use. Each selector is
// relative to the item; "sel@attr" reads attribute attr of the first match
// ("@href" alone reads the item's own attribute), otherwise the text of
// every match is joined.
//
//   - name (required), description, url (resolved against the page URL;
//     javascript:, data: and other non-http(s) URLs are dropped with a
//     warning), phone, email;
//   - address (one line, split into parts when it reads as a US address),
//     or city, state, postal_code beside a street-only address;
//   - schedule: free text kept as the schedule's description; "Tuesdays
//     7pm" or "Tuesday 7:00 PM - 8:30 PM" (one weekday, one or two times)
//     also become a weekly rule;
//   - language: names or tags, comma-separated ("English, Spanish");
//   - category: raw terms, one per match or comma-separated, mapped with
//     the taxonomy; unmapped terms are kept as "unknown term" warnings;
//   - keywords: extra text for classification only.
var RuleFields = []string{"name", "description", "url", "phone", "email", "address", "city", "state",
	"postal_code", "schedule", "language", "category", "keywords"}

var attrName = regexp.MustCompile(`^[A-Za-z_:][-A-Za-z0-9_:.]*$`)

// Check reports rules that cannot work: no item selector, an unknown field
// or a selector that does not compile.
func (r *Rules) Check() error {
	if r == nil || strings.TrimSpace(r.Item) == "" {
		return fmt.Errorf("rules: item selector is required")
	}
	if _, err := compile(r.Item); err != nil {
		return fmt.Errorf("rules: item: %w", err)
	}
	if r.Fields["name"] == "" {
		return fmt.Errorf("rules: a name field is required")
	}
	for f, sel := range r.Fields {
		if !containsStr(RuleFields, f) {
			return fmt.Errorf("rules: unknown field %q (want one of %s)", f, strings.Join(RuleFields, ", "))
		}
		s, _ := splitSel(sel)
		if s == "" {
			continue
		}
		if _, err := compile(s); err != nil {
			return fmt.Errorf("rules: field %s: %w", f, err)
		}
	}
	return nil
}

func compile(sel string) (cascadia.Sel, error) {
	c, err := cascadia.Parse(sel)
	if err != nil {
		return nil, fmt.Errorf("bad selector %q: %w", sel, err)
	}
	return c, nil
}

// splitSel splits "sel@attr" into the selector and the attribute; an "@"
// that is part of the selector (e.g. inside [href*="@"]) is kept.
func splitSel(s string) (sel, attr string) {
	i := strings.LastIndexByte(s, '@')
	if i < 0 || !attrName.MatchString(s[i+1:]) || strings.ContainsAny(s[i+1:], "]\"'") {
		return strings.TrimSpace(s), ""
	}
	return strings.TrimSpace(s[:i]), s[i+1:]
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// extractRules applies the source's CSS-selector rules to an HTML page.
func extractRules(ctx context.Context, p Page, tax *peerfind.Taxonomy, res *Result) error {
	res.Extractor = KindRules
	if err := p.Source.Rules.Check(); err != nil {
		return err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p.Body))
	if err != nil {
		return fmt.Errorf("parse HTML: %w", err)
	}
	rep := res.Report
	fin := &finisher{p: p, tax: tax, rep: rep, kind: "html", seen: map[string]string{}}
	var cerr error
	doc.Find(p.Source.Rules.Item).EachWithBreak(func(i int, it *goquery.Selection) bool {
		if i%64 == 0 {
			if cerr = ctx.Err(); cerr != nil {
				return false
			}
		}
		if i >= MaxRecords {
			rep.Skip(itemName(i), "more than %d items on the page", MaxRecords)
			return false
		}
		get := func(field string) []string { return ruleValues(it, p.Source.Rules.Fields[field]) }
		one := func(field string) string { return strings.Join(get(field), " ") }
		n := node{"@type": []string{rulesType}}
		n["name"] = one("name")
		n["description"] = one("description")
		if u := get("url"); len(u) > 0 {
			n["url"] = u[0]
		}
		if v := get("phone"); len(v) > 0 {
			n["telephone"] = v[0]
		}
		if v := get("email"); len(v) > 0 {
			n["email"] = v[0]
		}
		addr := node{"@type": []string{"PostalAddress"}, "streetAddress": one("address"),
			"addressLocality": one("city"), "addressRegion": one("state"), "postalCode": one("postal_code")}
		if one("city") == "" && one("state") == "" {
			n["location"] = node{"@type": []string{"Place"}, "address": one("address")}
		} else {
			n["location"] = node{"@type": []string{"Place"}, "address": addr}
		}
		if v := one("schedule"); v != "" {
			n["eventSchedule"] = v
		}
		if v := one("language"); v != "" {
			n["knowsLanguage"] = v
		}
		if v := one("keywords"); v != "" {
			n["keywords"] = v
		}
		item := "rules " + itemName(i)
		d := mapNode(n, p.URL, func(format string, args ...any) { rep.Warn(item, format, args...) })
		// A schedule given on a rules page is a group's meeting time.
		d.isEvent = len(d.s.Schedules) > 0
		if d.isEvent && hasStreet(d.s.Locations) && len(d.s.Attendance) == 0 {
			d.s.Attendance = []string{"in-person"}
		}
		for _, c := range get("category") {
			for _, t := range strings.Split(c, ",") {
				if t = strings.TrimSpace(t); t != "" {
					d.terms = append(d.terms, t)
				}
			}
		}
		fin.add(d, item)
		return true
	})
	res.Records = fin.out
	return cerr
}

// ruleValues returns the values a field selector picks within the item.
func ruleValues(it *goquery.Selection, spec string) []string {
	if strings.TrimSpace(spec) == "" {
		return nil
	}
	sel, attr := splitSel(spec)
	target := it
	if sel != "" {
		target = it.Find(sel)
	}
	var out []string
	target.EachWithBreak(func(i int, s *goquery.Selection) bool {
		if i >= 50 {
			return false
		}
		var v string
		if attr != "" {
			v, _ = s.Attr(attr)
		} else {
			v = s.Text()
		}
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
		return attr == "" // an attribute: the first match only
	})
	return out
}
