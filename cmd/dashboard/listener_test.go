package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// flakyListener fails Accept with err n times, then accepts from a pipe.
type flakyListener struct {
	err error
	n   int
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.n > 0 {
		l.n--
		return nil, l.err
	}
	c, _ := net.Pipe()
	return c, nil
}
func (l *flakyListener) Close() error   { return nil }
func (l *flakyListener) Addr() net.Addr { return &net.TCPAddr{} }

func TestRetryListener(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, errno := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ECONNABORTED} {
		err := &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", errno)}
		l := guardListener(&flakyListener{err: err, n: 3}, 0, log)
		c, got := l.Accept()
		if got != nil || c == nil {
			t.Errorf("%v three times, then a connection: Accept returned %v, %v", errno, c, got)
		}
	}
	closed := &flakyListener{err: net.ErrClosed, n: 1}
	if _, err := guardListener(closed, 0, log).Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("a closed listener: %v, want net.ErrClosed", err)
	}
}

func TestConnCap(t *testing.T) {
	for _, c := range []struct {
		setting int
		limit   uint64
		want    int
		clamped bool
	}{
		{0, 20000, 20000 - fdReserve, false},
		{5000, 20000, 5000, false},
		{50000, 20000, 20000 - fdReserve, true},
		{0, 300, 150, false},
		{0, 0, 0, false},
		{100, 0, 100, false},
	} {
		got, clamped := connCap(c.setting, c.limit)
		if got != c.want || clamped != c.clamped {
			t.Errorf("connCap(%d, %d) = %d, %v; want %d, %v", c.setting, c.limit, got, clamped, c.want, c.clamped)
		}
	}
}

// TestDescriptorFlood: the real program, with few file descriptors, under
// more idle connections than it has descriptors for. It stays up, and
// serves again as soon as the flood ends. Before, accept failed with
// EMFILE and the process exited.
func TestDescriptorFlood(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("needs prlimit (util-linux) to run the dashboard with few file descriptors")
	}
	bin := faultBuild(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "dashboard.log")
	p := faultStartProcess(t, bin, filepath.Join(dir, "d.db"), logPath, prlimit, "--nofile=300:300", "--")
	host := strings.TrimPrefix(p.URL, "http://")
	var flood []net.Conn
	defer func() {
		for _, c := range flood {
			c.Close()
		}
	}()
	for range 600 {
		c, err := net.DialTimeout("tcp", host, 2*time.Second)
		if err != nil {
			break // the backlog is full: the flood has done what it can
		}
		flood = append(flood, c)
	}
	t.Logf("%d idle connections open against an open-file limit of 300", len(flood))
	time.Sleep(500 * time.Millisecond)
	select {
	case <-p.exited:
		t.Fatalf("the dashboard exited under the flood: %v\n%s", p.cmd.ProcessState, faultTail(logPath))
	default:
	}
	for _, c := range flood {
		c.Close()
	}
	flood = nil
	client := &http.Client{Timeout: 3 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Post(p.URL+"/webhooks/videosdk", "application/json", strings.NewReader(string(joined("after-flood", "P"))))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			t.Fatalf("not serving 30 s after the flood ended: %v\n%s", err, faultTail(logPath))
		}
		select {
		case <-p.exited:
			t.Fatalf("the dashboard exited: %v\n%s", p.cmd.ProcessState, faultTail(logPath))
		case <-time.After(100 * time.Millisecond):
		}
	}
}
