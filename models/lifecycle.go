package models

import "time"

// Stage is a step in the life of a recording, stream, transcription or other
// job. Stages are ordered: a job only ever moves to a later stage.
type Stage string

// The stages, in the order a job passes through them. Stopped, Completed,
// Activated and Released are the successful ends of different kinds of job
// and share a rank; Cancelled and Failed rank above them, so whatever order
// the events arrive in, a job that failed ends as failed.
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
	case StageStopped, StageCompleted, StageActivated, StageReleased:
		return 40
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
}

// Advance applies a stage seen at time at. The status only moves forward; a
// late or repeated earlier stage still fills in its own time if that was
// missing, and a message fills in a missing one or replaces it when it comes
// with the newest stage.
func (l *Lifecycle) Advance(s Stage, at time.Time, message string) {
	rank := s.Rank()
	if rank == 0 {
		return
	}
	if rank > l.StatusRank {
		l.Status, l.StatusRank = s, rank
		if message != "" {
			l.Message = message
		}
	}
	if l.Message == "" {
		l.Message = message
	}
	slot := l.slot(rank)
	if slot != nil && *slot == nil {
		t := at
		*slot = &t
	}
}

// stageTime is the time a change reached its stage: the provider's, when
// the event gives one, else the arrival time.
func stageTime(given *time.Time, arrival time.Time) time.Time {
	if given != nil {
		return *given
	}
	return arrival
}

// fillStageTime sets the time of stage s if it has none, without moving
// the status: for a time an event of a later stage reports about an earlier
// one.
func (l *Lifecycle) fillStageTime(s Stage, at time.Time) {
	if slot := l.slot(s.Rank()); slot != nil && *slot == nil {
		t := at
		*slot = &t
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

// absorb merges another record of the same job: the later status, and each
// stage time and the message where l has none.
func (l *Lifecycle) absorb(o Lifecycle) {
	if o.StatusRank > l.StatusRank {
		l.Status, l.StatusRank = o.Status, o.StatusRank
	}
	for _, p := range []struct{ dst, src **time.Time }{
		{&l.StartingAt, &o.StartingAt}, {&l.StartedAt, &o.StartedAt}, {&l.StoppingAt, &o.StoppingAt}, {&l.EndedAt, &o.EndedAt},
	} {
		if *p.dst == nil {
			*p.dst = *p.src
		}
	}
	if l.Message == "" {
		l.Message = o.Message
	}
}
