package daily

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/payload"
)

// Daily's payloads are read with payload.Fields, plus the readers here.
// Daily's times are Unix seconds only, as numbers or numeric strings, with
// exponents allowed: read them with unixTime and unixTimeText, not
// Fields.Time and Fields.TimeText (which take RFC 3339 too, and no
// exponents).

// message returns a message member: a string, or the JSON text of an
// object or array (so an error object is kept, not dropped).
func message(f payload.Fields, key string) string {
	if raw := f.Raw(key); raw != nil && (raw[0] == '{' || raw[0] == '[') {
		return f.JSON(key)
	}
	return f.Str(key)
}

// boolean returns a boolean member; "true" and "false" as text are taken
// too, anything else reads as false and is noted.
func boolean(f payload.Fields, key string) bool {
	raw := f.Raw(key)
	switch string(raw) {
	case "", "false", `"false"`:
		return false
	case "true", `"true"`:
		return true
	}
	f.Note("%s: expected a boolean, got %s", f.Path(key), payload.KindOf(raw))
	return false
}

// numText returns the text of a member that should be a number: a JSON
// number, or a string holding one (Daily sends both). Other kinds read as
// empty and are noted; the string's content is checked by the caller.
func numText(f payload.Fields, key string) string {
	raw := f.Raw(key)
	if raw != nil && raw[0] != '"' && raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		f.Note("%s: expected a number, got %s", f.Path(key), payload.KindOf(raw))
		return ""
	}
	return f.Str(key)
}

// unixTime reads a Unix time in seconds (see parseUnix) that the models do
// not use (event_ts). An unreadable value, or one not after 1970 or past
// the year 9999, is noted and reads as nil.
func unixTime(f payload.Fields, key string) *time.Time {
	s := numText(f, key)
	if s == "" {
		return nil
	}
	t, ok := parseUnix(s)
	if !ok {
		f.Note("%s: unreadable time %q", f.Path(key), short(s))
		return nil
	}
	return &t
}

// eventTime reads the time an event happened, as unixTime does; the store
// places the event at its arrival when it is nil, so an unreadable value
// is noted as one for which payload.ArrivalStandsIn.
func eventTime(f payload.Fields, key string) *time.Time {
	return eventTimeText(f, key, numText(f, key))
}

// eventTimeText parses the text s read from member key, as eventTime does.
func eventTimeText(f payload.Fields, key, s string) *time.Time {
	if s == "" {
		return nil
	}
	t, ok := parseUnix(s)
	if !ok {
		f.Note("%s: unreadable time %q; %s", f.Path(key), short(s), payload.ArrivalStandsIn)
		return nil
	}
	return &t
}

// size reads a file's size in bytes: a whole number. Anything else is noted
// and reads as 0 (unknown).
func size(f payload.Fields, key string) int64 {
	s := numText(f, key)
	if s == "" {
		return 0
	}
	whole, nanos, ok := splitDecimal(strings.TrimSpace(s))
	if !ok || nanos != 0 {
		f.Note("%s: unreadable size %q", f.Path(key), short(s))
		return 0
	}
	return whole
}

// duration reads a non-negative number of seconds; ok is false when the
// member is absent or unreadable (which is noted). A duration is only read
// to place an end time, for which the arrival time stands in without it.
func duration(f payload.Fields, key string) (time.Duration, bool) {
	s := numText(f, key)
	if s == "" {
		return 0, false
	}
	whole, nanos, ok := splitDecimal(strings.TrimSpace(s))
	if !ok || whole > math.MaxInt64/int64(time.Second)-1 {
		f.Note("%s: unreadable duration %q; %s", f.Path(key), short(s), payload.ArrivalStandsIn)
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
	if !t.After(time.Unix(0, 0)) || t.UTC().Year() > 9999 {
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

// short cuts text quoted in a problem or error to a readable length.
func short(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}
