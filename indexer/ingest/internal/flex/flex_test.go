package flex

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFlex(t *testing.T) {
	var v struct {
		A, B, C, D, E String
		L, M, N, O    Strings
	}
	in := `{"A": "x", "B": 12.5, "C": null, "D": true, "E": ["p", 1],
		"L": ["O", "C", 3], "M": "O, D", "N": null, "O": [["a"], "b"]}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	got := []string{string(v.A), string(v.B), string(v.C), string(v.D), string(v.E)}
	if diff := cmp.Diff([]string{"x", "12.5", "", "true", "p, 1"}, got); diff != "" {
		t.Errorf("String (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Strings{{"O", "C", "3"}, {"O", "D"}, nil, {"a", "b"}}, []Strings{v.L, v.M, v.N, v.O}); diff != "" {
		t.Errorf("Strings (-want +got):\n%s", diff)
	}
}
