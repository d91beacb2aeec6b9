package models_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// The search benchmark's database: participants (10 to a meeting, one
// session each) and events, seeded in SQL (generate_series, or a recursive
// query on SQLite), not through the store. MEETBOARD_BENCH_FULL=1 asks for
// the full size: 1,000,000 participants and 10,000,000 events, which take
// minutes to seed; MEETBOARD_BENCH_POSTGRES_URL names a database to seed
// and keep, and to use as it is when it was seeded to that size before.
const (
	benchParticipants     = 50_000
	benchEvents           = 500_000
	benchParticipantsFull = 1_000_000
	benchEventsFull       = 10_000_000
)

// benchFirst and benchLast make the participants' names: 10,000 full names,
// each about a hundredth of a percent of the participants.
var (
	benchFirst = strings.Fields(`Ada Alan Alice Amir Ana Anna Arjun Ben Bruno Carla Carlos Chen Chloe Clara Daniel David Diego Dmitri
		Elena Emma Eva Fatima Felix Grace Hana Hannah Hugo Ibrahim Ines Isaac Ivan Jack James Jana Javier John Jonas Julia Kai Karim
		Kate Kenji Laura Lea Leo Liam Lina Lucas Luis Maria Mark Marta Mateo Mia Michael Mina Mohamed Nadia Nina Noah Nora Oliver
		Omar Oscar Paul Pedro Petra Priya Rafael Rahul Rosa Ruth Sam Sara Sofia Sven Tariq Theo Tom Uma Vera Victor Wei Yara Yusuf
		Zara Zoe Aiko Bao Cyrus Dara Emil Farah Gita Hiro Ilse Joao`)
	benchLast = strings.Fields(`Smith Garcia Mueller Rossi Dubois Novak Kowalski Silva Santos Jensen Hansen Nielsen Larsen Berg
		Lindqvist Virtanen Korhonen Horvath Nagy Popescu Ivanov Petrov Kuznetsov Yilmaz Kaya Cohen Levi Haddad Khan Ahmed Ali Hassan
		Singh Patel Sharma Gupta Kumar Das Rao Iyer Nguyen Tran Pham Le Kim Lee Park Choi Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou
		Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Okafor Adeyemi Mensah Diallo Traore Kamau Otieno
		Mwangi Banda Phiri Moyo Ndlovu Dlamini Okonkwo Lovelace Hopper Turing Johnson Vaughan Hamilton Dijkstra Liskov Thompson
		Allen Lamarr Ritchie Knuth Wirth Hoare`)
)

// BenchmarkSearch measures searches on a seeded database, with baselines
// run on the same database in the same run: a participant read by its
// primary key, and, on PostgreSQL, the participants' part of the same
// searches as an unindexed ILIKE on their table. Each sub-benchmark
// reports the p50 and p99 of its searches in milliseconds; run with
// -benchtime=200x or so for steady percentiles.
func BenchmarkSearch(b *testing.B) {
	for _, backend := range []string{"postgres", "sqlite"} {
		b.Run(backend, func(b *testing.B) {
			db, s := seededSearch(b, benchURL(b, backend))
			ctx := context.Background()
			searches := benchSearches()
			run := func(b *testing.B, s *models.Store, terms []string) {
				lat := make([]time.Duration, 0, b.N)
				i := 0
				for b.Loop() {
					t0 := time.Now()
					if _, err := s.Search(ctx, terms[i%len(terms)], 0); err != nil {
						b.Fatalf("search %q: %v", terms[i%len(terms)], err)
					}
					lat = append(lat, time.Since(t0))
					i++
				}
				reportLatency(b, lat)
			}
			b.Run("primary-key", func(b *testing.B) {
				lat := make([]time.Duration, 0, b.N)
				var n int64
				db.Raw("SELECT COUNT(*) FROM participants").Scan(&n)
				i := 0
				for b.Loop() {
					t0 := time.Now()
					var p []models.Participant
					if err := db.Where("id = ?", 1+(int64(i)*7919)%n).Limit(1).Find(&p).Error; err != nil || len(p) != 1 {
						b.Fatalf("%v, %d rows", err, len(p))
					}
					lat = append(lat, time.Since(t0))
					i++
				}
				reportLatency(b, lat)
			})
			for _, kind := range searchKinds {
				b.Run(kind, func(b *testing.B) { run(b, s, searches[kind]) })
			}
			if backend != "postgres" {
				return
			}
			// The participants' part of the same searches as a plain ILIKE on
			// their table, which has no trigram index (search's are on its
			// copy of names and ids): what a search costs without one.
			for _, kind := range searchKinds {
				b.Run("unindexed/"+kind, func(b *testing.B) {
					terms := searches[kind]
					lat := make([]time.Duration, 0, b.N)
					i := 0
					for b.Loop() {
						q := terms[i%len(terms)]
						pattern := "%" + q + "%"
						if len(q) < 3 {
							pattern = q + "%"
						}
						t0 := time.Now()
						var n []int64
						if err := db.Raw(`SELECT COUNT(*) OVER () FROM (SELECT id, first_seen_at FROM participants
							WHERE name ILIKE ? OR participant_id ILIKE ? LIMIT ?) c ORDER BY first_seen_at DESC, id DESC LIMIT 20`,
							pattern, q+"%", models.SearchCandidates).Scan(&n).Error; err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(t0))
						i++
					}
					reportLatency(b, lat)
				})
			}
		})
	}
}

// searchKinds are the kinds of search measured, in order.
var searchKinds = []string{"full-name", "surname", "two-letters", "id-start", "meeting-id", "nothing"}

// benchSearches are the texts of each kind of search.
func benchSearches() map[string][]string {
	r := rand.New(rand.NewPCG(1, 2))
	out := map[string][]string{}
	for range 50 {
		first, last := benchFirst[r.IntN(len(benchFirst))], benchLast[r.IntN(len(benchLast))]
		out["full-name"] = append(out["full-name"], strings.ToLower(first+" "+last))
		out["surname"] = append(out["surname"], last)
		out["two-letters"] = append(out["two-letters"], first[:2])
		participants, _ := benchSize()
		out["id-start"] = append(out["id-start"], strings.ToUpper(benchParticipantID(1 + r.IntN(participants))[:8]))
		out["meeting-id"] = append(out["meeting-id"], strings.ToUpper(benchMeetingID(1 + r.IntN(participants/10))[5:]))
		out["nothing"] = append(out["nothing"], fmt.Sprintf("qz%dxv", r.IntN(1000)))
	}
	return out
}

// benchParticipantID and benchMeetingID are the ids the seeding SQL gives
// participant and meeting number g.
func benchParticipantID(g int) string { return fmt.Sprintf("p-%012x", (uint64(g)*2654435761)%(1<<48)) }
func benchMeetingID(g int) string     { return fmt.Sprintf("room-%04x-%d", (g*40503)%65536, g) }

// reportLatency reports the p50 and p99 of a run's latencies.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// benchSize is the number of participants and events to seed.
func benchSize() (participants, events int) {
	if os.Getenv("MEETBOARD_BENCH_FULL") == "1" {
		return benchParticipantsFull, benchEventsFull
	}
	return benchParticipants, benchEvents
}

// storeWithOptions opens a migrated database's store that applies nothing.
func storeWithOptions(b *testing.B, url string) *models.Store {
	db := openDB(b, url, models.DBOptions{})
	s := models.NewStore(db, models.StoreOptions{})
	b.Cleanup(s.Close)
	return s
}

// benchURL is the database a search benchmark seeds on a backend: SQLite
// in a temporary directory, or PostgreSQL, MEETBOARD_BENCH_POSTGRES_URL
// when set (kept, and reused once seeded), else a test database.
func benchURL(b *testing.B, backend string) string {
	if backend != "postgres" {
		return b.TempDir() + "/search.db"
	}
	if url := os.Getenv("MEETBOARD_BENCH_POSTGRES_URL"); url != "" {
		return url
	}
	return dbtest.PostgresDSN(b)
}

// seededSearch migrates a database, seeds it and returns a store on it that
// applies nothing (the seeded events are its log, applied but the newest
// hundred).
func seededSearch(b *testing.B, url string) (*gorm.DB, *models.Store) {
	b.Helper()
	db, err := models.Open(url, models.DBOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if err := models.Migrate(db); err != nil {
		b.Fatal(err)
	}
	if sqlDB, err := db.DB(); err == nil {
		b.Cleanup(func() { sqlDB.Close() })
	}
	participants, events := benchSize()
	var seeded int64
	if err := db.Raw("SELECT COUNT(*) FROM participants").Scan(&seeded).Error; err != nil {
		b.Fatal(err)
	}
	if seeded == int64(participants) {
		return db, storeWithOptions(b, url)
	}
	start := time.Now()
	pg := strings.HasPrefix(url, "postgres")
	seed := seedSQLite
	if pg {
		seed = seedPostgres
	}
	for _, stmt := range seed(participants, events) {
		if err := db.Exec(stmt).Error; err != nil {
			b.Fatalf("seed: %v\n%s", err, stmt)
		}
	}
	b.Logf("seeded %d participants and %d events in %s", participants, events, time.Since(start).Round(time.Second))
	s := storeWithOptions(b, url)
	return db, s
}

// benchNames are the names as SQL array or list literals.
func benchNames(pg bool) (first, last string) {
	quote := func(xs []string) string {
		q := make([]string, len(xs))
		for i, x := range xs {
			q[i] = "'" + x + "'"
		}
		return strings.Join(q, ",")
	}
	if pg {
		return "ARRAY[" + quote(benchFirst) + "]", "ARRAY[" + quote(benchLast) + "]"
	}
	return quote(benchFirst), quote(benchLast)
}

// benchTypes are the seeded events' types by provider, the commonest first.
var benchTypes = map[string][]string{
	"videosdk": {"participant-joined", "participant-left", "session-started", "session-ended", "recording-started", "recording-stopped",
		"hls-started", "hls-playable", "hls-stopped", "transcription-started", "recording-failed"},
	"daily": {"participant.joined", "participant.left", "meeting.started", "meeting.ended", "recording.started",
		"recording.ready-to-download", "streaming.started", "recording.error"},
	"iotum": {"enter_conference", "leave_conference", "start_conference", "end_conference"},
}

// seedPostgres is the seeding SQL for PostgreSQL. The events are spread
// over the last 30 days, each day in its own partition of the log, as in an
// install that has run for a month; the migration's (empty) partition of
// everything before it goes, so those days can have theirs.
func seedPostgres(participants, events int) []string {
	meetings := participants / 10
	first, last := benchNames(true)
	types := func(p string) string { return "ARRAY['" + strings.Join(benchTypes[p], "','") + "']" }
	out := []string{
		fmt.Sprintf(`INSERT INTO meetings (provider, meeting_id, first_seen_at, last_event_at)
			SELECT 'videosdk', 'room-' || lpad(to_hex((g::bigint * 40503) %% 65536), 4, '0') || '-' || g, now() - interval '30 days' + g * interval '1 second',
				now() - interval '30 days' + g * interval '2 second' FROM generate_series(1, %d) g`, meetings),
		`INSERT INTO sessions (meeting_ref, provider, session_id, status, started_at, ended_at, closed_at, first_seen_at, last_event_at)
			SELECT id, provider, 's-' || id, 'ended', first_seen_at, last_event_at, last_event_at, first_seen_at, last_event_at FROM meetings`,
		fmt.Sprintf(`INSERT INTO participants (meeting_ref, session_id, participant_id, name, present, first_seen_at)
			SELECT 1 + (g %% %[2]d), 's-' || (1 + g %% %[2]d), 'p-' || lpad(to_hex((g::bigint * 2654435761) %% 281474976710656), 12, '0'),
				(%[3]s)[1 + (hashint4(g) & 1023) %% %[4]d] || ' ' || (%[5]s)[1 + (hashint4(g + 7) & 1023) %% %[6]d],
				false, now() - interval '30 days' + g * interval '1 second' FROM generate_series(1, %[1]d) g`,
			participants, meetings, first, len(benchFirst), last, len(benchLast)),
		`INSERT INTO attendances (participant_ref, joined_at, left_at, leave_reason)
			SELECT id, first_seen_at, first_seen_at + interval '20 minutes', 'left' FROM participants`,
		`DROP TABLE raw_events_legacy`,
		`DROP TABLE event_outcomes_legacy`,
		`DO $$
		DECLARE
		  d timestamptz := date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '31 days';
		  first_bound timestamptz;
		  t text;
		BEGIN
		  SELECT min(substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \(''([^'']*)''')::timestamptz) INTO first_bound
		    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'raw_events'::regclass AND c.relname <> 'raw_events_default';
		  WHILE d < first_bound LOOP
		    FOREACH t IN ARRAY ARRAY['raw_events', 'event_outcomes'] LOOP
		      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', t || '_b' || to_char(d, 'YYYYMMDD'), t, d,
		        least(d + interval '1 day', first_bound));
		    END LOOP;
		    d := least(d + interval '1 day', first_bound);
		  END LOOP;
		END
		$$`,
	}
	// In transactions of 2,000 events, as the committers write them, so
	// that the log's commit order (xid, id) is as it would be.
	const chunk = 2_000
	out = append(out, fmt.Sprintf(`DO $$
		BEGIN
		  FOR lo IN 1..%[2]d BY %[1]d LOOP
		    INSERT INTO raw_events (provider, type, received_at, meeting_id, session_id, provider_event_id, hash, body)
		    SELECT p, (CASE p WHEN 'videosdk' THEN %[3]s WHEN 'daily' THEN %[4]s ELSE %[5]s END)[1 + (hashint4(g + 3) & 1023) %% (CASE p WHEN 'videosdk' THEN %[6]d WHEN 'daily' THEN %[7]d ELSE %[8]d END)],
		      now() - interval '30 days' + (g::float8 / %[2]d) * interval '30 days', 'room-' || lpad(to_hex((m::bigint * 40503) %% 65536), 4, '0') || '-' || m, 's-' || m,
		      CASE WHEN p = 'daily' THEN 'evt-' || g END, md5(g::text), convert_to('{"data":{"meetingId":"room-' || m || '"}}', 'UTF8')
		    FROM (SELECT g, 1 + (hashint4(g) & 2147483647) %% %[9]d AS m,
		      CASE WHEN g %% 20 = 0 THEN 'iotum' WHEN g %% 20 < 8 THEN 'daily' ELSE 'videosdk' END AS p
		      FROM generate_series(lo, least(lo + %[1]d - 1, %[2]d)) g) s;
		    COMMIT;
		  END LOOP;
		END
		$$`, chunk, events, types("videosdk"), types("daily"), types("iotum"),
		len(benchTypes["videosdk"]), len(benchTypes["daily"]), len(benchTypes["iotum"]), max(meetings, 1)))
	out = append(out,
		`INSERT INTO event_outcomes (event_id, received_at, outcome, detail)
			SELECT id, received_at, CASE WHEN id % 1000 = 0 THEN 'error' WHEN id % 20 = 1 THEN 'stored' WHEN id % 50 = 2 THEN 'no-change' ELSE 'applied' END,
				CASE WHEN id % 1000 = 0 THEN 'the test made it fail' ELSE '' END
			FROM raw_events WHERE id <= (SELECT max(id) - 100 FROM raw_events)`,
		`UPDATE projector_position SET (xid, event_id) = (SELECT xid, id FROM raw_events WHERE id = (SELECT max(id) - 100 FROM raw_events)) WHERE id = 1`,
		`ANALYZE`,
	)
	return out
}

// seedSQLite is the seeding SQL for SQLite: the same rows, from a
// recursive query.
func seedSQLite(participants, events int) []string {
	meetings := participants / 10
	first, last := benchNames(false)
	series := func(n int) string {
		return fmt.Sprintf("WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %d)", n)
	}
	var typeCases []string
	for _, p := range []string{"videosdk", "daily", "iotum"} {
		ts := benchTypes[p]
		var whens []string
		for i, t := range ts {
			whens = append(whens, fmt.Sprintf("WHEN %d THEN '%s'", i, t))
		}
		typeCases = append(typeCases, fmt.Sprintf("WHEN '%s' THEN CASE ((g * 2654435761) >> 7) %% %d %s END", p, len(ts), strings.Join(whens, " ")))
	}
	return []string{
		`CREATE TEMP TABLE first_names (i INTEGER PRIMARY KEY, n TEXT)`,
		`INSERT INTO first_names (n) VALUES (` + strings.ReplaceAll(first, ",", "),(") + `)`,
		`CREATE TEMP TABLE last_names (i INTEGER PRIMARY KEY, n TEXT)`,
		`INSERT INTO last_names (n) VALUES (` + strings.ReplaceAll(last, ",", "),(") + `)`,
		fmt.Sprintf(`%s INSERT INTO meetings (provider, meeting_id, first_seen_at, last_event_at)
			SELECT 'videosdk', printf('room-%%04x-%%d', (g * 40503) %% 65536, g), datetime('now', '-30 days', '+' || g || ' seconds'),
				datetime('now', '-30 days', '+' || (2 * g) || ' seconds') FROM s`, series(meetings)),
		`INSERT INTO sessions (meeting_ref, provider, session_id, status, started_at, ended_at, closed_at, first_seen_at, last_event_at)
			SELECT id, provider, 's-' || id, 'ended', first_seen_at, last_event_at, last_event_at, first_seen_at, last_event_at FROM meetings`,
		fmt.Sprintf(`%[1]s INSERT INTO participants (meeting_ref, session_id, participant_id, name, present, first_seen_at)
			SELECT 1 + g %% %[2]d, 's-' || (1 + g %% %[2]d), printf('p-%%012x', (g * 2654435761) %% 281474976710656),
				(SELECT n FROM first_names WHERE i = 1 + ((g * 2654435761) >> 5) %% %[3]d) || ' ' || (SELECT n FROM last_names WHERE i = 1 + ((g * 40503) >> 3) %% %[4]d),
				0, datetime('now', '-30 days', '+' || g || ' seconds') FROM s`, series(participants), max(meetings, 1), len(benchFirst), len(benchLast)),
		`INSERT INTO attendances (participant_ref, joined_at, left_at, leave_reason)
			SELECT id, first_seen_at, datetime(first_seen_at, '+20 minutes'), 'left' FROM participants`,
		fmt.Sprintf(`%[1]s INSERT INTO raw_events (provider, type, received_at, meeting_id, session_id, provider_event_id, hash, body)
			SELECT p, CASE p %[4]s END, datetime('now', '-30 days', '+' || (g * 2592000 / %[2]d) || ' seconds'), printf('room-%%04x-%%d', (m * 40503) %% 65536, m), 's-' || m,
				CASE WHEN p = 'daily' THEN 'evt-' || g END, hex(randomblob(16)), CAST('{"data":{"meetingId":"room-' || m || '"}}' AS BLOB)
			FROM (SELECT g, 1 + ((g * 2654435761) >> 3) %% %[3]d AS m,
				CASE WHEN g %% 20 = 0 THEN 'iotum' WHEN g %% 20 < 8 THEN 'daily' ELSE 'videosdk' END AS p FROM s)`,
			series(events), events, max(meetings, 1), strings.Join(typeCases, " ")),
		`INSERT INTO event_outcomes (event_id, received_at, outcome, detail)
			SELECT id, received_at, CASE WHEN id % 1000 = 0 THEN 'error' WHEN id % 20 = 1 THEN 'stored' WHEN id % 50 = 2 THEN 'no-change' ELSE 'applied' END, ''
			FROM raw_events WHERE id <= (SELECT max(id) - 100 FROM raw_events)`,
		`UPDATE projector_position SET event_id = (SELECT max(id) - 100 FROM raw_events) WHERE id = 1`,
		`ANALYZE`,
	}
}

// BenchmarkSearchWrites measures what search's indexes cost the
// projector: each op is one webhook (half joins of new participants, half
// their leaves) applied to the models, logged beforehand; the variants each
// on a fresh database in the same run. "none" drops the triggers that keep
// search's copies of names and ids: the baseline. WAL-B/op, PostgreSQL's
// write-ahead log per webhook, is what the apply wrote, whatever else the
// machine was doing.
func BenchmarkSearchWrites(b *testing.B) {
	gin := func(set string) []string {
		return []string{"ALTER INDEX meeting_names_trgm SET (" + set + ")", "ALTER INDEX participant_names_name_trgm SET (" + set + ")"}
	}
	variants := map[string][]string{
		"postgres/none": {"DROP TRIGGER meeting_names_insert ON meetings", "DROP TRIGGER meeting_names_update ON meetings",
			"DROP TRIGGER participant_names_insert ON participants", "DROP TRIGGER participant_names_update ON participants"},
		"postgres/gin":             nil,
		"postgres/gin-pending-4MB": gin("gin_pending_list_limit = 4096"),
		"sqlite/none": {"DROP TRIGGER participants_search_insert", "DROP TRIGGER participants_search_update",
			"DROP TRIGGER meetings_search_insert", "DROP TRIGGER meetings_search_update"},
		"sqlite/fts5": nil,
	}
	names := make([]string, 0, len(variants))
	for name := range variants {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			backend, _, _ := strings.Cut(name, "/")
			url := b.TempDir() + "/writes.db"
			if backend == "postgres" {
				url = dbtest.PostgresDSN(b)
			}
			db := migratedDB(b, url, models.DBOptions{Logger: slog.New(slog.DiscardHandler)})
			for _, stmt := range variants[name] {
				if err := db.Exec(stmt).Error; err != nil {
					b.Fatal(err)
				}
			}
			// Logged by a store that applies nothing.
			logger := models.NewStore(db, models.StoreOptions{})
			ds := make([]models.Delivery, b.N)
			for i := range ds {
				typ, who := "participant-joined", i
				if i%2 == 1 {
					typ, who = "participant-left", i-1
				}
				ds[i] = decodeDelivery(b, body(typ, map[string]any{"meetingId": fmt.Sprintf("w-%d", who%200), "sessionId": "s",
					"participantId": fmt.Sprint("u-", who), "participantName": benchFirst[who%len(benchFirst)] + " " + benchLast[who%len(benchLast)]}))
			}
			fillDeliveries(b, logger, ds)
			logger.Close()
			wal := func() (lsn string) {
				if backend == "postgres" {
					db.Raw("SELECT pg_current_wal_lsn()::text").Scan(&lsn)
				}
				return lsn
			}
			before := wal()
			b.ResetTimer()
			s := models.NewStore(db, models.StoreOptions{Decode: testDecode})
			settle(b, s)
			b.StopTimer()
			s.Close()
			if backend == "postgres" {
				// What the apply wrote, whatever else the machine was doing.
				var written float64
				db.Raw("SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn)", wal(), before).Scan(&written)
				b.ReportMetric(written/float64(b.N), "WAL-B/op")
			}
		})
	}
}

// fillDeliveries ingests deliveries from 16 goroutines, as concurrent
// webhooks would arrive, each goroutine's in order.
func fillDeliveries(b *testing.B, s *models.Store, ds []models.Delivery) {
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for j := w; j < len(ds); j += 16 {
				if _, err := s.Ingest(context.Background(), ds[j]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
