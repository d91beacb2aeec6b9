package models

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DefaultReadyEvery is how long Ready reuses the answer of its write probe
// unless StoreOptions.ReadyEvery says otherwise.
const DefaultReadyEvery = 2 * time.Second

// readyProbeTimeout bounds one write probe, however long its callers wait.
const readyProbeTimeout = 5 * time.Second

// readiness holds the last answer of the write probe and the probe in
// flight, if any.
type readiness struct {
	mu      sync.Mutex
	checked time.Time // when the last probe finished; zero before the first
	err     error     // what it found
	running chan struct{}
}

// Ready reports whether the store can take deliveries, or why not: the
// database answers (a ping, on every call), its schema is the one this
// build knows, and a write commits (an upsert of the one row of
// readiness_probes). The schema check and the write are a probe whose answer
// is reused for StoreOptions.ReadyEvery; calls that come while it runs wait
// for it, so a stream of calls costs at most one write per interval. The
// error may name the database's user, name and address: it is for the
// server's log, not for whoever asked.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	r := &s.ready
	r.mu.Lock()
	if r.running == nil && (r.checked.IsZero() || time.Since(r.checked) >= s.opts.ReadyEvery) {
		done := make(chan struct{})
		r.running = done
		// The probe is shared, so it runs on its own deadline: a caller
		// that gives up does not fail it for the others.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readyProbeTimeout)
		go func() {
			defer cancel()
			err := s.probeWrite(pctx)
			r.mu.Lock()
			r.checked, r.err, r.running = time.Now(), err, nil
			r.mu.Unlock()
			close(done)
		}()
	}
	running, err := r.running, r.err
	r.mu.Unlock()
	if running == nil {
		return err
	}
	select {
	case <-running:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// probeWrite checks that the schema is current and that a one-row write
// commits. Its statements are not logged: Ready's caller logs the outcome
// once per change rather than once per probe.
func (s *Store) probeWrite(ctx context.Context) error {
	db := s.db.Session(&gorm.Session{NewDB: true, Context: ctx, Logger: s.db.Logger.LogMode(logger.Silent)})
	applied, known, err := SchemaVersion(db)
	if err != nil {
		return fmt.Errorf("schema version unknown: %w", err)
	}
	if applied != known {
		return fmt.Errorf("schema at version %d, this build knows %d", applied, known)
	}
	err = db.Exec(`INSERT INTO readiness_probes (id, checked_at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`, time.Now().UTC()).Error
	if err != nil {
		return fmt.Errorf("write probe failed: %w", err)
	}
	return nil
}
