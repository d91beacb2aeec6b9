package models_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// search runs a search that must succeed.
func search(t *testing.T, s *models.Store, q string) models.SearchResults {
	t.Helper()
	r, err := s.Search(context.Background(), q, 0)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return r
}

func meetingIDs(r models.SearchResults) []string {
	out := []string{}
	for _, m := range r.Meetings {
		out = append(out, m.MeetingID)
	}
	return out
}

func participantNames(r models.SearchResults) []string {
	out := []string{}
	for _, p := range r.Participants {
		out = append(out, p.Name+"@"+p.MeetingID)
	}
	return out
}

// TestSearch finds meetings by any part of their id and participants by
// any part of their name or id, whatever the case, with the meeting and
// session each was in and their stays.
func TestSearch(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		join := func(meeting, session, id, name string) {
			post(t, s, body("participant-joined", map[string]any{"meetingId": meeting, "sessionId": session, "participantId": id, "participantName": name}))
		}
		post(t, s, body("session-started", map[string]any{"meetingId": "demo-zzg4", "sessionId": "s-1"}))
		join("demo-zzg4", "s-1", "ada-1", "Ada Lovelace")
		post(t, s, body("participant-left", map[string]any{"meetingId": "demo-zzg4", "sessionId": "s-1", "participantId": "ada-1", "participantName": "Ada Lovelace"}))
		join("standup", "s-2", "grace-9", "Grace Hopper")
		join("standup", "s-2", "p_50%", "Percent Person")
		join("other-room", "s-3", "x1", "Ada Lovelace")

		if got := meetingIDs(search(t, s, "DEMO-ZZG4")); strings.Join(got, ",") != "demo-zzg4" {
			t.Errorf("DEMO-ZZG4 finds meetings %q, want demo-zzg4", got)
		}
		if got := meetingIDs(search(t, s, "Zg4")); strings.Join(got, ",") != "demo-zzg4" {
			t.Errorf("Zg4 (the middle of an id) finds meetings %q, want demo-zzg4", got)
		}
		// Two characters match the start of an id or name only.
		r := search(t, s, "DE")
		if got := meetingIDs(r); strings.Join(got, ",") != "demo-zzg4" || r.Match != models.MatchStart {
			t.Errorf("DE finds meetings %q (match %s), want demo-zzg4 at the start", got, r.Match)
		}
		if got := meetingIDs(search(t, s, "zz")); len(got) != 0 {
			t.Errorf("zz (two characters inside an id) finds meetings %q, want none", got)
		}

		r = search(t, s, "LOVEL")
		if got := participantNames(r); strings.Join(got, ",") != "Ada Lovelace@other-room,Ada Lovelace@demo-zzg4" {
			t.Fatalf("LOVEL finds %q, want Ada in other-room (newest) then in demo-zzg4", got)
		}
		ada := r.Participants[1]
		if ada.SessionID != "s-1" || ada.ParticipantID != "ada-1" || ada.Provider != "videosdk" || ada.Present || ada.Stays != 1 ||
			ada.JoinedAt == nil || ada.LeftAt == nil || ada.LeftAt.Before(*ada.JoinedAt) {
			t.Errorf("Ada in demo-zzg4: %+v", ada)
		}
		if want := "/meetings/demo-zzg4#" + models.ParticipantAnchor(ada.Ref); ada.Link != want {
			t.Errorf("Ada's link is %q, want %q", ada.Link, want)
		}
		if now := r.Participants[0]; !now.Present || now.LeftAt != nil || now.JoinedAt == nil {
			t.Errorf("Ada in other-room, still there: %+v", now)
		}
		if got := participantNames(search(t, s, "GRACE-9")); strings.Join(got, ",") != "Grace Hopper@standup" {
			t.Errorf("a participant id finds %q", got)
		}
		// LIKE's wildcards are text.
		if got := participantNames(search(t, s, "P_50%")); strings.Join(got, ",") != "Percent Person@standup" {
			t.Errorf("P_50%% finds %q, want the participant whose id it is", got)
		}
		if got := participantNames(search(t, s, "grace-")); strings.Join(got, ",") != "Grace Hopper@standup" {
			t.Errorf("the start of a participant id finds %q", got)
		}
		if got := participantNames(search(t, s, "p%5")); len(got) != 0 {
			t.Errorf("p%%5 finds %q: %% must not be a wildcard", got)
		}
		if r := search(t, s, "nobody-at-all"); len(r.Meetings)+len(r.Participants) != 0 {
			t.Errorf("a text nobody has finds %+v", r)
		}
	})
}

// TestSearchFollowsChanges: a participant's new name is found and the old
// one no longer, and a rebuild of the models keeps search right.
func TestSearchFollowsChanges(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		d := map[string]any{"meetingId": "renames", "sessionId": "s", "participantId": "p-7", "participantName": "Augusta Byron"}
		post(t, s, body("participant-joined", d))
		post(t, s, body("participant-left", d))
		d["participantName"] = "Countess Lovelace"
		post(t, s, body("participant-joined", d))
		if got := participantNames(search(t, s, "byron")); len(got) != 0 {
			t.Errorf("the old name still finds %q", got)
		}
		if got := participantNames(search(t, s, "countess")); strings.Join(got, ",") != "Countess Lovelace@renames" {
			t.Errorf("the new name finds %q", got)
		}
		if _, err := s.StartRebuild(context.Background()); err != nil {
			t.Fatal(err)
		}
		settle(t, s)
		r := search(t, s, "countess")
		if got := participantNames(r); strings.Join(got, ",") != "Countess Lovelace@renames" {
			t.Errorf("after a rebuild the name finds %q", got)
		}
		if got := meetingIDs(search(t, s, "RENAME")); strings.Join(got, ",") != "renames" {
			t.Errorf("after a rebuild the meeting id finds %q", got)
		}
	})
}

// TestSearchBounds: the text's length is checked, each kind shows at most
// its limit, the newest first, and says how many it found.
func TestSearchBounds(t *testing.T) {
	for _, q := range []string{"", " a ", strings.Repeat("x", models.SearchMaxLength+1), "ab\x00c"} {
		if _, err := models.ParseSearch(q); !errors.Is(err, models.ErrBadSearch) {
			t.Errorf("ParseSearch(%q) = %v, want ErrBadSearch", q, err)
		}
	}
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		for i := range 30 {
			post(t, s, body("participant-joined", map[string]any{"meetingId": fmt.Sprintf("crowd-%02d", i), "sessionId": "s",
				"participantId": fmt.Sprint("u", i), "participantName": fmt.Sprintf("Guest %02d", i)}))
		}
		r, err := s.Search(context.Background(), "guest", 5)
		if err != nil {
			t.Fatal(err)
		}
		if got := participantNames(r); strings.Join(got, ",") != "Guest 29@crowd-29,Guest 28@crowd-28,Guest 27@crowd-27,Guest 26@crowd-26,Guest 25@crowd-25" {
			t.Errorf("limit 5 shows %q, want the newest five", got)
		}
		if r.ParticipantsFound != 30 {
			t.Errorf("found %d, want 30", r.ParticipantsFound)
		}
		r, err = s.Search(context.Background(), "crowd", 1000)
		if err != nil || len(r.Meetings) != 30 || r.MeetingsFound != 30 {
			t.Errorf("a limit over the maximum: %d meetings of %d found, %v", len(r.Meetings), r.MeetingsFound, err)
		}
		if _, err := s.Search(context.Background(), "x", 0); !errors.Is(err, models.ErrBadSearch) {
			t.Errorf("a one-character search: %v, want ErrBadSearch", err)
		}
	})
}

// TestSearchWithoutTrigrams: where pg_trgm cannot be created (a role
// without CREATE on its database), the migration still succeeds and search
// matches the start of names and ids, through indexes, whatever the case.
func TestSearchWithoutTrigrams(t *testing.T) {
	admin := dbtest.PostgresDSN(t)
	role := fmt.Sprintf("noext_%d", time.Now().UnixNano())
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE ROLE "+role+" LOGIN"); err != nil {
		t.Skipf("cannot create a role on this server: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP OWNED BY "+role); err != nil {
			t.Error(err)
		}
		if _, err := c.Exec(ctx, "DROP ROLE "+role); err != nil {
			t.Error(err)
		}
	})
	if _, err := conn.Exec(ctx, "GRANT ALL ON SCHEMA public TO "+role); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	s := openStore(t, u.String())
	anywhere, err := s.SearchAnywhere(ctx)
	if err != nil || anywhere {
		t.Fatalf("SearchAnywhere = %v, %v; want false without pg_trgm", anywhere, err)
	}
	post(t, s, body("participant-joined", map[string]any{"meetingId": "demo-zzg4", "sessionId": "s", "participantId": "ada-1", "participantName": "Ada Lovelace"}))
	r := search(t, s, "DEMO-Z")
	if got := meetingIDs(r); strings.Join(got, ",") != "demo-zzg4" || r.Match != models.MatchStart {
		t.Errorf("DEMO-Z finds %q (match %s)", got, r.Match)
	}
	if got := participantNames(search(t, s, "ADA L")); strings.Join(got, ",") != "Ada Lovelace@demo-zzg4" {
		t.Errorf("the start of a name finds %q", got)
	}
	if got := participantNames(search(t, s, "lovelace")); len(got) != 0 {
		t.Errorf("without pg_trgm the middle of a name finds %q", got)
	}
}

// TestSearchAfterUpgrade: meetings and participants stored before
// migration 23 moved PostgreSQL's search indexes to copies of the names
// are found after it, and so are those stored after it, on both databases.
func TestSearchAfterUpgrade(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		db := openDB(t, url, models.DBOptions{})
		if err := models.MigrateTo(db, 22); err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(`INSERT INTO meetings (provider, meeting_id, first_seen_at, last_event_at) VALUES ('videosdk', 'Before-Upgrade', ?, ?)`,
			time.Now().UTC(), time.Now().UTC()).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(`INSERT INTO participants (meeting_ref, session_id, participant_id, name, first_seen_at) VALUES (1, 's', 'old-1', 'Margaret Hamilton', ?)`,
			time.Now().UTC()).Error; err != nil {
			t.Fatal(err)
		}
		if err := models.Migrate(db); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		s := models.NewStore(db, models.StoreOptions{Decode: testDecode})
		t.Cleanup(s.Close)
		post(t, s, body("participant-joined", map[string]any{"meetingId": "after-upgrade", "sessionId": "s", "participantId": "new-1", "participantName": "Hamilton Jr"}))
		if got := meetingIDs(search(t, s, "upgrade")); strings.Join(got, ",") != "after-upgrade,Before-Upgrade" {
			t.Errorf("meetings found by 'upgrade' after the upgrade: %v", got)
		}
		if got := participantNames(search(t, s, "hamilton")); len(got) != 2 {
			t.Errorf("participants found by 'hamilton' after the upgrade: %v, want both", got)
		}
	})
}
