package models

import (
	"context"

	"gorm.io/gorm"
)

// ListFilter selects a page of a list, newest first.
type ListFilter struct {
	// Prefix keeps rows whose meeting id starts with it (an exact id
	// matches too); empty keeps all.
	Prefix string
	// Status keeps the rows in that status: one of RecordingStatuses,
	// StreamStatuses or CallStatuses, for the list it filters; empty keeps
	// all.
	Status string
	Limit  int
	Offset int
	// Before starts the page after this place in the list's order (a
	// row's Cursor); nil starts at the newest.
	Before *ListCursor
	// BySeen orders the rows by when they were first stored, newest first
	// (by row), instead of by their last change: an order no change moves,
	// for reading a whole list page by page while it changes (exports).
	// Before's time is then unused.
	BySeen bool
}

// RecordingRow is a recording with its meeting's id.
type RecordingRow struct {
	Recording
	MeetingID string `json:"meetingId"`
}

// StreamRow is a stream with its meeting's id.
type StreamRow struct {
	Stream
	MeetingID string `json:"meetingId"`
}

// CallRow is a call with its meeting's id.
type CallRow struct {
	Call
	MeetingID string `json:"meetingId"`
}

// ListRecordings returns a page of recordings, most recently changed first
// (or as f orders them).
func (s *Store) ListRecordings(ctx context.Context, f ListFilter) ([]RecordingRow, error) {
	rows := []RecordingRow{}
	q, err := s.listWithMeeting(ctx, "recordings", f)
	if err != nil {
		return nil, err
	}
	return rows, q.Scan(&rows).Error
}

// ListStreams returns a page of streams, most recently changed first (or
// as f orders them).
func (s *Store) ListStreams(ctx context.Context, f ListFilter) ([]StreamRow, error) {
	rows := []StreamRow{}
	q, err := s.listWithMeeting(ctx, "streams", f)
	if err != nil {
		return nil, err
	}
	return rows, q.Scan(&rows).Error
}

// ListCalls returns a page of calls with their steps, most recently
// changed first (or as f orders them).
func (s *Store) ListCalls(ctx context.Context, f ListFilter) ([]CallRow, error) {
	rows := []CallRow{}
	q, err := s.listWithMeeting(ctx, "calls", f)
	if err != nil {
		return nil, err
	}
	if err := q.Scan(&rows).Error; err != nil || len(rows) == 0 {
		return rows, err
	}
	ids := make([]uint, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var steps []CallStep
	if err := s.db.WithContext(ctx).Where("call_ref IN ?", ids).
		Order("COALESCE(occurred_at, received_at), id").Find(&steps).Error; err != nil {
		return nil, err
	}
	for i := range rows {
		for _, st := range steps {
			if st.CallRef == rows[i].ID {
				rows[i].Steps = append(rows[i].Steps, st)
			}
		}
	}
	return rows, nil
}

// listWithMeeting selects a page of a table whose rows belong to meetings,
// joined with the meeting id.
func (s *Store) listWithMeeting(ctx context.Context, table string, f ListFilter) (*gorm.DB, error) {
	db := s.db.WithContext(ctx)
	q := db.Table(table).Select(table + ".*, COALESCE(meetings.meeting_id, '') AS meeting_id").
		Joins("LEFT JOIN meetings ON meetings.id = " + table + ".meeting_ref").
		Limit(pageSize(f.Limit)).Offset(max(f.Offset, 0))
	q = listOrder(q, table, table+".updated_at", f)
	q = withPrefix(q, "meetings.meeting_id", f.Prefix)
	return withStatus(db, q, table, f.Status)
}
