package views

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/meetboard/meetboard/models"
)

// nested is inner inside depth arrays.
func nested(depth int, inner string) string {
	return strings.Repeat("[", depth) + inner + strings.Repeat("]", depth)
}

// deepBody is a 20 KB webhook whose data is an array nested 9,990 deep,
// near encoding/json's limit of 10,000.
var deepBody = `{"webhookType":"participant-joined","data":` + nested(9990, "") + `}`

// fiveDeepBody holds five such arrays.
var fiveDeepBody = `{"a":` + nested(9990, "") + `,"b":` + nested(9990, "") + `,"c":` + nested(9990, "") +
	`,"d":` + nested(9990, "") + `,"e":` + nested(9990, "") + `}`

// wideBody is shallow enough but many empty arrays at depth 60, each on a
// line indented by 120 spaces.
var wideBody = nested(59, "["+strings.Repeat("[],", 2000)+"[]]")

// keysBody is many short keys at depth 30.
var keysBody = nested(29, `{`+strings.Repeat(`"a":0,`, 2000)+`"a":0}`)

// paddedBody is nested depth deep around a string long enough that its
// indentation stays within the size bound.
func paddedBody(depth int) string {
	return nested(depth, `"`+strings.Repeat("x", 3000)+`"`)
}

func indented(t testing.TB, b string) string {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, []byte(b), "", "  "); err != nil {
		t.Fatalf("json.Indent: %v", err)
	}
	return out.String()
}

// bodyLimit is the most prettyBody may return for an n-byte body.
func bodyLimit(n int) int { return bodyGrowth*n + bodySlack }

func TestPrettyBody(t *testing.T) {
	const normal = `{"webhookType":"participant-joined","data":{"meetingId":"kx7q","participantName":"Ada \"A\" \u00e9","tags":[],"meta":{},"n":[1,-2.5e3,true,null]}}`
	const normalWant = `{
  "webhookType": "participant-joined",
  "data": {
    "meetingId": "kx7q",
    "participantName": "Ada \"A\" \u00e9",
    "tags": [],
    "meta": {},
    "n": [
      1,
      -2.5e3,
      true,
      null
    ]
  }
}`
	const spaced = " \r\n{ \"a\" :\t[ 1 , { } ] ,\"b\":\"x y\" }\n\n"
	tests := []struct {
		name, body string
		// want is the text shown; "indent" means json.Indent's, "raw" the
		// body as stored.
		want string
	}{
		{"normal", normal, normalWant},
		{"normal is json.Indent", normal, "indent"},
		{"space around tokens", spaced, "indent"},
		{"already indented", normalWant + "\n", normalWant + "\n"},
		{"scalar", ` 42 `, "42 "},
		{"string", `"a,[b]:{c}"`, `"a,[b]:{c}"`},
		{"empty", "", ""},
		{"not json", "not json <script>", "raw"},
		{"not json with brackets", "[[[ {a: 1} ]]]", "raw"},
		{"unbalanced", "]]]]", "raw"},
		{"unclosed", "[[[[", "raw"},
		{"trailing garbage", `{"a":1} x`, "raw"},
		{"not utf-8 in json", "{\"name\":\"a\xffb\xc3\"}", "{\n  \"name\": \"a\uFFFDb\uFFFD\"\n}"},
		{"not utf-8 text", "a\xff\xfeb\xc3", "a\uFFFDb\uFFFD"},
		{"depth 64", paddedBody(64), "indent"},
		{"depth 65", paddedBody(65), "raw"},
		{"nested 9,990 deep", deepBody, "raw"},
		{"five nested 9,990 deep", fiveDeepBody, "raw"},
		{"empty arrays at depth 60", wideBody, "raw"},
		{"short keys at depth 30", keysBody, "raw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := prettyBody([]byte(tt.body))
			want := tt.want
			switch want {
			case "indent":
				want = indented(t, tt.body)
			case "raw":
				want = tt.body
			}
			if got != want {
				t.Errorf("prettyBody(%.80q) = %.200q, want %.200q", tt.body, got, want)
			}
			if len(got) > bodyLimit(len(tt.body)) {
				t.Errorf("%d bytes shown for a %d-byte body", len(got), len(tt.body))
			}
			if !utf8.ValidString(got) {
				t.Errorf("not UTF-8: %.80q", got)
			}
		})
	}
}

// TestPrettyBodyFixtures checks every provider fixture shows as json.Indent
// shows it, compact as providers send it and as the fixture file is.
func TestPrettyBodyFixtures(t *testing.T) {
	files, err := filepath.Glob("../handlers/webhooks/*/testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			continue
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, b); err != nil {
			t.Fatal(err)
		}
		for _, body := range []string{string(b), compact.String()} {
			if got, want := prettyBody([]byte(body)), indented(t, body); got != want {
				t.Errorf("%s: prettyBody = %q, want %q", f, got, want)
			}
		}
	}
}

// TestEventBodiesAreBounded renders the event log and a meeting's timeline
// with hostile bodies: each adds at most a constant factor of its size to
// the page and to the fragment pushed live.
func TestEventBodiesAreBounded(t *testing.T) {
	meta := Meta{Title: "Event log", Nav: "/events", LiveURL: "/live?topic=events"}
	withBody := func(body string) []models.RawEvent {
		return []models.RawEvent{{ID: 1, Provider: "videosdk", Type: "participant-joined", ReceivedAt: now,
			MeetingID: "kx7q", Outcome: models.OutcomeStored, Body: []byte(body)}}
	}
	shown := []struct {
		name  string
		frags func(events []models.RawEvent) []Fragment
	}{
		{"events", func(events []models.RawEvent) []Fragment { return EventsFragments(events, EventsPage{}) }},
		{"meeting", func(events []models.RawEvent) []Fragment { return MeetingFragments(sampleDetail(), events) }},
	}
	size := func(frags []Fragment) (page, fragments int) {
		var buf bytes.Buffer
		if err := Page(meta, frags).Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		for _, f := range frags {
			b, err := f.Render(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			fragments += len(b)
		}
		return buf.Len(), fragments
	}
	for _, v := range shown {
		basePage, baseFrags := size(v.frags(withBody("{}")))
		for name, body := range map[string]string{"nested 9,990 deep": deepBody, "five nested": fiveDeepBody, "wide": wideBody, "keys": keysBody} {
			page, frags := size(v.frags(withBody(body)))
			limit := bodyLimit(len(body))
			if page-basePage > limit || frags-baseFrags > limit {
				t.Errorf("%s, %s: a %d-byte body adds %d bytes to the page and %d to the fragments, want at most %d",
					v.name, name, len(body), page-basePage, frags-baseFrags, limit)
			}
		}
	}
}

// maxDepth is the deepest nesting of arrays and objects in valid JSON.
func maxDepth(t *testing.T, b []byte) int {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return deepest
		}
		if err != nil {
			t.Fatalf("valid JSON but Token: %v", err)
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
			deepest = max(deepest, depth)
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
}

// FuzzPrettyBody checks prettyBody's bound, that what it shows is UTF-8,
// and that it shows either the body as stored (invalid UTF-8 replaced) or
// exactly json.Indent's text, the latter whenever the body is JSON within
// the depth and size bounds.
func FuzzPrettyBody(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `[]`, `null`, ` 1 `, `"x"`, `{"a":[1,{"b":null}],"c":"d\"e\\"}`,
		"{\"a\":\"\xff\"}", "\xff[", `{"a":1} x`, "]]", nested(64, "1"), nested(65, "1"), nested(30, `{"a":0,"a":0}`),
		`{"webhookType":"recording-stopped","data":{"meetingId":"kx7q","filePath":"/rec/a.mp4","fileSize":1234}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got := prettyBody(body)
		if len(got) > bodyLimit(len(body)) {
			t.Fatalf("%d bytes shown for a %d-byte body", len(got), len(body))
		}
		if !utf8.ValidString(got) {
			t.Fatalf("not UTF-8: %q", got)
		}
		stored := bytes.ToValidUTF8(body, []byte("\uFFFD"))
		valid := json.Valid(stored)
		var ref bytes.Buffer
		if valid {
			if err := json.Indent(&ref, stored, "", "  "); err != nil {
				t.Fatalf("valid JSON but json.Indent: %v", err)
			}
		}
		if got != string(stored) {
			if !valid || got != ref.String() {
				t.Fatalf("prettyBody(%q) = %q: neither the body nor json.Indent's %q", body, got, ref.String())
			}
			var a, b bytes.Buffer
			if err := json.Compact(&a, []byte(got)); err != nil {
				t.Fatalf("shown JSON does not compact: %v", err)
			}
			json.Compact(&b, stored)
			if a.String() != b.String() {
				t.Fatalf("shown JSON compacts to %q, the body to %q", a.String(), b.String())
			}
		}
		if valid && ref.Len() <= bodyLimit(len(body)) && maxDepth(t, stored) <= bodyMaxDepth && got != ref.String() {
			t.Fatalf("prettyBody(%q) = %q, want json.Indent's %q", body, got, ref.String())
		}
	})
}

func BenchmarkPrettyBody(b *testing.B) {
	for _, bm := range []struct{ name, body string }{
		{"webhook", `{"webhookType":"participant-joined","data":{"meetingId":"kx7q-2m9d-p4tz","sessionId":"s1","participantId":"p1","participantName":"Ada Lovelace","timestamp":"2025-03-04T12:00:00Z","meta":{"tags":[],"role":"host"}}}`},
		{"nested 9,990 deep", deepBody},
		{"empty arrays at depth 60", wideBody},
	} {
		b.Run(bm.name, func(b *testing.B) {
			body := []byte(bm.body)
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				prettyBody(body)
			}
		})
	}
}
