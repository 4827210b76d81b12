package extract

import (
	"bytes"
	"context"
	"strconv"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/indexer/ingest/hsds"
)

// PageParam is the query parameter that selects the page of an HSDS API
// list ("/services?page=2"). Follow URLs keep the other parameters.
const PageParam = "page"

// extractHSDS reads HSDS JSON with indexer/ingest/hsds. Records of a
// source that is not peer-only and that no term classifies as peer
// support are skipped ("not peer support"); a peer-only source's
// unclassified services become peer-delivered-service. For a paged list
// that is not the last page, the next page's URL goes to Follow.
func extractHSDS(ctx context.Context, p Page, tax *peerfind.Taxonomy, res *Result) error {
	res.Extractor = KindHSDS
	src := hsds.Source{
		Prefix:      "hsds-" + feedID(p),
		Name:        p.Source.Name,
		URL:         res.Report.Source,
		Retrieved:   p.Retrieved.UTC().Format("2006-01-02"),
		License:     p.Source.License,
		Attribution: p.Source.Attribution,
	}
	if src.URL == "" {
		src.URL = "about:hsds"
	}
	if p.Source.PeerOnly {
		src.DefaultCategory = "peer-delivered-service"
	}
	recs, rep, pg, err := hsds.Read(ctx, bytes.NewReader(p.Body), src, tax)
	if rep != nil {
		rep.Source = res.Report.Source
		res.Report = rep
	}
	if err != nil {
		return err
	}
	for _, s := range recs {
		sanitize(s, func(format string, args ...any) { res.Report.Warn(s.ID, format, args...) })
		if err := s.Validate(tax); err != nil {
			res.Report.Skip(s.ID, "%v", err)
			continue
		}
		res.Records = append(res.Records, s)
	}
	if pg.Next > 0 && p.URL != nil {
		u := *p.URL
		q := u.Query()
		q.Set(PageParam, strconv.Itoa(pg.Next))
		u.RawQuery = q.Encode()
		res.Follow = append(res.Follow, u.String())
	}
	return nil
}
