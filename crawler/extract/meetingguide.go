package extract

import (
	"bytes"
	"context"
	"strings"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest/meetingguide"
)

// extractMeetingGuide reads a Meeting Guide feed with the indexer's
// tolerant reader, with a Source built from the page: feed name from the
// source name (else the host), the page URL, the source's license and
// attribution, US defaults (country US, English), and the fellowship's
// terms when the source name or host says which it is.
func extractMeetingGuide(ctx context.Context, p Page, tax *peerfind.Taxonomy, res *Result) error {
	res.Extractor = KindMeetingGuide
	src := meetingguide.Source{
		Feed:        feedID(p),
		Name:        p.Source.Name,
		URL:         res.Report.Source,
		License:     p.Source.License,
		Attribution: p.Source.Attribution,
		Retrieved:   p.Retrieved.UTC().Format("2006-01-02"),
		Country:     "US",
		Language:    "en",
	}
	if src.Name == "" {
		src.Name = src.Feed
	}
	if p.URL != nil && (p.URL.Scheme == "http" || p.URL.Scheme == "https") {
		src.Website = p.URL.Scheme + "://" + p.URL.Host + "/"
	}
	hint := strings.ToLower(p.Source.Name + " " + src.Feed)
	switch {
	case strings.Contains(hint, "al-anon") || strings.Contains(hint, "alanon") || strings.Contains(hint, "alateen"):
		src.Categories, src.Populations, src.Conditions = []string{"family-support-group"}, []string{"families"}, []string{"alcohol"}
	case strings.Contains(hint, "narcotics anonymous") || strings.HasPrefix(src.Feed, "na"):
		src.Conditions = []string{"drugs"}
	case strings.Contains(hint, "alcoholics anonymous") || strings.HasPrefix(src.Feed, "aa") || strings.Contains(hint, " aa "):
		src.Conditions = []string{"alcohol"}
	}
	recs, rep, err := meetingguide.Read(ctx, bytes.NewReader(p.Body), src, tax)
	if rep != nil {
		rep.Source = res.Report.Source
		res.Report = rep
	}
	if err != nil {
		return err
	}
	for _, s := range recs {
		warn := func(format string, args ...any) { res.Report.Warn(s.ID, format, args...) }
		sanitize(s, warn)
		if err := s.Validate(tax); err != nil {
			res.Report.Skip(s.ID, "%v", err)
			continue
		}
		if len(res.Records) >= MaxRecords {
			res.Report.Skip(s.ID, "more than %d records in the feed", MaxRecords)
			continue
		}
		res.Records = append(res.Records, s)
	}
	return nil
}

// feedID is a short id-safe name for the source: its name, else the host.
func feedID(p Page) string {
	name := p.Source.Name
	if name == "" && p.URL != nil {
		name = p.URL.Hostname()
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-.")
	if len(out) > 60 {
		out = strings.Trim(out[:60], "-.")
	}
	if out == "" {
		out = "feed"
	}
	return out
}
