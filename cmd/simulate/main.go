// Command simulate sends a realistic, endless mix of VideoSDK webhooks to a
// running dashboard, so an operator can watch a live board.
//
// About -rooms meetings are live at once. Each is a small state machine on a
// shared virtual clock: a session starts, participants join, leave and
// rejoin, recordings, HLS, livestreams, transcriptions, per-participant track
// recordings, agent sessions and SIP calls run through their stages (some
// fail), then everyone leaves and the session ends, and another room opens.
// Deliveries go out at -rate per second on average, a few of them
// duplicated (-dup) or out of order (-reorder); connection errors, 429 and
// 5xx answers are retried with backoff, waiting at least as long as a
// Retry-After says. A delivery that never gets a 2xx (another 4xx, or too
// many tries) is counted as dropped.
//
// It posts to -url, else DASHBOARD_URL, else the dashboard's own listen
// address DASHBOARD_ADDR, else http://127.0.0.1:8080, and says which.
//
// Stopping: on reaching -count or -duration, or on Ctrl-C, the simulator
// drains: every open room is closed properly right away (jobs stop,
// participants leave, session-ended), so the board is left with no
// half-open sessions; then it waits up to 15 s for outstanding deliveries
// and retries, and prints a final summary. A second Ctrl-C exits at once.
// -count counts the webhooks of the normal schedule; the drain's closing
// webhooks come on top.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the process
	}()
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "simulate:", err)
		os.Exit(2)
	}
	if _, err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "simulate:", err)
		os.Exit(1)
	}
}

// config is the simulator's configuration.
type config struct {
	url          string // dashboard base URL
	urlFrom      string // where url came from, for the start-up line
	rooms        int
	rate         float64
	count        int
	duration     time.Duration
	seed         uint64
	dup, reorder float64
	fail         float64
	keyPath      string

	// Not flags; tests shorten them.
	workers     int
	every       time.Duration // between summary lines
	grace       time.Duration // to finish outstanding deliveries at exit
	retryBase   time.Duration
	retryMax    time.Duration
	maxAttempts int
}

func defaults() config {
	return config{
		url: "http://127.0.0.1:8080", urlFrom: "the default", rooms: 6, rate: 5, dup: 0.05, reorder: 0.05, fail: 0.05,
		seed:    uint64(time.Now().UnixNano()),
		workers: 4, every: 10 * time.Second, grace: 15 * time.Second,
		retryBase: time.Second, retryMax: 30 * time.Second, maxAttempts: 8,
	}
}

// parseConfig reads flags from args, with defaults from getenv.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	c := defaults()
	if v := strings.TrimSpace(getenv("DASHBOARD_URL")); v != "" {
		c.url, c.urlFrom = v, "DASHBOARD_URL"
	} else if v := strings.TrimSpace(getenv("DASHBOARD_ADDR")); v != "" {
		u, err := addrURL(v)
		if err != nil {
			return c, fmt.Errorf("DASHBOARD_ADDR: %w", err)
		}
		c.url, c.urlFrom = u, "DASHBOARD_ADDR"
	}
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.url, "url", c.url, "dashboard base URL (env DASHBOARD_URL; else from the dashboard's DASHBOARD_ADDR)")
	fs.IntVar(&c.rooms, "rooms", c.rooms, "how many rooms are live at once")
	fs.Float64Var(&c.rate, "rate", c.rate, "average webhooks per second")
	fs.IntVar(&c.count, "count", 0, "stop after this many webhooks, then close the open rooms (0 = endless)")
	fs.DurationVar(&c.duration, "duration", 0, "stop after this long, then close the open rooms (0 = endless)")
	seed := fs.Uint64("seed", 0, "random seed, for a reproducible mix (default: time-based)")
	fs.Float64Var(&c.dup, "dup", c.dup, "probability that a delivery is sent again later")
	fs.Float64Var(&c.reorder, "reorder", c.reorder, "probability that a delivery is held back and sent after the next one")
	fs.Float64Var(&c.fail, "fail", c.fail, "probability that a recording, HLS, livestream or track recording fails")
	fs.StringVar(&c.keyPath, "key", "", "RSA private key PEM file: sign each body (RSA-SHA256, header videosdk-signature)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "seed":
			c.seed = *seed
		case "url":
			c.urlFrom = "-url"
		}
	})
	u, err := url.Parse(c.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("-url: want an http(s) base URL such as http://127.0.0.1:8080, got %q", c.url)
	}
	c.url = strings.TrimRight(c.url, "/")
	switch {
	case c.rooms < 1:
		return c, fmt.Errorf("-rooms: want at least 1, got %d", c.rooms)
	case !(c.rate > 0):
		return c, fmt.Errorf("-rate: want a positive rate, got %g", c.rate)
	case c.count < 0:
		return c, fmt.Errorf("-count: want 0 or more, got %d", c.count)
	case c.duration < 0:
		return c, fmt.Errorf("-duration: want 0 or more, got %s", c.duration)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"dup", c.dup}, {"reorder", c.reorder}, {"fail", c.fail}} {
		if !(p.v >= 0 && p.v <= 1) {
			return c, fmt.Errorf("-%s: want a probability between 0 and 1, got %g", p.name, p.v)
		}
	}
	return c, nil
}

// addrURL is the base URL of a dashboard listening on addr (its -addr or
// DASHBOARD_ADDR, such as 127.0.0.1:8080 or :8080): a listener on every
// interface is reached on 127.0.0.1.
func addrURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("want a listen address such as 127.0.0.1:8080 or :8080, got %q", addr)
	}
	if ip, err := netip.ParseAddr(host); host == "" || err == nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

// run sends webhooks until -count, -duration or ctx ends it, then drains
// (see the package comment) and returns the final counts.
func run(ctx context.Context, cfg config, out io.Writer) (summary, error) {
	rng := rand.New(rand.NewPCG(cfg.seed, cfg.seed^0x9e3779b97f4a7c15))
	em := &emitter{rng: rng, dup: cfg.dup, reorder: cfg.reorder, rate: cfg.rate, st: &stats{summary: summary{Status: map[int]int{}}}}
	if cfg.keyPath != "" {
		key, err := loadKey(cfg.keyPath)
		if err != nil {
			return summary{}, fmt.Errorf("-key: %w", err)
		}
		em.key = key
	}
	st := em.st
	em.snd = newSender(cfg.url+"/webhooks/videosdk", cfg.workers, st, cfg.retryBase, cfg.retryMax, cfg.maxAttempts)
	w := newWorld(rng, cfg.rooms, cfg.fail)

	fmt.Fprintf(out, "simulate: open %s/ to watch the board\n", cfg.url)
	limit := "until Ctrl-C"
	switch {
	case cfg.count > 0 && cfg.duration > 0:
		limit = fmt.Sprintf("for %d webhooks or %s", cfg.count, cfg.duration)
	case cfg.count > 0:
		limit = fmt.Sprintf("for %d webhooks", cfg.count)
	case cfg.duration > 0:
		limit = "for " + cfg.duration.String()
	}
	signed := ""
	if em.key != nil {
		signed = ", signed"
	}
	fmt.Fprintf(out, "simulate: posting to %s/webhooks/videosdk (from %s), %d rooms, %g/s%s, %s (seed %d)\n",
		cfg.url, cfg.urlFrom, cfg.rooms, cfg.rate, signed, limit, cfg.seed)

	began := time.Now()
	report := func() summary {
		s := st.snapshot()
		s.Pending, s.RoomsOpen, s.Opened, s.Closed = em.snd.pending(), w.liveRooms(), w.opened, w.closed
		return s
	}
	var deadline <-chan time.Time
	if cfg.duration > 0 {
		t := time.NewTimer(cfg.duration)
		defer t.Stop()
		deadline = t.C
	}
	ticker := time.NewTicker(cfg.every)
	defer ticker.Stop()
	pace := time.NewTimer(0)
	defer pace.Stop()
	next := time.Now()
	why := "count reached"
	var err error
loop:
	for n := 0; cfg.count == 0 || n < cfg.count; {
		select {
		case <-ctx.Done():
			why = "interrupted"
			break loop
		case <-deadline:
			why = "duration reached"
			break loop
		case <-ticker.C:
			fmt.Fprintf(out, "simulate: %s: %s\n", time.Since(began).Round(time.Second), report())
		case <-pace.C:
			if err = em.emit(w.next()); err != nil {
				break loop
			}
			n++
			// Poisson arrivals at the average rate; after a stall, no burst.
			gap := min(rng.ExpFloat64(), 10) / cfg.rate
			next = next.Add(time.Duration(gap * float64(time.Second)))
			if now := time.Now(); next.Before(now.Add(-time.Second)) {
				next = now
			}
			pace.Reset(time.Until(next))
		}
	}

	open := w.liveRooms()
	closing := w.drain()
	if err == nil {
		fmt.Fprintf(out, "simulate: %s; closing %d open rooms (%d webhooks)\n", why, open, len(closing))
		gap := time.Duration(float64(time.Second) / max(cfg.rate, 100))
		for _, wh := range closing {
			if err = em.emit(wh); err != nil {
				break
			}
			time.Sleep(gap)
		}
	}
	em.flush()
	if p := em.snd.pending(); p > 0 {
		fmt.Fprintf(out, "simulate: waiting up to %s for %d outstanding deliveries\n", cfg.grace, p)
	}
	em.snd.close(cfg.grace)
	final := report()
	fmt.Fprintf(out, "simulate: done after %s: %s\n", time.Since(began).Round(time.Millisecond), final)
	return final, err
}
