package models_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// recordingIDs lists the recordings' provider ids.
func recordingIDs(rows []models.RecordingRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ExternalID
	}
	return out
}

// TestListCursor pages the recordings list by its cursor, in its order
// (most recently changed first, rows changed at the same moment by row),
// with ties across page ends, and by when rows were first stored while a
// row changes between pages; meetings page by their last event the same
// way.
func TestListCursor(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		ctx := context.Background()
		t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		rec := func(n int, typ, id string) {
			t.Helper()
			meeting := "cur-" + id
			postAt(t, s, body(typ, map[string]any{"meetingId": meeting, "sessionId": "s-" + meeting, "id": id}), t0.Add(time.Duration(n)*time.Second))
		}
		// Five changed at the same moment, then two more.
		for i := range 5 {
			rec(1, "recording-started", fmt.Sprint("same-", i))
		}
		rec(2, "recording-started", "later-1")
		rec(3, "recording-failed", "later-2")

		all, err := s.ListRecordings(ctx, models.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		walk := func(f models.ListFilter, between func(page int)) []string {
			t.Helper()
			var got []string
			for page := 0; page < 20; page++ {
				rows, err := s.ListRecordings(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, recordingIDs(rows)...)
				if len(rows) < f.Limit {
					return got
				}
				c := rows[len(rows)-1].Cursor()
				f.Before = &c
				between(page)
			}
			t.Fatalf("the walk does not end: %v", got)
			return nil
		}
		for _, limit := range []int{1, 2, 3} {
			got := walk(models.ListFilter{Limit: limit}, func(int) {})
			if want := recordingIDs(all); !slices.Equal(got, want) {
				t.Errorf("limit %d: paged by cursor %v, want %v", limit, got, want)
			}
		}
		if got := walk(models.ListFilter{Limit: 2, Status: "failed"}, func(int) {}); !slices.Equal(got, []string{"later-2"}) {
			t.Errorf("failed recordings by cursor: %v", got)
		}
		if got := walk(models.ListFilter{Limit: 2, Prefix: "cur-same"}, func(int) {}); len(got) != 5 {
			t.Errorf("recordings of cur-same* by cursor: %v", got)
		}

		// By when first stored: a row that changes between two pages is
		// still read once, and rows stored meanwhile are not.
		changed := 0
		got := walk(models.ListFilter{Limit: 2, BySeen: true}, func(page int) {
			if page == 0 {
				rec(10, "recording-stopped", "same-0")
				rec(11, "recording-started", "new-1")
				changed++
			}
		})
		want := []string{"later-2", "later-1", "same-4", "same-3", "same-2", "same-1", "same-0"}
		if changed != 1 || !slices.Equal(got, want) {
			t.Errorf("by when first stored, a row changing meanwhile: %v, want %v", got, want)
		}

		// Meetings page by their last event.
		ms, err := s.ListMeetings(ctx, models.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var names, paged []string
		for _, m := range ms {
			names = append(names, m.MeetingID)
		}
		f := models.ListFilter{Limit: 3}
		for range 10 {
			rows, err := s.ListMeetings(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range rows {
				paged = append(paged, m.MeetingID)
			}
			if len(rows) < f.Limit {
				break
			}
			c := rows[len(rows)-1].Cursor()
			f.Before = &c
		}
		if strings.Join(paged, " ") != strings.Join(names, " ") {
			t.Errorf("meetings by cursor %v, want %v", paged, names)
		}
	})
}

// TestListCursorText reads back what a cursor writes, and refuses
// anything else.
func TestListCursorText(t *testing.T) {
	c := models.ListCursor{At: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC), Ref: 42}
	back, err := models.ParseListCursor(c.String())
	if err != nil || !back.At.Equal(c.At) || back.Ref != 42 {
		t.Errorf("%s read back as %v, %v", c, back, err)
	}
	for _, bad := range []string{"", "12", "x.1", "1.x", "1.-2", "1.2.3"} {
		if _, err := models.ParseListCursor(bad); err == nil {
			t.Errorf("cursor %q accepted", bad)
		}
	}
}
