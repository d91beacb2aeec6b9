package videosdk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// fields reads the members of a JSON object leniently: a member of the wrong
// type reads as empty (numbers read as their text), and each problem is
// noted so it can be shown in the event log.
type fields struct {
	m        map[string]json.RawMessage
	problems *[]string
}

func newFields(raw json.RawMessage, problems *[]string) fields {
	f := fields{m: map[string]json.RawMessage{}, problems: problems}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return f
	}
	if err := json.Unmarshal(raw, &f.m); err != nil {
		f.note("data is not an object")
	}
	return f
}

func (f fields) note(format string, args ...any) {
	*f.problems = append(*f.problems, fmt.Sprintf(format, args...))
}

// str returns a string member, or a number's text; anything else reads as
// empty.
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

// first returns the first of the keys that has a non-empty string value.
func (f fields) first(keys ...string) string {
	for _, k := range keys {
		if v := f.str(k); v != "" {
			return v
		}
	}
	return ""
}

// json returns a member as compact JSON text ("" when absent or null).
func (f fields) json(key string) string {
	raw, ok := f.m[key]
	if !ok {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil || buf.String() == "null" {
		return ""
	}
	return clean(buf.String())
}

// obj returns a member that is an object, as fields.
func (f fields) obj(key string) fields {
	raw, ok := f.m[key]
	if !ok {
		return fields{m: map[string]json.RawMessage{}, problems: f.problems}
	}
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] != '{' && string(t) != "null" {
		f.note("%s: expected an object, got %s", key, kindOf(t))
		return fields{m: map[string]json.RawMessage{}, problems: f.problems}
	}
	return newFields(raw, f.problems)
}

// list returns a member that is an array of objects.
func (f fields) list(key string) []fields {
	raw, ok := f.m[key]
	if !ok {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		if t := bytes.TrimSpace(raw); string(t) != "null" {
			f.note("%s: expected an array, got %s", key, kindOf(t))
		}
		return nil
	}
	out := make([]fields, 0, len(items))
	for _, it := range items {
		out = append(out, newFields(it, f.problems))
	}
	return out
}

// time parses a timestamp: RFC 3339 text, or Unix seconds (milliseconds
// when the number is too large to be seconds). An unparseable value, or one
// not after 1970 or past the year 9999, is noted and reads as nil.
func (f fields) time(key string) *time.Time {
	return f.timeText(key, f.str(key))
}

// timeText parses the text s read from member key, as time does.
func (f fields) timeText(key, s string) *time.Time {
	if s == "" {
		return nil
	}
	t, ok := parseTime(s)
	if !ok {
		f.note("%s: unparseable time %q", key, s)
		return nil
	}
	return &t
}

func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = parseUnix(s)
	}
	if err != nil || !t.After(time.Unix(0, 0)) || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// parseUnix reads Unix seconds or milliseconds, with an optional fraction,
// exactly (no floating point).
func parseUnix(s string) (time.Time, error) {
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || strings.HasPrefix(whole, "-") || len(frac) > 9 || strings.Trim(frac, "0123456789") != "" {
		return time.Time{}, fmt.Errorf("not a Unix time")
	}
	nanos := int64(0)
	if frac != "" {
		nanos, _ = strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	}
	if n > 1e11 { // milliseconds: 1e11 seconds is past the year 5000
		return time.Unix(n/1000, (n%1000)*1e6+nanos/1000).UTC(), nil
	}
	return time.Unix(n, nanos).UTC(), nil
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
