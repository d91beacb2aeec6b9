package main

import (
	"errors"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/netutil"
)

// fdReserve is how many open files the connection cap leaves for the
// database, the log and the rest when it is derived from the open-file
// limit.
const fdReserve = 256

// fdLimit raises the soft limit on open files to the hard limit (Go does
// so at start on Linux already; this makes it explicit and reports the
// result) and returns the limit in force, 0 when unknown.
func fdLimit() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	if lim.Cur < lim.Max {
		raised := lim
		raised.Cur = raised.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			lim = raised
		}
	}
	return lim.Cur
}

// connCap is how many connections the server holds open at once: the
// setting when given, else (and at most) what the open-file limit leaves
// after fdReserve. Accepted sockets past the cap wait in the kernel's
// backlog until a held one closes.
func connCap(setting int, limit uint64) (n int, clamped bool) {
	fit := 0
	if limit > fdReserve*2 {
		fit = int(min(limit-fdReserve, 1<<30))
	} else if limit > 0 {
		fit = int(limit / 2)
	}
	switch {
	case fit == 0:
		return max(setting, 0), false
	case setting <= 0:
		return fit, false
	case setting > fit:
		return fit, true
	}
	return setting, false
}

// guardListener caps open connections at maxConns and keeps accepting
// through errors that pass (out of file descriptors, a connection aborted
// before it was accepted), so that running out of descriptors never ends
// the process: it waits and tries again, and serves as soon as
// descriptors are free.
func guardListener(ln net.Listener, maxConns int, log *slog.Logger) net.Listener {
	var l net.Listener = &retryListener{Listener: ln, log: log}
	if maxConns > 0 {
		l = netutil.LimitListener(l, maxConns)
	}
	return l
}

// retryListener retries Accept after temporary errors, backing off from
// 5 ms to 1 s as net/http's server does.
type retryListener struct {
	net.Listener
	log *slog.Logger

	mu     sync.Mutex
	warned time.Time
}

// Accept waits for the next connection, retrying through temporary
// errors.
func (l *retryListener) Accept() (net.Conn, error) {
	var wait time.Duration
	for {
		c, err := l.Listener.Accept()
		if err == nil || !temporaryAccept(err) {
			return c, err
		}
		wait = min(max(2*wait, 5*time.Millisecond), time.Second)
		l.warn(err, wait)
		time.Sleep(wait)
	}
}

// warn logs an accept error at most once a minute.
func (l *retryListener) warn(err error, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Since(l.warned) < time.Minute {
		return
	}
	l.warned = time.Now()
	l.log.Warn("accepting connections failed; retrying (logged once a minute)", "err", err, "retry_in", wait)
}

// temporaryAccept reports whether an Accept error passes by itself: out
// of file descriptors or memory for sockets, or a connection that went
// away before it was accepted.
func temporaryAccept(err error) bool {
	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.ECONNRESET} {
		if errors.Is(err, errno) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
