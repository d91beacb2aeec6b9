package dbtest

import (
	"errors"
	"os"
	"sync"
	"testing"
)

// Cluster is a PostgreSQL server of its own, started for one test, that the
// test may stop and start again: for tests of how the program behaves while
// its database server is down and once it is back. Unlike the shared cluster
// of PostgresDSN, no other test uses it.
type Cluster struct {
	mu      sync.Mutex
	c       *cluster
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
	c, err := newCluster("dbtest-pg-dedicated-", true)
	if errors.Is(err, errNoPostgres) {
		t.Skipf("dbtest: %v; this test starts and stops a PostgreSQL server of its own, so it needs PostgreSQL installed "+
			"(e.g. apt-get install postgresql; %s does not serve)", err, envURL)
	}
	if err != nil {
		t.Fatalf("dbtest: dedicated cluster: %v", err)
	}
	cl := &Cluster{c: c}
	t.Cleanup(func() {
		cl.mu.Lock()
		defer cl.mu.Unlock()
		if err := cl.c.stop(); err != nil {
			t.Errorf("dbtest: stopping dedicated cluster: %v", err)
		}
		cl.running = false
	})
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

// Start launches the server on its data dir and port and returns once it
// accepts connections (within 30 s). Starting a running cluster is an error.
func (cl *Cluster) Start() error {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if cl.running {
		return errors.New("dbtest: cluster already running")
	}
	if err := cl.c.start(); err != nil {
		return err
	}
	cl.running = true
	return nil
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
