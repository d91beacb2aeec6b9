package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Counted names a list the dashboard's pages filter by meeting id.
type Counted int

// The lists CountAll counts.
const (
	CountedLiveRooms     Counted = iota // live sessions, as LiveRooms shows them
	CountedEndedSessions                // ended and stale sessions, as RecentSessions shows them
	CountedMeetings
	CountedRecordings
	CountedStreams
	CountedCalls
	CountedEvents
)

// CountCap is as far as CountAll counts: a count past it says "more".
const CountCap = 1000

// CountAll counts the rows of a list with no filter, up to CountCap + 1
// (more than CountCap). It tells an operator whose filter matches nothing
// how much the filter leaves out; the cap keeps that a cheap query however
// big the table.
func (s *Store) CountAll(ctx context.Context, list Counted) (int, error) {
	db := s.db.WithContext(ctx)
	var rows *gorm.DB
	switch list {
	case CountedLiveRooms:
		rows = db.Table("sessions").Where(sqlSessionLive+" AND sessions.last_event_at >= ?", s.staleCutoff())
	case CountedEndedSessions:
		rows = db.Table("sessions").Where("("+sqlSessionEnded+" AND sessions.closed_at IS NOT NULL) OR ("+
			sqlSessionLive+" AND sessions.last_event_at < ?)", s.staleCutoff())
	case CountedMeetings:
		rows = db.Table("meetings")
	case CountedRecordings:
		rows = db.Table("recordings")
	case CountedStreams:
		rows = db.Table("streams")
	case CountedCalls:
		rows = db.Table("calls")
	case CountedEvents:
		rows = db.Table("raw_events")
	default:
		return 0, fmt.Errorf("count: unknown list %d", list)
	}
	var n int64
	err := db.Table("(?) AS counted", rows.Select("1").Limit(CountCap+1)).Count(&n).Error
	return int(n), err
}
