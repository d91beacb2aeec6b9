// Package handlers holds the dashboard's HTTP handlers on Fiber: webhook
// intake, the pages, the live websocket, the JSON API and health checks.
package handlers

import (
	"context"
	"crypto/rsa"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"github.com/meetboard/meetboard/live"
	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/static"
	"github.com/meetboard/meetboard/views"
)

// DefaultBodyLimit is the largest webhook body accepted by default.
const DefaultBodyLimit = 1 << 20

// Config is what the handlers need.
type Config struct {
	Store *models.Store
	// VideoSDKKey, when set, is the public key every VideoSDK delivery's
	// signature must verify against.
	VideoSDKKey *rsa.PublicKey
	// DailySecret, when set, is the (base64-decoded) HMAC secret Daily signs
	// deliveries with.
	DailySecret []byte
	// IotumToken, when set, must equal every iotum delivery's
	// x-signing-token header.
	IotumToken string
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
	// WebhookRateLimit and LoginRateLimit are requests per minute per
	// source address (0: no limit).
	WebhookRateLimit int
	LoginRateLimit   int
	// BodyLimit is the largest request body in bytes (default
	// DefaultBodyLimit); larger ones get 413.
	BodyLimit int
	// IngestTimeout bounds how long a webhook waits for its commit before it
	// is answered 503 (default 10 s).
	IngestTimeout time.Duration
	// Live tunes the websocket push.
	Live   live.Options
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
	// throttle holds off (address, username) pairs after failed sign-ins.
	throttle *loginThrottle
	// ctx lives as long as the server: websocket connections and the feed
	// run on it.
	ctx context.Context
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
	// Pushed fragments render with the server's context: it carries the
	// link allowlist as each page request's does.
	ctx, cancel := context.WithCancel(views.WithLinkHosts(context.Background(), cfg.LinkHosts))
	h := &Handler{cfg: cfg, log: cfg.Logger, hub: live.NewHub(cfg.Live), ctx: ctx,
		throttle: newLoginThrottle(throttleCap)}
	h.feed = newFeed(h.hub, h.renderTopic, h.log)
	h.metrics = newMetrics(h.hub.Stats, func() sql.DBStats {
		if db, err := cfg.Store.DB().DB(); err == nil {
			return db.Stats()
		}
		return sql.DBStats{}
	})
	go h.feed.run(ctx)

	trust, proxies, proxyHeader, validateIP := proxyConfig(cfg.TrustedProxies)
	app := fiber.New(fiber.Config{
		AppName:                 "meetboard",
		BodyLimit:               cfg.BodyLimit,
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
	app.Use(securityHeaders(), linkHosts(cfg.LinkHosts))

	// Providers: verified per provider, rate-limited per address.
	limit := webhookLimiter(cfg.WebhookRateLimit, h.countLimited)
	for _, src := range h.webhookSources() {
		app.Post("/webhooks/"+src.provider, limit, h.webhook(src))
	}
	// Open to all: health, assets, signing in.
	app.Get("/healthz", h.healthz)
	app.Get("/readyz", h.readyz)
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static.FS), MaxAge: 3600}))
	app.Get("/login", h.loginShow)
	app.Post("/login", loginLimiter(cfg.LoginRateLimit), h.loginSubmit)
	app.Post("/logout", h.logoutSubmit)
	// Operators only: the API, metrics, the live socket and the pages.
	api, page := h.requireOperator(false), h.requireOperator(true)
	app.Get("/api/meetings", api, h.apiMeetingsList)
	app.Get("/api/meetings/:meetingId", api, h.apiMeetingShow)
	app.Get("/api/events", api, h.apiEventsList)
	app.Get("/metrics", api, h.metrics.handler())
	app.Get("/live", api, h.liveConnect)
	app.Get("/", page, h.pageShow(pageRooms))
	app.Get("/meetings", page, h.pageShow(pageMeetings))
	app.Get("/meetings/:meetingId", page, h.pageShow(pageMeeting))
	app.Get("/recordings", page, h.pageShow(pageRecordings))
	app.Get("/streams", page, h.pageShow(pageStreams))
	app.Get("/calls", page, h.pageShow(pageCalls))
	app.Get("/events", page, h.pageShow(pageEvents))
	return &Server{App: app, h: h, cancel: cancel}
}

// Changed tells the live push which meetings a commit changed, whichever
// instance committed it; models.Store.Follow calls it.
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

// errorHandler answers errors that escape the handlers (an unknown route,
// a body over the limit) in the same JSON form.
func (h *Handler) errorHandler(c *fiber.Ctx, err error) error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		msg := fe.Message
		if fe.Code == fiber.StatusRequestEntityTooLarge {
			msg = "request body is larger than the limit of " + formatBytes(h.cfg.BodyLimit)
			if p := webhookProvider(c.Path()); p != "" {
				h.recordWebhook(h.log, p, models.Event{}, outcomeTooLarge, fe.Code, 0, -1)
			}
		}
		return fail(c, fe.Code, msg)
	}
	h.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	return fail(c, fiber.StatusInternalServerError, "internal error")
}
