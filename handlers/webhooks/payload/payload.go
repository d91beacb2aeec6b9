// Package payload reads the JSON objects in webhook bodies leniently, for
// the provider decoders beside it. A member of the wrong type reads as
// empty (a number reads as its text) and the problem is noted, in a list the
// caller keeps (an event's Problems), so that a delivery is never refused
// for one field; text comes out cleaned (valid UTF-8, no NUL bytes) and
// times exact, in UTC, after 1970 and no later than the year 9999.
//
// Where a provider reads a member its own way (Daily's Unix decimals,
// iotum's numeric ids), its package does so with a small function on top of
// Fields, using Raw, Path and Note.
package payload

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Fields is a JSON object read leniently. Problems are noted under a
// member's path: its key in an unnamed object (one from Parse or New), and
// "payload.key" or "tracks[1].key" in one reached through Obj or List. The
// zero Fields is an empty object that notes nothing.
type Fields struct {
	m        map[string]json.RawMessage
	name     string // the object's path in the body; "" for a top level
	problems *[]string
}

// Parse reads raw as an object, noting problems in *problems. Nothing or
// null reads as an empty object; anything else that is not an object reads
// as empty too, and is noted.
func Parse(raw json.RawMessage, problems *[]string) Fields {
	return parse(raw, "", problems)
}

// New reads an object already decoded into m (which it does not copy),
// noting problems in *problems.
func New(m map[string]json.RawMessage, problems *[]string) Fields {
	return Fields{m: m, problems: problems}
}

func parse(raw json.RawMessage, name string, problems *[]string) Fields {
	f := Fields{m: map[string]json.RawMessage{}, name: name, problems: problems}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return f
	}
	if raw[0] != '{' {
		f.Note("%s", f.at("expected an object, got "+KindOf(raw)))
	} else if err := json.Unmarshal(raw, &f.m); err != nil {
		f.m = map[string]json.RawMessage{}
		f.Note("%s", f.at(err.Error()))
	}
	return f
}

// at prefixes a problem about the object itself with its name.
func (f Fields) at(problem string) string {
	if f.name == "" {
		return problem
	}
	return f.name + ": " + problem
}

// Name is the object's path in the body ("payload", "tracks[1]"); "" for a
// top level.
func (f Fields) Name() string { return f.name }

// Path names member key in problem notes.
func (f Fields) Path(key string) string {
	if f.name == "" {
		return key
	}
	return f.name + "." + key
}

// Problems is where problems are noted (nil for the zero Fields), for
// reading another object into the same list.
func (f Fields) Problems() *[]string { return f.problems }

// Note adds a problem, formatted as by fmt.Sprintf.
func (f Fields) Note(format string, args ...any) {
	if f.problems != nil {
		*f.problems = append(*f.problems, fmt.Sprintf(format, args...))
	}
}

// Raw returns a member's JSON text, trimmed of space; nil when the member
// is absent or null.
func (f Fields) Raw(key string) json.RawMessage {
	raw := bytes.TrimSpace(f.m[key])
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return raw
}

// Str returns a string member, cleaned, or a number's text as written;
// anything else reads as empty and is noted.
func (f Fields) Str(key string) string {
	raw := f.Raw(key)
	switch {
	case raw == nil:
		return ""
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			f.Note("%s: %v", f.Path(key), err)
			return ""
		}
		return Clean(s)
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		return string(raw)
	}
	f.Note("%s: expected a string, got %s", f.Path(key), KindOf(raw))
	return ""
}

// First returns the first of the keys that has a non-empty Str.
func (f Fields) First(keys ...string) string {
	for _, k := range keys {
		if v := f.Str(k); v != "" {
			return v
		}
	}
	return ""
}

// JSON returns a member of any kind as compact JSON text ("" when absent or
// null), with every string in it, keys included, cleaned (so no \u0000
// escape survives either). Object keys come out sorted; numbers keep their
// text.
func (f Fields) JSON(key string) string {
	raw := f.Raw(key)
	if raw == nil {
		return ""
	}
	return cleanJSON(raw)
}

// Obj returns a member that is an object, named by its path. Absent or
// null reads as an empty object; any other kind too, and is noted.
func (f Fields) Obj(key string) Fields {
	return parse(f.m[key], f.Path(key), f.problems)
}

// List returns a member that is an array, each element read as by Obj and
// named "key[i]"; nil when absent, null or not an array (which is noted).
func (f Fields) List(key string) []Fields {
	raw := f.Raw(key)
	if raw == nil {
		return nil
	}
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		f.Note("%s: expected an array, got %s", f.Path(key), KindOf(raw))
		return nil
	}
	out := make([]Fields, 0, len(items))
	for i, it := range items {
		out = append(out, parse(it, f.Path(key)+"["+strconv.Itoa(i)+"]", f.problems))
	}
	return out
}

// Time reads member key as a time, as ParseTime does, from a string or a
// number. Absent, null or empty reads as nil; an unparseable value, or one
// out of range, is noted and reads as nil.
func (f Fields) Time(key string) *time.Time {
	return f.TimeText(key, f.Str(key))
}

// TimeText parses s, the text read from member key, as Time does; it is
// for callers that keep the text too.
func (f Fields) TimeText(key, s string) *time.Time {
	if s == "" {
		return nil
	}
	t, ok := ParseTime(s)
	if !ok {
		f.Note("%s: unparseable time %q", f.Path(key), s)
		return nil
	}
	return &t
}

// ArrivalStandsIn ends the note about a time an event happened at that
// cannot be read: the store then places the event at the delivery's
// arrival, and the event log says so in these words.
const ArrivalStandsIn = "the arrival time stands in"

// EventTime reads member key as Time does, for the time the event happened
// at: an unparseable value is noted as one for which ArrivalStandsIn.
func (f Fields) EventTime(key string) *time.Time {
	return f.EventTimeText(key, f.Str(key))
}

// EventTimeText parses s, the text read from member key, as EventTime
// does; it is for callers that keep the text too.
func (f Fields) EventTimeText(key, s string) *time.Time {
	if s == "" {
		return nil
	}
	t, ok := ParseTime(s)
	if !ok {
		f.Note("%s: unparseable time %q; %s", f.Path(key), s, ArrivalStandsIn)
		return nil
	}
	return &t
}

// ParseTime parses RFC 3339 text (fractional seconds allowed) or Unix
// seconds written plainly: digits with an optional fraction of up to nine
// digits, read exactly (no floating point). A number above 1e11 is taken as
// milliseconds, since as seconds it would be past the year 5000. The time
// must be after 1970 and no later than the year 9999 in UTC (a later time
// cannot be written as JSON); it comes out in UTC.
func ParseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = parseUnix(s)
	}
	if err != nil || !t.After(time.Unix(0, 0)) || t.UTC().Year() > 9999 {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// parseUnix reads Unix seconds or milliseconds, with an optional fraction,
// exactly.
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

// KindOf names the kind of the JSON value raw (trimmed of space) for
// problem notes: "an object", "a string", "null" and so on.
func KindOf(raw []byte) string {
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

// Clean makes provider text safe to store anywhere: valid UTF-8 (each
// invalid byte sequence becomes U+FFFD) and no NUL bytes (PostgreSQL text
// cannot hold them).
func Clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

// cleanJSON returns compact JSON text for raw with every string (keys
// included) cleaned; "" when raw is not JSON or is null. Object keys come
// out sorted; numbers keep their text.
func cleanJSON(raw []byte) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || v == nil {
		return ""
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cleanValue(v)); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func cleanValue(v any) any {
	switch x := v.(type) {
	case string:
		return Clean(x)
	case []any:
		for i := range x {
			x[i] = cleanValue(x[i])
		}
	case map[string]any:
		// Keys that clean to the same text keep the value of the first in
		// sorted order, so the result does not depend on map order.
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(map[string]any, len(x))
		for _, k := range keys {
			if _, dup := out[Clean(k)]; !dup {
				out[Clean(k)] = cleanValue(x[k])
			}
		}
		return out
	}
	return v
}
