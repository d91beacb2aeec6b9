package handlers

import (
	"context"
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
	return fiber.New(fiber.Config{DisableStartupMessage: true})
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestWebSocketHandshakeAndRoundTrip(t *testing.T) {
	app := newApp()
	app.Get("/ws", WebSocket(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			t.Errorf("Accept: %v", err)
			return
		}
		defer conn.CloseNow()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // not r.Context()
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
	}))
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
	accepted := make(chan error, 1)
	app := newApp()
	app.Get("/ws", WebSocket(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err == nil {
			conn.CloseNow()
		}
		accepted <- err
	}))
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
	if err := <-accepted; err == nil {
		t.Error("websocket.Accept accepted a cross-origin request")
	}
}

func TestWebSocketPlainGetIs4xx(t *testing.T) {
	app := newApp()
	app.Get("/ws", WebSocket(func(w http.ResponseWriter, r *http.Request) {
		if conn, err := websocket.Accept(w, r, nil); err == nil {
			conn.CloseNow()
		}
	}))
	addr, _ := listenFiber(t, app)

	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + "/ws")
	if err != nil {
		t.Fatalf("plain GET: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode > 499 {
		t.Fatalf("plain GET got %d, want 4xx", resp.StatusCode)
	}
}

func TestWebSocketWithLiveHub(t *testing.T) {
	hub := live.NewHub(live.Options{})
	served := make(chan error, 1)
	app := newApp()
	app.Get("/live", WebSocket(func(w http.ResponseWriter, r *http.Request) {
		topic := strings.Clone(r.URL.Query().Get("topic")) // r's memory is fasthttp's
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		served <- hub.Serve(context.Background(), conn, hub.Subscribe(topic, []byte("snapshot of "+topic)))
	}))
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
