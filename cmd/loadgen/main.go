// Command loadgen measures a running dashboard: webhook ingest throughput
// and latency, the bare HTTP stack's ceiling on the same machine, live push
// latency to many websocket clients, the memory an idle live client costs
// the server, and whether its memory stays flat under a steady load.
//
//	go run ./cmd/loadgen -mode ingest -c 64 -duration 20s   # POST webhooks to -url
//	go run ./cmd/loadgen -mode noop -c 64 -duration 20s     # the same against an in-process no-op Fiber server
//	go run ./cmd/loadgen -mode push -clients 1000           # webhook 2xx -> websocket message latency
//	go run ./cmd/loadgen -mode idle -clients 1000 -pid PID  # server RSS per idle websocket client
//	go run ./cmd/loadgen -mode soak -duration 60m -pid PID  # server RSS over an hour at a steady load
//	go run ./cmd/loadgen -mode bodies -clients 5000 -pid PID # server RSS under connections that announce 1 MiB and send 1 byte
//
// Every run is bounded in time (-duration) and, optionally, in count (-n),
// and targets loopback only unless -allow-remote is given. Each run ends
// with one summary line starting with "loadgen mode=", meant to be pasted
// as is; compare figures as ratios against a baseline measured in the same
// sitting (the noop mode, or pgbench), since absolute figures on a small
// shared machine are noisy.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Hard bounds, whatever the flags say: a typo must not start an endless or
// unbounded run.
const (
	maxDuration = time.Hour
	maxRequests = 50_000_000
	maxClients  = 100_000
	maxWorkers  = 10_000
)

type config struct {
	Mode        string
	URL         string
	Concurrency int
	Duration    time.Duration
	N           int
	Timeout     time.Duration
	Meetings    int
	Clients     int
	Interval    time.Duration
	Drain       time.Duration
	DialConc    int
	PID         int
	Settle      time.Duration
	Rate        int
	Sample      time.Duration
	AllowRemote bool
	Seed        uint64
	Alias       bool
	Pace        int
	Announce    int
	Poison      int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Mode, "mode", "ingest", "ingest | noop | push | idle | soak | bodies")
	fs.StringVar(&cfg.URL, "url", envOr("DASHBOARD_URL", "http://127.0.0.1:8080"), "the dashboard's base URL (env DASHBOARD_URL)")
	fs.IntVar(&cfg.Concurrency, "c", 64, "ingest/noop/soak: concurrent workers, each with its own keep-alive connection")
	fs.DurationVar(&cfg.Duration, "duration", 20*time.Second, "stop after this long (ingest/noop: issuing requests; push: posting webhooks)")
	fs.IntVar(&cfg.N, "n", 0, "ingest/noop: stop after this many requests; push: after this many webhooks (0: -duration only)")
	fs.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.IntVar(&cfg.Meetings, "meetings", 200, "ingest/noop/soak: meetings the joins and leaves are spread over")
	fs.IntVar(&cfg.Clients, "clients", 1000, "push/idle/soak: websocket clients on /live?topic=rooms; bodies: connections announcing a body")
	fs.IntVar(&cfg.Rate, "rate", 200, "soak: webhooks per second")
	fs.DurationVar(&cfg.Sample, "sample", time.Minute, "soak: time between readings of the dashboard's memory")
	fs.DurationVar(&cfg.Interval, "interval", 200*time.Millisecond, "push: time between webhooks")
	fs.DurationVar(&cfg.Drain, "drain", 10*time.Second, "push: after the last webhook, how long to wait for every client to get it; ingest: for the models to catch up")
	fs.IntVar(&cfg.DialConc, "dial-c", 64, "push/idle/soak: websocket handshakes in flight at once")
	fs.IntVar(&cfg.PID, "pid", 0, "the dashboard's process id: idle and soak need it for VmRSS; ingest and push report its CPU use with it")
	fs.DurationVar(&cfg.Settle, "settle", 5*time.Second, "idle: wait this long after connecting (and after closing) before reading VmRSS")
	fs.IntVar(&cfg.Pace, "pace", 0, "ingest: webhooks per second over all workers (0: as fast as they are answered)")
	fs.IntVar(&cfg.Announce, "announce", 1<<20, "bodies: the Content-Length each connection announces")
	fs.IntVar(&cfg.Poison, "poison", 0, "ingest: this many of the -c workers post poison deliveries (a meeting id of 3,000 bytes, over the id bound), the others valid ones; the valid deliveries' rate is reported apart")
	fs.BoolVar(&cfg.Alias, "alias", false, "push/idle: each client subscribes to the live-rooms page under its own name (rooms?before=N, a parameter the page ignores)")
	fs.BoolVar(&cfg.AllowRemote, "allow-remote", false, "allow a -url that is not on this machine (loopback)")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "random seed for ids and names (0: from the clock; ids are unique per run either way)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch cfg.Mode {
	case "ingest", "noop", "push", "idle", "soak", "bodies":
	default:
		return cfg, fmt.Errorf("-mode %q: want ingest, noop, push, idle, soak or bodies", cfg.Mode)
	}
	switch {
	case cfg.Duration <= 0 || cfg.Duration > maxDuration:
		return cfg, fmt.Errorf("-duration %v: want more than 0 and at most %v", cfg.Duration, maxDuration)
	case cfg.N < 0 || cfg.N > maxRequests:
		return cfg, fmt.Errorf("-n %d: want 0 to %d", cfg.N, maxRequests)
	case cfg.Concurrency < 1 || cfg.Concurrency > maxWorkers:
		return cfg, fmt.Errorf("-c %d: want 1 to %d", cfg.Concurrency, maxWorkers)
	case cfg.Clients < 1 || cfg.Clients > maxClients:
		return cfg, fmt.Errorf("-clients %d: want 1 to %d", cfg.Clients, maxClients)
	case cfg.Meetings < 1:
		return cfg, fmt.Errorf("-meetings %d: want at least 1", cfg.Meetings)
	case cfg.Interval <= 0:
		return cfg, fmt.Errorf("-interval %v: want more than 0", cfg.Interval)
	case cfg.DialConc < 1:
		return cfg, fmt.Errorf("-dial-c %d: want at least 1", cfg.DialConc)
	case cfg.Timeout <= 0 || cfg.Drain < 0 || cfg.Settle < 0:
		return cfg, errors.New("-timeout must be positive, -drain and -settle not negative")
	case cfg.Pace < 0 || cfg.Pace > 1_000_000:
		return cfg, fmt.Errorf("-pace %d: want 0 to 1000000", cfg.Pace)
	case cfg.Poison < 0 || cfg.Poison >= cfg.Concurrency && cfg.Poison > 0:
		return cfg, fmt.Errorf("-poison %d: want 0 to -c minus 1 (%d), so some workers post valid deliveries", cfg.Poison, cfg.Concurrency-1)
	case cfg.Announce < 1:
		return cfg, fmt.Errorf("-announce %d: want at least 1", cfg.Announce)
	case (cfg.Mode == "idle" || cfg.Mode == "soak" || cfg.Mode == "bodies") && cfg.PID <= 0:
		return cfg, fmt.Errorf("-mode %s needs -pid, the dashboard's process id (run a built binary, not go run, and pass its pid)", cfg.Mode)
	case cfg.Rate < 1 || cfg.Rate > 1_000_000:
		return cfg, fmt.Errorf("-rate %d: want 1 to 1000000", cfg.Rate)
	case cfg.Sample <= 0:
		return cfg, fmt.Errorf("-sample %v: want more than 0", cfg.Sample)
	}
	if cfg.Mode != "noop" {
		u, err := url.Parse(strings.TrimSuffix(cfg.URL, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cfg, fmt.Errorf("-url %q: want http(s)://host:port", cfg.URL)
		}
		cfg.URL = u.Scheme + "://" + u.Host
		if !cfg.AllowRemote && !loopbackHost(u.Hostname()) {
			return cfg, fmt.Errorf("-url %s is not a loopback address: load tests only target this machine unless -allow-remote is given", cfg.URL)
		}
	}
	return cfg, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	switch cfg.Mode {
	case "ingest":
		_, err = runIngest(ctx, cfg, stdout)
	case "noop":
		_, err = runNoop(ctx, cfg, stdout)
	case "push":
		_, err = runPush(ctx, cfg, stdout)
	case "idle":
		_, err = runIdle(ctx, cfg, stdout)
	case "soak":
		_, err = runSoak(ctx, cfg, stdout)
	case "bodies":
		_, err = runBodies(ctx, cfg, stdout)
	}
	return err
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// loopbackHost reports whether host names this machine without any
// lookup: localhost, or a literal loopback address.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// raiseFDLimit lifts the soft limit on open files to the hard limit and
// returns the limit in force.
func raiseFDLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, err
		}
		if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, err
		}
	}
	return lim.Cur, nil
}
