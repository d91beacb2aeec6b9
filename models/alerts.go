package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Alerts: a problem of a kind the operator chose is raised as an alert
// once (its dedupe key is the problem's kind and row), kept with its
// delivery to the configured URL: pending until sent, retried with backoff,
// sent, or given up after maxAlertAttempts. Alerts are read from the
// problems view (Problems), not on the webhook path: raising them costs a
// few indexed reads every few seconds, whatever the rate of webhooks.

// The delivery states of an alert.
const (
	AlertPending = "pending"  // to be sent, at NextAttemptAt
	AlertSent    = "sent"     // the URL took it
	AlertFailed  = "failed"   // given up after maxAlertAttempts
	AlertUnsent  = "not sent" // raised while no URL was configured
)

// maxAlertAttempts is how many times an alert's delivery is tried.
const maxAlertAttempts = 12

// Alert is one raised problem and its delivery.
type Alert struct {
	ID         uint64      `json:"id"`
	Kind       ProblemKind `json:"kind"`
	DedupeKey  string      `json:"-"`
	Provider   string      `json:"provider"`
	MeetingID  string      `json:"meetingId,omitempty"`
	What       string      `json:"what"`
	Reason     string      `json:"reason"`
	Link       string      `json:"link,omitempty"`
	HappenedAt time.Time   `json:"at"`
	CreatedAt  time.Time   `json:"raisedAt"`
	// Status is AlertPending, AlertSent, AlertFailed or AlertUnsent.
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"-"`
	LastError     string     `json:"lastError,omitempty"`
	SentAt        *time.Time `json:"sentAt,omitempty"`
}

// TableName is alerts.
func (Alert) TableName() string { return "alerts" }

// AlertKinds are the kinds of problem that can raise an alert: every kind
// of the problems view.
func AlertKinds() []ProblemKind {
	var out []ProblemKind
	for _, src := range problemSources() {
		out = append(out, src.kind)
	}
	return out
}

// dedupeKey names the problem an alert is raised for: its kind and row;
// for a stale room the moment it turned stale too, so a room that wakes
// and falls silent again alerts again; for refused deliveries the
// provider and the kind of refusal with the hour, so each alerts at most
// once an hour.
func dedupeKey(p Problem) string {
	key := string(p.Kind) + ":" + strconv.FormatUint(p.Ref, 10)
	switch p.Kind {
	case ProblemStaleRoom:
		key += ":" + strconv.FormatInt(p.At.Unix(), 10)
	case ProblemRefused:
		key += ":" + p.Provider + ":" + p.What
	}
	return key
}

// maxRaise bounds the problems one RaiseAlerts call reads.
const maxRaise = 4 * MaxPageSize

// RaiseAlerts raises an alert for each problem of the given kinds since
// since (at most maxRaise problems), once: a problem already raised is
// skipped. With deliver false they are recorded as AlertUnsent. It returns
// how many were new, and tells the pages when there were.
func (s *Store) RaiseAlerts(ctx context.Context, kinds []ProblemKind, since time.Time, deliver bool) (int, error) {
	if len(kinds) == 0 {
		return 0, nil
	}
	want := map[ProblemKind]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	now := time.Now().UTC()
	status := AlertUnsent
	if deliver {
		status = AlertPending
	}
	var rows []Alert
	f := ProblemFilter{Since: since, Limit: MaxPageSize}
	for read := 0; read < maxRaise; {
		page, err := s.Problems(ctx, f)
		if err != nil {
			return 0, err
		}
		for _, p := range page {
			if want[p.Kind] {
				rows = append(rows, Alert{Kind: p.Kind, DedupeKey: dedupeKey(p), Provider: p.Provider, MeetingID: p.MeetingID,
					What: p.What, Reason: p.Reason, Link: p.Link, HappenedAt: p.At.UTC(), CreatedAt: now, Status: status, NextAttemptAt: now})
			}
		}
		read += len(page)
		if len(page) < f.Limit {
			break
		}
		c := page[len(page)-1].Cursor()
		f.Before = &c
	}
	if len(rows) == 0 {
		return 0, nil
	}
	var n int64
	err := s.writeTx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}).
			CreateInBatches(rows, writeBatchSize)
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		if n == 0 {
			return nil
		}
		return tx.Create(&Change{CreatedAt: now, Others: true}).Error
	})
	if err == nil && n > 0 {
		poke(s.committed)
	}
	return int(n), err
}

// ClaimAlerts takes up to limit pending alerts that are due, oldest
// first, and moves their next attempt lease ahead, so no other instance
// sends them meanwhile. The caller sends them and calls FinishAlerts.
func (s *Store) ClaimAlerts(ctx context.Context, limit int, lease time.Duration) ([]Alert, error) {
	now := time.Now().UTC()
	lock := ""
	if isPostgres(s.db) {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []Alert
	err := s.writeTx(ctx, func(tx *gorm.DB) error {
		return tx.Raw(`UPDATE alerts SET next_attempt_at = ? WHERE id IN (
			SELECT id FROM alerts WHERE status = ? AND next_attempt_at <= ? ORDER BY id LIMIT ?`+lock+`) RETURNING *`,
			now.Add(lease), AlertPending, now, limit).Scan(&out).Error
	})
	return out, err
}

// FinishAlerts records how sending claimed alerts went: sent, or failed
// with sendErr and tried again after a backoff (doubling from 5 s, at most
// 10 minutes), until maxAlertAttempts.
func (s *Store) FinishAlerts(ctx context.Context, alerts []Alert, sendErr error) error {
	if len(alerts) == 0 {
		return nil
	}
	now := time.Now().UTC()
	ids := make([]uint64, len(alerts))
	tries := 0
	for i, a := range alerts {
		ids[i] = a.ID
		tries = max(tries, a.Attempts+1)
	}
	return s.writeTx(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&Alert{}).Where("id IN ? AND status = ?", ids, AlertPending)
		var err error
		if sendErr == nil {
			err = q.Updates(map[string]any{"status": AlertSent, "sent_at": now, "attempts": gorm.Expr("attempts + 1"), "last_error": ""}).Error
		} else {
			status := AlertPending
			if tries >= maxAlertAttempts {
				status = AlertFailed
			}
			msg := sendErr.Error()
			if len(msg) > 500 {
				msg = msg[:500]
			}
			err = q.Updates(map[string]any{"status": status, "attempts": gorm.Expr("attempts + 1"), "last_error": strings.ToValidUTF8(msg, "?"),
				"next_attempt_at": now.Add(alertBackoff(tries))}).Error
		}
		if err != nil {
			return err
		}
		return tx.Create(&Change{CreatedAt: now, Others: true}).Error
	})
}

// alertBackoff is the wait after the given number of failed attempts.
func alertBackoff(tries int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < tries && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}

// AlertFilter selects alerts: newest first before BeforeID, or, with
// AfterID, the ones raised after it, oldest first (what a browser polling
// for new alerts asks).
type AlertFilter struct {
	BeforeID uint64
	AfterID  uint64
	Limit    int
}

// ListAlerts returns alerts as the filter says, at most f.Limit (50 by
// default, at most MaxPageSize).
func (s *Store) ListAlerts(ctx context.Context, f AlertFilter) ([]Alert, error) {
	q := s.db.WithContext(ctx).Limit(pageSize(f.Limit))
	switch {
	case f.AfterID > 0:
		q = q.Where("id > ?", f.AfterID).Order("id")
	case f.BeforeID > 0:
		q = q.Where("id < ?", f.BeforeID).Order("id DESC")
	default:
		q = q.Order("id DESC")
	}
	out := []Alert{}
	err := q.Find(&out).Error
	return out, err
}

// LastAlertID is the newest alert's id, 0 for none.
func (s *Store) LastAlertID(ctx context.Context) (uint64, error) {
	var id []uint64
	err := s.db.WithContext(ctx).Model(&Alert{}).Select("COALESCE(MAX(id), 0)").Scan(&id).Error
	if err != nil || len(id) == 0 {
		return 0, err
	}
	return id[0], nil
}

// PruneAlerts removes alerts raised before cutoff, in batches, and returns
// how many.
func (s *Store) PruneAlerts(ctx context.Context, cutoff time.Time) (int, error) {
	total := 0
	for {
		var n int64
		err := s.writeTx(ctx, func(tx *gorm.DB) error {
			res := tx.Exec(`DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE created_at < ? ORDER BY id LIMIT ?)`, cutoff.UTC(), pruneBatch)
			n = res.RowsAffected
			return res.Error
		})
		total += int(n)
		if err != nil {
			return total, fmt.Errorf("alerts: %w", err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}
