package handlers

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
)

// apiMeetingsList serves GET /api/meetings?meeting=<id or prefix>&limit=
// &offset= (or &before=): a page of meetings, most recently active first,
// and when the page is full the before of the next in "next".
func (h *Handler) apiMeetingsList(c *fiber.Ctx) error {
	q := queryNumbers{c: c}
	f := models.ListFilter{Prefix: c.Query("meeting"), Limit: apiLimit(q.get("limit")), Offset: q.get("offset")}
	if q.err != nil {
		return q.fail()
	}
	var err error
	if f.Before, err = listCursor(c.Query("before"), f.Offset); err != nil {
		return fail(c, fiber.StatusBadRequest, err.Error())
	}
	behind := h.settle(c)
	list, err := h.cfg.Store.ListMeetings(c.UserContext(), f)
	if err != nil {
		return h.storeError(c, err)
	}
	return c.JSON(struct {
		Meetings []models.MeetingSummary `json:"meetings"`
		Next     string                  `json:"next,omitempty"`
		Behind   *apiBehind              `json:"behind,omitempty"`
	}{list, listNext(list, f.Limit), behind})
}

// apiMeetingShow serves GET /api/meetings/<meetingId>[?provider=&limit=]:
// everything stored about the meeting, or with a limit of 1 or more the
// newest limit rows of each kind. Like every API read, it first waits (a
// bounded time) for the deliveries accepted before it (see settle).
func (h *Handler) apiMeetingShow(c *fiber.Ctx) error {
	id, err := url.PathUnescape(c.Params("meetingId"))
	if err != nil {
		return fail(c, fiber.StatusBadRequest, "meeting id is not a valid URL path segment")
	}
	q := queryNumbers{c: c}
	limit := q.get("limit")
	if q.err != nil {
		return q.fail()
	}
	behind := h.settle(c)
	d, err := h.cfg.Store.MeetingDetail(c.UserContext(), c.Query("provider"), id, limit)
	if errors.Is(err, models.ErrNotFound) {
		return fail(c, fiber.StatusNotFound, "no meeting "+id)
	}
	if err != nil {
		return h.storeError(c, err)
	}
	return c.JSON(struct {
		*models.MeetingDetail
		Behind *apiBehind `json:"behind,omitempty"`
	}{d, behind})
}

// storeError answers a failed query: the database is the likely cause.
func (h *Handler) storeError(c *fiber.Ctx, err error) error {
	h.log.Error("query failed", "path", c.Path(), "err", err)
	h.dbUnavailable(c)
	return fail(c, fiber.StatusServiceUnavailable, "database unavailable, retry later")
}
