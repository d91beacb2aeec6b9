package handlers

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
)

// apiList serves GET /api/recordings, /api/streams and /api/calls
// (?meeting=<id or prefix>&status=&limit=&offset= or &before=): a page of
// the list of kind, most recently changed first, under the key of its
// kind, and when the page is full the before of the next in "next". The
// filters are the page's: an unknown status is answered 400 naming the
// known ones.
func (h *Handler) apiList(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		q := queryNumbers{c: c}
		f := models.ListFilter{Prefix: c.Query("meeting"), Limit: apiLimit(q.get("limit")), Offset: q.get("offset")}
		if q.err != nil {
			return q.fail()
		}
		status, err := listStatus(kind, c.Query("status"))
		if err == nil {
			f.Before, err = listCursor(c.Query("before"), f.Offset)
		}
		if err != nil {
			return fail(c, fiber.StatusBadRequest, err.Error())
		}
		f.Status = status
		behind := h.settle(c)
		rows, err := h.listRows(c.UserContext(), kind, f)
		if err != nil {
			return h.storeError(c, err)
		}
		body := fiber.Map{kind: rows}
		if next := listNext(rows, f.Limit); next != "" {
			body["next"] = next
		}
		if behind != nil {
			body["behind"] = behind
		}
		return c.JSON(body)
	}
}

// listRows reads a page of the list of kind.
func (h *Handler) listRows(ctx context.Context, kind string, f models.ListFilter) (any, error) {
	s := h.cfg.Store
	switch kind {
	case pageRecordings:
		return s.ListRecordings(ctx, f)
	case pageStreams:
		return s.ListStreams(ctx, f)
	case pageCalls:
		return s.ListCalls(ctx, f)
	}
	return nil, fmt.Errorf("no list %q", kind)
}
