package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
)

// apiParticipants serves GET /api/participants?meeting=<id or prefix>
// &session=&participant=&name=&present=true|false&before=&limit=: people
// in meetings' sessions, newest first, each with its newest stays; "next",
// when the page is full, is the before of the next page.
func (h *Handler) apiParticipants(c *fiber.Ctx) error {
	q := queryNumbers{c: c}
	f := models.ParticipantFilter{Prefix: c.Query("meeting"), SessionID: c.Query("session"), ParticipantID: c.Query("participant"),
		Name: c.Query("name"), Before: uint(q.get("before")), Limit: apiLimit(q.get("limit"))}
	if q.err != nil {
		return q.fail()
	}
	if p := c.Query("present"); p != "" {
		present, err := strconv.ParseBool(p)
		if err != nil {
			return fail(c, fiber.StatusBadRequest, "present must be true or false, got "+strconv.Quote(p))
		}
		f.Present = &present
	}
	behind := h.settle(c)
	rows, err := h.cfg.Store.ListParticipants(c.UserContext(), f)
	if err != nil {
		return h.storeError(c, err)
	}
	next := ""
	if len(rows) == f.Limit {
		next = strconv.FormatUint(uint64(rows[len(rows)-1].Cursor()), 10)
	}
	return c.JSON(struct {
		Participants []models.ParticipantRow `json:"participants"`
		Next         string                  `json:"next,omitempty"`
		Behind       *apiBehind              `json:"behind,omitempty"`
	}{rows, next, behind})
}
