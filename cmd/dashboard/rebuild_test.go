package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models/dbtest"
)

// delivery is one webhook to post: the provider's path and the body.
type delivery struct {
	provider string
	body     []byte
}

// iotumToken is the signing token the rebuild test's dashboard checks.
const iotumToken = "tok-rebuild"

// TestRebuildReproducesTheModels posts every documented delivery of the
// three providers, shuffled and some of them twice, reads every meeting,
// the meeting list and the event log through the API, then runs
// `dashboard rebuild` on the same database while the server keeps running
// and taking more deliveries. Afterwards the API must answer exactly as
// before for everything posted before the rebuild: the models are derived
// from the log alone, times included (they come from the stored
// received_at, not from when the projector ran), and so are the events'
// outcomes. The deliveries posted during the rebuild must be accepted and
// applied, and a second rebuild, with no traffic, must reproduce their
// meetings too.
func TestRebuildReproducesTheModels(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dbURL string) {
		signer, secret := newDailySigner(t)
		env := map[string]string{"DATABASE_URL": dbURL, "DAILY_WEBHOOK_SECRET": secret, "IOTUM_SIGNING_TOKEN": iotumToken}
		s := start(t, env)
		post := func(d delivery) reply {
			t.Helper()
			var h map[string]string
			switch d.provider {
			case "daily":
				h = signer.headers(d.body, time.Now())
			case "iotum":
				h = map[string]string{"x-signing-token": iotumToken}
			}
			r := s.postTo(t, d.provider, d.body, h)
			if r.Status != http.StatusOK || (r.Body["outcome"] != "accepted" && r.Body["outcome"] != "duplicate") {
				t.Fatalf("POST %s %s: %d %s", d.provider, d.body, r.Status, r.Raw)
			}
			return r
		}

		stream := rebuildStream(t)
		for _, d := range stream {
			post(d)
		}
		before := readModels(t, s, nil)
		logged := len(before.events)
		t.Logf("%d deliveries posted, %d logged, %d meetings", len(stream), logged, len(before.meetings))
		if len(before.meetings) < 3 {
			t.Fatalf("only %d meetings from the fixtures of three providers: %s", len(before.meetings), before.list)
		}

		// The rebuild runs beside the server, on the same database; once it
		// has emptied the models, more deliveries arrive.
		out := &syncBuffer{}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"rebuild"}, func(k string) string { return env[k] }, nil, out, io.Discard)
		}()
		waitWhileRunning(t, done, func() bool { return strings.Contains(out.String(), "rebuilding the models from") }, "the rebuild to start")
		var during []reply
		for _, d := range duringRebuild(t) {
			during = append(during, post(d))
		}
		select {
		case err := <-done:
			t.Errorf("the rebuild returned (%v) before the deliveries posted during it were accepted: they were not posted during a rebuild", err)
		default:
		}
		if err := <-done; err != nil {
			t.Fatalf("rebuild: %v\n%s", err, out)
		}
		t.Logf("rebuild output:\n%s", out)
		if want := fmt.Sprintf("rebuilding the models from %d events", logged); !strings.Contains(out.String(), want) {
			t.Errorf("rebuild output does not say %q:\n%s", want, out)
		}
		if !regexp.MustCompile(`(?m)^rebuilt in `).MatchString(out.String()) {
			t.Errorf("rebuild output does not say it finished:\n%s", out)
		}

		for i, r := range during {
			if got := s.applied(t, r); got != "applied" {
				t.Errorf("delivery %d posted during the rebuild: outcome %q, want applied (%s)", i, got, r.Raw)
			}
		}
		after := readModels(t, s, before.ids)
		before.compare(t, "after the rebuild", after)

		// The meetings of the deliveries posted during the rebuild, which
		// the projector took in while it caught up, hold their participant,
		// and read the same after a rebuild with nothing else going on.
		whole := readModels(t, s, nil)
		var newIDs []meetingRef
		for _, id := range whole.ids {
			if before.has(id) {
				continue
			}
			newIDs = append(newIDs, id)
			var d struct{ Participants []struct{ Present bool } }
			json.Unmarshal([]byte(whole.meetings[id]), &d)
			if len(d.Participants) != 1 || !d.Participants[0].Present {
				t.Errorf("meeting %v of a delivery posted during the rebuild: %s", id, whole.meetings[id])
			}
		}
		if len(newIDs) != 3 {
			t.Errorf("the deliveries posted during the rebuild made %d new meetings, want 3: %v", len(newIDs), newIDs)
		}
		out2 := &syncBuffer{}
		if err := run(ctx, []string{"rebuild"}, func(k string) string { return env[k] }, nil, out2, io.Discard); err != nil {
			t.Fatalf("second rebuild: %v\n%s", err, out2)
		}
		if want := fmt.Sprintf("rebuilding the models from %d events", logged+len(during)); !strings.Contains(out2.String(), want) {
			t.Errorf("second rebuild output does not say %q:\n%s", want, out2)
		}
		whole.compare(t, "after a second rebuild", readModels(t, s, nil))
	})
}

// rebuildStream is every documented delivery of the three providers
// (VideoSDK v2, Daily and iotum fixtures), every third one twice,
// shuffled with a fixed seed.
func rebuildStream(t *testing.T) []delivery {
	t.Helper()
	var all []delivery
	for _, b := range v2Fixtures(t) {
		all = append(all, delivery{"videosdk", b})
	}
	for _, b := range storyFixtures(t, "daily", "event_ts") {
		all = append(all, delivery{"daily", b})
	}
	for _, b := range storyFixtures(t, "iotum", "timestamp") {
		all = append(all, delivery{"iotum", b})
	}
	n := len(all)
	for i := 0; i < n; i += 3 {
		all = append(all, all[i])
	}
	rng := mrand.New(mrand.NewSource(11))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all
}

// duringRebuild is a delivery of each provider for a meeting of its own,
// made from a fixture: a participant joining.
func duringRebuild(t *testing.T) []delivery {
	t.Helper()
	read := func(provider, path string, oldNew ...string) delivery {
		b, err := os.ReadFile("../../handlers/webhooks/" + path)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(oldNew); i += 2 {
			if !bytes.Contains(b, []byte(oldNew[i])) {
				t.Fatalf("%s lacks %q", path, oldNew[i])
			}
			b = bytes.ReplaceAll(b, []byte(oldNew[i]), []byte(oldNew[i+1]))
		}
		return delivery{provider, b}
	}
	return []delivery{
		read("videosdk", "videosdk/testdata/v2/participant-joined.json", "jvsg-8rjn-j304", "rbld-8rjn-j304"),
		read("daily", "daily/testdata/participant.joined.json", "consult-42", "consult-rebuild", "ptcpt-join-", "ptcpt-join-rebuild-"),
		read("iotum", "iotum/testdata/enter_conference.json", "1258835", "7258835"),
	}
}

// meetingRef names a meeting in the API.
type meetingRef struct{ provider, id string }

// apiView is what the API answers about the models and the event log.
type apiView struct {
	// ids are the meetings read, in the list's order.
	ids []meetingRef
	// meetings is GET /api/meetings/<id>?provider= of each, normalised.
	meetings map[meetingRef]string
	// list is GET /api/meetings of them, normalised.
	list string
	// events is each event of GET /api/events by id, normalised.
	events map[float64]string
}

// readModels reads the meetings in only (all when nil), the meeting list
// restricted to them, and the whole event log.
func readModels(t *testing.T, s *server, only []meetingRef) apiView {
	t.Helper()
	get := func(path string) map[string]any {
		t.Helper()
		r := s.do(t, "GET", path, nil, nil)
		if r.Status != http.StatusOK || r.Body["behind"] != nil {
			t.Fatalf("GET %s: %d %s", path, r.Status, r.Raw)
		}
		return r.Body
	}
	m := apiView{meetings: map[meetingRef]string{}, events: map[float64]string{}}
	want := map[meetingRef]bool{}
	for _, id := range only {
		want[id] = true
	}
	var list []any
	for _, e := range get("/api/meetings?limit=500")["meetings"].([]any) {
		mt := e.(map[string]any)
		id := meetingRef{mt["provider"].(string), mt["meetingId"].(string)}
		if only != nil && !want[id] {
			continue
		}
		m.ids = append(m.ids, id)
		list = append(list, mt)
	}
	m.list = canonical(list)
	for _, id := range m.ids {
		m.meetings[id] = canonical(get("/api/meetings/" + url.PathEscape(id.id) + "?provider=" + url.QueryEscape(id.provider)))
	}
	for _, e := range get("/api/events?limit=500")["events"].([]any) {
		ev := e.(map[string]any)
		m.events[ev["id"].(float64)] = canonical(ev)
	}
	return m
}

// has reports whether the meeting was read.
func (m apiView) has(id meetingRef) bool {
	_, ok := m.meetings[id]
	return ok
}

// compare requires got to answer as m does for every meeting and event m
// holds.
func (m apiView) compare(t *testing.T, when string, got apiView) {
	t.Helper()
	if m.list != got.list {
		t.Errorf("%s the meeting list differs:\nbefore %s\nafter  %s", when, m.list, got.list)
	}
	for _, id := range m.ids {
		if a, b := m.meetings[id], got.meetings[id]; a != b {
			t.Errorf("%s meeting %v differs:\nbefore %s\nafter  %s", when, id, a, b)
		}
	}
	for id, a := range m.events {
		if b := got.events[id]; a != b {
			t.Errorf("%s event %v differs:\nbefore %s\nafter  %s", when, id, a, b)
		}
	}
}

// canonical is v as JSON, object keys sorted. Nothing is dropped: the
// answers carry no database row ids (the events' ids are the log's own,
// which a rebuild keeps), and every time in them comes from the log.
func canonical(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// waitWhileRunning waits until cond holds, failing if the command reports
// on done first or 20 s pass.
func waitWhileRunning(t *testing.T, done chan error, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		select {
		case err := <-done:
			t.Fatalf("waiting for %s, the command returned: %v", what, err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: timed out", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
