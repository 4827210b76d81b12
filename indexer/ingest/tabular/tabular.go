// Package tabular reads HSDS tabular data, a folder of CSV tables with or
// without a datapackage.json, into peerfind records:
//
//   - HSDS 3.0 (services.csv, organizations.csv, locations.csv,
//     service_at_location(s).csv, addresses.csv, phones.csv, schedules.csv,
//     languages.csv, service_areas.csv, attributes.csv, taxonomy_terms.csv):
//     the tables are joined into fully nested HSDS services. A package that
//     peerfind exported (its services carry the peerfind:meta id
//     attribute) is restored exactly (peerfind.FromHSDS); any other is read
//     by the HSDS JSON reader (package hsds), which classifies each service
//     as peer support or not. HSDS 2.0 tables met on the way
//     (service_attributes, taxonomy_terms.term, physical_addresses,
//     services_at_location, regular_schedules with weekday numbers) are
//     read too.
//   - HSDS 1.x and Ohana CSV (services with location_id or
//     services_at_location.csv, physical_addresses.csv or addresses.csv,
//     regular_schedules.csv, taxonomy.csv with services_taxonomy.csv or a
//     taxonomy_ids column): the tables are joined into the Ohana nested
//     format and read by package ohana, whose classifier decides, with the
//     reason, which of a general directory's services are peer support.
//
// The source's own taxonomy terms (taxonomy names, keywords) are kept on
// each record as SourceTerms. Every table, row and service that was not
// used is in the Report with the reason; Verdicts tells for every service
// whether it was taken as peer support and why.
package tabular

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest/internal/textutil"
	"github.com/peerfind/peerfind/indexer/ingest/ohana"
)

// Limits on the input.
const (
	// MaxTableSize is the largest CSV file read, in bytes.
	MaxTableSize = 256 << 20
	// MaxRows is the most rows read from one table.
	MaxRows = 500000
)

// ErrNotTabular marks a directory without a services table.
var ErrNotTabular = errors.New("not an HSDS tabular folder (no services.csv)")

// Source describes the folder's publisher.
type Source struct {
	// Prefix starts every record id ("<Prefix>-..."). Required.
	Prefix string
	// Name names the publisher.
	Name string
	// URL is where the folder was read. Required.
	URL string
	// Retrieved is the date (YYYY-MM-DD) the folder was read. Required.
	Retrieved string
	// License and Attribution go into each record's provenance.
	License, Attribution string
	// Timezone is the IANA zone of schedules (default America/Los_Angeles).
	Timezone string
	// Country is the ISO 3166-1 code of the addresses (default US).
	Country string
}

// Verdict says whether one source service was taken as peer support.
type Verdict struct {
	// Item identifies the service in the source (its id and name).
	Item string `json:"item"`
	// ID is the record id, empty when not kept.
	ID string `json:"id,omitempty"`
	// Peer is true when the service is peer support and was kept.
	Peer bool `json:"peer"`
	// Reason says what matched, or why the service was not kept.
	Reason string `json:"reason"`
}

// Result is what Read gives besides the records.
type Result struct {
	// Version is "3.0" or "1.x".
	Version string
	// Report counts and lists what was skipped.
	Report *peerfind.Report
	// Verdicts are the classification of every service read.
	Verdicts []Verdict
}

// IsTabular reports whether dir looks like an HSDS tabular folder.
func IsTabular(dir string) bool {
	t, err := tablePaths(dir)
	return err == nil && t["service"] != ""
}

// table is a CSV table: its rows as column → value.
type table []map[string]string

type tables map[string]table

// names maps a CSV file name (without .csv, lower case) to its table.
var names = map[string]string{
	"services": "service", "service": "service", "organizations": "organization", "organization": "organization",
	"locations": "location", "location": "location", "service_at_location": "service_at_location",
	"service_at_locations": "service_at_location", "services_at_location": "service_at_location",
	"services_at_locations": "service_at_location", "addresses": "address", "address": "address",
	"physical_addresses": "address", "phones": "phone", "phone": "phone", "schedules": "schedule",
	"regular_schedules": "regular_schedule", "languages": "language", "service_areas": "service_area",
	"service_attributes": "service_attribute",
	"attributes":         "attribute", "taxonomy_terms": "taxonomy_term", "taxonomies": "taxonomy",
	"taxonomy": "taxonomy_1x", "services_taxonomy": "service_taxonomy", "eligibility": "eligibility",
	"contacts": "contact", "programs": "program", "holiday_schedules": "holiday_schedule",
	"mail_addresses": "postal_address", "postal_addresses": "postal_address", "funding": "funding",
	"accessibility": "accessibility", "accessibility_for_disabilities": "accessibility",
	"cost_options": "cost_option", "required_documents": "required_document", "payments_accepted": "payment",
	"metadata": "metadata", "meta_table_descriptions": "meta_table_description",
	"organization_identifiers": "organization_identifier",
}

// tablePaths finds the tables of dir: from datapackage.json when present
// (resource name → path), else from the file names.
func tablePaths(dir string) (map[string]string, error) {
	out := map[string]string{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		n := strings.ToLower(e.Name())
		if e.IsDir() || !strings.HasSuffix(n, ".csv") {
			continue
		}
		if t, ok := names[strings.TrimSuffix(n, ".csv")]; ok {
			out[t] = filepath.Join(dir, e.Name())
		} else {
			out["?"+e.Name()] = filepath.Join(dir, e.Name())
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "datapackage.json")); err == nil {
		var dp struct {
			Resources []struct{ Name, Path string } `json:"resources"`
		}
		if json.Unmarshal(b, &dp) == nil {
			for _, r := range dp.Resources {
				p := filepath.Join(dir, filepath.FromSlash(r.Path))
				if _, err := os.Stat(p); err != nil || strings.Contains(r.Path, "..") {
					continue
				}
				name := strings.ToLower(r.Name)
				if t, ok := names[name]; ok {
					name = t
				}
				out[name] = p
			}
		}
	}
	return out, nil
}

// readTable reads one CSV file tolerantly: BOM, ragged rows, lower-cased
// trimmed headers, a size and row limit.
func readTable(path string, rep *peerfind.Report) (table, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > MaxTableSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxTableSize)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		b = []byte(strings.ToValidUTF8(string(b), "\uFFFD"))
		rep.Warn(filepath.Base(path), "not valid UTF-8; bad bytes replaced")
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	head, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	for i := range head {
		head[i] = strings.ToLower(strings.TrimSpace(head[i]))
	}
	var out table
	for n := 2; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rep.Skip(fmt.Sprintf("%s line %d", filepath.Base(path), n), "unreadable CSV row: %v", err)
			continue
		}
		if len(out) >= MaxRows {
			rep.Skip(filepath.Base(path), "more than %d rows; the rest not read", MaxRows)
			break
		}
		row := map[string]string{}
		for i, v := range rec {
			if i < len(head) && head[i] != "" {
				row[head[i]] = strings.TrimSpace(v)
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// Read reads the tabular folder dir.
func Read(ctx context.Context, dir string, src Source, tax *peerfind.Taxonomy) ([]*peerfind.Service, *Result, error) {
	res := &Result{Report: &peerfind.Report{Source: src.URL}}
	if tax == nil {
		return nil, res, errors.New("tabular: no taxonomy")
	}
	if src.Prefix == "" || src.URL == "" || src.Retrieved == "" {
		return nil, res, fmt.Errorf("tabular: source needs a prefix, URL and retrieved date")
	}
	if src.Timezone == "" {
		src.Timezone = "America/Los_Angeles"
	}
	if src.Country == "" {
		src.Country = "US"
	}
	paths, err := tablePaths(dir)
	if err != nil {
		return nil, res, fmt.Errorf("tabular %s: %w", dir, err)
	}
	if paths["service"] == "" {
		return nil, res, fmt.Errorf("tabular %s: %w", dir, ErrNotTabular)
	}
	t := tables{}
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, name := range keys {
		if strings.HasPrefix(name, "?") {
			res.Report.Warn(name[1:], "not an HSDS table; not read")
			continue
		}
		tb, err := readTable(paths[name], res.Report)
		if err != nil {
			res.Report.Skip(filepath.Base(paths[name]), "unreadable table: %v", err)
			continue
		}
		t[name] = tb
	}
	if err := ctx.Err(); err != nil {
		return nil, res, err
	}
	v3 := t["attribute"] != nil || t["taxonomy_term"] != nil || t["schedule"] != nil || has(t["location"], "location_type") ||
		has(t["service"], "fees_description") || has(t["address"], "address_type")
	var recs []*peerfind.Service
	if v3 {
		res.Version = "3.0"
		recs, err = read3(ctx, t, src, tax, res)
	} else {
		res.Version = "1.x"
		recs, err = read1(ctx, t, src, tax, res)
	}
	res.Report.Kept = len(recs)
	return recs, res, err
}

func has(tb table, col string) bool {
	if len(tb) == 0 {
		return false
	}
	_, ok := tb[0][col]
	return ok
}

// index groups a table's rows by a column.
func (tb table) index(col string) map[string][]map[string]string {
	out := map[string][]map[string]string{}
	for _, r := range tb {
		if v := r[col]; v != "" {
			out[v] = append(out[v], r)
		}
	}
	return out
}

// numeric are the HSDS 3.0 columns of type number.
var numeric = map[string]bool{"latitude": true, "longitude": true, "interval": true, "extension": true, "timezone": true,
	"count": true, "minimum_age": true, "maximum_age": true, "year_incorporated": true, "amount": true}

// obj turns a CSV row into a JSON object: empty cells left out, numbers
// as numbers.
func obj(row map[string]string) map[string]any {
	o := map[string]any{}
	for k, v := range row {
		if v == "" {
			continue
		}
		if numeric[k] {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				o[k] = f
			}
			continue
		}
		o[k] = v
	}
	return o
}

func objs(rows []map[string]string, with func(map[string]any)) []any {
	out := []any{}
	for _, r := range rows {
		o := obj(r)
		if with != nil {
			with(o)
		}
		out = append(out, o)
	}
	return out
}

// read3 joins HSDS 3.0 tables into nested services.
func read3(ctx context.Context, t tables, src Source, tax *peerfind.Taxonomy, res *Result) ([]*peerfind.Service, error) {
	rep := res.Report
	orgs := t["organization"].index("id")
	locs := t["location"].index("id")
	addrByLoc := t["address"].index("location_id")
	termByID := t["taxonomy_term"].index("id")
	attrByLink := t["attribute"].index("link_id")
	salBySvc := t["service_at_location"].index("service_id")
	phonesBySvc, schedBySvc := t["phone"].index("service_id"), t["schedule"].index("service_id")
	langBySvc, areaBySvc := t["language"].index("service_id"), t["service_area"].index("service_id")
	// HSDS 2.0 tables beside 3.0-like ones: service_attributes link
	// services to taxonomy_terms; regular_schedules have weekdays.
	svcAttrs, regBySvc := t["service_attribute"].index("service_id"), t["regular_schedule"].index("service_id")
	for svc, rows := range svcAttrs {
		for _, r := range rows {
			attrByLink[svc] = append(attrByLink[svc], map[string]string{"id": r["id"], "link_id": svc,
				"taxonomy_term_id": r["taxonomy_term_id"], "link_type": "service", "link_entity": "service"})
		}
	}
	attrs := func(link string) []any {
		return objs(attrByLink[link], func(o map[string]any) {
			if id, _ := o["taxonomy_term_id"].(string); id != "" {
				if tt := termByID[id]; len(tt) > 0 {
					term := obj(tt[0])
					if _, ok := term["name"]; !ok && term["term"] != nil {
						term["name"] = term["term"] // HSDS 2.0 taxonomy_terms.term
					}
					o["taxonomy_term"] = term
				} else {
					rep.Warn("attribute "+clip(o["id"]), "taxonomy_term_id %q not in taxonomy_terms", clip(id))
				}
			}
		})
	}
	var nested []map[string]any
	for _, row := range t["service"] {
		id := row["id"]
		if id == "" {
			rep.Read++
			rep.Skip("service "+clip(row["name"]), "no id")
			continue
		}
		s := obj(row)
		if o := orgs[row["organization_id"]]; len(o) > 0 {
			s["organization"] = obj(o[0])
		} else if row["organization_id"] != "" {
			rep.Warn("service "+id, "organization_id %q not in organizations", clip(row["organization_id"]))
		}
		s["phones"] = objs(phonesBySvc[id], nil)
		s["schedules"] = objs(schedBySvc[id], func(o map[string]any) {
			if sid, _ := o["id"].(string); sid != "" {
				o["attributes"] = attrs(sid)
			}
		})
		for _, r := range regBySvc[id] {
			if d := byday(r["weekday"]); d != "" {
				s["schedules"] = append(s["schedules"].([]any), map[string]any{"id": r["id"], "freq": "WEEKLY", "byday": d,
					"opens_at": r["opens_at"], "closes_at": r["closes_at"]})
			}
		}
		s["languages"] = objs(langBySvc[id], func(o map[string]any) {
			if _, ok := o["code"]; !ok && o["language"] != nil {
				o["name"] = o["language"] // HSDS 1.x/2.0 languages.language
			}
		})
		s["service_areas"] = objs(areaBySvc[id], func(o map[string]any) {
			if _, ok := o["name"]; !ok && o["service_area"] != nil {
				o["name"] = o["service_area"] // HSDS 1.x/2.0 service_areas.service_area
			}
		})
		s["attributes"] = attrs(id)
		s["service_at_locations"] = objs(salBySvc[id], func(o map[string]any) {
			lid, _ := o["location_id"].(string)
			if l := locs[lid]; len(l) > 0 {
				lo := obj(l[0])
				lo["addresses"] = objs(addrByLoc[lid], nil)
				lo["attributes"] = attrs(lid)
				o["location"] = lo
			} else {
				rep.Warn("service "+id, "service_at_location %q names location %q not in locations", clip(o["id"]), clip(lid))
			}
		})
		nested = append(nested, s)
	}
	var out []*peerfind.Service
	var foreign []json.RawMessage
	seen := map[string]bool{}
	for _, s := range nested {
		b, err := json.Marshal(s)
		if err != nil {
			continue
		}
		var h peerfind.HSDSService
		if err := json.Unmarshal(b, &h); err == nil && peerfind.IsPeerfindHSDS(&h) {
			rep.Read++
			r := peerfind.FromHSDS(&h)
			item := h.ID + " " + h.Name
			if err := r.Validate(tax); err != nil {
				rep.Skip("service "+item, "%v", err)
				res.Verdicts = append(res.Verdicts, Verdict{Item: item, Reason: err.Error()})
				continue
			}
			if seen[r.ID] {
				rep.Skip("service "+item, "duplicate id %q", r.ID)
				continue
			}
			seen[r.ID] = true
			res.Verdicts = append(res.Verdicts, Verdict{Item: item, ID: r.ID, Peer: true,
				Reason: "peer support: peerfind export (categories " + strings.Join(r.Categories, ", ") + ")"})
			out = append(out, r)
			continue
		}
		foreign = append(foreign, b)
	}
	recs, err := readForeign(ctx, foreign, src, tax, res, seen)
	out = append(out, recs...)
	if err != nil {
		return out, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

var weekdays = map[string]string{"1": "Monday", "2": "Tuesday", "3": "Wednesday", "4": "Thursday", "5": "Friday",
	"6": "Saturday", "7": "Sunday", "0": "Sunday"}

// read1 joins HSDS 1.x / Ohana tables into the Ohana nested format and
// reads it with package ohana.
func read1(ctx context.Context, t tables, src Source, tax *peerfind.Taxonomy, res *Result) ([]*peerfind.Service, error) {
	rep := res.Report
	locsByOrg := t["location"].index("organization_id")
	addrByLoc := t["address"].index("location_id")
	phonesByLoc, phonesBySvc := t["phone"].index("location_id"), t["phone"].index("service_id")
	schedByLoc, schedBySvc := t["regular_schedule"].index("location_id"), t["regular_schedule"].index("service_id")
	langBySvc := t["language"].index("service_id")
	areaBySvc := t["service_area"].index("service_id")
	eligBySvc := t["eligibility"].index("service_id")
	taxByID := t["taxonomy_1x"].index("id")
	for id, rows := range t["taxonomy_1x"].index("taxonomy_id") {
		taxByID[id] = rows
	}
	stBySvc := t["service_taxonomy"].index("service_id")
	svcByLoc := t["service"].index("location_id")
	svcByID := t["service"].index("id")
	svcByOrg := t["service"].index("organization_id")
	for loc, sals := range t["service_at_location"].index("location_id") {
		for _, sal := range sals {
			svcByLoc[loc] = append(svcByLoc[loc], svcByID[sal["service_id"]]...)
		}
	}
	placed := map[string]bool{}
	type origin struct {
		id    string
		terms []string
	}
	var lines [][]byte
	var origins [][][]origin // line → location → service
	split := func(s string) []string {
		var out []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	hours := func(rows []map[string]string) string {
		var parts []string
		for _, r := range rows {
			day := r["weekday"]
			if d, ok := weekdays[day]; ok {
				day = d
			}
			if o, c := ampm(r["opens_at"]), ampm(r["closes_at"]); day != "" && o != "" && c != "" {
				parts = append(parts, fmt.Sprintf("%s, %s-%s", day, o, c))
			}
		}
		// Ohana's hours text: "Monday, 9am-5pm; Tuesday, 9am-5pm".
		return strings.Join(parts, "; ")
	}
	service := func(r map[string]string) (map[string]any, origin) {
		id := r["id"]
		var terms []string
		for _, tid := range split(r["taxonomy_ids"]) {
			if tt := taxByID[tid]; len(tt) > 0 {
				terms = append(terms, tt[0]["name"])
			} else {
				terms = append(terms, tid)
			}
		}
		for _, st := range stBySvc[id] {
			if tt := taxByID[st["taxonomy_id"]]; len(tt) > 0 {
				terms = append(terms, tt[0]["name"])
			} else if d := st["taxonomy_detail"]; d != "" {
				terms = append(terms, d)
			}
		}
		kws := append(split(r["keywords"]), terms...)
		langs := split(r["languages"])
		for _, l := range langBySvc[id] {
			langs = append(langs, l["language"])
		}
		areas := split(r["service_areas"])
		for _, a := range areaBySvc[id] {
			areas = append(areas, a["service_area"])
		}
		elig := r["eligibility"]
		for _, e := range eligBySvc[id] {
			elig = strings.TrimSpace(elig + " " + e["eligibility"])
		}
		desc := r["description"]
		if h := hours(schedBySvc[id]); h != "" && desc != "" {
			desc += " Hours: " + h + "."
		}
		return map[string]any{"name": r["name"], "alternate_name": r["alternate_name"], "description": desc,
			"audience": r["audience"], "eligibility": elig, "fees": r["fees"], "how_to_apply": r["application_process"],
			"service_areas": areas, "keywords": kws, "languages": langs, "status": r["status"],
			"website": first(r["website"], r["url"]), "email": r["email"]}, origin{id, textutil.Unique(nil, append(split(r["keywords"]), terms...)...)}
	}
	location := func(l map[string]string) map[string]any {
		lo := map[string]any{"name": l["name"], "description": l["description"], "short_desc": l["short_desc"],
			"transportation": l["transportation"], "languages": split(l["languages"]), "hours": hours(schedByLoc[l["id"]])}
		if e := l["email"]; e != "" {
			lo["emails"] = []string{e}
		}
		if u := first(l["website"], l["url"]); u != "" {
			lo["urls"] = []string{u}
		}
		lat, e1 := strconv.ParseFloat(l["latitude"], 64)
		lng, e2 := strconv.ParseFloat(l["longitude"], 64)
		if e1 == nil && e2 == nil {
			lo["latitude"], lo["longitude"] = lat, lng
		}
		if a := addrByLoc[l["id"]]; len(a) > 0 {
			lo["address_attributes"] = map[string]any{"street_1": a[0]["address_1"],
				"street_2": strings.TrimSpace(a[0]["address_2"] + " " + a[0]["address_3"] + " " + a[0]["address_4"]),
				"city":     a[0]["city"], "state": a[0]["state_province"], "postal_code": a[0]["postal_code"]}
		}
		var phones []any
		for _, p := range phonesByLoc[l["id"]] {
			if p["service_id"] == "" {
				phones = append(phones, map[string]any{"number": p["number"], "extension": p["extension"],
					"number_type": first(p["number_type"], p["type"]), "department": p["department"]})
			}
		}
		lo["phones_attributes"] = phones
		return lo
	}
	for _, o := range t["organization"] {
		org := map[string]any{"name": o["name"], "alternate_name": o["alternate_name"], "description": o["description"],
			"email": o["email"], "website": first(o["website"], o["url"])}
		var locs []any
		var lineOrigins [][]origin
		for _, l := range locsByOrg[o["id"]] {
			lo := location(l)
			var svcs []any
			var so []origin
			for _, s := range svcByLoc[l["id"]] {
				m, or := service(s)
				for _, p := range phonesBySvc[s["id"]] {
					ph, _ := lo["phones_attributes"].([]any)
					lo["phones_attributes"] = append(ph, map[string]any{"number": p["number"], "extension": p["extension"],
						"number_type": first(p["number_type"], p["type"]), "department": p["department"]})
				}
				placed[s["id"]] = true
				svcs = append(svcs, m)
				so = append(so, or)
			}
			if len(svcs) == 0 {
				continue
			}
			lo["services_attributes"] = svcs
			locs = append(locs, lo)
			lineOrigins = append(lineOrigins, so)
		}
		// Services of the organization at no location: one location
		// without an address, named after the organization.
		var svcs []any
		var so []origin
		for _, s := range svcByOrg[o["id"]] {
			if placed[s["id"]] {
				continue
			}
			m, or := service(s)
			placed[s["id"]] = true
			svcs = append(svcs, m)
			so = append(so, or)
		}
		if len(svcs) > 0 {
			locs = append(locs, map[string]any{"name": o["name"], "services_attributes": svcs})
			lineOrigins = append(lineOrigins, so)
		}
		if len(locs) == 0 {
			continue
		}
		org["locations"] = locs
		b, err := json.Marshal(org)
		if err != nil {
			continue
		}
		lines = append(lines, b)
		origins = append(origins, lineOrigins)
	}
	for _, s := range t["service"] {
		if !placed[s["id"]] {
			rep.Read++
			rep.Skip("service "+clip(s["id"])+" "+clip(s["name"]), "not linked to an organization or location")
			res.Verdicts = append(res.Verdicts, Verdict{Item: s["id"] + " " + s["name"], Reason: "not linked to an organization or location"})
		}
	}
	originOf := func(item string) origin {
		var line, li, si int
		if _, err := fmt.Sscanf(item, "line %d location %d service %d", &line, &li, &si); err == nil &&
			line >= 1 && line <= len(origins) && li >= 1 && li <= len(origins[line-1]) && si >= 1 && si <= len(origins[line-1][li-1]) {
			return origins[line-1][li-1][si-1]
		}
		return origin{}
	}
	osrc := ohana.Source{Prefix: src.Prefix, Name: src.Name, URL: src.URL, License: src.License, Attribution: src.Attribution,
		Retrieved: src.Retrieved, Country: src.Country, Timezone: src.Timezone, Language: "en"}
	byID := map[string]origin{}
	rd := &ohana.Reader{Source: osrc, Taxonomy: tax, Explain: func(item, id string, v ohana.Verdict) {
		or := originOf(item)
		res.Verdicts = append(res.Verdicts, Verdict{Item: strings.TrimSpace(or.id + " (" + item + ")"), ID: id, Peer: v.Peer && id != "", Reason: v.Reason})
		if id != "" {
			byID[id] = or
		}
	}}
	recs, orep, err := rd.Read(ctx, bytes.NewReader(bytes.Join(lines, []byte("\n"))))
	if orep != nil {
		rep.Read += orep.Read
		rep.Skipped = append(rep.Skipped, orep.Skipped...)
		rep.Warnings = append(rep.Warnings, orep.Warnings...)
	}
	for _, r := range recs {
		or := byID[r.ID]
		r.SourceTerms = or.terms
		if or.id != "" {
			r.Provenance.SourceID = or.id
		}
	}
	return recs, err
}

// byday turns an HSDS 1.x/2.0 weekday (1 = Monday … 7 = Sunday, 0 =
// Sunday, or a name) into an RFC 5545 day; "" when unreadable.
func byday(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, d := range []string{"SU", "MO", "TU", "WE", "TH", "FR", "SA", "SU"} {
		if s == strconv.Itoa(i) {
			return d
		}
	}
	for name, d := range map[string]string{"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"} {
		if strings.HasPrefix(s, name) {
			return d
		}
	}
	return ""
}

// ampm turns "17:00" or "17:00:00" into "5:00pm"; "" when unreadable.
func ampm(s string) string {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err := strconv.Atoi(h)
	if !ok || err != nil || hh < 0 || hh > 24 || len(m) < 2 {
		return ""
	}
	mm := m[:2]
	suffix := "am"
	if hh >= 12 && hh < 24 {
		suffix = "pm"
	}
	if hh%12 == 0 {
		hh = 12
	} else {
		hh %= 12
	}
	return fmt.Sprintf("%d:%s%s", hh, mm, suffix)
}

func first(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func clip(v any) string {
	s, _ := v.(string)
	return textutil.Truncate(s, 80)
}
