package handlers

import (
	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"
)

// render answers with a templ component as HTML.
func render(c *fiber.Ctx, status int, comp templ.Component) error {
	c.Status(status).Type("html", "utf-8")
	return comp.Render(c.UserContext(), c.Response().BodyWriter())
}
