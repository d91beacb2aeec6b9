package models

import (
	"context"
	"errors"
)

// EventPage is one event of the log with the events logged next to it,
// for its own page: Older and Newer are the events logged just before and
// after it in the whole log, MeetingOlder and MeetingNewer among its
// meeting's events (0: none).
type EventPage struct {
	Event        RawEvent `json:"event"`
	Older        uint64   `json:"older,omitempty"`
	Newer        uint64   `json:"newer,omitempty"`
	MeetingOlder uint64   `json:"meetingOlder,omitempty"`
	MeetingNewer uint64   `json:"meetingNewer,omitempty"`
}

// EventPage reads an event and its neighbours: each a step along the log's
// primary key, or along its meeting's index on (meeting_id, id).
func (s *Store) EventPage(ctx context.Context, id uint64) (EventPage, error) {
	e, err := s.Event(ctx, id)
	if err != nil {
		return EventPage{}, err
	}
	p := EventPage{Event: e}
	db := s.db.WithContext(ctx)
	step := func(meeting string, newer bool, out *uint64) error {
		q := db.Model(&RawEvent{})
		if meeting != "" {
			q = q.Where("meeting_id = ?", meeting)
		}
		if newer {
			q = q.Where("id > ?", id).Order("id")
		} else {
			q = q.Where("id < ?", id).Order("id DESC")
		}
		var ids []uint64
		if err := q.Limit(1).Pluck("id", &ids).Error; err != nil || len(ids) == 0 {
			return err
		}
		*out = ids[0]
		return nil
	}
	err = errors.Join(step("", false, &p.Older), step("", true, &p.Newer))
	if e.MeetingID != "" {
		err = errors.Join(err, step(e.MeetingID, false, &p.MeetingOlder), step(e.MeetingID, true, &p.MeetingNewer))
	}
	if err != nil {
		return EventPage{}, err
	}
	return p, nil
}
