package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// settleWait bounds how long an API read waits for the models to take in
// the deliveries answered before it.
const settleWait = 5 * time.Second

// apiBehind tells a script its answer may miss deliveries already
// accepted: the models had not taken them all in within settleWait.
type apiBehind struct {
	// Events is how many accepted deliveries were not applied yet.
	Events int64 `json:"events"`
	// Message says what that means.
	Message string `json:"message"`
}

// settle waits, up to settleWait, until the models reflect every delivery
// answered 2xx before the request began, so a script that posts webhooks
// and then reads sees them. It returns nil when they do, else what is
// missing, which the answer carries as "behind" (and the Meetboard-Behind
// header).
func (h *Handler) settle(c *fiber.Ctx) *apiBehind {
	ok, err := h.cfg.Store.Settle(c.UserContext(), settleWait)
	if err == nil && ok {
		return nil
	}
	lag, _ := h.cfg.Store.Lag(c.UserContext())
	b := &apiBehind{Events: lag.Events, Message: "the models had not applied every accepted delivery within 5 s; this answer may miss the newest"}
	c.Set("Meetboard-Behind", b.Message)
	return b
}
