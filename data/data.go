// Package data holds what peerfind ships: the peer-support taxonomy, the
// offline gazetteer and the default dataset. The files are embedded so the
// binaries work from any directory; data/README.md says where each came
// from and under which license.
package data

import (
	"embed"
	"fmt"
	"sync"

	"github.com/peerfind/peerfind"
)

// FS holds the shipped files, under their paths in this folder.
//
//go:embed taxonomy/taxonomy.json crisis/crisis.json lines/national.json
var FS embed.FS

var (
	taxOnce sync.Once
	tax     *peerfind.Taxonomy
	taxErr  error
)

// Taxonomy returns the shipped taxonomy, loaded once.
func Taxonomy() (*peerfind.Taxonomy, error) {
	taxOnce.Do(func() {
		f, err := FS.Open("taxonomy/taxonomy.json")
		if err != nil {
			taxErr = fmt.Errorf("open shipped taxonomy: %w", err)
			return
		}
		defer f.Close()
		tax, taxErr = peerfind.LoadTaxonomy(f)
	})
	return tax, taxErr
}
