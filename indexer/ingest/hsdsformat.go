package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest/tabular"
)

// hsdsKeys reports whether the top-level keys are those of an HSDS 3.0
// service or API page rather than of a peerfind record or an Ohana export.
func hsdsKeys(keys map[string]bool) bool {
	return keys["total_items"] || keys["service_at_locations"] ||
		(keys["id"] && keys["status"] && (keys["organization_id"] || keys["organization"] || keys["attributes"]))
}

// hsdsArray reports whether a JSON array's first element is an HSDS
// service (a Meeting Guide feed's meetings have day, time and slug).
func hsdsArray(head []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(head))
	if _, err := dec.Token(); err != nil {
		return false
	}
	var first map[string]json.RawMessage
	if err := dec.Decode(&first); err != nil {
		return false
	}
	keys := map[string]bool{}
	for k := range first {
		keys[k] = true
	}
	return hsdsKeys(keys) && !keys["day"] && !keys["slug"]
}

// tabularSource derives the source of a file or folder read from disk.
func tabularSource(path string) (tabular.Source, error) {
	retrieved, err := modDate(path)
	if err != nil {
		return tabular.Source{}, err
	}
	base := filepath.Base(filepath.Clean(path))
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	prefix := strings.Trim(feedName.ReplaceAllString(strings.ToLower(base), "-"), "-.")
	if prefix == "" {
		prefix = "data"
	}
	return tabular.Source{Prefix: "hsds-" + prefix, Name: base, URL: fileURL(path), Retrieved: retrieved}, nil
}

// readHSDS reads HSDS 3.0 JSON (see tabular.ReadJSON).
func readHSDS(ctx context.Context, r io.Reader, path string, tax *peerfind.Taxonomy) ([]*peerfind.Service, *peerfind.Report, error) {
	src, err := tabularSource(path)
	if err != nil {
		return nil, nil, err
	}
	recs, res, err := tabular.ReadJSON(ctx, r, src, tax)
	return recs, res.Report, err
}

// readTabular reads a folder of HSDS CSV tables (see tabular.Read).
func readTabular(ctx context.Context, dir string, tax *peerfind.Taxonomy) ([]*peerfind.Service, *peerfind.Report, error) {
	if !tabular.IsTabular(dir) {
		return nil, nil, fmt.Errorf("read %s: %w: a folder without services.csv", dir, ErrUnknownFormat)
	}
	src, err := tabularSource(dir)
	if err != nil {
		return nil, nil, err
	}
	recs, res, err := tabular.Read(ctx, dir, src, tax)
	if res != nil && res.Report != nil {
		res.Report.Source = dir
	}
	if err != nil {
		return recs, res.Report, fmt.Errorf("read %s: %w", dir, err)
	}
	return recs, res.Report, nil
}

// hsdsDocument reports whether head, a JSON object spread over several
// lines (a pretty-printed API answer), is an HSDS service or page.
func hsdsDocument(head []byte) bool {
	keys, err := topKeys(head)
	return err == nil && hsdsKeys(keys)
}
