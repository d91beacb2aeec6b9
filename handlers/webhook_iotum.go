package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/handlers/webhooks/iotum"
	"github.com/meetboard/meetboard/models"
)

// webhookIotum receives an iotum (Callbridge) delivery, authenticated by
// its static signing token.
func (h *Handler) webhookIotum(c *fiber.Ctx) error {
	received := time.Now().UTC()
	body := append([]byte(nil), c.Body()...)
	if h.cfg.IotumToken != "" {
		if err := iotum.Verify(h.cfg.IotumToken, c.Get(iotum.TokenHeader)); err != nil {
			return h.reject(c, iotum.Provider, received, err)
		}
	}
	ev, err := iotum.Decode(body)
	if err != nil {
		return h.malformed(c, iotum.Provider, received, err)
	}
	return h.ingest(c, models.Delivery{Provider: iotum.Provider, Body: body, ReceivedAt: received, Event: ev})
}
