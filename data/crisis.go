package data

import (
	"fmt"
	"sync"

	"github.com/peerfind/peerfind"
)

var (
	crisisOnce sync.Once
	crisis     *peerfind.Crisis
	crisisErr  error
)

// Crisis returns the shipped, reviewed list of crisis signals and the
// crisis lines to show (data/crisis/crisis.json), loaded once.
func Crisis() (*peerfind.Crisis, error) {
	crisisOnce.Do(func() {
		f, err := FS.Open("crisis/crisis.json")
		if err != nil {
			crisisErr = fmt.Errorf("open shipped crisis list: %w", err)
			return
		}
		defer f.Close()
		crisis, crisisErr = peerfind.LoadCrisis(f)
	})
	return crisis, crisisErr
}
