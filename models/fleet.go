package models

import (
	"context"
	"time"
)

// FailureWindow is how far back FleetCounts counts failed jobs.
const FailureWindow = time.Hour

// FleetCounts are the numbers at the top of the live-rooms board, over
// every live room whatever page or filter shows it.
type FleetCounts struct {
	// Rooms counts the live sessions heard from within the stale window,
	// as the board does; Stale the sessions never ended and silent since.
	Rooms, Stale int
	// People counts who is in those rooms.
	People int
	// Recordings counts the recordings started and not yet stopping in
	// those rooms, each participant's track recording included, as the
	// recordings list's "started" filter lists them; Streams the HLS
	// streams and livestreams started or playable, as its "live" filter
	// (StreamLive) does.
	Recordings, Streams int
	// Failures counts the problems of failureProblems (recordings, streams,
	// transcriptions and agent sessions that failed, failed call steps)
	// within FailureWindow, at most FailureCountCap + 1.
	Failures int
}

// FailureCountCap bounds the failures FleetCounts counts: past it the
// board says "99+", and no more rows are read.
const FailureCountCap = 99

// FleetCounts reads the board's counters: the live and stale sessions
// through the partial index on live sessions, the people through the one on
// present participants and the running jobs through their meetings'
// indexes from the live sessions, in one statement; and the failures as
// the problems view lists them (each kind through its own index, newest
// first, at most FailureCountCap + 1).
func (s *Store) FleetCounts(ctx context.Context) (FleetCounts, error) {
	cutoff := s.staleCutoff()
	const liveJoin = " JOIN sessions s ON s.meeting_ref = j.meeting_ref AND s.session_id = j.session_id" +
		" WHERE s.status = '" + SessionLive + "' AND s.last_event_at >= ?"
	var c struct {
		Rooms, Stale, People, Recordings, Streams, Failures int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT
		(SELECT COUNT(*) FROM sessions WHERE status = '`+SessionLive+`' AND last_event_at >= ?) AS rooms,
		(SELECT COUNT(*) FROM sessions WHERE status = '`+SessionLive+`' AND last_event_at < ?) AS stale,
		(SELECT COUNT(*) FROM participants j`+liveJoin+` AND j.present) AS people,
		(SELECT COUNT(*) FROM recordings j`+liveJoin+` AND j.status = ?) AS recordings,
		(SELECT COUNT(*) FROM streams j`+liveJoin+` AND j.status IN ?) AS streams`,
		cutoff, cutoff,
		cutoff,
		cutoff, StageStarted,
		cutoff, []Stage{StageStarted, StagePlayable},
	).Scan(&c).Error
	if err != nil {
		return FleetCounts{}, err
	}
	failed, err := s.Problems(ctx, ProblemFilter{Since: time.Now().UTC().Add(-FailureWindow), Kinds: failureProblems(), Limit: FailureCountCap + 1})
	c.Failures = len(failed)
	return FleetCounts(c), err
}
