package handlers

import (
	"crypto/subtle"
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
)

// eventReapply serves POST /events/<id>/reapply: the operator applies a
// failed event again (see models.Store.Reapply), then goes back to the
// page they came from.
func (h *Handler) eventReapply(c *fiber.Ctx) error {
	if why := h.actionRefused(c); why != "" {
		return h.htmlError(c, fiber.StatusForbidden, why)
	}
	id, err := strconv.ParseUint(c.Params("id"), 10, 64)
	if err != nil || id == 0 {
		return h.htmlError(c, fiber.StatusBadRequest, "That is not an event id.")
	}
	out, err := h.cfg.Store.Reapply(c.UserContext(), id)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return h.htmlError(c, fiber.StatusNotFound, "No event "+c.Params("id")+" in the log.")
	case errors.Is(err, models.ErrNotApplied):
		return h.htmlError(c, fiber.StatusConflict, "Event "+c.Params("id")+" is not applied yet; the models take it in by themselves.")
	case err != nil:
		return h.storeError(c, err)
	}
	h.log.Info("event applied again by an operator", "event", id, "outcome", out.Outcome, "operator", operatorName(c))
	return c.Redirect(localPath(c.Get(fiber.HeaderReferer, "/events")), fiber.StatusSeeOther)
}

// eventsRebuild serves POST /events/rebuild: the operator rebuilds the
// models from the event log (see models.Store.StartRebuild); the pages show
// its progress in the lag banner.
func (h *Handler) eventsRebuild(c *fiber.Ctx) error {
	if why := h.actionRefused(c); why != "" {
		return h.htmlError(c, fiber.StatusForbidden, why)
	}
	if _, err := h.cfg.Store.StartRebuild(c.UserContext()); err != nil {
		return h.storeError(c, err)
	}
	h.log.Warn("models rebuilding from the event log, started by an operator", "operator", operatorName(c))
	return c.Redirect("/events", fiber.StatusSeeOther)
}

// actionRefused checks that an operator action comes from the
// dashboard's own page, and says why not when it does not: the signed-in
// session's CSRF token, and, in every mode, an Origin that is this
// server's (a page elsewhere can post a form to a dashboard on localhost,
// which has no session to check in open mode).
func (h *Handler) actionRefused(c *fiber.Ctx) string {
	if s := signedIn(c); s != nil && subtle.ConstantTimeCompare([]byte(s.CSRFToken), []byte(c.FormValue("_csrf"))) != 1 {
		return "The form expired. Reload the page and try again."
	}
	origin := c.Get(fiber.HeaderOrigin)
	if (origin != "" && origin != c.BaseURL() && !h.publicOrigin(origin)) || c.Get("Sec-Fetch-Site") == "cross-site" {
		return "This action can only be taken from the dashboard's own pages."
	}
	return ""
}

// operatorName is who is signed in, for the log ("" in open mode or with a
// token).
func operatorName(c *fiber.Ctx) string {
	if s := signedIn(c); s != nil {
		return s.Operator.Username
	}
	return ""
}
