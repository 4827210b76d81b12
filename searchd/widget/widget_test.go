package widget

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

// maxGzip is the widget's size budget: peerfind.js gzipped at level 9,
// as partners' pages load it.
const maxGzip = 10 * 1024

func TestSize(t *testing.T) {
	js, err := FS.ReadFile("peerfind.js")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(js)
	zw.Close()
	if b.Len() > maxGzip {
		t.Errorf("peerfind.js is %d bytes gzipped, over its %d-byte budget", b.Len(), maxGzip)
	}
	t.Logf("peerfind.js: %d bytes, %d gzipped", len(js), b.Len())
}

// TestNoHTMLSinks keeps data out of markup: the widget builds its DOM with
// createElement and text nodes only.
func TestNoHTMLSinks(t *testing.T) {
	js, err := FS.ReadFile("peerfind.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
		if strings.Contains(string(js), sink) {
			t.Errorf("peerfind.js uses %s", sink)
		}
	}
}
