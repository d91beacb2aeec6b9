package handlers

import (
	"github.com/coder/websocket"
	"github.com/gofiber/fiber/v2"
)

// liveConnect upgrades GET /live?topic=<topic> to a websocket that first
// receives everything the page of that topic shows, then each change to
// it. Cross-origin upgrades are refused. The snapshot is rendered before
// the upgrade, so a database that is down gets a 503 the browser retries.
func (h *Handler) liveConnect(c *fiber.Ctx) error {
	if err := notWebsocket(c); err != nil {
		return err
	}
	t, err := parseTopic(c.Query("topic"))
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, err.Error())
	}
	// Browsers send Origin; the socket only serves the dashboard's own
	// pages (a missing Origin passes Accept, but requireOperator ran first).
	opts := &websocket.AcceptOptions{}
	if h.public.origin != "" {
		if !h.publicOrigin(c.Get(fiber.HeaderOrigin)) {
			return fiber.NewError(fiber.StatusForbidden, "origin not allowed")
		}
		opts.OriginPatterns = []string{h.public.host}
	}
	// The connection outlives the request: it lives on the server's context.
	ctx := h.ctx
	name := t.String()
	socket, err := h.sockets.admit(liveOwnerOf(c), name)
	if err != nil {
		c.Set(fiber.HeaderRetryAfter, "10")
		return fiber.NewError(fiber.StatusTooManyRequests, err.Error())
	}
	sub, err := h.feed.subscribe(ctx, name, t)
	if err != nil {
		h.sockets.release(socket)
		h.log.Warn("live snapshot failed", "topic", name, "err", err)
		h.dbUnavailable(c)
		return fiber.NewError(fiber.StatusServiceUnavailable, "snapshot unavailable, retry")
	}
	h.sockets.attach(socket, sub)
	return upgrade(c, opts, func(conn *websocket.Conn) {
		defer h.sockets.release(socket)
		if err := h.hub.Serve(ctx, conn, sub); err != nil {
			h.log.Debug("live connection ended", "topic", name, "err", err)
		}
	}, func() {
		h.hub.Unsubscribe(sub)
		h.sockets.release(socket)
	})
}
