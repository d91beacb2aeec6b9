package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models/dbtest"
)

// TestUpdatedAtIsArrival posts every v2 example as received a day apart in
// 2024: each job's updatedAt is when the last event that changed it
// arrived, never when the projector applied it, so that a rebuild writes
// the same times.
func TestUpdatedAtIsArrival(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		first := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
		at := first
		for _, b := range fixtureDir(t, "v2") {
			postAt(t, s, b, at)
			at = at.Add(24 * time.Hour)
		}
		d, err := s.MeetingDetail(context.Background(), "", "jvsg-8rjn-j304", 0)
		if err != nil {
			t.Fatal(err)
		}
		check := func(kind string, first, updated time.Time) {
			t.Helper()
			if updated.Before(first) || !updated.Before(at) || updated.Sub(first)%(24*time.Hour) != 0 {
				t.Errorf("%s first seen %v updated %v: not the arrival of one of its events", kind, first, updated)
			}
		}
		n := 0
		for _, r := range d.Recordings {
			check("recording "+string(r.Kind), r.FirstSeenAt, r.UpdatedAt)
			n++
		}
		for _, x := range d.Streams {
			check("stream "+string(x.Kind), x.FirstSeenAt, x.UpdatedAt)
			n++
		}
		for _, x := range d.Transcriptions {
			check("transcription", x.FirstSeenAt, x.UpdatedAt)
			n++
		}
		for _, c := range d.Calls {
			check("call", c.FirstSeenAt, c.UpdatedAt)
			// Each new step changes the call.
			var last time.Time
			for _, st := range c.Steps {
				if st.ReceivedAt.After(last) {
					last = st.ReceivedAt
				}
			}
			if !c.UpdatedAt.Equal(last) {
				t.Errorf("call updated %v, its last step received %v", c.UpdatedAt, last)
			}
			n++
		}
		for _, a := range d.Agents {
			check("agent "+string(a.Kind), a.FirstSeenAt, a.UpdatedAt)
			n++
		}
		if n < 10 {
			t.Errorf("only %d jobs checked: %+v", n, d)
		}
	})
}
