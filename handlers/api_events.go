package handlers

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
)

// apiEvent is an event log entry with its body as JSON.
type apiEvent struct {
	models.RawEvent
	Body json.RawMessage `json:"body"`
}

// apiEventsList serves GET /api/events?meeting=<id or prefix>&before=<id>&limit=,
// with the event log page's filters (provider, type, outcome, from, to): a
// page of the event log, newest first, and when the page is full the
// before of the next in "next".
func (h *Handler) apiEventsList(c *fiber.Ctx) error {
	q := queryNumbers{c: c}
	f := models.EventFilter{MeetingPrefix: c.Query("meeting"), BeforeID: uint64(q.get("before")), Limit: q.get("limit")}
	if q.err != nil {
		return q.fail()
	}
	lf, err := parseLogFilter(queryValues(c))
	if err != nil {
		return fail(c, fiber.StatusBadRequest, err.Error())
	}
	f = lf.apply(f)
	behind := h.settle(c)
	events, err := h.cfg.Store.ListEvents(c.UserContext(), f)
	if err != nil {
		return h.storeError(c, err)
	}
	out := make([]apiEvent, len(events))
	for i, e := range events {
		out[i] = apiEvent{RawEvent: e, Body: bodyJSON(e.Body)}
	}
	next := ""
	if len(events) > 0 && len(events) == apiLimit(f.Limit) {
		next = strconv.FormatUint(events[len(events)-1].ID, 10)
	}
	return c.JSON(struct {
		Events []apiEvent `json:"events"`
		Next   string     `json:"next,omitempty"`
		Behind *apiBehind `json:"behind,omitempty"`
	}{out, next, behind})
}

// apiEventShow serves GET /api/events/<id>: one event of the log with what
// applying it did, once the deliveries accepted before the request are
// applied (see settle).
func (h *Handler) apiEventShow(c *fiber.Ctx) error {
	id, err := strconv.ParseUint(c.Params("id"), 10, 64)
	if err != nil || id == 0 {
		return fail(c, fiber.StatusBadRequest, "an event id is a whole number from 1, got "+strconv.Quote(c.Params("id")))
	}
	behind := h.settle(c)
	e, err := h.cfg.Store.Event(c.UserContext(), id)
	if errors.Is(err, models.ErrNotFound) {
		return fail(c, fiber.StatusNotFound, "no event "+strconv.FormatUint(id, 10))
	}
	if err != nil {
		return h.storeError(c, err)
	}
	return c.JSON(struct {
		apiEvent
		Behind *apiBehind `json:"behind,omitempty"`
	}{apiEvent{RawEvent: e, Body: bodyJSON(e.Body)}, behind})
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
