// Package redisfrontier keeps the crawler's frontier and colly's storage
// in Redis, so that several crawler processes, on one machine or many,
// share one crawl: each normalized URL is claimed once over all of them
// (an atomic SET NX in a Lua script that also queues the URL), and the
// process that takes it from the shared queue fetches it.
//
// Keys, all under the configurable prefix (default "peerfind:crawl:"):
//
//	PREFIX frontier:seen:<sha256 of URL>   claim of a URL (string, TTL)
//	PREFIX frontier:queue                  queued items, JSON (list)
//	PREFIX frontier:pending                items queued or being fetched
//	PREFIX host:<host:port>                next request start to a host (ms)
//	PREFIX visited:<colly request id>      colly's visited set (string, TTL)
//	PREFIX cookies:<host>                  colly's cookies (string, TTL)
//
// Claims expire after the TTL (default 24h): within it, a URL is not
// fetched again by any process using the same prefix, so use a fresh
// prefix (or a TTL shorter than the interval) for each crawl. Every call
// carries a context and is bounded by the operation timeout.
//
// Redis Cluster is not supported (the claim script touches several keys).
package redisfrontier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gocolly/colly/v2/queue"
	"github.com/gocolly/colly/v2/storage"
	"github.com/redis/go-redis/v9"

	"github.com/peerfind/peerfind/crawler"
)

// Defaults for Options left zero.
const (
	DefaultPrefix    = "peerfind:crawl:"
	DefaultTTL       = 24 * time.Hour
	DefaultOpTimeout = 5 * time.Second
)

// Options configure a Client.
type Options struct {
	// URL is the Redis URL, redis://[user:pass@]host:port/db (or
	// rediss:// for TLS).
	URL string
	// Prefix namespaces every key; empty means DefaultPrefix.
	Prefix string
	// TTL is how long claims, visited ids, cookies and the queue live;
	// 0 means DefaultTTL, negative means forever.
	TTL time.Duration
	// OpTimeout bounds each Redis call; 0 means DefaultOpTimeout.
	OpTimeout time.Duration
}

// Client is a Redis connection with the frontier (crawler.Frontier), the
// colly storage (Storage) and a colly queue storage (QueueStorage) on it.
// It is safe for concurrent use.
type Client struct {
	rdb     *redis.Client
	prefix  string
	ttl     time.Duration
	timeout time.Duration
}

// New connects to Redis (and checks the connection with PING).
func New(ctx context.Context, o Options) (*Client, error) {
	ro, err := redis.ParseURL(o.URL)
	if err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	c := &Client{prefix: o.Prefix, ttl: o.TTL, timeout: o.OpTimeout}
	if c.prefix == "" {
		c.prefix = DefaultPrefix
	}
	if c.ttl == 0 {
		c.ttl = DefaultTTL
	}
	if c.timeout <= 0 {
		c.timeout = DefaultOpTimeout
	}
	ro.DialTimeout = c.timeout
	ro.ReadTimeout = c.timeout
	ro.WriteTimeout = c.timeout
	ro.PoolTimeout = c.timeout
	ro.MaxRetries = 2
	c.rdb = redis.NewClient(ro)
	if err := c.Ping(ctx); err != nil {
		c.rdb.Close()
		return nil, err
	}
	return c, nil
}

// Close closes the connections.
func (c *Client) Close() error { return c.rdb.Close() }

// Prefix is the key prefix in use.
func (c *Client) Prefix() string { return c.prefix }

// Ping checks the connection.
func (c *Client) Ping(ctx context.Context) error {
	ctx, cancel := c.op(ctx)
	defer cancel()
	if err := c.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: ping: %w", err)
	}
	return nil
}

// op bounds one call.
func (c *Client) op(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// ttlMillis is the TTL for scripts: 0 means no expiry.
func (c *Client) ttlMillis() int64 {
	if c.ttl < 0 {
		return 0
	}
	return c.ttl.Milliseconds()
}

// expiry is the TTL for SET: 0 means no expiry (KeepTTL is not wanted).
func (c *Client) expiry() time.Duration {
	if c.ttl < 0 {
		return 0
	}
	return c.ttl
}

func (c *Client) key(parts ...string) string { return c.prefix + strings.Join(parts, ":") }

// URLKey is the claim key of a normalized URL.
func (c *Client) URLKey(u string) string {
	h := sha256.Sum256([]byte(u))
	return c.key("frontier", "seen", hex.EncodeToString(h[:16]))
}

// addScript claims KEYS[1] and, when the claim is new, pushes ARGV[1] on
// the queue KEYS[2] and increments the pending count KEYS[3]; ARGV[2] is
// the TTL in milliseconds (0: none). It returns 1 when added.
var addScript = redis.NewScript(`
local ttl = tonumber(ARGV[2])
local ok
if ttl > 0 then
  ok = redis.call('SET', KEYS[1], '1', 'NX', 'PX', ttl)
else
  ok = redis.call('SET', KEYS[1], '1', 'NX')
end
if not ok then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('INCR', KEYS[3])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('PEXPIRE', KEYS[3], ttl)
end
return 1
`)

// Claim claims a URL without queueing it: true when no process claimed it
// before.
func (c *Client) Claim(ctx context.Context, u string) (bool, error) {
	ctx, cancel := c.op(ctx)
	defer cancel()
	ok, err := c.rdb.SetNX(ctx, c.URLKey(u), "1", c.expiry()).Result()
	if err != nil {
		return false, fmt.Errorf("redis: claim: %w", err)
	}
	return ok, nil
}

// Add implements crawler.Frontier: claims it.URL and queues it when new.
func (c *Client) Add(ctx context.Context, it crawler.FrontierItem) (bool, error) {
	b, err := json.Marshal(it)
	if err != nil {
		return false, err
	}
	ctx, cancel := c.op(ctx)
	defer cancel()
	n, err := addScript.Run(ctx, c.rdb,
		[]string{c.URLKey(it.URL), c.key("frontier", "queue"), c.key("frontier", "pending")},
		string(b), c.ttlMillis()).Int()
	if err != nil {
		return false, fmt.Errorf("redis: add: %w", err)
	}
	return n == 1, nil
}

// Next implements crawler.Frontier: pops the oldest queued item.
func (c *Client) Next(ctx context.Context) (crawler.FrontierItem, bool, error) {
	ctx, cancel := c.op(ctx)
	defer cancel()
	var it crawler.FrontierItem
	s, err := c.rdb.LPop(ctx, c.key("frontier", "queue")).Result()
	if errors.Is(err, redis.Nil) {
		return it, false, nil
	}
	if err != nil {
		return it, false, fmt.Errorf("redis: next: %w", err)
	}
	if err := json.Unmarshal([]byte(s), &it); err != nil {
		// Not ours: counted pending when added, so mark it done.
		c.Done(ctx)
		return it, false, fmt.Errorf("redis: next: bad item %q: %w", s, err)
	}
	return it, true, nil
}

// Done implements crawler.Frontier: decrements the pending count.
func (c *Client) Done(ctx context.Context) error {
	ctx, cancel := c.op(ctx)
	defer cancel()
	if err := c.rdb.Decr(ctx, c.key("frontier", "pending")).Err(); err != nil {
		return fmt.Errorf("redis: done: %w", err)
	}
	return nil
}

// Pending implements crawler.Frontier.
func (c *Client) Pending(ctx context.Context) (int64, error) {
	ctx, cancel := c.op(ctx)
	defer cancel()
	n, err := c.rdb.Get(ctx, c.key("frontier", "pending")).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("redis: pending: %w", err)
	}
	return n, nil
}

// QueueLen is the number of queued items.
func (c *Client) QueueLen(ctx context.Context) (int64, error) {
	ctx, cancel := c.op(ctx)
	defer cancel()
	n, err := c.rdb.LLen(ctx, c.key("frontier", "queue")).Result()
	if err != nil {
		return 0, fmt.Errorf("redis: queue length: %w", err)
	}
	return n, nil
}

var _ crawler.Frontier = (*Client)(nil)

// reserveScript reserves the next start slot of a host: KEYS[1] holds the
// earliest time (Redis clock, ms) the next request may start; ARGV[1] is
// the delay in ms. It returns the wait in ms.
var reserveScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, nxt)
local delay = tonumber(ARGV[1])
redis.call('SET', KEYS[1], start + delay, 'PX', (start - now) + delay + 60000)
return start - now
`)

// Reserve implements crawler.HostGate: requests to one host (host:port)
// start at least delay apart over all processes using the prefix, by
// Redis's clock.
func (c *Client) Reserve(ctx context.Context, host string, delay time.Duration) (time.Duration, error) {
	if delay <= 0 {
		return 0, nil
	}
	ctx, cancel := c.op(ctx)
	defer cancel()
	ms, err := reserveScript.Run(ctx, c.rdb, []string{c.key("host", strings.ToLower(host))}, delay.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("redis: reserve %s: %w", host, err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

var _ crawler.HostGate = (*Client)(nil)

// Storage returns colly's storage (visited request ids, cookies) in Redis.
// colly's interface has no context: each call uses ctx, bounded by the
// operation timeout.
func (c *Client) Storage(ctx context.Context) *Storage { return &Storage{c: c, ctx: ctx} }

// Storage implements colly's storage.Storage in Redis.
type Storage struct {
	c   *Client
	ctx context.Context
}

var _ storage.Storage = (*Storage)(nil)

// Init implements storage.Storage: checks the connection.
func (s *Storage) Init() error { return s.c.Ping(s.ctx) }

// Visited implements storage.Storage.
func (s *Storage) Visited(id uint64) error {
	ctx, cancel := s.c.op(s.ctx)
	defer cancel()
	if err := s.c.rdb.Set(ctx, s.c.key("visited", strconv.FormatUint(id, 10)), "1", s.c.expiry()).Err(); err != nil {
		return fmt.Errorf("redis: visited: %w", err)
	}
	return nil
}

// IsVisited implements storage.Storage.
func (s *Storage) IsVisited(id uint64) (bool, error) {
	ctx, cancel := s.c.op(s.ctx)
	defer cancel()
	n, err := s.c.rdb.Exists(ctx, s.c.key("visited", strconv.FormatUint(id, 10))).Result()
	if err != nil {
		return false, fmt.Errorf("redis: is visited: %w", err)
	}
	return n > 0, nil
}

// Cookies implements storage.Storage; a Redis failure means no cookies.
func (s *Storage) Cookies(u *url.URL) string {
	ctx, cancel := s.c.op(s.ctx)
	defer cancel()
	v, err := s.c.rdb.Get(ctx, s.c.key("cookies", strings.ToLower(u.Host))).Result()
	if err != nil {
		return ""
	}
	return v
}

// SetCookies implements storage.Storage; colly gives it no way to report
// a failure, so cookies are best effort.
func (s *Storage) SetCookies(u *url.URL, cookies string) {
	ctx, cancel := s.c.op(s.ctx)
	defer cancel()
	_ = s.c.rdb.Set(ctx, s.c.key("cookies", strings.ToLower(u.Host)), cookies, s.c.expiry()).Err()
}

// QueueStorage returns a colly queue.Storage (colly's queue package) in
// Redis under PREFIX queue, for programs that use colly's queue; the
// crawler itself uses the frontier.
func (c *Client) QueueStorage(ctx context.Context) *QueueStorage {
	return &QueueStorage{c: c, ctx: ctx}
}

// QueueStorage implements colly's queue.Storage in Redis.
type QueueStorage struct {
	c   *Client
	ctx context.Context
}

var _ queue.Storage = (*QueueStorage)(nil)

// Init implements queue.Storage.
func (q *QueueStorage) Init() error { return q.c.Ping(q.ctx) }

// AddRequest implements queue.Storage.
func (q *QueueStorage) AddRequest(b []byte) error {
	ctx, cancel := q.c.op(q.ctx)
	defer cancel()
	if err := q.c.rdb.RPush(ctx, q.c.key("queue"), b).Err(); err != nil {
		return fmt.Errorf("redis: queue add: %w", err)
	}
	return nil
}

// GetRequest implements queue.Storage.
func (q *QueueStorage) GetRequest() ([]byte, error) {
	ctx, cancel := q.c.op(q.ctx)
	defer cancel()
	b, err := q.c.rdb.LPop(ctx, q.c.key("queue")).Bytes()
	if err != nil {
		return nil, fmt.Errorf("redis: queue get: %w", err)
	}
	return b, nil
}

// QueueSize implements queue.Storage.
func (q *QueueStorage) QueueSize() (int, error) {
	ctx, cancel := q.c.op(q.ctx)
	defer cancel()
	n, err := q.c.rdb.LLen(ctx, q.c.key("queue")).Result()
	if err != nil {
		return 0, fmt.Errorf("redis: queue size: %w", err)
	}
	return int(n), nil
}
