package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The ingest workload: VideoSDK participant-joined and participant-left
// deliveries (the v2 shapes, key for key) across many meetings. Every
// participant id is new to the server (run id, worker, sequence), and a
// worker only lets go of participants it joined itself, so every delivery
// changes the models: no repeats, no no-ops.

var firstNames = []string{"Ada", "Bea", "Carlos", "Dmitri", "Elif", "Farah", "Gustavo", "Hana", "Ines", "Jonas",
	"Kofi", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tomoko", "Umar", "Vera", "Wei", "Yusuf", "Zoe"}

var leaveReasons = []string{"user-left", "user-left", "user-left", "network-disconnected", "removed-by-host"}

// runID is a short random tag that keeps ids unique across runs against
// the same database.
func runID(rng *rand.Rand) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	for i := range b {
		b[i] = chars[rng.IntN(len(chars))]
	}
	return string(b)
}

// meeting is one room of the workload, with VideoSDK-looking ids.
type meeting struct{ id, session string }

// poisonIDLength is the meeting id length of -poison's deliveries: over the
// dashboard's 256-byte bound, and past what PostgreSQL's btree indexes take
// (about 2,700 bytes), as the deliveries that once failed every commit.
const poisonIDLength = 3000

func makeMeetings(rng *rand.Rand, n int) []meeting {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	const hexd = "0123456789abcdef"
	ms := make([]meeting, n)
	for i := range ms {
		id := make([]byte, 14)
		for j := range id {
			id[j] = chars[rng.IntN(len(chars))]
		}
		id[4], id[9] = '-', '-'
		s := make([]byte, 24)
		for j := range s {
			s[j] = hexd[rng.IntN(len(hexd))]
		}
		ms[i] = meeting{id: string(id), session: string(s)}
	}
	return ms
}

type present struct {
	m        *meeting
	id, name string
}

// worker generates one worker's deliveries.
type worker struct {
	rng      *rand.Rand
	run      string
	n        int // worker number
	seq      int
	meetings []meeting
	present  []present
	buf      []byte
}

// maxPresent bounds how many people one worker keeps in rooms, so rooms
// stay at a realistic size however long the run.
const maxPresent = 8

func newWorker(seed uint64, run string, n int, meetings []meeting) *worker {
	return &worker{rng: rand.New(rand.NewPCG(seed, uint64(n))), run: run, n: n, meetings: meetings}
}

// next returns the next delivery body (valid until the following call) and
// its type.
func (w *worker) next() ([]byte, string) {
	if len(w.present) >= maxPresent || (len(w.present) > 0 && w.rng.IntN(2) == 0) {
		i := w.rng.IntN(len(w.present))
		p := w.present[i]
		w.present[i] = w.present[len(w.present)-1]
		w.present = w.present[:len(w.present)-1]
		w.buf = participantBody(w.buf[:0], "participant-left", p.m, p.id, p.name, leaveReasons[w.rng.IntN(len(leaveReasons))])
		return w.buf, "participant-left"
	}
	m := &w.meetings[w.rng.IntN(len(w.meetings))]
	w.seq++
	p := present{m: m,
		id:   w.run + strconv.FormatInt(int64(w.n), 36) + "x" + strconv.FormatInt(int64(w.seq), 36),
		name: firstNames[w.rng.IntN(len(firstNames))] + " " + string(rune('A'+w.rng.IntN(26))) + "."}
	w.present = append(w.present, p)
	w.buf = participantBody(w.buf[:0], "participant-joined", m, p.id, p.name, "")
	return w.buf, "participant-joined"
}

// participantBody appends a VideoSDK participant webhook. Ids and names are
// plain ASCII, quoted as JSON strings.
func participantBody(b []byte, typ string, m *meeting, id, name, reason string) []byte {
	b = append(b, `{"webhookType":`...)
	b = strconv.AppendQuote(b, typ)
	b = append(b, `,"data":{"meetingId":`...)
	b = strconv.AppendQuote(b, m.id)
	b = append(b, `,"sessionId":`...)
	b = strconv.AppendQuote(b, m.session)
	b = append(b, `,"participantId":`...)
	b = strconv.AppendQuote(b, id)
	b = append(b, `,"participantName":`...)
	b = strconv.AppendQuote(b, name)
	if reason != "" {
		b = append(b, `,"reason":`...)
		b = strconv.AppendQuote(b, reason)
	}
	return append(b, "}}"...)
}

// The push workload: one meeting, and a sliding window of participants
// whose names carry a marker. Step c (from 0) is a join of participant
// c/2+1 when c is even, and a leave of participant (c-1)/2 when it is odd,
// so after step c the room holds exactly:
//
//	c even: {c/2, c/2+1}     c odd: {(c+1)/2}     before step 0: {0}
//
// Each state is distinct, so a client can tell from any message which
// step it reflects, even when the server folds several steps into one
// render, and the page stays one room of one or two people however long
// the run.
type pushPlan struct {
	m      meeting
	prefix string // participant names are prefix + decimal index
}

func newPushPlan(rng *rand.Rand) pushPlan {
	run := runID(rng)
	return pushPlan{m: meeting{id: "lgpush-" + run, session: "lgpush-session-" + run}, prefix: "lgp" + run + "n"}
}

func (p pushPlan) name(i int) string { return p.prefix + strconv.Itoa(i) }

// setup is the join that comes before step 0.
func (p pushPlan) setup() []byte {
	return participantBody(nil, "participant-joined", &p.m, p.name(0), p.name(0), "")
}

// step is the body of step c.
func (p pushPlan) step(c int) []byte {
	if c%2 == 0 {
		i := c/2 + 1
		return participantBody(nil, "participant-joined", &p.m, p.name(i), p.name(i), "")
	}
	i := (c - 1) / 2
	return participantBody(nil, "participant-left", &p.m, p.name(i), p.name(i), "user-left")
}

// stateOf reads which step a pushed message reflects: -1 for the state
// before step 0, ok false when the message does not show the room's
// people (another fragment, or a state no step leads to).
func (p pushPlan) stateOf(msg []byte) (step int, ok bool) {
	lo, hi, n := -1, -1, 0
	pre := []byte(p.prefix)
	for i := 0; i+len(pre) <= len(msg); {
		j := bytes.Index(msg[i:], pre)
		if j < 0 {
			break
		}
		k := i + j + len(pre)
		v, digits := 0, 0
		for k < len(msg) && msg[k] >= '0' && msg[k] <= '9' && digits < 9 {
			v = v*10 + int(msg[k]-'0')
			k++
			digits++
		}
		i = k
		if digits == 0 {
			continue
		}
		switch {
		case n == 0:
			lo, hi, n = v, v, 1
		case v == lo || v == hi:
		case v < lo:
			lo, n = v, n+1
		case v > hi:
			hi, n = v, n+1
		default:
			n++
		}
	}
	switch {
	case n == 1:
		return 2*lo - 1, true
	case n == 2 && hi == lo+1:
		return 2 * lo, true
	}
	return 0, false
}

// answer is the part of a 2xx webhook answer loadgen reads.
type answer struct {
	Outcome string `json:"outcome"`
}

func outcomeOf(body []byte) string {
	var a answer
	if json.Unmarshal(body, &a) != nil || a.Outcome == "" {
		return "?"
	}
	return a.Outcome
}

func seedOr(seed uint64) uint64 {
	if seed != 0 {
		return seed
	}
	return uint64(time.Now().UnixNano())
}

func fmtMS(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

// load is what drives the ingest workload: one generator per worker, over
// the same meetings, and a keep-alive client for them all.
type load struct {
	workers []*worker
	client  *http.Client
	target  string
}

// newLoad makes cfg.Concurrency workers posting to base's VideoSDK webhook.
// stream keeps the ids of different modes apart for the same seed.
func newLoad(cfg config, base string, stream uint64) load {
	seed := seedOr(cfg.Seed)
	rng := rand.New(rand.NewPCG(seed, stream))
	run, meetings := runID(rng), makeMeetings(rng, cfg.Meetings)
	l := load{client: newHTTPClient(cfg.Concurrency, cfg.Timeout), target: base + "/webhooks/videosdk"}
	for i := range cfg.Concurrency {
		ms := meetings
		if i < cfg.Poison {
			// A meeting of its own, with an id over the dashboard's bound.
			ms = []meeting{{id: strings.Repeat("p", poisonIDLength-len(run)-4) + run + fmt.Sprintf("%04d", i), session: "s"}}
		}
		l.workers = append(l.workers, newWorker(seed, run, i, ms))
	}
	return l
}
