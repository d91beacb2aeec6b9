package main

import (
	"flag"
	"fmt"
	"github.com/meetboard/meetboard/models"
	"io"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meetboard/meetboard/handlers"
	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/views"
)

// config is the dashboard's configuration: flags, which default to the
// environment, which defaults to built-in values.
type config struct {
	Addr        string
	DatabaseURL string
	BodyLimit   int
	BatchWindow time.Duration
	StaleAfter  time.Duration
	Retention   time.Duration
	LogLevel    slog.Level
	// Verifiers holds, by provider name, the check built from each
	// provider's configured secret (see webhooks.Secret); a provider
	// without one accepts deliveries unverified.
	Verifiers map[string]webhooks.Verifier
	// Access and hardening.
	APIToken            string
	PublicURL           string
	TrustedProxies      []string
	LinkHosts           []string
	WebhookFailureLimit int
	LoginRateLimit      int
	MaxConns            int
	BodyMemory          int
	LiveLimits          handlers.LiveLimits
	AdminUser           string
	AdminPassword       string
	// Command is the arguments that are not flags, in order: empty to
	// serve, else a command (user ..., token ..., rebuild, reapply).
	Command       []string
	ShutdownGrace time.Duration
	LiveBuffer    int
	// LiveBudget is the bytes a second each live page is pushed at most;
	// negative for no budget.
	LiveBudget int
	DBMaxConns int
	Committers int
	// AlertURL receives alerts as JSON POSTs; "" records them only.
	AlertURL string
	// AlertKinds are the kinds of problem that raise alerts.
	AlertKinds []models.ProblemKind
}

// defaultAlertKinds are the problems that alert unless -alert-kinds says
// otherwise: failures of what an operator started, and rooms gone silent.
const defaultAlertKinds = "recording-failed,stream-failed,transcription-failed,call-failed,stale-room,deliveries-refused"

// parseConfig reads flags from args and defaults from getenv.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	env := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("dashboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	var bodyLimit, bodyMemory, liveBudget, batchWindow, staleAfter, retention, logLevel string
	fs.StringVar(&c.Addr, "addr", env("DASHBOARD_ADDR", "127.0.0.1:8080"), "listen address (env DASHBOARD_ADDR)")
	fs.StringVar(&c.DatabaseURL, "db", env("DATABASE_URL", "./dashboard.db"),
		"SQLite file, or a postgres:// URL (env DATABASE_URL)")
	fs.StringVar(&bodyLimit, "body-limit", env("DASHBOARD_BODY_LIMIT", strconv.Itoa(handlers.DefaultBodyLimit)),
		"largest webhook body in bytes; k/m suffixes allowed (env DASHBOARD_BODY_LIMIT)")
	fs.StringVar(&bodyMemory, "body-memory", env("DASHBOARD_BODY_MEMORY", "128m"),
		"request bodies held in memory at once, all requests together; past it requests get 503 (env DASHBOARD_BODY_MEMORY)")
	fs.StringVar(&batchWindow, "batch-window", env("DASHBOARD_BATCH_WINDOW", "1ms"),
		"how long ingest waits to group deliveries into one commit (env DASHBOARD_BATCH_WINDOW)")
	fs.StringVar(&retention, "retention", env("DASHBOARD_RETENTION", "90d"),
		"remove events older than this from the event log (e.g. 90d or 720h; 0 keeps everything); the models stay (env DASHBOARD_RETENTION)")
	fs.StringVar(&staleAfter, "stale-after", env("DASHBOARD_STALE_AFTER", "12h"),
		"a live session silent this long is shown as stale (env DASHBOARD_STALE_AFTER)")
	// Whole numbers are read after parsing, so that a bad one in the
	// environment is reported, not replaced by the default.
	type intSetting struct {
		name, key string
		text      *string
		to        *int
	}
	var ints []intSetting
	intVar := func(to *int, name, key string, def int, usage string) {
		text := new(string)
		fs.StringVar(text, name, env(key, strconv.Itoa(def)), usage+" (env "+key+")")
		ints = append(ints, intSetting{name, key, text, to})
	}
	intVar(&c.DBMaxConns, "db-max-conns", "DASHBOARD_DB_MAX_CONNS", 0,
		"database `connections` per instance; 0 picks 10 on PostgreSQL, 4 on SQLite")
	intVar(&c.Committers, "committers", "DASHBOARD_COMMITTERS", 0,
		"ingest `transactions` in flight at once on PostgreSQL; 0 picks 2 (SQLite always has one)")
	intVar(&c.LiveBuffer, "live-buffer", "DASHBOARD_LIVE_BUFFER", 16,
		"`messages` queued per browser before it counts as too slow and is told to reconnect")
	fs.StringVar(&liveBudget, "live-budget", env("DASHBOARD_LIVE_BUDGET", "64k"),
		"bytes a second each browser's live page is pushed at most, k/m suffixes allowed; changes past it wait and are taken together; 0 for no budget (env DASHBOARD_LIVE_BUDGET)")
	fs.StringVar(&c.PublicURL, "public-url", env("DASHBOARD_PUBLIC_URL", ""),
		"the URL operators open, e.g. https://meet.example.com: live sockets must come from it (env DASHBOARD_PUBLIC_URL)")
	intVar(&c.WebhookFailureLimit, "webhook-failure-limit", "DASHBOARD_WEBHOOK_FAILURE_LIMIT", 600,
		"failed webhook `deliveries` (bad signature, undecodable) per minute per source address before further failures get 429; deliveries that verify are never limited; 0 for no limit")
	intVar(&c.LiveLimits.SessionSockets, "live-sockets-per-session", "DASHBOARD_LIVE_SOCKETS_PER_SESSION", 100,
		"live `sockets` one signed-in session or API token may keep open, 0 for no cap")
	intVar(&c.LiveLimits.SessionTopics, "live-pages-per-session", "DASHBOARD_LIVE_PAGES_PER_SESSION", 32,
		"different `pages` one session or API token may watch live at once, 0 for no cap")
	intVar(&c.LiveLimits.AddrSockets, "live-sockets-per-addr", "DASHBOARD_LIVE_SOCKETS_PER_ADDR", 1000,
		"live `sockets` one source address may keep open, 0 for no cap")
	intVar(&c.LiveLimits.AddrTopics, "live-pages-per-addr", "DASHBOARD_LIVE_PAGES_PER_ADDR", 200,
		"different `pages` one source address may watch live at once, 0 for no cap")
	intVar(&c.MaxConns, "max-conns", "DASHBOARD_MAX_CONNS", 0,
		"open `connections` at most, live sockets included; 0 picks the open-file limit less 256")
	intVar(&c.LoginRateLimit, "login-rate-limit", "DASHBOARD_LOGIN_RATE_LIMIT", 20,
		"sign-in `attempts` per minute per source address")
	alertKinds := fs.String("alert-kinds", env("DASHBOARD_ALERT_KINDS", defaultAlertKinds),
		"the kinds of problem that raise an alert, comma-separated, or none (env DASHBOARD_ALERT_KINDS); alerts go to DASHBOARD_ALERT_URL")
	fs.StringVar(&logLevel, "log-level", env("DASHBOARD_LOG_LEVEL", "info"), "debug, info, warn or error (env DASHBOARD_LOG_LEVEL)")
	// Each provider's secret file flag, by provider name.
	providers := webhooks.Providers()
	secretFiles := map[string]*string{}
	for _, p := range providers {
		if s := p.Secret; s.FileFlag != "" {
			secretFiles[p.Name] = fs.String(s.FileFlag, env(s.FileEnv, ""), s.FileUsage)
		}
	}
	var err error
	if c.Command, err = parseArgs(fs, args); err != nil {
		return c, err
	}
	for _, i := range ints {
		n, err := strconv.Atoi(strings.TrimSpace(*i.text))
		if err != nil {
			return c, fmt.Errorf("-%s (env %s): want a whole number, got %q", i.name, i.key, *i.text)
		}
		*i.to = n
	}
	if c.BodyLimit, err = parseBytes(bodyLimit); err != nil {
		return c, fmt.Errorf("-body-limit: %w", err)
	}
	if c.BodyMemory, err = parseBytes(bodyMemory); err != nil {
		return c, fmt.Errorf("-body-memory: %w", err)
	}
	if strings.TrimSpace(liveBudget) == "0" {
		c.LiveBudget = -1
	} else if c.LiveBudget, err = parseBytes(liveBudget); err != nil {
		return c, fmt.Errorf("-live-budget: %w", err)
	}
	if c.BodyMemory < c.BodyLimit {
		return c, fmt.Errorf("-body-memory (%d) must be at least -body-limit (%d): one largest body must fit", c.BodyMemory, c.BodyLimit)
	}
	if c.BatchWindow, err = time.ParseDuration(batchWindow); err != nil || c.BatchWindow < 0 {
		return c, fmt.Errorf("-batch-window: want a duration such as 1ms, got %q", batchWindow)
	}
	if c.Retention, err = parseDays(retention); err != nil || c.Retention < 0 {
		return c, fmt.Errorf("-retention: want a duration such as 90d or 720h, or 0, got %q", retention)
	}
	if c.StaleAfter, err = time.ParseDuration(staleAfter); err != nil || c.StaleAfter <= 0 {
		return c, fmt.Errorf("-stale-after: want a positive duration such as 12h, got %q", staleAfter)
	}
	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return c, fmt.Errorf("-log-level: %w", err)
	}
	if c.Verifiers, err = parseSecrets(providers, getenv, secretFiles); err != nil {
		return c, err
	}
	if c.DBMaxConns < 0 || c.Committers < 0 || c.WebhookFailureLimit < 0 || c.LoginRateLimit < 0 || c.MaxConns < 0 ||
		c.LiveLimits.SessionSockets < 0 || c.LiveLimits.SessionTopics < 0 || c.LiveLimits.AddrSockets < 0 || c.LiveLimits.AddrTopics < 0 {
		return c, fmt.Errorf("-db-max-conns, -committers, -webhook-failure-limit, -login-rate-limit, -max-conns and the -live-*-per-* caps cannot be negative")
	}
	if c.LiveBuffer < 1 {
		return c, fmt.Errorf("-live-buffer: want at least 1, got %d", c.LiveBuffer)
	}
	c.APIToken = strings.TrimSpace(getenv("DASHBOARD_API_TOKEN"))
	if c.APIToken != "" && len(c.APIToken) < 20 {
		return c, fmt.Errorf("DASHBOARD_API_TOKEN: use at least 20 characters")
	}
	if c.TrustedProxies, err = handlers.ParseTrustedProxies(getenv("DASHBOARD_TRUSTED_PROXIES")); err != nil {
		return c, fmt.Errorf("DASHBOARD_TRUSTED_PROXIES: %w", err)
	}
	if c.LinkHosts, err = views.ParseLinkHosts(getenv("DASHBOARD_LINK_HOSTS")); err != nil {
		return c, fmt.Errorf("DASHBOARD_LINK_HOSTS: %w", err)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("-public-url: want an http(s) URL such as https://meet.example.com, got %q", c.PublicURL)
		}
	}
	if c.AlertKinds, err = parseAlertKinds(*alertKinds); err != nil {
		return c, fmt.Errorf("-alert-kinds: %w", err)
	}
	if c.AlertURL = strings.TrimSpace(getenv("DASHBOARD_ALERT_URL")); c.AlertURL != "" {
		if u, err := url.Parse(c.AlertURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("DASHBOARD_ALERT_URL: want an http(s) URL such as https://hooks.slack.com/services/...")
		}
	}
	c.AdminUser = strings.TrimSpace(getenv("DASHBOARD_ADMIN_USER"))
	c.AdminPassword = getenv("DASHBOARD_ADMIN_PASSWORD")
	if (c.AdminUser == "") != (c.AdminPassword == "") {
		return c, fmt.Errorf("set both DASHBOARD_ADMIN_USER and DASHBOARD_ADMIN_PASSWORD, or neither")
	}
	c.ShutdownGrace = 10 * time.Second
	return c, nil
}

// parseAlertKinds reads a comma-separated list of problem kinds; "none"
// or nothing is none.
func parseAlertKinds(text string) ([]models.ProblemKind, error) {
	text = strings.TrimSpace(text)
	if text == "" || text == "none" {
		return nil, nil
	}
	known := models.AlertKinds()
	var out []models.ProblemKind
	for _, k := range strings.Split(text, ",") {
		kind := models.ProblemKind(strings.ToLower(strings.TrimSpace(k)))
		if !slices.Contains(known, kind) {
			names := make([]string, len(known))
			for i, k := range known {
				names[i] = string(k)
			}
			return nil, fmt.Errorf("unknown kind %q; the kinds are %s, or none", k, strings.Join(names, ", "))
		}
		if !slices.Contains(out, kind) {
			out = append(out, kind)
		}
	}
	return out, nil
}

// parseSecrets reads each provider's secret, from the file its flag names
// when it has one and the flag is set, else from its environment variable,
// and parses it into the provider's verifier. A blank secret leaves the
// provider unverified. Errors name the flag or variable the secret came
// from.
func parseSecrets(providers []webhooks.Provider, getenv func(string) string, files map[string]*string) (map[string]webhooks.Verifier, error) {
	verifiers := map[string]webhooks.Verifier{}
	for _, p := range providers {
		s := p.Secret
		text, from := getenv(s.Env), s.Env
		if file := files[p.Name]; file != nil && *file != "" {
			b, err := os.ReadFile(*file)
			if err != nil {
				return nil, fmt.Errorf("-%s: %w", s.FileFlag, err)
			}
			text, from = string(b), "-"+s.FileFlag
		}
		if text = strings.TrimSpace(text); text == "" {
			continue
		}
		v, err := s.Parse(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", from, err)
		}
		verifiers[p.Name] = v
	}
	return verifiers, nil
}

// parseDays reads a duration that may be given in days ("90d") as well as
// in Go's units ("720h").
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, err
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// parseBytes reads a size such as 1048576, 512k or 4m.
func parseBytes(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	mult := 1
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "kib"):
		mult, s = 1<<10, strings.TrimRight(s, "kib")
	case strings.HasSuffix(s, "m"), strings.HasSuffix(s, "mib"):
		mult, s = 1<<20, strings.TrimRight(s, "mib")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive size such as 1048576 or 1m")
	}
	return n * mult, nil
}
