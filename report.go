package peerfind

import (
	"fmt"
	"sort"
	"strings"
)

// Report tells what an import, crawl or index build did with its input:
// how much it read and kept, and every item it skipped or repaired, with
// the reason. Nothing is dropped silently.
type Report struct {
	// Source names the input (a file path or URL).
	Source string `json:"source"`
	// Read counts the items read from the input.
	Read int `json:"read"`
	// Kept counts the records produced.
	Kept int `json:"kept"`
	// Skipped lists the items that produced no record.
	Skipped []Issue `json:"skipped,omitempty"`
	// Warnings lists items kept with a repair or a missing part (no
	// coordinates, an unknown type code, a misspelt state).
	Warnings []Issue `json:"warnings,omitempty"`
}

// Issue is one skipped or repaired item.
type Issue struct {
	// Item identifies the item in its source: an id, slug or line number.
	Item string `json:"item"`
	// Reason says what was wrong.
	Reason string `json:"reason"`
}

// Skip records an item that produced no record.
func (r *Report) Skip(item, format string, args ...any) {
	r.Skipped = append(r.Skipped, Issue{Item: item, Reason: fmt.Sprintf(format, args...)})
}

// Warn records an item kept with a repair or a missing part.
func (r *Report) Warn(item, format string, args ...any) {
	r.Warnings = append(r.Warnings, Issue{Item: item, Reason: fmt.Sprintf(format, args...)})
}

// Summary returns one line of counts plus the most common reasons, e.g.
// "read 693, kept 412, skipped 3 (2× no name, 1× bad day); warnings 5 (...)".
func (r *Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: read %d, kept %d, skipped %d", r.Source, r.Read, r.Kept, len(r.Skipped))
	if s := topReasons(r.Skipped); s != "" {
		fmt.Fprintf(&b, " (%s)", s)
	}
	fmt.Fprintf(&b, ", warnings %d", len(r.Warnings))
	if s := topReasons(r.Warnings); s != "" {
		fmt.Fprintf(&b, " (%s)", s)
	}
	return b.String()
}

func topReasons(issues []Issue) string {
	counts := map[string]int{}
	for _, i := range issues {
		counts[i.Reason]++
	}
	reasons := make([]string, 0, len(counts))
	for r := range counts {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if counts[reasons[i]] != counts[reasons[j]] {
			return counts[reasons[i]] > counts[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	if len(reasons) > 3 {
		reasons = reasons[:3]
	}
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%d× %s", counts[r], r)
	}
	return strings.Join(parts, "; ")
}
