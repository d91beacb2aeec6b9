package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// heapAndStacks is the Go heap and goroutine stacks in use, after a
// collection.
func heapAndStacks() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// announce opens n connections that each announce a 1 MiB webhook body and
// send one byte of it, and returns them open.
func announce(t *testing.T, base string, n int) []net.Conn {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	head := "POST /webhooks/videosdk HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n{"
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for range n {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatalf("connection %d: %v", len(conns)+1, err)
		}
		conns = append(conns, c)
		if _, err := io.WriteString(c, head); err != nil {
			t.Fatal(err)
		}
	}
	return conns
}

// TestAnnouncedBodiesReserveNothing: connections that announce a large
// body and send almost none of it cost the server what they sent, not what
// they announced, and real webhooks are answered meanwhile. Before bodies
// were streamed, each such connection reserved the whole announced
// megabyte.
func TestAnnouncedBodiesReserveNothing(t *testing.T) {
	s := start(t, tempDBEnv(t))
	const n = 1000
	before := heapAndStacks()
	conns := announce(t, s.URL, n)
	// Let the server read every header before measuring.
	time.Sleep(time.Second)
	if r := s.post(t, joined("slow-bodies", "P"), nil); r.Status != http.StatusOK {
		t.Errorf("a real webhook while %d bodies are pending: %d %s", n, r.Status, r.Raw)
	}
	grew := int64(heapAndStacks()) - int64(before)
	t.Logf("%d connections announcing 1 MiB each: heap and stacks grew %.1f MiB (%.1f KiB a connection)",
		n, float64(grew)/(1<<20), float64(grew)/1024/n)
	if grew > 64<<20 {
		t.Errorf("%d connections announcing 1 MiB and sending 1 byte grew the heap by %d MiB, want under 64 MiB", n, grew>>20)
	}
	runtime.KeepAlive(conns)
}

// TestBodyBudget: bodies in flight beyond -body-memory are answered 503
// with Retry-After instead of being held; the budget comes back when they
// end.
func TestBodyBudget(t *testing.T) {
	s := start(t, tempDBEnv(t), "-body-limit", "64k", "-body-memory", "96k")
	// One pending body of 40 KB holds a 64 KiB buffer, most of the
	// budget...
	host := strings.TrimPrefix(s.URL, "http://")
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /webhooks/videosdk HTTP/1.1\r\nHost: %s\r\nContent-Length: 65000\r\n\r\n%s", host, bytes.Repeat([]byte(" "), 40_000))
	// (once the server has read it: it is then waiting for the rest, and
	// has answered nothing)
	time.Sleep(500 * time.Millisecond)
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, err := c.Read(make([]byte, 512)); n > 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the pending body was answered: %d bytes, %v", n, err)
	}
	// ...so a second one that needs more gets 503 with Retry-After.
	big := append([]byte(`{"webhookType":"x","pad":"`), bytes.Repeat([]byte("a"), 50_000)...)
	big = append(big, `"}`...)
	r := s.post(t, big, nil)
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Raw, "too many request bodies") {
		t.Fatalf("a body past the budget: %d %s, want 503", r.Status, r.Raw)
	}
	c.Close()
	// Once the pending body is gone, the budget is back.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r = s.post(t, big, nil)
		if r.Status == http.StatusOK || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r.Status != http.StatusOK {
		t.Errorf("after the pending body ended: %d %s, want 200", r.Status, r.Raw)
	}
}

// TestTooLargeIsReadable: a sender of a body over the limit reads the 413
// (the server reads and discards the rest instead of resetting the
// connection while the sender is still writing), and the connection serves
// its next request.
func TestTooLargeIsReadable(t *testing.T) {
	s := start(t, tempDBEnv(t))
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	body := append([]byte(`{"webhookType":"x","data":"`), bytes.Repeat([]byte("a"), 2<<20)...)
	for i := range 5 {
		resp, err := client.Post(s.URL+"/webhooks/videosdk", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatalf("sending 2 MiB, try %d: %v (the sender could not read the answer)", i+1, err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(msg), "1 MiB") {
			t.Fatalf("2 MiB body: %d %s, want 413 naming the limit", resp.StatusCode, msg)
		}
	}
	resp, err := client.Post(s.URL+"/webhooks/videosdk", "application/json", bytes.NewReader(joined("after-413", "P")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a webhook after the 413s: %d", resp.StatusCode)
	}
	if d := dials.Load(); d != 1 {
		t.Errorf("%d connections for 6 requests: a 413 should leave the connection usable", d)
	}
}

// TestGzipBodies: a gzip body is read decoded, and a small one that
// inflates past the limit is refused with 413 rather than inflated.
func TestGzipBodies(t *testing.T) {
	s := start(t, tempDBEnv(t))
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	h := map[string]string{"Content-Encoding": "gzip"}
	if r := s.post(t, gz(joined("gzipped", "P")), h); r.Status != http.StatusOK {
		t.Errorf("a gzip webhook: %d %s", r.Status, r.Raw)
	}
	bomb := gz(bytes.Repeat([]byte("{"), 200<<20))
	if r := s.post(t, bomb, h); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("%d KB of gzip inflating to 200 MB: %d %s, want 413", len(bomb)>>10, r.Status, r.Raw)
	}
	if r := s.post(t, []byte("x"), map[string]string{"Content-Encoding": "zstd"}); r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("zstd: %d %s, want 415", r.Status, r.Raw)
	}
	m := s.do(t, "GET", "/api/meetings/gzipped", nil, nil)
	if ps, _ := m.Body["participants"].([]any); len(ps) != 1 {
		t.Errorf("the gzip webhook's participant: %s", m.Raw)
	}
}

// TestLargeCookies: a browser sending more than 4 KB of cookies still gets
// its pages (fasthttp's default buffer, 4 KB, answered them 431).
func TestLargeCookies(t *testing.T) {
	s := start(t, tempDBEnv(t))
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/", nil)
	for i := range 2 {
		req.AddCookie(&http.Cookie{Name: fmt.Sprintf("c%d", i), Value: strings.Repeat("v", 3500)})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("7 KB of cookies: %d, want 200", resp.StatusCode)
	}
}

// TestWebhookFailureLimit: an address that sends failing deliveries gets
// 429 past the limit, for its failures only: deliveries that verify are
// never limited, however many one address sends.
func TestWebhookFailureLimit(t *testing.T) {
	signer, secret := newDailySigner(t)
	s := start(t, map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "d.db"), "DAILY_WEBHOOK_SECRET": secret},
		"-webhook-failure-limit", "5")
	body := []byte(`{"version":"1.0.0","type":"meeting.started","id":"ev-1","payload":{"room":"limits","meeting_id":"s1","start_ts":1700000000},"event_ts":1700000000}`)
	bad := map[string]string{"X-Webhook-Timestamp": fmt.Sprint(time.Now().Unix()), "X-Webhook-Signature": "AAAA"}
	var codes []int
	for range 7 {
		codes = append(codes, s.postTo(t, "daily", body, bad).Status)
	}
	if fmt.Sprint(codes) != "[401 401 401 401 401 429 429]" {
		t.Errorf("bad signatures: %v, want five 401 then 429", codes)
	}
	if r := s.postTo(t, "daily", body, signer.headers(body, time.Now())); r.Status != http.StatusOK {
		t.Errorf("a signed delivery from the same address past its failure limit: %d %s", r.Status, r.Raw)
	}
	if m := s.metrics(t); !strings.Contains(m, `meetboard_webhooks_total{outcome="rate-limited",provider="daily",type="unknown"} 2`) {
		t.Errorf("the 429s are not counted:\n%s", grepLines(m, "webhooks_total"))
	}
}

// TestValidDeliveriesNeverLimited: one address sends more valid deliveries
// in a minute than the old per-address limit of 6,000 allowed; all are
// accepted.
func TestValidDeliveriesNeverLimited(t *testing.T) {
	s := start(t, tempDBEnv(t))
	const total, workers = 6100, 32
	var refused, next atomic.Int32
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: 30 * time.Second}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= total; i = next.Add(1) {
				resp, err := client.Post(s.URL+"/webhooks/videosdk", "application/json",
					bytes.NewReader(joined(fmt.Sprintf("burst-%d", i%50), fmt.Sprintf("P%d", i))))
				if err != nil {
					refused.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					refused.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if n := refused.Load(); n > 0 {
		t.Errorf("%d of %d valid deliveries from one address were refused", n, total)
	}
}
