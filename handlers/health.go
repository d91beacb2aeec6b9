package handlers

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// healthz answers while the process is up.
func (h *Handler) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyStatus is the whole body of a /readyz answer.
type readyStatus struct {
	Status string `json:"status"`
}

// readyz answers 200 {"status":"ready"} when the store can take deliveries
// (models.Store.Ready: the database answers, its schema is current and a
// write commits), 503 {"status":"not ready"} otherwise. It needs no sign-in,
// so it tells nothing more: why it is not ready (an error naming the
// database's user, name and address) goes to the log when it changes.
func (h *Handler) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	err := h.cfg.Store.Ready(ctx)
	h.readyLog.note(h.log, err, time.Now())
	if err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(readyStatus{Status: "not ready"})
	}
	return c.JSON(readyStatus{Status: "ready"})
}

// readyRelogAfter is how long a not-ready server keeps quiet about a new
// reason after its last readiness line.
const readyRelogAfter = time.Minute

// readyLog logs readiness when it changes, not on every /readyz call, so a
// poller does not flood the log: a line when it is lost (with the reason),
// one when it is back, and in between a changed reason at most once per
// readyRelogAfter. It starts out ready: the first line is the first time it
// is not.
type readyLog struct {
	mu       sync.Mutex
	notReady bool
	reason   string    // the last reason logged
	logged   time.Time // when the last line was
}

// note logs what /readyz found at now, if it is news.
func (r *readyLog) note(log *slog.Logger, err error, now time.Time) {
	r.mu.Lock()
	var msg string
	switch {
	case err == nil && r.notReady:
		msg = "ready again"
	case err != nil && !r.notReady:
		msg = "not ready"
	case err != nil && err.Error() != r.reason && now.Sub(r.logged) >= readyRelogAfter:
		msg = "still not ready"
	}
	r.notReady = err != nil
	if msg != "" {
		r.logged = now
		if err != nil {
			r.reason = err.Error()
		}
	}
	r.mu.Unlock()
	switch {
	case msg == "":
	case err != nil:
		log.Warn(msg, "err", err)
	default:
		log.Info(msg)
	}
}
