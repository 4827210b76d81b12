package extract

import (
	"os"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

func mustDoc(t *testing.T, file string) *goquery.Document {
	t.Helper()
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The extruct fixture has // comments and a trailing comma; extruct's
// expected output (JSONLD_with_JS_comment.jsonld) keeps every property.
func TestJSONLDWithJSComment(t *testing.T) {
	var warnings []string
	nodes := jsonLDNodes(mustDoc(t, "extruct/JSONLD_with_JS_comment.html"), func(item, f string, a ...any) { warnings = append(warnings, f) })
	if len(nodes) != 1 || len(warnings) != 0 {
		t.Fatalf("nodes %v warnings %v", nodes, warnings)
	}
	n := nodes[0]
	got := map[string]string{"type": n.types()[0], "headline": n.str("headline"), "articleSection": n.str("articleSection"), "url": n.str("url")}
	want := map[string]string{"type": "NewsArticle", "headline": "讓AI挑出感興趣 SparkAmplify精準行銷當紅", "articleSection": "商情",
		"url": "https://money.udn.com/money/story/5635/4158094"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// LocalBusiness.002 is a microdata Restaurant; the expected values are
// those of extruct's LocalBusiness.002.json.
func TestMicrodataLocalBusiness(t *testing.T) {
	nodes := microdataNodes(mustDoc(t, "extruct/LocalBusiness.002.html"))
	if len(nodes) != 1 {
		t.Fatalf("got %d items", len(nodes))
	}
	n := nodes[0]
	addr := n.child("address")
	got := map[string]any{
		"type": n.types(), "name": n.str("name"), "telephone": n.str("telephone"), "url": n.str("url"),
		"openingHours": n.strs("openingHours"), "ratingValue": n.child("aggregateRating").str("ratingValue"),
		"street": addr.str("streetAddress"), "locality": addr.str("addressLocality"), "postalCode": addr.str("postalCode"),
	}
	want := map[string]any{
		"type": []string{"Restaurant"}, "name": "GreatFood", "telephone": "(408) 714-1489", "url": "http://www.dishdash.com",
		"openingHours": []string{"Mo-Sa 11:00-14:30", "Mo-Th 17:00-21:30", "Fr-Sa 17:00-22:00"}, "ratingValue": "4",
		"street": "1901 Lemur Ave", "locality": "Sunnyvale", "postalCode": "94086",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRepairJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a": 1,}`, `{"a": 1}`},
		{`[1, 2, ]`, `[1, 2 ]`},
		{`<!-- {"a": "x // y"} -->`, `{"a": "x // y"}`},
		{`//<![CDATA[
{"a": 1}
//]]>`, `{"a": 1}`},
		{"{\"a\": \"line\nbreak\"}", `{"a": "line break"}`},
		{`{/* c */"a": "b,}"}`, `{"a": "b,}"}`},
	} {
		if got := string(repairJSON(tc.in)); got != tc.want {
			t.Errorf("repairJSON(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFreeSchedule(t *testing.T) {
	for _, tc := range []struct {
		in                     string
		freq, day, open, close string
	}{
		{"Tuesdays 7pm", "WEEKLY", "TU", "19:00", ""},
		{"Tuesday 7:00 PM - 8:30 PM", "WEEKLY", "TU", "19:00", "20:30"},
		{"Thursdays at 6:30 p.m.", "WEEKLY", "TH", "18:30", ""},
		{"Mondays and Wednesdays 7pm", "", "", "", ""},
		{"Second Tuesday 7pm", "", "", "", ""},
		{"Call for times", "", "", "", ""},
		{"Room 7, Tuesday", "", "", "", ""},
	} {
		sc, ok := freeSchedule(tc.in)
		day := ""
		if len(sc.ByDay) > 0 {
			day = sc.ByDay[0]
		}
		if !ok || sc.Description != tc.in || sc.Freq != tc.freq || day != tc.day || sc.OpensAt != tc.open || sc.ClosesAt != tc.close {
			t.Errorf("freeSchedule(%q) = %+v", tc.in, sc)
		}
	}
}
