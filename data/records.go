package data

import (
	"context"
	"embed"
	"fmt"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest"
)

// RecordsFS holds the shipped default dataset: peerfind record files
// (gzipped JSON Lines) under records/. records/README.md says where each
// came from and under which terms; indexer/cmd/dataset builds them.
//
//go:embed records/*.jsonl.gz
var RecordsFS embed.FS

// RecordFiles are the paths in RecordsFS of the shipped record files.
var RecordFiles = []string{
	"records/meeting-guide.jsonl.gz",
	"records/san-mateo-ohana.jsonl.gz",
}

// Records reads the shipped dataset, validating every record against the
// shipped taxonomy. The report sums the files'; skipped items are named
// "records/<file>: line n".
func Records(ctx context.Context) ([]*peerfind.Service, *peerfind.Report, error) {
	tax, err := Taxonomy()
	if err != nil {
		return nil, nil, err
	}
	all := &peerfind.Report{Source: "data/records"}
	var recs []*peerfind.Service
	for _, name := range RecordFiles {
		f, err := RecordsFS.Open(name)
		if err != nil {
			return nil, all, fmt.Errorf("open shipped %s: %w", name, err)
		}
		rs, rep, err := ingest.ReadRecords(ctx, f, tax)
		f.Close()
		if err != nil {
			return nil, all, fmt.Errorf("read shipped %s: %w", name, err)
		}
		all.Read += rep.Read
		all.Kept += rep.Kept
		for _, is := range rep.Skipped {
			all.Skipped = append(all.Skipped, peerfind.Issue{Item: name + ": " + is.Item, Reason: is.Reason})
		}
		for _, is := range rep.Warnings {
			all.Warnings = append(all.Warnings, peerfind.Issue{Item: name + ": " + is.Item, Reason: is.Reason})
		}
		recs = append(recs, rs...)
	}
	return recs, all, nil
}
