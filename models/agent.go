package models

import (
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AgentKind tells cloud agent sessions from the older AI deployment
// sessions.
type AgentKind string

// Agent kinds.
const (
	AgentSessionKind AgentKind = "agent-session"
	AIDeploymentKind AgentKind = "ai-deployment-session"
)

// AgentSession is an AI agent running in (or for) a meeting.
type AgentSession struct {
	ID           uint      `gorm:"primaryKey" json:"-"`
	MeetingRef   *uint     `json:"-"`
	Provider     string    `json:"provider"`
	Kind         AgentKind `json:"kind"`
	AgentSession string    `json:"sessionId,omitempty"`
	MeetingID    string    `json:"meetingId,omitempty"`
	AgentID      string    `json:"agentId,omitempty"`
	DeploymentID string    `json:"deploymentId,omitempty"`
	VersionID    string    `json:"versionId,omitempty"`
	Lifecycle    `gorm:"embedded"`
	FirstSeenAt  time.Time `json:"firstSeenAt"`
	UpdatedAt    time.Time `gorm:"autoUpdateTime:false" json:"updatedAt"`
}

// touch moves the AgentSession row's UpdatedAt forward to at (see touched).
func (a *AgentSession) touch(at time.Time) { a.UpdatedAt = later(a.UpdatedAt, at) }

// applyAgent moves an agent session through its lifecycle. Agent events name
// the session in different ways (the starting and failed events carry no
// session id, the stopping ones no meeting), so the row is found:
//   - with a session id: by that id, else the unfinished session of the same
//     meeting and agent not yet given an id;
//   - a starting event: the newest session of the meeting and agent, except
//     failures never given an id;
//   - any other event without a session id: the newest unfinished session of
//     the meeting and agent, or a session never given an id that is already
//     at this stage (a repeat).
//
// Otherwise a new row is made. Repeats therefore change nothing.
func applyAgent(tx *gorm.DB, m *Meeting, provider, meetingID string, ch *AgentChange, at time.Time) (bool, error) {
	find := func(where string, args ...any) ([]AgentSession, error) {
		var found []AgentSession
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("provider = ? AND kind = ?", provider, ch.Kind).Where(where, args...).
			Order("id DESC").Limit(1).Find(&found).Error
		return found, err
	}
	var found []AgentSession
	var err error
	done := StageStopped.Rank()
	switch {
	case ch.AgentSession != "":
		found, err = find("agent_session = ?", ch.AgentSession)
		var unkeyed []AgentSession
		if err == nil && meetingID != "" {
			unkeyed, err = find("meeting_id = ? AND agent_id = ? AND status_rank < ? AND agent_session = ''", meetingID, ch.AgentID, done)
		}
		switch {
		case err != nil || len(unkeyed) == 0:
		case len(found) == 0:
			found = unkeyed
		default:
			// The session was first seen without its meeting (a stopping
			// event) and its start without its id: they are one session.
			found[0].absorb(unkeyed[0])
			found[0].touch(at)
			if err = tx.Delete(&unkeyed[0]).Error; err == nil {
				err = tx.Omit(clause.Associations).Save(&found[0]).Error
			}
		}
	case meetingID != "" && ch.Stage == StageStarting:
		found, err = find("meeting_id = ? AND agent_id = ? AND (agent_session <> '' OR status_rank < ?)", meetingID, ch.AgentID, done)
	case meetingID != "":
		found, err = find("meeting_id = ? AND agent_id = ? AND (status_rank < ? OR (agent_session = '' AND status = ?))",
			meetingID, ch.AgentID, done, ch.Stage)
	}
	if err != nil {
		return false, err
	}
	merge := func(a *AgentSession) {
		a.Provider, a.Kind = provider, ch.Kind
		fillRef(&a.MeetingRef, m)
		fill(&a.AgentSession, ch.AgentSession)
		fill(&a.MeetingID, meetingID)
		fill(&a.AgentID, ch.AgentID)
		fill(&a.DeploymentID, ch.DeploymentID)
		fill(&a.VersionID, ch.VersionID)
		a.Advance(ch.Stage, at, TimeFromArrival, ch.Message)
		fillTime(&a.FirstSeenAt, at)
	}
	if len(found) == 0 {
		var a AgentSession
		merge(&a)
		a.touch(at)
		return true, tx.Create(&a).Error
	}
	return mergeAndSave(tx, &found[0], at, merge)
}

// absorb takes into a what o knows that a does not.
func (a *AgentSession) absorb(o AgentSession) {
	if a.MeetingRef == nil {
		a.MeetingRef = o.MeetingRef
	}
	fill(&a.MeetingID, o.MeetingID)
	fill(&a.DeploymentID, o.DeploymentID)
	fill(&a.VersionID, o.VersionID)
	a.Lifecycle.absorb(o.Lifecycle)
	if o.FirstSeenAt.Before(a.FirstSeenAt) {
		a.FirstSeenAt = o.FirstSeenAt
	}
	a.touch(o.UpdatedAt)
}
