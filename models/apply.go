package models

import (
	"reflect"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// apply folds one delivery into the models and reports whether anything
// changed, and which kind of job it failed (a Failed* label of the
// failures chart, "" for none). The batch has locked the delivery's
// meeting already.
func apply(b *batch, d Delivery) (bool, string, error) {
	ev, at := d.Event, d.ReceivedAt
	tx := b.tx
	var m *Meeting
	if ev.MeetingID != "" {
		m = b.meeting(d.Provider, ev.MeetingID)
	}
	changed := false
	sessionID, named := ev.SessionID, ev.SessionID != ""
	if !named && m != nil && ev.Participant != nil {
		var err error
		if sessionID, err = currentSession(b, m, ev.Participant, at); err != nil {
			return false, "", err
		}
	}
	var sess *Session
	if m != nil && (named || ev.Participant != nil) {
		var err error
		var c bool
		if sess, c, err = applySession(b, m, d.Provider, sessionID, ev.Session, ev.opensSession(), at); err != nil {
			return false, "", err
		}
		changed = changed || c
	}
	var c bool
	var err error
	if m != nil {
		if c, err = applyMeetingURL(b, m, ev.MeetingURL); err != nil {
			return false, "", err
		}
		changed = changed || c
	}
	var failed bool // a job moved to failed, or a failed call step came
	failure := ""
	switch {
	case ev.Participant != nil && m != nil:
		c, err = applyParticipant(b, m, sess, sessionID, ev.Participant, at)
	case ev.Recording != nil:
		c, failed, err = applyRecording(tx, m, d.Provider, ev.SessionID, ev.Recording, at)
		failure = FailedRecording
	case ev.Stream != nil:
		c, failed, err = applyStream(tx, m, d.Provider, ev.SessionID, ev.Stream, at)
		failure = FailedStream
	case ev.Transcription != nil:
		c, failed, err = applyTranscription(tx, m, d.Provider, ev.SessionID, ev.Transcription, at)
		failure = FailedTranscription
	case ev.Call != nil:
		c, failed, err = applyCall(tx, m, d.Provider, ev.Call, at)
		failure = FailedCall
	case ev.Agent != nil:
		c, err = applyAgent(tx, m, d.Provider, ev.MeetingID, ev.Agent, at)
	case ev.BatchCall != nil:
		c, err = applyBatchCall(tx, d.Provider, ev.BatchCall, at)
	case ev.Resource != nil:
		c, err = applyResource(tx, d.Provider, ev.Resource, at)
	case ev.KnowledgeBase != nil:
		c, err = applyKnowledgeBase(tx, d.Provider, ev.KnowledgeBase, at)
	}
	if !failed {
		failure = ""
	}
	return changed || c, failure, err
}

// upsertRow makes sure the row that key identifies exists and merges an
// event into it: a new row is inserted already merged; an existing one is
// locked, merged and written back only if the merge changed it. key holds
// only the identifying fields, which conflict names as columns.
func upsertRow[T any, P rowPointer[T]](tx *gorm.DB, key T, conflict []string, at time.Time, merge func(*T)) (T, bool, error) {
	row := key
	merge(&row)
	P(&row).touch(at)
	cols := make([]clause.Column, len(conflict))
	for i, c := range conflict {
		cols[i] = clause.Column{Name: c}
	}
	res := tx.Clauses(clause.OnConflict{Columns: cols, DoNothing: true}).Create(&row)
	if res.Error != nil {
		return row, false, res.Error
	}
	if res.RowsAffected == 1 {
		return row, true, nil
	}
	// Naming the key's columns keeps zero values (an empty session id) in
	// the lookup; a bare struct condition would drop them.
	fields := make([]any, len(conflict))
	for i, c := range conflict {
		fields[i] = c
	}
	var cur T
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where(&key, fields...).First(&cur).Error; err != nil {
		return cur, false, err
	}
	changed, err := mergeAndSave[T, P](tx, &cur, at, merge)
	return cur, changed, err
}

// mergeAndSave merges into a loaded row and writes it back, touched at at,
// if it changed.
func mergeAndSave[T any, P rowPointer[T]](tx *gorm.DB, cur *T, at time.Time, merge func(*T)) (bool, error) {
	if !mergeChanged(cur, merge) {
		return false, nil
	}
	P(cur).touch(at)
	return true, tx.Omit(clause.Associations).Save(cur).Error
}

// touched is a model row that records when an event last changed it
// (UpdatedAt), moving it only forward: an event logged after one that
// arrived later does not move it back.
//
// That time is the event's arrival (its received_at in the log), like
// every other time in the models, never the clock when the projector
// applied it: the projector runs behind the answers, and a rebuild
// applies the whole log again later, so a clock time would differ from
// one application to the next. The UpdatedAt fields are therefore tagged
// autoUpdateTime:false, so that GORM leaves them alone.
type touched interface {
	touch(at time.Time)
}

// rowPointer is a pointer to a touched row type.
type rowPointer[T any] interface {
	*T
	touched
}

// mergeChanged merges into a row and reports whether that changed it.
func mergeChanged[T any](row *T, merge func(*T)) bool {
	before := *row
	merge(row)
	return !reflect.DeepEqual(before, *row)
}

// fill sets *dst to v when *dst is empty: later events fill in what earlier
// ones lacked but never overwrite it.
func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func fillRef(dst **uint, m *Meeting) {
	if *dst == nil && m != nil {
		id := m.ID
		*dst = &id
	}
}

func fillTime(dst *time.Time, at time.Time) {
	if dst.IsZero() {
		*dst = at
	}
}
