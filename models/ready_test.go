package models_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// openOneConnStore is openStoreWith on a pool of one connection, so that a
// setting made on the connection holds for every statement of the store.
func openOneConnStore(t *testing.T, url string, opts models.StoreOptions) *models.Store {
	t.Helper()
	opts.Decode = testDecode
	s := models.NewStore(migratedDB(t, url, models.DBOptions{MaxOpenConns: 1}), opts)
	t.Cleanup(s.Close)
	return s
}

// setReadOnly makes the store's one connection refuse writes (on) or take
// them again: as a database that still reads but can no longer write
// (mounted read-only, disk full, a read-only replica) does.
func setReadOnly(t *testing.T, url string, db *gorm.DB, on bool) {
	t.Helper()
	var stmt string
	switch {
	case models.IsPostgresURL(url) && on:
		stmt = "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"
	case models.IsPostgresURL(url):
		stmt = "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"
	case on:
		stmt = "PRAGMA query_only = ON"
	default:
		stmt = "PRAGMA query_only = OFF"
	}
	if err := db.Exec(stmt).Error; err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// TestReadyWhileWritesFail: a database that answers and reads but cannot
// write is not ready (a ping and a read of the schema version, all the old
// check did, still pass), and is ready again once writes work.
func TestReadyWhileWritesFail(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openOneConnStore(t, url, models.StoreOptions{ReadyEvery: time.Nanosecond})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			t.Fatalf("ready on a fresh database: %v", err)
		}

		setReadOnly(t, url, s.DB(), true)
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("ping with writes refused: %v", err)
		}
		if applied, known, err := models.SchemaVersion(s.DB().WithContext(ctx)); err != nil || applied != known {
			t.Fatalf("schema version with writes refused: %d of %d, %v", applied, known, err)
		}
		if _, err := s.ListEvents(ctx, models.EventFilter{}); err != nil {
			t.Fatalf("reading with writes refused: %v", err)
		}
		if _, err := s.Ingest(ctx, decodeDelivery(t, fixture(t, "v2/participant-joined"))); err == nil {
			t.Fatal("test setup: a delivery was stored although writes are refused")
		}
		err := s.Ready(ctx)
		if err == nil {
			t.Fatal("ready while writes fail")
		}
		if !strings.Contains(err.Error(), "write") {
			t.Errorf("not ready for another reason than the write: %v", err)
		}

		setReadOnly(t, url, s.DB(), false)
		if err := s.Ready(ctx); err != nil {
			t.Fatalf("not ready once writes work again: %v", err)
		}
		post(t, s, fixture(t, "v2/participant-joined"))
	})
}

// TestReadyWritesOncePerInterval: many calls, concurrent or one after the
// other, within ReadyEvery cost one probe write between them.
func TestReadyWritesOncePerInterval(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStoreWith(t, url, models.StoreOptions{ReadyEvery: time.Hour})
		var writes atomic.Int64
		err := s.DB().Callback().Raw().After("gorm:raw").Register("test:count_probes", func(tx *gorm.DB) {
			if strings.Contains(tx.Statement.SQL.String(), "readiness_probes") {
				writes.Add(1)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.Ready(ctx); err != nil {
					t.Errorf("ready: %v", err)
				}
			}()
		}
		wg.Wait()
		for range 10 {
			if err := s.Ready(ctx); err != nil {
				t.Fatalf("ready: %v", err)
			}
		}
		if n := writes.Load(); n != 1 {
			t.Errorf("42 calls within the interval made %d probe writes, want 1", n)
		}
		var rows int64
		if err := s.DB().Table("readiness_probes").Count(&rows).Error; err != nil || rows != 1 {
			t.Errorf("readiness_probes holds %d rows (%v), want 1", rows, err)
		}
	})
}
