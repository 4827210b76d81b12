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
