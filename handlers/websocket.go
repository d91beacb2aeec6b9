package handlers

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// WebSocket adapts an http.HandlerFunc that calls websocket.Accept to a Fiber handler. Fiber's adaptor does not send the
// status line and headers recorded before Hijack, so the handshake would hang; the wrapped ResponseWriter writes them itself.
//
// h runs on its own goroutine and may keep running after the Fiber handler has returned. After the upgrade it must
// not use r.Context(): that is fasthttp's RequestCtx, whose Done channel is the server's shutdown channel (read
// without a lock, so also a data race during shutdown). Give the connection its own context instead. Strings taken
// from r (path, query, headers) point into fasthttp's request memory, which is reused once the hijacked connection
// closes: clone any that outlive it.
func WebSocket(h http.HandlerFunc) fiber.Handler {
	return adaptor.HTTPHandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hw := &hijackWriter{ResponseWriter: w}
		if f, ok := w.(http.Flusher); ok {
			h(flushHijackWriter{hw, f}, r)
			return
		}
		h(hw, r)
	})
}

// hijackWriter sends the response header that was recorded before Hijack,
// as net/http does and fasthttpadaptor does not.
type hijackWriter struct {
	http.ResponseWriter
	status int
}

func (w *hijackWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Hijack takes over the connection from the underlying writer, then writes the
// recorded status line and headers to it. Without a recorded status it writes nothing.
func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("handlers: %T cannot hijack", w.ResponseWriter)
	}
	conn, brw, err := hj.Hijack()
	if err != nil || w.status == 0 {
		return conn, brw, err
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/1.1 %03d %s\r\n", w.status, http.StatusText(w.status))
	if err := w.Header().Write(&head); err != nil {
		conn.Close()
		return nil, nil, err
	}
	head.WriteString("\r\n")
	// Straight to conn, then flush brw: anything written before Hijack
	// (buffered in brw by the adaptor) must follow the header.
	if _, err := conn.Write(head.Bytes()); err != nil {
		conn.Close()
		return nil, nil, err
	}
	if err := brw.Flush(); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, brw, nil
}

// flushHijackWriter is a hijackWriter whose underlying writer can flush.
type flushHijackWriter struct {
	*hijackWriter
	http.Flusher
}
