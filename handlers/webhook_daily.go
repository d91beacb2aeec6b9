package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/handlers/webhooks/daily"
	"github.com/meetboard/meetboard/models"
)

// dailyMaxSkew is how far X-Webhook-Timestamp may be from now.
const dailyMaxSkew = 5 * time.Minute

// webhookDaily receives a Daily delivery. Daily's test request, sent when a
// webhook is created, is answered 200 at once and not stored: Daily refuses
// to create the webhook otherwise.
func (h *Handler) webhookDaily(c *fiber.Ctx) error {
	received := time.Now().UTC()
	body := append([]byte(nil), c.Body()...)
	if daily.IsTest(body) {
		return c.JSON(fiber.Map{"status": "ok"})
	}
	if h.cfg.DailySecret != nil {
		err := daily.Verify(h.cfg.DailySecret, body, c.Get(daily.SignatureHeader), c.Get(daily.TimestampHeader), received, dailyMaxSkew)
		if err != nil {
			return h.reject(c, daily.Provider, received, err)
		}
	}
	ev, err := daily.Decode(body)
	if err != nil {
		return h.malformed(c, daily.Provider, received, err)
	}
	return h.ingest(c, models.Delivery{Provider: daily.Provider, Body: body, ReceivedAt: received, Event: ev})
}
