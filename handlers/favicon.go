package handlers

import (
	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/static"
)

// favicon answers /favicon.ico, which browsers ask for on their own
// whatever a page links to (the pages link static/favicon.svg too), with
// the icon embedded in static.
func favicon() fiber.Handler {
	ico, err := static.FS.ReadFile("favicon.ico")
	if err != nil {
		panic("static: favicon.ico is not embedded: " + err.Error())
	}
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "image/x-icon")
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		return c.Send(ico)
	}
}
