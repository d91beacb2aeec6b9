package handlers

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// lockedBuffer is a log sink that the server and the test may share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// readyServer is the dashboard's app on a migrated database at dbURL, with
// its log going to the returned buffer. Its write probe answers are reused
// for no time, so each /readyz sees the database as it is.
func readyServer(t *testing.T, dbURL string) (*Server, *models.Store, *lockedBuffer) {
	t.Helper()
	db, err := models.Open(dbURL, models.DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := models.Migrate(db); err != nil {
		t.Fatal(err)
	}
	store := models.NewStore(db, models.StoreOptions{ReadyEvery: time.Nanosecond})
	t.Cleanup(func() {
		store.Close()
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	})
	logs := &lockedBuffer{}
	srv := New(Config{Store: store, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	t.Cleanup(func() { srv.Shutdown(5 * time.Second) })
	return srv, store, logs
}

// getReadyz GETs /readyz and returns the status and body.
func getReadyz(t *testing.T, app *fiber.App) (int, string) {
	t.Helper()
	resp, err := app.Test(httptest.NewRequest("GET", "/readyz", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestReadyzSaysOnlyReadyOrNot stops the PostgreSQL server under the
// dashboard: /readyz, which needs no sign-in, must answer 503 with only
// {"status":"not ready"}, never the database error, which names the
// database's user, name and address. The reason goes to the log, once
// however often /readyz is asked; once the server is back, /readyz is 200
// {"status":"ready"} again, and the log says so once.
func TestReadyzSaysOnlyReadyOrNot(t *testing.T) {
	cl := dbtest.NewCluster(t)
	srv, _, logs := readyServer(t, cl.DSN())
	if status, body := getReadyz(t, srv.App); status != fiber.StatusOK || body != `{"status":"ready"}` {
		t.Errorf("readyz with the database up: %d %s, want 200 {\"status\":\"ready\"}", status, body)
	}

	if err := cl.Stop(); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(cl.DSN())
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{u.User.Username(), u.Hostname(), u.Port(), strings.TrimPrefix(u.Path, "/"),
		"database", "connect", "dial", "refused", "error"}
	for range 5 {
		status, body := getReadyz(t, srv.App)
		var told []string
		for _, s := range secrets {
			if strings.Contains(strings.ToLower(body), strings.ToLower(s)) {
				told = append(told, s)
			}
		}
		if status != fiber.StatusServiceUnavailable || body != `{"status":"not ready"}` || len(told) > 0 {
			t.Errorf("readyz with the database down: %d %s, want 503 {\"status\":\"not ready\"}; it tells strangers %q",
				status, body, told)
			break
		}
	}
	log := logs.String()
	if n := strings.Count(log, `msg="not ready"`); n != 1 {
		t.Errorf("5 calls while down logged %d not-ready lines, want 1:\n%s", n, log)
	}
	if !strings.Contains(log, "database unreachable") {
		t.Errorf("the log does not say why it is not ready:\n%s", log)
	}

	if err := cl.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, body := getReadyz(t, srv.App)
		if status == fiber.StatusOK && body == `{"status":"ready"}` {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz not 200 within 20 s of the database being back: %d %s", status, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	getReadyz(t, srv.App)
	if n := strings.Count(logs.String(), `msg="ready again"`); n != 1 {
		t.Errorf("recovery logged %d ready-again lines, want 1:\n%s", n, logs.String())
	}
}

// TestReadyzClosedDatabase: with the store's SQLite handle closed, /readyz
// is 503 with only {"status":"not ready"}, not the driver's error.
func TestReadyzClosedDatabase(t *testing.T) {
	srv, store, _ := readyServer(t, filepath.Join(t.TempDir(), "dashboard.db"))
	sqlDB, err := store.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.Close()
	if status, body := getReadyz(t, srv.App); status != fiber.StatusServiceUnavailable || body != `{"status":"not ready"}` {
		t.Errorf("readyz with the database closed: %d %s, want 503 {\"status\":\"not ready\"}", status, body)
	}
}

// TestReadyLogOnlyNews: a poller asking /readyz over and over logs a line
// when readiness is lost and when it is back; a new reason while not ready
// is logged at most once a minute.
func TestReadyLogOnlyNews(t *testing.T) {
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	var r readyLog
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	down, refused := errors.New("driver: bad connection"), errors.New("connection refused")
	for _, c := range []struct {
		at  time.Duration
		err error
	}{
		{0, nil}, {time.Second, nil}, // ready from the start: nothing to say
		{2 * time.Second, down},            // not ready
		{3 * time.Second, down},            // the same
		{4 * time.Second, refused},         // another reason, but too soon
		{30 * time.Second, refused},        // still too soon
		{2 * time.Minute, refused},         // a minute later: still not ready
		{3 * time.Minute, refused},         // the same reason again
		{3*time.Minute + time.Second, nil}, // ready again
		{4 * time.Minute, nil},
	} {
		r.note(log, c.err, t0.Add(c.at))
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		_, msg, _ := strings.Cut(line, "msg=")
		got = append(got, msg)
	}
	want := []string{
		`"not ready" err="driver: bad connection"`,
		`"still not ready" err="connection refused"`,
		`"ready again"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("logged:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
