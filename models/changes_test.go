package models_test

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestChangeFeedAnyID: a meeting id with a newline (or any other byte)
// reaches the change feed's reader whole, like any other: the feed once
// joined ids with newlines, so "a\nb" arrived as meetings "a" and "b".
func TestChangeFeedAnyID(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		got := make(chan []string, 16)
		listen := ""
		if models.IsPostgresURL(url) {
			listen = url
		}
		done := make(chan struct{})
		defer func() { cancel(); <-done }()
		go func() {
			defer close(done)
			s.Follow(ctx, listen, slog.New(slog.NewTextHandler(io.Discard, nil)), func(m []string, _ bool) {
				select {
				case got <- m:
				case <-ctx.Done():
				}
			})
		}()
		// Follow starts from the newest change when it starts: post until
		// every id has come through.
		ids := []string{"line\nbreak", "tab\there", "comma,semi;colon", `quote"back\slash`, "[bracket]"}
		seen := map[string]bool{}
		deadline := time.After(20 * time.Second)
		for len(seen) < len(ids) {
			for _, id := range ids {
				post(t, s, body("session-started", map[string]any{"meetingId": id, "sessionId": "s-" + id}))
			}
			select {
			case ms := <-got:
				for _, m := range ms {
					seen[m] = true
				}
			case <-deadline:
				t.Fatalf("the feed gave %q, want every one of %q", slices.Collect(maps.Keys(seen)), ids)
			}
		}
		for m := range seen {
			if !slices.Contains(ids, m) {
				t.Errorf("the feed gave %q, which no delivery named", m)
			}
		}
	})
}
