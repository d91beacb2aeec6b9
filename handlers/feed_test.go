package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/coder/websocket"

	"github.com/meetboard/meetboard/live"
	"github.com/meetboard/meetboard/views"
)

// feedRig runs the feed on a fake loader and a fake clock, with a real hub
// and real websocket clients, so a test can drive passes one at a time.
type feedRig struct {
	t     *testing.T
	f     *feed
	hub   *live.Hub
	clock time.Time

	mu    sync.Mutex
	frags []namedFragment
}

func newFeedRig(t *testing.T) *feedRig {
	r := &feedRig{t: t, hub: live.NewHub(live.Options{Buffer: 256}), clock: time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)}
	r.f = newFeed(r.hub, func(context.Context, topic) ([]namedFragment, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.frags, nil
	}, DefaultPushBudget, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.f.now = func() time.Time { return r.clock }
	t.Cleanup(r.hub.Close)
	return r
}

// show sets what the next render of the topic returns.
func (r *feedRig) show(frags ...namedFragment) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frags = frags
}

// pass renders the rooms topic as the feed does after a change, and
// returns how many sockets a message was queued for.
func (r *feedRig) pass() int {
	return r.f.refresh(context.Background(), pageRooms, topic{Kind: pageRooms, Page: 1})
}

// wsReader is a websocket client of the rig's rooms topic.
type wsReader struct{ msgs chan string }

// connect subscribes a real websocket client to the rooms topic.
func (r *feedRig) connect() *wsReader {
	t := r.t
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		sub, err := r.f.subscribe(context.Background(), pageRooms, topic{Kind: pageRooms, Page: 1})
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		conn, err := websocket.Accept(w, req, nil)
		if err != nil {
			r.hub.Unsubscribe(sub)
			return
		}
		r.hub.Serve(context.Background(), conn, sub)
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadLimit(16 << 20)
	t.Cleanup(func() { conn.CloseNow() })
	c := &wsReader{msgs: make(chan string, 1000)}
	go func() {
		for {
			_, b, err := conn.Read(context.Background())
			if err != nil {
				close(c.msgs)
				return
			}
			c.msgs <- string(b)
		}
	}()
	return c
}

func (c *wsReader) next(t *testing.T) string {
	t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			t.Fatal("socket closed")
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
	}
	return ""
}

// set is a fragment whose parts are a set of <p> elements, as the board's
// rooms are.
func set(parts ...namedFragment) namedFragment {
	var whole strings.Builder
	whole.WriteString(`<div id="items">`)
	for _, p := range parts {
		whole.Write(p.html)
	}
	whole.WriteString(`</div>`)
	return namedFragment{id: "items", html: []byte(whole.String()), shape: "frame", parts: parts,
		set: &views.PartSet{Into: "items-new", Wrap: "div", Gone: func(id string) templ.Component {
			return templ.Raw(`<i id="` + id + `-end">gone</i>`)
		}}}
}

func part(id, text string) namedFragment {
	return namedFragment{id: id, html: []byte(`<p id="` + id + `">` + text + `</p>`)}
}

func whole(id, text string) namedFragment {
	return namedFragment{id: id, html: []byte(`<h2 id="` + id + `">` + text + `</h2>`)}
}

// TestFeedSetAddsAndMarks: a room that opens is appended alone, one that
// closes is marked by a small fragment, and those that change are sent
// alone, together; the set's whole HTML is never sent again.
func TestFeedSetAddsAndMarks(t *testing.T) {
	r := newFeedRig(t)
	r.show(whole("count", "2 live"), set(part("a", "a1"), part("b", "b1")))
	c := r.connect()
	if snap := c.next(t); snap != `<h2 id="count">2 live</h2>`+"\n"+`<div id="items"><p id="a">a1</p><p id="b">b1</p></div>`+"\n" {
		t.Fatalf("snapshot %q", snap)
	}
	r.pass() // the pass a new subscriber triggers: nothing new

	r.show(whole("count", "3 live"), set(part("a", "a1"), part("b", "b1"), part("c", "c1")))
	r.pass()
	want := `<div hx-swap-oob="beforeend:#items-new"><p id="c">c1</p></div>` + "\n" + `<h2 id="count">3 live</h2>` + "\n"
	if got := c.next(t); got != want {
		t.Errorf("a room opened: %q, want %q", got, want)
	}

	r.show(whole("count", "3 live"), set(part("c", "c2"), part("b", "b2"), part("a", "a1")))
	r.pass()
	if got := c.next(t); got != `<div hx-swap-oob="beforeend:#items-new"><p id="b">b2</p><p id="c">c2</p></div>`+"\n" {
		t.Errorf("two rooms changed (and the order with them): %q", got)
	}

	r.show(whole("count", "2 live"), set(part("c", "c2"), part("b", "b2")))
	r.pass()
	if got := c.next(t); got != `<i id="a-end">gone</i>`+"\n"+`<h2 id="count">2 live</h2>`+"\n" {
		t.Errorf("a room closed: %q", got)
	}
	if n := r.pass(); n != 0 {
		t.Errorf("an unchanged render was sent to %d sockets", n)
	}

	// A new subscriber's snapshot is the set as it is now.
	if snap := r.connect().next(t); !strings.Contains(snap, `<div id="items"><p id="c">c2</p><p id="b">b2</p></div>`) {
		t.Errorf("later snapshot %q", snap)
	}

	// A frame that changes sends the whole set again.
	fr := set(part("c", "c2"))
	fr.shape = "another frame"
	r.show(fr)
	r.pass()
	if got := c.next(t); got != `<div id="items"><p id="c">c2</p></div>`+"\n" {
		t.Errorf("a new frame: %q", got)
	}
}

// TestFeedBudget: when a render changes more than the budget allows, the
// page gets the budget's worth at once and the rest as it refills, the
// changes waiting longest first, each room's newest HTML once however
// often it changed meanwhile.
func TestFeedBudget(t *testing.T) {
	r := newFeedRig(t)
	const rooms = 100
	pad := strings.Repeat("x", 2000)
	render := func(gen int) {
		parts := make([]namedFragment, rooms)
		for i := range parts {
			parts[i] = part(fmt.Sprintf("r%03d", i), fmt.Sprintf("gen %d %s", gen, pad))
		}
		r.show(set(parts...))
	}
	render(0)
	c := r.connect()
	c.next(t)

	render(1)
	r.pass()
	first := c.next(t)
	if n := len(first); n > DefaultPushBudget+2100 {
		t.Errorf("the first message is %d bytes, over the %d-byte burst", n, DefaultPushBudget)
	}
	sent := strings.Count(first, "gen 1")
	if sent == 0 || sent == rooms {
		t.Fatalf("the first message carries %d of %d changed rooms", sent, rooms)
	}
	if _, ok := r.f.nextRetry(); !ok {
		t.Errorf("rooms are held back and no retry is scheduled")
	}

	// Every room changes again while most wait: the next message, a
	// messageGap later, carries the rooms that waited longest, and only
	// their newest HTML.
	r.clock = r.clock.Add(messageGap / 2)
	render(2)
	if n := r.pass(); n != 0 {
		t.Errorf("a busy page was sent a second message %v after the first", messageGap/2)
	}
	r.clock = r.clock.Add(messageGap / 2)
	if r.f.flush(pageRooms) == 0 {
		t.Fatalf("nothing sent %v after the first message", messageGap)
	}
	second := c.next(t)
	if strings.Contains(second, "gen 1") || !strings.Contains(second, "gen 2") {
		t.Errorf("the second message sends stale HTML: %.200q", second)
	}
	if !strings.Contains(second, fmt.Sprintf(`id="r%03d"`, sent)) || strings.Contains(second, `id="r000"`) {
		t.Errorf("the rooms that waited longest are not sent first: %.200q", second)
	}
	if n := len(second); n > DefaultPushBudget/4+2100 {
		t.Errorf("%v later the page got %d bytes; the budget refills %d a second", messageGap, n, DefaultPushBudget)
	}

	// Over the next seconds the rest arrive, each room once.
	got := map[string]int{}
	for _, m := range []string{first, second} {
		countRooms(m, got)
	}
	for i := 0; i < 100 && (len(got) < rooms || anyWaiting(r)); i++ {
		r.clock = r.clock.Add(200 * time.Millisecond)
		if r.f.flush(pageRooms) > 0 {
			countRooms(c.next(t), got)
		}
	}
	if len(got) != rooms {
		t.Errorf("%d of %d rooms arrived", len(got), rooms)
	}
	for id, n := range got {
		if n > 2 {
			t.Errorf("room %s was sent %d times for two changes", id, n)
		}
	}
}

func countRooms(msg string, got map[string]int) {
	for _, p := range strings.Split(msg, `<p id="`)[1:] {
		id, _, _ := strings.Cut(p, `"`)
		got[id]++
	}
}

func anyWaiting(r *feedRig) bool {
	st := r.f.state(pageRooms)
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.waiting) > 0
}

// TestFeedMessageGap: a busy page gets at most one message every
// messageGap, with every change to it by then; a page within its budget
// gets every change at once.
func TestFeedMessageGap(t *testing.T) {
	r := newFeedRig(t)
	hot := func(text, big string) namedFragment {
		return set(part("hot", text), part("big", strings.Repeat(big, DefaultPushBudget*3/5)))
	}
	r.show(hot("h0", "y"))
	c := r.connect()
	c.next(t)

	// Not busy: back-to-back changes all go at once.
	for i := 1; i <= 3; i++ {
		r.clock = r.clock.Add(10 * time.Millisecond)
		r.show(hot(fmt.Sprint("h", i), "y"))
		r.pass()
		if got := c.next(t); got != fmt.Sprintf(`<div hx-swap-oob="beforeend:#items-new"><p id="hot">h%d</p></div>`, i)+"\n" {
			t.Fatalf("change %d on a quiet page: %q", i, got)
		}
	}

	// A large change leaves the budget below half: the page is busy.
	r.clock = r.clock.Add(10 * time.Millisecond)
	r.show(hot("h3", "z"))
	r.pass()
	if got := c.next(t); !strings.HasPrefix(got, `<div hx-swap-oob="beforeend:#items-new"><p id="big">zzz`) {
		t.Fatalf("the large change: %.100q", got)
	}
	r.clock = r.clock.Add(10 * time.Millisecond)
	r.show(hot("h4", "z"))
	if n := r.pass(); n != 0 {
		t.Errorf("a busy page was sent a message 10 ms after the last")
	}
	r.clock = r.clock.Add(10 * time.Millisecond)
	r.show(set(part("hot", "h5"), part("big", strings.Repeat("z", DefaultPushBudget*3/5)), part("new", "n1")))
	if n := r.pass(); n != 0 {
		t.Errorf("a busy page was sent a room that opened 20 ms after the last message")
	}
	if at, ok := r.f.nextRetry(); !ok || at.Sub(r.clock) > messageGap {
		t.Errorf("retry in %v (ok %v), want within %v", at.Sub(r.clock), ok, messageGap)
	}
	r.clock = r.clock.Add(messageGap)
	if r.f.flush(pageRooms) == 0 {
		t.Fatalf("the changes are still held %v after the last message", messageGap)
	}
	want := `<div hx-swap-oob="beforeend:#items-new"><p id="new">n1</p></div>` + "\n" +
		`<div hx-swap-oob="beforeend:#items-new"><p id="hot">h5</p></div>` + "\n"
	if got := c.next(t); got != want {
		t.Errorf("after the gap: %q, want %q", got, want)
	}
}
