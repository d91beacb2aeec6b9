package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// GaugeCap bounds the gauges' count queries: a gauge past it is recorded
// as GaugeCap + 1, and its query reads no more rows.
const GaugeCap = 100000

// sampleEvery is how often KeepRollups looks whether the minute's gauges
// are sampled; pruneRollupsEvery how often it prunes.
const (
	sampleEvery       = 10 * time.Second
	pruneRollupsEvery = 10 * time.Minute
)

// KeepRollups samples the gauges once a minute (see SampleGauges) and
// prunes the rollups older than KeepRollups every few minutes, until ctx
// ends. The server runs it beside the store; every instance does, and the
// first to reach a minute samples it.
func (s *Store) KeepRollups(ctx context.Context) {
	tick := time.NewTicker(sampleEvery)
	defer tick.Stop()
	var sampled int64 // the last minute this instance found sampled
	var pruned time.Time
	for {
		now := time.Now()
		if minute := floorTo(now.Unix(), 60); minute != sampled {
			if _, err := s.SampleGauges(ctx, now); err != nil {
				if ctx.Err() == nil {
					s.opts.Logger.Warn("charts: sampling rooms and people failed; will retry", "err", err)
				}
			} else {
				sampled = minute
			}
		}
		if time.Since(pruned) >= pruneRollupsEvery {
			if _, err := s.PruneRollups(ctx, now.Add(-KeepRollups)); err != nil {
				if ctx.Err() == nil {
					s.opts.Logger.Warn("charts: pruning old rollups failed; will retry", "err", err)
				}
			} else {
				pruned = time.Now()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.closing:
			return
		case <-tick.C:
		}
	}
}

// SampleGauges records, for the minute now is in, how many rooms are live
// (live sessions not gone stale, as the live-rooms board counts them) and
// how many people are in them, unless the minute is sampled already; it
// reports whether this call recorded them. Instances sharing a database
// race for it: the minute's rows are inserted with ON CONFLICT DO NOTHING,
// and only the winner adds its sample to the wider buckets, which keep
// their minutes' highest. Both counts are bounded by GaugeCap. While a
// rebuild is being applied the models are incomplete, so nothing is
// sampled and the charts show a gap.
func (s *Store) SampleGauges(ctx context.Context, now time.Time) (bool, error) {
	minute := floorTo(now.Unix(), 60)
	db := s.db.WithContext(ctx)
	var done []int64
	if err := db.Raw("SELECT value FROM rollups WHERE width = 60 AND bucket = ? AND series = ? AND label = ''",
		minute, SeriesRooms).Scan(&done).Error; err != nil || len(done) > 0 {
		return false, err
	}
	var rebuilding bool
	if err := db.Raw(`SELECT EXISTS (SELECT 1` + waitingRows + ` AND r.id <= p.rebuild_until)`).Scan(&rebuilding).Error; err != nil || rebuilding {
		return false, err
	}
	cutoff := s.staleCutoff()
	rooms, err := countCapped(db, db.Table("sessions").Where(sqlSessionLive+" AND sessions.last_event_at >= ?", cutoff))
	if err != nil {
		return false, err
	}
	people, err := countCapped(db, db.Table("participants").
		Joins("JOIN sessions ON sessions.meeting_ref = participants.meeting_ref AND sessions.session_id = participants.session_id").
		Where("participants.present AND "+sqlSessionLive+" AND sessions.last_event_at >= ?", cutoff))
	if err != nil {
		return false, err
	}
	sampled := false
	err = s.writeTx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO rollups (width, bucket, series, label, value) VALUES (60, ?, ?, '', ?), (60, ?, ?, '', ?)
			ON CONFLICT (width, bucket, series, label) DO NOTHING`, minute, SeriesRooms, rooms, minute, SeriesPeople, people)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // another instance sampled this minute
		}
		sampled = true
		highest := "MAX"
		if isPostgres(tx) {
			highest = "GREATEST"
		}
		var args []any
		for _, w := range rollupWidths()[1:] {
			args = append(args, w, floorTo(minute, w), SeriesRooms, rooms, w, floorTo(minute, w), SeriesPeople, people)
		}
		return tx.Exec(`INSERT INTO rollups (width, bucket, series, label, value) VALUES (?, ?, ?, '', ?), (?, ?, ?, '', ?), (?, ?, ?, '', ?), (?, ?, ?, '', ?)
			ON CONFLICT (width, bucket, series, label) DO UPDATE SET value = `+highest+`(rollups.value, excluded.value)`, args...).Error
	})
	return sampled && err == nil, err
}

// countCapped counts the rows of q up to GaugeCap + 1.
func countCapped(db, q *gorm.DB) (int64, error) {
	var n int64
	err := db.Table("(?) AS counted", q.Select("1").Limit(GaugeCap+1)).Count(&n).Error
	return n, err
}

// pruneRollupsBatch is how many rollup rows one transaction of PruneRollups
// deletes.
const pruneRollupsBatch = 1000

// PruneRollups deletes the rollups of buckets that start before cutoff, in
// transactions of pruneRollupsBatch rows, and returns how many it deleted.
func (s *Store) PruneRollups(ctx context.Context, cutoff time.Time) (int, error) {
	total := 0
	for _, w := range rollupWidths() {
		for {
			var n int64
			err := s.writeTx(ctx, func(tx *gorm.DB) error {
				res := tx.Exec(`DELETE FROM rollups WHERE (width, bucket, series, label) IN
					(SELECT width, bucket, series, label FROM rollups WHERE width = ? AND bucket < ? ORDER BY bucket LIMIT ?)`,
					w, cutoff.Unix(), pruneRollupsBatch)
				n = res.RowsAffected
				return res.Error
			})
			total += int(n)
			if err != nil {
				return total, err
			}
			if n < pruneRollupsBatch {
				break
			}
			select {
			case <-ctx.Done():
				return total, ctx.Err()
			case <-s.closing:
				return total, nil
			case <-time.After(prunePause):
			}
		}
	}
	return total, nil
}
