package crawler

import (
	"net/http"
	"testing"
	"time"
)

func TestMeetingGuideFeed(t *testing.T) {
	body := feed(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/meetings.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	s := newSite(t, mux)
	src := fast("AA Test Intergroup", s.URL+"/meetings.json")
	src.Kind = "meeting-guide"
	recs, sum := crawl(t, testCrawler(t, src))
	if len(recs) != 3 {
		t.Fatalf("got %d records, want 3; summary:\n%s%+v", len(recs), sum, sum.Rejects)
	}
	for _, r := range recs {
		if err := r.Validate(taxonomy(t)); err != nil {
			t.Errorf("record %s: %v", r.ID, err)
		}
	}
	if got := sum.Records["AA Test Intergroup"]["meeting-guide"]; got != 3 {
		t.Errorf("summary records = %v", sum.Records)
	}
	_ = time.Second
}
