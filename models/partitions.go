package models

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Partitions: on PostgreSQL the event log (raw_events) and the outcomes
// of its events (event_outcomes) are partitioned by arrival time, one
// partition a day (a week when the log is kept for more than a year or
// for ever), named for the day it starts: raw_events_20261203 and
// event_outcomes_20261203. The store keeps partitionsAhead of them ready
// beyond today, so every delivery lands in its own day's partition, and
// retention drops the partitions older than the cutoff whole instead of
// deleting rows (see Prune). Two partitions of each table are special:
// "_legacy" holds what was logged before the log was partitioned, and
// "_default" whatever falls outside every partition (an arrival time from
// a clock far off); retention deletes their old rows in batches, as on
// SQLite, and a new partition takes over the default's rows of its range.
const (
	partitionsAhead = 3
	partitionLock   = 7262014
)

// partitionedTables are the tables partitioned by arrival, in the order
// their partitions are created and dropped.
var partitionedTables = []string{"raw_events", "event_outcomes"}

// logPartition is one range partition of raw_events. Its event_outcomes
// partition has the same suffix.
type logPartition struct {
	Suffix   string // "20261203", or "legacy"
	From, To time.Time
}

// partitionWidth is how much time one partition holds.
func partitionWidth(retention time.Duration) time.Duration {
	if retention > 0 && retention <= 366*24*time.Hour {
		return 24 * time.Hour
	}
	return 7 * 24 * time.Hour
}

// boundRE reads a partition's bounds from pg_get_expr: FOR VALUES FROM
// (MINVALUE) TO ('2026-12-04 00:00:00+00'), with the session in UTC.
var boundRE = regexp.MustCompile(`FROM \((MINVALUE|'[^']*')\) TO \('([^']*)'\)`)

// listPartitions returns raw_events' range partitions, oldest first.
func listPartitions(tx *gorm.DB) ([]logPartition, error) {
	if err := tx.Exec("SET LOCAL TimeZone = 'UTC'").Error; err != nil {
		return nil, err
	}
	var rows []struct {
		Name  string
		Bound string
	}
	err := tx.Raw(`SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'raw_events'::regclass`).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	var out []logPartition
	for _, r := range rows {
		m := boundRE.FindStringSubmatch(r.Bound)
		if m == nil {
			continue // the default partition
		}
		p := logPartition{Suffix: strings.TrimPrefix(r.Name, "raw_events_")}
		if m[1] != "MINVALUE" {
			if p.From, err = parseBound(strings.Trim(m[1], "'")); err != nil {
				return nil, fmt.Errorf("partition %s: %w", r.Name, err)
			}
		}
		if p.To, err = parseBound(m[2]); err != nil {
			return nil, fmt.Errorf("partition %s: %w", r.Name, err)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].To.Before(out[j].To) })
	return out, nil
}

// parseBound reads a timestamptz as PostgreSQL prints it in UTC.
func parseBound(s string) (time.Time, error) {
	return time.Parse("2006-01-02 15:04:05.999999-07", s)
}

// EnsurePartitions creates, on PostgreSQL, the partitions of the event log
// from the newest one's end until partitionsAhead widths past now. The
// store calls it when it opens and every pruneEvery; instances take turns.
func (s *Store) EnsurePartitions(ctx context.Context, now time.Time) error {
	if !isPostgres(s.db) {
		return nil
	}
	width := partitionWidth(s.opts.Retention)
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", partitionLock).Error; err != nil {
			return err
		}
		parts, err := listPartitions(tx)
		if err != nil {
			return err
		}
		end := now.UTC().Truncate(24 * time.Hour)
		if len(parts) > 0 {
			end = parts[len(parts)-1].To
		}
		stray, err := lockForStrays(tx)
		if err != nil {
			return err
		}
		for until := now.UTC().Add(partitionsAhead * width); end.Before(until); {
			next := end.Truncate(24 * time.Hour).Add(width)
			if err := createPartition(tx, end, next, stray); err != nil {
				return err
			}
			end = next
		}
		return nil
	})
}

// lockForStrays reports whether the default partitions hold rows, and if
// they do locks both tables against every reader and writer until the
// transaction ends, before anything else is attached: the rows will move
// into the partitions made for them, and a query planned before a new
// partition was attached and run after the move would miss them (the
// projector would pass over them for good). Taken first, the lock waits
// for the transactions under way and holds nothing they wait for. Without
// such rows, attaching a partition blocks nobody for long.
func lockForStrays(tx *gorm.DB) (bool, error) {
	var stray bool
	if err := tx.Raw("SELECT EXISTS (SELECT 1 FROM raw_events_default) OR EXISTS (SELECT 1 FROM event_outcomes_default)").Scan(&stray).Error; err != nil || !stray {
		return false, err
	}
	return true, tx.Exec("LOCK TABLE " + strings.Join(partitionedTables, ", ") + " IN ACCESS EXCLUSIVE MODE").Error
}

// createPartition adds the partitions of [from, to) to both tables; with
// stray, moving into them the rows of that range that landed in the
// default partitions (see lockForStrays).
func createPartition(tx *gorm.DB, from, to time.Time, stray bool) error {
	suffix := from.UTC().Format("20060102")
	lo, hi := from.UTC().Format(time.RFC3339Nano), to.UTC().Format(time.RFC3339Nano)
	for _, table := range partitionedTables {
		name := table + "_" + suffix
		stmts := []string{fmt.Sprintf("CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS)", name, table)}
		if stray {
			stmts = append(stmts, fmt.Sprintf("WITH moved AS (DELETE FROM %[1]s_default WHERE received_at >= '%[2]s' AND received_at < '%[3]s' RETURNING *) INSERT INTO %[4]s SELECT * FROM moved",
				table, lo, hi, name))
		}
		stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM ('%s') TO ('%s')", table, name, lo, hi))
		for _, q := range stmts {
			if err := tx.Exec(q).Error; err != nil {
				return fmt.Errorf("partition %s: %w", name, err)
			}
		}
	}
	return nil
}

// dropPartitions drops, oldest first, the partitions whose every event
// arrived before cutoff and has been applied, and returns how many
// events went with them. A drop waits at most a few seconds for the
// transactions writing the log (it locks the tables briefly); one that
// cannot is tried again on the next round.
func (s *Store) dropPartitions(ctx context.Context, cutoff time.Time) (int, error) {
	total := 0
	for {
		n, dropped, err := s.dropOldest(ctx, cutoff)
		total += n
		if err != nil || !dropped {
			return total, err
		}
	}
}

// dropOldest drops the oldest partition if it may go.
func (s *Store) dropOldest(ctx context.Context, cutoff time.Time) (n int, dropped bool, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", partitionLock).Error; err != nil {
			return err
		}
		parts, err := listPartitions(tx)
		if err != nil {
			return err
		}
		if len(parts) < 2 || parts[0].To.After(cutoff) {
			return nil // the newest partition always stays: new ones follow its end
		}
		p := parts[0]
		var waiting bool
		if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM raw_events_` + p.Suffix + ` r, projector_position pp
			WHERE pp.id = 1 AND (r.xid, r.id) > (pp.xid, pp.event_id))`).Scan(&waiting).Error; err != nil {
			return err
		}
		if waiting {
			return nil
		}
		var count int64
		if err := tx.Table("raw_events_" + p.Suffix).Count(&count).Error; err != nil {
			return err
		}
		if err := tx.Exec("SET LOCAL lock_timeout = '5s'").Error; err != nil {
			return err
		}
		for _, table := range partitionedTables {
			if err := tx.Exec("DROP TABLE IF EXISTS " + table + "_" + p.Suffix).Error; err != nil {
				return err
			}
		}
		n, dropped = int(count), true
		return tx.Exec("UPDATE projector_position SET pruned_before = ? WHERE id = 1 AND (pruned_before IS NULL OR pruned_before < ?)",
			p.To, p.To).Error
	})
	if err != nil {
		return 0, false, err
	}
	return n, dropped, nil
}
