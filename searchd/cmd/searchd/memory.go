package main

import (
	"fmt"
	"log/slog"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/peerfind/peerfind/indexer"
)

// heapFloor is the least headroom the automatic heap limit leaves above
// what the open index holds and its postings cache may hold: the
// searches in flight allocate their sets and windows.
const heapFloor = 256 << 20

// autoHeapLimit is the soft heap limit for an index that holds live
// bytes once opened: those, the postings cache's budget, and as much
// again as the index (at least heapFloor) for the searches. At a million
// records the index holds about 160 MB, and the heap, with the cache
// filled, about 450 MB live; without a limit the Go collector lets it
// grow to twice that before it collects.
func autoHeapLimit(live uint64) uint64 {
	return live + indexer.PostingsBudget + max(heapFloor, live)
}

// heapLimit is the value of -heap-limit: auto, or a size in bytes (0:
// no limit).
type heapLimit struct {
	bytes uint64
	auto  bool
}

// parseHeapLimit reads -heap-limit: "auto", "0" (no limit) or a size in
// bytes with an optional KiB, MiB or GiB.
func parseHeapLimit(v string) (heapLimit, error) {
	s := strings.TrimSpace(v)
	if s == "auto" {
		return heapLimit{auto: true}, nil
	}
	mult := uint64(1)
	for _, u := range []struct {
		suffix string
		mult   uint64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"B", 1}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = n, u.mult
			break
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > 1<<50/mult {
		return heapLimit{}, fmt.Errorf("-heap-limit: %q is not auto, 0 or a size such as 768MiB", v)
	}
	return heapLimit{bytes: n * mult}, nil
}

// apply sets the limit as the Go runtime's soft memory limit, unless
// GOMEMLIMIT set one, and returns what it set (0: none). auto is
// computed from the heap the open index holds (autoHeapLimit), once: a
// reload to a much larger index keeps the limit of the first (restart,
// or give a size).
func (h heapLimit) apply(logger *slog.Logger) uint64 {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		logger.Info("heap limit from GOMEMLIMIT", "MiB", debug.SetMemoryLimit(-1)>>20)
		return 0
	}
	limit := h.bytes
	if h.auto {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		limit = autoHeapLimit(ms.HeapAlloc)
	}
	if limit == 0 {
		return 0
	}
	debug.SetMemoryLimit(int64(min(limit, math.MaxInt64)))
	logger.Info("heap limit", "MiB", limit>>20, "auto", h.auto)
	return limit
}
