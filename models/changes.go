package models

import (
	"context"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// Change is one committed ingest transaction in the change feed.
type Change struct {
	Seq       uint64 `gorm:"primaryKey;column:seq"`
	CreatedAt time.Time
	// Meetings lists the changed meetings' ids, stored as a JSON array:
	// an id may hold any byte, a newline included.
	Meetings changedMeetings
	// Others is true when something outside any meeting changed: events
	// of no meeting were stored, or refused deliveries were recorded.
	Others bool
}

// changedMeetings is the meeting ids of a change row, a JSON array in its
// column. Rows written before ids were stored as JSON hold one id per line
// and are read as such.
type changedMeetings []string

// Value stores the ids as a JSON array.
func (m changedMeetings) Value() (driver.Value, error) { return JSONList[string](m).Value() }

// Scan reads a JSON array, or the older one-id-per-line text.
func (m *changedMeetings) Scan(src any) error {
	var text string
	switch v := src.(type) {
	case nil:
	case string:
		text = v
	case []byte:
		text = string(v)
	default:
		return fmt.Errorf("changedMeetings: cannot scan %T", src)
	}
	if strings.HasPrefix(text, "[") {
		return (*JSONList[string])(m).Scan(text)
	}
	*m = nil
	for _, id := range strings.Split(text, "\n") {
		if id != "" {
			*m = append(*m, id)
		}
	}
	return nil
}

// changesChannel is the PostgreSQL NOTIFY channel of the change feed.
const changesChannel = "meetboard_changes"

// changeFeedLock orders change rows by commit (see recordChange).
const changeFeedLock = 7262011

// keepChanges is how long change rows are kept: long enough for an
// instance to catch up after losing its connection for a while.
const keepChanges = 10 * time.Minute

// recordChange appends the batch's change row inside its transaction. On
// PostgreSQL a transaction-scoped advisory lock is taken first, so rows get
// their sequence numbers in commit order and a reader that saw seq N has
// seen every commit before it; the NOTIFY is delivered at commit, once per
// batch. SQLite transactions run one at a time already.
func recordChange(tx *gorm.DB, results []Result, now time.Time) error {
	seen := map[string]bool{}
	var ids []string
	others := false
	for _, r := range results {
		switch {
		case r.Outcome == OutcomeDuplicate:
		case r.MeetingID == "":
			others = true
		case !seen[r.MeetingID]:
			seen[r.MeetingID] = true
			ids = append(ids, r.MeetingID)
		}
	}
	if len(ids) == 0 && !others {
		return nil
	}
	return appendChange(tx, Change{CreatedAt: now, Meetings: ids, Others: others})
}

// appendChange writes one row of the change feed inside tx (see
// recordChange for its lock and NOTIFY). Besides the projector's commits,
// the refusal writer appends a row with Others set and no meetings, so the
// pages that show refused deliveries are rendered again on every instance
// (see refusals.go).
func appendChange(tx *gorm.DB, c Change) error {
	if !isPostgres(tx) {
		return tx.Create(&c).Error
	}
	meetings, err := c.Meetings.Value()
	if err != nil {
		return err
	}
	// One round trip: the lock, the row, and the NOTIFY of its number.
	return tx.Exec(`WITH feed_lock AS (SELECT pg_advisory_xact_lock(?)),
	row AS (INSERT INTO changes (created_at, meetings, others) SELECT ?, ?, ? FROM feed_lock RETURNING seq)
	SELECT pg_notify(?, seq::text) FROM row`, changeFeedLock, c.CreatedAt, meetings, c.Others, changesChannel).Error
}

// Follow calls fn with the meetings changed by every transaction committed
// from now on, by any instance sharing the database, until ctx ends. fn is
// called from one goroutine. On PostgreSQL it listens for the feed's NOTIFY
// on a connection of its own to listenURL, reconnecting with backoff and
// catching up from the last change it saw; it also looks every few seconds
// in case a notification was missed. On SQLite (listenURL empty) the store's
// own commits wake it.
func (s *Store) Follow(ctx context.Context, listenURL string, log *slog.Logger, fn func(meetings []string, others bool)) {
	last, err := s.lastChange(ctx)
	for err != nil && ctx.Err() == nil {
		log.Warn("change feed: waiting for the database", "err", err)
		sleep(ctx, 2*time.Second)
		last, err = s.lastChange(ctx)
	}
	f := &follower{s: s, fn: fn, last: last, log: log}
	if listenURL == "" {
		f.poll(ctx, s.committed, nil)
		return
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, listenURL)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+changesChannel)
		}
		if err != nil {
			log.Warn("change feed: cannot listen, retrying", "err", err, "in", backoff)
			if conn != nil {
				conn.Close(context.Background())
			}
			sleep(ctx, backoff)
			backoff = min(backoff*2, 2*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		notes := make(chan struct{}, 1)
		failed := make(chan error, 1)
		listenCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if _, err := conn.WaitForNotification(listenCtx); err != nil {
					failed <- err
					return
				}
				select {
				case notes <- struct{}{}:
				default:
				}
			}
		}()
		f.poll(listenCtx, notes, failed) // returns when the connection fails or ctx ends
		stop()
		wg.Wait()
		conn.Close(context.Background())
	}
}

// follower reads the change feed in order.
type follower struct {
	s     *Store
	fn    func([]string, bool)
	last  uint64
	log   *slog.Logger
	swept time.Time
}

// poll reads new changes whenever woken, and every few seconds regardless,
// until ctx ends or failed says the listening connection broke.
func (f *follower) poll(ctx context.Context, wake <-chan struct{}, failed <-chan error) {
	tick := time.NewTicker(3 * time.Second)
	defer tick.Stop()
	f.read(ctx) // catch up on what came while not listening
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-failed:
			if ctx.Err() == nil {
				f.log.Warn("change feed: connection lost, reconnecting", "err", err)
			}
			return
		case <-wake:
		case <-tick.C:
		}
		f.read(ctx)
	}
}

// read hands every change after the last one seen to fn, in one call.
func (f *follower) read(ctx context.Context) {
	var rows []Change
	if err := f.s.db.WithContext(ctx).Where("seq > ?", f.last).Order("seq").Limit(10000).Find(&rows).Error; err != nil {
		if ctx.Err() == nil {
			f.log.Warn("change feed: read failed", "err", err)
		}
		return
	}
	if len(rows) > 0 {
		seen := map[string]bool{}
		var meetings []string
		others := false
		for _, c := range rows {
			others = others || c.Others
			for _, m := range c.Meetings {
				if m != "" && !seen[m] {
					seen[m] = true
					meetings = append(meetings, m)
				}
			}
		}
		f.last = rows[len(rows)-1].Seq
		f.fn(meetings, others)
	}
	if time.Since(f.swept) > time.Minute {
		f.swept = time.Now()
		f.s.db.WithContext(ctx).Where("created_at < ?", time.Now().UTC().Add(-keepChanges)).Delete(&Change{})
	}
}

// lastChange is the newest change's sequence number (0 when none).
func (s *Store) lastChange(ctx context.Context) (uint64, error) {
	var last *uint64
	err := s.db.WithContext(ctx).Model(&Change{}).Select("MAX(seq)").Scan(&last).Error
	if err != nil || last == nil {
		return 0, err
	}
	return *last, nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
