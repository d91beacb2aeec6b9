package iotum

import (
	"strings"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/payload"
)

// iotum's payloads are read with payload.Fields, plus the readers here:
// ids with id, and times (RFC 3339 only) with parseTime.

// id returns an identifier as its decimal text. iotum sends ids as JSON
// numbers; strings are taken too (trimmed of surrounding space), so "42"
// and 42 name the same thing. A number that is not a whole number written
// plainly (1.5, 1e6) is kept as written and noted.
func id(f payload.Fields, key string) string {
	if raw := f.Raw(key); raw != nil && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) &&
		strings.Trim(strings.TrimPrefix(string(raw), "-"), "0123456789") != "" {
		f.Note("%s: %s is not a whole number", key, raw)
	}
	return strings.TrimSpace(f.Str(key))
}

// parseTime parses an RFC 3339 timestamp (ISO 8601 as iotum writes it,
// "2022-08-24T20:56:55.000Z") into UTC. Unix times are not taken (unlike
// payload.ParseTime), and times not after 1970 or past the year 9999 in
// UTC are refused.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !t.After(time.Unix(0, 0)) || t.UTC().Year() > 9999 {
		return time.Time{}, false
	}
	return t.UTC(), true
}
