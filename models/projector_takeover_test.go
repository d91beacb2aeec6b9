package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

// decodeLog records which store's projector decoded which join, and can
// hold the projector that decodes a chosen join in the middle of its pass.
type decodeLog struct {
	mu     sync.Mutex
	by     map[string][]int // participant id: the stores that decoded it
	closed [2]bool          // the store's Close has returned
	late   []string         // joins a store decoded after its Close returned
	// hold is the participant id whose first decoding blocks until release
	// is closed; held receives the store that decoded it.
	hold    string
	held    chan int
	release chan struct{}
}

// decoder is store i's Decoder.
func (l *decodeLog) decoder(i int) models.Decoder {
	return func(provider string, body []byte) (models.Event, error) {
		ev, err := testDecode(provider, body)
		if err != nil || ev.Participant == nil {
			return ev, err
		}
		p := ev.Participant.ParticipantID
		l.mu.Lock()
		l.by[p] = append(l.by[p], i)
		if l.closed[i] {
			l.late = append(l.late, p)
		}
		hold := p == l.hold && len(l.by[p]) == 1
		l.mu.Unlock()
		if hold {
			l.held <- i
			<-l.release
		}
		return ev, err
	}
}

// TestProjectorTakeover: two instances share a PostgreSQL database, and one
// projector applies at a time. Deliveries go into both stores; one store's
// projector is held in the middle of a pass (it holds the advisory lock),
// and while it is held the other applies nothing, though deliveries keep
// committing through both. Then the holder is closed mid-stream (Close
// lets the pass finish and stops its projector) and the other store takes
// over: it applies everything within a few seconds, each event once and as
// "applied", and the closed store's projector decodes nothing more.
func TestProjectorTakeover(t *testing.T) {
	url := dbtest.PostgresDSN(t)
	decoded := &decodeLog{by: map[string][]int{}, hold: "hold", held: make(chan int, 1), release: make(chan struct{})}
	stores := []*models.Store{
		openStoreWith(t, url, models.StoreOptions{Decode: decoded.decoder(0)}),
		openStoreWith(t, url, models.StoreOptions{Decode: decoded.decoder(1)}),
	}
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(decoded.release) }) }
	t.Cleanup(release) // before the stores close, after a failure
	db := stores[0].DB()
	const prefix = "take-"
	var committed joins

	// ingest sends n joins named name-i from 4 goroutines, each to the
	// store pick chooses, and waits for them.
	ingest := func(name string, n int, pick func(i int) *models.Store) {
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 4 {
					p := fmt.Sprintf("%s-%d", name, i)
					d := decodeDelivery(t, joinBody(fmt.Sprintf("%s%d", prefix, i%3), p))
					s := pick(i)
					_, err := s.Ingest(context.Background(), d)
					if errors.Is(err, models.ErrClosed) {
						// Closed under us: not logged, so the other store
						// takes it.
						alt := stores[0]
						if s == alt {
							alt = stores[1]
						}
						_, err = alt.Ingest(context.Background(), d)
					}
					if err != nil {
						t.Errorf("ingest %s: %v", p, err)
						return
					}
					committed.add(p)
					time.Sleep(2 * time.Millisecond)
				}
			}()
		}
		wg.Wait()
	}
	both := func(i int) *models.Store { return stores[i%2] }

	ingest("before", 300, both)
	if _, err := stores[0].Ingest(context.Background(), decodeDelivery(t, joinBody(prefix+"0", "hold"))); err != nil {
		t.Fatal(err)
	}
	committed.add("hold")
	var holder int
	select {
	case holder = <-decoded.held:
	case <-time.After(10 * time.Second):
		t.Fatal("no projector took the held join within 10 s")
	}
	other := 1 - holder
	t.Logf("store %d's projector is held mid-pass", holder)

	// While the holder's pass is open, deliveries commit through both
	// stores and the other store's projector, woken by them and its
	// ticker, applies nothing.
	var before int64
	if err := db.Raw("SELECT COUNT(*) FROM event_outcomes").Scan(&before).Error; err != nil {
		t.Fatal(err)
	}
	ingest("held", 200, both)
	time.Sleep(700 * time.Millisecond) // a few of the other projector's ticks
	var during int64
	if err := db.Raw("SELECT COUNT(*) FROM event_outcomes").Scan(&during).Error; err != nil {
		t.Fatal(err)
	}
	if during != before {
		t.Errorf("while store %d's projector held its pass, %d events were applied: two projectors applied at once", holder, during-before)
	}

	// Close the holder mid-stream: deliveries keep coming, to both stores
	// until it is closed, then to the other.
	var closing sync.WaitGroup
	closing.Add(1)
	go func() {
		defer closing.Done()
		ingest("closing", 300, func(i int) *models.Store {
			decoded.mu.Lock()
			defer decoded.mu.Unlock()
			if decoded.closed[holder] {
				return stores[other]
			}
			return stores[i%2]
		})
	}()
	time.Sleep(100 * time.Millisecond)
	release()
	stores[holder].Close()
	decoded.mu.Lock()
	decoded.closed[holder] = true
	decoded.mu.Unlock()
	closedAt := time.Now()
	closing.Wait()
	ingest("after", 200, func(int) *models.Store { return stores[other] })

	ctx := context.Background()
	ok, err := stores[other].Settle(ctx, 5*time.Second)
	if err != nil || !ok {
		lag, _ := stores[other].Lag(ctx)
		t.Fatalf("store %d did not apply everything within 5 s of the last delivery (%v after the close): %+v, %v",
			other, time.Since(closedAt).Round(time.Millisecond), lag, err)
	}
	checkExactlyOnce(t, db, prefix, &committed, nil)

	decoded.mu.Lock()
	defer decoded.mu.Unlock()
	if len(decoded.late) > 0 {
		t.Errorf("store %d's projector decoded %d joins after its Close returned, e.g. %q", holder, len(decoded.late), decoded.late[0])
	}
	count := [2]int{}
	var twice []string
	for p, by := range decoded.by {
		for _, i := range by {
			count[i]++
		}
		if len(by) > 1 && by[0] != by[len(by)-1] {
			twice = append(twice, p)
		}
	}
	if len(twice) > 0 {
		t.Errorf("%d joins were decoded by both projectors (two applied them), e.g. %q", len(twice), twice[0])
	}
	t.Logf("store %d (closed) decoded %d joins, store %d %d", holder, count[holder], other, count[other])
	if count[0] == 0 || count[1] == 0 {
		t.Errorf("one store's projector decoded nothing (%v): no takeover happened", count)
	}
}
