package main

import (
	"container/heap"
	"math/rand/v2"
	"slices"
	"time"
)

// The simulated world runs on a virtual clock: every room schedules its next
// steps as timed actions on one min-heap, and the run loop pops them in time
// order, pacing the resulting webhooks at -rate. So the mix is reproducible
// from -seed, whatever the network does, and -rate sets the pace exactly;
// the virtual delays below only decide how the rooms interleave. At the
// defaults (-rate 5, 6 rooms) a virtual second lasts about 0.7 real ones: a
// room lives about three minutes and some 150 webhooks, and a job's stages
// come 2 to 5 seconds apart.
//
// About -rooms rooms are live at any -rate: the first all start within
// firstRooms (some two webhooks a room), and a room that ends is followed
// by a new one a few seconds later. More rooms at the same -rate make the
// virtual clock, and so each room's life, slower in real time.

// Room lifetime and pacing, in virtual time.
const (
	roomMinLife = 180 * time.Second // from session-started to the start of closing
	roomMaxLife = 300 * time.Second
	stageMin    = 3 * time.Second // between consecutive stages of a job
	stageMax    = 8 * time.Second
	arrivalMean = 2 * time.Second  // between guests joining
	stayMin     = 30 * time.Second // how long a guest stays
	stayMax     = 120 * time.Second
	peopleMin   = 10 // the most people in a room at once, at least
	peopleMax   = 30
	firstRooms  = 3 * time.Second // the first rooms start within it
)

// meetingPool is the fixed set of meeting ids rooms are opened under, so
// the same meetings come back with new sessions.
var meetingPool = [...]string{
	"demo-ujzd-e8gx", "demo-d6nc-f10e", "demo-pf91-dhod", "demo-zdoc-9is0", "demo-j8ht-9lgm",
	"demo-xg9e-dn58", "demo-1u33-xtpl", "demo-pft7-5v2s", "demo-eh60-kvj5", "demo-0ce9-uvw5",
	"demo-3efr-4edt", "demo-2syw-b3wk", "demo-h5dn-sipz", "demo-z5fk-2z9r", "demo-i19r-0wyo",
	"demo-jflj-ooa5", "demo-lqsa-j08x", "demo-ui6d-39zz", "demo-zzg4-zdme", "demo-n2kh-vdga",
}

var names = [...]string{
	"Aisha Khan", "Liam O'Connor", "Sofia Rossi", "Kenji Tanaka", "Fatima Zahra", "Mateo García",
	"Emma Schmidt", "Noah Williams", "Priya Sharma", "Lucas Martin", "Chloé Dubois", "Arjun Patel",
	"Olivia Brown", "Ethan Johnson", "Mei Lin", "Yusuf Demir", "Hannah Müller", "Diego Fernández",
	"Amara Okafor", "Lars Nilsson", "Ingrid Johansson", "Tomasz Nowak", "Elena Petrova", "Rahul Verma",
	"Grace Kim", "Jonas Becker", "Zoe Anderson", "Omar Haddad", "Leila Ahmadi", "Samuel Mensah",
	"Isabella Costa", "Hiroshi Sato", "Ana Silva", "Daniel Cohen", "Nora Larsen", "Pedro Alves",
	"Chen Wei", "Fatou Diallo", "Jakub Kowalski", "Maya Goldberg", "Ravi Iyer", "Sara Lindqvist",
	"Tariq Aziz", "Julia Novak", "Kwame Asante", "Lucía Romero", "Felix Wagner", "Aiko Yamamoto",
	"Victor Moreau", "Nadia Benali",
}

// action is one timed step on the virtual clock.
type action struct {
	at   time.Duration
	seq  uint64 // breaks ties in scheduling order
	room *room
	run  func() []webhook
}

type actionHeap []*action

func (h actionHeap) Len() int { return len(h) }
func (h actionHeap) Less(i, j int) bool {
	return h[i].at < h[j].at || h[i].at == h[j].at && h[i].seq < h[j].seq
}
func (h actionHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *actionHeap) Push(x any)   { *h = append(*h, x.(*action)) }
func (h *actionHeap) Pop() any {
	old := *h
	a := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return a
}

// scheduler is the virtual clock and the actions waiting on it.
type scheduler struct {
	now  time.Duration
	seq  uint64
	heap actionHeap
}

func (s *scheduler) after(d time.Duration, r *room, run func() []webhook) {
	s.seq++
	heap.Push(&s.heap, &action{at: s.now + d, seq: s.seq, room: r, run: run})
}

func (s *scheduler) pop() (*action, bool) {
	if len(s.heap) == 0 {
		return nil, false
	}
	a := heap.Pop(&s.heap).(*action)
	s.now = a.at
	return a, true
}

type jobKind int

const (
	kindRecording jobKind = iota
	kindHLS
	kindLivestream
	kindTranscription
	kindTrack
	kindAgent
	kindCall
)

// prefix is the webhookType family of a job kind.
var prefix = map[jobKind]string{
	kindRecording:     "recording-",
	kindHLS:           "hls-",
	kindLivestream:    "livestream-",
	kindTranscription: "transcription-",
	kindTrack:         "participant-track-recording-",
	kindAgent:         "agent-session-",
	kindCall:          "call-",
}

// job is a recording, stream, transcription, agent session or call: a fixed
// path of stages sent one after the other, with a long run before the stage
// that ends it, and perhaps a failure in place of one stage.
type job struct {
	kind      jobKind
	id        string
	stages    []string
	pos       int           // index of the last stage sent; -1 before the first
	runBefore int           // the stage that waits for the run to end; -1 for none
	runFor    time.Duration // how long the run lasts unless stopped
	failAt    int           // the stage replaced by "failed"; -1 when the job succeeds
	gen       int           // bumped when the pending step is rescheduled
	stop      bool          // stop requested: no more long run
	done      bool

	p         *participant // track recording: whose; call: the SIP participant once answered
	track     string       // track recording: audio or video
	format    string       // track recording: file format
	fileID    string       // recording: file name
	encrypted bool
	hlsPath   string // HLS: the uuid in the playback URLs
	agent     agentIdentity
	call      callInfo
}

type agentIdentity struct{ agentID, deploymentID, versionID string }

type callInfo struct{ direction, to, from, gateway, rule, external string }

type participant struct {
	id, name string
	host     bool
	sip      bool
	present  bool
	visit    int             // bumped on each join, so stale leaves are skipped
	tracks   map[string]bool // track kinds already recorded this session
}

// room is one meeting session: opened with session-started, closed with
// session-ended once everyone has left and every job has finished.
type room struct {
	meetingID, sessionID string
	start                time.Time
	maxPeople            int
	started              bool // session-started sent
	closing              bool // no more joins or new jobs; everyone leaves
	ending               bool // session-ended scheduled
	closed               bool
	people               []*participant
	jobs                 []*job
	names                map[string]bool
}

func (r *room) present() int {
	n := 0
	for _, p := range r.people {
		if p.present {
			n++
		}
	}
	return n
}

func (r *room) active(kind jobKind) bool {
	for _, j := range r.jobs {
		if j.kind == kind && !j.done {
			return true
		}
	}
	return false
}

// world holds every room and the scheduler that drives them. Only the run
// loop's goroutine touches it.
type world struct {
	rng      *rand.Rand
	fail     float64
	sched    scheduler
	rooms    []*room // opened or about to open, in opening order
	busy     map[string]bool
	out      []webhook // produced by the last action, not yet taken
	agents   []agentIdentity
	gateways []string
	ourLines []string
	draining bool

	opened, closed int
}

// newWorld opens the first rooms, their starts spread over firstRooms:
// their lifetimes, from roomMinLife to roomMaxLife, keep them from all
// ending together.
func newWorld(rng *rand.Rand, rooms int, fail float64) *world {
	w := &world{rng: rng, fail: fail, busy: map[string]bool{}}
	for range 3 {
		w.agents = append(w.agents, agentIdentity{"ag_" + w.alnum(8), "dep_" + w.alnum(8), "v_" + w.alnum(8)})
	}
	for range 2 {
		w.gateways = append(w.gateways, w.hex(4)+"-"+w.hex(4)+"-"+w.hex(4)+"-"+w.hex(4)+"-"+w.hex(4))
		w.ourLines = append(w.ourLines, w.phone())
	}
	for i := range rooms {
		w.openRoom(firstRooms*time.Duration(i)/time.Duration(max(rooms, 1)) + w.between(0, time.Second))
	}
	return w
}

// liveRooms counts the rooms between session-started and session-ended.
func (w *world) liveRooms() int {
	n := 0
	for _, r := range w.rooms {
		if r.started && !r.closed {
			n++
		}
	}
	return n
}

// next runs actions until one produces a webhook and returns it.
func (w *world) next() webhook {
	for len(w.out) == 0 {
		a, ok := w.sched.pop()
		if !ok { // cannot happen while rooms reopen; keep the world alive anyway
			w.openRoom(time.Second)
			continue
		}
		w.out = append(w.out, a.run()...)
		if a.room != nil {
			w.maybeEnd(a.room)
		}
	}
	wh := w.out[0]
	w.out = w.out[1:]
	return wh
}

// drain closes every open room at once, in order: jobs stop, participants
// leave, session-ended. Rooms not yet started are dropped. It returns what
// is left to send, oldest first; the world opens no room after it.
func (w *world) drain() []webhook {
	w.draining = true
	out := w.out
	w.out = nil
	for _, r := range slices.Clone(w.rooms) {
		out = append(out, w.closeNow(r)...)
	}
	return out
}

// Random helpers.

func (w *world) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(w.rng.Int64N(int64(hi-lo)+1))
}

func (w *world) chance(p float64) bool { return w.rng.Float64() < p }

// Rooms.

func (w *world) pickMeeting() string {
	var free []string
	for _, m := range meetingPool {
		if !w.busy[m] {
			free = append(free, m)
		}
	}
	if len(free) == 0 { // more rooms than the pool: make one up
		return "demo-" + w.alnum(4) + "-" + w.alnum(4)
	}
	return free[w.rng.IntN(len(free))]
}

func (w *world) openRoom(delay time.Duration) {
	r := &room{meetingID: w.pickMeeting(), sessionID: w.hex(24), names: map[string]bool{}}
	w.busy[r.meetingID] = true
	w.rooms = append(w.rooms, r)
	w.sched.after(delay, r, func() []webhook { return w.startSession(r) })
}

func (w *world) startSession(r *room) []webhook {
	if r.closed {
		return nil
	}
	r.started, r.start = true, time.Now()
	r.maxPeople = peopleMin + w.rng.IntN(peopleMax-peopleMin+1)
	w.opened++
	host := w.newParticipant(r)
	host.host = true
	w.sched.after(w.between(500*time.Millisecond, 2*time.Second), r, func() []webhook { return w.join(r, host) })
	for range 1 + w.rng.IntN(3) {
		w.sched.after(w.between(2*time.Second, 15*time.Second), r, func() []webhook { return w.arrive(r, false) })
	}
	w.sched.after(w.between(10*time.Second, 20*time.Second), r, func() []webhook { return w.arrive(r, true) })
	features := []struct {
		p      float64
		lo, hi time.Duration
		kind   jobKind
	}{
		{0.7, 5 * time.Second, 30 * time.Second, kindRecording},
		{0.45, 10 * time.Second, 50 * time.Second, kindHLS},
		{0.25, 15 * time.Second, 60 * time.Second, kindLivestream},
		{0.5, 10 * time.Second, 40 * time.Second, kindTranscription},
		{0.35, 3 * time.Second, 20 * time.Second, kindAgent},
		{0.2, 20 * time.Second, 80 * time.Second, kindCall},
	}
	for _, f := range features {
		if w.chance(f.p) {
			w.sched.after(w.between(f.lo, f.hi), r, func() []webhook { return w.startJob(r, f.kind, nil, "") })
		}
	}
	w.sched.after(w.between(roomMinLife, roomMaxLife), r, func() []webhook { w.beginClose(r); return nil })
	return []webhook{{"session-started", sessionStartedData{r.sessionID, r.meetingID, stamp(r.start)}}}
}

// beginClose starts the natural end of a room: every job is asked to stop
// and every participant leaves within the next 20 seconds.
func (w *world) beginClose(r *room) {
	if r.closing || r.closed {
		return
	}
	r.closing = true
	for _, j := range r.jobs {
		w.requestStop(r, j)
	}
	for _, p := range r.people {
		if p.present && !p.sip { // SIP participants leave when their call hangs up
			visit := p.visit
			w.sched.after(w.between(2*time.Second, 20*time.Second), r, func() []webhook {
				return w.leave(r, p, visit, w.pick([]string{"user-left", "user-left", "user-left", "user-left", "connection-error", "UNKNOWN"}))
			})
		}
	}
}

// maybeEnd schedules session-ended once a closing room is empty and idle.
func (w *world) maybeEnd(r *room) {
	if !r.started || !r.closing || r.ending || r.closed || r.present() > 0 {
		return
	}
	for _, j := range r.jobs {
		if !j.done {
			return
		}
	}
	r.ending = true
	w.sched.after(w.between(time.Second, 3*time.Second), r, func() []webhook {
		if r.closed {
			return nil
		}
		out := w.endSession(r)
		if !w.draining {
			w.openRoom(w.between(2*time.Second, 10*time.Second))
		}
		return out
	})
}

func (w *world) endSession(r *room) []webhook {
	r.closed = true
	w.closed++
	delete(w.busy, r.meetingID)
	w.rooms = slices.DeleteFunc(w.rooms, func(x *room) bool { return x == r })
	return []webhook{{"session-ended", sessionEndedData{
		SessionID: r.sessionID, MeetingID: r.meetingID, Start: stamp(r.start), End: stamp(time.Now()), Reason: "Meeting Ended.",
	}}}
}

// closeNow closes a room immediately, sending what a real close would.
func (w *world) closeNow(r *room) []webhook {
	if r.closed {
		return nil
	}
	if !r.started {
		r.closed = true
		delete(w.busy, r.meetingID)
		w.rooms = slices.DeleteFunc(w.rooms, func(x *room) bool { return x == r })
		return nil
	}
	r.closing = true
	var out []webhook
	for _, j := range r.jobs {
		w.requestStop(r, j)
		for !j.done {
			out = append(out, w.advance(r, j)...)
		}
	}
	for _, p := range r.people {
		if p.present {
			out = append(out, w.leave(r, p, p.visit, "user-left")...)
		}
	}
	return append(out, w.endSession(r)...)
}

// Participants.

func (w *world) pick(from []string) string { return from[w.rng.IntN(len(from))] }

func (w *world) newParticipant(r *room) *participant {
	name := w.pick(names[:])
	for i := 0; r.names[name] && i < 5; i++ {
		name = w.pick(names[:])
	}
	r.names[name] = true
	p := &participant{id: w.alnum(6), name: name, tracks: map[string]bool{}}
	r.people = append(r.people, p)
	return p
}

// arrive lets a new guest in if there is room; when again, it also
// schedules the next arrival.
func (w *world) arrive(r *room, again bool) []webhook {
	if r.closing || r.closed {
		return nil
	}
	if again {
		next := time.Second + time.Duration(w.rng.ExpFloat64()*float64(arrivalMean))
		w.sched.after(next, r, func() []webhook { return w.arrive(r, true) })
	}
	if r.present() >= r.maxPeople {
		return nil
	}
	return w.join(r, w.newParticipant(r))
}

func (w *world) join(r *room, p *participant) []webhook {
	if r.closing || r.closed || p.present {
		return nil
	}
	p.present = true
	p.visit++
	if !p.host && !p.sip {
		visit := p.visit
		w.sched.after(w.between(stayMin, stayMax), r, func() []webhook {
			reason := "user-left"
			switch x := w.rng.Float64(); {
			case x < 0.15:
				reason = "connection-error"
			case x < 0.20:
				reason = "kicked"
			case x < 0.30:
				reason = "UNKNOWN"
			}
			return w.leave(r, p, visit, reason)
		})
	}
	if !p.sip && w.chance(0.06) {
		for _, kind := range []string{"audio", "video"} {
			if kind == "audio" || w.chance(0.4) {
				w.sched.after(w.between(3*time.Second, 10*time.Second), r, func() []webhook { return w.startJob(r, kindTrack, p, kind) })
			}
		}
	}
	return []webhook{{"participant-joined", participantData{r.meetingID, r.sessionID, p.id, p.name, ""}}}
}

func (w *world) leave(r *room, p *participant, visit int, reason string) []webhook {
	if r.closed || !p.present || p.visit != visit {
		return nil
	}
	p.present = false
	for _, j := range r.jobs {
		if j.kind == kindTrack && j.p == p {
			w.requestStop(r, j)
		}
	}
	if !r.closing && !p.host && !p.sip {
		rejoin := map[string]float64{"connection-error": 0.8, "UNKNOWN": 0.5, "user-left": 0.1}[reason]
		if w.chance(rejoin) {
			lo, hi := 3*time.Second, 15*time.Second
			if reason == "user-left" {
				lo, hi = 20*time.Second, 60*time.Second
			}
			w.sched.after(w.between(lo, hi), r, func() []webhook { return w.join(r, p) })
		}
	}
	return []webhook{{"participant-left", participantData{r.meetingID, r.sessionID, p.id, p.name, reason}}}
}

// Jobs.

// startJob begins a job of a kind in a room; p and track are for track
// recordings. At most one job of each room-wide kind runs at a time.
func (w *world) startJob(r *room, kind jobKind, p *participant, track string) []webhook {
	if r.closing || r.closed {
		return nil
	}
	j := &job{kind: kind, pos: -1, failAt: -1}
	switch kind {
	case kindTrack:
		if !p.present || p.tracks[track] {
			return nil
		}
		p.tracks[track] = true
		j.p, j.track, j.format = p, track, map[string]string{"audio": "webm", "video": "mp4"}[track]
		j.stages, j.runFor = []string{"starting", "started", "stopping", "stopped"}, w.between(30*time.Second, 120*time.Second)
	default:
		if r.active(kind) {
			return nil
		}
	}
	switch kind {
	case kindRecording:
		j.id, j.fileID, j.encrypted = w.hex(24), w.hex(24), w.chance(0.25)
		j.stages, j.runFor = []string{"starting", "started", "stopping", "stopped"}, w.between(40*time.Second, 150*time.Second)
	case kindHLS:
		j.id, j.hlsPath = w.hex(24), w.uuid()
		j.stages, j.runFor = []string{"starting", "started", "playable", "stopping", "stopped"}, w.between(60*time.Second, 180*time.Second)
	case kindLivestream:
		j.id = w.hex(24)
		j.stages, j.runFor = []string{"starting", "started", "stopping", "stopped"}, w.between(40*time.Second, 150*time.Second)
	case kindTranscription:
		j.id = w.uuid()
		j.stages, j.runFor = []string{"started", "stopped"}, w.between(60*time.Second, 200*time.Second)
	case kindAgent:
		j.id, j.agent = w.hex(24), w.agents[w.rng.IntN(len(w.agents))]
		j.stages, j.runFor = []string{"starting", "started", "stopping", "stopped"}, w.between(40*time.Second, 160*time.Second)
	case kindCall:
		external, ours := w.phone(), w.pick(w.ourLines)
		j.id = w.uuid()
		j.call = callInfo{direction: "outbound", to: external, from: ours, gateway: w.pick(w.gateways), rule: "rr_" + w.hex(16), external: external}
		if w.chance(0.5) {
			j.call.direction, j.call.to, j.call.from = "inbound", ours, external
		}
		j.stages, j.runFor = []string{"started", "ringing", "answered", "hangup"}, w.between(20*time.Second, 90*time.Second)
		if w.chance(0.2) {
			j.stages = []string{"started", "ringing", "missed"}
		}
	}
	j.runBefore = slices.IndexFunc(j.stages, func(s string) bool { return s == "stopping" || s == "hangup" })
	if kind == kindTranscription {
		j.runBefore = 1
	}
	switch kind {
	case kindRecording, kindHLS, kindLivestream, kindTrack:
		if w.chance(w.fail) {
			j.failAt = 1 + w.rng.IntN(len(j.stages)-1)
		}
	}
	r.jobs = append(r.jobs, j)
	out := w.advance(r, j)
	w.schedStep(r, j)
	return out
}

// schedStep schedules j's next stage: after its run for the stage that
// ends the run (unless a stop was asked for), a few seconds otherwise.
func (w *world) schedStep(r *room, j *job) {
	if j.done {
		return
	}
	d := w.between(stageMin, stageMax)
	if j.pos+1 == j.runBefore && !j.stop {
		d = j.runFor
	}
	gen := j.gen
	w.sched.after(d, r, func() []webhook {
		if r.closed || j.done || j.gen != gen {
			return nil
		}
		out := w.advance(r, j)
		w.schedStep(r, j)
		return out
	})
}

// requestStop cuts a job's run short; a call not yet answered is missed.
func (w *world) requestStop(r *room, j *job) {
	if j.done || j.stop {
		return
	}
	j.stop = true
	if j.kind == kindCall && j.pos < 2 {
		j.stages = []string{"started", "ringing", "missed"}
		j.runBefore = -1
	}
	if j.pos+1 == j.runBefore { // waiting out the run: step again soon
		j.gen++
		w.schedStep(r, j)
	}
}

// advance sends j's next stage, or its failure.
func (w *world) advance(r *room, j *job) []webhook {
	j.pos++
	stage := j.stages[j.pos]
	if j.pos == j.failAt {
		stage = "failed"
	}
	if stage == "failed" || j.pos == len(j.stages)-1 {
		j.done = true
	}
	out := []webhook{{prefix[j.kind] + stage, w.payload(r, j, stage)}}
	if j.kind == kindCall {
		switch stage {
		case "answered":
			if !r.closing {
				j.p = &participant{id: w.alnum(6), name: "SIP " + j.call.external, sip: true, tracks: map[string]bool{}}
				r.people = append(r.people, j.p)
				out = append(out, w.join(r, j.p)...)
			}
		case "hangup":
			if j.p != nil && j.p.present {
				out = append(out, w.leave(r, j.p, j.p.visit, "user-left")...)
			}
		}
	}
	if j.done && !r.closing && (j.kind == kindRecording || j.kind == kindHLS) && w.chance(0.35) {
		w.sched.after(w.between(15*time.Second, 60*time.Second), r, func() []webhook { return w.startJob(r, j.kind, nil, "") })
	}
	return out
}
