// Package hsdsprofile embeds peerfind's peer-support profile of Open
// Referral HSDS 3.0: JSON merge patches (RFC 7396) over the HSDS schemas
// and OpenAPI document, served by searchd at /hsds/profile/.
package hsdsprofile

import "embed"

// FS holds README.md, profile.json, openapi.json, schema/*.json and
// upstream/openapi.json (the HSDS 3.0 OpenAPI document the patch applies to).
//
//go:embed README.md profile.json openapi.json schema upstream
var FS embed.FS
