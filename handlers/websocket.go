package handlers

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"github.com/gofiber/fiber/v2"
)

// Buffer sizes of an upgraded connection. The live socket only writes
// (whole messages go past the writer's buffer) and reads control frames,
// so small buffers keep an idle client cheap.
const (
	socketReadBuffer  = 512
	socketWriteBuffer = 1024
)

// upgrade hands a websocket handshake (notWebsocket checked by the
// caller) to coder/websocket on the hijacked connection and calls serve
// with the accepted socket. It returns at once; the handshake and serve run
// on a goroutine of their own, and the socket is closed when serve returns.
// Accept answers what it does not take (a bad handshake, a foreign Origin)
// on the connection itself, and refused is then called instead of serve.
//
// This replaces Fiber's net/http adaptor, which keeps a second goroutine,
// a net/http request and 8 KB of buffers for as long as each socket lives.
// The connection is taken out of fasthttp's hands (the server runs with
// KeepHijackedConns), so fasthttp also takes back its read buffer and
// request context at once. Fiber's request memory is reused from then on,
// so the request is copied into a net/http one first; serve must not use
// the Fiber context.
func upgrade(c *fiber.Ctx, opts *websocket.AcceptOptions, serve func(*websocket.Conn), refused func()) error {
	if !c.App().Server().KeepHijackedConns {
		refused()
		return errors.New("handlers: websocket upgrade needs the server's KeepHijackedConns")
	}
	r := &http.Request{
		Method: http.MethodGet, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Host: string(c.Request().Host()), Header: http.Header{},
		URL: &url.URL{Path: c.Path(), RawQuery: string(c.Request().URI().QueryString())},
	}
	c.Request().Header.VisitAll(func(k, v []byte) { r.Header.Add(string(k), string(v)) })
	c.Status(fiber.StatusSwitchingProtocols)
	c.Context().HijackSetNoResponse(true)
	c.Context().Hijack(func(hijacked net.Conn) {
		conn, err := detach(hijacked)
		if err != nil {
			hijacked.Close()
			refused()
			return
		}
		go func() {
			ws, err := websocket.Accept(&handshake{conn: conn, header: http.Header{}}, r, opts)
			if err != nil {
				conn.Close()
				refused()
				return
			}
			serve(ws)
		}()
	})
	return nil
}

// detach returns the connection under fasthttp's hijacked wrapper, whose
// reads go through fasthttp's buffer. A client may not send anything
// before the handshake's answer, so that buffer must be empty: a read with
// a deadline already past proves it (a buffered byte would be returned).
func detach(hijacked net.Conn) (net.Conn, error) {
	u, ok := hijacked.(interface{ UnsafeConn() net.Conn })
	if !ok {
		return nil, fmt.Errorf("%T does not expose its connection", hijacked)
	}
	conn := u.UnsafeConn()
	if err := conn.SetReadDeadline(time.Unix(1, 0)); err != nil {
		return nil, err
	}
	n, err := hijacked.Read(make([]byte, 1))
	if n > 0 {
		return nil, errors.New("the client sent data before the handshake was answered")
	}
	if ne := net.Error(nil); !errors.As(err, &ne) || !ne.Timeout() {
		return nil, fmt.Errorf("reading the hijacked connection: %v", err)
	}
	return conn, conn.SetReadDeadline(time.Time{})
}

// notWebsocket answers 426 to a request that does not ask for a websocket,
// and nil to one that does.
func notWebsocket(c *fiber.Ctx) error {
	if bytes.EqualFold(c.Request().Header.Peek(fiber.HeaderUpgrade), []byte("websocket")) {
		return nil
	}
	c.Set(fiber.HeaderUpgrade, "websocket")
	return fiber.NewError(fiber.StatusUpgradeRequired, "this endpoint speaks websocket only")
}

// handshake is the http.ResponseWriter websocket.Accept answers through:
// the 101 and its headers are written to the connection when Accept
// hijacks it, a refusal (http.Error) as a complete response that closes
// the connection.
type handshake struct {
	conn   net.Conn
	header http.Header
	status int
	sent   bool
}

// Header returns the response headers to send.
func (h *handshake) Header() http.Header { return h.header }

// WriteHeader records the status; it is sent with the first write or at
// Hijack.
func (h *handshake) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

// Write sends a refusal's body, after the status line and headers.
func (h *handshake) Write(b []byte) (int, error) {
	if !h.sent {
		h.header.Set("Content-Length", strconv.Itoa(len(b)))
		h.header.Set("Connection", "close")
		if err := h.sendHead(); err != nil {
			return 0, err
		}
	}
	return h.conn.Write(b)
}

// Hijack sends the status line and headers and hands over the connection
// with small buffers.
func (h *handshake) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if err := h.sendHead(); err != nil {
		return nil, nil, err
	}
	return h.conn, bufio.NewReadWriter(bufio.NewReaderSize(h.conn, socketReadBuffer), bufio.NewWriterSize(h.conn, socketWriteBuffer)), nil
}

func (h *handshake) sendHead() error {
	if h.sent {
		return nil
	}
	h.sent = true
	if h.status == 0 {
		h.status = http.StatusOK
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/1.1 %03d %s\r\n", h.status, http.StatusText(h.status))
	if err := h.header.Write(&head); err != nil {
		return err
	}
	head.WriteString("\r\n")
	_, err := h.conn.Write(head.Bytes())
	return err
}
