package handlers

import (
	"strings"
	"testing"
)

// TestEventLogTopic: the event log's filters are part of its topic, in one
// canonical form: known providers and outcomes in lower case, times cut to
// the minute in UTC (so a time range does not make a topic per second), a
// type bounded in length; other pages drop them.
func TestEventLogTopic(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"events?provider=+Daily&type=participant.joined&outcome=ERROR",
			"events?outcome=error&provider=daily&type=participant.joined"},
		{"events?from=2026-03-05T14:30:45Z&to=2026-03-05T17:00%2B02:00",
			"events?from=2026-03-05T14%3A30Z&to=2026-03-05T15%3A00Z"},
		{"events?from=2026-03-05T14:30:59.999Z", "events?from=2026-03-05T14%3A30Z"},
		{"events?from=2026-03-05T14:30", "events?from=2026-03-05T14%3A30Z"},
		{"events?to=2026-03-05", "events?to=2026-03-05T00%3A00Z"},
		{"events?meeting=ab&outcome=pending&before=7&page=3", "events?before=7&meeting=ab&outcome=pending"},
		{"events?provider=&type=&outcome=&from=&to=", "events"},
		{"recordings?provider=daily&type=x&outcome=error&from=2026-03-05T14:30", "recordings"},
	} {
		got, err := parseTopic(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got.String() != c.want {
			t.Errorf("%s: topic %q, want %q", c.in, got.String(), c.want)
		}
		if again, err := parseTopic(got.String()); err != nil || again != got {
			t.Errorf("%s: the name does not read back to the same topic (%v)", c.in, err)
		}
	}
	for _, bad := range []string{
		"events?provider=zoom",
		"events?outcome=duplicate",
		"events?type=" + strings.Repeat("t", 101),
		"events?from=yesterday",
		"events?from=1970-01-01T00:00Z",
		"events?from=2026-03-05T15:00Z&to=2026-03-05T15:00:30Z",
	} {
		if _, err := parseTopic(bad); err == nil {
			t.Errorf("%s makes a topic", bad)
		}
	}
}
