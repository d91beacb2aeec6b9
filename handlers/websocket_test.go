package handlers

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/live"
)

// listenFiber serves app on a real 127.0.0.1 port and returns the address and
// a shutdown function (also run at cleanup) that waits for app.Listener to return.
func listenFiber(t *testing.T, app *fiber.App) (addr string, shutdown func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	var once sync.Once
	var shutdownErr error
	shutdown = func() error {
		once.Do(func() {
			shutdownErr = app.ShutdownWithTimeout(5 * time.Second)
			if err := <-served; err != nil {
				t.Errorf("app.Listener: %v", err)
			}
		})
		return shutdownErr
	}
	t.Cleanup(func() { shutdown() })
	return ln.Addr().String(), shutdown
}

func newApp() *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Server().KeepHijackedConns = true
	return app
}

// wsRoute upgrades as liveConnect does and runs serve on the socket;
// refused reports a handshake Accept turned down.
func wsRoute(opts *websocket.AcceptOptions, serve func(*websocket.Conn), refused func()) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := notWebsocket(c); err != nil {
			return err
		}
		return upgrade(c, opts, serve, refused)
	}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestWebSocketHandshakeAndRoundTrip(t *testing.T) {
	app := newApp()
	app.Get("/ws", wsRoute(nil, func(conn *websocket.Conn) {
		defer conn.CloseNow()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := conn.Write(ctx, websocket.MessageText, []byte("hello")); err != nil {
			t.Errorf("server write: %v", err)
			return
		}
		_, msg, err := conn.Read(ctx)
		if err != nil {
			t.Errorf("server read: %v", err)
			return
		}
		if err := conn.Write(ctx, websocket.MessageText, append([]byte("echo: "), msg...)); err != nil {
			t.Errorf("server write: %v", err)
			return
		}
		conn.Close(websocket.StatusNormalClosure, "")
	}, func() { t.Error("handshake refused") }))
	addr, _ := listenFiber(t, app)

	ctx := testCtx(t)
	c, resp, err := websocket.Dial(ctx, "ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.CloseNow()
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") == "" {
		t.Errorf("handshake response %d, headers %v", resp.StatusCode, resp.Header)
	}
	if _, msg, err := c.Read(ctx); err != nil || string(msg) != "hello" {
		t.Fatalf("client read %q, %v; want hello", msg, err)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte("hi")); err != nil {
		t.Fatalf("client write: %v", err)
	}
	if _, msg, err := c.Read(ctx); err != nil || string(msg) != "echo: hi" {
		t.Fatalf("client read %q, %v; want %q", msg, err, "echo: hi")
	}
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("want close 1000, got %v", err)
	}
}

func TestWebSocketRejectsCrossOrigin(t *testing.T) {
	accepted := make(chan bool, 1)
	app := newApp()
	app.Get("/ws", wsRoute(nil, func(conn *websocket.Conn) {
		conn.CloseNow()
		accepted <- true
	}, func() { accepted <- false }))
	addr, _ := listenFiber(t, app)

	header := http.Header{"Origin": {"http://evil.example"}}
	c, resp, err := websocket.Dial(testCtx(t), "ws://"+addr+"/ws", &websocket.DialOptions{HTTPHeader: header})
	if err == nil {
		c.CloseNow()
		t.Fatal("cross-origin upgrade succeeded")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin upgrade: response %v, err %v; want 403", resp, err)
	}
	if <-accepted {
		t.Error("websocket.Accept accepted a cross-origin request")
	}
}

func TestWebSocketPlainGetIs426(t *testing.T) {
	app := newApp()
	app.Get("/ws", wsRoute(nil, func(conn *websocket.Conn) { conn.CloseNow() }, func() {}))
	addr, _ := listenFiber(t, app)

	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + "/ws")
	if err != nil {
		t.Fatalf("plain GET: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUpgradeRequired || resp.Header.Get("Upgrade") != "websocket" {
		t.Fatalf("plain GET got %d (Upgrade %q), want 426", resp.StatusCode, resp.Header.Get("Upgrade"))
	}
}

// TestWebSocketBadHandshake: a handshake Accept refuses gets a whole HTTP
// answer on the hijacked connection, which then closes.
func TestWebSocketBadHandshake(t *testing.T) {
	refused := make(chan struct{}, 1)
	app := newApp()
	app.Get("/ws", wsRoute(nil, func(conn *websocket.Conn) { conn.CloseNow() }, func() { refused <- struct{}{} }))
	addr, _ := listenFiber(t, app)

	// No Sec-WebSocket-Key and an unknown version.
	conn := sendRaw(t, addr, "Sec-WebSocket-Version: 99\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no HTTP answer to a bad handshake: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode < 400 || resp.StatusCode > 499 || len(body) == 0 {
		t.Errorf("bad handshake: %d %q, want a 4xx with a reason", resp.StatusCode, body)
	}
	select {
	case <-refused:
	case <-time.After(5 * time.Second):
		t.Error("refused was not called")
	}
}

func TestWebSocketWithLiveHub(t *testing.T) {
	hub := live.NewHub(live.Options{})
	served := make(chan error, 1)
	app := newApp()
	app.Get("/live", func(c *fiber.Ctx) error {
		topic := strings.Clone(c.Query("topic")) // the query's memory is fasthttp's
		sub := hub.Subscribe(topic, []byte("snapshot of "+topic))
		return upgrade(c, nil, func(conn *websocket.Conn) {
			served <- hub.Serve(context.Background(), conn, sub)
		}, func() { hub.Unsubscribe(sub) })
	})
	addr, shutdown := listenFiber(t, app)
	t.Cleanup(hub.Close)

	ctx := testCtx(t)
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/live?topic=meeting-1", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.CloseNow()
	if _, msg, err := c.Read(ctx); err != nil || string(msg) != "snapshot of meeting-1" {
		t.Fatalf("read %q, %v; want the snapshot", msg, err)
	}
	hub.Publish("meeting-1", []byte(`<tr id="p-1">joined</tr>`))
	if _, msg, err := c.Read(ctx); err != nil || string(msg) != `<tr id="p-1">joined</tr>` {
		t.Fatalf("read %q, %v; want the published fragment", msg, err)
	}

	// fasthttp no longer tracks hijacked connections, so shutdown does not
	// wait for (or close) the socket; the hub's Close ends it with 1012.
	if err := shutdown(); err != nil {
		t.Fatalf("ShutdownWithTimeout: %v", err)
	}
	hub.Close()
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusServiceRestart {
		t.Fatalf("after shutdown: %v, want close 1012", err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// TestWebSocketEarlyData: a client that sends before the handshake is
// answered is refused (those bytes would sit in fasthttp's buffer, which
// the socket no longer reads through).
func TestWebSocketEarlyData(t *testing.T) {
	refused := make(chan struct{}, 1)
	app := newApp()
	app.Get("/ws", wsRoute(nil, func(conn *websocket.Conn) {
		conn.CloseNow()
		t.Error("a client that sent early data was accepted")
	}, func() { refused <- struct{}{} }))
	addr, _ := listenFiber(t, app)

	conn := sendRaw(t, addr, "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n\x81\x00")
	select {
	case <-refused:
	case <-time.After(5 * time.Second):
		t.Fatal("refused was not called")
	}
	if n, err := conn.Read(make([]byte, 64)); err == nil {
		t.Errorf("the connection stayed open (read %d bytes)", n)
	}
}

// sendRaw opens a TCP connection to addr (closed at cleanup) and sends an
// upgrade request for /ws whose last header lines and any bytes after them
// are rest.
func sendRaw(t *testing.T, addr, rest string) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n%s", addr, rest)
	return conn
}
