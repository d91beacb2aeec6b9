// Package handlers holds the dashboard's HTTP handlers: webhook intake, the
// JSON API and health checks, on Fiber.
package handlers

import (
	"crypto/rsa"
	"errors"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
)

// DefaultBodyLimit is the largest webhook body accepted by default.
const DefaultBodyLimit = 1 << 20

// Config is what the handlers need.
type Config struct {
	Store *models.Store
	// VideoSDKKey, when set, is the public key every VideoSDK delivery's
	// signature must verify against.
	VideoSDKKey *rsa.PublicKey
	// BodyLimit is the largest request body in bytes (default
	// DefaultBodyLimit); larger ones get 413.
	BodyLimit int
	// IngestTimeout bounds how long a webhook waits for its commit before it
	// is answered 503 (default 10 s).
	IngestTimeout time.Duration
	Logger        *slog.Logger
}

// Handler serves the dashboard's routes.
type Handler struct {
	cfg Config
	log *slog.Logger
}

// New builds the Fiber app with every route registered.
func New(cfg Config) *fiber.App {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.IngestTimeout <= 0 {
		cfg.IngestTimeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Handler{cfg: cfg, log: cfg.Logger}
	app := fiber.New(fiber.Config{
		AppName:               "meetboard",
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           2 * time.Minute,
		DisableStartupMessage: true,
		ErrorHandler:          h.errorHandler,
	})
	app.Post("/webhooks/videosdk", h.webhookVideoSDK)
	app.Get("/api/meetings", h.apiMeetingsList)
	app.Get("/api/meetings/:meetingId", h.apiMeetingShow)
	app.Get("/api/events", h.apiEventsList)
	app.Get("/healthz", h.healthz)
	app.Get("/readyz", h.readyz)
	return app
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
		}
		return fail(c, fe.Code, msg)
	}
	h.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	return fail(c, fiber.StatusInternalServerError, "internal error")
}
