package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// ingestReport is the outcome of an ingest or noop run.
type ingestReport struct {
	Requests  int // answered, whatever the status
	OK        int // 2xx
	ValidOK   int // 2xx of the valid deliveries, with -poison
	Errors    int // no answer (connection error, timeout)
	Elapsed   time.Duration
	RPS       float64 // answered requests per second
	OKPS      float64 // 2xx per second
	ValidOKPS float64 // 2xx per second of the valid deliveries, with -poison
	P50, P90  time.Duration
	P99, Max  time.Duration
	Statuses  map[int]int
	Outcomes  map[string]int
	ErrKinds  map[string]int
	StoppedBy string
	CPUSelf   float64 // cores used by loadgen (and, in noop mode, the server in it)
	CPUServer float64 // cores used by the dashboard (-pid), -1 when unknown
	CPUOther  float64 // cores used by everything else: the database, neighbours
	Lag       lagReport
}

// newHTTPClient is a keep-alive client for c workers on one host: one idle
// connection kept per worker, so no request waits for a handshake.
func newHTTPClient(c int, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        c,
			MaxIdleConnsPerHost: c,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
			ForceAttemptHTTP2:   false,
		},
	}
}

type workerStats struct {
	poison   bool // posts -poison's deliveries
	lat      []time.Duration
	statuses map[int]int
	outcomes map[string]int
	errs     map[string]int
}

// drive POSTs the ingest workload to base+/webhooks/videosdk with
// cfg.Concurrency workers until cfg.Duration has passed or cfg.N requests
// were issued. Requests in flight at the deadline are let finish.
func drive(ctx context.Context, cfg config, base string, serverPID int) ingestReport {
	l := newLoad(cfg, base, 0x10ad)
	defer l.client.CloseIdleConnections()

	var issued atomic.Int64
	var stoppedByN atomic.Bool
	deadline := time.Now().Add(cfg.Duration)
	stats := make([]*workerStats, cfg.Concurrency)
	var wg sync.WaitGroup
	cpu := startCPU(serverPID)
	start := time.Now()
	var lastDone atomic.Int64
	// With -pace, request k over all workers is due at start + k/pace.
	var paced atomic.Int64
	for i := range stats {
		ws := &workerStats{statuses: map[int]int{}, outcomes: map[string]int{}, errs: map[string]int{}, poison: i < cfg.Poison}
		stats[i] = ws
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if cfg.N > 0 && issued.Add(1) > int64(cfg.N) {
					stoppedByN.Store(true)
					return
				}
				if cfg.Pace > 0 {
					due := start.Add(time.Duration(paced.Add(1)-1) * time.Second / time.Duration(cfg.Pace))
					if !due.Before(deadline) {
						return
					}
					time.Sleep(time.Until(due))
				}
				body, _ := w.next()
				t0 := time.Now()
				status, outcome, err := post(l.client, l.target, body, true)
				d := time.Since(t0)
				lastDone.Store(int64(time.Since(start)))
				if err != nil {
					ws.errs[errKind(err)]++
					continue
				}
				ws.lat = append(ws.lat, d)
				ws.statuses[status]++
				if status/100 == 2 {
					ws.outcomes[outcome]++
				}
			}
		}(l.workers[i])
	}
	wg.Wait()
	cpuSelf, cpuServer, cpuOther := cpu.stop()

	r := ingestReport{Statuses: map[int]int{}, Outcomes: map[string]int{}, ErrKinds: map[string]int{}, CPUSelf: cpuSelf, CPUServer: cpuServer, CPUOther: cpuOther}
	var lat []time.Duration
	for _, ws := range stats {
		lat = append(lat, ws.lat...)
		for k, v := range ws.statuses {
			r.Statuses[k] += v
			if k/100 == 2 {
				r.OK += v
				if !ws.poison {
					r.ValidOK += v
				}
			}
		}
		for k, v := range ws.outcomes {
			r.Outcomes[k] += v
		}
		for k, v := range ws.errs {
			r.ErrKinds[k] += v
			r.Errors += v
		}
	}
	r.Requests = len(lat)
	r.Elapsed = time.Duration(lastDone.Load())
	if r.Elapsed <= 0 {
		r.Elapsed = time.Since(start)
	}
	r.RPS = float64(r.Requests) / r.Elapsed.Seconds()
	r.OKPS = float64(r.OK) / r.Elapsed.Seconds()
	r.ValidOKPS = float64(r.ValidOK) / r.Elapsed.Seconds()
	slices.Sort(lat)
	r.P50, r.P90, r.P99 = percentile(lat, 0.50), percentile(lat, 0.90), percentile(lat, 0.99)
	if len(lat) > 0 {
		r.Max = lat[len(lat)-1]
	}
	switch {
	case ctx.Err() != nil:
		r.StoppedBy = "interrupt"
	case stoppedByN.Load():
		r.StoppedBy = "n"
	default:
		r.StoppedBy = "duration"
	}
	return r
}

// post sends one webhook and reads the whole answer, so the connection
// goes back to the pool; with wantOutcome it reads the answer's outcome.
func post(client *http.Client, url string, body []byte, wantOutcome bool) (status int, outcome string, err error) {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, "", err
	}
	if wantOutcome && resp.StatusCode/100 == 2 {
		outcome = outcomeOf(raw)
	}
	return resp.StatusCode, outcome, nil
}

// errKind shortens an error to what it says went wrong, so errors can be
// counted by kind.
func errKind(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case strings.Contains(err.Error(), "connection refused"):
		return "refused"
	case strings.Contains(err.Error(), "connection reset"):
		return "reset"
	case strings.Contains(err.Error(), "EOF"):
		return "eof"
	case strings.Contains(err.Error(), "too many open files"):
		return "emfile"
	}
	return "other"
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func runIngest(ctx context.Context, cfg config, out io.Writer) (ingestReport, error) {
	fmt.Fprintf(out, "ingest: POST %s/webhooks/videosdk, %d workers, %d meetings, for %v%s\n",
		cfg.URL, cfg.Concurrency, cfg.Meetings, cfg.Duration, nText(cfg.N))
	if err := reachable(cfg.URL, cfg.Timeout); err != nil {
		return ingestReport{}, err
	}
	lag := watchLag(cfg.URL, cfg.Timeout)
	r := drive(ctx, cfg, cfg.URL, cfg.PID)
	r.Lag = lag.finish(ctx, cfg.Drain)
	printIngest(out, "ingest", cfg, r)
	if r.Requests == 0 {
		return r, errors.New("no request was answered")
	}
	return r, nil
}

// runNoop drives a no-op Fiber v2 server in this process exactly as
// ingest drives the dashboard: the ceiling of the HTTP stack (client and
// server on the same cores) with no store behind it.
func runNoop(ctx context.Context, cfg config, out io.Writer) (ingestReport, error) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute})
	app.Post("/webhooks/videosdk", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.SendString(`{"eventId":0,"outcome":"noop"}`)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ingestReport{}, err
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	defer func() {
		app.ShutdownWithTimeout(5 * time.Second)
		<-served
	}()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, "noop: in-process Fiber v2 no-op server at %s, %d workers, for %v%s\n", base, cfg.Concurrency, cfg.Duration, nText(cfg.N))
	r := drive(ctx, cfg, base, 0)
	r.CPUServer = -1 // the server is this process: CPUSelf is both
	printIngest(out, "noop", cfg, r)
	if r.Requests == 0 {
		return r, errors.New("no request was answered")
	}
	return r, nil
}

// reachable checks the dashboard answers before a run starts.
func reachable(base string, timeout time.Duration) error {
	c := &http.Client{Timeout: timeout}
	resp, err := c.Get(base + "/healthz")
	if err != nil {
		return fmt.Errorf("the dashboard at %s does not answer: %w", base, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s/healthz answered %d", base, resp.StatusCode)
	}
	return nil
}

func nText(n int) string {
	if n > 0 {
		return fmt.Sprintf(" or %d requests", n)
	}
	return ""
}

func printIngest(out io.Writer, mode string, cfg config, r ingestReport) {
	fmt.Fprintf(out, "  answered %d in %.2fs (stopped by %s): %.0f req/s, %.0f 2xx/s; %d without answer %s\n",
		r.Requests, r.Elapsed.Seconds(), r.StoppedBy, r.RPS, r.OKPS, r.Errors, fmtCounts(r.ErrKinds))
	fmt.Fprintf(out, "  latency p50 %sms p90 %sms p99 %sms max %sms\n", fmtMS(r.P50), fmtMS(r.P90), fmtMS(r.P99), fmtMS(r.Max))
	fmt.Fprintf(out, "  status %s; outcomes %s\n", fmtStatuses(r.Statuses), fmtCounts(r.Outcomes))
	if cfg.Poison > 0 {
		fmt.Fprintf(out, "  the %d valid workers of %d: %.0f 2xx/s (the %d posting poison deliveries: %.0f 2xx/s)\n",
			cfg.Concurrency-cfg.Poison, cfg.Concurrency, r.ValidOKPS, cfg.Poison, r.OKPS-r.ValidOKPS)
	}
	fmt.Fprintf(out, "  cpu (cores, of %d): loadgen %s, server %s, everything else %s\n", runtime.NumCPU(), fmtCores(r.CPUSelf), fmtCores(r.CPUServer), fmtCores(r.CPUOther))
	if r.Lag.Known {
		fmt.Fprintf(out, "  models behind the event log: at most %.0f deliveries, the oldest waiting %ss; caught up %s after the load\n",
			r.Lag.MaxEvents, fmtSec(r.Lag.MaxAge), fmtCatchUp(r.Lag.CatchUp))
	}
	url := cfg.URL
	if mode == "noop" {
		url = "in-process"
	}
	fmt.Fprintf(out, "loadgen mode=%s url=%s c=%d duration=%.1fs requests=%d rps=%.0f ok_rps=%.0f p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s status=%s errors=%d cpu_loadgen=%s cpu_server=%s cpu_other=%s pace=%d max_lag_s=%s max_lag_events=%.0f catch_up_s=%s\n",
		mode, url, cfg.Concurrency, r.Elapsed.Seconds(), r.Requests, r.RPS, r.OKPS,
		fmtMS(r.P50), fmtMS(r.P90), fmtMS(r.P99), fmtMS(r.Max), fmtStatuses(r.Statuses), r.Errors, fmtCores(r.CPUSelf), fmtCores(r.CPUServer), fmtCores(r.CPUOther),
		cfg.Pace, fmtSec(r.Lag.MaxAge), r.Lag.MaxEvents, fmtCatchUp(r.Lag.CatchUp))
}

func fmtSec(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }

// fmtCatchUp prints a catch-up time, "never" when it did not happen.
func fmtCatchUp(d time.Duration) string {
	if d < 0 {
		return "never"
	}
	return fmtSec(d)
}

func fmtStatuses(m map[int]int) string {
	s := map[string]int{}
	for k, v := range m {
		s[strconv.Itoa(k)] = v
	}
	return fmtCounts(s)
}

// fmtCounts prints counts as k:v,k:v in key order ("-" when empty).
func fmtCounts(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s:%d", k, m[k])
	}
	return b.String()
}
