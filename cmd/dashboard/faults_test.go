package main

// Fault tests: the dashboard killed with SIGKILL under load, and its
// PostgreSQL server going away and coming back. Both check the promise of
// the README's Durability section: a 2xx is only sent for a delivery that is
// committed, so every acknowledged delivery is stored, exactly once.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models/dbtest"
)

// faultDelivery is one webhook a poster sent and what became of it.
type faultDelivery struct {
	participant string
	meeting     string
	status      int    // 0: no answer (connection error)
	eventID     uint64 // from a 2xx answer
	err         error
	// phase is the test's phase when the request was sent and when its
	// answer (or error) came.
	phaseSent, phaseDone int32
	sent                 time.Time
}

func (d faultDelivery) acked() bool { return d.status >= 200 && d.status < 300 }

// faultClient posts many webhooks at once over kept-alive connections.
func faultClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{MaxIdleConns: 100, MaxIdleConnsPerHost: 100, DisableCompression: true},
		Timeout:   20 * time.Second,
	}
}

// faultPost sends one VideoSDK participant-joined webhook.
func faultPost(c *http.Client, base, meeting, participant string) faultDelivery {
	d := faultDelivery{participant: participant, meeting: meeting, sent: time.Now()}
	resp, err := c.Post(base+"/webhooks/videosdk", "application/json", bytes.NewReader(joined(meeting, participant)))
	if err != nil {
		d.err = err
		return d
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		// Headers came but the body did not: not an acknowledgement.
		d.err = fmt.Errorf("reading the answer (%d): %w", resp.StatusCode, err)
		return d
	}
	d.status = resp.StatusCode
	if d.acked() {
		var ans struct {
			EventID uint64 `json:"eventId"`
			Outcome string `json:"outcome"`
		}
		if err := json.Unmarshal(raw, &ans); err != nil || ans.EventID == 0 {
			d.err = fmt.Errorf("2xx answer without an event id: %q", raw)
		}
		d.eventID = ans.EventID
	}
	return d
}

// faultStored is what the API says is stored about the test's participants.
type faultStored struct {
	events       map[string][]uint64 // participantId -> event log ids
	outcomes     map[uint64]string   // event id -> outcome
	participants map[string]int      // participantId -> participant rows
	attendances  map[string]int      // participantId -> attendances, over its rows
	present      map[string]bool
	meetingOf    map[string]string // participantId -> meeting its row is in
	total        int               // event log entries, all kinds
}

// faultGetJSON GETs base+path and decodes a 200 answer into v; it reports
// the status.
func faultGetJSON(t *testing.T, c *http.Client, base, path string, v any) int {
	t.Helper()
	resp, err := c.Get(base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("GET %s: %v: %.300s", path, err, raw)
		}
	}
	return resp.StatusCode
}

// faultReadStored reads the whole event log (paged with before=) and the
// participants of each meeting through the API.
func faultReadStored(t *testing.T, base string, meetings []string) faultStored {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	st := faultStored{events: map[string][]uint64{}, outcomes: map[uint64]string{}, participants: map[string]int{},
		attendances: map[string]int{}, present: map[string]bool{}, meetingOf: map[string]string{}}
	var before uint64
	for page := 0; ; page++ {
		if page > 10000 {
			t.Fatal("event log paging does not end")
		}
		path := "/api/events?limit=500"
		if before > 0 {
			path += "&before=" + strconv.FormatUint(before, 10)
		}
		var list struct {
			Events []struct {
				ID      uint64 `json:"id"`
				Outcome string `json:"outcome"`
				Body    struct {
					Data struct {
						ParticipantID string `json:"participantId"`
					} `json:"data"`
				} `json:"body"`
			} `json:"events"`
		}
		if status := faultGetJSON(t, c, base, path, &list); status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, status)
		}
		if len(list.Events) == 0 {
			break
		}
		for _, e := range list.Events {
			if before > 0 && e.ID >= before {
				t.Fatalf("GET %s: event %d is not before %d", path, e.ID, before)
			}
			before = e.ID
			st.total++
			st.outcomes[e.ID] = e.Outcome
			if p := e.Body.Data.ParticipantID; p != "" {
				st.events[p] = append(st.events[p], e.ID)
			}
		}
	}
	for _, m := range meetings {
		var detail struct {
			Participants []struct {
				ParticipantID string            `json:"participantId"`
				Present       bool              `json:"present"`
				Attendances   []json.RawMessage `json:"attendances"`
			} `json:"participants"`
		}
		path := "/api/meetings/" + url.PathEscape(m)
		switch status := faultGetJSON(t, c, base, path, &detail); status {
		case http.StatusOK:
		case http.StatusNotFound: // nothing of this meeting was committed
			continue
		default:
			t.Fatalf("GET %s: %d", path, status)
		}
		for _, p := range detail.Participants {
			st.participants[p.ParticipantID]++
			st.attendances[p.ParticipantID] += len(p.Attendances)
			st.present[p.ParticipantID] = p.Present
			st.meetingOf[p.ParticipantID] = m
		}
	}
	return st
}

// faultErrors reports at most a few errors of each kind, then how many
// there were.
type faultErrors struct {
	t      *testing.T
	counts map[string]int
	order  []string
}

func (e *faultErrors) add(kind, format string, args ...any) {
	e.t.Helper()
	if e.counts == nil {
		e.counts = map[string]int{}
	}
	if e.counts[kind] == 0 {
		e.order = append(e.order, kind)
	}
	e.counts[kind]++
	if e.counts[kind] <= 5 {
		e.t.Errorf(kind+": "+format, args...)
	}
}

func (e *faultErrors) summary() {
	e.t.Helper()
	for _, k := range e.order {
		if e.counts[k] > 5 {
			e.t.Errorf("%s: %d cases in all", k, e.counts[k])
		}
	}
}

// faultCheck checks what is stored against what was sent: every
// acknowledged delivery is stored exactly once, in the event log (under the
// event id its answer gave, as applied) and as one participant with one
// attendance; nothing is stored twice, nothing unknown is stored, and a
// delivery is in the log if and only if it is in the models (they commit
// together). It returns how many sent deliveries are stored.
func faultCheck(t *testing.T, sent []faultDelivery, st faultStored) (stored int) {
	t.Helper()
	errs := &faultErrors{t: t}
	byPID := map[string]faultDelivery{}
	for _, d := range sent {
		if _, dup := byPID[d.participant]; dup {
			t.Fatalf("test bug: participant %s sent twice", d.participant)
		}
		byPID[d.participant] = d
	}
	for pid, ids := range st.events {
		if _, ok := byPID[pid]; !ok {
			errs.add("unknown participant in the event log", "%s (events %v)", pid, ids)
		}
	}
	for pid := range st.participants {
		if _, ok := byPID[pid]; !ok {
			errs.add("unknown participant in the models", "%s", pid)
		}
	}
	for _, d := range sent {
		pid := d.participant
		ids, rows := st.events[pid], st.participants[pid]
		if len(ids) > 0 || rows > 0 {
			stored++
		}
		if len(ids) > 1 {
			errs.add("delivery logged more than once", "%s: events %v (answer: %d %v)", pid, ids, d.status, d.err)
		}
		if rows > 1 {
			errs.add("participant stored more than once", "%s: %d rows", pid, rows)
		}
		if len(ids) > 0 && rows == 0 {
			errs.add("in the event log but not in the models", "%s: events %v outcome %q (answer: %d %v)", pid, ids, st.outcomes[ids[0]], d.status, d.err)
		}
		if len(ids) == 0 && rows > 0 {
			errs.add("in the models but not in the event log", "%s (answer: %d %v)", pid, d.status, d.err)
		}
		if rows > 0 {
			if st.attendances[pid] != rows {
				errs.add("wrong attendances", "%s: %d attendances, want 1", pid, st.attendances[pid])
			}
			if !st.present[pid] {
				errs.add("not present", "%s joined but is not shown as present", pid)
			}
			if st.meetingOf[pid] != d.meeting {
				errs.add("wrong meeting", "%s is in meeting %s, was sent to %s", pid, st.meetingOf[pid], d.meeting)
			}
		}
		for _, id := range ids {
			if o := st.outcomes[id]; o != "applied" {
				errs.add("event not applied", "%s: event %d outcome %q", pid, id, o)
			}
		}
		if !d.acked() {
			continue
		}
		switch {
		case len(ids) == 0:
			errs.add("acknowledged (2xx) but not in the event log", "%s: answer %d event %d", pid, d.status, d.eventID)
		case ids[0] != d.eventID && len(ids) == 1:
			errs.add("acknowledged with another event id", "%s: answer said event %d, log has %v", pid, d.eventID, ids)
		}
		if rows == 0 {
			errs.add("acknowledged (2xx) but not in the participants", "%s: answer %d event %d", pid, d.status, d.eventID)
		}
	}
	errs.summary()
	return stored
}

// faultBuild builds the dashboard binary into a temp dir of t (so subtests
// share it) and returns its path.
func faultBuild(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil && os.Getenv("GOROOT") != "" {
		goTool, err = filepath.Join(os.Getenv("GOROOT"), "bin", "go"), nil
	}
	if err != nil {
		t.Skipf("this test builds the dashboard and runs it as a subprocess, and needs the go tool on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "dashboard")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// faultProcess is the dashboard running as a subprocess.
type faultProcess struct {
	cmd     *exec.Cmd
	URL     string
	logPath string
	exited  chan struct{}
}

// faultStartProcess runs the binary on database dbURL on a free loopback
// port, and returns once /readyz answers 200. wrap, if given, is a command
// the binary runs under (prlimit and its flags, say).
func faultStartProcess(t *testing.T, bin, dbURL, logPath string, wrap ...string) *faultProcess {
	t.Helper()
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	// The kernel picks the port (127.0.0.1:0) and the program prints it, so
	// no other process can take it between picking and listening.
	argv := append(append(wrap[:len(wrap):len(wrap)], bin), "-addr", "127.0.0.1:0")
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir(), "DATABASE_URL=" + dbURL}
	cmd.Stderr = logFile
	// The program dies with the test binary, whatever happens to it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &faultProcess{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Dashboard: "); ok {
				select {
				case urls <- strings.TrimSuffix(u, "/"):
				default:
				}
			}
		}
		// Wait only once stdout is drained, as exec requires.
		_ = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	select {
	case p.URL = <-urls:
	case <-p.exited:
		t.Fatalf("dashboard exited at startup: %v\n%s", cmd.ProcessState, faultTail(logPath))
	case <-time.After(30 * time.Second):
		t.Fatalf("dashboard did not print its URL within 30s\n%s", faultTail(logPath))
	}
	deadline := time.Now().Add(30 * time.Second)
	c := &http.Client{Timeout: 3 * time.Second}
	for {
		resp, err := c.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("dashboard not ready within 30s (last: %v %v)\n%s", resp, err, faultTail(logPath))
		}
		select {
		case <-p.exited:
			t.Fatalf("dashboard exited: %v\n%s", cmd.ProcessState, faultTail(logPath))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *faultProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the dashboard did not die within 10s of SIGKILL")
	}
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the dashboard ended otherwise than by SIGKILL: %v\n%s", p.cmd.ProcessState, faultTail(p.logPath))
	}
}

// faultTail is the end of a log file, for failure messages.
func faultTail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// TestKill9LosesNothing runs the dashboard binary as a subprocess, has 16
// posters send it participant-joined webhooks (each with its own
// participantId, over 20 meetings) as fast as it answers, and kills it with
// SIGKILL after 1.5 s; three times, each run starting on the database the
// last one was killed on. After a last restart, every delivery that got a
// 2xx must be stored exactly once; those in flight at a kill may or may not
// be, but never twice, and never half (in the log but not the models, or
// the reverse). Three kills rather than one give a lost acknowledged commit
// three chances to show.
func TestKill9LosesNothing(t *testing.T) {
	const (
		posters  = 16
		meetings = 20
		loadFor  = 1500 * time.Millisecond
		rounds   = 3
	)
	bin := faultBuild(t)
	dbtest.ForEach(t, func(t *testing.T, dbURL string) {
		logPath := filepath.Join(t.TempDir(), "dashboard.log")
		var sent []faultDelivery
		noAnswer := map[string]bool{}
		totals := struct{ acked, noAnswer, refused int }{}
		for round := range rounds {
			proc := faultStartProcess(t, bin, dbURL, logPath)
			var killed atomic.Bool
			client := faultClient()
			results := make([][]faultDelivery, posters)
			var wg sync.WaitGroup
			for p := range posters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; !killed.Load(); i++ {
						n := i*posters + p
						d := faultPost(client, proc.URL, fmt.Sprintf("k9-m%02d", n%meetings), fmt.Sprintf("k9-r%d-p%02d-%06d", round, p, i))
						results[p] = append(results[p], d)
					}
				}()
			}
			time.Sleep(loadFor)
			// Kill first, then stop the posters, so the deliveries in flight
			// are cut rather than let finish.
			proc.kill(t)
			killed.Store(true)
			wg.Wait()
			client.CloseIdleConnections()

			roundSent, acked, inFlight, refused, other := 0, 0, 0, 0, map[int]int{}
			for _, r := range results {
				for _, d := range r {
					sent = append(sent, d)
					roundSent++
					switch {
					case d.acked() && d.err == nil:
						acked++
					case d.acked():
						t.Errorf("%s: %d with a bad answer: %v", d.participant, d.status, d.err)
					case d.status != 0:
						other[d.status]++
					case errors.Is(d.err, syscall.ECONNREFUSED):
						refused++ // sent after the process was gone: never reached it
					default:
						inFlight++
						noAnswer[d.participant] = true
					}
				}
			}
			for status, n := range other {
				// 503 is an honest "not stored, retry"; anything else is
				// not an answer the program should give a valid delivery.
				if status != http.StatusServiceUnavailable {
					t.Errorf("round %d: %d deliveries answered %d before the kill", round, n, status)
				}
			}
			if acked == 0 {
				t.Fatalf("round %d: no delivery was acknowledged in %v; log:\n%s", round, loadFor, faultTail(logPath))
			}
			t.Logf("round %d: sent %d, acked %d (%.0f/s), no answer (in flight at the kill, or cut while it died) %d, refused after the kill %d, other answers %v",
				round, roundSent, acked, float64(acked)/loadFor.Seconds(), inFlight, refused, other)
			totals.acked += acked
			totals.noAnswer += inFlight
			totals.refused += refused
		}

		last := faultStartProcess(t, bin, dbURL, logPath)
		ms := make([]string, meetings)
		for i := range ms {
			ms[i] = fmt.Sprintf("k9-m%02d", i)
		}
		st := faultReadStored(t, last.URL, ms)
		stored := faultCheck(t, sent, st)
		inFlightStored := 0
		for pid := range noAnswer {
			if len(st.events[pid]) > 0 {
				inFlightStored++
			}
		}
		t.Logf("after %d kills: sent %d, acked %d, stored %d (event log holds %d entries), "+
			"in flight at the kills (no answer) %d of which stored %d, refused after the kills %d",
			rounds, len(sent), totals.acked, stored, st.total, totals.noAnswer, inFlightStored, totals.refused)
		if st.total != stored {
			t.Errorf("the event log holds %d entries, but %d distinct sent deliveries are stored", st.total, stored)
		}
	})
}

// outage phases, in order.
const (
	phaseUp       int32 = iota // server up, before the outage
	phaseStopping              // Stop() running
	phaseDown                  // server down
	phaseStarting              // Start() running
	phaseBack                  // server back
)

// TestPostgresOutage stops the PostgreSQL server under the running
// dashboard while webhooks keep coming, then starts it again. While it is
// down, deliveries must get 503 (never a 2xx) and the process must stay up
// (/healthz 200, /readyz 503); once it is back, deliveries must get 200
// again within 20 s without a restart of the dashboard, every acknowledged
// delivery must be stored exactly once, and a live page must show a new
// join.
func TestPostgresOutage(t *testing.T) {
	const (
		posters  = 4
		meetings = 10
	)
	cl := dbtest.NewCluster(t)
	s := start(t, map[string]string{"DATABASE_URL": cl.DSN()})
	check := &http.Client{Timeout: 5 * time.Second}
	status := func(path string) int {
		resp, err := check.Get(s.URL + path)
		if err != nil {
			t.Errorf("GET %s: %v", path, err)
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("/readyz"); got != http.StatusOK {
		t.Fatalf("readyz before the outage: %d", got)
	}
	ws := s.subscribe(t, "rooms", nil, false)
	ws.next(t) // the snapshot

	var (
		phase   atomic.Int32
		stop    atomic.Bool
		firstOK = make(chan time.Time, 1)
		client  = faultClient()
		results = make([][]faultDelivery, posters)
		wg      sync.WaitGroup
	)
	for p := range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				sentIn := phase.Load()
				d := faultPost(client, s.URL, fmt.Sprintf("out-m%02d", (i*posters+p)%meetings), fmt.Sprintf("out-p%d-%06d", p, i))
				d.phaseSent, d.phaseDone = sentIn, phase.Load()
				results[p] = append(results[p], d)
				if sentIn == phaseBack && d.status == http.StatusOK {
					select {
					case firstOK <- time.Now():
					default:
					}
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	stopPosters := func() {
		if !stop.Swap(true) {
			wg.Wait()
		}
	}
	t.Cleanup(stopPosters)

	time.Sleep(time.Second)
	phase.Store(phaseStopping)
	stopStart := time.Now()
	if err := cl.Stop(); err != nil {
		t.Fatalf("stopping PostgreSQL: %v", err)
	}
	phase.Store(phaseDown)
	downAt := time.Now()
	t.Logf("PostgreSQL stopped in %v", downAt.Sub(stopStart).Round(time.Millisecond))

	// Down for 2 s: the process answers, but is not ready.
	for time.Since(downAt) < 2*time.Second {
		if got := status("/healthz"); got != http.StatusOK {
			t.Errorf("healthz with PostgreSQL down: %d, want 200", got)
		}
		if got := status("/readyz"); got != http.StatusServiceUnavailable {
			t.Errorf("readyz with PostgreSQL down: %d, want 503", got)
		}
		time.Sleep(200 * time.Millisecond)
	}

	phase.Store(phaseStarting)
	if err := cl.Start(); err != nil {
		t.Fatalf("starting PostgreSQL again: %v", err)
	}
	upAt := time.Now()
	phase.Store(phaseBack)

	var recovered time.Time
	select {
	case recovered = <-firstOK:
	case <-time.After(20 * time.Second):
		stopPosters()
		t.Fatalf("no delivery got 200 within 20s of PostgreSQL being back")
	}
	readyDeadline := time.Now().Add(20 * time.Second)
	for status("/readyz") != http.StatusOK {
		if time.Now().After(readyDeadline) {
			t.Fatal("readyz not 200 within 20s of PostgreSQL being back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("first 200 %v after PostgreSQL was back (down for %v)", recovered.Sub(upAt).Round(time.Millisecond), upAt.Sub(downAt).Round(time.Millisecond))

	// A live page keeps (or, reconnecting, regains) a correct view: a new
	// join shows up.
	name := "Phoenix-after-the-outage"
	liveAck := faultPost(client, s.URL, "out-live", name)
	liveAck.phaseSent, liveAck.phaseDone = phaseBack, phaseBack
	if liveAck.status != http.StatusOK || liveAck.err != nil {
		t.Fatalf("join after recovery: %d %v", liveAck.status, liveAck.err)
	}
	how := ""
	deadline := time.After(15 * time.Second)
wait:
	for {
		select {
		case m := <-ws.msgs:
			if strings.Contains(m, name) {
				how = "on the socket kept open through the outage"
				break wait
			}
		case err := <-ws.closed:
			// Reconnecting starts from a full snapshot.
			again := s.subscribe(t, "rooms", nil, false)
			if snap := again.next(t); !strings.Contains(snap, name) {
				again.until(t, name)
			}
			how = fmt.Sprintf("after the socket closed (%v) and a new one connected", err)
			break wait
		case <-deadline:
			t.Fatalf("the live rooms page never showed %s", name)
		}
	}
	liveAt := time.Now()
	t.Logf("live rooms page showed the join %s, %v after it was sent", how, liveAt.Sub(liveAck.sent).Round(time.Millisecond))

	time.Sleep(300 * time.Millisecond) // a little more traffic after the recovery
	stopPosters()
	client.CloseIdleConnections()
	check.CloseIdleConnections()

	sent := []faultDelivery{liveAck}
	count := map[int32]map[string]int{}
	errs := &faultErrors{t: t}
	for _, r := range results {
		for _, d := range r {
			sent = append(sent, d)
			what := strconv.Itoa(d.status)
			if d.err != nil {
				what = "error"
			}
			if count[d.phaseSent] == nil {
				count[d.phaseSent] = map[string]int{}
			}
			count[d.phaseSent][what]++
			switch {
			case d.err != nil:
				errs.add("no proper answer", "%s (phase %d→%d): %d %v; the dashboard must keep answering", d.participant, d.phaseSent, d.phaseDone, d.status, d.err)
			case d.status != http.StatusOK && d.status != http.StatusServiceUnavailable:
				errs.add("unexpected status", "%s (phase %d→%d): answered %d, want 200 or 503", d.participant, d.phaseSent, d.phaseDone, d.status)
			case d.phaseSent == phaseDown && d.phaseDone == phaseDown && d.status != http.StatusServiceUnavailable:
				errs.add("not 503 while down", "%s: answered %d while PostgreSQL was down, want 503", d.participant, d.status)
			case d.phaseSent == phaseUp && d.phaseDone == phaseUp && d.status != http.StatusOK:
				errs.add("not 200 before the outage", "%s: answered %d before the outage, want 200", d.participant, d.status)
			case d.phaseSent == phaseBack && d.sent.After(recovered) && d.status != http.StatusOK:
				errs.add("not 200 after recovery", "%s: answered %d after deliveries were accepted again, want 200", d.participant, d.status)
			}
		}
	}
	errs.summary()
	downTotal := 0
	for _, n := range count[phaseDown] {
		downTotal += n
	}
	if downTotal < 10 {
		t.Errorf("only %d deliveries were sent while PostgreSQL was down; the test did not test much", downTotal)
	}

	ms := []string{"out-live"}
	for i := range meetings {
		ms = append(ms, fmt.Sprintf("out-m%02d", i))
	}
	readFrom := time.Now()
	st := faultReadStored(t, s.URL, ms)
	stored := faultCheck(t, sent, st)
	t.Logf("read and checked what is stored in %v", time.Since(readFrom).Round(time.Millisecond))
	acked := 0
	for _, d := range sent {
		if d.acked() {
			acked++
		}
	}
	names := []string{"up", "stopping", "down", "starting", "back"}
	var byPhase []string
	for ph := phaseUp; ph <= phaseBack; ph++ {
		byPhase = append(byPhase, fmt.Sprintf("%s %v", names[ph], count[ph]))
	}
	t.Logf("sent %d, acked %d, stored %d (event log %d); answers by phase sent in: %s",
		len(sent), acked, stored, st.total, strings.Join(byPhase, "; "))
	if st.total != stored {
		t.Errorf("the event log holds %d entries, but %d distinct sent deliveries are stored", st.total, stored)
	}
}
