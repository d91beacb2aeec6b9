package models_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// TestProviderHealth counts a provider's deliveries, accepted from the
// event log and refused from the refusal counts, per minute over the hour
// and over the hour and the day; asked again later, the minutes it cached
// move with the clock.
func TestProviderHealth(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		now := time.Now().UTC().Truncate(time.Minute).Add(-3*time.Hour + 30*time.Second)
		join := func(i int) []byte {
			return body("participant-joined", map[string]any{"meetingId": "health", "sessionId": "s1",
				"participantId": fmt.Sprintf("p%d", i), "participantName": "P"})
		}
		n := 0
		accept := func(at time.Time) {
			n++
			postAt(t, s, join(n), at)
		}
		accept(now.Add(-25 * time.Hour)) // outside the day
		for range 4 {
			accept(now.Add(-3 * time.Hour))
		}
		accept(now.Add(-5 * time.Minute))
		accept(now.Add(-5 * time.Minute))
		accept(now)
		s.RecordRefusal(refused(models.RefusedMalformed, "192.0.2.1", now.Add(-2*time.Hour), "not JSON"), []byte("x"))
		s.RecordRefusal(refused(models.RefusedSignature, "192.0.2.1", now.Add(-2*time.Minute), "bad"), []byte("x"))
		s.RecordRefusal(refused(models.RefusedSignature, "192.0.2.2", now.Add(-2*time.Minute), "bad"), []byte("x"))
		for range 7 {
			s.RecordRefusal(refused(models.RefusedRateLimited, "192.0.2.1", now.Add(-time.Minute), "too many"), nil)
		}
		waitRefusals(t, s)

		list, err := s.ProviderHealth(t.Context(), []string{"videosdk", "daily"}, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		h, other := list[0], list[1]
		same := func(what string, got *time.Time, want time.Time) {
			t.Helper()
			if got == nil || !got.Equal(want.Truncate(time.Microsecond)) {
				t.Errorf("%s: %v, want %v", what, got, want)
			}
		}
		same("last accepted", h.LastAccepted, now)
		same("last refused", h.LastRefused, now.Add(-time.Minute))
		same("last received", h.LastReceived(), now)
		if got, want := fmt.Sprint(h.LastHour), fmt.Sprint(models.DeliveryCounts{Accepted: 3, Refused: 9,
			ByKind: map[string]int64{models.RefusedSignature: 2, models.RefusedRateLimited: 7}}); got != want {
			t.Errorf("last hour: %s, want %s", got, want)
		}
		if got, want := fmt.Sprint(h.LastDay), fmt.Sprint(models.DeliveryCounts{Accepted: 7, Refused: 10,
			ByKind: map[string]int64{models.RefusedSignature: 2, models.RefusedRateLimited: 7, models.RefusedMalformed: 1}}); got != want {
			t.Errorf("last day: %s, want %s", got, want)
		}
		if got, want := perMinute(h), "54:2/0 57:0/2 58:0/7 59:1/0"; got != want {
			t.Errorf("per minute: %s, want %s", got, want)
		}
		if start := h.PerMinute[59].Start; !start.Equal(now.Truncate(time.Minute)) {
			t.Errorf("the last minute starts at %v, want %v", start, now.Truncate(time.Minute))
		}
		if len(h.Refusals) != 3 || h.Refusals[2].Kind != models.RefusedMalformed {
			t.Errorf("refusals kept: %+v, want the two bad signatures and the malformed one", h.Refusals)
		}
		if other.LastReceived() != nil || other.LastDay.Accepted+other.LastDay.Refused != 0 || len(other.Refusals) != 0 {
			t.Errorf("a provider with no delivery: %+v", other)
		}

		// Two minutes on, one more delivery: the minutes cached at the
		// first call shift; the day's oldest leave it three hours on.
		accept(now.Add(time.Minute))
		later := providerHealth(t, s, now.Add(2*time.Minute), "videosdk")
		if got, want := perMinute(later), "52:2/0 55:0/2 56:0/7 57:1/0 58:1/0"; got != want {
			t.Errorf("two minutes on, per minute: %s, want %s", got, want)
		}
		if later.LastHour.Accepted != 4 || later.LastDay.Accepted != 8 {
			t.Errorf("two minutes on: hour %+v, day %+v; want 4 and 8 accepted", later.LastHour, later.LastDay)
		}
		much := providerHealth(t, s, now.Add(21*time.Hour+31*time.Minute), "videosdk")
		if much.LastHour.Accepted != 0 || much.LastDay.Accepted != 4 || much.LastDay.Refused != 10 {
			t.Errorf("21½ hours on: hour %+v, day %+v; want none, and 4 accepted (not those of 3 hours before) and 10 refused", much.LastHour, much.LastDay)
		}
	})
}

// perMinute lists the minutes with deliveries as index:accepted/refused.
func perMinute(h models.ProviderHealth) string {
	var out string
	for i, m := range h.PerMinute {
		if m.Accepted+m.Refused > 0 {
			if out != "" {
				out += " "
			}
			out += fmt.Sprintf("%d:%d/%d", i, m.Accepted, m.Refused)
		}
	}
	return out
}
