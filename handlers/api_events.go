package handlers

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
)

// apiEvent is an event log entry with its body as JSON.
type apiEvent struct {
	models.RawEvent
	Body json.RawMessage `json:"body"`
}

// apiEventsList serves GET /api/events?meeting=<id or prefix>&before=<id>&limit=.
func (h *Handler) apiEventsList(c *fiber.Ctx) error {
	q := queryNumbers{c: c}
	f := models.EventFilter{MeetingPrefix: c.Query("meeting"), BeforeID: uint64(q.get("before")), Limit: q.get("limit")}
	if q.err != nil {
		return q.fail()
	}
	events, err := h.cfg.Store.ListEvents(c.UserContext(), f)
	if err != nil {
		return h.storeError(c, err)
	}
	out := make([]apiEvent, len(events))
	for i, e := range events {
		out[i] = apiEvent{RawEvent: e, Body: bodyJSON(e.Body)}
	}
	return c.JSON(fiber.Map{"events": out})
}

// bodyJSON returns a stored body as JSON; one that is not valid JSON is
// given as a JSON string so the answer stays valid.
func bodyJSON(b []byte) json.RawMessage {
	if json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}
