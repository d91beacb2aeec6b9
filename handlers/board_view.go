package handlers

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/views"
)

// viewCookie remembers, per browser, the live-rooms board's view.
const (
	viewCookie     = "meetboard_view"
	viewCookieLife = 365 * 24 * time.Hour
)

// boardView picks the live-rooms board's view: the one the URL names
// (?view=cards or ?view=table), which the browser then remembers, else the
// one it remembered.
func (h *Handler) boardView(c *fiber.Ctx, v url.Values) {
	switch view := v.Get("view"); view {
	case views.ViewCards, views.ViewTable:
		h.setCookie(c, viewCookie, view, viewCookieLife)
	default:
		v.Del("view")
		if c.Cookies(viewCookie) == views.ViewTable {
			v.Set("view", views.ViewTable)
		}
	}
}
