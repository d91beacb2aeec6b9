package payload

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// obj is the object most tests read from: one member of each kind.
const obj = `{
	"s": "text",
	"empty": "",
	"n": 42,
	"neg": -1.5e3,
	"null": null,
	"t": true,
	"f": false,
	"o": {"a": "x", "n": 1, "b": [1]},
	"a": [{"a": "y"}, 7, null, {"a": {}}],
	"nul": "a\u0000b",
	"bad": "a\udc00b",
	"bytes": "a` + "\xff\xfe" + `b"
}`

func parsed(t *testing.T, raw string) (Fields, *[]string) {
	t.Helper()
	var problems []string
	f := Parse(json.RawMessage(raw), &problems)
	if len(problems) != 0 {
		t.Fatalf("Parse(%s) noted %q", raw, problems)
	}
	return f, &problems
}

func checkProblems(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: problems %q, want %q", what, got, want)
	}
}

func TestStr(t *testing.T) {
	for _, tc := range []struct {
		key      string
		want     string
		problems []string
	}{
		{"s", "text", nil},
		{"empty", "", nil},
		{"n", "42", nil},
		{"neg", "-1.5e3", nil},
		{"null", "", nil},
		{"missing", "", nil},
		{"t", "", []string{"t: expected a string, got a boolean"}},
		{"f", "", []string{"f: expected a string, got a boolean"}},
		{"o", "", []string{"o: expected a string, got an object"}},
		{"a", "", []string{"a: expected a string, got an array"}},
		{"nul", "ab", nil},
		{"bad", "a\uFFFDb", nil},
		{"bytes", "a\uFFFD\uFFFDb", nil},
	} {
		f, problems := parsed(t, obj)
		if got := f.Str(tc.key); got != tc.want {
			t.Errorf("Str(%q) = %q, want %q", tc.key, got, tc.want)
		}
		checkProblems(t, "Str("+tc.key+")", *problems, tc.problems...)
	}
}

func TestFirst(t *testing.T) {
	f, problems := parsed(t, obj)
	for _, tc := range []struct {
		keys []string
		want string
	}{
		{[]string{"missing", "empty", "null", "s", "n"}, "text"},
		{[]string{"n", "s"}, "42"},
		{[]string{"missing", "null"}, ""},
		{nil, ""},
	} {
		if got := f.First(tc.keys...); got != tc.want {
			t.Errorf("First(%q) = %q, want %q", tc.keys, got, tc.want)
		}
	}
	checkProblems(t, "First", *problems)
}

func TestJSON(t *testing.T) {
	const raw = `{"j": {"z": 1.50, "a": ["x\u0000y", "` + "\xff" + `", true, null], "k\u0000": {}},
		"s": "<&>", "n": 1e3, "null": null, "empty": {}, "list": [ 1 , 2 ]}`
	f, problems := parsed(t, raw)
	for _, tc := range []struct{ key, want string }{
		{"j", `{"a":["xy","` + "\uFFFD" + `",true,null],"k":{},"z":1.50}`},
		{"s", `"<&>"`},
		{"n", `1e3`},
		{"null", ""},
		{"missing", ""},
		{"empty", `{}`},
		{"list", `[1,2]`},
	} {
		if got := f.JSON(tc.key); got != tc.want {
			t.Errorf("JSON(%q) = %s, want %s", tc.key, got, tc.want)
		}
	}
	checkProblems(t, "JSON", *problems)
}

// TestNested: problems in objects reached through Obj and List are noted
// under their path; members of the wrong kind read as empty.
func TestNested(t *testing.T) {
	f, problems := parsed(t, obj)
	o := f.Obj("o")
	if o.Name() != "o" || o.Path("a") != "o.a" || f.Name() != "" || f.Path("a") != "a" {
		t.Errorf("names: %q %q %q %q", o.Name(), o.Path("a"), f.Name(), f.Path("a"))
	}
	if got := o.Str("a"); got != "x" {
		t.Errorf(`Obj("o").Str("a") = %q`, got)
	}
	o.Str("b")
	f.Obj("missing").Str("x")
	f.Obj("null").Str("x")
	if got := f.Obj("a").Str("a"); got != "" {
		t.Errorf(`Obj("a").Str("a") = %q, want ""`, got)
	}
	f.Obj("s")
	checkProblems(t, "Obj", *problems,
		"o.b: expected a string, got an array",
		"a: expected an object, got an array",
		"s: expected an object, got a string")

	*problems = nil
	items := f.List("a")
	if len(items) != 4 {
		t.Fatalf(`List("a") has %d items, want 4`, len(items))
	}
	if got := items[0].Str("a"); got != "y" {
		t.Errorf(`List("a")[0].Str("a") = %q`, got)
	}
	items[3].Str("a")
	if items[3].Name() != "a[3]" {
		t.Errorf("items[3].Name() = %q", items[3].Name())
	}
	for _, key := range []string{"missing", "null", "o", "s", "n"} {
		if got := f.List(key); got != nil {
			t.Errorf("List(%q) = %v, want nil", key, got)
		}
	}
	if got := f.Obj("o").List("b"); len(got) != 1 {
		t.Errorf(`Obj("o").List("b") has %d items, want 1`, len(got))
	}
	checkProblems(t, "List", *problems,
		"a[1]: expected an object, got a number",
		"a[3].a: expected a string, got an object",
		"o: expected an array, got an object",
		"s: expected an array, got a string",
		"n: expected an array, got a number",
		"o.b[0]: expected an object, got a number")
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		raw      string
		problems []string
	}{
		{``, nil},
		{`  `, nil},
		{`null`, nil},
		{` {} `, nil},
		{`[1]`, []string{"expected an object, got an array"}},
		{`"x"`, []string{"expected an object, got a string"}},
		{`12`, []string{"expected an object, got a number"}},
		{`true`, []string{"expected an object, got a boolean"}},
		{`{"a":`, []string{"unexpected end of JSON input"}},
	} {
		var problems []string
		f := Parse(json.RawMessage(tc.raw), &problems)
		checkProblems(t, "Parse("+tc.raw+")", problems, tc.problems...)
		if f.Raw("a") != nil {
			t.Errorf("Parse(%s) has a member", tc.raw)
		}
	}
}

// TestNew: New reads a decoded map as it is; the zero Fields and Fields
// with no problem list read as empty and note nothing.
func TestNew(t *testing.T) {
	var problems []string
	f := New(map[string]json.RawMessage{"a": json.RawMessage(` "x" `), "b": json.RawMessage(`[]`)}, &problems)
	if got := f.Str("a"); got != "x" {
		t.Errorf(`Str("a") = %q`, got)
	}
	if got := string(f.Raw("a")); got != `"x"` {
		t.Errorf(`Raw("a") = %s, want it trimmed`, got)
	}
	f.Str("b")
	checkProblems(t, "New", problems, "b: expected a string, got an array")
	if f.Problems() != &problems {
		t.Errorf("Problems() is not the list given")
	}

	var zero Fields
	if zero.Str("a") != "" || zero.Obj("a").Str("b") != "" || zero.List("a") != nil || zero.Time("a") != nil {
		t.Errorf("the zero Fields is not empty")
	}
	quiet := Parse(json.RawMessage(`{"a":true}`), nil)
	quiet.Str("a")
	quiet.Note("ignored")
	Parse(json.RawMessage(`[]`), nil)
}

func TestParseTime(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	for _, tc := range []struct {
		name, s string
		want    time.Time // zero: refused
	}{
		{"RFC 3339 Z", "2022-07-05T15:55:35Z", at("2022-07-05T15:55:35Z")},
		{"RFC 3339 offset, to UTC", "2022-07-05T17:55:35.047+02:00", at("2022-07-05T15:55:35.047Z")},
		{"RFC 3339 nanoseconds", "2022-07-05T15:55:35.123456789Z", at("2022-07-05T15:55:35.123456789Z")},
		{"seconds", "1657036535", at("2022-07-05T15:55:35Z")},
		{"seconds with a fraction", "1657036535.047", at("2022-07-05T15:55:35.047Z")},
		{"seconds with nine fraction digits", "1657036535.123456789", at("2022-07-05T15:55:35.123456789Z")},
		{"seconds with a trailing point", "1657036535.", at("2022-07-05T15:55:35Z")},
		{"seconds with a plus sign", "+1657036535", at("2022-07-05T15:55:35Z")},
		{"milliseconds", "1657036535047", at("2022-07-05T15:55:35.047Z")},
		{"milliseconds with a fraction", "1657036535047.5", at("2022-07-05T15:55:35.0475Z")},
		{"1e11 is seconds", "100000000000", time.Unix(1e11, 0).UTC()},
		{"above 1e11 is milliseconds", "100000000001", time.UnixMilli(100000000001).UTC()},
		{"first second after 1970", "1", at("1970-01-01T00:00:01Z")},
		{"last of 9999 in seconds", "99999999999", time.Unix(99999999999, 0).UTC()},
		{"last of 9999 in milliseconds", "253402300799999", at("9999-12-31T23:59:59.999Z")},
		{"last of 9999 as text", "9999-12-31T23:59:59.999999999Z", at("9999-12-31T23:59:59.999999999Z")},
		// The year is checked in UTC: the API could not write a later time.
		{"9999 as written, 10000 in UTC", "9999-12-31T23:30:00-01:00", time.Time{}},

		{"1970 exactly", "0", time.Time{}},
		{"1970 as text", "1970-01-01T00:00:00Z", time.Time{}},
		{"1969", "1969-12-31T23:59:59Z", time.Time{}},
		{"1970 by its offset, 1969 in UTC", "1970-01-01T00:30:00+01:00", time.Time{}},
		{"negative", "-5", time.Time{}},
		{"negative fraction", "-0.25", time.Time{}},
		{"10000 in milliseconds", "253402300800000", time.Time{}},
		{"far future", "9223372036854775807", time.Time{}},
		{"past int64", "9223372036854775808", time.Time{}},
		{"ten fraction digits", "1657036535.1234567890", time.Time{}},
		{"exponent", "1.657e9", time.Time{}},
		{"two points", "1657036535.0.1", time.Time{}},
		{"no whole part", ".5", time.Time{}},
		{"space", " 1657036535", time.Time{}},
		{"words", "soon", time.Time{}},
		{"hour 24", "2022-07-05T24:00:00Z", time.Time{}},
		{"no zone", "2022-07-05T15:55:35", time.Time{}},
		{"empty", "", time.Time{}},
	} {
		got, ok := ParseTime(tc.s)
		if ok != !tc.want.IsZero() || !got.Equal(tc.want) {
			t.Errorf("%s: ParseTime(%q) = %v, %v; want %v", tc.name, tc.s, got, ok, tc.want)
		}
		if ok && got.Location() != time.UTC {
			t.Errorf("%s: ParseTime(%q) = %v, not in UTC", tc.name, tc.s, got)
		}
	}
}

func TestTime(t *testing.T) {
	f, problems := parsed(t, `{"n": 1657036535, "s": "1657036535047", "rfc": "2022-07-05T15:55:35Z",
		"zero": 0, "word": "soon", "b": true, "empty": "", "null": null, "o": {"t": -5}}`)
	want := time.Date(2022, 7, 5, 15, 55, 35, 0, time.UTC)
	for _, key := range []string{"n", "rfc"} {
		if got := f.Time(key); got == nil || !got.Equal(want) {
			t.Errorf("Time(%q) = %v, want %v", key, got, want)
		}
	}
	if got := f.Time("s"); got == nil || !got.Equal(want.Add(47*time.Millisecond)) {
		t.Errorf(`Time("s") = %v`, got)
	}
	for _, key := range []string{"zero", "word", "b", "empty", "null", "missing"} {
		if got := f.Time(key); got != nil {
			t.Errorf("Time(%q) = %v, want nil", key, got)
		}
	}
	f.Obj("o").Time("t")
	if got := f.TimeText("at", "1657036535"); got == nil || !got.Equal(want) {
		t.Errorf("TimeText = %v, want %v", got, want)
	}
	f.TimeText("at", "later")
	checkProblems(t, "Time", *problems,
		`zero: unparseable time "0"`,
		`word: unparseable time "soon"`,
		"b: expected a string, got a boolean",
		`o.t: unparseable time "-5"`,
		`at: unparseable time "later"`)
}

func TestClean(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"héllo ✓", "héllo ✓"},
		{"a\x00b\x00", "ab"},
		{"\x00", ""},
		{"a\xffb", "a\uFFFDb"},
		{"a\xff\xfeb", "a\uFFFDb"},
		{"\xed\xa0\x80", "\uFFFD"}, // a surrogate, as WTF-8
		{"\xe2\x9c", "\uFFFD"},     // a cut sequence
		{"\x00\xff", "\uFFFD"},
	} {
		if got := Clean(tc.in); got != tc.want {
			t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestKindOf(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{``, "nothing"},
		{`{}`, "an object"},
		{`[]`, "an array"},
		{`true`, "a boolean"},
		{`false`, "a boolean"},
		{`"x"`, "a string"},
		{`null`, "null"},
		{`-1`, "a number"},
		{`0.5`, "a number"},
	} {
		if got := KindOf([]byte(tc.raw)); got != tc.want {
			t.Errorf("KindOf(%s) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}
