package models

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"gorm.io/gorm"
)

// ingestOne logs one delivery and applies it, inside the batch transaction.
func (s *Store) ingestOne(tx *gorm.DB, p *pending) (Result, error) {
	d, ev := p.d, p.d.Event
	res := Result{Provider: d.Provider, Type: ev.Type, MeetingID: ev.MeetingID}
	if ev.ProviderEventID != "" {
		var prior []uint64
		err := tx.Model(&RawEvent{}).Where("provider = ? AND provider_event_id = ?", d.Provider, ev.ProviderEventID).
			Limit(1).Pluck("id", &prior).Error
		if err != nil {
			return res, err
		}
		if len(prior) > 0 {
			res.EventID, res.Outcome = prior[0], OutcomeDuplicate
			return res, nil
		}
	}
	sum := sha256.Sum256(d.Body)
	raw := RawEvent{
		Provider:   d.Provider,
		Type:       ev.Type,
		ReceivedAt: d.ReceivedAt,
		MeetingID:  ev.MeetingID,
		SessionID:  ev.SessionID,
		Hash:       hex.EncodeToString(sum[:]),
		Body:       d.Body,
	}
	if ev.ProviderEventID != "" {
		raw.ProviderEventID = &ev.ProviderEventID
	}
	var repeats []uint64
	err := tx.Model(&RawEvent{}).Where("hash = ? AND received_at >= ?", raw.Hash, d.ReceivedAt.Add(-s.opts.RepeatWindow)).
		Limit(1).Pluck("id", &repeats).Error
	if err != nil {
		return res, err
	}
	raw.Repeat = len(repeats) > 0
	raw.Detail = strings.Join(ev.Problems, "; ")

	switch {
	case p.rawOnly != nil:
		raw.Outcome = OutcomeError
		raw.Detail = strings.TrimPrefix(raw.Detail+"; ", "; ") + "apply failed: " + p.rawOnly.Error()
	case !ev.HasChange():
		raw.Outcome = OutcomeStored
	default:
		changed, err := apply(tx, d)
		if err != nil {
			return res, &applyError{p: p, err: err}
		}
		raw.Outcome = OutcomeNoChange
		if changed {
			raw.Outcome = OutcomeApplied
		}
	}
	if err := tx.Create(&raw).Error; err != nil {
		return res, err
	}
	res.EventID, res.Outcome, res.Repeat = raw.ID, raw.Outcome, raw.Repeat
	return res, nil
}

// HasChange reports whether the event carries anything to apply to the
// models.
func (e Event) HasChange() bool {
	return e.Session != nil || e.Participant != nil || e.Recording != nil || e.Stream != nil ||
		e.Transcription != nil || e.Call != nil || e.Agent != nil || e.BatchCall != nil ||
		e.Resource != nil || e.KnowledgeBase != nil
}
