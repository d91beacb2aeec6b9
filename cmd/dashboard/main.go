// Command dashboard runs the meeting operations dashboard: it receives
// video-platform webhooks, stores them, and serves the API over HTTP.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/meetboard/meetboard/handlers"
	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/live"
	"github.com/meetboard/meetboard/models"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "dashboard:", err)
		os.Exit(1)
	}
}

// run starts the dashboard and serves until ctx is done, then shuts down
// gracefully: in-flight webhooks finish and are committed first. With a
// command (user ..., token ..., rebuild, reapply; flags may stand before or
// after it), it runs that instead.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(cfg.Command) > 0 {
		if err := checkCommand(cfg.Command); err != nil {
			return err
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	db, err := models.Open(cfg.DatabaseURL, models.DBOptions{MaxOpenConns: cfg.DBMaxConns, Logger: log})
	if err != nil {
		return err
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	if err := models.Migrate(db); err != nil {
		return fmt.Errorf("migrate %s: %w", describeDB(cfg.DatabaseURL), err)
	}
	ops := models.NewOperators(db)
	// The store logs deliveries and its projector folds the log into the
	// models (models/projector.go), decoding each body with the providers'
	// decoders.
	store := models.NewStore(db, models.StoreOptions{BatchWindow: cfg.BatchWindow, Committers: cfg.Committers,
		StaleAfter: cfg.StaleAfter, Decode: webhooks.Decode, Logger: log, Retention: cfg.Retention})
	defer store.Close()
	if len(cfg.Command) > 0 {
		return runCommand(ctx, cfg, store, ops, stdin, stdout, stderr)
	}
	open, err := prepareAccess(ctx, ops, cfg, log)
	if err != nil {
		return err
	}
	if open && !loopback(cfg.Addr) {
		return fmt.Errorf("refusing to listen on %s without operator accounts: anyone who can reach it would see every meeting. "+
			"Create an account (dashboard user add NAME, or DASHBOARD_ADMIN_USER and DASHBOARD_ADMIN_PASSWORD), or listen on 127.0.0.1", cfg.Addr)
	}

	srv := handlers.New(handlers.Config{
		Store: store, Operators: ops, BodyLimit: cfg.BodyLimit, Live: live.Options{Buffer: cfg.LiveBuffer}, PushBudget: cfg.LiveBudget, Logger: log,
		Verifiers: cfg.Verifiers, APIToken: cfg.APIToken, PublicURL: cfg.PublicURL,
		TrustedProxies: cfg.TrustedProxies, LinkHosts: cfg.LinkHosts,
		WebhookFailureLimit: cfg.WebhookFailureLimit, LoginRateLimit: cfg.LoginRateLimit, BodyMemory: cfg.BodyMemory,
		Loopback: loopback(cfg.Addr), LiveLimits: cfg.LiveLimits,
		Alerts: handlers.AlertSettings{Kinds: cfg.AlertKinds, Sending: cfg.AlertURL != ""},
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	limit := fdLimit()
	maxConns, clamped := connCap(cfg.MaxConns, limit)
	if clamped {
		log.Warn("-max-conns is more than the open-file limit allows; lowered", "max_conns", maxConns, "open_file_limit", limit)
	}
	ln = guardListener(ln, maxConns, log)
	base := "http://" + displayAddr(ln.Addr())
	fmt.Fprintf(stdout, "Dashboard: %s/\n", base)
	fmt.Fprintln(stdout, "Webhook URLs:", webhookURLs(base, webhooks.Providers()))
	fmt.Fprintf(stdout, "Database: %s\n", describeDB(cfg.DatabaseURL))
	if open {
		fmt.Fprintln(stdout, "No operator accounts: the dashboard is open to anyone on this machine, so it listens on loopback only. "+
			"Create one with: go run ./cmd/dashboard user add NAME")
	}
	if getenv("DASHBOARD_WEBHOOK_RATE_LIMIT") != "" {
		log.Warn("DASHBOARD_WEBHOOK_RATE_LIMIT is no longer read: deliveries that verify are never rate-limited; " +
			"-webhook-failure-limit (DASHBOARD_WEBHOOK_FAILURE_LIMIT) limits failed ones")
	}
	warnUnverified(log, webhooks.Providers(), cfg.Verifiers)
	if anywhere, err := store.SearchAnywhere(ctx); err == nil && !anywhere {
		log.Warn("search matches the start of names and ids only: the PostgreSQL extension pg_trgm could not be created " +
			"when the database was migrated (see the README's Search)")
	}

	// Every commit, by this instance or another sharing the database,
	// reaches this instance's browsers through the change feed.
	follow, stopFollow := context.WithCancel(context.Background())
	defer stopFollow()
	listenURL := ""
	if models.IsPostgresURL(cfg.DatabaseURL) {
		listenURL = cfg.DatabaseURL
	}
	go store.Follow(follow, listenURL, log, srv.Changed)
	// Alerts are raised from the problems and sent beside the server,
	// never on the webhook path.
	sender := &handlers.AlertSender{Store: store, URL: cfg.AlertURL, Kinds: cfg.AlertKinds, PublicURL: cfg.PublicURL, Log: log}
	go sender.Run(follow)
	// The charts' gauges are sampled once a minute, and old rollups pruned.
	go store.KeepRollups(follow)

	served := make(chan error, 1)
	go func() { served <- srv.App.Listener(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	if err := srv.Shutdown(cfg.ShutdownGrace); err != nil {
		log.Warn("shutdown", "err", err)
	}
	return nil
}

// webhookURLs lists each provider's webhook URL on base, space-separated.
func webhookURLs(base string, providers []webhooks.Provider) string {
	urls := make([]string, len(providers))
	for i, p := range providers {
		urls[i] = base + p.Path()
	}
	return strings.Join(urls, " ")
}

// warnUnverified warns about each provider with no verifier configured:
// anyone who can reach its URL can post deliveries.
func warnUnverified(log *slog.Logger, providers []webhooks.Provider, verifiers map[string]webhooks.Verifier) {
	for _, p := range providers {
		if verifiers[p.Name] == nil {
			log.Warn(p.Display + " webhooks are accepted unverified: set " + p.Secret.Env + " to check them")
		}
	}
}

// displayAddr turns a listen address into one a browser can open: a
// wildcard host becomes 127.0.0.1.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP.IsUnspecified() {
		return fmt.Sprintf("127.0.0.1:%d", tcp.Port)
	}
	return tcp.String()
}

// describeDB names the database without its password.
func describeDB(url string) string {
	if models.IsPostgresURL(url) {
		return "PostgreSQL " + redact(url)
	}
	// A relative file is named as given and where it really is.
	path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:")
	if abs, err := filepath.Abs(path); err == nil && abs != path {
		return "SQLite " + url + " (" + abs + ")"
	}
	return "SQLite " + url
}
