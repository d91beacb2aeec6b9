package dbtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Cluster is a PostgreSQL server of its own, started for one test, that the
// test may stop and start again: for tests of how the program behaves while
// its database server is down and once it is back. Unlike the shared cluster
// of PostgresDSN, no other test uses it.
type Cluster struct {
	mu      sync.Mutex
	c       *cluster
	binDir  string
	cred    *syscall.Credential
	running bool
	dsn     string
}

// NewCluster starts a dedicated throwaway cluster in a temp dir on a free
// loopback port, with an empty database "dashboard", and stops and removes
// it when the test ends. It skips the test, saying how to enable it, when
// DASHBOARD_TEST_NO_POSTGRES=1 is set or no initdb (with postgres next to it)
// is found: a server named by DASHBOARD_TEST_POSTGRES_URL cannot be used, as
// the test must be free to stop it. Running as root, the server runs as the
// "postgres" system user (skipped without one), as with PostgresDSN.
//
// Unlike the shared cluster, commits are synchronous (synchronous_commit=on):
// a transaction the server said it committed survives Stop. fsync stays off,
// since the machine does not crash in these tests.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	if os.Getenv(envDisabled) == "1" {
		t.Skipf("dbtest: PostgreSQL tests disabled by %s=1; to run them, unset it and install PostgreSQL "+
			"(e.g. apt-get install postgresql) so that initdb is on PATH or in %s", envDisabled, pgBinGlob)
	}
	binDir, err := findBinDir()
	if errors.Is(err, errNoPostgres) {
		t.Skipf("dbtest: %v; this test starts and stops a PostgreSQL server of its own, so it needs PostgreSQL installed "+
			"(e.g. apt-get install postgresql; %s does not serve)", err, envURL)
	}
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("dbtest: %v: running as root, and initdb/postgres cannot run as root, but there is no \"postgres\" system user (%v)",
				errNoPostgres, err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{uint32(gid)}}
	}
	dir, err := os.MkdirTemp("", "dbtest-pg-dedicated-")
	if err != nil {
		t.Fatal(err)
	}
	cl := &Cluster{c: &cluster{dir: dir}, binDir: binDir, cred: cred}
	t.Cleanup(func() {
		cl.mu.Lock()
		defer cl.mu.Unlock()
		if err := cl.c.stop(); err != nil {
			t.Errorf("dbtest: stopping dedicated cluster: %v", err)
		}
		cl.running = false
	})
	if err := cl.init(); err != nil {
		t.Fatalf("dbtest: dedicated cluster: %v", err)
	}
	if err := cl.Start(); err != nil {
		t.Fatalf("dbtest: dedicated cluster: %v", err)
	}
	if err := exec1(cl.c.url("postgres"), "CREATE DATABASE dashboard"); err != nil {
		t.Fatalf("dbtest: creating database on the dedicated cluster: %v", err)
	}
	cl.dsn = cl.c.url("dashboard")
	return cl
}

// DSN is the connection URL of the cluster's database "dashboard". It stays
// the same across Stop and Start.
func (cl *Cluster) DSN() string { return cl.dsn }

// Port is the loopback TCP port the server listens on, the same across Stop
// and Start.
func (cl *Cluster) Port() int { return cl.c.port }

func (cl *Cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(cl.binDir, name), args...)
	cmd.Dir = cl.c.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cl.cred}
	return cmd
}

// init creates the data and socket dirs and picks the port.
func (cl *Cluster) init() error {
	c := cl.c
	sockDir := filepath.Join(c.dir, "sock")
	if err := os.Mkdir(sockDir, 0o700); err != nil {
		return err
	}
	if cl.cred != nil {
		for _, d := range []string{c.dir, sockDir} {
			if err := os.Chown(d, int(cl.cred.Uid), int(cl.cred.Gid)); err != nil {
				return err
			}
		}
	}
	initdb := cl.command("initdb", "-D", filepath.Join(c.dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C")
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	c.port = port
	return nil
}

// Start launches the server on its data dir and port and returns once it
// accepts connections (within 30 s). Starting a running cluster is an error.
func (cl *Cluster) Start() error {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.running {
		return errors.New("dbtest: cluster already running")
	}
	c := cl.c
	logPath := filepath.Join(c.dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close() // the child keeps its own copy of the descriptor

	// The port was free when the cluster was made, and this server is the
	// only one that uses it since; right after a stop the kernel may still
	// refuse it for a moment, so a few attempts are made.
	for attempt := 0; ; attempt++ {
		c.cmd = cl.command("postgres", "-D", filepath.Join(c.dir, "data"), "-p", strconv.Itoa(c.port), "-k", filepath.Join(c.dir, "sock"),
			"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=on", "-c", "full_page_writes=off")
		c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
		c.cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
		if err := c.cmd.Start(); err != nil {
			return fmt.Errorf("starting postgres: %w", err)
		}
		c.done = make(chan struct{})
		go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(c.cmd, c.done)
		err = c.waitReady(30 * time.Second)
		if err == nil {
			cl.running = true
			return nil
		}
		_ = c.stopServer()
		if attempt == 4 {
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("%v; server log:\n%s", err, log)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Stop asks the server for a fast shutdown (SIGINT: open transactions are
// rolled back, connections cut) and waits until it has exited. Stopping a
// stopped cluster does nothing.
func (cl *Cluster) Stop() error {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if !cl.running {
		return nil
	}
	cl.running = false
	return cl.c.stopServer()
}
