package handlers

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/meetboard/meetboard/handlers/webhooks"
	"github.com/meetboard/meetboard/views"
)

// pageShow serves a dashboard page of the given kind. Its query (meeting
// filter, page, before) picks what it shows; a meeting's page takes the
// meeting id from the path.
func (h *Handler) pageShow(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := url.Values{}
		for k, val := range c.Queries() {
			v.Set(k, val)
		}
		if kind == pageRooms {
			h.boardView(c, v)
		}
		if kind == pageMeeting {
			id, err := url.PathUnescape(c.Params("meetingId"))
			if err != nil {
				return h.htmlError(c, fiber.StatusBadRequest, "That meeting id is not a valid URL path segment.")
			}
			v.Set("meeting", id)
		}
		if kind == pageProvider {
			name := strings.ToLower(c.Params("name"))
			if _, ok := webhooks.Find(h.cfg.Providers, name); !ok {
				return h.htmlError(c, fiber.StatusNotFound, "No provider is called "+name+".")
			}
			v.Set("provider", name)
		}
		t, err := topicFrom(kind, v)
		if err != nil {
			return h.htmlError(c, fiber.StatusBadRequest, err.Error())
		}
		meta, frags, err := h.load(c.UserContext(), t)
		if err != nil {
			h.log.Error("page failed", "path", c.Path(), "err", err)
			h.dbUnavailable(c)
			return h.htmlError(c, fiber.StatusServiceUnavailable, "The database is unavailable; this page will work again once it is back.")
		}
		h.pageMeta(c, &meta)
		meta.Export = exportLink(kind, c.Queries())
		return render(c, fiber.StatusOK, views.Page(meta, frags))
	}
}

// pageMeta fills in what every page's header shows: the problems of the
// last hour, and who is signed in.
func (h *Handler) pageMeta(c *fiber.Ctx, meta *views.Meta) {
	meta.Problems = h.recentProblemCount(c.UserContext())
	if s := signedIn(c); s != nil {
		meta.Operator, meta.CSRF = s.Operator.Username, s.CSRFToken
	}
}

// htmlError answers a page request with an error page.
func (h *Handler) htmlError(c *fiber.Ctx, status int, msg string) error {
	return render(c, status, views.ErrorPage(views.Meta{Title: utils.StatusMessage(status)}, msg))
}
