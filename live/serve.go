package live

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/coder/websocket"
)

// Serve pumps a subscriber's messages to an accepted websocket until the subscriber is dropped, the hub closes,
// the client goes away or ctx ends; then it unsubscribes and closes the socket with the right status
// (1013 slow, 1012 hub closed, 1000 normal). It uses conn.CloseRead (push-only socket: client messages are not read),
// one write at a time with Options.WriteTimeout, and pings every PingInterval.
//
// ctx must belong to the connection, not to an HTTP request that was hijacked. Serve returns nil when the
// hub or the client ended the subscription, ctx's error when ctx ended, and otherwise the write or ping error.
func (h *Hub) Serve(ctx context.Context, conn *websocket.Conn, s *Subscriber) error {
	defer h.Unsubscribe(s)

	// CloseRead closes the socket without a close frame when its context ends,
	// so it gets one that ctx cannot cancel; ctx is watched below instead.
	clientCtx := conn.CloseRead(context.WithoutCancel(ctx))

	// A write that outlasts WriteTimeout closes the socket, which ends the
	// write. One timer per socket does this, rather than a context per
	// write, which cost a tenth of the CPU of a fan-out to 10,000 sockets;
	// writes get a context that never ends, for which coder/websocket sets
	// nothing up.
	stuck := time.AfterFunc(time.Duration(math.MaxInt64), func() { conn.CloseNow() })
	defer stuck.Stop()
	writeCtx := context.WithoutCancel(clientCtx)

	ping := time.NewTicker(h.opts.PingInterval)
	defer ping.Stop()
	for {
		// A subscription that has ended is closed before anything else is sent.
		select {
		case <-s.done:
			return h.closeConn(conn, s)
		default:
		}

		select {
		case <-s.done:
			return h.closeConn(conn, s)
		case <-ctx.Done():
			h.Unsubscribe(s) // now, so publishes during the close handshake do not count as drops
			conn.Close(websocket.StatusNormalClosure, "")
			return ctx.Err()
		case <-clientCtx.Done():
			conn.CloseNow()
			return nil
		case msg := <-s.msgs:
			stuck.Reset(h.opts.WriteTimeout)
			err := conn.Write(writeCtx, websocket.MessageText, msg)
			if !stuck.Stop() && err == nil {
				err = errors.New("write timed out") // it finished as the timer closed the socket
			}
			if err != nil {
				conn.CloseNow()
				return err
			}
			h.sent.Add(1)
			ping.Reset(h.opts.PingInterval)
		case <-ping.C:
			if err := h.ping(clientCtx, conn); err != nil {
				conn.CloseNow()
				return err
			}
		}
	}
}

// closeConn closes conn with the status the subscription ended with.
func (h *Hub) closeConn(conn *websocket.Conn, s *Subscriber) error {
	reason := ""
	switch s.status {
	case websocket.StatusTryAgainLater:
		reason = "too slow"
	case websocket.StatusServiceRestart:
		reason = "restarting"
	}
	return conn.Close(s.status, reason)
}

func (h *Hub) ping(ctx context.Context, conn *websocket.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, h.opts.WriteTimeout)
	defer cancel()
	return conn.Ping(ctx)
}
