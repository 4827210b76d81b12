// Dataset builds peerfind's shipped default dataset (data/records) from the
// real public data in the shared data folder: the ten Meeting Guide feeds
// and the 2013 San Mateo County Ohana export. The output is deterministic:
// records sorted by id, gzip without a timestamp, fixed retrieval dates,
// so running it again on the same input gives the same bytes.
//
//	go run ./indexer/cmd/dataset -shared ../shared/data -out data/records
//
// Run it from the repository root: it reads the taxonomy from
// data/taxonomy/taxonomy.json (-taxonomy).
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest"
	"github.com/peerfind/peerfind/indexer/ingest/meetingguide"
	"github.com/peerfind/peerfind/indexer/ingest/ohana"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, os.Args[1:], log); err != nil {
		log.Error("dataset failed", "err", err)
		os.Exit(1)
	}
}

// retrieved is the date the shared data was gathered; a constant so the
// output does not change from run to run.
const retrieved = "2026-11-23"

// tsmlUI is where the Meeting Guide feed snapshots were published.
const tsmlUI = "https://github.com/code4recovery/tsml-ui/blob/"

// feed is one Meeting Guide feed of the shared data and its source.
type feed struct {
	file   string // file name in meeting-guide-feeds/
	commit string // tsml-ui commit of the snapshot
	path   string // path in tsml-ui
	src    meetingguide.Source
}

// feeds are the Meeting Guide feeds, named as meeting-guide-feeds/PROVENANCE.md
// names them.
var feeds = []feed{
	{"aasanjose.json.gz", "7e46889894c583645e27d438169352c552f7596c", "public/data/aasanjose.test.json", meetingguide.Source{
		Feed: "aasanjose", Name: "AA Santa Clara County (San Jose)", Country: "US", Timezone: "America/Los_Angeles",
		Language: "en", Conditions: []string{"alcohol"}}},
	{"aasepia.json.gz", "7555936d470be02600e1e180c056881601fcf7b5", "public/data/aasepia.json", meetingguide.Source{
		Feed: "aasepia", Name: "AA Southeastern Pennsylvania Intergroup (Philadelphia area)", Website: "https://www.aasepia.org",
		Country: "US", Timezone: "America/New_York", Language: "en", Conditions: []string{"alcohol"}}},
	{"aasfmarin.json.gz", "f35a3dbb559f80e2f2acefeb90800a5bc61cd0cc", "public/data/aasfmarin.test.json", meetingguide.Source{
		Feed: "aasfmarin", Name: "AA San Francisco & Marin", Country: "US", Timezone: "America/Los_Angeles",
		Language: "en", Conditions: []string{"alcohol"}}},
	{"al-anon.json.gz", "7555936d470be02600e1e180c056881601fcf7b5", "public/data/al-anon.json", meetingguide.Source{
		Feed: "al-anon", Name: "Al-Anon Family Groups (Massachusetts area feed)", Country: "US", Timezone: "America/New_York",
		Language: "en", Categories: []string{"family-support-group"}, Populations: []string{"families"},
		Conditions: []string{"alcohol"}}},
	{"atlanta.json.gz", "7555936d470be02600e1e180c056881601fcf7b5", "public/data/atlanta.json", meetingguide.Source{
		Feed: "atlanta", Name: "Atlanta AA (sample feed)", Website: "https://atlantaaa.org", Country: "US",
		Timezone: "America/New_York", Language: "en", Conditions: []string{"alcohol"}}},
	{"benlomond.json.gz", "ccdf90fab53ad74fb499e2bc8206cd8f4dec3d01", "public/data/benlomond.test.json", meetingguide.Source{
		Feed: "benlomond", Name: "AA Ben Lomond (CA)", Website: "https://benlomondfellowship.org", Country: "US",
		Timezone: "America/Los_Angeles", Language: "en", Conditions: []string{"alcohol"}}},
	{"eda.json.gz", "c9bec38f601cada6c6f2739470674f24d9f4359e", "public/data/eda.json", meetingguide.Source{
		Feed: "eda", Name: "Eating Disorders Anonymous", Website: "https://eatingdisordersanonymous.org",
		Timezone: "America/New_York", MultiRegion: true, Language: "en", Conditions: []string{"eating-disorders"}}},
	{"edmonton.json.gz", "7555936d470be02600e1e180c056881601fcf7b5", "public/data/edmonton.json", meetingguide.Source{
		Feed: "edmonton", Name: "Edmonton AA (Canada)", Website: "http://edmontonaa.org", Country: "CA",
		Timezone: "America/Edmonton", Language: "en", Conditions: []string{"alcohol"}}},
	{"oc.json.gz", "d0c7304ce374c3d62a75a62061e5cfd185939ee5", "public/data/oc.json", meetingguide.Source{
		Feed: "oc", Name: "Orange County (CA) AA", Website: "https://oc-aa.org", Country: "US",
		Timezone: "America/Los_Angeles", Language: "en", Conditions: []string{"alcohol"}}},
	// PROVENANCE.md says "Sussex AA (UK)", but every address in the feed
	// is in Sussex County, Delaware (sussexaa.org).
	{"sussexaa.json.gz", "7555936d470be02600e1e180c056881601fcf7b5", "public/data/sussexaa.json", meetingguide.Source{
		Feed: "sussexaa", Name: "Sussex County AA (Delaware)", Website: "https://sussexaa.org", Country: "US",
		Timezone: "America/New_York", Language: "en", Conditions: []string{"alcohol"}}},
}

// Terms of the parts of the dataset.
const (
	mgLicense = "Public meeting list published for free sharing through the Meeting Guide API (no explicit license)"
	mgCredit  = "Meeting list © %s, published through the Meeting Guide API; snapshot from code4recovery/tsml-ui " +
		"(MIT, © 2023 Code for Recovery), individual contact fields removed"
	ohanaURL    = "https://github.com/codeforamerica/ohana-api/blob/441e4a7127ce013d8940065cd2fc8e945c68263c/data/organizations.json"
	ohanaCredit = "Copyright (c) 2013, Code for America; San Mateo County human services data"
)

var smc = ohana.Source{
	Prefix:      "smc",
	Name:        "San Mateo County human services directory (Ohana API, 2013)",
	URL:         ohanaURL,
	License:     "BSD-3-Clause",
	Attribution: ohanaCredit,
	Retrieved:   retrieved,
	Country:     "US",
	Timezone:    "America/Los_Angeles",
	Language:    "en",
}

// part is one output file and what went into it.
type part struct {
	file    string
	recs    []*peerfind.Service
	reports []*peerfind.Report
	names   []string // source names, parallel to reports
	kept    []string // Ohana: "id: reason" of the services kept
}

func run(ctx context.Context, args []string, log *slog.Logger) error {
	fl := flag.NewFlagSet("dataset", flag.ContinueOnError)
	shared := fl.String("shared", "../shared/data", "the shared data folder (with meeting-guide-feeds/ and ohana-smc/)")
	out := fl.String("out", "data/records", "output folder")
	taxPath := fl.String("taxonomy", "data/taxonomy/taxonomy.json", "the taxonomy file")
	if err := fl.Parse(args); err != nil {
		return err
	}
	// The taxonomy is read from the working tree, not from package data,
	// which embeds this command's output.
	tax, err := loadTaxonomy(*taxPath)
	if err != nil {
		return err
	}

	mg := &part{file: "meeting-guide.jsonl.gz"}
	for _, f := range feeds {
		src := f.src
		src.URL = tsmlUI + f.commit + "/" + f.path
		src.Retrieved = retrieved
		src.License = mgLicense
		src.Attribution = fmt.Sprintf(mgCredit, src.Name)
		recs, rep, err := readGzip(ctx, filepath.Join(*shared, "meeting-guide-feeds", f.file), func(r io.Reader) ([]*peerfind.Service, *peerfind.Report, error) {
			return meetingguide.Read(ctx, r, src, tax)
		})
		if err != nil {
			return err
		}
		log.Info("read feed", "feed", f.src.Feed, "summary", rep.Summary())
		mg.recs = append(mg.recs, recs...)
		mg.reports = append(mg.reports, rep)
		mg.names = append(mg.names, src.Name)
	}

	oh := &part{file: "san-mateo-ohana.jsonl.gz"}
	rd := &ohana.Reader{Source: smc, Taxonomy: tax, Explain: func(item, id string, v ohana.Verdict) {
		if v.Peer {
			oh.kept = append(oh.kept, fmt.Sprintf("`%s` (%s): %s", id, item, v.Reason))
		}
	}}
	recs, rep, err := readGzip(ctx, filepath.Join(*shared, "ohana-smc", "smc_services_2013.mongo.jsonl.gz"), func(r io.Reader) ([]*peerfind.Service, *peerfind.Report, error) {
		return rd.Read(ctx, r)
	})
	if err != nil {
		return err
	}
	log.Info("read ohana export", "summary", rep.Summary())
	oh.recs, oh.reports, oh.names = recs, []*peerfind.Report{rep}, []string{smc.Name}
	sort.Strings(oh.kept)

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	seen := map[string]string{}
	for _, p := range []*part{mg, oh} {
		sort.Slice(p.recs, func(i, j int) bool { return p.recs[i].ID < p.recs[j].ID })
		for _, s := range p.recs {
			if other, dup := seen[s.ID]; dup {
				return fmt.Errorf("record id %q in both %s and %s", s.ID, other, p.file)
			}
			seen[s.ID] = p.file
		}
		if err := writeGzip(filepath.Join(*out, p.file), p.recs); err != nil {
			return err
		}
		if err := check(ctx, filepath.Join(*out, p.file), tax, len(p.recs)); err != nil {
			return err
		}
		log.Info("wrote", "file", filepath.Join(*out, p.file), "records", len(p.recs))
	}
	if err := os.WriteFile(filepath.Join(*out, "REPORT.md"), report(mg, oh), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*out, "README.md"), readme(mg, oh), 0o644)
}

func loadTaxonomy(path string) (*peerfind.Taxonomy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tax, err := peerfind.LoadTaxonomy(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tax, nil
}

func readGzip(ctx context.Context, path string, read func(io.Reader) ([]*peerfind.Service, *peerfind.Report, error)) ([]*peerfind.Service, *peerfind.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	recs, rep, err := read(zr)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return recs, rep, nil
}

// writeGzip writes the records gzipped, with no name or time in the gzip
// header, so the bytes depend only on the records.
func writeGzip(path string, recs []*peerfind.Service) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := ingest.WriteRecords(zw, recs); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// check reads the written file back as the indexer will.
func check(ctx context.Context, path string, tax *peerfind.Taxonomy, want int) error {
	recs, rep, err := ingest.ReadFile(ctx, path, tax)
	if err != nil {
		return err
	}
	if len(recs) != want || len(rep.Skipped) > 0 {
		return fmt.Errorf("%s: read back %d of %d records (%s)", path, len(recs), want, rep.Summary())
	}
	return nil
}

// report summarizes what each source gave and why items were skipped.
func report(parts ...*part) []byte {
	var b strings.Builder
	b.WriteString("# Shipped dataset: import report\n\n")
	b.WriteString("Written by `go run ./indexer/cmd/dataset`; do not edit. Counts: entries or records read, " +
		"records kept (Meeting Guide entries of one recurring meeting become one record), " +
		"items skipped, and warnings (items kept with a repair or a missing part).\n\n")
	b.WriteString("| file | source | read | kept | skipped | warnings |\n|---|---|---:|---:|---:|---:|\n")
	for _, p := range parts {
		for i, rep := range p.reports {
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d |\n", p.file, p.names[i], rep.Read, rep.Kept, len(rep.Skipped), len(rep.Warnings))
		}
	}
	for _, p := range parts {
		for i, rep := range p.reports {
			fmt.Fprintf(&b, "\n## %s\n\n`%s`\n\n", p.names[i], rep.Source)
			fmt.Fprintf(&b, "Read %d, kept %d, skipped %d, warnings %d.\n", rep.Read, rep.Kept, len(rep.Skipped), len(rep.Warnings))
			writeReasons(&b, "Skip reasons", rep.Skipped)
			writeReasons(&b, "Warnings", rep.Warnings)
		}
		if len(p.kept) > 0 {
			fmt.Fprintf(&b, "\n### Kept as peer support (%d), with the reason\n\n", len(p.kept))
			for _, k := range p.kept {
				fmt.Fprintf(&b, "- %s\n", k)
			}
		}
	}
	return []byte(b.String())
}

// writeReasons lists the reasons by count; reasons given for fewer than
// 20 items also list the items.
func writeReasons(b *strings.Builder, title string, issues []peerfind.Issue) {
	if len(issues) == 0 {
		return
	}
	byReason := map[string][]string{}
	for _, is := range issues {
		byReason[is.Reason] = append(byReason[is.Reason], is.Item)
	}
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		a, c := len(byReason[reasons[i]]), len(byReason[reasons[j]])
		if a != c {
			return a > c
		}
		return reasons[i] < reasons[j]
	})
	fmt.Fprintf(b, "\n%s:\n\n", title)
	for _, r := range reasons {
		items := byReason[r]
		fmt.Fprintf(b, "- %d× %s", len(items), strings.ReplaceAll(r, "\n", " "))
		if len(items) < 20 {
			fmt.Fprintf(b, " — %s", strings.Join(items, ", "))
		}
		b.WriteString("\n")
	}
}

// readme states where each part came from and under what terms.
func readme(mg, oh *part) []byte {
	var b strings.Builder
	b.WriteString(`# data/records: the shipped default dataset

Peer-support records in peerfind's record format (JSON Lines, one
` + "`peerfind.Service`" + ` per line, gzipped), embedded in the binaries by
` + "`data/records.go`" + ` and indexed when the indexer is given no input. Built
from real public data by ` + "`go run ./indexer/cmd/dataset -shared ../shared/data -out data/records`" + `;
the build is deterministic. REPORT.md lists what was read, kept and skipped, and why.

Every record carries its provenance (source URL, source name, license,
attribution). The terms of each part:

`)
	fmt.Fprintf(&b, "## %s (%d records)\n\n", mg.file, len(mg.recs))
	b.WriteString(`Real Meeting Guide (TSML) feeds of the service bodies below, as snapshots
that the developers of code4recovery/tsml-ui (the official Meeting Guide /
TSML UI app; repository license MIT, © 2023 Code for Recovery) committed as
test data. The meeting lists belong to the service bodies that publish
them, for the free sharing the Meeting Guide API was built for; they carry
no explicit license. Individual contact fields (emails, phone numbers and
names of members) were removed before import. Credit each listing to its
publisher:

| feed | publisher | meetings read | records | snapshot |
|---|---|---:|---:|---|
`)
	for i, f := range feeds {
		rep := mg.reports[i]
		fmt.Fprintf(&b, "| %s | %s | %d | %d | [%s@%s](%s%s/%s) |\n", f.src.Feed, mg.names[i], rep.Read, rep.Kept,
			f.path, f.commit[:7], tsmlUI, f.commit, f.path)
	}
	fmt.Fprintf(&b, "\n## %s (%d records)\n\n", oh.file, len(oh.recs))
	fmt.Fprintf(&b, `The peer-support services among the 1,703 records of San Mateo County's
2013 human-services directory, from the Code for America Ohana API project
(codeforamerica/ohana-api, data/organizations.json at commit 441e4a7,
%s). License: BSD 3-Clause.
Attribution: "%s".

    Copyright (c) 2013, Code for America
    All rights reserved.

    Redistribution and use in source and binary forms, with or without
    modification, are permitted provided that the following conditions are met:

    * Redistributions of source code must retain the above copyright notice,
      this list of conditions and the following disclaimer.
    * Redistributions in binary form must reproduce the above copyright
      notice, this list of conditions and the following disclaimer in the
      documentation and/or other materials provided with the distribution.
    * Neither the name of Code for America nor the names of its contributors
      may be used to endorse or promote products derived from this software
      without specific prior written permission.

    THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
    AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
    IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
    ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE
    LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR
    CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF
    SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS
    INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
    CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)
    ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
    POSSIBILITY OF SUCH DAMAGE.

(The license text of codeforamerica/ohana-api's LICENSE.md.)

The data is from 2013: services may have changed or closed since. Each
record's assured_date is the date San Mateo County last updated it.
`, ohanaURL, ohanaCredit)
	return []byte(b.String())
}
