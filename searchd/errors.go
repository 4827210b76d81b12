package searchd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/peerfind/peerfind"
)

// Error codes of the JSON error answer. They are part of the API: clients
// branch on them, so they never change meaning.
const (
	// CodeInvalidParameter: a known parameter has a value the API cannot
	// use (HTTP 400). Param names the parameter.
	CodeInvalidParameter = "invalid_parameter"
	// CodeUnknownParameter: the request has a parameter the endpoint does
	// not know, usually a typo (HTTP 400). Candidates holds the closest
	// known name, if any.
	CodeUnknownParameter = "unknown_parameter"
	// CodeUnknownLocation: the geocoder could not resolve near (HTTP 400).
	// Candidates holds the closest places, possibly none, for a "did you
	// mean" list.
	CodeUnknownLocation = "unknown_location"
	// CodeNotFound: no such service, or no such path (HTTP 404).
	CodeNotFound = "not_found"
	// CodeMethodNotAllowed: the path exists but not for this method
	// (HTTP 405).
	CodeMethodNotAllowed = "method_not_allowed"
	// CodeUnavailable: the search timed out or was cancelled (HTTP 503);
	// retrying later may work.
	CodeUnavailable = "unavailable"
	// CodeInternal: a fault of the server (HTTP 500).
	CodeInternal = "internal"
)

// maxCandidates caps every candidates list in an error answer.
const maxCandidates = 8

// apiError is an error with everything its JSON answer needs. Handlers and
// the parameter parser return it for bad input; writeError turns every
// other error into one.
type apiError struct {
	status     int
	code       string
	message    string
	param      string
	candidates []string
}

func (e *apiError) Error() string {
	if e.param != "" {
		return e.code + ": " + e.param + ": " + e.message
	}
	return e.code + ": " + e.message
}

// Is makes 4xx errors match peerfind.ErrInvalid and 404s ErrNotFound.
func (e *apiError) Is(target error) bool {
	switch target {
	case peerfind.ErrInvalid:
		return e.status == http.StatusBadRequest
	case peerfind.ErrNotFound:
		return e.status == http.StatusNotFound
	}
	return false
}

// invalidParam reports a bad value of a known parameter.
func invalidParam(param, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: CodeInvalidParameter, param: param, message: fmt.Sprintf(format, args...)}
}

// geocodeError turns what the Geocoder returned for the near parameter into
// the answer's error: an unresolvable place is the searcher's input, so it
// is a 400 with candidates, never a 404 or a 500. Other failures stay
// internal.
func geocodeError(err error) error {
	var pe *peerfind.PlaceError
	switch {
	case errors.As(err, &pe) && errors.Is(pe, peerfind.ErrInvalid):
		return &apiError{status: http.StatusBadRequest, code: CodeInvalidParameter, param: "near",
			message: pe.Error() + ` (try a ZIP code, "City, ST" or "lat,lng")`}
	case errors.As(err, &pe):
		return &apiError{status: http.StatusBadRequest, code: CodeUnknownLocation, param: "near",
			message: pe.Error(), candidates: capList(pe.Candidates, maxCandidates)}
	case errors.Is(err, peerfind.ErrNotFound):
		return &apiError{status: http.StatusBadRequest, code: CodeUnknownLocation, param: "near",
			message: "we do not know this place; try a ZIP code or \"City, ST\""}
	case errors.Is(err, peerfind.ErrInvalid):
		return &apiError{status: http.StatusBadRequest, code: CodeInvalidParameter, param: "near",
			message: `near must be a ZIP code, "City, ST" or "lat,lng"`}
	}
	return fmt.Errorf("geocode: %w", err)
}

// toAPIError maps any error to its answer. It is the one place where
// errors become HTTP statuses.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &apiError{status: http.StatusServiceUnavailable, code: CodeUnavailable,
			message: "the search took too long; please try again"}
	case errors.Is(err, peerfind.ErrInvalid):
		return &apiError{status: http.StatusBadRequest, code: CodeInvalidParameter, message: clipRunes(err.Error(), 300)}
	case errors.Is(err, peerfind.ErrNotFound):
		return &apiError{status: http.StatusNotFound, code: CodeNotFound, message: "not found"}
	}
	return &apiError{status: http.StatusInternalServerError, code: CodeInternal,
		message: "something went wrong on our side; please try again later"}
}

// writeError answers with the JSON error for err. Only server faults are
// logged, and never with the client's address; redact lists request
// strings (the query text, the location) that must not reach the log even
// if a wrapped error quotes them.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error, redact ...string) {
	s.writeErrorWith(w, r, err, nil, redact...)
}

// writeErrorWith is writeError for a search answer that also carries the
// crisis block (nil for none).
func (s *Server) writeErrorWith(w http.ResponseWriter, r *http.Request, err error, crisis *CrisisAnswer, redact ...string) {
	ae := toAPIError(err)
	if ae.status >= 500 && !errors.Is(err, context.Canceled) {
		redact = append(redact, clientHost(r)) // ops.go: never log the client's address
		s.logger().ErrorContext(r.Context(), "request failed",
			"method", r.Method, "route", routeName(r), "status", ae.status, "err", redactAll(err.Error(), redact))
	}
	if ae.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", allowedMethods)
	}
	body := ErrorResponse{Crisis: crisis, Error: ErrorBody{Code: ae.code, Message: ae.message, Param: ae.param}}
	if ae.code == CodeUnknownLocation || len(ae.candidates) > 0 {
		body.Error.Candidates = append([]string{}, ae.candidates...)
	}
	s.writeJSON(w, r, ae.status, body, "no-store")
}

// redactAll hides the secrets in s, case-insensitively: each secret
// whole and each of its words of three or more letters, so that an error
// quoting the query lower-cased or split into terms gives nothing away.
func redactAll(s string, secrets []string) string {
	var words []string
	for _, x := range secrets {
		if x = strings.TrimSpace(x); x == "" {
			continue
		}
		words = append(words, x)
		for _, w := range strings.FieldsFunc(x, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
			if utf8.RuneCountInString(w) >= 3 {
				words = append(words, w)
			}
		}
	}
	if len(words) == 0 {
		return s
	}
	// Longest first, so a whole secret goes before its words.
	slices.SortFunc(words, func(a, b string) int { return len(b) - len(a) })
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	re, err := regexp.Compile("(?i)" + strings.Join(words, "|"))
	if err != nil {
		return "[redacted]"
	}
	return re.ReplaceAllLiteralString(s, "[redacted]")
}

func capList(list []string, n int) []string {
	if len(list) > n {
		list = list[:n]
	}
	return list
}
