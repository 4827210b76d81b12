package crawler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gocolly/colly/v2"

	"github.com/peerfind/peerfind/crawler/extract"
	"github.com/peerfind/peerfind/indexer/ingest/tabular"
)

// HSDS data packages: a Frictionless datapackage.json whose resources are
// CSV tables next to it (or at URLs of their own). The crawler fetches the
// descriptor like any page; when it is one (and the source's kind is auto
// or hsds), every CSV resource on an allowed host is fetched as an
// explicit follow of the descriptor (no depth, max pages and robots.txt
// apply), kept in memory instead of being extracted, and once all have
// arrived or failed the package is written to a temporary folder and read
// by indexer/ingest/tabular. Records are emitted with extractor
// KindHSDSPackage. Missing resources are reported against the descriptor.
//
// Packages are always refetched: the descriptor rarely changes when its
// tables do, so the descriptor's page state keeps no validators and no
// conditional request is sent for it or for its tables.
//
// With a shared frontier, the tables are fetched by the process that
// fetched the descriptor, outside the frontier.

// KindHSDSPackage names the HSDS data package reader in summaries and the
// crawl state.
const KindHSDSPackage = "hsds-package"

// MaxPackageResources bounds the CSV resources fetched for one package.
const MaxPackageResources = 40

// maxPackageBodies is how many times the maximum body size the tables of
// one package may take together.
const maxPackageBodies = 4

// ctxPkg marks a request for a table of the package whose descriptor has
// this key.
const ctxPkg = "peerfind.package"

// pkgResource is one CSV resource of a descriptor.
type pkgResource struct {
	name string
	path string
}

// packageResources returns the CSV resources of body when it is a data
// package descriptor, else nil.
func packageResources(body []byte) []pkgResource {
	body = bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(body) == 0 || body[0] != '{' {
		return nil
	}
	var dp struct {
		Resources []struct {
			Name string          `json:"name"`
			Path json.RawMessage `json:"path"`
		} `json:"resources"`
	}
	if json.Unmarshal(body, &dp) != nil {
		return nil
	}
	var out []pkgResource
	for _, r := range dp.Resources {
		var p string
		if json.Unmarshal(r.Path, &p) != nil { // a path array (chunked data) is not read
			continue
		}
		p = strings.TrimSpace(p)
		clean := p
		if i := strings.IndexAny(clean, "?#"); i >= 0 {
			clean = clean[:i]
		}
		if !strings.HasSuffix(strings.ToLower(clean), ".csv") {
			continue
		}
		out = append(out, pkgResource{name: strings.TrimSpace(r.Name), path: p})
	}
	return out
}

// hasServicesTable reports whether the resources include a services table.
func hasServicesTable(res []pkgResource) bool {
	for _, r := range res {
		n := strings.ToLower(r.name)
		b := strings.ToLower(strings.TrimSuffix(path.Base(stripQuery(r.path)), path.Ext(stripQuery(r.path))))
		if n == "services" || n == "service" || b == "services" || b == "service" {
			return true
		}
	}
	return false
}

func stripQuery(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		return p[:i]
	}
	return p
}

// localName is where a resource is written in the package folder: its
// relative path when it is a clean one, else the base name of its URL.
func localName(r pkgResource, u *url.URL) string {
	p := stripQuery(r.path)
	if !strings.Contains(p, "://") && !strings.HasPrefix(p, "/") {
		c := path.Clean(p)
		if c != "." && c != ".." && !strings.HasPrefix(c, "../") {
			return c
		}
	}
	return path.Base(u.Path)
}

// pkgPending is a package whose tables are being fetched.
type pkgPending struct {
	si     int
	key    string
	url    *url.URL
	body   []byte
	ps     *PageState
	files  map[string]string // table URL → local name
	got    map[string][]byte // table URL → body
	failed map[string]string // table URL → why it is missing
	left   int
	size   int // bytes of got
}

// startPackage schedules the tables of the descriptor at key and reports
// whether body was one (and so is not extracted as a page).
func (r *run) startPackage(si int, key string, final *url.URL, body []byte, ps *PageState) bool {
	src := r.sources[si]
	if src.Kind != extract.KindAuto && src.Kind != extract.KindHSDS {
		return false
	}
	res := packageResources(body)
	if len(res) == 0 {
		return false
	}
	ps.Extractor = KindHSDSPackage
	ps.ETag, ps.LastModified = "", "" // always refetched (see above)
	if !hasServicesTable(res) {
		r.countError("package")
		r.reject(key, src.Name, "package", "HSDS data package has no services table (services.csv)")
		return true
	}
	p := &pkgPending{si: si, key: key, url: final, body: body, ps: ps,
		files: map[string]string{}, got: map[string][]byte{}, failed: map[string]string{}}
	var urls []*url.URL
	for i, rs := range res {
		if i >= MaxPackageResources {
			r.reject(key, src.Name, "package", fmt.Sprintf("more than %d CSV resources; the rest not fetched", MaxPackageResources))
			break
		}
		u, err := NormalizeURL(final, rs.path)
		if err != nil {
			r.reject(key, src.Name, "package", fmt.Sprintf("resource %q: %v", clip(rs.path), err))
			continue
		}
		if !src.allowsHost(u.Hostname()) {
			r.reject(u.String(), src.Name, "off site", "host "+u.Hostname()+" is not allowed for the source")
			continue
		}
		k := u.String()
		if _, dup := p.files[k]; dup {
			continue
		}
		p.files[k] = localName(rs, u)
		urls = append(urls, u)
	}
	p.left = len(urls)
	r.mu.Lock()
	if r.pkgs == nil {
		r.pkgs = map[string]*pkgPending{}
	}
	r.pkgs[key] = p
	for _, u := range urls {
		r.seenURL[u.String()] = true // not fetched again as a page
	}
	r.mu.Unlock()
	if len(urls) == 0 {
		r.finishPackage(p)
		return true
	}
	for _, u := range urls {
		if !r.fetchPart(si, u, key) {
			r.partDone(key, u.String(), nil, "not fetched (see its reject)")
		}
	}
	return true
}

// fetchPart schedules the request of one table of the package at pkg.
func (r *run) fetchPart(si int, u *url.URL, pkg string) bool {
	src := r.sources[si]
	key := u.String()
	hk := src.Name + "|" + hostKey(u)
	r.mu.Lock()
	if r.perHost[hk] >= src.MaxPages {
		r.limitHit[hk] = true
		r.sum.Errors["max pages"]++
		r.mu.Unlock()
		r.reject(key, src.Name, "max pages", fmt.Sprintf("more than %d pages from %s", src.MaxPages, u.Host))
		return false
	}
	r.perHost[hk]++
	r.mu.Unlock()
	cctx := colly.NewContext()
	cctx.Put(ctxSource, si)
	cctx.Put(ctxDepth, 0)
	cctx.Put(ctxKey, key)
	cctx.Put(ctxPkg, pkg)
	r.ct.pending.Add(1)
	err := r.col.Request(http.MethodGet, key, nil, cctx, nil)
	if err == nil {
		return true
	}
	r.ct.pending.Add(-1)
	r.mu.Lock()
	r.perHost[hk]--
	r.mu.Unlock()
	if errors.Is(err, colly.ErrRobotsTxtBlocked) {
		r.mu.Lock()
		r.sum.RobotsSkipped++
		r.mu.Unlock()
		r.reject(key, src.Name, "robots", "disallowed by robots.txt")
		return false
	}
	r.countError(errorKind(err))
	r.reject(key, src.Name, errorKind(err), err.Error())
	return false
}

// requestEnd ends a request: a package table was not taken from a shared
// frontier, so only the local count goes down.
func (r *run) requestEnd(req *colly.Request) {
	if req != nil && req.Ctx != nil && req.Ctx.Get(ctxPkg) != "" {
		r.ct.pending.Add(-1)
		return
	}
	r.requestDone()
}

// part handles the response to a package table: its body is kept for the
// package (nil and a reason when unusable).
func (r *run) part(resp *colly.Response, pkg, key string) {
	var body []byte
	why := ""
	switch {
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		kind := fmt.Sprintf("http %d", resp.StatusCode)
		why = fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		r.countError(kind)
		r.reject(key, r.sources[r.siOf(resp.Request)].Name, kind, why)
	case len(resp.Body) > r.maxBody:
		why = fmt.Sprintf("body is larger than %d bytes", r.maxBody)
		r.countError("too large")
		r.reject(key, r.sources[r.siOf(resp.Request)].Name, "too large", why)
	default:
		body = resp.Body
	}
	r.partDone(pkg, key, body, why)
}

func (r *run) siOf(req *colly.Request) int {
	si, _ := req.Ctx.GetAny(ctxSource).(int)
	return si
}

// partDone records a table's body (or why it is missing) and reads the
// package when it was the last one.
func (r *run) partDone(pkg, key string, body []byte, why string) {
	r.mu.Lock()
	p := r.pkgs[pkg]
	if p == nil {
		r.mu.Unlock()
		return
	}
	if _, ok := p.files[key]; !ok {
		r.mu.Unlock()
		return
	}
	if _, done := p.got[key]; done {
		r.mu.Unlock()
		return
	}
	if _, done := p.failed[key]; done {
		r.mu.Unlock()
		return
	}
	if body != nil && p.size+len(body) > maxPackageBodies*r.maxBody {
		body, why = nil, fmt.Sprintf("the package's tables are larger than %d bytes together", maxPackageBodies*r.maxBody)
	}
	if body != nil {
		p.got[key] = body
		p.size += len(body)
	} else {
		if why == "" {
			why = "not received"
		}
		p.failed[key] = why
	}
	p.left--
	last := p.left == 0
	if last {
		delete(r.pkgs, pkg)
	}
	r.mu.Unlock()
	if last {
		r.finishPackage(p)
	}
}

// finishPackage writes the package to a temporary folder, reads it with
// the tabular reader and emits its records.
func (r *run) finishPackage(p *pkgPending) {
	src := r.sources[p.si]
	for _, k := range sortedKeys(p.failed) {
		r.countError("package resource missing")
		r.reject(p.key, src.Name, "package", fmt.Sprintf("resource %s missing: %s", k, p.failed[k]))
	}
	dir, err := os.MkdirTemp("", "peerfind-package-*")
	if err != nil {
		r.countError("internal")
		r.reject(p.key, src.Name, "internal", err.Error())
		return
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "datapackage.json"), p.body, 0o600); err != nil {
		r.countError("internal")
		r.reject(p.key, src.Name, "internal", err.Error())
		return
	}
	keys := make([]string, 0, len(p.got))
	for k := range p.got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := filepath.Join(dir, filepath.FromSlash(p.files[k]))
		if err := os.MkdirAll(filepath.Dir(name), 0o700); err == nil {
			err = os.WriteFile(name, p.got[k], 0o600)
		}
		if err != nil {
			r.reject(k, src.Name, "package", "cannot keep the table: "+err.Error())
		}
	}
	h := sha256.Sum256([]byte(strings.ToLower(p.url.Hostname())))
	ts := tabular.Source{Prefix: "pkg-" + hex.EncodeToString(h[:4]), Name: src.Name, URL: p.url.String(),
		Retrieved: r.now.Format("2006-01-02"), License: src.License, Attribution: src.Attribution}
	recs, res, err := tabular.Read(r.ctx, dir, ts, r.c.Taxonomy)
	if err != nil {
		if errors.Is(err, context.Canceled) && r.ctx.Err() != nil {
			return
		}
		r.countError("extract")
		reason := err.Error()
		if errors.Is(err, tabular.ErrNotTabular) {
			reason = "HSDS data package: no services table received"
		}
		r.reject(p.key, src.Name, "extract", strings.ReplaceAll(reason, dir, "package"))
		return
	}
	var ids []string
	for _, rec := range recs {
		if rec == nil {
			continue
		}
		if err := rec.Validate(r.c.Taxonomy); err != nil {
			r.countError("invalid record")
			r.reject(p.key, src.Name, "invalid record", err.Error())
			continue
		}
		ids = append(ids, rec.ID)
		r.emit(rec, src.Name, KindHSDSPackage, p.key)
	}
	if res != nil && res.Report != nil {
		for _, is := range res.Report.Skipped {
			r.reject(p.key, src.Name, "skipped item", is.Item+": "+is.Reason)
		}
	}
	r.mu.Lock()
	p.ps.Records = append(p.ps.Records, ids...)
	r.mu.Unlock()
}
