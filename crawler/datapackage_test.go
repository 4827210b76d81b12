package crawler

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/peerfind/peerfind"
)

// pkgFixture returns the fixture descriptor with extra resources appended
// (name → path) and the fixture's CSV tables by file name.
func pkgFixture(t *testing.T, extra ...[2]string) ([]byte, map[string][]byte) {
	t.Helper()
	desc, err := os.ReadFile("testdata/datapackage/datapackage.json")
	if err != nil {
		t.Fatal(err)
	}
	var dp map[string]any
	if err := json.Unmarshal(desc, &dp); err != nil {
		t.Fatal(err)
	}
	res := dp["resources"].([]any)
	for _, e := range extra {
		res = append(res, map[string]any{"name": e[0], "path": e[1]})
	}
	dp["resources"] = res
	desc, err = json.Marshal(dp)
	if err != nil {
		t.Fatal(err)
	}
	csvs := map[string][]byte{}
	names, _ := filepath.Glob("testdata/datapackage/*.csv")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		csvs[filepath.Base(n)] = b
	}
	if len(csvs) == 0 {
		t.Fatal("no CSV fixtures")
	}
	return desc, csvs
}

// servePackage serves desc at dir/datapackage.json and the tables under
// dir/, except those in missing (404).
func servePackage(mux *http.ServeMux, dir string, desc []byte, csvs map[string][]byte, missing ...string) {
	mux.HandleFunc(dir+"datapackage.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"pkg-v1"`)
		w.Write(desc)
	})
	for name, body := range csvs {
		gone := false
		for _, m := range missing {
			gone = gone || m == name
		}
		mux.HandleFunc(dir+name, func(w http.ResponseWriter, r *http.Request) {
			if gone {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/csv")
			w.Write(body)
		})
	}
}

func TestDataPackage(t *testing.T) {
	desc, csvs := pkgFixture(t, [2]string{"taxonomy", "/private/taxonomy.csv"})
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
	})
	mux.HandleFunc("/private/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("id,name\n1,x\n"))
	})
	servePackage(mux, "/pkg/", desc, csvs)
	s := newSite(t, mux)
	src := fast("Example City directory", s.URL+"/pkg/datapackage.json")
	src.License, src.Attribution = "CC-BY-SA-4.0", "Open Referral"
	c := testCrawler(t, src)
	c.StatePath = filepath.Join(t.TempDir(), "state.json")
	recs, sum := crawl(t, c)

	if len(recs) != 1 || recs[0].Name != "Al-Anon Family Group" {
		t.Fatalf("records %v; summary:\n%s%+v", recNames(recs), sum, sum.Rejects)
	}
	r := recs[0]
	if !strings.HasPrefix(r.ID, "pkg-") || !strings.HasPrefix(r.Provenance.SourceURL, s.URL+"/pkg/datapackage.json") ||
		r.Provenance.SourceName != src.Name || r.Provenance.License != "CC-BY-SA-4.0" {
		t.Errorf("record %s provenance %+v", r.ID, r.Provenance)
	}
	if err := r.Validate(taxonomy(t)); err != nil {
		t.Errorf("record %s: %v", r.ID, err)
	}
	if got := sum.Records[src.Name][KindHSDSPackage]; got != 1 {
		t.Errorf("summary records = %v", sum.Records)
	}
	for name := range csvs {
		if n := s.count("/pkg/" + name); n != 1 {
			t.Errorf("%s fetched %d times, want 1", name, n)
		}
	}
	if n := s.count("/private/taxonomy.csv"); n != 0 || sum.RobotsSkipped != 1 {
		t.Errorf("disallowed table fetched %d times, robots skipped %d", n, sum.RobotsSkipped)
	}
	if !hasReject(sum, s.URL+"/pkg/datapackage.json", "private/taxonomy.csv missing") {
		t.Errorf("missing table not reported: %+v", sum.Rejects)
	}
	// Services of the general directory that are not peer support are
	// reported, not emitted.
	if !hasReject(sum, s.URL+"/pkg/datapackage.json", "not peer support") {
		t.Errorf("skipped services not reported: %+v", sum.Rejects)
	}

	// A second run refetches the package (no conditional request) and
	// emits the same record.
	recs2, _ := crawl(t, c)
	if len(recs2) != 1 || recs2[0].ID != r.ID {
		t.Errorf("second run records %v", recNames(recs2))
	}
	if n := s.count("/pkg/services.csv"); n != 2 {
		t.Errorf("services.csv fetched %d times over two runs, want 2", n)
	}
	s.mu.Lock()
	for _, h := range s.hits {
		if h.path == "/pkg/datapackage.json" && h.hdr.Get("If-None-Match") != "" {
			t.Errorf("conditional request for a package descriptor")
		}
	}
	s.mu.Unlock()
}

func TestDataPackageMissing(t *testing.T) {
	desc, csvs := pkgFixture(t)
	descA, _ := pkgFixture(t, [2]string{"extra", "http://elsewhere.invalid/extra.csv"})
	var noServices map[string]any
	if err := json.Unmarshal(desc, &noServices); err != nil {
		t.Fatal(err)
	}
	var keep []any
	for _, r := range noServices["resources"].([]any) {
		if r.(map[string]any)["path"] != "services.csv" {
			keep = append(keep, r)
		}
	}
	noServices["resources"] = keep
	descC, _ := json.Marshal(noServices)

	mux := http.NewServeMux()
	servePackage(mux, "/a/", descA, csvs, "phones.csv")  // a table missing, one off site
	servePackage(mux, "/b/", desc, csvs, "services.csv") // the services table missing
	servePackage(mux, "/c/", descC, csvs)                // no services resource
	s := newSite(t, mux)
	src := fast("Broken packages", s.URL+"/a/datapackage.json", s.URL+"/b/datapackage.json", s.URL+"/c/datapackage.json")
	recs, sum := crawl(t, testCrawler(t, src))

	if len(recs) != 1 || recs[0].Name != "Al-Anon Family Group" {
		t.Errorf("records %v; rejects %+v", recNames(recs), sum.Rejects)
	}
	if !hasReject(sum, s.URL+"/a/datapackage.json", "phones.csv missing") {
		t.Errorf("missing phones.csv not reported: %+v", sum.Rejects)
	}
	if !hasReject(sum, "http://elsewhere.invalid/extra.csv", "not allowed") {
		t.Errorf("off-site table not reported: %+v", sum.Rejects)
	}
	if !hasReject(sum, s.URL+"/b/datapackage.json", "no services table received") {
		t.Errorf("missing services.csv not reported: %+v", sum.Rejects)
	}
	if !hasReject(sum, s.URL+"/c/datapackage.json", "has no services table") {
		t.Errorf("package without services not rejected: %+v", sum.Rejects)
	}
	if n := s.count("/c/organizations.csv"); n != 0 {
		t.Errorf("tables of a package without services fetched %d times", n)
	}
	if sum.Errors["internal"] != 0 {
		t.Errorf("internal errors: %+v", sum.Rejects)
	}
}

func recNames(recs []*peerfind.Service) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.ID+" "+r.Name)
	}
	return out
}
