package models

import (
	"errors"
	"time"

	"gorm.io/gorm"
)

// errKept marks, during a rebuild after pruning, an event of a meeting
// whose models the rebuild keeps.
var errKept = errors.New("kept as it was: the log no longer holds this meeting's first events, so the rebuild leaves its models")

// keepTables are the tables whose rows belong to a meeting (meeting_ref),
// children first; a rebuild after pruning empties them for the meetings it
// rebuilds and keeps them for the others.
var keepTables = []string{"recordings", "streams", "transcriptions", "agent_sessions", "sessions"}

// keptMeetings finds, while a rebuild after pruning runs (keepBefore set),
// the rows of meetings first seen before keepBefore: their models are
// kept, and their events are not applied again.
func keptMeetings(tx *gorm.DB, keepBefore *time.Time, rows []logRow) (map[uint64]bool, error) {
	if keepBefore == nil {
		return nil, nil
	}
	var ids []string
	for _, r := range rows {
		if r.MeetingID != "" {
			ids = append(ids, r.MeetingID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var old []struct{ Provider, MeetingID string }
	if err := tx.Model(&Meeting{}).Select("provider", "meeting_id").
		Where("meeting_id IN ? AND first_seen_at < ?", uniq(ids), *keepBefore).Find(&old).Error; err != nil {
		return nil, err
	}
	keep := map[[2]string]bool{}
	for _, m := range old {
		keep[[2]string{m.Provider, m.MeetingID}] = true
	}
	out := map[uint64]bool{}
	for _, r := range rows {
		if keep[[2]string{r.Provider, r.MeetingID}] {
			out[r.ID] = true
		}
	}
	return out, nil
}

// endKeeping ends a rebuild after pruning once the projector has passed
// every event the log held when it began.
func endKeeping(tx *gorm.DB, until uint64) error {
	var behind bool
	if err := tx.Raw(behindSQL, until).Scan(&behind).Error; err != nil || behind {
		return err
	}
	return tx.Exec("UPDATE projector_position SET keep_before = NULL, rebuild_until = 0 WHERE id = 1").Error
}

// emptyRebuilt empties the models of the meetings first seen at or after
// since, the ones whose whole history the log still holds, and keeps the
// others and the models of no meeting (their events are applied again over
// them; a lifecycle never moves back).
func emptyRebuilt(tx *gorm.DB, since time.Time) error {
	rebuilt := tx.Model(&Meeting{}).Select("id").Where("first_seen_at >= ?", since)
	wheres := []string{
		"attendances WHERE participant_ref IN (SELECT id FROM participants WHERE meeting_ref IN (?))",
		"participants WHERE meeting_ref IN (?)",
		"call_steps WHERE call_ref IN (SELECT id FROM calls WHERE meeting_ref IN (?))",
		"calls WHERE meeting_ref IN (?)",
	}
	for _, t := range keepTables {
		wheres = append(wheres, t+" WHERE meeting_ref IN (?)")
	}
	for _, w := range wheres {
		if err := tx.Exec("DELETE FROM "+w, rebuilt).Error; err != nil {
			return err
		}
	}
	return tx.Exec("DELETE FROM meetings WHERE first_seen_at >= ?", since).Error
}
