package models_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// waitRefusals waits until every refusal recorded so far is written or
// dropped, and returns the store's figures.
func waitRefusals(t *testing.T, s *models.Store) models.RefusalStats {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := s.RefusalStats()
		if st.Written+st.Dropped == st.Recorded && st.Held == 0 {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("refusals not written: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// countRows counts a table's rows.
func countRows(t *testing.T, db *gorm.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func refused(kind, source string, at time.Time, reason string) models.Refusal {
	status := map[string]int{models.RefusedSignature: 401, models.RefusedMalformed: 400, models.RefusedRateLimited: 429}[kind]
	return models.Refusal{Provider: "videosdk", Kind: kind, Status: status, Source: source, ReceivedAt: at, Reason: reason}
}

// TestRefusalsKeepTheNewest: past RefusalsKept, the oldest refusals kept
// whole go, while every refusal stays counted.
func TestRefusalsKeepTheNewest(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStoreWith(t, url, models.StoreOptions{RefusalsKept: 30, RefusalsPerMinute: 1000})
		start := time.Now().UTC().Add(-10 * time.Minute)
		for round := range 4 {
			for i := range 25 {
				n := round*25 + i
				s.RecordRefusal(refused(models.RefusedSignature, "192.0.2.1", start.Add(time.Duration(n)*time.Second), fmt.Sprintf("n=%d", n)), []byte("{}"))
			}
			waitRefusals(t, s)
		}
		if err := s.PruneRefusals(); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s.DB(), "refusals"); n != 30 {
			t.Errorf("%d refusals kept, want the newest 30", n)
		}
		list, err := s.RecentRefusals(context.Background(), time.Time{}, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 30 || list[0].Reason != "n=99" || list[29].Reason != "n=70" {
			t.Fatalf("recent refusals: %d, from %q to %q; want n=99 down to n=70", len(list), list[0].Reason, list[len(list)-1].Reason)
		}
		for i := 1; i < len(list); i++ {
			if list[i].ReceivedAt.After(list[i-1].ReceivedAt) {
				t.Errorf("not newest first at %d: %v after %v", i, list[i].ReceivedAt, list[i-1].ReceivedAt)
			}
		}
		since, err := s.RecentRefusals(context.Background(), start.Add(95*time.Second), 3)
		if err != nil || len(since) != 3 || since[0].Reason != "n=99" || since[2].Reason != "n=97" {
			t.Errorf("since n=95, limit 3: %+v (%v)", since, err)
		}
		health := providerHealth(t, s, start.Add(2*time.Minute), "videosdk")
		if got := health.LastHour.ByKind[models.RefusedSignature]; got != 100 {
			t.Errorf("%d bad signatures counted in the hour, want all 100", got)
		}
	})
}

// TestRefusalsPerMinuteQuota: an instance keeps whole at most
// RefusalsPerMinute refusals a minute, and counts the rest.
func TestRefusalsPerMinuteQuota(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStoreWith(t, url, models.StoreOptions{RefusalsPerMinute: 10})
		minute := time.Now().UTC().Truncate(time.Minute).Add(-5 * time.Minute)
		for i := range 50 {
			s.RecordRefusal(refused(models.RefusedMalformed, fmt.Sprintf("192.0.2.%d", i), minute.Add(time.Duration(i)*time.Second), "not JSON"), []byte("x"))
		}
		for i := range 5 {
			s.RecordRefusal(refused(models.RefusedMalformed, "192.0.2.1", minute.Add(time.Minute+time.Duration(i)*time.Second), "not JSON"), []byte("x"))
		}
		waitRefusals(t, s)
		if n := countRows(t, s.DB(), "refusals"); n != 15 {
			t.Errorf("%d refusals kept, want 10 of the first minute and 5 of the second", n)
		}
		health := providerHealth(t, s, minute.Add(2*time.Minute), "videosdk")
		if got := health.LastHour.ByKind[models.RefusedMalformed]; got != 55 {
			t.Errorf("%d malformed counted, want 55", got)
		}
	})
}

// TestRateLimitedCounted: rate-limited refusals are counted per address
// per minute, in one row each however many writes add to it, and none is
// kept whole.
func TestRateLimitedCounted(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		minute := time.Now().UTC().Truncate(time.Minute).Add(-3 * time.Minute)
		for i := range 5000 {
			s.RecordRefusal(refused(models.RefusedRateLimited, []string{"198.51.100.1", "198.51.100.2"}[i%2], minute.Add(time.Duration(i)*time.Millisecond), "too many"), []byte("{}"))
		}
		waitRefusals(t, s)
		for range 100 {
			s.RecordRefusal(refused(models.RefusedRateLimited, "198.51.100.1", minute.Add(30*time.Second), "too many"), nil)
		}
		for range 10 {
			s.RecordRefusal(refused(models.RefusedRateLimited, "198.51.100.3", minute.Add(time.Minute), "too many"), nil)
		}
		waitRefusals(t, s)
		if n := countRows(t, s.DB(), "refusals"); n != 0 {
			t.Errorf("%d rate-limited refusals kept whole, want none", n)
		}
		var rows []struct {
			Minute     int64
			Source     string
			Deliveries int64
		}
		if err := s.DB().Table("refusal_counts").Order("minute, source").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		m := minute.Unix() / 60
		want := fmt.Sprint([]any{m, "198.51.100.1", 2600, m, "198.51.100.2", 2500, m + 1, "198.51.100.3", 10})
		var got []any
		for _, r := range rows {
			got = append(got, r.Minute, r.Source, r.Deliveries)
		}
		if fmt.Sprint(got) != want {
			t.Errorf("counts %v, want %v", got, want)
		}
	})
}

// TestRefusalCountsExpire: counts are kept a little over a day, the
// longest window the health page shows.
func TestRefusalCountsExpire(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		now := time.Now().UTC()
		for i := range 12 { // over two pruning batches
			s.RecordRefusal(refused(models.RefusedMalformed, "192.0.2.1", now.Add(-26*time.Hour+time.Duration(i)*time.Minute), "old"), nil)
		}
		s.RecordRefusal(refused(models.RefusedMalformed, "192.0.2.1", now.Add(-23*time.Hour), "recent"), nil)
		waitRefusals(t, s)
		if err := s.PruneRefusals(); err != nil {
			t.Fatal(err)
		}
		var minutes []int64
		if err := s.DB().Table("refusal_counts").Order("minute").Pluck("minute", &minutes).Error; err != nil {
			t.Fatal(err)
		}
		if want := now.Add(-23*time.Hour).Unix() / 60; len(minutes) != 1 || minutes[0] != want {
			t.Errorf("count rows of minutes %v, want only %d, of 23 hours ago", minutes, want)
		}
	})
}

// TestRefusalBounded: a refusal keeps 512 bytes of a 1 MiB body, copied,
// and a reason cut to its bound as UTF-8 without NUL, which PostgreSQL's
// text would refuse.
func TestRefusalBounded(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		body := append([]byte("<script>alert(1)</script>\x00\xff\xfe"), bytes.Repeat([]byte("é"), 1<<19)...)
		want := bytes.Clone(body[:models.MaxRefusalExcerpt])
		reason := "not JSON: \x00\xff " + strings.Repeat("ü", 10_000)
		s.RecordRefusal(refused(models.RefusedMalformed, "203.0.113.9", time.Now(), reason), body)
		copy(body, "overwritten by the caller")
		if st := waitRefusals(t, s); st.Written != 1 {
			t.Fatalf("refusal not written: %+v", st)
		}
		list, err := s.RecentRefusals(context.Background(), time.Time{}, 0)
		if err != nil || len(list) != 1 {
			t.Fatalf("refusals: %v %v", list, err)
		}
		r := list[0]
		if !bytes.Equal(r.Excerpt, want) || r.BodySize != int64(len(body)) || !r.ExcerptCut() {
			t.Errorf("excerpt %d bytes %q…, body size %d; want the first %d bytes of %d", len(r.Excerpt), r.Excerpt[:min(40, len(r.Excerpt))], r.BodySize, len(want), len(body))
		}
		if len(r.Reason) > models.MaxRefusalReason || !utf8.ValidString(r.Reason) || strings.ContainsRune(r.Reason, 0) || !strings.HasPrefix(r.Reason, "not JSON: ") {
			t.Errorf("reason %d bytes %q…", len(r.Reason), r.Reason[:40])
		}
		text := r.ExcerptText()
		if !strings.HasPrefix(text, `<script>alert(1)</script>\x00\xff\xfe`) || !utf8.ValidString(text) {
			t.Errorf("excerpt text %q…", text[:60])
		}
	})
}

// TestRefusalsNeverWaitForTheDatabase: with the refusal tables locked by
// another transaction, RecordRefusal still returns at once, thousands of
// times, what it holds stays within its bound (the rest is dropped and
// counted), and once the lock goes the writer carries on.
func TestRefusalsNeverWaitForTheDatabase(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		const perMinute = 20
		s := openStoreWith(t, url, models.StoreOptions{RefusalsPerMinute: perMinute})
		release := lockRefusals(t, url)
		start := time.Now().UTC().Add(-23 * time.Hour)
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 5000 {
					// A minute each, so the counts cannot share rows.
					at := start.Add(time.Duration(g*5000+i) * time.Second * 60 / 20)
					s.RecordRefusal(refused(models.RefusedSignature, fmt.Sprintf("192.0.2.%d", i%200), at, "bad"), []byte("{}"))
				}
			}()
		}
		wg.Wait()
		st := s.RefusalStats()
		if st.Recorded != 20000 || st.Held > models.MaxRefusalsHeld(perMinute) || st.Dropped == 0 {
			t.Errorf("with the tables locked: %+v; want 20000 recorded, at most %d held, some dropped", st, models.MaxRefusalsHeld(perMinute))
		}
		release()
		waitRefusals(t, s)
		s.RecordRefusal(refused(models.RefusedSignature, "192.0.2.250", time.Now(), "after the lock"), nil)
		waitRefusals(t, s)
		list, err := s.RecentRefusals(context.Background(), time.Now().Add(-time.Minute), 1)
		if err != nil || len(list) != 1 || list[0].Reason != "after the lock" {
			t.Errorf("after the lock went: %+v %v", list, err)
		}
	})
}

// lockRefusals holds the refusal tables locked against writers, from
// another connection, until release: the SQLite database's write lock, or
// PostgreSQL's ACCESS EXCLUSIVE lock on both tables.
func lockRefusals(t *testing.T, url string) (release func()) {
	t.Helper()
	db := migratedDB(t, url, models.DBOptions{MaxOpenConns: 1})
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var tx *sql.Tx
	if db.Dialector.Name() == "postgres" {
		tx, err = conn.BeginTx(ctx, nil)
		if err == nil {
			_, err = tx.ExecContext(ctx, "LOCK TABLE refusals, refusal_counts IN ACCESS EXCLUSIVE MODE")
		}
	} else {
		_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	}
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if tx != nil {
				tx.Rollback()
			} else {
				conn.ExecContext(ctx, "ROLLBACK")
			}
			conn.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// providerHealth is one provider's health at now, with its 50 newest
// refusals.
func providerHealth(t *testing.T, s *models.Store, now time.Time, provider string) models.ProviderHealth {
	t.Helper()
	list, err := s.ProviderHealth(context.Background(), []string{provider}, now, 50)
	if err != nil || len(list) != 1 {
		t.Fatalf("provider health: %v %v", list, err)
	}
	return list[0]
}
