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
		gentle   bool
	}{
		{"suicide", "en", "en", false},
		{"I want to kill myself", "en", "en", false},
		{"thinking about suicide", "es", "en", false},
		{"my friend overdosed", "en", "en", false},
		{"Quiero morir", "en", "es", false},
		{"no quiero vivir", "en", "es", false},
		{"pensamientos de SUICIDIO", "en", "es", false},
		{"me quiero matar", "es", "es", false},
		{"sobredosis", "en", "es", false},
		{"crisis", "en", "en", false},
		{"crisis", "es", "es", false},
		{"estoy en crisis, quiero morir", "en", "es", false},
		// Peer support about the topic: the lines, shown gently.
		{"suicide loss survivors group", "en", "en", true},
		{"support group for survivors of suicide loss", "en", "en", true},
		{"grupo para sobrevivientes de suicidio", "es", "es", true},
		{"overdose prevention naloxone training", "en", "en", true},
		// Not crises.
		{"grief group", "en", "", false},
		{"depression", "en", "", false},
		{"hearing voices", "en", "", false},
		{"dieting support", "en", "", false}, // "die" inside a word is not "want to die"
		{"", "en", "", false},
		// An exclusion does not hide a real signal beside it.
		{"suicide loss group, I want to die too", "en", "en", false},
	} {
		lang, gentle, ok := c.Detect(tc.q, tc.hint)
		if ok != (tc.wantLang != "") || lang != tc.wantLang || gentle != tc.gentle {
			t.Errorf("Detect(%q, %q) = %q, gentle %v, %v; want %q, gentle %v", tc.q, tc.hint, lang, gentle, ok, tc.wantLang, tc.gentle)
		}
	}
	if b := c.Block("es"); b.Lines[0].Phone != "988" || b.Title == c.Block("en").Title {
		t.Errorf("Spanish block = %+v", b)
	}
	if c.Block("fr") != c.Block("en") {
		t.Error("unknown language should fall back to English")
	}
}

// BenchmarkCrisisDetect is the check every search makes, over needs
// that are not a crisis (most), one that is, and one that names the
// topic.
func BenchmarkCrisisDetect(b *testing.B) {
	c, err := data.Crisis()
	if err != nil {
		b.Fatal(err)
	}
	qs := []string{"substance use families and loved ones", "grupo en español", "peer respite",
		"I want to kill myself", "suicide loss survivors group", "alcohol my son"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Detect(qs[i%len(qs)], "en")
		i++
	}
}
