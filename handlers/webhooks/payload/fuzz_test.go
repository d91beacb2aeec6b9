package payload

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(obj))
	f.Add([]byte(`{"t":"9999-12-31T23:59:59Z","u":1657036535.5,"m":"1657036535047","x":[{"a":null},1,"s"]}`))
	f.Add([]byte(`{"a":{"b":{"c":[{"d":"\u0000"}]}},"k\u0000":{"k":1,"k\u0000":2}}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"a":`))
	f.Add([]byte("{\"a\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		in := append([]byte(nil), raw...)
		var problems []string
		p := Parse(raw, &problems)
		if !bytes.Equal(in, raw) {
			t.Fatal("Parse modified its input")
		}
		// Parse trims Unicode space, which JSON alone would refuse.
		trim := bytes.TrimSpace(raw)
		var m map[string]json.RawMessage
		if json.Unmarshal(trim, &m) != nil || m == nil {
			if len(trim) != 0 && string(trim) != "null" && len(problems) == 0 {
				t.Fatalf("Parse(%q), not an object, noted nothing", raw)
			}
			if p.Raw("") != nil {
				t.Fatalf("Parse(%q), not an object, has a member", raw)
			}
			return
		}
		if len(problems) != 0 {
			t.Fatalf("Parse(%q) of an object noted %q", raw, problems)
		}
		checkReaders(t, p, m, 0)
	})
}

// checkReaders reads each member of f (whose members are m) in every way,
// and the members of the objects inside it, checking the text that comes
// out is clean, the JSON valid and times in range.
func checkReaders(t *testing.T, f Fields, m map[string]json.RawMessage, depth int) {
	t.Helper()
	for key, raw := range m {
		for _, s := range []string{f.Str(key), f.First(key, "other"), f.JSON(key)} {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("member %q read as %q: not clean", key, s)
			}
		}
		if j := f.JSON(key); j != "" {
			if !json.Valid([]byte(j)) {
				t.Fatalf("JSON(%q) = %s is not valid JSON", key, j)
			}
			if strings.Contains(j, `\u0000`) {
				t.Fatalf("JSON(%q) = %s keeps a NUL escape", key, j)
			}
		} else if f.Raw(key) != nil {
			t.Fatalf("JSON(%q) is empty for %s", key, raw)
		}
		if s := f.Str(key); s != "" {
			if tm := f.Time(key); tm != nil {
				checkTime(t, s, *tm)
			}
		}
		if depth > 3 {
			continue
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) == nil && obj != nil {
			c := f.Obj(key)
			if c.Name() != f.Path(key) {
				t.Fatalf("Obj(%q) is named %q, want %q", key, c.Name(), f.Path(key))
			}
			checkReaders(t, c, obj, depth+1)
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) == nil && items != nil {
			list := f.List(key)
			if len(list) != len(items) {
				t.Fatalf("List(%q) has %d items, want %d", key, len(list), len(items))
			}
			for i, it := range items {
				var obj map[string]json.RawMessage
				if json.Unmarshal(it, &obj) == nil {
					checkReaders(t, list[i], obj, depth+1)
				}
			}
		}
	}
}

// checkTime: times are UTC, after 1970 and no later than 9999.
func checkTime(t *testing.T, s string, tm time.Time) {
	t.Helper()
	if tm.Location() != time.UTC || !tm.After(time.Unix(0, 0)) || tm.Year() > 9999 {
		t.Fatalf("time %q = %v: want UTC, after 1970 and no later than 9999", s, tm)
	}
	if again, ok := ParseTime(s); !ok || !again.Equal(tm) {
		t.Fatalf("time %q = %v, but ParseTime gives %v, %v", s, tm, again, ok)
	}
}
