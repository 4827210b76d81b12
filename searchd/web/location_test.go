package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeAPI answers every search with body, as the JSON API would.
func fakeAPI(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	})
}

func getPage(t *testing.T, api http.Handler, path string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	(&Pages{API: api}).Search(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", path, rec.Code)
	}
	return rec.Body.String()
}

// inOrder reports the first of wants missing from body or out of order.
func inOrder(body string, wants ...string) string {
	at := 0
	for _, w := range wants {
		i := strings.Index(body[at:], w)
		if i < 0 {
			return w
		}
		at += i + len(w)
	}
	return ""
}

const facetsJSON = `"facets":{"attendance":{"label":"Attendance","terms":[{"id":"online","label":"Online","count":1,"selected":false}]}}`

// nothingNearbyJSON is an answer near a rural ZIP: no in-person match,
// with hostile text in the fields the block shows.
const nothingNearbyJSON = `{"query":{"q":"","near":"59001","remote":"mixed","page":1,"per_page":10,"sort":"relevance","ui":"en"},
"location":{"input":"59001","name":"ZIP 59001 (Absarokee, MT)","kind":"zip","radius_km":160.9,"radius_mi":100,"widened":true,
 "message":"In person within 100 mi of ZIP 59001 (Absarokee, MT) (widened from 5 mi to find enough)","attribution":"Place data: Census"},
"total":1,"page":1,"per_page":10,"total_pages":1,
"results":[{"id":"online-1","name":"Online group","mode":"online","categories":[],"attendance":[{"id":"online","label":"Online"}],"languages":[],"status":"active"}],
` + facetsJSON + `,
"nothing_nearby":{"message":"Nothing in person within 100 mi <b>here</b>.",
 "farther":[{"id":"far-1","name":"Far group <img src=x>","mode":"in_person","distance_km":853.4,"distance_mi":530.3,"categories":[],"attendance":[],"languages":[],"status":"active"}],
 "remote":[{"id":"online-1","name":"Online group","mode":"online","serves_your_area":true,"schedule":"Mon 7:30 PM","schedule_your_time":"Mon 8:30 PM MST","your_timezone":"America/Denver","distance_mi":900,"categories":[],"attendance":[{"id":"online","label":"Online"}],"languages":[],"status":"active"},
            {"id":"line-1","name":"State warmline","mode":"phone","phone":"(855) 845-7415","categories":[],"attendance":[],"languages":[],"status":"active"}],
 "remote_total":5,
 "national_lines":[{"id":"samhsa","name":"SAMHSA National Helpline","description":"Free, 24/7.","phone":"1-800-662-4357","url":"https://www.samhsa.gov/find-help","hours":"24/7"},
                   {"id":"nami","name":"NAMI HelpLine","phone":"1-800-950-6264","sms":"62640","url":"javascript:alert(1)","hours":"Mon–Fri"}]}}`

func TestNothingNearby(t *testing.T) {
	body := getPage(t, fakeAPI(nothingNearbyJSON), "/?near=59001")
	if w := inOrder(body,
		`In person within 100 mi of ZIP 59001 (Absarokee, MT) (widened from 5 mi to find enough).`,
		`<section class="nearby" aria-labelledby="nearby-h">`,
		`<h2 id="nearby-h">Nothing in person nearby</h2>`,
		`Nothing in person within 100 mi &lt;b&gt;here&lt;/b&gt;.`,
		`<h3 id="farther-h">Nearest, farther away</h3>`,
		`Far group &lt;img src=x&gt;`, `530.3 mi away`,
		`<h3 id="nearby-remote-h">Online and phone groups</h3>`,
		`<span class="mode">Online</span><span class="area">Serves your area</span>`,
		`<p class="yourtime">Mon 8:30 PM MST — your time</p>`,
		`<span class="mode">By phone</span>`,
		`href="/?near=59001&amp;remote=only">See all 5 online and phone groups</a>`,
		`<h3 id="lines-h">National lines</h3>`,
		`<a class="call" href="tel:18006624357">Call 1-800-662-4357</a>`,
		`<a href="https://www.samhsa.gov/find-help" rel="noopener nofollow">Website<span class="visually-hidden">: SAMHSA National Helpline</span></a>`,
		`<a href="sms:62640">Text 62640</a>`,
	); w != "" {
		t.Errorf("nothing-nearby page: %q missing or out of order", w)
	}
	// A remote service's distance is not a trip; a javascript: line URL is
	// not linked; the online result is shown once, in the block.
	for _, bad := range []string{"900 mi", "javascript:", "ZgotmplZ", "<img", "<b>here"} {
		if strings.Contains(body, bad) {
			t.Errorf("nothing-nearby page contains %q", bad)
		}
	}
	if n := strings.Count(body, `<h4><a href="/services/online-1">`); n != 1 {
		t.Errorf("the online group is linked %d times, want once (in the block)", n)
	}

	es := getPage(t, fakeAPI(strings.Replace(nothingNearbyJSON, `"ui":"en"`, `"ui":"es"`, 1)), "/?near=59001&ui=es")
	if w := inOrder(es, `Nada presencial cerca`, `Los más cercanos, más lejos`, `Grupos en línea y por teléfono`,
		`<span class="mode">En línea</span><span class="area">Atiende su zona</span>`, `— su hora`, `<span class="mode">Por teléfono</span>`,
		`Líneas nacionales`, `Llamar 1-800-662-4357`, `Texto 62640`); w != "" {
		t.Errorf("Spanish nothing-nearby page: %q missing or out of order", w)
	}
}

// apartJSON is an answer with remote=apart.
const apartJSON = `{"query":{"q":"","near":"95112","remote":"apart","page":1,"per_page":10,"sort":"relevance","ui":"en"},
"location":{"input":"95112","name":"ZIP 95112 (San Jose, CA)","kind":"zip","radius_km":8,"radius_mi":5,"message":"In person within 5 mi of ZIP 95112 (San Jose, CA)"},
"total":1,"page":1,"per_page":10,"total_pages":1,
"results":[{"id":"sj-1","name":"Nearby meeting","mode":"in_person","distance_km":1,"distance_mi":0.6,"categories":[],"attendance":[{"id":"in-person","label":"In person"}],"languages":[],"status":"active"}],
` + facetsJSON + `,
"remote":{"total":2,"results":[{"id":"warm-1","name":"Warmline","mode":"phone","serves_your_area":true,"phone":"855-845-7415","categories":[],"attendance":[{"id":"phone","label":"By phone"}],"languages":[],"status":"active"},
 {"id":"on-1","name":"Online meeting","mode":"online","categories":[],"attendance":[],"languages":[],"status":"active"}]}}`

func TestRemoteApart(t *testing.T) {
	body := getPage(t, fakeAPI(apartJSON), "/?near=95112&remote=apart")
	if w := inOrder(body,
		`<label for="remote">Online and phone groups</label>`, `<option value="apart" selected>Listed apart</option>`,
		`In person within 5 mi of ZIP 95112 (San Jose, CA).`,
		`id="results-h"`, `Nearby meeting`, `0.6 mi away`,
		`<h2 id="remote-h" class="section">Online and phone groups (2)</h2>`,
		`Warmline`, `<span class="mode">By phone</span><span class="area">Serves your area</span>`, `href="tel:8558457415"`,
		`Online meeting`, `<span class="mode">Online</span>`,
	); w != "" {
		t.Errorf("remote=apart page: %q missing or out of order", w)
	}
	// The mode label is not repeated by the attendance tag.
	if strings.Contains(body, `<span>By phone</span>`) {
		t.Error("By phone is shown twice")
	}
	if strings.Contains(body, "nearby-h") {
		t.Error("the nothing-nearby block shows without nothing_nearby")
	}
	// The form keeps remote and passes tz on.
	body = getPage(t, fakeAPI(apartJSON), "/?near=95112&remote=only&tz=America/Denver")
	for _, want := range []string{`<option value="only" selected>Only these</option>`, `<input type="hidden" name="tz" value="America/Denver">`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}
