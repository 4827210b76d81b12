package indexer

import (
	"strings"
	"testing"
)

func TestSnippet(t *testing.T) {
	idx, _, _ := mustBuild(t)
	long := strings.Repeat("filler words here ", 20)
	for _, tc := range []struct {
		words []string
		text  string
		want  string
	}{
		{[]string{"grief"}, "A <b>Grief</b> & loss group.", "A &lt;b&gt;<mark>Grief</mark>&lt;/b&gt; &amp; loss group."},
		{[]string{"depression"}, "Help with depressed mood and Depression.", "Help with <mark>depressed</mark> mood and <mark>Depression</mark>."},
		{[]string{"depresión"}, "Grupo para la DEPRESION", "Grupo para la <mark>DEPRESION</mark>"},
		{[]string{"grupo", "apoyo"}, "Grupos de apoyo en español", "<mark>Grupos</mark> de <mark>apoyo</mark> en español"},
		{[]string{"zebra"}, "Nothing here", ""},
	} {
		got := idx.newHighlighter(tc.words).snippet(tc.text)
		if got != tc.want {
			t.Errorf("%v in %q:\n got %q\nwant %q", tc.words, tc.text, got, tc.want)
		}
	}
	// A long text is cut around the first match, on word boundaries.
	got := idx.newHighlighter([]string{"respite"}).snippet(long + "a peer respite house. " + long)
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "<mark>respite</mark>") || len(got) > snippetLen+40 {
		t.Errorf("long text: %q", got)
	}
}

func TestNeedQueryExpansion(t *testing.T) {
	idx, _, _ := mustBuild(t)
	for _, tc := range []struct {
		text    string
		segs    int
		refs    []string
		spanish bool
	}{
		{"alcoholicos anonimos", 1, []string{"condition:alcohol"}, true},
		{"alchoholics anonymous", 1, []string{"condition:alcohol"}, false},
		{"spanish aa", 2, []string{"lang:es", "condition:alcohol"}, false},
		{"grupo de apoyo", 1, []string{"category:self-help-group"}, true},
		{"alanon", 1, []string{"category:family-support-group"}, false},
		{"warmline", 1, []string{"category:warmline"}, false},
		{"greif", 1, []string{"condition:grief"}, false},
		{"zebra", 1, nil, false},
	} {
		segs, spanish := idx.vocab.segments(tc.text, idx.known, true)
		var refs []string
		for _, s := range segs {
			for _, r := range s.refs {
				refs = append(refs, r.String())
			}
		}
		if len(segs) != tc.segs || spanish != tc.spanish || strings.Join(refs, ",") != strings.Join(tc.refs, ",") {
			t.Errorf("%q: %d segments %v, spanish %v; want %d, %v, %v", tc.text, len(segs), refs, spanish, tc.segs, tc.refs, tc.spanish)
		}
	}
}
