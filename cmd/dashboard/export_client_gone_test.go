package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slowClient asks for path and reads only the status line, with a small
// receive buffer, so the server's writes soon wait on it.
func slowClient(t *testing.T, base, path string) (net.Conn, string) {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		c.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return err
	}}
	conn, err := d.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, strings.TrimPrefix(base, "http://"))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return conn, strings.TrimSpace(status)
}

// TestExportStopsWhenClientGoes: exports whose clients stop reading hold
// their places (at most 4 at once; the next is told to retry), and give
// them up as soon as the clients go away.
func TestExportStopsWhenClientGoes(t *testing.T) {
	s := start(t, tempDBEnv(t))
	// 16 MB of event log: far more than the sockets between the server
	// and a client that reads nothing can hold.
	pad := strings.Repeat("x", 8000)
	var groups [][][]byte
	for i := range 2000 {
		groups = append(groups, [][]byte{jobHook("recording-started", fmt.Sprint("gone-", i), pad)})
	}
	s.postMany(t, spread(8, groups))

	var held []net.Conn
	for range 4 {
		conn, status := slowClient(t, s.URL, "/events.csv")
		held = append(held, conn)
		if status != "HTTP/1.1 200 OK" {
			t.Fatalf("an export: %s", status)
		}
	}
	conn, status := slowClient(t, s.URL, "/events.csv")
	conn.Close()
	if status != "HTTP/1.1 429 Too Many Requests" {
		t.Errorf("a fifth export while four wait on their clients: %s, want 429", status)
	}
	for _, c := range held {
		c.Close()
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, _ := get(t, http.DefaultClient, s.URL+"/events.csv?meeting=none", nil)
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("20 s after their clients went away, exports are still refused: %d", resp.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
