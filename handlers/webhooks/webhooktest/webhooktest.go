// Package webhooktest holds helpers for the provider decoders' tests
// (daily, iotum, videosdk): reading fixtures, comparing and printing
// events, and the checks every decoder must pass, in unit tests and fuzz
// targets alike.
package webhooktest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/meetboard/meetboard/models"
)

// Decoder is a provider's Decode.
type Decoder func(body []byte) (models.Event, error)

// ReadFixture reads a file under testdata; rel uses forward slashes.
func ReadFixture(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return b
}

// FixtureNames lists the fixture files of a testdata folder ("" for
// testdata itself), sorted and without ".json"; a folder with none fails
// the test.
func FixtureNames(t testing.TB, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no fixtures in testdata/%s", dir)
	}
	names := make([]string, 0, len(paths))
	for _, p := range paths {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".json"))
	}
	sort.Strings(names)
	return names
}

// FixtureTable checks that the fixtures of a testdata folder and the rows
// of a table keyed by fixture name match one to one, reporting every
// fixture with no row and every row with no fixture. It returns the names
// of the fixtures that have a row, sorted.
func FixtureTable[V any](t testing.TB, dir string, cases map[string]V) []string {
	t.Helper()
	names := FixtureNames(t, dir)
	seen := map[string]bool{}
	var rows []string
	for _, name := range names {
		seen[name] = true
		if _, ok := cases[name]; ok {
			rows = append(rows, name)
		} else {
			t.Errorf("testdata/%s has no expected event in the table", path.Join(dir, name+".json"))
		}
	}
	for name := range cases {
		if !seen[name] {
			t.Errorf("table row %q has no fixture testdata/%s", name, path.Join(dir, name+".json"))
		}
	}
	return rows
}

// SeedFixtures adds every fixture of the given testdata folders ("" for
// testdata itself) to a fuzz target's corpus.
func SeedFixtures(f *testing.F, dirs ...string) {
	f.Helper()
	for _, dir := range dirs {
		for _, name := range FixtureNames(f, dir) {
			f.Add(ReadFixture(f, path.Join(dir, name+".json")))
		}
	}
}

// SeedBodies adds every body of the given lists to a fuzz target's corpus.
func SeedBodies(f *testing.F, lists ...[]string) {
	f.Helper()
	for _, bodies := range lists {
		for _, b := range bodies {
			f.Add([]byte(b))
		}
	}
}

// ChangeCount counts the change pointers of an event that are set.
func ChangeCount(ev models.Event) int {
	n := 0
	for _, set := range []bool{
		ev.Session != nil, ev.Participant != nil, ev.Recording != nil, ev.Stream != nil,
		ev.Transcription != nil, ev.Call != nil, ev.Agent != nil, ev.BatchCall != nil,
		ev.Resource != nil, ev.KnowledgeBase != nil,
	} {
		if set {
			n++
		}
	}
	return n
}

// splitTimes takes the time pointers out of an event (without touching the
// event it was given) so the rest can be compared with reflect.DeepEqual.
func splitTimes(ev models.Event) (models.Event, map[string]*time.Time) {
	times := map[string]*time.Time{}
	if ev.Session != nil {
		s := *ev.Session
		times["Session.Start"], times["Session.End"] = s.Start, s.End
		s.Start, s.End = nil, nil
		ev.Session = &s
	}
	if ev.Participant != nil {
		p := *ev.Participant
		times["Participant.At"] = p.At
		p.At = nil
		ev.Participant = &p
	}
	if ev.Call != nil {
		c := *ev.Call
		times["Call.At"] = c.At
		c.At = nil
		ev.Call = &c
	}
	return ev, times
}

// Dump is an event as indented JSON, for failure messages.
func Dump(ev models.Event) string {
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// FmtTime is a time with its location, or "nil", for failure messages.
func FmtTime(t *time.Time) string {
	if t == nil {
		return "nil"
	}
	return t.Format(time.RFC3339Nano) + " (" + t.Location().String() + ")"
}

// EventDiff describes how got differs from want; "" when they match. Times
// must be the same instant and got's in UTC; everything else must be
// reflect.DeepEqual.
func EventDiff(got, want models.Event) string {
	g, gt := splitTimes(got)
	w, wt := splitTimes(want)
	var diffs []string
	keys := map[string]bool{}
	for k := range gt {
		keys[k] = true
	}
	for k := range wt {
		keys[k] = true
	}
	for k := range keys {
		a, b := gt[k], wt[k]
		switch {
		case a == nil && b == nil:
		case a == nil || b == nil || !a.Equal(*b):
			diffs = append(diffs, k+": got "+FmtTime(a)+", want "+FmtTime(b))
		case a.Location() != time.UTC:
			diffs = append(diffs, k+": not in UTC: "+FmtTime(a))
		}
	}
	sort.Strings(diffs)
	if !reflect.DeepEqual(g, w) {
		diffs = append(diffs, "event:\n got: "+Dump(g)+"\nwant: "+Dump(w))
	}
	return strings.Join(diffs, "\n")
}

// CheckClean reports every string in v (walked through structs, pointers,
// interfaces and slices) that is not valid UTF-8 or holds a NUL byte.
func CheckClean(t testing.TB, v any) {
	t.Helper()
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			s := v.String()
			if !utf8.ValidString(s) {
				t.Errorf("%s = %q is not valid UTF-8", path, s)
			}
			if strings.IndexByte(s, 0) >= 0 {
				t.Errorf("%s = %q holds a NUL byte", path, s)
			}
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Slice, reflect.Array:
			for i := 0; i < v.Len(); i++ {
				walk(path+"["+strconv.Itoa(i)+"]", v.Index(i))
			}
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() {
				return
			}
			for i := 0; i < v.NumField(); i++ {
				walk(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		}
	}
	walk("Event", reflect.ValueOf(v))
}

// CheckProblems checks an event's Problems against want: as many, and
// each in turn mentioning its substring of want.
func CheckProblems(t testing.TB, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("Problems = %q, want %d problem(s) mentioning %q", got, len(want), want)
		return
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("Problems[%d] = %q, want it to mention %q", i, got[i], want[i])
		}
	}
}

// CheckMalformed checks that decode refuses body with an error wrapping
// malformed and a zero event.
func CheckMalformed(t testing.TB, decode Decoder, malformed error, body []byte) {
	t.Helper()
	ev, err := decode(body)
	if err == nil {
		t.Fatalf("Decode(%q) = %s, want an error", body, Dump(ev))
	}
	if !errors.Is(err, malformed) {
		t.Errorf("Decode(%q) error %v does not wrap ErrMalformed (%v)", body, err, malformed)
	}
	if !reflect.DeepEqual(ev, models.Event{}) {
		t.Errorf("Decode(%q) returned a non-zero event with its error: %s", body, Dump(ev))
	}
}

// CheckDecode decodes body twice and checks what every provider's decoder
// promises for any input, as a fuzz target would: body is left as it was
// and both results are the same; an error wraps malformed and comes with a
// zero event; a success is of valid JSON and has a Type that is not blank,
// text that CheckClean passes, at most one change pointer set (one exactly
// when HasChange says so) and times in UTC between 1970 and 9999. It
// returns the event and whether decode succeeded; the provider's own
// checks come after.
func CheckDecode(t testing.TB, decode Decoder, malformed error, body []byte) (models.Event, bool) {
	t.Helper()
	in := append([]byte(nil), body...)
	ev, err := decode(body)
	if !bytes.Equal(in, body) {
		t.Fatal("Decode modified its input")
	}
	again, err2 := decode(body)
	if !reflect.DeepEqual(ev, again) || (err == nil) != (err2 == nil) ||
		(err != nil && err.Error() != err2.Error()) {
		t.Fatalf("Decode is not deterministic:\n%s / %v\n%s / %v", Dump(ev), err, Dump(again), err2)
	}
	if err != nil {
		if !errors.Is(err, malformed) {
			t.Fatalf("error %v does not wrap ErrMalformed (%v)", err, malformed)
		}
		if !reflect.DeepEqual(ev, models.Event{}) {
			t.Fatalf("non-zero event with an error: %s", Dump(ev))
		}
		return ev, false
	}
	if !json.Valid(body) {
		t.Fatalf("Decode accepted a body that is not valid JSON: %q", body)
	}
	if strings.TrimSpace(ev.Type) == "" {
		t.Fatalf("Decode succeeded with a blank Type %q for %q", ev.Type, body)
	}
	CheckClean(t, ev)
	if n := ChangeCount(ev); n > 1 {
		t.Fatalf("%d change pointers set, at most 1 allowed: %s", n, Dump(ev))
	} else if (n == 1) != ev.HasChange() {
		t.Fatalf("HasChange() = %v with %d change pointers", ev.HasChange(), n)
	}
	_, times := splitTimes(ev)
	for name, tm := range times {
		if tm != nil && (tm.Location() != time.UTC || !tm.After(time.Unix(0, 0)) || tm.Year() > 9999) {
			t.Errorf("%s = %s: want UTC, after 1970 and no later than 9999", name, FmtTime(tm))
		}
	}
	return ev, true
}

// DecodeSigLoosely decodes a signature header the way any sane reader
// might (standard or URL alphabet, padded or not, surrounding space and
// line breaks ignored); nil when it is not base64 at all.
func DecodeSigLoosely(s string) []byte {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.TrimRight(s, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b
		}
	}
	return nil
}
