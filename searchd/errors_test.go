package searchd

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/peerfind/peerfind"
)

func TestRedactAll(t *testing.T) {
	for _, tc := range []struct {
		in      string
		secrets []string
		want    string
	}{
		{`query "grief group": failed`, []string{"grief group"}, `query "[redacted]": failed`},
		{`terms [grief, GROUP] in field name`, []string{"Grief Group"}, `terms [[redacted], [redacted]] in field name`},
		{`near 95112 unknown`, []string{"", "95112"}, `near [redacted] unknown`},
		{`a.b* (regexp metacharacters)`, []string{"a.b*"}, `[redacted] (regexp metacharacters)`},
		{`short words kept: a cat and an ant`, []string{"a an"}, `short words kept: a cat and an ant`},
		{`nothing to hide`, nil, `nothing to hide`},
	} {
		if got := redactAll(tc.in, tc.secrets); got != tc.want {
			t.Errorf("redactAll(%q, %q) = %q, want %q", tc.in, tc.secrets, got, tc.want)
		}
	}
}

// TestErrorMapping checks the one error-to-status mapping.
func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"invalid", fmt.Errorf("x: %w", peerfind.ErrInvalid), 400, CodeInvalidParameter},
		{"validation error", &peerfind.ValidationError{Problems: []peerfind.FieldProblem{{Field: "q", Message: "bad"}}}, 400, CodeInvalidParameter},
		{"not found", fmt.Errorf("x: %w", peerfind.ErrNotFound), 404, CodeNotFound},
		{"api error kept", fmt.Errorf("wrapped: %w", invalidParam("page", "bad")), 400, CodeInvalidParameter},
		{"other", errors.New("disk full"), 500, CodeInternal},
		{"place unknown", geocodeError(&peerfind.PlaceError{Input: "x", Reason: "unknown", Err: peerfind.ErrNotFound}), 400, CodeUnknownLocation},
		{"place invalid", geocodeError(&peerfind.PlaceError{Input: "x", Reason: "bad", Err: peerfind.ErrInvalid}), 400, CodeInvalidParameter},
		{"geocoder plain not found", geocodeError(fmt.Errorf("zip: %w", peerfind.ErrNotFound)), 400, CodeUnknownLocation},
		{"geocoder plain invalid", geocodeError(fmt.Errorf("zip: %w", peerfind.ErrInvalid)), 400, CodeInvalidParameter},
		{"geocoder fault", geocodeError(errors.New("io")), 500, CodeInternal},
	} {
		got := toAPIError(tc.err)
		if got.status != tc.status || got.code != tc.code {
			t.Errorf("%s: got %d %s, want %d %s", tc.name, got.status, got.code, tc.status, tc.code)
		}
		if got.status < 500 && got.status != http.StatusNotFound && !errors.Is(got, peerfind.ErrInvalid) {
			t.Errorf("%s: 400 does not match ErrInvalid", tc.name)
		}
	}
}
