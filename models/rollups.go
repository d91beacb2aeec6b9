package models

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Rollups are the numbers behind the charts, kept as events land so that a
// chart never reads the event log: one row per bucket of time, series and
// label (migration 0020). Every number is kept in buckets of a minute, five
// minutes and an hour, so each chart range reads a few hundred buckets of
// one width whatever the history.
//
// Counters are added to in the transaction that does what they count, so
// each thing is counted exactly once across crashes: the projector's pass
// counts the deliveries it applies (by provider and outcome) and the jobs
// it fails (by kind), with its position; the event log's committers count
// the deliveries they answer as duplicates, which get no log row. A rebuild
// leaves the rollups alone: they record what the dashboard saw when it saw
// it, and the events a rebuild applies again are not counted again (see
// rollup_position). Gauges are sampled once a minute (see SampleGauges).
//
// Rollups older than KeepRollups are pruned (see PruneRollups).

// The series of the rollups.
const (
	// SeriesRooms is a gauge: the rooms live (live sessions not gone
	// stale), sampled once a minute.
	SeriesRooms = "rooms"
	// SeriesPeople is a gauge: the people in those rooms.
	SeriesPeople = "people"
	// SeriesDeliveries counts webhook deliveries, labelled provider/outcome
	// (see DeliveryLabel).
	SeriesDeliveries = "deliveries"
	// SeriesFailures counts failures, labelled by kind (Failed*).
	SeriesFailures = "failures"
)

// The kinds of failure SeriesFailures counts, as the problems view counts
// them (problems.go): a recording, stream or transcription is counted when
// it moves to failed, a call when a step whose status is a failure comes.
const (
	FailedRecording     = "recording"
	FailedStream        = "stream"
	FailedTranscription = "transcription"
	FailedCall          = "call"
)

// FailureKinds lists the kinds of failure in the order the charts show them.
func FailureKinds() []string {
	return []string{FailedRecording, FailedStream, FailedTranscription, FailedCall}
}

// DeliveryLabel is the label of the deliveries of a provider with an
// outcome: "daily/applied". The outcomes are those of the event log
// (applied, no-change, stored, error) and duplicate, a delivery answered as
// one already logged.
func DeliveryLabel(provider, outcome string) string { return provider + "/" + outcome }

// SplitDeliveryLabel is the provider and outcome of a DeliveryLabel.
func SplitDeliveryLabel(label string) (provider, outcome string) {
	provider, outcome, _ = strings.Cut(label, "/")
	return provider, outcome
}

// KeepRollups is how long rollups are kept: the longest chart range, a
// week, and a day to spare.
const KeepRollups = 8 * 24 * time.Hour

// rollupWidths are the bucket lengths, in seconds, every number is kept in.
func rollupWidths() []int64 { return []int64{60, 300, 3600} }

// rollupKey names one row of the rollups.
type rollupKey struct {
	width, bucket int64
	series, label string
}

// tally gathers counts in memory, by minute, series and label, so that a
// whole batch is written in one statement (see write).
type tally map[rollupKey]int64

// add counts n of a series and label in the minute at is in.
func (t tally) add(at time.Time, series, label string, n int64) {
	t[rollupKey{60, floorTo(at.Unix(), 60), series, label}] += n
}

// floorTo is the start of the bucket of width w that unix seconds fall in.
func floorTo(unix, w int64) int64 {
	r := unix % w
	if r < 0 {
		r += w
	}
	return unix - r
}

// write adds the tally to the rollups in every width, in one multi-row
// upsert per 200 rows (one for any batch of a few minutes). Minutes older
// than KeepRollups before now are left out: they would be pruned. Rows are
// written in key order, so two transactions adding to the same rows lock
// them in one order.
func (t tally) write(tx *gorm.DB, now time.Time) error {
	oldest := now.Add(-KeepRollups).Unix()
	sums := map[rollupKey]int64{}
	for k, n := range t {
		if k.bucket < oldest || n == 0 {
			continue
		}
		for _, w := range rollupWidths() {
			sums[rollupKey{w, floorTo(k.bucket, w), k.series, k.label}] += n
		}
	}
	keys := make([]rollupKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKeys)
	for chunk := range slices.Chunk(keys, 200) {
		var sql strings.Builder
		sql.WriteString("INSERT INTO rollups (width, bucket, series, label, value) VALUES ")
		args := make([]any, 0, 5*len(chunk))
		for i, k := range chunk {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString("(?, ?, ?, ?, ?)")
			args = append(args, k.width, k.bucket, k.series, k.label, sums[k])
		}
		sql.WriteString(" ON CONFLICT (width, bucket, series, label) DO UPDATE SET value = rollups.value + excluded.value")
		if err := tx.Exec(sql.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

func compareKeys(a, b rollupKey) int {
	return cmp.Or(cmp.Compare(a.width, b.width), cmp.Compare(a.bucket, b.bucket),
		cmp.Compare(a.series, b.series), cmp.Compare(a.label, b.label))
}

// rollupPosition is how far the counters have counted the log, in the
// projector's order.
type rollupPosition struct {
	Xid     int64
	EventID uint64
}

// counted reports whether the log row r is at or before the position:
// counted already.
func (p rollupPosition) counted(r logRow) bool {
	xid, _ := strconv.ParseInt(r.Xid, 10, 64)
	return xid < p.Xid || xid == p.Xid && r.ID <= p.EventID
}

// countApplied adds a projector pass's deliveries, by provider and outcome,
// and the failures its events caused, by kind, to the rollups, in the
// pass's transaction, and moves the rollups' position past them: a handful
// of statements per pass, however many events. Rows at or before the
// position were counted by an earlier pass (a rebuild applies them again)
// and are not counted again.
func countApplied(tx *gorm.DB, rows []logRow, results []Result, now time.Time) error {
	var pos rollupPosition
	if err := tx.Raw("SELECT xid, event_id FROM rollup_position WHERE id = 1").Scan(&pos).Error; err != nil {
		return err
	}
	t := tally{}
	var last *logRow
	for i := range rows {
		if pos.counted(rows[i]) {
			continue
		}
		r := rows[i]
		t.add(r.ReceivedAt, SeriesDeliveries, DeliveryLabel(r.Provider, results[i].Outcome), 1)
		if k := results[i].failure; k != "" {
			t.add(r.ReceivedAt, SeriesFailures, k, 1)
		}
		last = &rows[i]
	}
	if last == nil {
		return nil
	}
	if err := t.write(tx, now); err != nil {
		return err
	}
	xid, _ := strconv.ParseInt(last.Xid, 10, 64)
	return tx.Exec("UPDATE rollup_position SET xid = ?, event_id = ? WHERE id = 1", xid, last.ID).Error
}

// countDuplicates counts, in the event log's transaction, the deliveries
// of a batch answered as duplicates: they get no log row, so the projector
// never sees them.
//
// Deliveries refused before the log (a bad signature, too large, limited)
// are counted as OutcomeRefused by the refusals' writer, in the
// transaction that records them (see flushRefusals).
func countDuplicates(tx *gorm.DB, batch []*pending, results []Result) error {
	t := tally{}
	for i, p := range batch {
		if results[i].Outcome == OutcomeDuplicate {
			t.add(p.d.ReceivedAt, SeriesDeliveries, DeliveryLabel(p.d.Provider, OutcomeDuplicate), 1)
		}
	}
	if len(t) == 0 {
		return nil
	}
	return t.write(tx, time.Now())
}

// callStepFailed reports whether a call step's status is a failure, as
// sqlCallStepFailed says it in SQL.
func callStepFailed(status string) bool {
	switch status {
	case "error", "notenabled", "SWITCH_ROOM_FAILED", "TRANSFER_FAILED":
		return true
	}
	return false
}
