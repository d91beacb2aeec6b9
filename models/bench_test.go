package models_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
	"gorm.io/gorm"
)

// BenchmarkIngest measures durable webhook ingest (decode excluded): each
// op is one delivery committed. "baseline" does the least a durable
// receiver must: one single-row insert of the raw body per transaction, on
// the same database, so the two can be read as a ratio. The parallel runs
// use 16 goroutines per core, as concurrent webhook requests would.
func BenchmarkIngest(b *testing.B) {
	eachBackend(b, func(b *testing.B, db *gorm.DB, s *models.Store) {
		var n atomic.Int64
		delivery := func() models.Delivery {
			i := n.Add(1)
			return decodeDelivery(b, body("participant-joined", map[string]any{
				"meetingId": fmt.Sprintf("bench-%d", i%100), "sessionId": fmt.Sprintf("s-%d", i%100),
				"participantId": fmt.Sprint(i), "participantName": "P",
			}))
		}
		ingest := func(pb interface{ Next() bool }) {
			for pb.Next() {
				if _, err := s.Ingest(context.Background(), delivery()); err != nil {
					b.Error(err)
					return
				}
			}
		}
		baseline := func(pb interface{ Next() bool }) {
			for pb.Next() {
				d := delivery()
				err := db.Transaction(func(tx *gorm.DB) error {
					return tx.Create(&models.RawEvent{Provider: "bench", Type: d.Event.Type, ReceivedAt: time.Now().UTC(),
						Hash: fmt.Sprint(n.Load()), Body: d.Body, Outcome: "stored"}).Error
				})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}
		for _, c := range []struct {
			name string
			f    func(interface{ Next() bool })
		}{{"baseline", baseline}, {"ingest", ingest}} {
			b.Run(c.name+"/serial", func(b *testing.B) {
				c.f(&counter{n: b.N})
			})
			b.Run(c.name+"/parallel", func(b *testing.B) {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) { c.f(pb) })
			})
		}
	})
}

// eachBackend runs f as a sub-benchmark on a fresh SQLite database and on a
// fresh PostgreSQL one.
func eachBackend(b *testing.B, f func(b *testing.B, db *gorm.DB, s *models.Store)) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			db, s := benchStore(b, backend)
			f(b, db, s)
		})
	}
}

// benchStore starts a store on a fresh, migrated database of the backend
// ("sqlite" or "postgres").
func benchStore(b *testing.B, backend string) (*gorm.DB, *models.Store) {
	url := b.TempDir() + "/bench.db"
	if backend == "postgres" {
		url = dbtest.PostgresDSN(b)
	}
	db, err := models.Open(url, models.DBOptions{MaxOpenConns: 16})
	if err != nil {
		b.Fatal(err)
	}
	if err := models.Migrate(db); err != nil {
		b.Fatal(err)
	}
	s := models.NewStore(db, models.StoreOptions{Decode: testDecode})
	b.Cleanup(s.Close)
	return db, s
}

// fill ingests the bodies of n stories, each in order, the stories
// concurrently (so they commit in batches, as under load).
func fill(b *testing.B, s *models.Store, n int, story func(i int) [][]byte) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			for _, body := range story(i) {
				if _, err := s.Ingest(context.Background(), decodeDelivery(b, body)); err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

// counter is a serial stand-in for testing.PB.
type counter struct{ n int }

func (c *counter) Next() bool { c.n--; return c.n >= 0 }

// BenchmarkMeetingDetail reads a room used for 2,000 sessions, one
// participant each, as the API does (everything) and as its page does (the
// newest 100 of each kind).
func BenchmarkMeetingDetail(b *testing.B) {
	eachBackend(b, func(b *testing.B, _ *gorm.DB, s *models.Store) {
		const sessions = 2000
		fill(b, s, sessions, func(i int) [][]byte {
			d := map[string]any{"meetingId": "old-room", "sessionId": fmt.Sprint("s", i), "participantId": fmt.Sprint("p", i), "participantName": "P"}
			return [][]byte{body("session-started", d), body("participant-joined", d)}
		})
		for _, limit := range []int{0, 100} {
			b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
				for b.Loop() {
					d, err := s.MeetingDetail(context.Background(), "", "old-room", limit)
					if err != nil || d.Totals.Sessions != sessions {
						b.Fatalf("%v, %d sessions", err, d.Totals.Sessions)
					}
				}
			})
		}
	})
}

// BenchmarkLiveRooms reads the live rooms when one is a webinar with 2,000
// people in it.
func BenchmarkLiveRooms(b *testing.B) {
	eachBackend(b, func(b *testing.B, _ *gorm.DB, s *models.Store) {
		const people = 2000
		fill(b, s, people, func(i int) [][]byte {
			return [][]byte{body("participant-joined", map[string]any{"meetingId": "webinar", "sessionId": "s", "participantId": fmt.Sprint("p", i), "participantName": "P"})}
		})
		for b.Loop() {
			board, err := s.LiveRooms(context.Background(), "", 1)
			if err != nil || len(board.Rooms) != 1 {
				b.Fatalf("%v, %d rooms", err, len(board.Rooms))
			}
		}
	})
}
