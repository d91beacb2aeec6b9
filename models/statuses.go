package models

import (
	"fmt"

	"gorm.io/gorm"
)

// CallFailed is the value of the calls list's status filter that keeps
// the calls with a failed step.
const CallFailed = "failed"

// sqlCallStepFailed is a call step whose status is a failure: a transfer
// or room switch that failed (VideoSDK), a dial-in or dial-out error
// (Daily), dial-out not enabled for the account (iotum). It is spelled as
// the partial index call_steps_failed is (migration 0014): a query can use
// that index only when it states the same condition, not as parameters.
// A step the callee caused (missed, no answer, rejected) is no failure.
const sqlCallStepFailed = "call_steps.status IN ('error', 'notenabled', 'SWITCH_ROOM_FAILED', 'TRANSFER_FAILED')"

// RecordingStatuses lists the statuses a recording reaches, in lifecycle
// order: the values the recordings list's status filter takes.
func RecordingStatuses() []string {
	return stageNames(StageStarting, StageStarted, StageStopping, StageStopped, StageCompleted, StageCancelled, StageFailed)
}

// StreamStatuses lists the values the streams list's status filter takes:
// StreamLive, then the statuses an HLS stream or livestream reaches, in
// lifecycle order.
func StreamStatuses() []string {
	return append([]string{StreamLive}, stageNames(StageStarting, StageStarted, StagePlayable, StageStopping, StageStopped, StageFailed)...)
}

// StreamLive is the streams list's filter of the streams that are live:
// started or playable, as the board's "streams live" counts them.
const StreamLive = "live"

// CallStatuses lists the values the calls list's status filter takes. A
// call's status is its provider's word for its latest step, which differs
// by provider, so the filter keeps only the calls with a failed step.
func CallStatuses() []string { return []string{CallFailed} }

func stageNames(stages ...Stage) []string {
	out := make([]string, len(stages))
	for i, s := range stages {
		out[i] = string(s)
	}
	return out
}

// withStatus keeps the rows of q, a list of recordings, streams or calls,
// in a status; an empty status keeps all. db starts the subquery the calls'
// filter needs.
func withStatus(db, q *gorm.DB, table, status string) (*gorm.DB, error) {
	switch {
	case status == "":
		return q, nil
	case table == "calls" && status == CallFailed:
		failed := db.Table("call_steps").Select("call_steps.call_ref").Where(sqlCallStepFailed)
		return q.Where("calls.id IN (?)", failed), nil
	case table == "calls":
		return nil, fmt.Errorf("unknown call status %q: the calls list filters by %q only", status, CallFailed)
	case table == "streams" && status == StreamLive:
		return q.Where("streams.status IN ?", []Stage{StageStarted, StagePlayable}), nil
	}
	return q.Where(table+".status = ?", status), nil
}
