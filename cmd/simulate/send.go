package main

import (
	"bytes"
	"container/heap"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/meetboard/meetboard/handlers/webhooks/videosdk"
)

// stats counts what happened; the run loop and the sender's workers both
// update it.
type stats struct {
	mu sync.Mutex
	summary
}

// summary is a snapshot of the counts.
type summary struct {
	Webhooks  int         // distinct webhooks produced by the rooms
	Sent      int         // HTTP requests made: first tries, duplicates and retries
	Status    map[int]int // answers by status code
	Errors    int         // requests that got no answer (connection error, timeout)
	Dups      int         // extra copies sent later
	Reordered int         // deliveries held back behind the next one
	Retries   int         // requests that were retries of a failed delivery
	Dropped   int         // deliveries that never got a 2xx: refused (4xx but 429), too many tries, or time ran out at exit
	Pending   int         // deliveries waiting to be sent or in flight
	RoomsOpen int
	Opened    int
	Closed    int
}

func (s *stats) add(f func(*summary)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.summary)
}

func (s *stats) snapshot() summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.summary
	c.Status = make(map[int]int, len(s.Status))
	for k, v := range s.Status {
		c.Status[k] = v
	}
	return c
}

// String is the one-line form printed every few seconds and at exit.
func (s summary) String() string {
	codes := make([]int, 0, len(s.Status))
	for c := range s.Status {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var by []string
	for _, c := range codes {
		by = append(by, fmt.Sprintf("%d:%d", c, s.Status[c]))
	}
	if s.Errors > 0 {
		by = append(by, fmt.Sprintf("err:%d", s.Errors))
	}
	return fmt.Sprintf("webhooks %d, sent %d [%s], duplicates %d, reordered %d, retries %d, dropped %d, pending %d, rooms open %d (opened %d, closed %d)",
		s.Webhooks, s.Sent, strings.Join(by, " "), s.Dups, s.Reordered, s.Retries, s.Dropped, s.Pending, s.RoomsOpen, s.Opened, s.Closed)
}

// loadKey reads an RSA private key from PEM: PKCS #1 or PKCS #8.
func loadKey(path string) (*rsa.PrivateKey, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(text)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: not an RSA private key: %w", path, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an RSA private key (%T)", path, k)
	}
	return rk, nil
}

// sign returns the base64 RSA-SHA256 PKCS #1 v1.5 signature of body.
func sign(key *rsa.PrivateKey, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// delivery is one body to POST, with its signature and how often it was
// tried.
type delivery struct {
	body    []byte
	sig     string
	attempt int
	due     time.Time
	seq     uint64
}

type deliveryHeap []*delivery

func (h deliveryHeap) Len() int { return len(h) }
func (h deliveryHeap) Less(i, j int) bool {
	return h[i].due.Before(h[j].due) || h[i].due.Equal(h[j].due) && h[i].seq < h[j].seq
}
func (h deliveryHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *deliveryHeap) Push(x any)   { *h = append(*h, x.(*delivery)) }
func (h *deliveryHeap) Pop() any {
	old := *h
	d := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return d
}

// sender posts deliveries with a few workers. Deliveries wait in a queue
// ordered by when they are due, so the schedule never blocks on a slow
// dashboard; a delivery that gets no answer, a 429 or a 5xx goes back in
// the queue with exponential backoff (or the server's Retry-After, if
// longer), as a real provider would, until maxAttempts.
type sender struct {
	url         string
	client      *http.Client
	st          *stats
	retryBase   time.Duration
	retryMax    time.Duration
	maxAttempts int

	mu       sync.Mutex
	queue    deliveryHeap
	seq      uint64
	inflight int
	closing  bool

	wake    chan struct{}   // cap 1: something changed
	ctx     context.Context // cancelled on abort, ending requests in flight
	cancel  context.CancelFunc
	work    chan *delivery
	done    chan struct{} // the dispatcher has returned
	workers sync.WaitGroup
}

func newSender(url string, workers int, st *stats, retryBase, retryMax time.Duration, maxAttempts int) *sender {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sender{
		url: url,
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: workers, IdleConnTimeout: 90 * time.Second,
		}},
		st: st, retryBase: retryBase, retryMax: retryMax, maxAttempts: maxAttempts,
		wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel,
		work: make(chan *delivery), done: make(chan struct{}),
	}
	for range workers {
		s.workers.Add(1)
		go s.worker()
	}
	go s.dispatch()
	return s
}

func (s *sender) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// submit queues a delivery to be sent after delay.
func (s *sender) submit(body []byte, sig string, delay time.Duration) {
	s.mu.Lock()
	s.seq++
	heap.Push(&s.queue, &delivery{body: body, sig: sig, due: time.Now().Add(delay), seq: s.seq})
	s.mu.Unlock()
	s.poke()
}

// pending counts deliveries queued or in flight.
func (s *sender) pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) + s.inflight
}

// close sends the duplicates still waiting right away, then waits until
// every delivery is answered (retries included) or grace runs out,
// whichever is first; what is left then is dropped.
func (s *sender) close(grace time.Duration) {
	s.mu.Lock()
	s.closing = true
	now := time.Now()
	for _, d := range s.queue {
		if d.attempt == 0 { // a duplicate waiting for its turn: no need to wait
			d.due = now
		}
	}
	heap.Init(&s.queue)
	s.mu.Unlock()
	s.poke()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-s.done:
	case <-t.C:
		s.cancel()
		<-s.done
	}
	s.workers.Wait()
	s.cancel()
	s.client.CloseIdleConnections()
}

// dispatch hands due deliveries to the workers, oldest first.
func (s *sender) dispatch() {
	defer close(s.done)
	defer close(s.work)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if s.ctx.Err() != nil {
			n := len(s.queue)
			s.queue = nil
			s.mu.Unlock()
			s.st.add(func(c *summary) { c.Dropped += n })
			return
		}
		if len(s.queue) == 0 {
			finished := s.closing && s.inflight == 0
			s.mu.Unlock()
			if finished {
				return
			}
			select {
			case <-s.wake:
			case <-s.ctx.Done():
			}
			continue
		}
		if wait := time.Until(s.queue[0].due); wait > 0 {
			s.mu.Unlock()
			timer.Reset(wait)
			select {
			case <-s.wake:
			case <-timer.C:
			case <-s.ctx.Done():
			}
			continue
		}
		d := heap.Pop(&s.queue).(*delivery)
		s.inflight++
		s.mu.Unlock()
		select {
		case s.work <- d:
		case <-s.ctx.Done():
			s.mu.Lock()
			s.inflight--
			s.mu.Unlock()
			s.st.add(func(c *summary) { c.Dropped++ })
		}
	}
}

func (s *sender) worker() {
	defer s.workers.Done()
	for d := range s.work {
		code, after, err := s.post(d)
		s.st.add(func(c *summary) {
			c.Sent++
			if d.attempt > 0 {
				c.Retries++
			}
			if err != nil {
				c.Errors++
			} else {
				c.Status[code]++
			}
		})
		s.mu.Lock()
		s.inflight--
		switch {
		case retryable(code, err):
			d.attempt++
			if s.ctx.Err() != nil || d.attempt >= s.maxAttempts {
				s.st.add(func(c *summary) { c.Dropped++ })
			} else {
				wait := max(min(s.retryBase<<(d.attempt-1), s.retryMax), after)
				d.due = time.Now().Add(wait)
				s.seq++
				d.seq = s.seq
				heap.Push(&s.queue, d)
			}
		case code < 200 || code > 299:
			s.st.add(func(c *summary) { c.Dropped++ })
		}
		s.mu.Unlock()
		s.poke()
	}
}

// retryable reports whether a delivery is worth trying again: it got no
// answer, was told to slow down (429) or met a server error (5xx).
func retryable(code int, err error) bool {
	return err != nil || code == http.StatusTooManyRequests || code >= 500
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if n, err := strconv.Atoi(h); err == nil {
		return time.Duration(max(n, 0)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// post sends one delivery and reports the answer's status and Retry-After.
func (s *sender) post(d *delivery) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, s.url, bytes.NewReader(d.body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "meetboard-simulate/1")
	if d.sig != "" {
		req.Header.Set(videosdk.SignatureHeader, d.sig)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), time.Now()), nil
}

// emitter turns webhooks into deliveries the way a real provider's
// deliveries arrive: some held back behind the next one (out of order),
// some sent a second time a little later (duplicates). Only the run loop's
// goroutine uses it.
type emitter struct {
	rng          *rand.Rand
	dup, reorder float64
	rate         float64
	key          *rsa.PrivateKey
	snd          *sender
	st           *stats
	held         *delivery
}

// emit encodes, signs and sends one webhook.
func (e *emitter) emit(wh webhook) error {
	body, err := json.Marshal(wh)
	if err != nil {
		return err
	}
	d := delivery{body: body}
	if e.key != nil {
		if d.sig, err = sign(e.key, body); err != nil {
			return err
		}
	}
	e.st.add(func(c *summary) { c.Webhooks++ })
	switch {
	case e.held != nil:
		e.send(d)
		e.send(*e.held)
		e.held = nil
	case e.rng.Float64() < e.reorder:
		e.held = &d
		e.st.add(func(c *summary) { c.Reordered++ })
	default:
		e.send(d)
	}
	return nil
}

// flush sends a delivery still held back.
func (e *emitter) flush() {
	if e.held != nil {
		e.send(*e.held)
		e.held = nil
	}
}

// send queues a delivery now and, with probability dup, a copy 1 to 41
// webhook intervals later (at most 30 s).
func (e *emitter) send(d delivery) {
	e.snd.submit(d.body, d.sig, 0)
	if e.rng.Float64() < e.dup {
		later := min(time.Duration((1+40*e.rng.Float64())/e.rate*float64(time.Second)), 30*time.Second)
		e.snd.submit(d.body, d.sig, later)
		e.st.add(func(c *summary) { c.Dups++ })
	}
}
