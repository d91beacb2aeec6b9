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
			return h.reject(c, videosdk.Provider, err)
		}
	}
	ev, err := videosdk.Decode(body)
	if err != nil {
		return fail(c, fiber.StatusBadRequest, err.Error())
	}
	return h.ingest(c, models.Delivery{Provider: videosdk.Provider, Body: body, ReceivedAt: received, Event: ev})
}

// reject answers a delivery whose signature or token does not check out.
func (h *Handler) reject(c *fiber.Ctx, provider string, err error) error {
	h.log.Warn("webhook rejected", "provider", provider, "reason", err.Error(), "ip", c.IP())
	return fail(c, fiber.StatusUnauthorized, err.Error())
}

// ingest commits a decoded delivery and answers the provider: 200 once it
// is committed, 503 (retry later) when the database cannot take it.
func (h *Handler) ingest(c *fiber.Ctx, d models.Delivery) error {
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.IngestTimeout)
	defer cancel()
	res, err := h.cfg.Store.Ingest(ctx, d)
	if err != nil {
		h.log.Error("webhook not stored", "provider", d.Provider, "type", d.Event.Type,
			"meeting", d.Event.MeetingID, "err", err)
		c.Set(fiber.HeaderRetryAfter, "5")
		msg := "database unavailable, retry later"
		if errors.Is(err, models.ErrClosed) {
			msg = "server shutting down, retry later"
		}
		return fail(c, fiber.StatusServiceUnavailable, msg)
	}
	h.log.Debug("webhook", "provider", d.Provider, "type", d.Event.Type, "meeting", d.Event.MeetingID,
		"outcome", res.Outcome, "event", res.EventID)
	return c.JSON(webhookAnswer{EventID: res.EventID, Outcome: res.Outcome, Repeat: res.Repeat})
}
