package data_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/peerfind/peerfind/data"
)

// TestBoundariesUnchanged checks that the shipped boundary files are the
// shared ones, byte for byte (data/boundaries/PROVENANCE.md).
func TestBoundariesUnchanged(t *testing.T) {
	want := map[string]string{
		"boundaries/us_states.geojson.gz":   "203024beb4f0e4317f8b7c90eaa4de12b009d944c28b738c7bd8c932ea7af053",
		"boundaries/us_counties.geojson.gz": "022084e7fddb6dde1e77c838c2e3e955fcb93ac30ad11ab9e1298218b083dba3",
	}
	for name, sum := range want {
		b, err := data.BoundariesFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.Sum256(b)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s: sha256 %x, want %s", name, got, sum)
		}
	}
}
