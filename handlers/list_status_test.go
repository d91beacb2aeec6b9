package handlers

import (
	"strings"
	"testing"
)

// TestTopicStatus: a list's status filter is part of its topic in one
// canonical spelling; pages without one drop it; an unknown status makes
// no topic, so a stranger cannot make up topics with it.
func TestTopicStatus(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"recordings?status=failed", "recordings?status=failed"},
		{"recordings?status=+FAILED+&meeting=ab&page=2", "recordings?meeting=ab&page=2&status=failed"},
		{"streams?status=playable", "streams?status=playable"},
		{"calls?status=Failed", "calls?status=failed"},
		{"recordings?status=", "recordings"},
		{"meetings?status=failed", "meetings"},
		{"rooms?status=anything", "rooms"},
		{"events?status=failed&before=3", "events?before=3"},
	} {
		got, err := parseTopic(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got.String() != c.want {
			t.Errorf("%s: topic %q, want %q", c.in, got.String(), c.want)
		}
		if again, _ := parseTopic(got.String()); again != got {
			t.Errorf("%s: the name does not read back to the same topic", c.in)
		}
	}
	for _, in := range []string{"recordings?status=faild", "streams?status=completed", "calls?status=MISSED", "calls?status=" + strings.Repeat("x", 5000)} {
		_, err := parseTopic(in)
		if err == nil || !strings.Contains(err.Error(), "status must be one of") {
			t.Errorf("%.60s: %v, want an error naming the known statuses", in, err)
		}
		if err != nil && len(err.Error()) > 200 {
			t.Errorf("%.60s: the error repeats the whole value: %d bytes", in, len(err.Error()))
		}
	}
}
