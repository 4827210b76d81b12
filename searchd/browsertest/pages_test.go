package browsertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestPages checks the server-rendered pages without a browser, so that
// they are tested even where Chromium is not installed.
func TestPages(t *testing.T) {
	h := newServer(t).Handler()
	get := func(path string) (*http.Response, string) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		res := rec.Result()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}

	res, body := get("/?q=support&near=95112&per_page=5")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("search page: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	csp := res.Header.Get("Content-Security-Policy")
	if strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q is not strict", csp)
	}
	for _, want := range []string{`<li class="result">`, `href="/?near=95112&amp;per_page=5&amp;population=lgbtq&amp;q=support"`, `rel="next"`, `href="tel:4085550101"`, `within 5 mi of ZIP 95112`} {
		if !strings.Contains(body, want) {
			t.Errorf("search page lacks %s", want)
		}
	}
	for _, bad := range []string{"<script", " style="} {
		if strings.Contains(body, bad) {
			t.Errorf("search page contains %q", bad)
		}
	}

	// Remote services are labelled; with remote=apart they get their own
	// section after the in-person list.
	_, body = get("/?near=95112&remote=apart")
	for _, want := range []string{`<span class="mode">By phone</span>`, `<h2 id="remote-h" class="section">Online and phone groups (`, `<option value="apart" selected>`} {
		if !strings.Contains(body, want) {
			t.Errorf("remote=apart page lacks %s", want)
		}
	}
	if i, j := strings.Index(body, `id="results-h"`), strings.Index(body, `id="remote-h"`); i < 0 || j < i {
		t.Error("the remote section does not follow the in-person results")
	}

	// Nothing nearby is never a dead end: farther matches, remote groups
	// and national lines, in that order, with working links.
	_, body = get("/?near=59001")
	order := []string{`Nothing in person nearby`, `Nearest, farther away`, `id="nearby-remote-h"`, `National lines`, `href="tel:18006624357"`}
	last := -1
	for _, want := range order {
		i := strings.Index(body, want)
		if i < 0 || i < last {
			t.Errorf("nothing-nearby page: %q missing or out of order", want)
		}
		last = i
	}
	_, body = get("/?near=59001&ui=es")
	for _, want := range []string{`Nada presencial cerca`, `Líneas nacionales`} {
		if !strings.Contains(body, want) {
			t.Errorf("Spanish nothing-nearby page lacks %s", want)
		}
	}

	_, body = get("/?q=onerror")
	if strings.Contains(body, HostileName) || !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Error("the hostile name is not escaped on the search page")
	}

	res, body = get("/services/sj-hostile?ui=es")
	if res.StatusCode != 200 {
		t.Fatalf("service page: %d", res.StatusCode)
	}
	m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("service page has no JSON-LD")
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
		t.Fatalf("JSON-LD: %v", err)
	}
	if ld["@type"] != "Service" || ld["name"] != HostileName {
		t.Errorf("JSON-LD = %v", ld)
	}
	if strings.Contains(m[1], "<img") {
		t.Error("JSON-LD is not escaped")
	}
	if !strings.Contains(body, `<html lang="es">`) || !strings.Contains(body, "Volver a la búsqueda") {
		t.Error("?ui=es does not give the Spanish page")
	}

	for path, want := range map[string]int{
		"/services/no-such-id":     404,
		"/?near=San+Jsoe,+CA":      400,
		"/static/site.css":         200,
		"/widget/v1/peerfind.js":   200,
		"/widget/v1/peerfind.css":  200,
		"/api/v1/search?q=support": 200,
		"/no/such/page":            404,
	} {
		if res, _ := get(path); res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
	if _, body := get("/?near=San+Jsoe,+CA"); !strings.Contains(body, "San Jose, CA</a>") {
		t.Error("an unknown place does not offer its candidates as links")
	}
}
