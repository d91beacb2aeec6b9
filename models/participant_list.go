package models

import (
	"context"
	"strings"
)

// ParticipantStaysShown is how many stays, the newest, ListParticipants
// gives with each participant; ParticipantRow.Stays counts them all.
const ParticipantStaysShown = 100

// ParticipantFilter selects participants, newest first by when they were
// first stored (one participant is one person in one session).
type ParticipantFilter struct {
	// Prefix keeps the participants of meetings whose id starts with it
	// (an exact id matches too); empty keeps all.
	Prefix string
	// SessionID and ParticipantID keep the participants of that session,
	// and with that id; empty keeps all.
	SessionID     string
	ParticipantID string
	// Name keeps the participants whose name holds it, in any case (ASCII
	// letters; other letters as given).
	Name string
	// Present keeps those in the room now (true) or not (false); nil keeps
	// all.
	Present *bool
	// Before pages back: only participants stored before that row (a
	// row's Cursor).
	Before uint
	Limit  int
}

// ParticipantRow is a participant with its meeting and its stays.
type ParticipantRow struct {
	Participant
	MeetingID string `json:"meetingId"`
	Provider  string `json:"provider"`
	// Stays counts the participant's stays; Attendances holds the newest
	// ParticipantStaysShown of them, oldest first.
	Stays int `json:"stays"`
}

// Cursor is the place of the row, from which the next page starts.
func (r ParticipantRow) Cursor() uint { return r.ID }

// ListParticipants returns a page of participants, newest first, each with
// its newest stays. The filters other than the meeting read through the
// participants newest first until the page is full.
func (s *Store) ListParticipants(ctx context.Context, f ParticipantFilter) ([]ParticipantRow, error) {
	db := s.db.WithContext(ctx)
	q := db.Table("participants").
		Select("participants.*, meetings.meeting_id, meetings.provider").
		Joins("JOIN meetings ON meetings.id = participants.meeting_ref")
	q = withPrefix(q, "meetings.meeting_id", f.Prefix)
	if f.SessionID != "" {
		q = q.Where("participants.session_id = ?", f.SessionID)
	}
	if f.ParticipantID != "" {
		q = q.Where("participants.participant_id = ?", f.ParticipantID)
	}
	if f.Name != "" {
		q = q.Where("LOWER(participants.name) LIKE ? ESCAPE '\\'", "%"+likeEscape(strings.ToLower(f.Name))+"%")
	}
	if f.Present != nil {
		q = q.Where("participants.present = ?", *f.Present)
	}
	if f.Before > 0 {
		q = q.Where("participants.id < ?", f.Before)
	}
	rows := []ParticipantRow{}
	if err := q.Order("participants.id DESC").Limit(pageSize(f.Limit)).Scan(&rows).Error; err != nil || len(rows) == 0 {
		return rows, err
	}
	refs := make([]uint, len(rows))
	index := make(map[uint]int, len(rows))
	for i := range rows {
		refs[i], index[rows[i].ID] = rows[i].ID, i
		rows[i].Attendances = []Attendance{}
	}
	newest := db.Table("attendances").
		Select("attendances.*, ROW_NUMBER() OVER (PARTITION BY participant_ref ORDER BY id DESC) AS nth, "+
			"COUNT(*) OVER (PARTITION BY participant_ref) AS total").
		Where("participant_ref IN ?", refs)
	var stays []struct {
		Attendance
		Total int
	}
	if err := db.Table("(?) AS a", newest).Where("nth <= ?", ParticipantStaysShown).
		Order("participant_ref, id").Scan(&stays).Error; err != nil {
		return nil, err
	}
	for _, st := range stays {
		r := &rows[index[st.ParticipantRef]]
		r.Attendances = append(r.Attendances, st.Attendance)
		r.Stays = st.Total
	}
	return rows, nil
}
