package openapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/peerfind/peerfind"
	"github.com/peerfind/peerfind/data"
	"github.com/peerfind/peerfind/indexer"
	"github.com/peerfind/peerfind/indexer/geocode"
	"github.com/peerfind/peerfind/searchd"
	"github.com/peerfind/peerfind/searchd/openapi"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// server runs the real daemon over a real bleve index of a sample of the
// shipped records (every 8th, so all sources are in it).
func server(t *testing.T) (*httptest.Server, []*peerfind.Service) {
	t.Helper()
	ctx := context.Background()
	tax, err := data.Taxonomy()
	if err != nil {
		t.Fatal(err)
	}
	all, _, err := data.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var recs []*peerfind.Service
	for i, s := range all {
		if i%8 == 0 {
			recs = append(recs, s)
		}
	}
	dir := t.TempDir()
	if _, err := indexer.Build(ctx, dir, recs, indexer.BuildOptions{Taxonomy: tax}); err != nil {
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
	crisis, err := data.Crisis()
	if err != nil {
		t.Fatal(err)
	}
	srv := &searchd.Server{Searcher: idx, Geocoder: gaz, Taxonomy: tax, Crisis: crisis, PlaceAttribution: data.GazetteerAttribution}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, recs
}

// pointer escapes a JSON pointer token.
func pointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// TestResponsesMatchOpenAPI sends real requests to the daemon and checks
// every answer against the schema that openapi.json gives for its path,
// method and status, so the document cannot drift from the code. It also
// checks that every answered status is documented.
func TestResponsesMatchOpenAPI(t *testing.T) {
	ts, recs := server(t)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(openapi.JSON))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openapi.JSON, &spec); err != nil {
		t.Fatal(err)
	}
	if spec.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", spec.OpenAPI)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("file:///openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	var lat, lng float64
	for _, s := range recs {
		if p := s.Points(); len(p) > 0 {
			lat, lng = p[0].Lat(), p[0].Lon()
			break
		}
	}
	for _, tc := range []struct {
		path, route string
		status      int
	}{
		{"/api/v1/search", "/api/v1/search", 200},
		{"/api/v1/search?q=support+group&per_page=5", "/api/v1/search", 200},
		{"/api/v1/search?q=grupo+de+apoyo&ui=es", "/api/v1/search", 200},
		{"/api/v1/search?near=19103&radius=25mi&sort=distance", "/api/v1/search", 200},
		{"/api/v1/search?near=" + url.QueryEscape(strconv.FormatFloat(lat, 'f', 4, 64)+","+strconv.FormatFloat(lng, 'f', 4, 64)) + "&radius=5km", "/api/v1/search", 200},
		{"/api/v1/search?category=self-help-group&lang=en,es&attendance=online", "/api/v1/search", 200},
		{"/api/v1/search?q=I+want+to+kill+myself", "/api/v1/search", 200},
		{"/api/v1/search?near=San+Jsoe,+CA", "/api/v1/search", 400},
		{"/api/v1/search?category=nope", "/api/v1/search", 400},
		{"/api/v1/search?per_page=500", "/api/v1/search", 400},
		{"/api/v1/services/" + recs[0].ID, "/api/v1/services/{id}", 200},
		{"/api/v1/services/" + recs[len(recs)-1].ID + "?ui=es", "/api/v1/services/{id}", 200},
		{"/api/v1/services/no-such-record", "/api/v1/services/{id}", 404},
		{"/api/v1/suggest?q=gri", "/api/v1/suggest", 200},
		{"/api/v1/suggest?q=", "/api/v1/suggest", 200},
		{"/api/v1/places?q=travis", "/api/v1/places", 200},
		{"/api/v1/places?q=191&limit=3", "/api/v1/places", 200},
		{"/api/v1/places?q=austin,+t&limit=20", "/api/v1/places", 200},
		{"/api/v1/places?q=", "/api/v1/places", 200},
		{"/api/v1/places?q=a&limit=50", "/api/v1/places", 400},
		{"/healthz", "/healthz", 200},
		{"/feeds/meeting-guide.json", "/feeds/meeting-guide.json", 200},
		{"/hsds/", "/hsds/", 200},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := http.Get(ts.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %.300s", resp.StatusCode, tc.status, b)
			}
			code := strconv.Itoa(resp.StatusCode)
			if _, ok := spec.Paths[tc.route]["get"].Responses[code]; !ok {
				t.Fatalf("status %s of GET %s is not documented", code, tc.route)
			}
			loc := "file:///openapi.json#/paths/" + pointer(tc.route) + "/get/responses/" + code + "/content/application~1json/schema"
			sch, err := c.Compile(loc)
			if err != nil {
				t.Fatalf("compile %s: %v", loc, err)
			}
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("answer does not match openapi.json: %v\n%.500s", err, b)
			}
		})
	}
}

// TestServed checks that the daemon serves the document.
func TestServed(t *testing.T) {
	ts, _ := server(t)
	resp, err := http.Get(ts.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Equal(b, openapi.JSON) {
		t.Errorf("GET /openapi.json: %d, %d bytes", resp.StatusCode, len(b))
	}
}
