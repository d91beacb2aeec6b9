package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/meetboard/meetboard/models"
)

// dialLive opens a live socket with the client's cookies and extra
// headers, and returns the status of a refused handshake (0 when it
// opened).
func (s *server) dialLive(t *testing.T, topic string, c *http.Client, host string, header http.Header) (*websocket.Conn, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{"Origin": {s.URL}}
	for k, v := range header {
		h[k] = v
	}
	u := strings.Replace(s.URL, "http://", "ws://", 1) + "/live?topic=" + url.QueryEscape(topic)
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: c, HTTPHeader: h, Host: host})
	if err != nil {
		if resp == nil {
			t.Fatalf("dial %s: %v", topic, err)
		}
		return nil, resp.StatusCode
	}
	t.Cleanup(func() { conn.CloseNow() })
	return conn, 0
}

// closesWithin reads a socket until it closes, failing if it stays open
// past d.
func closesWithin(t *testing.T, conn *websocket.Conn, d time.Duration, why string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		if _, _, err := conn.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Errorf("%s: the live socket is still open after %v", why, d)
			}
			return
		}
	}
}

// metric reads one sample of the server's metrics, "" when absent.
func (s *server) metric(t *testing.T, name string) string {
	t.Helper()
	for _, l := range strings.Split(s.metrics(t), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			return v
		}
	}
	return ""
}

// TestLiveTopicsCanonicalAndCapped: sockets on rooms?before=1..50 share one
// topic (they were 50, each rendered again at every webhook), and distinct
// pages past the cap are refused.
func TestLiveTopicsCanonicalAndCapped(t *testing.T) {
	s := start(t, tempDBEnv(t), "-live-pages-per-addr", "10")
	for i := range 50 {
		if _, status := s.dialLive(t, fmt.Sprintf("rooms?before=%d", i+1), nil, "", nil); status != 0 {
			t.Fatalf("rooms?before=%d: %d", i+1, status)
		}
	}
	if got := s.metric(t, "meetboard_live_topics"); got != "1" {
		t.Errorf("50 sockets on rooms?before=1..50 make %s topics, want 1", got)
	}
	for i := range 9 {
		if _, status := s.dialLive(t, fmt.Sprintf("recordings?meeting=m%d", i), nil, "", nil); status != 0 {
			t.Fatalf("page %d of 10: %d", i+2, status)
		}
	}
	if _, status := s.dialLive(t, "recordings?meeting=one-too-many", nil, "", nil); status != http.StatusTooManyRequests {
		t.Errorf("an 11th distinct page from one address: %d, want 429", status)
	}
	if _, status := s.dialLive(t, "recordings?meeting=m3", nil, "", nil); status != 0 {
		t.Errorf("a page the address watches already: %d, want it opened", status)
	}
}

// signIn signs a browser in as name and returns it.
func (s *server) signIn(t *testing.T, name, password string) *http.Client {
	t.Helper()
	b := browserClient()
	_, page := get(t, b, s.URL+"/login", nil)
	csrf := csrfField.FindStringSubmatch(page)
	if csrf == nil {
		t.Fatalf("no sign-in form: %s", page)
	}
	if resp, _ := postForm(t, b, s.URL+"/login", url.Values{"_csrf": {csrf[1]}, "username": {name}, "password": {password}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in as %s: %d", name, resp.StatusCode)
	}
	return b
}

// TestLiveSocketFollowsItsCredential: a live socket closes within seconds
// when its session is signed out, expires or loses its operator, and when
// its API token is revoked. Before, it kept receiving meeting updates.
func TestLiveSocketFollowsItsCredential(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	env := map[string]string{"DATABASE_URL": db, "DASHBOARD_ADMIN_USER": "ada", "DASHBOARD_ADMIN_PASSWORD": "correct horse battery"}
	s := start(t, env)
	command := func(args ...string) string {
		var out strings.Builder
		if err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader("another long password\n"), &out, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String()
	}
	const within = 8 * time.Second

	t.Run("sign-out", func(t *testing.T) {
		b := s.signIn(t, "ada", "correct horse battery")
		conn, _ := s.dialLive(t, "rooms", b, "", nil)
		_, page := get(t, b, s.URL+"/", nil)
		postForm(t, b, s.URL+"/logout", url.Values{"_csrf": {csrfField.FindStringSubmatch(page)[1]}})
		closesWithin(t, conn, within, "signed out")
	})
	t.Run("expired", func(t *testing.T) {
		b := s.signIn(t, "ada", "correct horse battery")
		conn, _ := s.dialLive(t, "rooms", b, "", nil)
		gdb, err := models.Open(db, models.DBOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if sqlDB, err := gdb.DB(); err == nil {
			defer sqlDB.Close()
		}
		if err := gdb.Exec("UPDATE operator_sessions SET expires_at = ?", time.Now().UTC().Add(-time.Minute)).Error; err != nil {
			t.Fatal(err)
		}
		closesWithin(t, conn, within, "session expired")
	})
	t.Run("operator deleted", func(t *testing.T) {
		command("user", "add", "bob")
		b := s.signIn(t, "bob", "another long password")
		conn, _ := s.dialLive(t, "rooms", b, "", nil)
		command("user", "delete", "bob")
		closesWithin(t, conn, within, "operator deleted")
	})
	t.Run("token revoked", func(t *testing.T) {
		out := command("token", "add", "script")
		token, _, _ := strings.Cut(out, "\n")
		conn, status := s.dialLive(t, "rooms", nil, "", http.Header{"Authorization": {"Bearer " + token}})
		if status != 0 {
			t.Fatalf("live socket with the token %q: %d (token add printed %q)", token, status, out)
		}
		command("token", "delete", "script")
		closesWithin(t, conn, within, "token revoked")
	})
}

// TestOpenModeGuardedAtRunTime: deleting the last operator of a dashboard
// listening beyond loopback does not open its data to anyone; before, it
// did a few seconds later.
func TestOpenModeGuardedAtRunTime(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	env := map[string]string{"DATABASE_URL": db, "DASHBOARD_ADMIN_USER": "ada", "DASHBOARD_ADMIN_PASSWORD": "correct horse battery"}
	s := start(t, env, "-addr", "0.0.0.0:0")
	if r := s.post(t, joined("secret-room", "P"), nil); r.Status != http.StatusOK {
		t.Fatalf("webhook: %d", r.Status)
	}
	b := s.signIn(t, "ada", "correct horse battery")
	conn, _ := s.dialLive(t, "rooms", b, "", nil)
	if err := run(context.Background(), []string{"user", "delete", "ada"}, func(k string) string { return env[k] }, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	closesWithin(t, conn, 8*time.Second, "the last operator deleted")
	// Past the few seconds the server caches whether accounts exist.
	deadline := time.Now().Add(8 * time.Second)
	for time.Now().Before(deadline) {
		for _, path := range []string{"/api/meetings", "/"} {
			resp, body := get(t, browserClient(), s.URL+path, nil)
			switch {
			case resp.StatusCode == http.StatusOK || strings.Contains(body, "secret-room"):
				t.Fatalf("%s is open to anyone after the last operator was deleted: %d %.200s", path, resp.StatusCode, body)
			case resp.StatusCode == http.StatusServiceUnavailable && !strings.Contains(body, "Create an account"):
				t.Errorf("%s: 503 without saying what to do: %.300s", path, body)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r := s.post(t, joined("secret-room", "Q"), nil); r.Status != http.StatusOK {
		t.Errorf("webhooks stop while no account exists: %d", r.Status)
	}
}

// TestDNSRebinding: in open mode a request must name this machine in its
// Host header. A page on rebind.attacker.example whose name resolves to
// 127.0.0.1 sends that name, and is refused the API, the pages and the
// live socket.
func TestDNSRebinding(t *testing.T) {
	s := start(t, tempDBEnv(t))
	port := s.URL[strings.LastIndex(s.URL, ":")+1:]
	for _, c := range []struct {
		host string
		want int
	}{
		{"rebind.attacker.example:" + port, http.StatusForbidden},
		{"rebind.attacker.example", http.StatusForbidden},
		{"127.0.0.1.nip.io:" + port, http.StatusForbidden},
		{"localhost:" + port, http.StatusOK},
		{"app.localhost:" + port, http.StatusOK},
		{"127.0.0.1:" + port, http.StatusOK},
		{"[::1]:" + port, http.StatusOK},
	} {
		for _, path := range []string{"/api/meetings", "/"} {
			req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
			req.Host = c.host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("%s with Host %s: %d, want %d", path, c.host, resp.StatusCode, c.want)
			}
		}
	}
	if _, status := s.dialLive(t, "rooms", nil, "rebind.attacker.example:"+port, nil); status != http.StatusForbidden {
		t.Errorf("live socket with Host rebind.attacker.example: %d, want 403", status)
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/webhooks/videosdk", strings.NewReader(string(joined("via-tunnel", "P"))))
	req.Host = "tunnel.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a webhook through a tunnel with another Host: %d", resp.StatusCode)
	}
}
