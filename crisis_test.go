package peerfind_test

import (
	"testing"

	"github.com/peerfind/peerfind/data"
)

func TestCrisisDetect(t *testing.T) {
	c, err := data.Crisis()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q, hint  string
		wantLang string // "" = not a crisis
	}{
		{"suicide", "en", "en"},
		{"I want to kill myself", "en", "en"},
		{"thinking about suicide", "es", "en"},
		{"my friend overdosed", "en", "en"},
		{"Quiero morir", "en", "es"},
		{"no quiero vivir", "en", "es"},
		{"pensamientos de SUICIDIO", "en", "es"},
		{"me quiero matar", "es", "es"},
		{"sobredosis", "en", "es"},
		{"crisis", "en", "en"},
		{"crisis", "es", "es"},
		{"estoy en crisis, quiero morir", "en", "es"},
		// Not crises: peer support about the topic.
		{"suicide loss survivors group", "en", ""},
		{"support group for survivors of suicide loss", "en", ""},
		{"grupo para sobrevivientes de suicidio", "es", ""},
		{"overdose prevention naloxone training", "en", ""},
		{"grief group", "en", ""},
		{"depression", "en", ""},
		{"hearing voices", "en", ""},
		{"dieting support", "en", ""}, // "die" inside a word is not "want to die"
		{"", "en", ""},
		// An exclusion does not hide a real signal beside it.
		{"suicide loss group, I want to die too", "en", "en"},
	} {
		lang, ok := c.Detect(tc.q, tc.hint)
		if ok != (tc.wantLang != "") || lang != tc.wantLang {
			t.Errorf("Detect(%q, %q) = %q, %v; want %q", tc.q, tc.hint, lang, ok, tc.wantLang)
		}
	}
	if b := c.Block("es"); b.Lines[0].Phone != "988" || b.Title == c.Block("en").Title {
		t.Errorf("Spanish block = %+v", b)
	}
	if c.Block("fr") != c.Block("en") {
		t.Error("unknown language should fall back to English")
	}
}
