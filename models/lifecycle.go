package models

import "time"

// Stage is a step in the life of a recording, stream, transcription or other
// job. Stages are ordered: a job only ever moves to a later stage.
type Stage string

// The stages, in the order a job passes through them. Stopped, Activated
// and Released are the successful ends of different kinds of job and share
// a rank; Completed ranks just above them, since a job that reports both
// (an iotum recording is stopped, then its file is ready) completes after
// it stops. Cancelled and Failed rank above them all, so whatever order the
// events arrive in, a job that failed ends as failed.
const (
	StageStarting   Stage = "starting"
	StageStarted    Stage = "started"
	StageProcessing Stage = "processing"
	StageAcquired   Stage = "acquired"
	StagePlayable   Stage = "playable"
	StageStopping   Stage = "stopping"
	StageStopped    Stage = "stopped"
	StageCompleted  Stage = "completed"
	StageActivated  Stage = "activated"
	StageReleased   Stage = "released"
	StageCancelled  Stage = "cancelled"
	StageFailed     Stage = "failed"
)

// Rank orders stages; 0 means unknown.
func (s Stage) Rank() int {
	switch s {
	case StageStarting:
		return 10
	case StageStarted, StageProcessing, StageAcquired:
		return 20
	case StagePlayable:
		return 25
	case StageStopping:
		return 30
	case StageStopped, StageActivated, StageReleased:
		return 40
	case StageCompleted:
		return 42
	case StageCancelled:
		return 45
	case StageFailed:
		return 50
	}
	return 0
}

// Terminal reports whether no later stage can follow.
func (s Stage) Terminal() bool { return s.Rank() >= 40 }

// underway reports whether a job at this stage is running: a known stage
// short of the terminal ones.
func (s Stage) underway() bool { return s.Rank() > 0 && !s.Terminal() }

// Lifecycle is the status of a job and the time it entered each stage. It is
// embedded in every model that has one.
type Lifecycle struct {
	Status     Stage      `gorm:"column:status" json:"status"`
	StatusRank int        `gorm:"column:status_rank" json:"-"`
	StartingAt *time.Time `gorm:"column:starting_at" json:"startingAt,omitempty"`
	StartedAt  *time.Time `gorm:"column:started_at" json:"startedAt,omitempty"`
	StoppingAt *time.Time `gorm:"column:stopping_at" json:"stoppingAt,omitempty"`
	EndedAt    *time.Time `gorm:"column:ended_at" json:"endedAt,omitempty"`
	// Message is the provider's reason or failure message, if any.
	Message string `gorm:"column:message" json:"message,omitempty"`
	// ArrivalTimes marks the stage times that are a delivery's arrival,
	// standing in for a time the provider did not give: one stageBit per
	// stage. The provider's time for such a stage replaces it, and an
	// arrival never replaces the provider's.
	ArrivalTimes int `gorm:"column:arrival_times" json:"-"`
}

// Advance applies a stage reached at time at, which src says is the
// provider's time or the delivery's arrival. The status only moves forward;
// a late or repeated stage still sets its own time if that was missing or
// only an arrival and at is the provider's, and a message fills in a
// missing one or replaces it when it comes with the newest stage. It
// reports whether the status moved to s (the failures chart counts a job
// when it moves to failed).
func (l *Lifecycle) Advance(s Stage, at time.Time, src TimeSource, message string) bool {
	rank := s.Rank()
	if rank == 0 {
		return false
	}
	moved := rank > l.StatusRank
	if moved {
		l.Status, l.StatusRank = s, rank
		if message != "" {
			l.Message = message
		}
	}
	if l.Message == "" {
		l.Message = message
	}
	l.setStageTime(s, at, src)
	return moved
}

// stageTime is the time a change reached its stage, and which time that
// is: the provider's when the event gives one, else the arrival.
func stageTime(given *time.Time, arrival time.Time) (time.Time, TimeSource) {
	if given != nil {
		return *given, TimeFromPayload
	}
	return arrival, TimeFromArrival
}

// setStageTime sets the time of stage s without moving the status (Advance
// moves it): for the stage an event reports, or a time an event of a later
// stage reports about an earlier one. A time already set stays, unless it
// is an arrival and at is the provider's.
func (l *Lifecycle) setStageTime(s Stage, at time.Time, src TimeSource) {
	if slot := l.slot(s.Rank()); slot != nil {
		l.stamp(slot, stageBit(s.Rank()), at, src)
	}
}

// stamp sets *slot, a stage time whose ArrivalTimes bit is bit, by the
// rule of setStageTime.
func (l *Lifecycle) stamp(slot **time.Time, bit int, at time.Time, src TimeSource) {
	stoodIn := l.ArrivalTimes&bit != 0
	if *slot != nil && !(stoodIn && src == TimeFromPayload) {
		return
	}
	t := at
	*slot = &t
	if src == TimeFromArrival {
		l.ArrivalTimes |= bit
	} else {
		l.ArrivalTimes &^= bit
	}
}

func (l *Lifecycle) slot(rank int) **time.Time {
	switch {
	case rank == 10:
		return &l.StartingAt
	case rank == 20:
		return &l.StartedAt
	case rank == 30:
		return &l.StoppingAt
	case rank >= 40:
		return &l.EndedAt
	}
	return nil
}

// stageBit is the ArrivalTimes bit of the stages of a rank. Rank 25
// (playable) has no slot in Lifecycle: it is Stream.PlayableAt's.
func stageBit(rank int) int {
	switch {
	case rank == 10:
		return 1
	case rank == 20:
		return 2
	case rank == 25:
		return 4
	case rank == 30:
		return 8
	case rank >= 40:
		return 16
	}
	return 0
}

// absorb merges another record of the same job: the later status, and each
// stage time where l has none or only an arrival that o has the provider's
// time for; the message where l has none.
func (l *Lifecycle) absorb(o Lifecycle) {
	if o.StatusRank > l.StatusRank {
		l.Status, l.StatusRank = o.Status, o.StatusRank
	}
	for _, rank := range []int{10, 20, 30, 40} {
		bit := stageBit(rank)
		if src := o.slot(rank); *src != nil {
			from := TimeFromPayload
			if o.ArrivalTimes&bit != 0 {
				from = TimeFromArrival
			}
			l.stamp(l.slot(rank), bit, **src, from)
		}
	}
	if l.Message == "" {
		l.Message = o.Message
	}
}
