package crawler

import (
	"net/http"
	"os"
	"testing"
)

func TestFollowHSDSNextPage(t *testing.T) {
	p1, err := os.ReadFile("testdata/hsds-page1.json")
	if err != nil {
		t.Fatal(err)
	}
	p2, err := os.ReadFile("testdata/hsds-page2.json")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/services", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Query().Get("page") {
		case "", "1":
			w.Write(p1)
		case "2":
			w.Write(p2)
		default:
			http.NotFound(w, r)
		}
	})
	s := newSite(t, mux)
	src := fast("County 211", s.URL+"/services?per_page=1")
	src.Kind, src.PeerOnly, src.MaxDepth = "hsds", true, 0 // Follow URLs need no depth
	recs, sum := crawl(t, testCrawler(t, src))
	if s.count("/services?page=2&per_page=1") != 1 {
		t.Errorf("next page not fetched: %v", s.paths())
	}
	if len(recs) < 2 || sum.Records["County 211"]["hsds"] != len(recs) {
		t.Errorf("%d records, summary %v", len(recs), sum.Records)
	}
}
