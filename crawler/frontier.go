package crawler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// FrontierItem is one URL in a shared frontier: the normalized URL, the
// name of the source it is crawled for and its link depth.
type FrontierItem struct {
	Source string `json:"s"`
	URL    string `json:"u"`
	Depth  int    `json:"d"`
}

// Frontier is a URL frontier shared by several crawler processes (see
// package redisfrontier), so that they split one crawl: each normalized
// URL is claimed once over all processes and fetched by the process that
// takes it from the queue. Every method is bounded by ctx.
type Frontier interface {
	// Add claims it.URL atomically and, when no process claimed it
	// before, queues it and counts it pending; added is false when the
	// URL was already claimed.
	Add(ctx context.Context, it FrontierItem) (added bool, err error)
	// Next takes a queued item; ok is false when the queue is empty.
	Next(ctx context.Context) (it FrontierItem, ok bool, err error)
	// Done marks an item taken with Next as finished: fetched, its links
	// added, or given up.
	Done(ctx context.Context) error
	// Pending counts the items added and not yet done, over all
	// processes; the shared crawl is over when it is zero.
	Pending(ctx context.Context) (int64, error)
}

// HostGate is implemented by frontiers that also space the requests to
// one host over all the processes sharing them, so that the per-host
// delay holds for the crawl as a whole and not only per process.
type HostGate interface {
	// Reserve reserves the next time a request to host (host:port) may
	// start, at least delay after the previous reservation by any process,
	// and returns how long to wait for it.
	Reserve(ctx context.Context, host string, delay time.Duration) (time.Duration, error)
}

// hostGate returns the transport's gate for a frontier that is a
// HostGate, else nil. A failing gate is logged and does not hold the
// request (each process still keeps its own per-host delay).
func hostGate(f Frontier, log *slog.Logger) func(context.Context, string, time.Duration) time.Duration {
	g, ok := f.(HostGate)
	if !ok {
		return nil
	}
	return func(ctx context.Context, host string, delay time.Duration) time.Duration {
		wait, err := g.Reserve(ctx, host, delay)
		if err != nil {
			log.Warn("shared host delay", "host", host, "err", err)
			return 0
		}
		return wait
	}
}

// Defaults for the frontier loop.
const (
	// DefaultFrontierIdle is how long a process waits with nothing to
	// fetch while other processes still hold pending items before it
	// gives up (a process that died leaves its items pending).
	DefaultFrontierIdle = 5 * time.Minute
	// frontierPoll is the pause between polls of an empty queue.
	frontierPoll = 25 * time.Millisecond
	// frontierMaxErrors is how many frontier errors in a row end the run.
	frontierMaxErrors = 20
)

// share hands a URL that passed the local checks to the shared frontier.
func (r *run) share(si int, key string, depth int) {
	src := r.sources[si]
	added, err := r.c.Frontier.Add(r.ctx, FrontierItem{Source: src.Name, URL: key, Depth: depth})
	if err != nil {
		r.countError("frontier")
		r.reject(key, src.Name, "frontier", err.Error())
		return
	}
	if !added {
		r.log.Debug("claimed by another process", "url", key)
	}
}

// drainFrontier fetches items from the shared frontier, at most
// Parallelism in flight, until no process holds pending items, ctx ends,
// the frontier keeps failing, or nothing happens for FrontierIdle.
func (r *run) drainFrontier() error {
	f := r.c.Frontier
	bySource := map[string]int{}
	for i, s := range r.sources {
		bySource[s.Name] = i
	}
	par := int64(orInt(r.c.Parallelism, DefaultParallelism))
	idle := orDur(r.c.FrontierIdle, DefaultFrontierIdle)
	lastWork := time.Now()
	errs := 0
	for r.ctx.Err() == nil {
		if r.ct.pending.Load() >= par {
			if err := sleep(r.ctx, frontierPoll); err != nil {
				break
			}
			lastWork = time.Now()
			continue
		}
		it, ok, err := f.Next(r.ctx)
		if err == nil && !ok && r.ct.pending.Load() == 0 {
			var n int64
			if n, err = f.Pending(r.ctx); err == nil && n <= 0 {
				if r.ct.fetched.Load() == 0 {
					r.log.Warn("shared frontier: fetched nothing; every URL was claimed already " +
						"(by other processes, or by an earlier crawl with the same key prefix within its TTL)")
				}
				return nil // the shared crawl is over
			}
		}
		if err != nil {
			if errs++; errs >= frontierMaxErrors {
				return fmt.Errorf("crawler: frontier: %w", err)
			}
			r.log.Warn("frontier", "err", err)
			if err := sleep(r.ctx, 10*frontierPoll); err != nil {
				break
			}
			continue
		}
		errs = 0
		if !ok {
			if r.ct.pending.Load() > 0 {
				lastWork = time.Now()
			} else if time.Since(lastWork) > idle {
				r.log.Warn("frontier idle: giving up on items other processes hold", "idle", idle)
				return nil
			}
			if err := sleep(r.ctx, frontierPoll); err != nil {
				break
			}
			continue
		}
		lastWork = time.Now()
		if !r.take(bySource, it) {
			r.frontierDone()
		}
	}
	return r.ctx.Err()
}

// take fetches an item from the frontier; false when it was not
// scheduled (and so is done at once).
func (r *run) take(bySource map[string]int, it FrontierItem) bool {
	si, ok := bySource[it.Source]
	if !ok {
		r.reject(it.URL, it.Source, "frontier", "source not in this process's sources file")
		return false
	}
	u, err := url.Parse(it.URL)
	if err != nil {
		r.reject(it.URL, it.Source, "frontier", err.Error())
		return false
	}
	r.mu.Lock()
	r.seenURL[it.URL] = true
	r.mu.Unlock()
	return r.fetch(si, u, it.URL, it.Depth)
}

// requestDone ends a scheduled request: the local count and, with a
// shared frontier, the shared one.
func (r *run) requestDone() {
	r.ct.pending.Add(-1)
	if r.c.Frontier != nil {
		r.frontierDone()
	}
}

// frontierDone marks a frontier item done, with a context of its own so
// that the count stays right while the run is cancelled.
func (r *run) frontierDone() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), 10*time.Second)
	defer cancel()
	if err := r.c.Frontier.Done(ctx); err != nil && !errors.Is(err, context.Canceled) {
		r.countError("frontier")
		r.log.Warn("frontier done", "err", err)
	}
}
