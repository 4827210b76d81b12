// Package openapi holds the OpenAPI 3.1 description of peerfind's own API
// (openapi.json), served by searchd at /openapi.json. A test checks real
// answers of the daemon against it, so it stays true.
package openapi

import (
	_ "embed"
	"net/http"
)

// JSON is the OpenAPI 3.1 document.
//
//go:embed openapi.json
var JSON []byte

// Handler serves the document.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(JSON)
	})
}
