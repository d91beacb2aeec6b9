package models_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
	"gorm.io/gorm"
)

// TestProjectorCommitOrder: the projector applies every committed delivery
// exactly once, in commit order, however the commits interleave. On
// PostgreSQL two stores (two instances) share one database and take
// deliveries from 8 goroutines at once, while the test holds transactions
// of its own on the event log:
//
//   - rolled-back ones, which insert rows (taking ids and xids) and roll
//     back, one of them after a second;
//   - a slow one, which logs a delivery early and commits it about 2 s
//     later, after many deliveries with larger ids and xids have committed.
//     Nothing logged after it began may be applied while it is open (a
//     reader trusting ids would pass over its row for good), and while it
//     is open the transaction counter is moved past a power of ten, so that
//     the rows read after it span xids such as 9,9xx and 10,0xx, which
//     sort the other way round as text.
//
// On SQLite one store takes the deliveries while rolled-back transactions
// take ids that SQLite then hands out again.
//
// Then the stores settle and checkExactlyOnce checks that every committed
// row has one outcome, "applied", that the participants are the committed
// joins exactly, and that the rolled-back rows are nowhere.
func TestProjectorCommitOrder(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		pg := strings.HasPrefix(url, "postgres")
		stores := []*models.Store{openStore(t, url)}
		if pg {
			// A second instance. SQLite serves one instance: its one writer
			// commits in id order, and the slow transaction below would
			// only hold every other writer up.
			stores = append(stores, openStore(t, url))
		}
		db := stores[0].DB()
		const prefix = "ord-"
		meeting := func(i int) string { return fmt.Sprintf("%s%d", prefix, i%4) }
		var committed, rolledBack joins

		// Some history first, so the projector has a position.
		for i := range 40 {
			p := fmt.Sprintf("warm-%d", i)
			if _, err := stores[i%len(stores)].Ingest(context.Background(), decodeDelivery(t, joinBody(meeting(i), p))); err != nil {
				t.Fatal(err)
			}
			committed.add(p)
		}
		settle(t, stores[0])

		// The slow transaction logs its delivery now (PostgreSQL).
		var slow *gorm.DB
		var slowID, slowXid uint64
		slowStart := time.Now()
		if pg {
			slow = db.Begin()
			defer slow.Rollback() // after a failure; once committed, a no-op
			var err error
			if slowID, err = logJoin(slow, meeting(0), "slow"); err != nil {
				t.Fatal(err)
			}
			if err := slow.Raw("SELECT pg_current_xact_id()::text::bigint").Scan(&slowXid).Error; err != nil {
				t.Fatal(err)
			}
		}

		stop := make(chan struct{})
		var stopOnce sync.Once
		var wg sync.WaitGroup
		halt := func() {
			stopOnce.Do(func() { close(stop) })
			wg.Wait()
		}
		defer halt()
		// Deliveries, from 8 goroutines, into every store.
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					p := fmt.Sprintf("w%d-%d", w, i)
					if _, err := stores[(w+i)%len(stores)].Ingest(context.Background(), decodeDelivery(t, joinBody(meeting(w+i), p))); err != nil {
						t.Errorf("ingest %s: %v", p, err)
						return
					}
					committed.add(p)
					time.Sleep(3 * time.Millisecond)
				}
			}()
		}
		// Transactions that log rows and roll back, taking the store's
		// writer turn on SQLite as any writer in the process would.
		var rolledIDs []uint64
		var rolledMu sync.Mutex
		errRollback := errors.New("rolled back by the test")
		rollback := func(name string, rows int, hold time.Duration) error {
			err := stores[0].WriteTx(context.Background(), func(tx *gorm.DB) error {
				for r := range rows {
					p := fmt.Sprintf("%s-%d", name, r)
					rolledBack.add(p)
					id, err := logJoin(tx, meeting(r), p)
					if err != nil {
						return err
					}
					rolledMu.Lock()
					rolledIDs = append(rolledIDs, id)
					rolledMu.Unlock()
				}
				time.Sleep(hold)
				return errRollback
			})
			if errors.Is(err, errRollback) {
				return nil
			}
			return err
		}
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewSource(int64(w)))
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if err := rollback(fmt.Sprintf("rb%d-%d", w, i), 1+rng.Intn(3), time.Duration(rng.Intn(20))*time.Millisecond); err != nil {
						t.Errorf("rolled-back transaction: %v", err)
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
			}()
		}
		if pg {
			// A second slow transaction, one that never commits.
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := rollback("rb-slow", 2, time.Second); err != nil {
					t.Errorf("slow rolled-back transaction: %v", err)
				}
			}()
		}

		boundary := uint64(0)
		if pg {
			// Move the transaction counter past the next power of ten while
			// the slow transaction holds the projector before it.
			boundary = crossPowerOfTen(t, db, slowXid)
		}
		// The slow transaction stays open about 2 s, and at least 500 ms
		// after the counter has crossed, so rows commit on both sides.
		// SQLite takes deliveries for a second.
		run := map[bool]time.Duration{true: 2 * time.Second, false: time.Second}[pg]
		time.Sleep(max(run-time.Since(slowStart), 500*time.Millisecond))

		if pg {
			xid := strconv.FormatUint(slowXid, 10)
			// Deliveries with larger ids and xids have committed...
			var later int64
			if err := db.Raw("SELECT COUNT(*) FROM raw_events WHERE id > ? AND xid > ?::text::xid8", slowID, xid).Scan(&later).Error; err != nil {
				t.Fatal(err)
			}
			// ...and none of them may be applied while the slow one is open.
			var early int64
			if err := db.Raw(`SELECT COUNT(*) FROM raw_events r JOIN event_outcomes o ON o.event_id = r.id
				WHERE r.xid > ?::text::xid8`, xid).Scan(&early).Error; err != nil {
				t.Fatal(err)
			}
			t.Logf("while the slow transaction (event %d, xid %d) was open, %d later deliveries committed", slowID, slowXid, later)
			if later < 100 {
				t.Errorf("only %d deliveries committed after the slow transaction's row; the test proves little", later)
			}
			if early > 0 {
				t.Errorf("%d events logged after the slow transaction began were applied while it was open: "+
					"the projector reads past a transaction in flight", early)
			}
			if boundary > 0 {
				// Rows from the power of ten on wait behind the slow row:
				// the first read after it commits spans both, e.g. 9,9xx
				// and 10,0xx.
				var above int64
				if err := db.Raw("SELECT COUNT(*) FROM raw_events WHERE xid >= ?::text::xid8", strconv.FormatUint(boundary, 10)).Scan(&above).Error; err != nil {
					t.Fatal(err)
				}
				t.Logf("%d rows with xids from %d on wait behind the slow row (xid %d)", above, boundary, slowXid)
				if above == 0 {
					t.Errorf("no row with an xid from %d on committed while the slow transaction was open", boundary)
				}
			}
			if err := slow.Commit().Error; err != nil {
				t.Fatal(err)
			}
			committed.add("slow")
		}
		time.Sleep(300 * time.Millisecond)
		halt()

		for _, s := range stores {
			settle(t, s)
		}
		t.Logf("%d deliveries committed, %d rows rolled back", committed.len(), rolledBack.len())
		checkExactlyOnce(t, db, prefix, &committed, &rolledBack)
		if pg {
			// Ids are never reused on PostgreSQL: no rolled-back id is
			// anywhere. (SQLite hands a rolled-back id out again.)
			var inLog, outcomes int64
			if err := db.Raw("SELECT COUNT(*) FROM raw_events WHERE id IN ?", rolledIDs).Scan(&inLog).Error; err != nil {
				t.Fatal(err)
			}
			if err := db.Raw("SELECT COUNT(*) FROM event_outcomes WHERE event_id IN ?", rolledIDs).Scan(&outcomes).Error; err != nil {
				t.Fatal(err)
			}
			if inLog != 0 || outcomes != 0 {
				t.Errorf("of %d rolled-back ids, %d are in the log and %d have outcomes", len(rolledIDs), inLog, outcomes)
			}
		}
	})
}

// maxXidBurn caps how many transactions crossPowerOfTen may spend: moving
// from 100,001 to 1,000,000 would take too long for a test.
const maxXidBurn = 400_000

// crossPowerOfTen moves PostgreSQL's transaction counter from past from to
// past the next power of ten above it, by running empty transactions that
// each take an xid, and returns that power of ten (0 when it would take
// more than maxXidBurn transactions, which the test logs).
func crossPowerOfTen(t *testing.T, db *gorm.DB, from uint64) uint64 {
	t.Helper()
	boundary := uint64(10)
	for boundary <= from {
		boundary *= 10
	}
	var cur uint64
	if err := db.Raw("SELECT pg_current_xact_id()::text::bigint").Scan(&cur).Error; err != nil {
		t.Fatal(err)
	}
	if cur >= boundary {
		return boundary
	}
	n := boundary - cur + 20
	if n > maxXidBurn {
		t.Logf("xid %d is %d transactions short of %d: the text-order check is skipped", cur, n, boundary)
		return 0
	}
	start := time.Now()
	err := db.Exec(fmt.Sprintf(`DO $$ BEGIN FOR i IN 1..%d LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$`, n)).Error
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("moved the transaction counter from %d past %d in %v", cur, boundary, time.Since(start).Round(time.Millisecond))
	return boundary
}
