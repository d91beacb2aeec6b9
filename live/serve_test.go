package live

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// serveHub starts an HTTP server whose every websocket subscribes to topic
// with snapshot and is served by h under ctx. Serve's results go to the returned channel.
func serveHub(t *testing.T, ctx context.Context, h *Hub, topic, snapshot string) (url string, served <-chan error) {
	t.Helper()
	errc := make(chan error, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		errc <- h.Serve(ctx, conn, h.Subscribe(topic, []byte(snapshot)))
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(h.Close) // runs first, so srv.Close does not wait on open sockets
	return "ws" + strings.TrimPrefix(srv.URL, "http"), errc
}

func dial(t *testing.T, url string, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func read(t *testing.T, c *websocket.Conn) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	typ, b, err := c.Read(ctx)
	if err == nil && typ != websocket.MessageText {
		t.Errorf("message type %v, want text", typ)
	}
	return string(b), err
}

func mustRead(t *testing.T, c *websocket.Conn, want string) {
	t.Helper()
	got, err := read(t, c)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if got != want {
		t.Fatalf("read %q, want %q", got, want)
	}
}

// readUntilClosed reads until the connection ends and returns its close status.
func readUntilClosed(t *testing.T, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	for {
		if _, err := read(t, c); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestServeSnapshotAndPublishes(t *testing.T) {
	h := NewHub(Options{})
	url, served := serveHub(t, context.Background(), h, "m1", "snapshot")
	c := dial(t, url, nil)
	mustRead(t, c, "snapshot")
	h.Publish("m1", []byte("one"))
	h.Publish("other", []byte("not for m1"))
	h.Publish("m1", []byte("two"))
	mustRead(t, c, "one")
	mustRead(t, c, "two")

	c.Close(websocket.StatusNormalClosure, "")
	if err := <-served; err != nil {
		t.Errorf("Serve after the client left: %v", err)
	}
	if st := h.Stats(); st.Subscribers != 0 || st.Sent != 3 || st.Dropped != 0 {
		t.Errorf("Stats() = %+v, want 0 subscribers, 3 sent, 0 dropped", st)
	}
}

func TestServeSlowClientClosed1013(t *testing.T) {
	h := NewHub(Options{Buffer: 2, WriteTimeout: time.Minute, PingInterval: time.Hour})
	url, served := serveHub(t, context.Background(), h, "m", "snapshot")
	c := dial(t, url, nil)
	c.SetReadLimit(1 << 20)
	mustRead(t, c, "snapshot")

	// The client stops reading; the server publishes, giving Serve time to
	// write, until the socket buffers fill and the hub gives up on the client.
	big := bytes.Repeat([]byte("x"), 64<<10)
	published := 0
	for deadline := time.Now().Add(time.Minute); h.Stats().Dropped == 0; published++ {
		if time.Now().After(deadline) {
			t.Fatal("never dropped a client that does not read")
		}
		h.Publish("m", big)
		time.Sleep(time.Millisecond)
	}
	// Reading again lets the blocked write finish; the close frame comes after the queued data.
	received := 0
	for {
		msg, err := read(t, c)
		if err != nil {
			if got := websocket.CloseStatus(err); got != websocket.StatusTryAgainLater {
				t.Fatalf("slow client closed with %v (%v), want 1013", got, err)
			}
			break
		}
		if msg != string(big) {
			t.Fatalf("message %d garbled", received)
		}
		received++
	}
	t.Logf("published %d messages of 64 KiB, client received %d before the 1013", published, received)
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if st := h.Stats(); st.Subscribers != 0 || st.Dropped != 1 {
		t.Errorf("Stats() = %+v, want 0 subscribers and 1 dropped", st)
	}
}

// A client that stops reading blocks Serve's write once the socket buffers
// are full; WriteTimeout must end that write, and Serve with it, even
// before the hub gives up on the client.
func TestServeWriteTimeout(t *testing.T) {
	h := NewHub(Options{Buffer: 1 << 16, WriteTimeout: 100 * time.Millisecond, PingInterval: time.Hour})
	url, served := serveHub(t, context.Background(), h, "m", "snapshot")
	c := dial(t, url, nil)
	mustRead(t, c, "snapshot")

	big := bytes.Repeat([]byte("x"), 64<<10)
	for deadline := time.Now().Add(time.Minute); ; {
		select {
		case err := <-served:
			if err == nil {
				t.Fatal("Serve returned nil for a write that never finished")
			}
			if st := h.Stats(); st.Subscribers != 0 || st.Dropped != 0 {
				t.Errorf("Stats() = %+v, want no subscriber left and none dropped as slow", st)
			}
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("Serve still blocked on a client that does not read")
		}
		h.Publish("m", big)
		time.Sleep(time.Millisecond)
	}
}

func TestServeHubClose1012(t *testing.T) {
	h := NewHub(Options{})
	url, served := serveHub(t, context.Background(), h, "m", "snapshot")
	c := dial(t, url, nil)
	mustRead(t, c, "snapshot")
	h.Close()
	if got := readUntilClosed(t, c); got != websocket.StatusServiceRestart {
		t.Fatalf("closed with %v, want 1012", got)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func TestServeContextEnd1000(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	h := NewHub(Options{})
	url, served := serveHub(t, ctx, h, "m", "snapshot")
	c := dial(t, url, nil)
	mustRead(t, c, "snapshot")
	cancel()
	if got := readUntilClosed(t, c); got != websocket.StatusNormalClosure {
		t.Fatalf("closed with %v, want 1000", got)
	}
	if err := <-served; !errors.Is(err, context.Canceled) {
		t.Errorf("Serve returned %v, want context.Canceled", err)
	}
	if got := h.Stats().Subscribers; got != 0 {
		t.Errorf("Subscribers = %d after Serve returned", got)
	}
}

func TestServePingsIdleSockets(t *testing.T) {
	h := NewHub(Options{PingInterval: 10 * time.Millisecond})
	url, _ := serveHub(t, context.Background(), h, "m", "snapshot")
	var pings atomic.Int32
	c := dial(t, url, &websocket.DialOptions{
		OnPingReceived: func(context.Context, []byte) bool { pings.Add(1); return true },
	})
	mustRead(t, c, "snapshot")
	go func() { // keeps reading so pings are answered; ends with the test's cleanup
		for {
			if _, _, err := c.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	waitFor(t, "three pings", func() bool { return pings.Load() >= 3 })
	if got := h.Stats().Subscribers; got != 1 {
		t.Errorf("Subscribers = %d while pinging, want 1", got)
	}
}
