package handlers

import (
	"net/http"
	"net/url"

	"github.com/coder/websocket"
)

// liveConnect upgrades GET /live?topic=<topic> to a websocket that first
// receives everything the page of that topic shows, then each change to
// it. Cross-origin upgrades are refused.
func (h *Handler) liveConnect(w http.ResponseWriter, r *http.Request) {
	t, err := parseTopic(r.URL.Query().Get("topic"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// Browsers send Origin; the socket only serves the dashboard's own
	// pages (a missing Origin passes Accept, but requireOperator ran first).
	opts := &websocket.AcceptOptions{}
	if h.cfg.PublicURL != "" {
		u, err := url.Parse(h.cfg.PublicURL)
		if err != nil || r.Header.Get("Origin") != u.Scheme+"://"+u.Host {
			http.Error(w, "origin not allowed", http.StatusForbidden)
			return
		}
		opts.OriginPatterns = []string{u.Host}
	}
	conn, err := websocket.Accept(w, r, opts)
	if err != nil {
		return // Accept has answered the request.
	}
	// The request's context ends with the handler that upgraded it: the
	// connection lives on the server's own.
	ctx := h.ctx
	sub, err := h.feed.subscribe(ctx, t.String(), t)
	if err != nil {
		h.log.Warn("live snapshot failed", "topic", t.String(), "err", err)
		conn.Close(websocket.StatusTryAgainLater, "snapshot unavailable, retry")
		return
	}
	if err := h.hub.Serve(ctx, conn, sub); err != nil {
		h.log.Debug("live connection ended", "topic", t.String(), "err", err)
	}
}
