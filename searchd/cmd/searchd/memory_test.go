package main

import (
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"testing"

	"github.com/peerfind/peerfind/indexer"
)

func TestParseHeapLimit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want heapLimit
		bad  bool
	}{
		{in: "auto", want: heapLimit{auto: true}},
		{in: " auto ", want: heapLimit{auto: true}},
		{in: "0", want: heapLimit{}},
		{in: "1000", want: heapLimit{bytes: 1000}},
		{in: "512B", want: heapLimit{bytes: 512}},
		{in: "64KiB", want: heapLimit{bytes: 64 << 10}},
		{in: "768MiB", want: heapLimit{bytes: 768 << 20}},
		{in: "2GiB", want: heapLimit{bytes: 2 << 30}},
		{in: "", bad: true},
		{in: "1.5GiB", bad: true},
		{in: "-1", bad: true},
		{in: "768MB", bad: true},
		{in: "99999999999GiB", bad: true},
	} {
		got, err := parseHeapLimit(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("parseHeapLimit(%q) = %+v, %v; want %+v, error %v", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestAutoHeapLimit(t *testing.T) {
	for _, c := range []struct{ live, want uint64 }{
		// A small index: its cache's budget and the floor.
		{10 << 20, 10<<20 + indexer.PostingsBudget + heapFloor},
		// A million records: about 160 MB held once open.
		{160 << 20, 160<<20 + indexer.PostingsBudget + heapFloor},
		// A larger one: as much again as it holds.
		{600 << 20, 1200<<20 + indexer.PostingsBudget},
	} {
		if got := autoHeapLimit(c.live); got != c.want {
			t.Errorf("autoHeapLimit(%d MiB) = %d MiB, want %d MiB", c.live>>20, got>>20, c.want>>20)
		}
	}
}

// TestHeapLimitApplies checks that the limit reaches the runtime, that 0
// leaves none, and that GOMEMLIMIT wins.
func TestHeapLimitApplies(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		t.Skip("GOMEMLIMIT is set in this environment; the flag defers to it")
	}
	if got := (heapLimit{bytes: 900 << 20}).apply(quiet); got != 900<<20 || debug.SetMemoryLimit(-1) != 900<<20 {
		t.Errorf("a limit of 900 MiB: applied %d, runtime has %d", got, debug.SetMemoryLimit(-1))
	}
	debug.SetMemoryLimit(math.MaxInt64)
	if got := (heapLimit{}).apply(quiet); got != 0 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("no limit: applied %d, runtime has %d", got, debug.SetMemoryLimit(-1))
	}
	if got := (heapLimit{auto: true}).apply(quiet); got < indexer.PostingsBudget+heapFloor || debug.SetMemoryLimit(-1) != int64(got) {
		t.Errorf("auto: applied %d, runtime has %d", got, debug.SetMemoryLimit(-1))
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetMemoryLimit(math.MaxInt64)
	if got := (heapLimit{bytes: 900 << 20}).apply(quiet); got != 0 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT: applied %d, runtime has %d", got, debug.SetMemoryLimit(-1))
	}
}
