package models

import (
	"testing"
	"time"
)

// TestStageTimeSources: a stage time that is an arrival gives way to the
// provider's time for that stage, from a repeat of the stage, a later
// stage's report, or another record of the job; the provider's time never
// gives way to an arrival, or to another of the provider's.
func TestStageTimeSources(t *testing.T) {
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	arrival, provider, later := base.Add(time.Hour), base, base.Add(2*time.Hour)
	cases := []struct {
		name  string
		apply func(l *Lifecycle)
		want  time.Time
	}{
		{"arrival, then the provider's", func(l *Lifecycle) {
			l.Advance(StageStarted, arrival, TimeFromArrival, "")
			l.Advance(StageStarted, provider, TimeFromPayload, "")
		}, provider},
		{"the provider's, then an arrival", func(l *Lifecycle) {
			l.Advance(StageStarted, provider, TimeFromPayload, "")
			l.Advance(StageStarted, later, TimeFromArrival, "")
		}, provider},
		{"the provider's, then another of the provider's", func(l *Lifecycle) {
			l.Advance(StageStarted, provider, TimeFromPayload, "")
			l.Advance(StageStarted, later, TimeFromPayload, "")
		}, provider},
		{"arrival, then a later arrival", func(l *Lifecycle) {
			l.Advance(StageStarted, arrival, TimeFromArrival, "")
			l.Advance(StageStarted, later, TimeFromArrival, "")
		}, arrival},
		{"arrival, then a later stage reports the start", func(l *Lifecycle) {
			l.Advance(StageStarted, arrival, TimeFromArrival, "")
			l.Advance(StageStopped, later, TimeFromPayload, "")
			l.setStageTime(StageStarted, provider, TimeFromPayload)
		}, provider},
		{"an arrival record absorbs the provider's", func(l *Lifecycle) {
			l.Advance(StageStarted, arrival, TimeFromArrival, "")
			var o Lifecycle
			o.Advance(StageStarted, provider, TimeFromPayload, "")
			l.absorb(o)
		}, provider},
		{"the provider's record absorbs an arrival", func(l *Lifecycle) {
			l.Advance(StageStarted, provider, TimeFromPayload, "")
			var o Lifecycle
			o.Advance(StageStarted, arrival, TimeFromArrival, "")
			l.absorb(o)
		}, provider},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var l Lifecycle
			c.apply(&l)
			if l.StartedAt == nil || !l.StartedAt.Equal(c.want) {
				t.Errorf("started at %v, want %s", l.StartedAt, c.want)
			}
		})
	}
	// Once the provider's time is in, a later arrival still does not
	// replace it: the mark went with the arrival.
	var l Lifecycle
	l.Advance(StageStarted, arrival, TimeFromArrival, "")
	l.Advance(StageStarted, provider, TimeFromPayload, "")
	l.Advance(StageStarted, later, TimeFromArrival, "")
	if !l.StartedAt.Equal(provider) || l.ArrivalTimes != 0 {
		t.Errorf("started at %s with arrival marks %b, want %s and none", l.StartedAt, l.ArrivalTimes, provider)
	}
}
