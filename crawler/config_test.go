package crawler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadSources(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	y := write("s.yaml", `sources:
  - name: Directory
    seeds: [https://Groups.Example.org/list]
    kind: rules
    delay: 1500ms
    rules: {item: "div.group", fields: {name: h3}}
  - name: Feed
    seeds: [https://feeds.example.org/meetings.json]
    allowed_hosts: ["*.example.org"]
    delay: 3
`)
	got, err := LoadSources(y)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || time.Duration(got[0].Delay) != 1500*time.Millisecond || time.Duration(got[1].Delay) != 3*time.Second {
		t.Fatalf("got %+v", got)
	}
	if got[0].AllowedHosts[0] != "groups.example.org" || got[0].MaxPages != DefaultMaxPages || got[0].Rules.Fields["name"] != "h3" {
		t.Errorf("defaults not filled: %+v", got[0])
	}
	if !got[1].allowsHost("www.example.org") || got[1].allowsHost("example.com") || len(got[1].AllowedHosts) != 1 {
		t.Errorf("allowed hosts %v", got[1].AllowedHosts)
	}
	j := write("s.json", `{"sources": [{"name": "J", "seeds": ["http://j.example.org/"], "kind": "hsds", "delay": "2s"}]}`)
	if got, err := LoadSources(j); err != nil || got[0].Kind != "hsds" {
		t.Errorf("json: %v %+v", err, got)
	}
	for text, want := range map[string]string{
		"sources:\n  - name: x\n":                                                                      "no seeds",
		"sources:\n  - name: x\n    seeds: [javascript:alert(1)]\n":                                    "not an http(s) URL",
		"sources:\n  - name: x\n    seeds: [http://x.org/]\n    kind: rss\n":                           "unknown kind",
		"sources:\n  - name: x\n    seeds: [http://x.org/]\n    colour: 1\n":                           "colour",
		"sources:\n  - name: x\n    seeds: [http://x.org/]\n  - name: x\n    seeds: [http://x.org/]\n": "used twice",
		"sources:\n  - name: x\n    seeds: [http://x.org/]\n    kind: rules\n":                         "rules.item",
	} {
		_, err := LoadSources(write("bad.yaml", text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadSources(%q) = %v, want %q", text, err, want)
		}
	}
}

func TestShippedSourcesFileLoads(t *testing.T) {
	if _, err := LoadSources("../data/sources.yaml"); err != nil {
		t.Fatal(err)
	}
}
