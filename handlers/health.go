package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
)

// healthz answers while the process is up.
func (h *Handler) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 200 when the database is reachable and its schema
// current, 503 otherwise.
func (h *Handler) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := h.cfg.Store.Ping(ctx); err != nil {
		return fail(c, fiber.StatusServiceUnavailable, "database unreachable: "+err.Error())
	}
	applied, known, err := models.SchemaVersion(h.cfg.Store.DB().WithContext(ctx))
	if err != nil {
		return fail(c, fiber.StatusServiceUnavailable, "schema version unknown: "+err.Error())
	}
	if applied != known {
		return fail(c, fiber.StatusServiceUnavailable, "schema not current")
	}
	return c.JSON(fiber.Map{"status": "ready", "schemaVersion": applied})
}
