// Package handlers holds the dashboard's HTTP handlers on Fiber: webhook
// intake, the pages, the live websocket, the JSON API and health checks.
package handlers

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/live"
	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/static"
	"github.com/meetboard/meetboard/views"
)

// DefaultBodyLimit is the largest webhook body accepted by default.
const DefaultBodyLimit = 1 << 20

// headerLimit bounds a request's line and headers together; larger ones
// get 431. It is nginx's and Apache's default for one header line, so
// browsers with several KB of cookies (other sites on localhost set them
// too) get their pages; every connection holds a buffer of this size
// while its request is read.
const headerLimit = 8 << 10

// Config is what the handlers need.
type Config struct {
	Store *models.Store
	// Providers are the webhook providers, each served at its Path; nil
	// means the registry, webhooks.Providers(). New panics on a list that
	// fails webhooks.Validate. The store's Decode must know the same
	// providers (webhooks.Decoder of the list).
	Providers []webhooks.Provider
	// Verifiers holds, by provider name, the check every delivery of that
	// provider must pass (its Secret.Parse of the configured secret); a
	// provider with none accepts deliveries unverified. New panics on a
	// name that is not among Providers.
	Verifiers map[string]webhooks.Verifier
	// Operators holds the accounts pages, the API and the live socket
	// require; with none (and no APIToken) the dashboard is open.
	Operators *models.Operators
	// APIToken, when set, is accepted as Authorization: Bearer on the API.
	APIToken string
	// PublicURL is where operators reach the dashboard (https://...). When
	// set, live sockets must come from its origin, and cookies are Secure
	// when it is https.
	PublicURL string
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges)
	// whose X-Forwarded-For and X-Forwarded-Proto are believed.
	TrustedProxies []string
	// LinkHosts, when set, are the only hosts recording and HLS URLs may
	// link to ("*.example.com" for subdomains); others show as text.
	LinkHosts []string
	// WebhookFailureLimit is how many failed webhook deliveries (bad
	// signature, undecodable body) a source address may send a minute
	// before its further failures are answered 429; deliveries that verify
	// are never limited (0: no limit).
	WebhookFailureLimit int
	// LoginRateLimit is sign-in attempts per minute per source address (0:
	// no limit).
	LoginRateLimit int
	// BodyLimit is the largest webhook body in bytes (default
	// DefaultBodyLimit); larger ones get 413.
	BodyLimit int
	// BodyMemory bounds the bytes of request bodies held at once, however
	// many requests are sending them (default DefaultBodyMemory); past it
	// requests get 503 with Retry-After.
	BodyMemory int
	// IngestTimeout bounds how long a webhook waits for its commit before it
	// is answered 503 (default 10 s).
	IngestTimeout time.Duration
	// Loopback is true when the server listens on loopback only. Open mode
	// (no accounts) serves nothing but webhooks and health otherwise.
	Loopback bool
	// Live tunes the websocket push.
	Live live.Options
	// PushBudget is the bytes a second each live page is pushed at most
	// (see pushBudget): DefaultPushBudget when 0, no budget when negative.
	PushBudget int
	// LiveLimits caps the live sockets and watched pages per session and
	// per address.
	LiveLimits LiveLimits
	// Alerts says, for the alerts page, which problems raise alerts and
	// whether they are sent anywhere (the AlertSender does both).
	Alerts AlertSettings
	Logger *slog.Logger
}

// Handler serves the dashboard's routes.
type Handler struct {
	cfg       Config
	log       *slog.Logger
	hub       *live.Hub
	feed      *feed
	metrics   *metrics
	openState openCache
	bodies    *bodyReader
	failures  *failureLimit
	readyLog  readyLog
	sockets   *liveSockets
	// throttle holds off (address, username) pairs after failed sign-ins.
	throttle *loginThrottle
	lagState lagCache
	problems problemCount
	// countsState is the board's counters, read at most every
	// fleetCountsFor.
	countsState fleetCountsCache
	public      publicSite
	// ctx lives as long as the server: websocket connections and the feed
	// run on it.
	ctx context.Context

	// chartCache is the latest read of the charts' rollups.
	chartCache chartCache
}

// Server is the dashboard's HTTP side: the Fiber app and the live push
// behind it.
type Server struct {
	App    *fiber.App
	h      *Handler
	cancel context.CancelFunc
}

// New builds the Fiber app with every route registered and starts the live
// feed.
func New(cfg Config) *Server {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.IngestTimeout <= 0 {
		cfg.IngestTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Providers == nil {
		cfg.Providers = webhooks.Providers()
	}
	sources := webhookSources(cfg.Providers, cfg.Verifiers)
	// Pushed fragments render with the server's context: it carries the
	// link allowlist as each page request's does.
	ctx, cancel := context.WithCancel(views.WithLinkHosts(context.Background(), cfg.LinkHosts))
	h := &Handler{cfg: cfg, log: cfg.Logger, hub: live.NewHub(cfg.Live), ctx: ctx,
		bodies: newBodyReader(cfg.BodyMemory), failures: newFailureLimit(cfg.WebhookFailureLimit), sockets: newLiveSockets(cfg.LiveLimits),
		throttle: newLoginThrottle(throttleCap), public: parsePublicURL(cfg.PublicURL)}
	budget := cfg.PushBudget
	if budget == 0 {
		budget = DefaultPushBudget
	}
	h.feed = newFeed(h.hub, h.renderTopic, budget, h.log)
	h.metrics = newMetrics(h.hub.Stats, func() sql.DBStats {
		if db, err := cfg.Store.DB().DB(); err == nil {
			return db.Stats()
		}
		return sql.DBStats{}
	})
	h.metrics.projectorGauges(func() models.Lag { return h.lag(ctx) })
	h.metrics.refusalGauges(cfg.Store.RefusalStats)
	go h.feed.run(ctx)
	go h.watchLiveOwners(ctx)

	trust, proxies, proxyHeader, validateIP := proxyConfig(cfg.TrustedProxies)
	app := fiber.New(fiber.Config{
		AppName: "meetboard",
		// Bodies are streamed and read by readBody as they arrive: nothing
		// is reserved for the length a request announces. With streaming,
		// fasthttp's body limit is only how much it reads ahead before the
		// handlers run; readBody applies the real limits.
		StreamRequestBody: true,
		BodyLimit:         firstBodyBuffer,
		// The read buffer holds the request line and headers, so it is
		// also their limit.
		ReadBufferSize:          headerLimit,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            30 * time.Second,
		IdleTimeout:             2 * time.Minute,
		DisableStartupMessage:   true,
		ErrorHandler:            h.errorHandler,
		EnableTrustedProxyCheck: trust,
		TrustedProxies:          proxies,
		ProxyHeader:             proxyHeader,
		EnableIPValidation:      validateIP,
	})
	// The live socket takes its connection out of fasthttp's hands (see upgrade).
	app.Server().KeepHijackedConns = true
	app.Use(h.readBody(func(c *fiber.Ctx) int {
		if webhookProvider(c.Path(), cfg.Providers) != "" {
			return cfg.BodyLimit
		}
		return formBodyLimit
	}), securityHeaders(cfg.LinkHosts), linkHosts(cfg.LinkHosts), queryText())

	// Providers: verified per provider; only failures are limited.
	for _, src := range sources {
		app.Post(src.Path(), h.webhook(src))
	}
	// Open to all: health, assets, signing in.
	app.Get("/healthz", h.healthz)
	app.Get("/readyz", h.readyz)
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static.FS), MaxAge: 3600}))
	app.Get("/favicon.ico", favicon())
	app.Get("/login", h.loginShow)
	app.Post("/login", loginLimiter(cfg.LoginRateLimit), h.loginSubmit)
	app.Post("/logout", h.logoutSubmit)
	// Operators only: the API, metrics, the live socket and the pages; API
	// tokens open all but the pages.
	api, page, download := h.requireOperator(false, true), h.requireOperator(true, false), h.requireOperator(true, true)
	app.Get("/api/meetings", api, h.apiMeetingsList)
	app.Get("/api/meetings/:meetingId", api, h.apiMeetingShow)
	app.Get("/api/events", api, h.apiEventsList)
	app.Get("/api/events/:id", api, h.apiEventShow)
	app.Get("/api/problems", api, h.apiProblems)
	app.Get("/api/alerts", api, h.apiAlerts)
	app.Get("/api/participants", api, h.apiParticipants)
	app.Get("/api/charts", api, h.apiCharts)
	app.Get("/api/search", api, h.apiSearch)
	for _, kind := range []string{pageRecordings, pageStreams, pageCalls} {
		app.Get("/api/"+kind, api, h.apiList(kind))
	}
	app.Get("/api/providers", api, h.apiProvidersList)
	app.Get("/api/providers/:name", api, h.apiProviderShow)
	app.Get("/metrics", api, h.metrics.handler())
	app.Get("/live", api, h.liveConnect)
	app.Get("/", page, h.pageShow(pageRooms))
	app.Get("/meetings", page, h.pageShow(pageMeetings))
	app.Get("/meetings/:meetingId", page, h.pageShow(pageMeeting))
	app.Get("/recordings", page, h.pageShow(pageRecordings))
	app.Get("/streams", page, h.pageShow(pageStreams))
	app.Get("/calls", page, h.pageShow(pageCalls))
	app.Get("/events", page, h.pageShow(pageEvents))
	app.Get("/problems", page, h.pageShow(pageProblems))
	app.Get("/alerts", page, h.pageShow(pageAlerts))
	app.Get("/providers", page, h.pageShow(pageProviders))
	app.Get("/providers/:name", page, h.pageShow(pageProvider))
	newExporter(h).routes(app, api, download)
	app.Get("/charts", page, h.pageShow(pageCharts))
	app.Get("/search", page, h.searchShow)
	app.Get("/events/:id", page, h.eventShow)
	app.Post("/events/rebuild", page, h.eventsRebuild)
	app.Post("/events/:id/reapply", page, h.eventReapply)
	return &Server{App: app, h: h, cancel: cancel}
}

// Changed tells the live push which meetings a commit changed, whichever
// instance committed it, and whether anything outside a meeting changed
// (events of no meeting, refused deliveries); models.Store.Follow calls
// it.
func (s *Server) Changed(meetings []string, others bool) { s.h.feed.changed(meetings, others) }

// Shutdown closes every live socket with 1012 (the browsers reconnect to
// the restarted server), then lets in-flight requests finish, up to
// timeout.
func (s *Server) Shutdown(timeout time.Duration) error {
	s.h.hub.Close()
	s.cancel()
	return s.App.ShutdownWithTimeout(timeout)
}

// errorBody is the JSON body of every error answer.
type errorBody struct {
	Error string `json:"error"`
}

// fail answers with a status and a JSON error message.
func fail(c *fiber.Ctx, status int, msg string) error {
	return c.Status(status).JSON(errorBody{Error: msg})
}

// bodyOutcome is the webhook outcome of an answer readBody gave, "" for
// answers that are no delivery's (a wrong method, an unknown path).
func bodyOutcome(status int) string {
	if kind := bodyRefusal(status); kind != "" {
		return refusalOutcome(kind)
	}
	return ""
}

// errorHandler answers errors that escape the handlers (an unknown route,
// a body over the limit) in the same JSON form.
func (h *Handler) errorHandler(c *fiber.Ctx, err error) error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		if p, outcome := webhookProvider(c.Path(), h.cfg.Providers), bodyOutcome(fe.Code); p != "" && outcome != "" {
			h.recordWebhook(h.log, p, models.Event{}, outcome, fe.Code, 0, -1)
			h.recordRefusal(c, p, bodyRefusal(fe.Code), fe.Code, fe.Message, nil, time.Time{})
		}
		return fail(c, fe.Code, fe.Message)
	}
	h.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	return fail(c, fiber.StatusInternalServerError, "internal error")
}
