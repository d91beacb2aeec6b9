package handlers

import (
	"context"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/handlers/webhooks/videosdk"
	"github.com/meetboard/meetboard/models"
)

// webhookAnswer is the body of a 2xx webhook answer.
type webhookAnswer struct {
	EventID uint64 `json:"eventId"`
	Outcome string `json:"outcome"`
	Repeat  bool   `json:"repeat,omitempty"`
}

// webhookVideoSDK receives a VideoSDK delivery: verify the signature on the
// raw bytes, decode, commit, and only then answer 2xx.
func (h *Handler) webhookVideoSDK(c *fiber.Ctx) error {
	received := time.Now().UTC()
	// Fiber reuses the request's memory once the handler returns; the store
	// keeps the body past that.
	body := append([]byte(nil), c.Body()...)
	if h.cfg.VideoSDKKey != nil {
		if err := videosdk.Verify(h.cfg.VideoSDKKey, body, c.Get(videosdk.SignatureHeader)); err != nil {
			return h.reject(c, videosdk.Provider, received, err)
		}
	}
	ev, err := videosdk.Decode(body)
	if err != nil {
		return h.malformed(c, videosdk.Provider, received, err)
	}
	return h.ingest(c, models.Delivery{Provider: videosdk.Provider, Body: body, ReceivedAt: received, Event: ev})
}

// reject answers a delivery whose signature or token does not check out.
func (h *Handler) reject(c *fiber.Ctx, provider string, received time.Time, err error) error {
	d := time.Since(received)
	h.metrics.webhook(provider, "", "rejected", d)
	logWebhook(h.log.With("reason", err.Error(), "ip", c.IP()), provider, "", "", "rejected", fiber.StatusUnauthorized, 0, d)
	return fail(c, fiber.StatusUnauthorized, err.Error())
}

// countLimited records, in the metrics and the log, the webhooks the rate
// limiter after it refuses: they never reach a webhook handler.
func (h *Handler) countLimited(c *fiber.Ctx) error {
	received := time.Now()
	err := c.Next()
	if status := c.Response().StatusCode(); status == fiber.StatusTooManyRequests {
		d, p := time.Since(received), webhookProvider(c.Path())
		h.metrics.webhook(p, "", statusOutcome(status), d)
		logWebhook(h.log.With("ip", c.IP()), p, "", "", statusOutcome(status), status, 0, d)
	}
	return err
}

// malformed answers a delivery that is not a webhook of its provider. The
// decoder's message may quote the body, so it goes to the sender only.
func (h *Handler) malformed(c *fiber.Ctx, provider string, received time.Time, err error) error {
	d := time.Since(received)
	h.metrics.webhook(provider, "", "malformed", d)
	logWebhook(h.log, provider, "", "", "malformed", fiber.StatusBadRequest, 0, d)
	return fail(c, fiber.StatusBadRequest, err.Error())
}

// ingest commits a decoded delivery and answers the provider: 200 once it
// is committed, 503 (retry later) when the database cannot take it.
func (h *Handler) ingest(c *fiber.Ctx, d models.Delivery) error {
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.IngestTimeout)
	defer cancel()
	res, err := h.cfg.Store.Ingest(ctx, d)
	took := time.Since(d.ReceivedAt)
	if err != nil {
		msg := "database unavailable, retry later"
		if errors.Is(err, models.ErrClosed) {
			msg = "server shutting down, retry later"
		} else {
			h.metrics.dbError()
		}
		h.metrics.webhook(d.Provider, d.Event.Type, "unavailable", took)
		logWebhook(h.log.With("err", err), d.Provider, d.Event.Type, d.Event.MeetingID, "unavailable", fiber.StatusServiceUnavailable, 0, took)
		c.Set(fiber.HeaderRetryAfter, "5")
		return fail(c, fiber.StatusServiceUnavailable, msg)
	}
	h.metrics.webhook(d.Provider, d.Event.Type, res.Outcome, took)
	logWebhook(h.log, d.Provider, d.Event.Type, d.Event.MeetingID, res.Outcome, fiber.StatusOK, res.EventID, took)
	return c.JSON(webhookAnswer{EventID: res.EventID, Outcome: res.Outcome, Repeat: res.Repeat})
}
