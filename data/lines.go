package data

import (
	"fmt"
	"sync"

	"github.com/peerfind/peerfind"
)

var (
	linesOnce sync.Once
	lines     *peerfind.NationalLines
	linesErr  error
)

// NationalLines returns the shipped list of national lines offered when
// nothing nearby fits a search (data/lines/national.json), loaded once.
func NationalLines() (*peerfind.NationalLines, error) {
	linesOnce.Do(func() {
		f, err := FS.Open("lines/national.json")
		if err != nil {
			linesErr = fmt.Errorf("open shipped national lines: %w", err)
			return
		}
		defer f.Close()
		lines, linesErr = peerfind.LoadNationalLines(f)
	})
	return lines, linesErr
}
