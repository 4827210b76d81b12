package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/peerfind/peerfind/indexer"
	"github.com/peerfind/peerfind/searchd"
)

// envPrefix prefixes the environment variable of every flag: -index is
// PEERFIND_INDEX, -rate-limit PEERFIND_RATE_LIMIT.
const envPrefix = "PEERFIND_"

// envName is the environment variable that gives flag name's default.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// applyEnv sets each flag that has an environment variable to its value,
// before the command line is parsed: the environment provides defaults,
// flags override them.
func applyEnv(fs *flag.FlagSet, lookup func(string) (string, bool)) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		v, ok := lookup(envName(f.Name))
		if !ok || err != nil {
			return
		}
		if e := f.Value.Set(v); e != nil {
			err = fmt.Errorf("%s=%q (for -%s): %v", envName(f.Name), v, f.Name, e)
		}
	})
	return err
}

// opsFlags are the flags of the operational limits and of index reloading.
type opsFlags struct {
	rateLimit      *float64
	rateBurst      *int
	maxClients     *int
	clientIPHeader *string
	maxConcurrent  *int
	reloadPoll     *time.Duration
}

func addOpsFlags(fs *flag.FlagSet) *opsFlags {
	return &opsFlags{
		rateLimit: fs.Float64("rate-limit", 10, "requests per second allowed to one client (IPv4 address or IPv6 /64), sustained; 0 turns the limit off (benchmarks)"),
		rateBurst: fs.Int("rate-burst", 0, "requests one client may send at once; 0 is 4 × -rate-limit"),
		maxClients: fs.Int("rate-clients", searchd.DefaultMaxClients,
			"clients the rate limiter remembers (in memory only, as salted hashes; the least recent is forgotten first)"),
		clientIPHeader: fs.String("client-ip-header", "", "behind a reverse proxy or load balancer: the header whose last address is the client's (e.g. X-Forwarded-For); never set it when clients reach searchd directly"),
		maxConcurrent:  fs.Int("max-concurrent", 32, "requests served at once; more wait up to 100ms, then get a fast 503; 0 is no cap"),
		reloadPoll:     fs.Duration("reload-poll", 2*time.Second, "how often to check whether INDEX/current names a new generation (0: only on SIGHUP)"),
	}
}

func (f *opsFlags) check() error {
	switch {
	case *f.rateLimit < 0:
		return fmt.Errorf("-rate-limit must be 0 (off) or more, not %v", *f.rateLimit)
	case *f.rateBurst < 0, *f.maxConcurrent < 0, *f.maxClients < 0:
		return fmt.Errorf("-rate-burst, -rate-clients and -max-concurrent must not be negative")
	case *f.reloadPoll < 0:
		return fmt.Errorf("-reload-poll must not be negative")
	case *f.reloadPoll > 0 && *f.reloadPoll < 100*time.Millisecond:
		return fmt.Errorf("-reload-poll %v is too short; give 100ms or more", *f.reloadPoll)
	}
	return nil
}

func (f *opsFlags) ops() *searchd.Ops {
	return &searchd.Ops{
		RateLimit:      *f.rateLimit,
		RateBurst:      *f.rateBurst,
		MaxClients:     *f.maxClients,
		ClientIPHeader: *f.clientIPHeader,
		MaxConcurrent:  *f.maxConcurrent,
	}
}

// watchIndex reloads the index on SIGHUP and when INDEX/current changes,
// until ctx is done. It returns once SIGHUP is caught, and watches in the
// background.
func watchIndex(ctx context.Context, idx *indexer.Reloader, poll time.Duration, logger *slog.Logger) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP)
	hup := make(chan struct{})
	go func() {
		defer signal.Stop(sigs)
		for {
			select {
			case <-ctx.Done():
				return
			case <-sigs:
				select {
				case hup <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	logger.Info("watching the index for new generations", "poll", poll.String())
	go idx.Watch(ctx, poll, hup)
}
