package views

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/meetboard/meetboard/models"
)

// TestRoomTable checks the board's table view: one row per live room with
// its link, provider, elapsed times, people, each job's state and its
// problems, and sortable column headers.
func TestRoomTable(t *testing.T) {
	rooms, _ := sampleRooms()
	failed := failedRecording()
	rooms[1].Recording = &failed
	frags := RoomsFragments(Board{Rooms: models.LiveBoard{Rooms: rooms, Live: 2, Page: 1}, View: ViewTable})
	board := frags[2]
	if board.ID != "rooms-live" || board.Set == nil || board.Set.Wrap != "div" || board.Set.Into != "rooms-new" {
		t.Fatalf("the table's set: %+v", board)
	}
	doc := parse(t, render(t, board))
	rows := doc.Find(`#rooms-items > [role="row"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d rows, want 2", rows.Length())
	}
	cells := func(s *goquery.Selection) []string {
		return s.Find(`[role="cell"]`).Map(func(_ int, td *goquery.Selection) string { return strings.Join(strings.Fields(td.Text()), " ") })
	}
	row := rows.First()
	if id := row.AttrOr("id", ""); id != roomID(rooms[0]) || row.AttrOr("data-meeting", "") != "kx7q-2m9d-p4tz" {
		t.Errorf("row id %q", id)
	}
	got := cells(row)
	want := []string{"kx7q-2m9d-p4tz", "videosdk", "", "3", "", "started", "playable", "—", "—", "—", ""}
	if len(got) != len(want) {
		t.Fatalf("cells %q", got)
	}
	for i, w := range want {
		if w != "" && got[i] != w {
			t.Errorf("cell %d: %q, want %q", i, got[i], w)
		}
	}
	if since := row.Find(`[role="cell"]`).Eq(2).Find("time[data-since]").AttrOr("data-since", ""); since != stamp(t0) {
		t.Errorf("live for: data-since %q, want %q", since, stamp(t0))
	}
	if last := row.Find(`[role="cell"]`).Eq(4).Find("time[data-since]").AttrOr("data-since", ""); last != stamp(now) {
		t.Errorf("last event: data-since %q, want %q", last, stamp(now))
	}
	if href := row.Find("a").AttrOr("href", ""); href != "/meetings/kx7q-2m9d-p4tz" {
		t.Errorf("room link %q", href)
	}
	problem := rows.Eq(1).Find(`[role="cell"]`).Last().Find(".badge")
	if problem.Text() != "recording failed" || problem.AttrOr("title", "") != failMessage {
		t.Errorf("problems %q titled %q", problem.Text(), problem.AttrOr("title", ""))
	}
	if n := doc.Find(`[role="columnheader"][data-sort] > button[type="button"]`).Length(); n != 11 {
		t.Errorf("%d sortable columns, want 11", n)
	}
	if s := doc.Find(`[role="columnheader"][aria-sort]`); s.Length() != 1 || s.Text() != "Live for" || s.AttrOr("aria-sort", "") != "descending" {
		t.Errorf("the rows come longest running first and say so: %q %q", s.Text(), s.AttrOr("aria-sort", ""))
	}

	// A room that leaves is marked where its row shows it.
	gone := render(t, Fragment{ID: roomID(rooms[0]) + "-end", Component: board.Set.Gone(roomID(rooms[0]))})
	if mark := row.Find("#" + roomID(rooms[0]) + "-end"); mark.Length() != 1 || !strings.Contains(gone, ">ended<") {
		t.Errorf("the ended mark %q has no place in the row", gone)
	}
}

// TestFleetCounters checks the counters and where each links.
func TestFleetCounters(t *testing.T) {
	c := models.FleetCounts{Rooms: 300, People: 4210, Recordings: 120, Streams: 41, Failures: 3, Stale: 0}
	doc := parse(t, render(t, RoomsFragments(Board{Counts: c, View: ViewCards})[0]))
	want := []struct{ text, href string }{
		{"300 rooms live", "/?view=table"},
		{"4210 people in rooms", "/?view=cards"},
		{"120 recordings running", "/recordings?status=started"},
		{"41 streams live", "/streams?status=live"},
		{"3 failures in the last hour", "/problems"},
		{"0 stale rooms", "/problems"},
	}
	links := doc.Find("#fleet-counts a")
	if links.Length() != len(want) {
		t.Fatalf("%d counters, want %d", links.Length(), len(want))
	}
	links.Each(func(i int, a *goquery.Selection) {
		if text := strings.Join(strings.Fields(a.Text()), " "); text != want[i].text || a.AttrOr("href", "") != want[i].href {
			t.Errorf("counter %d: %q to %q, want %q to %q", i, text, a.AttrOr("href", ""), want[i].text, want[i].href)
		}
	})
	if !links.Eq(4).HasClass("bad") || links.Eq(5).HasClass("warn") {
		t.Errorf("failures should stand out, and no stale room should not")
	}
}
