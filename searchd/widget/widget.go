// Package widget holds the embeddable search widget, served by searchd at
// /widget/v1/: peerfind.js (the <peerfind-search> custom element, plain
// JavaScript with no dependencies and no build step), peerfind.css (its
// styles, loaded into its shadow root) and demo.html (an example page).
package widget

import "embed"

// FS holds the widget's files.
//
//go:embed *.js *.css *.html
var FS embed.FS
