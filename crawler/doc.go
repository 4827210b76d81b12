// Package crawler gathers peer-support groups and services from the web
// and from published feeds (schema.org JSON-LD and microdata, Meeting Guide
// JSON, HSDS), politely, and writes peerfind records with their provenance
// for bin/indexer to read.
//
// The crawler is tracked as its own issue; until it lands, the shipped
// dataset is made by indexer/cmd/dataset from published feeds and exports,
// and bin/indexer reads Meeting Guide feeds and Ohana exports directly.
package crawler
