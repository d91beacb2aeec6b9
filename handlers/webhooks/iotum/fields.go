package iotum

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// fields reads the members of the payload object leniently: a member of the
// wrong type reads as empty (numbers read as their text), and each problem
// is noted so it can be shown in the event log.
type fields struct {
	m        map[string]json.RawMessage
	problems *[]string
}

func (f fields) note(format string, args ...any) {
	*f.problems = append(*f.problems, fmt.Sprintf(format, args...))
}

// has reports whether the member is present and not null.
func (f fields) has(key string) bool {
	raw, ok := f.m[key]
	return ok && string(bytes.TrimSpace(raw)) != "null"
}

// str returns a string member, or a number's text; anything else reads as
// empty and is noted.
func (f fields) str(key string) string {
	raw, ok := f.m[key]
	if !ok {
		return ""
	}
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return ""
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			f.note("%s: %v", key, err)
			return ""
		}
		return clean(s)
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		return string(raw)
	}
	f.note("%s: expected a string, got %s", key, kindOf(raw))
	return ""
}

// id returns an identifier as its decimal text. iotum sends ids as JSON
// numbers; strings are taken too (trimmed of surrounding space), so "42"
// and 42 name the same thing. A number that is not a whole number written
// plainly (1.5, 1e6) is kept as written and noted.
func (f fields) id(key string) string {
	raw, ok := f.m[key]
	if !ok {
		return ""
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) &&
		strings.Trim(strings.TrimPrefix(string(raw), "-"), "0123456789") != "" {
		f.note("%s: %s is not a whole number", key, raw)
	}
	return strings.TrimSpace(f.str(key))
}

// parseTime parses an RFC 3339 timestamp (ISO 8601 as iotum writes it,
// "2022-08-24T20:56:55.000Z") into UTC. Times not after 1970 or past the
// year 9999 are refused.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !t.After(time.Unix(0, 0)) || t.UTC().Year() > 9999 {
		return time.Time{}, false
	}
	return t.UTC(), true
}

func kindOf(raw []byte) string {
	switch {
	case len(raw) == 0:
		return "nothing"
	case raw[0] == '{':
		return "an object"
	case raw[0] == '[':
		return "an array"
	case raw[0] == 't' || raw[0] == 'f':
		return "a boolean"
	case raw[0] == '"':
		return "a string"
	case raw[0] == 'n':
		return "null"
	}
	return "a number"
}

// clean makes provider text safe to store anywhere: valid UTF-8 and no NUL
// bytes (PostgreSQL text cannot hold them).
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}
