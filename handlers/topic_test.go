package handlers

import (
	"strings"
	"testing"
)

// TestTopicCanonical: parameters a page ignores do not make another topic,
// since every watched topic is rendered again at each change.
func TestTopicCanonical(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"rooms?before=17", "rooms"},
		{"rooms?page=2&before=9", "rooms?page=2"},
		{"meeting?meeting=m1&page=3&before=4", "meeting?meeting=m1"},
		{"events?page=4&before=99", "events?before=99"},
		{"recordings?meeting=ab&page=2&before=5", "recordings?meeting=ab&page=2"},
		{"calls?unknown=1", "calls"},
		{"meetings?meeting=+a+", "meetings?meeting=a"},
		{"rooms?view=table&before=3", "rooms?view=table"},
		{"rooms?meeting=ab&view=table&page=2", "rooms?meeting=ab&page=2&view=table"},
		{"rooms?view=cards", "rooms"},
		{"rooms?view=" + strings.Repeat("x", 50), "rooms"},
		{"recordings?view=table", "recordings"},
	} {
		got, err := parseTopic(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got.String() != c.want {
			t.Errorf("%s: topic %q, want %q", c.in, got.String(), c.want)
		}
		if again, _ := parseTopic(got.String()); again != got {
			t.Errorf("%s: the name does not read back to the same topic", c.in)
		}
	}
	if _, err := parseTopic("meetings?meeting=" + strings.Repeat("x", 300)); err == nil {
		t.Error("a 300-byte meeting filter makes a topic; no meeting id is that long")
	}
}

func TestLiveSocketsCaps(t *testing.T) {
	l := newLiveSockets(LiveLimits{SessionSockets: 3, SessionTopics: 2, AddrSockets: 5, AddrTopics: 4})
	ada := liveOwner{session: 1, addr: "192.0.2.1"}
	var held []*liveSocket
	admit := func(o liveOwner, topic string) error {
		s, err := l.admit(o, topic)
		if err == nil {
			held = append(held, s)
		}
		return err
	}
	for i, topic := range []string{"rooms", "rooms", "events"} {
		if err := admit(ada, topic); err != nil {
			t.Fatalf("socket %d: %v", i+1, err)
		}
	}
	if err := admit(ada, "rooms"); err == nil || !strings.Contains(err.Error(), "live connections") {
		t.Errorf("a 4th socket for the session: %v", err)
	}
	l.release(held[0])
	if err := admit(ada, "calls"); err == nil || !strings.Contains(err.Error(), "different pages") {
		t.Errorf("a 3rd page for the session: %v", err)
	}
	if err := admit(ada, "rooms"); err != nil {
		t.Errorf("a page the session watches already, after one closed: %v", err)
	}
	// Another session at the same address counts against the address.
	bob := liveOwner{session: 2, addr: "192.0.2.1"}
	if err := admit(bob, "calls"); err != nil {
		t.Fatal(err)
	}
	if err := admit(bob, "streams"); err != nil {
		t.Fatal(err)
	}
	if err := admit(bob, "meetings"); err == nil || !strings.Contains(err.Error(), "address 192.0.2.1") {
		t.Errorf("a 6th socket from the address: %v", err)
	}
	for _, s := range held {
		l.release(s)
		l.release(s) // twice is harmless
	}
	if len(l.counts) != 0 || len(l.sockets) != 0 {
		t.Errorf("after every socket ended: counts %v, sockets %d", l.counts, len(l.sockets))
	}
	// Open mode has no session: only the address counts.
	open := liveOwner{open: true, addr: "127.0.0.1"}
	for i := range 5 {
		if err := admit(open, "rooms"); err != nil {
			t.Fatalf("open socket %d: %v", i+1, err)
		}
	}
	if err := admit(open, "rooms"); err == nil {
		t.Error("a 6th open-mode socket from one address")
	}
}
