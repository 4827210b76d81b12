// Package export writes peerfind's directory in the field's standard
// formats: HSDS 3.0 as NDJSON (one fully nested service per line) and as
// a tabular data package (one CSV per HSDS table plus datapackage.json),
// and the recurring groups as a Meeting Guide feed.
//
// The HSDS projection is peerfind.ToHSDS: peer-support terms, meeting
// details and provenance travel as attributes, so importing an export
// (ingest.ReadFile, tabular.Read) gives back the same records.
package export

import (
	"bufio"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/peerfind/peerfind"
)

// DataPackageJSON is the HSDS 3.0 data package descriptor (Open Referral,
// CC-BY-SA 4.0; see hsdsschema/README.md).
//
//go:embed hsdsschema/datapackage.json
var DataPackageJSON []byte

// DataPackage is a Frictionless data package descriptor, as far as the
// export and its tests read it.
type DataPackage struct {
	Name        string          `json:"name"`
	Title       string          `json:"title,omitempty"`
	Description string          `json:"description,omitempty"`
	Profile     string          `json:"profile,omitempty"`
	Version     string          `json:"version,omitempty"`
	Homepage    string          `json:"homepage,omitempty"`
	License     json.RawMessage `json:"license,omitempty"`
	Resources   []Resource      `json:"resources"`
}

// Resource is one table of a data package.
type Resource struct {
	Name    string          `json:"name"`
	Path    string          `json:"path"`
	Profile string          `json:"profile,omitempty"`
	Format  string          `json:"format,omitempty"`
	Schema  Schema          `json:"schema"`
	Extra   json.RawMessage `json:"-"`
}

// Schema is a Table Schema.
type Schema struct {
	Fields      []Field      `json:"fields"`
	PrimaryKey  any          `json:"primaryKey,omitempty"`
	ForeignKeys []ForeignKey `json:"foreignKeys,omitempty"`
}

// Field is one column of a Table Schema.
type Field struct {
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	Format      string         `json:"format,omitempty"`
	Description string         `json:"description,omitempty"`
	Constraints map[string]any `json:"constraints,omitempty"`
}

// ForeignKey is one foreign key of a Table Schema.
type ForeignKey struct {
	Fields    any `json:"fields"`
	Reference struct {
		Resource string `json:"resource"`
		Fields   any    `json:"fields"`
	} `json:"reference"`
}

// HSDSPackage returns the parsed HSDS 3.0 data package descriptor.
func HSDSPackage() (*DataPackage, error) {
	var dp DataPackage
	if err := json.Unmarshal(DataPackageJSON, &dp); err != nil {
		return nil, fmt.Errorf("hsds datapackage: %w", err)
	}
	return &dp, nil
}

// WriteNDJSON writes every record as a fully nested HSDS 3.0 service, one
// per line.
func WriteNDJSON(w io.Writer, recs []*peerfind.Service, tax *peerfind.Taxonomy) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, s := range recs {
		if err := enc.Encode(peerfind.ToHSDS(s, tax)); err != nil {
			return fmt.Errorf("write ndjson %s: %w", s.ID, err)
		}
	}
	return bw.Flush()
}

// Tables holds records flattened into HSDS tables, each row once (by id),
// in the order first met, so list order (phones, schedules, locations,
// terms) survives a round trip.
type Tables struct {
	// Rows maps a table name to its rows by id.
	Rows map[string]map[string]map[string]any
	// Order lists each table's row ids in order.
	Order map[string][]string
}

// childTables names the table of each nested key of an HSDS object.
var childTables = map[string]string{
	"organization": "organization", "phones": "phone", "schedules": "schedule", "service_areas": "service_area",
	"languages": "language", "service_at_locations": "service_at_location", "location": "location",
	"addresses": "address", "attributes": "attribute", "taxonomy_term": "taxonomy_term",
}

// Flatten turns the records' HSDS projection into rows of the HSDS tables.
func Flatten(recs []*peerfind.Service, tax *peerfind.Taxonomy) (*Tables, error) {
	t := &Tables{Rows: map[string]map[string]map[string]any{}, Order: map[string][]string{}}
	for _, s := range recs {
		b, err := json.Marshal(peerfind.ToHSDS(s, tax))
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, err
		}
		t.add("service", m)
	}
	// Taxonomies of the terms.
	for _, id := range t.Order["taxonomy_term"] {
		row := t.Rows["taxonomy_term"][id]
		name, _ := row["taxonomy"].(string)
		id, _ := row["taxonomy_id"].(string)
		if id == "" {
			continue
		}
		desc := "peerfind's peer-support taxonomy, facet " + strings.TrimPrefix(name, "peerfind:")
		switch name {
		case peerfind.TaxonomyMeta:
			desc = "peerfind fields that HSDS has no column for; the attribute value holds the field"
		case peerfind.TaxonomySource:
			desc = "terms of the sources' own taxonomies, kept as the sources gave them"
		}
		t.put("taxonomy", map[string]any{"id": id, "name": name, "description": desc,
			"uri": "https://github.com/peerfind/peerfind/blob/main/data/taxonomy/taxonomy.json"})
	}
	return t, nil
}

func (t *Tables) put(table string, row map[string]any) {
	id, _ := row["id"].(string)
	if t.Rows[table] == nil {
		t.Rows[table] = map[string]map[string]any{}
	}
	if _, ok := t.Rows[table][id]; !ok {
		t.Rows[table][id] = row
		t.Order[table] = append(t.Order[table], id)
	}
}

func (t *Tables) add(table string, obj map[string]any) {
	row := map[string]any{}
	for k, v := range obj {
		child, nested := childTables[k]
		switch x := v.(type) {
		case map[string]any:
			if nested {
				t.add(child, x)
			}
		case []any:
			if nested {
				for _, e := range x {
					if m, ok := e.(map[string]any); ok {
						t.add(child, m)
					}
				}
			}
		default:
			row[k] = v
		}
	}
	if table == "address" && !completeAddress(row) {
		return // kept as the location's peerfind:meta partial_address attribute
	}
	t.put(table, row)
}

// WritePackage writes the records as an HSDS 3.0 tabular data package in
// dir: one CSV per table of the HSDS descriptor (header only when empty)
// and datapackage.json.
func WritePackage(dir string, recs []*peerfind.Service, tax *peerfind.Taxonomy) error {
	dp, err := HSDSPackage()
	if err != nil {
		return err
	}
	tables, err := Flatten(recs, tax)
	if err != nil {
		return fmt.Errorf("write package: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write package: %w", err)
	}
	for _, r := range dp.Resources {
		if err := writeTable(filepath.Join(dir, r.Path), r.Schema.Fields, tables.Rows[r.Name], tables.Order[r.Name]); err != nil {
			return fmt.Errorf("write package: %s: %w", r.Path, err)
		}
	}
	// The descriptor is HSDS's own, with the package's name and title.
	var raw map[string]any
	if err := json.Unmarshal(DataPackageJSON, &raw); err != nil {
		return err
	}
	raw["name"] = "peerfind-hsds"
	raw["title"] = "peerfind peer-support directory (HSDS 3.0)"
	raw["description"] = "Peer-support groups and services gathered by peerfind, as HSDS 3.0 tables. " +
		"Peer-support terms, meeting details and provenance are attributes (taxonomies peerfind:*). " +
		"Each record keeps its source's license in the provenance.* attributes."
	b, err := json.MarshalIndent(raw, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "datapackage.json"), append(b, '\n'), 0o644)
}

func writeTable(path string, fields []Field, rows map[string]map[string]any, ids []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	w := csv.NewWriter(bw)
	head := make([]string, len(fields))
	for i, fl := range fields {
		head[i] = fl.Name
	}
	if err := w.Write(head); err != nil {
		return err
	}
	for _, id := range ids {
		rec := make([]string, len(fields))
		for i, fl := range fields {
			rec[i] = cell(rows[id][fl.Name])
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// WriteMeetingGuide writes the recurring groups among recs as a Meeting
// Guide feed (a JSON array; see peerfind.MeetingGuideFeed).
func WriteMeetingGuide(w io.Writer, recs []*peerfind.Service, tax *peerfind.Taxonomy) error {
	feed := peerfind.MeetingGuideFeed(recs, tax)
	if feed == nil {
		feed = []peerfind.MeetingGuideMeeting{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(feed); err != nil {
		return fmt.Errorf("write meeting guide feed: %w", err)
	}
	return nil
}

func completeAddress(row map[string]any) bool {
	for _, k := range []string{"address_1", "city", "state_province", "postal_code", "country"} {
		if v, _ := row[k].(string); v == "" {
			return false
		}
	}
	return true
}
