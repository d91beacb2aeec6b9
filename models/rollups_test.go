package models_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// hourCharts reads the last hour's rollups.
func hourCharts(t *testing.T, s *models.Store) models.Charts {
	t.Helper()
	r, _ := models.ParseChartRange("hour")
	c, err := s.Charts(context.Background(), r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// total sums a series of the charts over every bucket.
func total(c models.Charts, series, label string) int64 {
	cs := c.Of(series, label)
	if cs == nil {
		return 0
	}
	var n int64
	for _, v := range cs.Values {
		if v != nil {
			n += *v
		}
	}
	return n
}

// counts sums every counter of the charts, by series and label.
func counts(c models.Charts) map[string]int64 {
	out := map[string]int64{}
	for _, cs := range c.Series {
		if cs.Series == models.SeriesDeliveries || cs.Series == models.SeriesFailures {
			if n := total(c, cs.Series, cs.Label); n > 0 {
				out[cs.Series+":"+cs.Label] = n
			}
		}
	}
	return out
}

// failingHooks are VideoSDK deliveries with one failure of each kind,
// redeliveries of some, and things that are no failure.
func failingHooks() [][]byte {
	m := map[string]any{"meetingId": "roll-1", "sessionId": "s1"}
	with := func(kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	transfer := body("call-transfer-failed", map[string]any{"callId": "c1", "roomId": "roll-1", "status": "TRANSFER_FAILED", "timestamp": "2026-01-05T15:56:08Z"})
	failed := body("recording-failed", with("id", "r1", "message", "disk full"))
	return [][]byte{
		body("session-started", m),
		body("participant-joined", with("participantId", "p1", "participantName", "Ann")),
		body("recording-started", with("id", "r1")),
		failed,
		failed, // a redelivery: no second failure
		body("recording-stopped", with("id", "r1")), // failed stays failed
		body("hls-failed", with("id", "h1", "message", "composer crashed")),
		body("transcription-failed", with("id", "t1", "type", "realtime", "message", "no audio")),
		transfer,
		transfer, // the same step again
		body("call-missed", map[string]any{"callId": "c2", "roomId": "roll-1", "status": "MISSED", "timestamp": "2026-01-05T15:57:08Z"}),
		body("something-new", m),
	}
}

// TestRollupsCountOnce: the projector counts each delivery once, by
// provider and outcome, and each failure once, by kind, as the problems
// view counts them (a redelivered failure, a failed job's later stage and
// a missed call are none); a Daily redelivery answered as a duplicate is
// counted by the event log. A restart counts nothing again, nor does a
// rebuild that applies the whole log again; new deliveries after it are
// counted.
func TestRollupsCountOnce(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		want := map[string]int64{}
		for _, b := range failingHooks() {
			res := post(t, s, b)
			want[models.SeriesDeliveries+":"+models.DeliveryLabel("videosdk", res.Outcome)]++
		}
		for range 2 {
			res := postDaily(t, s, "recording.error", time.Now().UTC())
			want[models.SeriesDeliveries+":"+models.DeliveryLabel("daily", res.Outcome)]++
		}
		if want["deliveries:daily/duplicate"] != 1 || want["deliveries:videosdk/no-change"] < 2 || want["deliveries:videosdk/stored"] != 1 {
			t.Fatalf("the deliveries did not do what the test expects: %v", want)
		}
		want["failures:recording"] = 2 // VideoSDK's and Daily's
		want["failures:stream"] = 1
		want["failures:transcription"] = 1
		want["failures:call"] = 1
		check := func(when string, s *models.Store) {
			t.Helper()
			got := counts(hourCharts(t, s))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: counted %v, want %v", when, got, want)
			}
		}
		check("applied", s)

		s.Close()
		s = openStore(t, url)
		settle(t, s)
		check("after a restart", s)

		if _, err := s.StartRebuild(context.Background()); err != nil {
			t.Fatal(err)
		}
		settle(t, s)
		if d := detail(t, s, "roll-1"); len(d.Recordings) != 1 || d.Recordings[0].Status != models.StageFailed {
			t.Fatalf("the rebuild did not apply the log again: %+v", d.Recordings)
		}
		check("after a rebuild", s)

		post(t, s, body("recording-failed", map[string]any{"meetingId": "roll-1", "sessionId": "s1", "id": "r2"}))
		want["failures:recording"]++
		want["deliveries:videosdk/applied"]++
		check("a failure after the rebuild", s)
	})
}

// TestRollupsCommitWithThePass: the counts commit with the projector's
// pass or not at all. While the rollups cannot be written, the pass fails
// as a whole and its events stay unapplied; once they can, the events are
// applied and counted once.
func TestRollupsCommitWithThePass(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		var decoded atomic.Int64
		s := openStoreWith(t, url, models.StoreOptions{Decode: func(provider string, b []byte) (models.Event, error) {
			ev, err := testDecode(provider, b)
			if ev.Type == "hls-failed" {
				decoded.Add(1)
			}
			return ev, err
		}})
		post(t, s, body("session-started", map[string]any{"meetingId": "roll-2", "sessionId": "s"}))
		db := s.DB()
		if err := db.Exec("ALTER TABLE rollups RENAME TO rollups_away").Error; err != nil {
			t.Fatal(err)
		}
		ev := decodeDelivery(t, body("hls-failed", map[string]any{"meetingId": "roll-2", "sessionId": "s", "id": "h"}))
		res, err := s.Ingest(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		// The projector tries, fails, and tries again.
		for deadline := time.Now().Add(30 * time.Second); decoded.Load() < 2; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the projector did not try the failure twice within 30 s")
			}
		}
		if d := detail(t, s, "roll-2"); len(d.Streams) != 0 {
			t.Fatalf("a pass whose counts failed applied its events: %+v", d.Streams)
		}
		if err := db.Exec("ALTER TABLE rollups_away RENAME TO rollups").Error; err != nil {
			t.Fatal(err)
		}
		if got := applied(t, s, res); got.Outcome != models.OutcomeApplied {
			t.Fatalf("outcome %q", got.Outcome)
		}
		got := counts(hourCharts(t, s))
		want := map[string]int64{"deliveries:videosdk/applied": 2, "failures:stream": 1}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("counted %v, want %v", got, want)
		}
	})
}

// TestGaugesSampledOncePerMinute: two stores sharing a database sample the
// rooms live and the people in them once a minute between them, whichever
// gets there first; a five-minute bucket keeps its highest sample. While a
// rebuild is being applied nothing is sampled.
func TestGaugesSampledOncePerMinute(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s1, s2 := openStore(t, url), openStore(t, url)
		room := map[string]any{"meetingId": "roll-3", "sessionId": "s"}
		post(t, s1, body("session-started", room))
		for _, p := range []string{"a", "b"} {
			post(t, s1, body("participant-joined", map[string]any{"meetingId": "roll-3", "sessionId": "s", "participantId": p, "participantName": p}))
		}
		settle(t, s2)
		ctx := context.Background()
		// A minute at the start of a five-minute bucket, an hour ago at most.
		base := time.Now().Truncate(5 * time.Minute)
		if ok, err := s1.SampleGauges(ctx, base); !ok || err != nil {
			t.Fatalf("the first sample of a minute: %v, %v", ok, err)
		}
		if ok, err := s2.SampleGauges(ctx, base.Add(30*time.Second)); ok || err != nil {
			t.Fatalf("a second sample of the same minute: %v, %v", ok, err)
		}
		post(t, s1, body("participant-left", map[string]any{"meetingId": "roll-3", "sessionId": "s", "participantId": "b"}))
		settle(t, s2)
		// Both at once, the next minute: one of them samples it.
		var wg sync.WaitGroup
		var won atomic.Int64
		for _, s := range []*models.Store{s1, s2} {
			wg.Go(func() {
				ok, err := s.SampleGauges(ctx, base.Add(time.Minute))
				if err != nil {
					t.Error(err)
				}
				if ok {
					won.Add(1)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Errorf("%d stores sampled the same minute", won.Load())
		}
		at := func(rng string, now time.Time, series string, back int) string {
			r, _ := models.ParseChartRange(rng)
			c, err := s2.Charts(ctx, r, now)
			if err != nil {
				t.Fatal(err)
			}
			v := c.Of(series, "").Values
			if p := v[len(v)-1-back]; p != nil {
				return fmt.Sprint(*p)
			}
			return "none"
		}
		now := base.Add(time.Minute)
		for _, c := range []struct {
			rng, series string
			back        int
			want        string
		}{
			{"hour", models.SeriesRooms, 0, "1"},
			{"hour", models.SeriesPeople, 1, "2"},
			{"hour", models.SeriesPeople, 0, "1"},
			{"hour", models.SeriesPeople, 2, "none"},
			{"day", models.SeriesPeople, 0, "2"},
			{"week", models.SeriesRooms, 0, "1"},
		} {
			if got := at(c.rng, now, c.series, c.back); got != c.want {
				t.Errorf("%s, %s, %d buckets back: %s, want %s", c.rng, c.series, c.back, got, c.want)
			}
		}

		// A rebuild under way: the models are incomplete.
		logOnly := models.NewStore(s1.DB(), models.StoreOptions{})
		defer logOnly.Close()
		s1.Close()
		s2.Close()
		if _, err := logOnly.StartRebuild(ctx); err != nil {
			t.Fatal(err)
		}
		if ok, err := logOnly.SampleGauges(ctx, base.Add(2*time.Minute)); ok || err != nil {
			t.Errorf("sampled while a rebuild was being applied: %v, %v", ok, err)
		}
	})
}

// TestPruneRollups: rollups of buckets older than the cutoff go, in
// batches, whatever their width; newer ones stay.
func TestPruneRollups(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		now := time.Now()
		old := now.Add(-models.KeepRollups - time.Hour).Truncate(time.Hour).Unix()
		var values []string
		var args []any
		insert := func() {
			if len(values) == 0 {
				return
			}
			if err := s.DB().Exec("INSERT INTO rollups (width, bucket, series, label, value) VALUES "+strings.Join(values, ", "), args...).Error; err != nil {
				t.Fatal(err)
			}
			values, args = nil, nil
		}
		for i := range 2500 { // 2,500 old minutes, and their hours
			values = append(values, "(60, ?, 'deliveries', 'videosdk/applied', 1)")
			args = append(args, old-int64(i)*60)
			if i%60 == 0 {
				values = append(values, "(3600, ?, 'deliveries', 'videosdk/applied', 60)")
				args = append(args, old-int64(i)*60)
			}
			if len(values) >= 400 {
				insert()
			}
		}
		insert()
		post(t, s, body("session-started", map[string]any{"meetingId": "roll-4", "sessionId": "s"}))
		if _, err := s.SampleGauges(context.Background(), now); err != nil {
			t.Fatal(err)
		}
		var before int64
		s.DB().Raw("SELECT COUNT(*) FROM rollups").Scan(&before)
		n, err := s.PruneRollups(context.Background(), now.Add(-models.KeepRollups))
		if err != nil || n != 2500+42 {
			t.Fatalf("pruned %d rows (%v), want %d", n, err, 2500+42)
		}
		var left int64
		s.DB().Raw("SELECT COUNT(*) FROM rollups").Scan(&left)
		// The delivery and the two gauges, in three widths.
		if left != before-int64(n) || left != 9 {
			t.Errorf("%d rows left of %d, want 9", left, before)
		}
		if got := total(hourCharts(t, s), models.SeriesDeliveries, "videosdk/applied"); got != 1 {
			t.Errorf("the new delivery counts %d", got)
		}
	})
}
