package handlers

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/views"
)

// AlertSettings is how alerts are configured, as the alerts page tells it.
type AlertSettings struct {
	// Kinds are the kinds of problem that raise alerts.
	Kinds []models.ProblemKind
	// Sending is true when alerts are POSTed to a URL.
	Sending bool
}

// loadAlerts reads a page of the alert history, newest first, before the
// topic's cursor.
func (h *Handler) loadAlerts(ctx context.Context, t topic, meta views.Meta) (views.Meta, []views.Fragment, error) {
	meta.Title, meta.Path, meta.Filter = "Alerts", "", ""
	rows, err := h.cfg.Store.ListAlerts(ctx, models.AlertFilter{BeforeID: t.Before, Limit: pageSize + 1})
	rows, more := trim(rows)
	page := views.AlertsPage{Kinds: h.cfg.Alerts.Kinds, Sending: h.cfg.Alerts.Sending, Before: t.Before, More: more}
	return meta, views.AlertsFragments(rows, page), err
}

// apiAlerts serves GET /api/alerts?before=<id>&limit= (the history, newest
// first, and the cursor of the next page in "next") or ?after=<id> (the
// alerts raised since, oldest first: what a browser showing notifications
// asks for).
func (h *Handler) apiAlerts(c *fiber.Ctx) error {
	q := queryNumbers{c: c}
	f := models.AlertFilter{Limit: q.get("limit"), BeforeID: uint64(q.get("before")), AfterID: uint64(q.get("after"))}
	if q.err != nil {
		return q.fail()
	}
	// A full page has a next one, perhaps empty: the store gives at most
	// models.MaxPageSize rows, so a page cannot be read one row over.
	limit := apiLimit(f.Limit)
	f.Limit = limit
	rows, err := h.cfg.Store.ListAlerts(c.UserContext(), f)
	if err != nil {
		return h.storeError(c, err)
	}
	next := ""
	if len(rows) == limit && f.AfterID == 0 {
		next = strconv.FormatUint(rows[limit-1].ID, 10)
	}
	return c.JSON(struct {
		Alerts []models.Alert `json:"alerts"`
		Next   string         `json:"next,omitempty"`
	}{rows, next})
}
