package hsdsapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/mux"
	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	hsdsprofile "github.com/peerfind/peerfind/data/hsds-profile"
	"github.com/peerfind/peerfind/indexer/geocode"
	"github.com/peerfind/peerfind/searchd/hsdsapi"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fakeSearcher pages over records in memory; Text matches names.
type fakeSearcher struct{ recs []*peerfind.Service }

func (f *fakeSearcher) Search(_ context.Context, q peerfind.Query) (*peerfind.Results, error) {
	var hits []peerfind.Hit
	for _, s := range f.recs {
		if q.Text == "" || strings.Contains(peerfind.Fold(s.Name+" "+s.Description), peerfind.Fold(q.Text)) {
			hits = append(hits, peerfind.Hit{Service: s})
		}
	}
	res := &peerfind.Results{Total: uint64(len(hits))}
	lo := min((q.Page-1)*q.PerPage, len(hits))
	res.Hits = hits[lo:min(lo+q.PerPage, len(hits))]
	return res, nil
}

func (f *fakeSearcher) Service(_ context.Context, id string) (*peerfind.Service, error) {
	for _, s := range f.recs {
		if s.ID == id {
			return s, nil
		}
	}
	return nil, peerfind.ErrNotFound
}

var (
	fixtureOnce sync.Once
	fixtureRecs []*peerfind.Service
	fixtureTax  *peerfind.Taxonomy
	fixtureErr  error
)

func fixture(tb testing.TB) ([]*peerfind.Service, *peerfind.Taxonomy) {
	tb.Helper()
	fixtureOnce.Do(func() {
		fixtureTax, fixtureErr = data.Taxonomy()
		if fixtureErr == nil {
			fixtureRecs, _, fixtureErr = data.Records(context.Background())
		}
	})
	if fixtureErr != nil {
		tb.Fatal(fixtureErr)
	}
	return fixtureRecs, fixtureTax
}

func server(tb testing.TB) *httptest.Server {
	recs, tax := fixture(tb)
	gaz, err := geocode.New(data.GazetteerFS, geocode.WithBoundariesFS(data.BoundariesFS))
	if err != nil {
		tb.Fatal(err)
	}
	api := &hsdsapi.API{Searcher: &fakeSearcher{recs}, Taxonomy: tax, Geocoder: gaz, Profile: hsdsprofile.FS}
	r := mux.NewRouter()
	api.Register(r)
	ts := httptest.NewServer(r)
	tb.Cleanup(ts.Close)
	return ts
}

// schemas compiles the HSDS 3.0 JSON schemas in testdata/schema, with
// format assertions (uuid, uri, email, date-time) on.
func schemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	files, _ := filepath.Glob("testdata/schema/*.json.gz")
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(zr)
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := c.AddResource("file:///schema/"+strings.TrimSuffix(filepath.Base(f), ".gz"), doc); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, n := range []string{"service", "service_list", "organization", "organization_list", "service_at_location", "service_at_location_list", "taxonomy_term", "taxonomy"} {
		sch, err := c.Compile("file:///schema/" + n + ".json")
		if err != nil {
			t.Fatalf("compile %s: %v", n, err)
		}
		out[n] = sch
	}
	return out
}

func get(t *testing.T, ts *httptest.Server, path string, wantStatus int) []byte {
	t.Helper()
	resp, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d: %.300s", path, resp.StatusCode, wantStatus, b)
	}
	return b
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return v
}

// checkPage validates the paging envelope and every item against schema.
func checkPage(t *testing.T, path string, b []byte, item *jsonschema.Schema) map[string]any {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, k := range []string{"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"} {
		if _, ok := env[k]; !ok {
			t.Errorf("%s: envelope lacks %q", path, k)
		}
	}
	v := decode(t, b).(map[string]any)
	for i, c := range v["contents"].([]any) {
		if err := item.Validate(c); err != nil {
			t.Fatalf("%s: contents[%d] does not validate: %v", path, i, err)
		}
	}
	return env
}

func TestResponsesValidate(t *testing.T) {
	ts := server(t)
	sch := schemas(t)
	recs, _ := fixture(t)

	root := map[string]any{}
	json.Unmarshal(get(t, ts, "/hsds/", 200), &root)
	if root["version"] != "3.0" || root["profile"] == "" || root["openapi_url"] == "" {
		t.Errorf("GET /hsds/ = %v", root)
	}

	env := checkPage(t, "/hsds/services", get(t, ts, "/hsds/services?per_page=100", 200), sch["service_list"])
	if got := int(env["total_items"].(float64)); got != len(recs) {
		t.Errorf("total_items = %d, want %d", got, len(recs))
	}
	// Every record, fully nested, validates against the compiled service schema.
	for p := 1; ; p++ {
		b := get(t, ts, "/hsds/services?full=true&per_page=100&page="+itoa(p), 200)
		env := checkPage(t, "/hsds/services?full=true", b, sch["service"])
		if env["last_page"] == true {
			break
		}
	}
	id := peerfind.HSDSID("service", recs[0].ID)
	if err := sch["service"].Validate(decode(t, get(t, ts, "/hsds/services/"+id, 200))); err != nil {
		t.Errorf("service: %v", err)
	}
	get(t, ts, "/hsds/services/"+recs[0].ID, 200)
	get(t, ts, "/hsds/services/00000000-0000-0000-0000-000000000000", 404)

	checkPage(t, "sals", get(t, ts, "/hsds/service_at_locations?postcode=19103", 200), sch["service_at_location_list"])
	env = checkPage(t, "sals prox", get(t, ts, "/hsds/service_at_locations?proximity=39.9534,-75.1742,5000&full=true", 200), sch["service_at_location"])
	if env["total_items"].(float64) == 0 {
		t.Error("proximity near Philadelphia found nothing")
	}
	env = checkPage(t, "sals spec proximity", get(t, ts, "/hsds/service_at_locations?postcode=19103&proximity=3000", 200), sch["service_at_location_list"])
	if n := env["total_items"].(float64); n == 0 {
		t.Error("postcode=19103&proximity=3000 found nothing")
	}
	get(t, ts, "/hsds/service_at_locations?postcode=00000&proximity=3000", 400)
	env = checkPage(t, "orgs", get(t, ts, "/hsds/organizations", 200), sch["organization_list"])
	var orgs struct{ Contents []struct{ ID string } }
	json.Unmarshal(get(t, ts, "/hsds/organizations", 200), &orgs)
	ob := get(t, ts, "/hsds/organizations/"+orgs.Contents[0].ID, 200)
	if err := sch["organization"].Validate(decode(t, ob)); err != nil {
		t.Errorf("organization: %v", err)
	}
	byOrg := checkPage(t, "by org", get(t, ts, "/hsds/services?organization_id="+orgs.Contents[0].ID, 200), sch["service_list"])
	if byOrg["total_items"].(float64) == 0 {
		t.Error("organization_id filter found nothing")
	}
	checkPage(t, "taxonomies", get(t, ts, "/hsds/taxonomies", 200), sch["taxonomy"])
	terms := checkPage(t, "terms", get(t, ts, "/hsds/taxonomy_terms?per_page=100", 200), sch["taxonomy_term"])
	if terms["total_items"].(float64) < 20 {
		t.Errorf("only %v taxonomy terms", terms["total_items"])
	}
	termID := peerfind.HSDSID("term", "peerfind:category", "warmline")
	w := checkPage(t, "by term", get(t, ts, "/hsds/services?taxonomy_term_id="+termID, 200), sch["service_list"])
	for _, c := range w["contents"].([]any) {
		_ = c
	}
	if w["total_items"].(float64) == 0 {
		t.Error("taxonomy_term_id warmline found nothing")
	}
	m := checkPage(t, "modified", get(t, ts, "/hsds/services?modified_after=2100-01-01T00:00:00Z", 200), sch["service_list"])
	if m["empty"] != true {
		t.Error("modified_after in 2100 is not empty")
	}
	checkPage(t, "search", get(t, ts, "/hsds/services?search=women", 200), sch["service_list"])
	checkPage(t, "minimal", get(t, ts, "/hsds/services?minimal=true", 200), sch["service_list"])
	checkPage(t, "orgs full", get(t, ts, "/hsds/organizations?full_service=true&per_page=3", 200), sch["organization"])
	checkPage(t, "terms by taxonomy", get(t, ts, "/hsds/taxonomy_terms?taxonomy_id=peerfind:category", 200), sch["taxonomy_term"])

	nd := get(t, ts, "/hsds/services?format=ndjson&full=true&per_page=5", 200)
	lines := strings.Split(strings.TrimSpace(string(nd)), "\n")
	if len(lines) != 5 {
		t.Errorf("ndjson: %d lines, want 5", len(lines))
	}
	for _, l := range lines {
		if err := sch["service"].Validate(decode(t, []byte(l))); err != nil {
			t.Errorf("ndjson line: %v", err)
		}
	}
	for _, bad := range []string{"/hsds/services?per_page=0", "/hsds/services?page=x", "/hsds/services?proximity=1,2",
		"/hsds/services?modified_after=yesterday", "/hsds/services?bogus=1", "/hsds/services?format=xml"} {
		get(t, ts, bad, 400)
	}
}

func TestMeetingGuideFeed(t *testing.T) {
	ts := server(t)
	var feed []peerfind.MeetingGuideMeeting
	if err := json.Unmarshal(get(t, ts, "/feeds/meeting-guide.json", 200), &feed); err != nil {
		t.Fatal(err)
	}
	if len(feed) < 1000 {
		t.Fatalf("feed has %d meetings", len(feed))
	}
	slugs := map[string]bool{}
	for _, m := range feed {
		if m.Day < 0 || m.Day > 6 || len(m.Time) != 5 || m.Name == "" || len(m.Types) == 0 {
			t.Fatalf("bad meeting %+v", m)
		}
		if slugs[m.Slug] {
			t.Fatalf("duplicate slug %q", m.Slug)
		}
		slugs[m.Slug] = true
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestProfile checks that GET /hsds/ advertises the profile and the
// OpenAPI document, that both are served, and that every service answer
// validates against the HSDS service schema with the profile's patch
// applied (attributes required and non-empty, organization_id required).
func TestProfile(t *testing.T) {
	ts := server(t)
	var root struct {
		Profile    string `json:"profile"`
		OpenAPIURL string `json:"openapi_url"`
	}
	json.Unmarshal(get(t, ts, "/hsds/", 200), &root)
	if !strings.HasSuffix(root.Profile, "/hsds/profile/") || !strings.HasSuffix(root.OpenAPIURL, "/hsds/openapi.json") {
		t.Fatalf("GET /hsds/ = %+v", root)
	}
	var prof map[string]any
	if err := json.Unmarshal(get(t, ts, "/hsds/profile/profile.json", 200), &prof); err != nil || prof["hsds_version"] != "3.0" {
		t.Errorf("profile.json: %v %v", err, prof)
	}
	var oa struct {
		OpenAPI    string `json:"openapi"`
		Info       struct{ Title string }
		Paths      map[string]any
		Components struct{ Parameters map[string]map[string]any }
	}
	if err := json.Unmarshal(get(t, ts, "/hsds/openapi.json", 200), &oa); err != nil {
		t.Fatal(err)
	}
	if oa.OpenAPI != "3.1.0" || !strings.Contains(oa.Info.Title, "peerfind") || oa.Paths["/services/{id}"] == nil ||
		oa.Paths["/profile/"] == nil || !strings.Contains(oa.Components.Parameters["proximity"]["description"].(string), "lat,lng") ||
		oa.Components.Parameters["proximity"]["name"] != "proximity" {
		t.Errorf("merged openapi: %s %q, %d paths, proximity %v", oa.OpenAPI, oa.Info.Title, len(oa.Paths), oa.Components.Parameters["proximity"])
	}

	// The compiled service schema with the profile's patch.
	f, _ := os.Open("testdata/schema/service.json.gz")
	defer f.Close()
	zr, _ := gzip.NewReader(f)
	base, err := jsonschema.UnmarshalJSON(zr)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := fs.ReadFile(hsdsprofile.FS, "schema/service.json")
	if err != nil {
		t.Fatal(err)
	}
	patch, _ := jsonschema.UnmarshalJSON(bytes.NewReader(pb))
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("file:///profile/service.json", hsdsapi.MergePatch(base, patch)); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("file:///profile/service.json")
	if err != nil {
		t.Fatal(err)
	}
	nd := get(t, ts, "/hsds/services?format=ndjson&full=true&per_page=100&page=3", 200)
	for _, l := range strings.Split(strings.TrimSpace(string(nd)), "\n") {
		if err := sch.Validate(decode(t, []byte(l))); err != nil {
			t.Fatalf("service does not follow the profile: %v", err)
		}
	}
}

func BenchmarkOrganizations(b *testing.B) {
	ts := server(b)
	for i := 0; i < b.N; i++ {
		resp, err := http.Get(ts.URL + "/hsds/organizations?per_page=10")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
