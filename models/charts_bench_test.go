package models_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/views"
	"gorm.io/gorm"
)

// BenchmarkChartsHistory renders the charts page (the rollups read, every
// chart drawn, the whole page) over two stores: one holding a week of
// rollups and 20,000 logged events ("1x"), the other ten weeks and 200,000
// ("10x"). Each op renders the page once on each store, one after the
// other, so both see the same machine; the metrics are the time per render
// on each, their ratio, and the rollup rows a render reads on each. The
// baseline counts the last week's deliveries from the event log instead,
// as charts without rollups would: its cost grows with the log, the
// charts' must not.
func BenchmarkChartsHistory(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			now := time.Now()
			var stores [2]*models.Store
			for i, scale := range []int{1, 10} {
				db, _ := benchStore(b, backend)
				stores[i] = models.NewStore(db, models.StoreOptions{}) // applies nothing: the seeded rows stay as they are
				b.Cleanup(stores[i].Close)
				seedHistory(b, db, now, scale)
			}
			for _, rng := range models.ChartRanges() {
				b.Run(rng.Name, func(b *testing.B) {
					render := func(s *models.Store) {
						var page bytes.Buffer
						c, err := s.Charts(context.Background(), rng, now)
						if err != nil {
							b.Fatal(err)
						}
						if err := views.Page(views.Meta{Title: "Charts"}, views.ChartsFragments(c, rng)).Render(context.Background(), &page); err != nil {
							b.Fatal(err)
						}
					}
					compare(b, stores, render)
					for i, name := range []string{"rows-1x", "rows-10x"} {
						w := int64(rng.Bucket / time.Second)
						last := now.Unix() - now.Unix()%w
						var rows int64
						stores[i].DB().Raw("SELECT COUNT(*) FROM rollups WHERE width = ? AND bucket > ? AND bucket <= ?",
							w, last-int64(rng.Buckets())*w, last).Scan(&rows)
						b.ReportMetric(float64(rows), name)
					}
				})
			}
			b.Run("baseline-from-log", func(b *testing.B) {
				compare(b, stores, func(s *models.Store) {
					var rows []struct {
						Provider string
						N        int64
					}
					if err := s.DB().Raw("SELECT provider, COUNT(*) AS n FROM raw_events WHERE received_at >= ? GROUP BY provider",
						now.Add(-7*24*time.Hour).UTC()).Scan(&rows).Error; err != nil {
						b.Fatal(err)
					}
				})
			})
		})
	}
}

// compare runs f on each store in turn, b.N times, and reports the time
// each took per run and their ratio.
func compare(b *testing.B, stores [2]*models.Store, f func(*models.Store)) {
	var took [2]time.Duration
	for b.Loop() {
		for i, s := range stores {
			start := time.Now()
			f(s)
			took[i] += time.Since(start)
		}
	}
	one, ten := took[0]/time.Duration(b.N), took[1]/time.Duration(b.N)
	b.ReportMetric(float64(one)/1e6, "ms-1x")
	b.ReportMetric(float64(ten)/1e6, "ms-10x")
	b.ReportMetric(float64(ten)/float64(one), "10x/1x")
}

// seedHistory fills a store with scale weeks of rollups (a dozen series in
// the three widths, every minute up to now) and scale × 20,000 logged
// events spread over those weeks.
func seedHistory(b *testing.B, db *gorm.DB, now time.Time, scale int) {
	b.Helper()
	const weekEvents = 20000
	labels := `SELECT 'rooms' AS series, '' AS label UNION ALL SELECT 'people', '' UNION ALL
		SELECT 'deliveries', 'videosdk/applied' UNION ALL SELECT 'deliveries', 'videosdk/no-change' UNION ALL
		SELECT 'deliveries', 'videosdk/error' UNION ALL SELECT 'deliveries', 'daily/applied' UNION ALL
		SELECT 'deliveries', 'daily/duplicate' UNION ALL SELECT 'deliveries', 'iotum/applied' UNION ALL
		SELECT 'failures', 'recording' UNION ALL SELECT 'failures', 'stream' UNION ALL
		SELECT 'failures', 'transcription' UNION ALL SELECT 'failures', 'call'`
	week := int64(7 * 24 * 3600)
	end := now.Unix()
	for _, w := range []int64{60, 300, 3600} {
		n := int64(scale) * week / w
		err := db.Exec(`WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < ?)
			INSERT INTO rollups (width, bucket, series, label, value)
			SELECT ?, ? - m.i * ?, s.series, s.label, 1 + m.i % 7 FROM m, (`+labels+`) AS s`, n-1, w, end-end%w, w).Error
		if err != nil {
			b.Fatal(err)
		}
	}
	events := scale * weekEvents
	spread := int64(scale) * week / int64(events) // seconds between events
	pg := db.Dialector.Name() == "postgres"
	received, body := "datetime(?, '-' || (m.i * ?) || ' seconds')", "X'7b7d'"
	start := any(now.UTC().Format("2006-01-02 15:04:05"))
	if pg {
		received, body, start = "(?::timestamptz - m.i * ? * interval '1 second')", "'\\x7b7d'::bytea", now.UTC()
	}
	err := db.Exec(`WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < ?)
		INSERT INTO raw_events (provider, type, received_at, meeting_id, session_id, hash, body)
		SELECT 'videosdk', 'participant-joined', `+received+`, 'bench-' || (m.i % 200), 's', 'h' || m.i, `+body+` FROM m`,
		events-1, start, spread).Error
	if err != nil {
		b.Fatal(err)
	}
	// What a database that has been running a while holds: the writes
	// checkpointed, the statistics current.
	if pg {
		err = db.Exec("VACUUM ANALYZE rollups").Error
	} else {
		err = db.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
	}
	if err != nil {
		b.Fatal(err)
	}
}
