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
	// those rooms (one per participant's track is left out, as on the
	// board); Streams the HLS streams and livestreams started or playable.
	Recordings, Streams int
	// Failures counts the recordings and streams that failed (or were last
	// heard of failed) within FailureWindow.
	Failures int
}

// FleetCounts reads the board's counters in one statement. Each count is
// bounded: the live and stale sessions come through the partial index on
// live sessions, the people through the one on present participants, the
// running jobs through their meetings' indexes from the live sessions, and
// the failures through the jobs' updated_at indexes over the last hour.
func (s *Store) FleetCounts(ctx context.Context) (FleetCounts, error) {
	cutoff := s.staleCutoff()
	since := time.Now().UTC().Add(-FailureWindow)
	const liveJoin = " JOIN sessions s ON s.meeting_ref = j.meeting_ref AND s.session_id = j.session_id" +
		" WHERE s.status = '" + SessionLive + "' AND s.last_event_at >= ?"
	var c struct {
		Rooms, Stale, People, Recordings, Streams, Failures int
	}
	err := s.db.WithContext(ctx).Raw(`SELECT
		(SELECT COUNT(*) FROM sessions WHERE status = '`+SessionLive+`' AND last_event_at >= ?) AS rooms,
		(SELECT COUNT(*) FROM sessions WHERE status = '`+SessionLive+`' AND last_event_at < ?) AS stale,
		(SELECT COUNT(*) FROM participants j`+liveJoin+` AND j.present) AS people,
		(SELECT COUNT(*) FROM recordings j`+liveJoin+` AND j.status = ? AND j.kind <> ?) AS recordings,
		(SELECT COUNT(*) FROM streams j`+liveJoin+` AND j.status IN ?) AS streams,
		(SELECT COUNT(*) FROM recordings WHERE updated_at >= ? AND status = ?) +
		(SELECT COUNT(*) FROM streams WHERE updated_at >= ? AND status = ?) AS failures`,
		cutoff, cutoff,
		cutoff,
		cutoff, StageStarted, RecordingParticipantTrack,
		cutoff, []Stage{StageStarted, StagePlayable},
		since, StageFailed, since, StageFailed,
	).Scan(&c).Error
	return FleetCounts(c), err
}
