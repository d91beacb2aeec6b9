package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestLoopbackOnly(t *testing.T) {
	for host, want := range map[string]bool{"127.0.0.1": true, "127.9.9.9": true, "::1": true, "localhost": true,
		"LocalHost": true, "10.0.0.1": false, "example.com": false, "0.0.0.0": false, "": false} {
		if got := loopbackHost(host); got != want {
			t.Errorf("loopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
	if _, err := parseFlags([]string{"-url", "http://example.com:8080"}, io.Discard); err == nil {
		t.Error("a remote -url was accepted without -allow-remote")
	}
	if _, err := parseFlags([]string{"-url", "http://example.com:8080", "-allow-remote"}, io.Discard); err != nil {
		t.Errorf("-allow-remote: %v", err)
	}
	for _, args := range [][]string{{"-duration", "0"}, {"-duration", "2h"}, {"-n", "-1"}, {"-c", "0"}, {"-mode", "idle"}, {"-mode", "soak"},
		{"-mode", "soak", "-pid", "1", "-rate", "0"}, {"-mode", "soak", "-pid", "1", "-sample", "0s"}, {"-mode", "x"}} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%q was accepted", args)
		}
	}
}

// TestWorkloadChangesState replays a worker's deliveries against a model
// of the rooms: every join is of someone new, every leave of someone in
// the room, every body is the VideoSDK shape.
func TestWorkloadChangesState(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	meetings := makeMeetings(rng, 5)
	in := map[string]string{} // participant -> meeting
	seen := map[string]bool{}
	for n := range 3 {
		w := newWorker(7, "run1", n, meetings)
		for range 2000 {
			body, typ := w.next()
			var hook struct {
				Type string `json:"webhookType"`
				Data struct {
					MeetingID, SessionID, ParticipantID, ParticipantName, Reason string
				} `json:"data"`
			}
			if err := json.Unmarshal(body, &hook); err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			d := hook.Data
			if hook.Type != typ || d.MeetingID == "" || d.SessionID == "" || d.ParticipantID == "" || d.ParticipantName == "" {
				t.Fatalf("incomplete body: %s", body)
			}
			switch typ {
			case "participant-joined":
				if seen[d.ParticipantID] {
					t.Fatalf("participant %s joined twice", d.ParticipantID)
				}
				seen[d.ParticipantID] = true
				in[d.ParticipantID] = d.MeetingID
			case "participant-left":
				if in[d.ParticipantID] != d.MeetingID || d.Reason == "" {
					t.Fatalf("leave of someone not in that room: %s", body)
				}
				delete(in, d.ParticipantID)
			}
			if len(w.present) > maxPresent {
				t.Fatal("a worker keeps too many people in rooms")
			}
		}
	}
}

// TestPushPlanStates checks every state of the push room reads back as
// its step, from HTML shaped like the live-rooms fragment.
func TestPushPlanStates(t *testing.T) {
	p := newPushPlan(rand.New(rand.NewPCG(3, 4)))
	room := map[int]bool{0: true}
	render := func() []byte {
		var b bytes.Buffer
		fmt.Fprintf(&b, `<section id="rooms-live"><article data-meeting=%q><ul class="people">`, p.m.id)
		for i := range 1000 {
			if room[i] {
				fmt.Fprintf(&b, `<li class="chip">%s</li>`, p.name(i))
			}
		}
		b.WriteString(`</ul></article></section><section id="rooms-recent"></section>`)
		return b.Bytes()
	}
	if s, ok := p.stateOf(render()); !ok || s != -1 {
		t.Fatalf("initial state: %d %v", s, ok)
	}
	for c := range 400 {
		var hook struct {
			Type string `json:"webhookType"`
			Data struct{ ParticipantName string }
		}
		if err := json.Unmarshal(p.step(c), &hook); err != nil {
			t.Fatal(err)
		}
		i := 0
		fmt.Sscanf(strings.TrimPrefix(hook.Data.ParticipantName, p.prefix), "%d", &i)
		room[i] = hook.Type == "participant-joined"
		if s, ok := p.stateOf(render()); !ok || s != c {
			t.Fatalf("after step %d (%s %d) read state %d %v", c, hook.Type, i, s, ok)
		}
	}
	if _, ok := p.stateOf([]byte(`<section id="rooms-recent">nothing</section>`)); ok {
		t.Error("a message without the room read as a state")
	}
}

func TestNoopMode(t *testing.T) {
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, []string{"-mode", "noop", "-c", "4", "-n", "300"}, &out, io.Discard); err != nil {
		t.Fatal(err, out.String())
	}
	if !strings.Contains(out.String(), "loadgen mode=noop") || !strings.Contains(out.String(), "requests=300 ") ||
		!strings.Contains(out.String(), "status=200:300 ") {
		t.Errorf("summary: %s", out.String())
	}
}

// TestSoakMode runs a short soak against a stand-in dashboard (this
// process): webhooks at the asked rate, clients that keep receiving, and
// a memory reading per sample.
func TestSoakMode(t *testing.T) {
	var posts atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /webhooks/videosdk", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		posts.Add(1)
		w.Write([]byte(`{"outcome":"applied"}`))
	})
	mux.HandleFunc("GET /live", func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer c.CloseNow()
		for ctx := r.Context(); ; {
			if err := c.Write(ctx, websocket.MessageText, []byte("<section id=rooms-live></section>")); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := []string{"-mode", "soak", "-url", srv.URL, "-pid", strconv.Itoa(os.Getpid()), "-duration", "2s", "-sample", "500ms",
		"-rate", "100", "-c", "4", "-clients", "5"}
	if err := run(ctx, args, &out, io.Discard); err != nil {
		t.Fatal(err, out.String())
	}
	text := out.String()
	if !strings.Contains(text, "loadgen mode=soak") || !strings.HasSuffix(strings.TrimSpace(text), "clients_left=5") || !strings.Contains(text, "failed=0 ") {
		t.Errorf("summary: %s", text)
	}
	if n := posts.Load(); n < 100 || n > 250 {
		t.Errorf("%d webhooks in 2 s at 100/s", n)
	}
	if samples := strings.Count(text, " min  RSS "); samples < 4 {
		t.Errorf("%d samples in 2 s at one per 500 ms:\n%s", samples, text)
	}
}

// TestBodiesMode runs the bodies mode against a server that reads each
// body as it arrives, with this process as the "dashboard" measured.
func TestBodiesMode(t *testing.T) {
	var pending atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /webhooks/videosdk", func(w http.ResponseWriter, r *http.Request) {
		pending.Add(1)
		defer pending.Add(-1)
		io.Copy(io.Discard, r.Body)
		w.Write([]byte(`{"outcome":"applied"}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := []string{"-mode", "bodies", "-url", srv.URL, "-pid", strconv.Itoa(os.Getpid()), "-clients", "20", "-settle", "300ms"}
	if err := run(ctx, args, &out, io.Discard); err != nil {
		t.Fatal(err, out.String())
	}
	text := out.String()
	if !strings.Contains(text, "loadgen mode=bodies") || !strings.Contains(text, " opened=20 ") || !strings.Contains(text, "webhooks_ok=20 webhooks_failed=0") {
		t.Errorf("summary: %s", text)
	}
}
