package models

import (
	"time"

	"gorm.io/gorm"
)

// BatchCall is an outbound calling campaign.
type BatchCall struct {
	ID          uint   `gorm:"primaryKey" json:"-"`
	Provider    string `json:"provider"`
	BatchID     string `json:"batchId"`
	Name        string `json:"name,omitempty"`
	Lifecycle   `gorm:"embedded"`
	FirstSeenAt time.Time `json:"firstSeenAt"`
	UpdatedAt   time.Time `gorm:"autoUpdateTime:false" json:"updatedAt"`
}

// touch moves the BatchCall row's UpdatedAt forward to at (see touched).
func (b *BatchCall) touch(at time.Time) { b.UpdatedAt = later(b.UpdatedAt, at) }

// Resource is a media composer (recording, HLS or RTMP) acquired for a
// meeting and later released.
type Resource struct {
	ID           uint   `gorm:"primaryKey" json:"-"`
	Provider     string `json:"provider"`
	ResourceID   string `json:"id"`
	ComposerType string `json:"composerType,omitempty"`
	Lifecycle    `gorm:"embedded"`
	FirstSeenAt  time.Time `json:"firstSeenAt"`
	UpdatedAt    time.Time `gorm:"autoUpdateTime:false" json:"updatedAt"`
}

// touch moves the Resource row's UpdatedAt forward to at (see touched).
func (r *Resource) touch(at time.Time) { r.UpdatedAt = later(r.UpdatedAt, at) }

// KnowledgeBase is a knowledge base record being ingested for AI agents.
type KnowledgeBase struct {
	ID              uint   `gorm:"primaryKey" json:"-"`
	Provider        string `json:"provider"`
	KnowledgeBaseID string `json:"id"`
	RecordID        string `json:"recordId,omitempty"`
	MetaData        string `json:"metaData,omitempty"`
	Lifecycle       `gorm:"embedded"`
	FirstSeenAt     time.Time `json:"firstSeenAt"`
	UpdatedAt       time.Time `gorm:"autoUpdateTime:false" json:"updatedAt"`
}

// touch moves the KnowledgeBase row's UpdatedAt forward to at (see touched).
func (k *KnowledgeBase) touch(at time.Time) { k.UpdatedAt = later(k.UpdatedAt, at) }

// applyBatchCall moves a batch call through its lifecycle.
func applyBatchCall(tx *gorm.DB, provider string, ch *BatchCallChange, at time.Time) (bool, error) {
	if ch.BatchID == "" {
		return false, nil
	}
	_, changed, err := upsertRow(tx, BatchCall{Provider: provider, BatchID: ch.BatchID}, []string{"provider", "batch_id"}, at, func(b *BatchCall) {
		fill(&b.Name, ch.Name)
		b.Advance(ch.Stage, at, TimeFromArrival, "")
		fillTime(&b.FirstSeenAt, at)
	})
	return changed, err
}

// applyResource records a composer resource being acquired or released.
func applyResource(tx *gorm.DB, provider string, ch *ResourceChange, at time.Time) (bool, error) {
	if ch.ResourceID == "" {
		return false, nil
	}
	_, changed, err := upsertRow(tx, Resource{Provider: provider, ResourceID: ch.ResourceID}, []string{"provider", "resource_id"}, at, func(r *Resource) {
		fill(&r.ComposerType, ch.ComposerType)
		r.Advance(ch.Stage, at, TimeFromArrival, "")
		fillTime(&r.FirstSeenAt, at)
	})
	return changed, err
}

// applyKnowledgeBase moves a knowledge base record through processing.
func applyKnowledgeBase(tx *gorm.DB, provider string, ch *KnowledgeBaseChange, at time.Time) (bool, error) {
	if ch.KnowledgeBaseID == "" && ch.RecordID == "" {
		return false, nil
	}
	key := KnowledgeBase{Provider: provider, KnowledgeBaseID: ch.KnowledgeBaseID, RecordID: ch.RecordID}
	_, changed, err := upsertRow(tx, key, []string{"provider", "knowledge_base_id", "record_id"}, at, func(k *KnowledgeBase) {
		fill(&k.MetaData, ch.MetaData)
		k.Advance(ch.Stage, at, TimeFromArrival, ch.Message)
		fillTime(&k.FirstSeenAt, at)
	})
	return changed, err
}
