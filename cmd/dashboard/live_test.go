package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// client is a live socket read by its own goroutine, so a test can wait
// for a message, or for none, without closing it (coder/websocket closes a
// connection whose Read times out).
type client struct {
	msgs   chan string
	closed chan error
	conn   *websocket.Conn
	start  chan struct{}
}

// subscribe opens a live socket to a page's topic, as the page's script
// would (same origin). With paused, it is not read until resume.
func (s *server) subscribe(t *testing.T, topic string, httpClient *http.Client, paused bool) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := strings.Replace(s.URL, "http://", "ws://", 1) + "/live?topic=" + url.QueryEscape(topic)
	conn, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: httpClient, HTTPHeader: http.Header{"Origin": {s.URL}}})
	if err != nil {
		t.Fatalf("dial %s: %v", topic, err)
	}
	conn.SetReadLimit(8 << 20)
	c := &client{msgs: make(chan string, 10000), closed: make(chan error, 1), conn: conn, start: make(chan struct{})}
	if !paused {
		close(c.start)
	}
	go func() {
		<-c.start
		for {
			_, b, err := conn.Read(context.Background())
			if err != nil {
				c.closed <- err
				return
			}
			c.msgs <- string(b)
		}
	}()
	t.Cleanup(func() { conn.CloseNow() })
	return c
}

func (c *client) resume() { close(c.start) }

// next waits for a message.
func (c *client) next(t *testing.T) string {
	t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case err := <-c.closed:
		t.Fatalf("socket closed: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
	}
	return ""
}

// quiet checks no message comes for a while.
func (c *client) quiet(t *testing.T, why string) {
	t.Helper()
	select {
	case m := <-c.msgs:
		t.Errorf("%s, got: %.300s", why, m)
	case <-time.After(500 * time.Millisecond):
	}
}

// until reads messages until one contains want.
func (c *client) until(t *testing.T, want string) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-c.msgs:
			if strings.Contains(m, want) {
				return m
			}
		case err := <-c.closed:
			t.Fatalf("socket closed waiting for %q: %v", want, err)
		case <-deadline:
			t.Fatalf("no message with %q", want)
		}
	}
}

func joined(meeting, participant string) []byte {
	return []byte(fmt.Sprintf(`{"webhookType":"participant-joined","data":{"meetingId":%q,"sessionId":"s-%s","participantId":%q,"participantName":%q}}`,
		meeting, meeting, participant, participant))
}

// TestLivePush subscribes real websocket clients to pages and checks the
// snapshot, the update after a webhook, and that topics and filters only
// get what they show.
func TestLivePush(t *testing.T) {
	s := start(t, map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "d.db")})
	rooms := s.subscribe(t, "rooms", nil, false)
	snap := rooms.next(t)
	if !strings.Contains(snap, `id="rooms-live"`) || !strings.Contains(snap, `id="rooms-recent"`) {
		t.Fatalf("rooms snapshot lacks its fragments: %s", snap)
	}
	filtered := s.subscribe(t, "rooms?meeting=alpha", nil, false)
	filtered.next(t)
	meetingB := s.subscribe(t, "meeting?meeting=beta-1", nil, false)
	if snap := meetingB.next(t); !strings.Contains(snap, `id="meeting-participants"`) {
		t.Fatalf("meeting snapshot: %s", snap)
	}

	if r := s.post(t, joined("alpha-1", "Ada"), nil); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	msg := rooms.until(t, "Ada")
	if !strings.Contains(msg, `hx-swap-oob="beforeend:#rooms-new"`) || strings.Contains(msg, `id="rooms-live"`) || strings.Contains(msg, `id="rooms-recent"`) {
		t.Errorf("the update should append the new room alone: %s", msg)
	}
	filtered.until(t, "Ada")
	meetingB.quiet(t, "beta-1's page got a message for alpha-1")

	s.post(t, joined("beta-1", "Bea"), nil)
	meetingB.until(t, "Bea")
	if msg := rooms.until(t, "Bea"); !strings.Contains(msg, `hx-swap-oob="beforeend:#rooms-new"`) || strings.Contains(msg, `id="rooms-live"`) || strings.Contains(msg, "Ada") {
		t.Errorf("a new room should be appended alone, not the section sent again: %s", msg)
	}
	filtered.quiet(t, "the page filtered by alpha got a message for beta-1")

	// A change inside one room of an unchanged set sends that room's card only.
	s.post(t, joined("alpha-1", "Cy"), nil)
	msg = rooms.until(t, "Cy")
	if strings.Contains(msg, `id="rooms-live"`) || strings.Contains(msg, "Bea") || !strings.Contains(msg, `data-meeting="alpha-1"`) {
		t.Errorf("the update should carry alpha-1's card only: %s", msg)
	}

	// A reconnect starts from a fresh snapshot with everything in it.
	again := s.subscribe(t, "rooms", nil, false)
	if snap := again.next(t); !strings.Contains(snap, "Ada") || !strings.Contains(snap, "Bea") {
		t.Errorf("snapshot after changes: %s", snap)
	}
}

// TestLiveRejects checks a bad topic and a cross-origin upgrade are refused.
func TestLiveRejects(t *testing.T) {
	s := start(t, map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "d.db")})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws := strings.Replace(s.URL, "http://", "ws://", 1)
	if _, resp, err := websocket.Dial(ctx, ws+"/live?topic=nope", nil); err == nil || resp == nil || resp.StatusCode != 400 {
		t.Errorf("unknown topic: %v %v", resp, err)
	}
	_, resp, err := websocket.Dial(ctx, ws+"/live?topic=rooms", &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"http://evil.example"}}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin upgrade: %v %v", resp, err)
	}
}

// TestSlowClient gives the server a one-message buffer and a client that
// stops reading (through a tiny socket buffer) while webhooks arrive: the
// server must close it with 1013 (try again later) while a client that
// keeps up gets every update.
func TestSlowClient(t *testing.T) {
	s := start(t, map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "d.db")}, "-live-buffer", "1", "-live-budget", "0")
	// The receive buffer is set before connecting, so the window the
	// client offers stays small.
	small := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048) })
	}}
	tiny := &http.Client{Transport: &http.Transport{DialContext: small.DialContext}}
	slow := s.subscribe(t, "events", tiny, true)
	fast := s.subscribe(t, "events", nil, false)
	fast.next(t)
	// Post until the server has dropped the slow client, then let it read:
	// it must find the 1013 close after the messages it had queued. (Kept
	// paused much longer, the server's blocked write would time out and
	// the socket be cut without a close frame.)
	last := ""
	for i := 0; i < 1000 && s.liveDropped(t) == 0; i++ {
		last = fmt.Sprintf("p-%d", i)
		s.post(t, joined(fmt.Sprintf("slow-%d", i%5), last+" "+strings.Repeat("x", 500)), nil)
	}
	slow.resume()
	fast.until(t, last+" ")
	select {
	case err := <-slow.closed:
		if status := websocket.CloseStatus(err); status != websocket.StatusTryAgainLater {
			t.Errorf("slow client closed with %v (%v), want 1013", status, err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the slow client was never closed")
	}
}

// TestShutdownClosesWith1012 checks browsers are told to reconnect when the
// server stops.
func TestShutdownClosesWith1012(t *testing.T) {
	s := start(t, map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "d.db")})
	c := s.subscribe(t, "rooms", nil, false)
	c.next(t)
	go s.stop()
	select {
	case err := <-c.closed:
		if status := websocket.CloseStatus(err); status != websocket.StatusServiceRestart {
			t.Errorf("on shutdown the socket closed with %v (%v), want 1012", status, err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the socket was left open")
	}
}

// liveDropped reads how many live clients the server has dropped as too
// slow, from its metrics.
func (s *server) liveDropped(t *testing.T) int {
	t.Helper()
	for _, line := range strings.Split(s.metrics(t), "\n") {
		if v, ok := strings.CutPrefix(line, "meetboard_live_clients_dropped_total "); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return int(n)
		}
	}
	t.Fatalf("no meetboard_live_clients_dropped_total in the metrics")
	return 0
}
