package models

import (
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Call is a telephony call (SIP, dial-in, dial-out) with its whole history.
type Call struct {
	ID         uint   `gorm:"primaryKey" json:"-"`
	MeetingRef *uint  `json:"-"`
	Provider   string `json:"provider"`
	CallID     string `json:"callId"`
	RoomID     string `json:"roomId,omitempty"`
	// Direction is "inbound" or "outbound".
	Direction string `json:"direction,omitempty"`
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	GatewayID string `json:"gatewayId,omitempty"`
	RuleID    string `json:"ruleId,omitempty"`
	// Status is the status of the latest step by the provider's clock.
	Status            string     `json:"status"`
	StatusAt          *time.Time `json:"statusAt,omitempty"`
	MetaData          string     `json:"metaData,omitempty"`
	AdditionalDetails string     `json:"additionalDetails,omitempty"`
	FirstSeenAt       time.Time  `json:"firstSeenAt"`
	UpdatedAt         time.Time  `gorm:"autoUpdateTime:false" json:"updatedAt"`
	Steps             []CallStep `gorm:"foreignKey:CallRef" json:"steps"`
}

// touch moves the Call row's UpdatedAt forward to at (see touched).
func (c *Call) touch(at time.Time) { c.UpdatedAt = later(c.UpdatedAt, at) }

// CallStep is one status change of a call: ringing, answered, a transfer or
// room switch step, the hangup.
type CallStep struct {
	ID      uint   `gorm:"primaryKey" json:"-"`
	CallRef uint   `json:"-"`
	Step    string `json:"step"`
	Status  string `json:"status,omitempty"`
	// At is the provider's time of the step; AtText its raw form.
	At         *time.Time `gorm:"column:occurred_at" json:"at,omitempty"`
	AtText     string     `json:"-"`
	Detail     string     `json:"detail,omitempty"`
	ReceivedAt time.Time  `json:"receivedAt"`
}

// applyCall adds a step to a call. A step already recorded changes
// nothing; the call's status is that of its latest step by the provider's
// clock (by arrival when the step has no time), whatever order steps arrive
// in. It also reports whether the step is a new failed one (see
// callStepFailed).
func applyCall(tx *gorm.DB, m *Meeting, provider string, ch *CallChange, at time.Time) (bool, bool, error) {
	if ch.CallID == "" {
		return false, false, nil
	}
	key := Call{Provider: provider, CallID: ch.CallID}
	c, changed, err := upsertRow(tx, key, []string{"provider", "call_id"}, at, func(c *Call) {
		fillRef(&c.MeetingRef, m)
		fill(&c.RoomID, ch.RoomID)
		fill(&c.Direction, ch.Direction)
		fill(&c.From, ch.From)
		fill(&c.To, ch.To)
		fill(&c.GatewayID, ch.GatewayID)
		fill(&c.RuleID, ch.RuleID)
		fill(&c.MetaData, ch.MetaData)
		fill(&c.AdditionalDetails, ch.AdditionalDetails)
		fillTime(&c.FirstSeenAt, at)
	})
	if err != nil {
		return false, false, err
	}
	step := CallStep{CallRef: c.ID, Step: ch.Step, Status: ch.Status, At: ch.At, AtText: ch.AtText, Detail: ch.Detail, ReceivedAt: at}
	res := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "call_ref"}, {Name: "step"}, {Name: "status"}, {Name: "at_text"}},
		DoNothing: true,
	}).Create(&step)
	if res.Error != nil || res.RowsAffected == 0 {
		return changed, false, res.Error
	}
	// A new step changes the call.
	c.touch(at)
	updates := map[string]any{"updated_at": c.UpdatedAt}
	when := at
	if ch.At != nil {
		when = *ch.At
	}
	if c.StatusAt == nil || !when.Before(*c.StatusAt) {
		status := ch.Status
		if status == "" {
			status = ch.Step
		}
		updates["status"], updates["status_at"] = status, when
	}
	return true, callStepFailed(step.Status), tx.Model(&Call{}).Where("id = ?", c.ID).Updates(updates).Error
}
