package daily

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// fields reads the members of a JSON object leniently: a member of the wrong
// type reads as empty (numbers read as their text), and each problem is
// noted, under the member's path, so it can be shown in the event log.
type fields struct {
	m        map[string]json.RawMessage
	name     string // the object's path in the body ("payload", "tracks[1]"); "" for the envelope
	problems *[]string
}

func newFields(raw json.RawMessage, name string, problems *[]string) fields {
	f := fields{m: map[string]json.RawMessage{}, name: name, problems: problems}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return f
	}
	if raw[0] != '{' || json.Unmarshal(raw, &f.m) != nil {
		f.m = map[string]json.RawMessage{}
		f.notef("%s: expected an object, got %s", name, kindOf(raw))
	}
	return f
}

func (f fields) notef(format string, args ...any) {
	*f.problems = append(*f.problems, fmt.Sprintf(format, args...))
}

// path names member key for problem notes.
func (f fields) path(key string) string {
	if f.name == "" {
		return key
	}
	return f.name + "." + key
}

// raw returns a member's JSON text, nil when absent or null.
func (f fields) raw(key string) []byte {
	raw := bytes.TrimSpace(f.m[key])
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return raw
}

// str returns a string member, or a number's text; anything else reads as
// empty and is noted.
func (f fields) str(key string) string {
	raw := f.raw(key)
	switch {
	case raw == nil:
		return ""
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			f.notef("%s: %v", f.path(key), err)
			return ""
		}
		return clean(s)
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		return string(raw)
	}
	f.notef("%s: expected a string, got %s", f.path(key), kindOf(raw))
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

// message returns a message member: a string, or the JSON text of an
// object or array (so an error object is kept, not dropped).
func (f fields) message(key string) string {
	if raw := f.raw(key); raw != nil && (raw[0] == '{' || raw[0] == '[') {
		return cleanJSON(raw)
	}
	return f.str(key)
}

// boolean returns a boolean member; "true" and "false" as text are taken
// too, anything else reads as false and is noted.
func (f fields) boolean(key string) bool {
	raw := f.raw(key)
	switch string(raw) {
	case "", "false", `"false"`:
		return false
	case "true", `"true"`:
		return true
	}
	f.notef("%s: expected a boolean, got %s", f.path(key), kindOf(raw))
	return false
}

// numText returns the text of a member that should be a number: a JSON
// number, or a string holding one (Daily sends both). Other kinds read as
// empty and are noted; the string's content is checked by the caller.
func (f fields) numText(key string) string {
	raw := f.raw(key)
	if raw != nil && raw[0] != '"' && raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		f.notef("%s: expected a number, got %s", f.path(key), kindOf(raw))
		return ""
	}
	return f.str(key)
}

// json returns a member as compact JSON text ("" when absent or null), with
// every string in it cleaned.
func (f fields) json(key string) string {
	raw := f.raw(key)
	if raw == nil {
		return ""
	}
	return cleanJSON(raw)
}

// obj returns a member that is an object, as fields.
func (f fields) obj(key string) fields {
	return newFields(f.m[key], f.path(key), f.problems)
}

// list returns a member that is an array, each element as fields.
func (f fields) list(key string) []fields {
	raw := f.raw(key)
	if raw == nil {
		return nil
	}
	var items []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		f.notef("%s: expected an array, got %s", f.path(key), kindOf(raw))
		return nil
	}
	out := make([]fields, 0, len(items))
	for i, it := range items {
		out = append(out, newFields(it, f.path(key)+"["+strconv.Itoa(i)+"]", f.problems))
	}
	return out
}

// time reads a Unix time in seconds (see parseUnix). An unreadable value,
// or one not after 1970 or past the year 9999, is noted and reads as nil.
func (f fields) time(key string) *time.Time {
	return f.timeText(key, f.numText(key))
}

// timeText parses the text s read from member key, as time does.
func (f fields) timeText(key, s string) *time.Time {
	if s == "" {
		return nil
	}
	t, ok := parseUnix(s)
	if !ok {
		f.notef("%s: unreadable time %q", f.path(key), short(s))
		return nil
	}
	return &t
}

// duration reads a non-negative number of seconds; ok is false when the
// member is absent or unreadable (which is noted).
func (f fields) duration(key string) (time.Duration, bool) {
	s := f.numText(key)
	if s == "" {
		return 0, false
	}
	whole, nanos, ok := splitDecimal(strings.TrimSpace(s))
	if !ok || whole > math.MaxInt64/int64(time.Second)-1 {
		f.notef("%s: unreadable duration %q", f.path(key), short(s))
		return 0, false
	}
	return time.Duration(whole)*time.Second + time.Duration(nanos), true
}

// parseUnix reads a Unix time given as seconds, with an optional fraction,
// exactly (no floating point). Values of 1e11 and more are taken as
// milliseconds: as seconds they would be past the year 5000. The time must
// be after 1970 and no later than the year 9999; it comes out in UTC.
func parseUnix(s string) (time.Time, bool) {
	whole, nanos, ok := splitDecimal(strings.TrimSpace(s))
	if !ok {
		return time.Time{}, false
	}
	var t time.Time
	if whole >= 1e11 {
		t = time.Unix(whole/1000, (whole%1000)*1e6+nanos/1000)
	} else {
		t = time.Unix(whole, nanos)
	}
	if !t.After(time.Unix(0, 0)) || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// splitDecimal reads a non-negative decimal number, in JSON number syntax
// (an exponent allowed) or as plain text with leading zeros, exactly: its
// whole part and its fraction in nanounits (digits past the ninth are
// dropped). ok is false for anything else, and for 1e18 or more.
func splitDecimal(s string) (whole, nanos int64, ok bool) {
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e < -40 || e > 40 {
			return 0, 0, false
		}
		mant, exp = s[:i], e
	}
	intPart, frac, dot := strings.Cut(mant, ".")
	if !digitsOnly(intPart) || (dot && !digitsOnly(frac)) {
		return 0, 0, false
	}
	digits := intPart + frac
	point := len(intPart) + exp
	if point < 0 {
		digits = strings.Repeat("0", -point) + digits
		point = 0
	}
	if point > len(digits) {
		digits += strings.Repeat("0", point-len(digits))
	}
	w := strings.TrimLeft(digits[:point], "0")
	if len(w) > 18 {
		return 0, 0, false
	}
	if w != "" {
		whole, _ = strconv.ParseInt(w, 10, 64)
	}
	nanos, _ = strconv.ParseInt((digits[point:] + "000000000")[:9], 10, 64)
	return whole, nanos, true
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
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

// short cuts text quoted in a problem or error to a readable length.
func short(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
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

// cleanJSON returns compact JSON text for raw with every string (keys
// included) cleaned, so no \u0000 escape survives either; "" when raw is not
// JSON or is null. Object keys come out sorted; numbers keep their text.
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
		return clean(x)
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
			if _, dup := out[clean(k)]; !dup {
				out[clean(k)] = cleanValue(x[k])
			}
		}
		return out
	}
	return v
}
