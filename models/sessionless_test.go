package models_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// ingestEvent stores a normalized event directly, as a decoder would hand
// it over.
func ingestEvent(t *testing.T, s *models.Store, provider string, ev models.Event) models.Result {
	t.Helper()
	res, err := s.Ingest(context.Background(), synthetic(provider, ev))
	if err != nil {
		t.Fatalf("ingest %s: %v", ev.Type, err)
	}
	return applied(t, s, res)
}

// TestSessionlessParticipants: participants whose events name no session
// (Daily's) join the meeting's current session, wait in a placeholder when
// there is none, and move with it when the session is named.
func TestSessionlessParticipants(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		join := func(id, name string) models.Event {
			return models.Event{Type: "participant.joined", ProviderEventID: "j-" + id, MeetingID: "room",
				Participant: &models.ParticipantChange{ParticipantID: id, Name: name, Role: "owner"}}
		}
		leave := func(id string) models.Event {
			return models.Event{Type: "participant.left", ProviderEventID: "l-" + id, MeetingID: "room",
				Participant: &models.ParticipantChange{ParticipantID: id, Left: true}}
		}
		// The join comes before meeting.started.
		ingestEvent(t, s, "daily", join("u1", "Ann"))
		d := detail(t, s, "room")
		if len(d.Sessions) != 1 || d.Sessions[0].SessionID != "" || d.Sessions[0].Status != models.SessionLive {
			t.Fatalf("placeholder session: %+v", d.Sessions)
		}
		start := time.Now().UTC().Add(-time.Minute)
		ingestEvent(t, s, "daily", models.Event{Type: "meeting.started", ProviderEventID: "ms", MeetingID: "room", SessionID: "mtg-1",
			Session: &models.SessionChange{Start: &start}})
		ingestEvent(t, s, "daily", join("u2", "Bob"))
		d = detail(t, s, "room")
		if len(d.Sessions) != 1 || d.Sessions[0].SessionID != "mtg-1" {
			t.Fatalf("the placeholder did not take the named id: %+v", d.Sessions)
		}
		for _, p := range d.Participants {
			if p.SessionID != "mtg-1" || !p.Present || p.Role != "owner" {
				t.Errorf("participant %+v", p)
			}
		}
		// A repeat of a delivery (same provider id) is a duplicate.
		if res := ingestEvent(t, s, "daily", join("u2", "Bob")); res.Outcome != models.OutcomeDuplicate {
			t.Errorf("redelivery outcome %q", res.Outcome)
		}
		// The session ends; a leave arriving after that joins it, not a new one.
		end := time.Now().UTC()
		ingestEvent(t, s, "daily", models.Event{Type: "meeting.ended", ProviderEventID: "me", MeetingID: "room", SessionID: "mtg-1",
			Session: &models.SessionChange{Ended: true, Start: &start, End: &end}})
		ingestEvent(t, s, "daily", leave("u1"))
		d = detail(t, s, "room")
		if len(d.Sessions) != 1 || d.Sessions[0].Status != models.SessionEnded {
			t.Errorf("sessions after a late leave: %+v", d.Sessions)
		}
		// A join long after the end starts the next session.
		later := end.Add(time.Hour)
		ev := join("u3", "Cy")
		ev.Participant.At = &later
		ingestEvent(t, s, "daily", ev)
		if d = detail(t, s, "room"); len(d.Sessions) != 2 {
			t.Errorf("a join an hour after the end should open a new session: %+v", d.Sessions)
		}
		// A role change alone updates the participant without a join.
		ingestEvent(t, s, "iotum", models.Event{Type: "enter_conference", MeetingID: "c1", SessionID: "c1",
			Participant: &models.ParticipantChange{ParticipantID: "p1", Role: "participant"}})
		ingestEvent(t, s, "iotum", models.Event{Type: "participant_role_changed", MeetingID: "c1", SessionID: "c1",
			Participant: &models.ParticipantChange{ParticipantID: "p1", Role: "moderator", Update: true}})
		if p := detail(t, s, "c1").Participants[0]; p.Role != "moderator" || !p.Present || len(p.Attendances) != 1 {
			t.Errorf("after a role change: %+v", p)
		}
	})
}

// TestRecordingInstances: events naming a recording by instance id, by
// recording id, or by both end up in one recording, in any order.
func TestRecordingInstances(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		started := models.Event{Type: "recording.started", ProviderEventID: "a",
			Recording: &models.RecordingChange{Kind: models.RecordingMeeting, Key: "rec-1", ExternalID: "rec-1", InstanceID: "inst-1", Stage: models.StageStarted}}
		failed := models.Event{Type: "recording.error", ProviderEventID: "b", MeetingID: "room",
			Recording: &models.RecordingChange{Kind: models.RecordingMeeting, InstanceID: "inst-1", Stage: models.StageFailed, Message: "boom"}}
		ready := models.Event{Type: "recording.ready-to-download", ProviderEventID: "c", MeetingID: "room",
			Recording: &models.RecordingChange{Kind: models.RecordingMeeting, Key: "rec-1", ExternalID: "rec-1", Stage: models.StageStopped,
				Files: []models.File{{Path: "domain/room/1"}}}}
		for i, order := range [][]models.Event{{started, failed, ready}, {failed, ready, started}, {ready, failed, started}} {
			t.Run(fmt.Sprint("order", i), func(t *testing.T) {
				s := openStore(t, freshURL(t, url))
				for _, ev := range order {
					ingestEvent(t, s, "daily", ev)
				}
				recs, err := s.ListRecordings(context.Background(), models.ListFilter{})
				if err != nil || len(recs) != 1 {
					t.Fatalf("recordings: %+v %v", recs, err)
				}
				r := recs[0]
				if r.ExternalID != "rec-1" || r.InstanceID != "inst-1" || r.Status != models.StageFailed || r.Message != "boom" ||
					r.MeetingID != "room" || len(r.Files) != 1 {
					t.Errorf("recording: %+v", r)
				}
			})
		}
	})
}

// freshURL is another empty database of the same kind as url.
func freshURL(t *testing.T, url string) string {
	if models.IsPostgresURL(url) {
		return dbtest.PostgresDSN(t)
	}
	return filepath.Join(t.TempDir(), "fresh.db")
}
