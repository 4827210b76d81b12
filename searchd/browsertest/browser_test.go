// Package browsertest drives the widget and the web pages in a real,
// headless Chromium (Debian's /usr/bin/chromium, through the npm package
// playwright-core; no browser is ever downloaded).
//
// TestBrowser builds a small index from fixture records, one of them with
// a hostile name, serves searchd on one loopback origin and a partner page
// that embeds the widget under a strict Content-Security-Policy on a
// second one, then runs run.mjs with node. It skips when chromium or
// node_modules are missing (.ci/run installs both).
//
// Run it with:
//
//	cd searchd/browsertest && npm ci && go test -v .
//
// Screenshots go to searchd/browsertest/test-output/. With
// PEERFIND_SERVE=1 the test only serves both origins until interrupted,
// printing their URLs, for working on the widget by hand.
package browsertest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer"
	"github.com/peerfind/peerfind/indexer/geocode"
	"github.com/peerfind/peerfind/searchd"
)

// chromium is Debian's Chromium, installed by .ci/run.
const chromium = "/usr/bin/chromium"

// HostileName is the name of a fixture record that would run script if a
// page inserted it as HTML.
const HostileName = `<img src=x onerror=alert(1)>`

// fixtures reads the searchd test records and adds variants, so that
// there are several pages of results, and the hostile record.
func fixtures(t *testing.T) []*peerfind.Service {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "services.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []*peerfind.Service
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var s peerfind.Service
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, &s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	base := recs[0] // a women's AA meeting in San Jose
	for i := 1; i <= 12; i++ {
		c := clone(t, base)
		c.ID = fmt.Sprintf("sj-support-group-%d", i)
		c.Name = fmt.Sprintf("Wednesday Support Group %d", i)
		c.Provenance.SourceID = c.ID
		if i%3 == 0 {
			c.Populations = []string{"lgbtq"}
			c.Attendance = []string{"online"}
			c.Meeting.ConferenceURL = "https://meet.example.org/room" + fmt.Sprint(i)
		}
		if i%4 == 0 {
			c.Languages = []string{"es"}
		}
		recs = append(recs, c)
	}
	// Long ids make long links, whose QR codes need larger versions (8
	// with two block groups, 10 with a 16-bit length).
	for _, n := range []int{100, 160} {
		c := clone(t, base)
		c.ID = "sj-long-" + strings.Repeat("x", n-8)
		c.Name = fmt.Sprintf("Long id group %d", n)
		c.Provenance.SourceID = c.ID
		recs = append(recs, c)
	}
	h := clone(t, base)
	h.ID = "sj-hostile"
	h.Name = HostileName
	h.Description = `Support group <script>alert(2)</script> "quoted" & more`
	h.Provenance.SourceID = h.ID
	recs = append(recs, h)
	return recs
}

func clone(t *testing.T, s *peerfind.Service) *peerfind.Service {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var c peerfind.Service
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// serve starts h on a free loopback port and returns its origin.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String()
}

// partnerCSP is the partner page's policy: no inline script or style,
// scripts, styles and requests only to itself and peerfind.
func partnerCSP(api string) string {
	return fmt.Sprintf("default-src 'none'; script-src %[1]s; style-src 'self' %[1]s; connect-src %[1]s; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", api)
}

// partnerPage is a partner site's page with the widget and presets.
func partnerPage(api, attrs, lang string) string {
	return `<!doctype html>
<html lang="` + lang + `"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>County Behavioral Health: find a support group</title>
<link rel="stylesheet" href="/partner.css">
<script async src="` + api + `/widget/v1/peerfind.js"></script>
</head><body>
<header><h1>County Behavioral Health</h1><p>Find a peer-support group near you.</p></header>
<main>
<peerfind-search ` + attrs + `></peerfind-search>
</main>
<footer><p>Partner footer</p></footer>
</body></html>`
}

// partnerCSS is deliberately hostile to embedded widgets.
const partnerCSS = `* { font-family: Georgia, serif; } body { margin: 0 auto; max-width: 60rem; padding: 1rem; background: #fff; color: #222; }
button, input, a, li, div { color: red !important; border: 3px dashed purple !important; }
h1 { color: #222 !important; font-size: 1.6rem; }`

// newServer builds an index of the fixtures in a temporary folder and
// returns a searchd.Server over it.
func newServer(t *testing.T) *searchd.Server {
	t.Helper()
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "index")
	recs := fixtures(t)
	_, err = indexer.Build(context.Background(), dir, recs, indexer.BuildOptions{Taxonomy: tax})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := indexer.Open(dir, tax)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	gaz, err := geocode.New(data.GazetteerFS, geocode.WithBoundariesFS(data.BoundariesFS))
	if err != nil {
		t.Fatal(err)
	}
	lines, err := data.NationalLines()
	if err != nil {
		t.Fatal(err)
	}
	srv := &searchd.Server{Searcher: idx, Geocoder: gaz, Taxonomy: tax, Lines: lines, PlaceAttribution: data.GazetteerAttribution}
	return srv
}

func TestBrowser(t *testing.T) {
	serveOnly := os.Getenv("PEERFIND_SERVE") == "1"
	_, errChrome := os.Stat(chromium)
	_, errModules := os.Stat(filepath.Join("node_modules", "playwright-core"))
	_, errNode := exec.LookPath("node")
	if !serveOnly && (errChrome != nil || errModules != nil || errNode != nil) {
		t.Skip("SKIPPING: chromium or node not installed (CI installs them): need " + chromium + ", node, and `npm ci` in searchd/browsertest")
	}

	srv := newServer(t)
	if serveOnly {
		srv.WidgetFS = os.DirFS(filepath.Join("..", "widget"))
	}
	api := serve(t, srv.Handler())

	mux := http.NewServeMux()
	page := func(attrs, lang string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", partnerCSP(api))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, partnerPage(api, attrs, lang))
		}
	}
	mux.HandleFunc("GET /{$}", page(`near="95112" per-page="5" accent="#6a1b9a"`, "en"))
	mux.HandleFunc("GET /es", page(`near="San Jose, CA" ui="es" per-page="5"`, "es"))
	mux.HandleFunc("GET /preset", page(`near="95112" population="lgbtq" remote="true" per-page="5"`, "en"))
	mux.HandleFunc("GET /rural", page(`near="59001" per-page="5"`, "en"))
	mux.HandleFunc("GET /rural-es", page(`near="59001" ui="es" per-page="5"`, "es"))
	mux.HandleFunc("GET /apart", page(`near="95112" remote="apart" per-page="5"`, "en"))
	mux.HandleFunc("GET /partner.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, partnerCSS)
	})
	partner := serve(t, mux)

	if serveOnly {
		fmt.Printf("searchd: %s/\npartner: %s/  (also /es, /preset)\nCtrl-C to stop\n", api, partner)
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		<-ctx.Done()
		return
	}

	out, err := filepath.Abs("test-output")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "run.mjs")
	cmd.Env = append(os.Environ(),
		"PEERFIND_API="+api,
		"PEERFIND_PARTNER="+partner,
		"PEERFIND_CHROMIUM="+chromium,
		"PEERFIND_OUT="+out,
		"PEERFIND_HOSTILE="+HostileName,
	)
	cmd.Stdout, cmd.Stderr = &testWriter{t: t}, &testWriter{t: t}
	if err := cmd.Run(); err != nil {
		t.Fatalf("browser tests failed: %v", err)
	}
}

// testWriter sends node's output to the test log, line by line.
type testWriter struct {
	t   *testing.T
	buf []byte
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := strings.IndexByte(string(w.buf), '\n')
		if i < 0 {
			break
		}
		w.t.Log(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}
