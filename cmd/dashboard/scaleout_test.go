package main

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meetboard/meetboard/models/dbtest"
)

// TestTwoInstances runs two dashboards on one PostgreSQL database: a
// webhook taken by either reaches the browsers of both, also after an
// instance's listening connection is cut (it reconnects and catches up).
func TestTwoInstances(t *testing.T) {
	url := dbtest.PostgresDSN(t)
	a := start(t, map[string]string{"DATABASE_URL": url})
	b := start(t, map[string]string{"DATABASE_URL": url})
	onB := b.subscribe(t, "rooms", nil, false)
	onB.next(t)
	onA := a.subscribe(t, "rooms", nil, false)
	onA.next(t)

	if r := a.post(t, joined("relay-1", "Posted to A"), nil); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	onB.until(t, "Posted to A")
	onA.until(t, "Posted to A")
	if r := b.post(t, joined("relay-2", "Posted to B"), nil); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	onA.until(t, "Posted to B")

	// Cut every LISTEN connection: the instances reconnect and catch up
	// on what was committed meanwhile.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tag, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`)
	if err != nil || tag.RowsAffected() < 2 {
		t.Fatalf("terminating the listeners: %v (%d)", err, tag.RowsAffected())
	}
	if r := a.post(t, joined("relay-3", "After the cut"), nil); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	onB.until(t, "After the cut")
}
