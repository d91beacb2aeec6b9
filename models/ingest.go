package models

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"gorm.io/gorm"
)

// logBatch writes the deliveries of a batch to the event log, inside its
// transaction, with a fixed number of statements whatever the batch's size:
// one to find earlier deliveries of the same provider event ids, one for
// repeated bodies, and one multi-row insert. Nothing is applied here: the
// projector folds the log into the models behind the answers.
func (s *Store) logBatch(tx *gorm.DB, batch []*pending) ([]Result, error) {
	results := make([]Result, len(batch))
	raws := make([]RawEvent, 0, len(batch))
	logged := make([]int, len(batch)) // index in raws, or -1 for a duplicate
	firstOf := map[[2]string]int{}    // provider and event id: first delivery
	if err := lockEventIDs(tx, batch); err != nil {
		return nil, err
	}
	prior, err := s.priorEvents(tx, batch)
	if err != nil {
		return nil, err
	}
	for i, p := range batch {
		d, ev := p.d, p.d.Event
		results[i] = Result{Provider: d.Provider, Type: ev.Type, MeetingID: ev.MeetingID, Outcome: OutcomeAccepted}
		logged[i] = -1
		if ev.ProviderEventID != "" {
			k := [2]string{d.Provider, ev.ProviderEventID}
			if id, ok := prior[k]; ok {
				results[i].EventID, results[i].Outcome = id, OutcomeDuplicate
				continue
			}
			if j, ok := firstOf[k]; ok {
				results[i].Outcome, logged[i] = OutcomeDuplicate, logged[j]
				continue
			}
			firstOf[k] = i
		}
		logged[i] = len(raws)
		raws = append(raws, newRawEvent(d))
	}
	if err := s.markRepeats(tx, raws); err != nil {
		return nil, err
	}
	if len(raws) > 0 {
		if err := tx.CreateInBatches(raws, writeBatchSize).Error; err != nil {
			return nil, err
		}
	}
	for i := range batch {
		if logged[i] < 0 {
			continue
		}
		raw := raws[logged[i]]
		results[i].EventID = raw.ID
		if results[i].Outcome != OutcomeDuplicate {
			results[i].Repeat = raw.Repeat
		}
	}
	return results, countDuplicates(tx, batch, results)
}

// newRawEvent is the event log row of a delivery.
func newRawEvent(d Delivery) RawEvent {
	ev := d.Event
	sum := sha256.Sum256(d.Body)
	raw := RawEvent{
		Provider:   d.Provider,
		Type:       ev.Type,
		ReceivedAt: d.ReceivedAt,
		MeetingID:  ev.MeetingID,
		SessionID:  ev.SessionID,
		Hash:       hex.EncodeToString(sum[:]),
		Body:       d.Body,
		Detail:     strings.Join(ev.Problems, "; "),
	}
	if ev.ProviderEventID != "" {
		id := ev.ProviderEventID
		raw.ProviderEventID = &id
	}
	return raw
}

// eventIDLock is the first key of the advisory locks logBatch takes on
// provider event ids (the second is a hash of the provider and the id).
const eventIDLock = 7262013

// lockEventIDs takes, on PostgreSQL, a lock for each provider event id of
// the batch until its transaction ends, so two committers (of one instance
// or several) logging the same provider event take turns, and the second
// finds the first's row: the partitioned log has no unique index to stop
// it (see migration 0013). Locks are taken in hash order, so committers
// never wait on each other in a circle. SQLite has one writer.
func lockEventIDs(tx *gorm.DB, batch []*pending) error {
	if !isPostgres(tx) {
		return nil
	}
	var keys []any
	for _, p := range batch {
		if id := p.d.Event.ProviderEventID; id != "" {
			keys = append(keys, p.d.Provider+":"+id)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	values := strings.TrimSuffix(strings.Repeat("(?::text),", len(keys)), ",")
	return tx.Exec(`SELECT pg_advisory_xact_lock(?, h) FROM (SELECT DISTINCT hashtext(k) AS h FROM (VALUES `+values+`) AS ids(k) ORDER BY h) AS locks`,
		append([]any{eventIDLock}, keys...)...).Error
}

// priorEvents finds the logged deliveries that carried the provider event
// ids of the batch, by provider and id.
func (s *Store) priorEvents(tx *gorm.DB, batch []*pending) (map[[2]string]uint64, error) {
	var tuples [][]any
	for _, p := range batch {
		if id := p.d.Event.ProviderEventID; id != "" {
			tuples = append(tuples, []any{p.d.Provider, id})
		}
	}
	out := map[[2]string]uint64{}
	if len(tuples) == 0 {
		return out, nil
	}
	var found []RawEvent
	err := tx.Select("id", "provider", "provider_event_id").Where("(provider, provider_event_id) IN ?", tuples).Find(&found).Error
	for _, r := range found {
		if r.ProviderEventID != nil {
			out[[2]string{r.Provider, *r.ProviderEventID}] = r.ID
		}
	}
	return out, err
}

// markRepeats marks the deliveries whose body was logged within the repeat
// window before the batch's first one, or earlier in the batch.
func (s *Store) markRepeats(tx *gorm.DB, raws []RawEvent) error {
	if len(raws) == 0 {
		return nil
	}
	hashes := make([]string, len(raws))
	since := raws[0].ReceivedAt
	for i, r := range raws {
		hashes[i] = r.Hash
		if r.ReceivedAt.Before(since) {
			since = r.ReceivedAt
		}
	}
	var seen []string
	err := tx.Model(&RawEvent{}).Distinct("hash").Where("hash IN ? AND received_at >= ?", uniq(hashes), since.Add(-s.opts.RepeatWindow)).
		Pluck("hash", &seen).Error
	if err != nil {
		return err
	}
	known := make(map[string]bool, len(seen)+len(raws))
	for _, h := range seen {
		known[h] = true
	}
	for i := range raws {
		raws[i].Repeat = known[raws[i].Hash]
		known[raws[i].Hash] = true
	}
	return nil
}

// HasChange reports whether the event carries anything to apply to the
// models.
func (e Event) HasChange() bool {
	return e.Session != nil || e.Participant != nil || e.Recording != nil || e.Stream != nil ||
		e.Transcription != nil || e.Call != nil || e.Agent != nil || e.BatchCall != nil ||
		e.Resource != nil || e.KnowledgeBase != nil
}
