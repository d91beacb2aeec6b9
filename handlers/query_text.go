package handlers

import (
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// queryText answers 400 to a request whose query parameters are not text:
// invalid UTF-8 or a NUL byte (?meeting=%FF, a%00b). They can match
// nothing, and PostgreSQL refuses them as arguments, which read as the
// database being down (503).
func queryText() fiber.Handler {
	return func(c *fiber.Ctx) error {
		for k, v := range c.Queries() {
			if !utf8.ValidString(k) || !utf8.ValidString(v) || strings.ContainsRune(k+v, 0) {
				return fail(c, fiber.StatusBadRequest, "query parameters must be text (UTF-8, no NUL bytes)")
			}
		}
		return c.Next()
	}
}
