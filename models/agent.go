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
	UpdatedAt    time.Time `json:"updatedAt"`
}

// applyAgent moves an agent session through its lifecycle. Agent events name
// the session in different ways (the starting event has no session id, the
// stopping ones no meeting), so the row is found by session id, else by the
// meeting and agent: an unkeyed row first, then the newest unfinished one.
func applyAgent(tx *gorm.DB, m *Meeting, provider, meetingID string, ch *AgentChange, at time.Time) (bool, error) {
	base := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("provider = ? AND kind = ?", provider, ch.Kind)
	var found []AgentSession
	try := func(q *gorm.DB) error {
		if len(found) > 0 {
			return nil
		}
		return q.Order("id DESC").Limit(1).Find(&found).Error
	}
	var err error
	if ch.AgentSession != "" {
		err = try(base.Session(&gorm.Session{}).Where("agent_session = ?", ch.AgentSession))
	}
	if err == nil && meetingID != "" {
		byAgent := base.Session(&gorm.Session{}).Where("meeting_id = ? AND agent_id = ?", meetingID, ch.AgentID)
		err = try(byAgent.Session(&gorm.Session{}).Where("agent_session = ''"))
		if err == nil && ch.AgentSession == "" {
			err = try(byAgent.Session(&gorm.Session{}).Where("status_rank < ?", StageStopped.Rank()))
		}
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
		a.Advance(ch.Stage, at, ch.Message)
		fillTime(&a.FirstSeenAt, at)
	}
	if len(found) == 0 {
		var a AgentSession
		merge(&a)
		return true, tx.Create(&a).Error
	}
	return mergeAndSave(tx, &found[0], merge)
}
