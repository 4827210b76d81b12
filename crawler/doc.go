// Package crawler gathers peer-support groups and services from the web
// and from published feeds, politely, and hands their records, with their
// provenance, to the caller (bin/crawler writes them in the format
// bin/indexer reads).
//
// A Crawler is configured from a sources file (LoadSources; the format is
// documented there and in data/sources.yaml). Run crawls every source with
// colly and gives each fetched page to extract.Extract, which picks the
// extractor (schema.org JSON-LD or microdata, Meeting Guide JSON, HSDS,
// CSS-selector rules). An HSDS data package (a datapackage.json whose
// resources are CSV tables) is read whole instead: its tables are fetched
// as explicit follows of the descriptor and the package is read by
// indexer/ingest/tabular once all have arrived or failed (datapackage.go);
// packages are always refetched, never asked for conditionally.
//
// Politeness: robots.txt is obeyed (colly ignores it unless told); each
// host, keyed by host:port, gets one request at a time and the source's
// delay between requests; the User-Agent names the project with a contact
// URL; 429 and 5xx answers are retried a bounded number of times after
// Retry-After or an exponential backoff; every request has a timeout and
// a maximum body size; links are followed only to allowed hosts, over
// http(s), to a maximum depth and a maximum number of pages per host.
// URLs are normalized (NormalizeURL) so that each page is fetched once,
// and URLs that look like crawler traps (endless calendars, repeating or
// very deep paths, too many query variants of one path) are refused.
//
// Incremental recrawl: with a state file, the crawler sends conditional
// requests (If-None-Match, If-Modified-Since) and re-emits the records an
// unchanged page yielded last time. Records no page yields any more are
// emitted as last seen during a grace period, then with status "inactive",
// then forgotten.
//
// Several processes: by default the frontier (which URLs are claimed, which
// wait to be fetched) lives in the process. With Crawler.Frontier set (a
// redisfrontier.Client, flag -redis redis://HOST:PORT/DB of bin/crawler),
// processes crawling the same sources share one frontier: each normalized
// URL is claimed atomically once over all of them, queued, and fetched by
// whichever process takes it, and a process ends when no process holds
// pending URLs. Crawler.Storage moves colly's visited set and cookies
// there too. Politeness limits (per-host delay, max pages) are kept per
// process.
//
// Nothing a page does stops the crawl: fetch errors, failed extractions
// and invalid records are counted in the Summary and listed as Rejects
// with the URL and reason.
package crawler
