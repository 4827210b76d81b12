package tabular

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest/hsds"
	"github.com/peerfind/peerfind/indexer/ingest/internal/textutil"
)

// ReadJSON reads HSDS 3.0 services as JSON: NDJSON (one nested service per
// line, as export.WriteNDJSON and /hsds/services?format=ndjson write), a
// JSON array, or an API page. Services that peerfind exported are
// restored exactly; the others go through the HSDS reader, which
// classifies them.
func ReadJSON(ctx context.Context, r io.Reader, src Source, tax *peerfind.Taxonomy) ([]*peerfind.Service, *Result, error) {
	res := &Result{Version: "3.0", Report: &peerfind.Report{Source: src.URL}}
	rep := res.Report
	b, err := io.ReadAll(io.LimitReader(r, MaxJSONSize+1))
	if err != nil {
		return nil, res, fmt.Errorf("hsds json: %w", err)
	}
	if len(b) > MaxJSONSize {
		return nil, res, fmt.Errorf("hsds json: larger than %d bytes", MaxJSONSize)
	}
	b = bytes.TrimSpace(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	var raws []json.RawMessage
	switch {
	case len(b) > 0 && b[0] == '[':
		if err := json.Unmarshal(b, &raws); err != nil {
			return nil, res, fmt.Errorf("hsds json: %w", err)
		}
	default:
		var page struct {
			Contents   []json.RawMessage `json:"contents"`
			TotalItems json.RawMessage   `json:"total_items"`
		}
		if json.Unmarshal(b, &page) == nil {
			// One JSON document: an API page or a single service.
			if page.Contents != nil || page.TotalItems != nil {
				raws = page.Contents
			} else {
				raws = []json.RawMessage{b}
			}
			break
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for n := 1; sc.Scan(); n++ {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			if !json.Valid(line) {
				rep.Read++
				rep.Skip(fmt.Sprintf("line %d", n), "not JSON")
				continue
			}
			raws = append(raws, append(json.RawMessage(nil), line...))
		}
		if err := sc.Err(); err != nil {
			return nil, res, fmt.Errorf("hsds json: %w", err)
		}
	}
	var out []*peerfind.Service
	var foreign []json.RawMessage
	seen := map[string]bool{}
	for i, raw := range raws {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return out, res, err
			}
		}
		var h peerfind.HSDSService
		if err := json.Unmarshal(raw, &h); err != nil || !peerfind.IsPeerfindHSDS(&h) {
			foreign = append(foreign, raw)
			continue
		}
		rep.Read++
		s := peerfind.FromHSDS(&h)
		item := textutil.Truncate(h.ID+" "+h.Name, 120)
		if err := s.Validate(tax); err != nil {
			rep.Skip(item, "%v", err)
			continue
		}
		if seen[s.ID] {
			rep.Skip(item, "duplicate id %q", s.ID)
			continue
		}
		seen[s.ID] = true
		res.Verdicts = append(res.Verdicts, Verdict{Item: item, ID: s.ID, Peer: true, Reason: "peer support: peerfind export"})
		out = append(out, s)
	}
	recs, err := readForeign(ctx, foreign, src, tax, res, seen)
	out = append(out, recs...)
	if err != nil {
		return out, res, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	rep.Kept = len(out)
	return out, res, nil
}

// MaxJSONSize is the largest HSDS JSON input ReadJSON accepts, in bytes.
const MaxJSONSize = 512 << 20

// chunk is how many services go to the HSDS reader at once (it takes at
// most hsds.MaxServices from one input).
const chunk = 1000

// notPeer explains the HSDS reader's terse reason.
const notPeer = "not peer support (no peer-support category matched the name, description, keywords or taxonomy terms)"

// readForeign reads services that peerfind did not export with the HSDS
// reader, which classifies them, in chunks, skipping ids already seen.
func readForeign(ctx context.Context, raws []json.RawMessage, src Source, tax *peerfind.Taxonomy, res *Result, seen map[string]bool) ([]*peerfind.Service, error) {
	rep := res.Report
	var out []*peerfind.Service
	hs := hsds.Source{Prefix: src.Prefix, Name: src.Name, URL: src.URL, Retrieved: src.Retrieved,
		License: src.License, Attribution: src.Attribution, Timezone: src.Timezone}
	for lo := 0; lo < len(raws); lo += chunk {
		part := raws[lo:min(lo+chunk, len(raws))]
		arr, err := json.Marshal(part)
		if err != nil {
			return out, err
		}
		recs, hrep, _, err := hsds.Read(ctx, bytes.NewReader(arr), hs, tax)
		if err != nil {
			return out, err
		}
		rep.Read += hrep.Read
		rep.Warnings = append(rep.Warnings, hrep.Warnings...)
		for _, sk := range hrep.Skipped {
			if sk.Reason == "not peer support" {
				sk.Reason = notPeer
			}
			rep.Skipped = append(rep.Skipped, sk)
			res.Verdicts = append(res.Verdicts, Verdict{Item: sk.Item, Reason: sk.Reason})
		}
		for _, r := range recs {
			if seen[r.ID] {
				rep.Skip(r.Provenance.SourceID+" "+r.Name, "duplicate id %q", r.ID)
				continue
			}
			seen[r.ID] = true
			res.Verdicts = append(res.Verdicts, Verdict{Item: r.Provenance.SourceID + " " + r.Name, ID: r.ID, Peer: true,
				Reason: "peer support: categories " + strings.Join(r.Categories, ", ") + " matched the name, description, keywords or taxonomy terms"})
			out = append(out, r)
		}
	}
	return out, nil
}
