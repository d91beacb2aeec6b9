// Package dbtest gives tests a real, empty PostgreSQL database.
//
// Tests call PostgresDSN to get a fresh database, and the package's TestMain
// calls Main so that a throwaway cluster started for the test binary is
// stopped and removed afterwards:
//
//	func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	envURL      = "DASHBOARD_TEST_POSTGRES_URL"
	envDisabled = "DASHBOARD_TEST_NO_POSTGRES"
	howToEnable = "install PostgreSQL (e.g. apt-get install postgresql) so that initdb is on PATH or in /usr/lib/postgresql/*/bin, " +
		"or set " + envURL + " to the URL of a server role that may CREATE DATABASE"
)

// pgBinGlob matches the directories of Debian's versioned PostgreSQL installs.
// A var so that the not-installed path can be checked without touching the system:
// go test -ldflags=-X=github.com/meetboard/meetboard/models/dbtest.pgBinGlob=/nonexistent ...
var pgBinGlob = "/usr/lib/postgresql/*/bin"

// errNoPostgres marks a missing PostgreSQL installation: the test is skipped, not failed.
var errNoPostgres = errors.New("no PostgreSQL server available")

// shared is the throwaway cluster of this test binary, started by the first PostgresDSN call.
var shared struct {
	mu      sync.Mutex
	started bool // a start was attempted; c and err hold the outcome
	c       *cluster
	err     error
}

// cluster is a PostgreSQL server running as a child process on a loopback port.
type cluster struct {
	dir        string              // temp dir holding data dir, socket dir and log
	binDir     string              // where initdb and postgres are
	cred       *syscall.Credential // the postgres user's, when running as root
	syncCommit bool                // synchronous_commit: on, or off for speed
	port       int
	cmd        *exec.Cmd
	done       chan struct{} // closed when the server process has exited
}

// Main runs the tests of a package and stops any throwaway PostgreSQL cluster that PostgresDSN started.
// Use: func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }   (returns the exit code)
func Main(m *testing.M) int {
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.c != nil {
		if err := shared.c.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "dbtest:", err)
		}
		shared.c = nil
	}
	return code
}

// PostgresDSN returns a connection URL (postgres://...) for a new, empty database that is dropped when the test ends.
// The server comes from env DASHBOARD_TEST_POSTGRES_URL (a URL of a role that may CREATE DATABASE) when set;
// otherwise, when an initdb binary is found (PATH, or /usr/lib/postgresql/*/bin, newest version first),
// one throwaway cluster is started per test binary in a temp dir on a free loopback TCP port and reused by every call.
// When neither is available it calls t.Skip with a clear message saying how to enable the test
// (install PostgreSQL, e.g. apt-get install postgresql, or set DASHBOARD_TEST_POSTGRES_URL).
// If the env var is set but the server is unreachable, that is a test failure (t.Fatal), not a skip.
//
// Setting DASHBOARD_TEST_NO_POSTGRES=1 forces the skip path, e.g. to check how tests behave without PostgreSQL.
// When running as root, the throwaway cluster runs as the "postgres" system user; without that user the test is skipped.
// The package's TestMain must call Main so that the throwaway cluster is stopped and its temp dir removed.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	if os.Getenv(envDisabled) == "1" {
		t.Skipf("dbtest: PostgreSQL tests disabled by %s=1; to run them, unset it and %s", envDisabled, howToEnable)
	}

	admin := os.Getenv(envURL)
	source := envURL + "="
	if admin == "" {
		source = "throwaway cluster "
		c, err := sharedCluster()
		if errors.Is(err, errNoPostgres) {
			t.Skipf("dbtest: %v; to run this test, %s", err, howToEnable)
		}
		if err != nil {
			t.Fatalf("dbtest: starting throwaway PostgreSQL cluster: %v", err)
		}
		admin = c.url("postgres")
	}

	u, err := url.Parse(admin)
	if err == nil && u.Scheme != "postgres" && u.Scheme != "postgresql" {
		err = errors.New("not a postgres:// URL")
	}
	if err != nil {
		t.Fatalf("dbtest: invalid %s: %v", envURL, err)
	}
	name := "test_" + randomHex(8)
	if err := exec1(admin, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("dbtest: creating database on %s%s: %v", source, u.Redacted(), err)
	}
	t.Cleanup(func() {
		if err := dropDatabase(admin, name); err != nil {
			t.Errorf("dbtest: dropping database %s: %v", name, err)
		}
	})

	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

// dropDatabase drops a test's database, ending its connections. WITH
// (FORCE) fails for a role that may not end another role's process, such
// as an autovacuum worker that happens to be on the database; a plain DROP
// stops that worker by itself, so it is tried a few times instead.
func dropDatabase(admin, name string) error {
	err := exec1(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	for try := 0; err != nil && strings.Contains(err.Error(), "42501") && try < 20; try++ {
		time.Sleep(250 * time.Millisecond)
		err = exec1(admin, "DROP DATABASE IF EXISTS "+name)
	}
	return err
}

// exec1 runs one statement on a fresh connection to dsn.
func exec1(dsn, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails on supported platforms
	return hex.EncodeToString(b)
}

// sharedCluster starts the binary's throwaway cluster on first use and returns it.
func sharedCluster() (*cluster, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.started {
		shared.started = true
		shared.c, shared.err = startCluster()
	}
	if shared.err == nil && shared.c == nil {
		return nil, errors.New("cluster already stopped by Main")
	}
	return shared.c, shared.err
}

// findBinDir returns a directory holding both initdb and postgres: the one of
// initdb on PATH first, then pgBinGlob matches, newest version first.
func findBinDir() (string, error) {
	var candidates []string
	if p, err := exec.LookPath("initdb"); err == nil {
		candidates = append(candidates, p)
	}
	for _, d := range installDirs() {
		candidates = append(candidates, filepath.Join(d, "initdb"))
	}

	for _, initdb := range candidates {
		real, err := filepath.EvalSymlinks(initdb)
		if err != nil {
			continue
		}
		dir := filepath.Dir(real)
		if isExecutable(real) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("%w: no initdb (with postgres next to it) on PATH or in %s", errNoPostgres, pgBinGlob)
}

// installDirs lists the bin directories of Debian's PostgreSQL installs,
// newest version first.
func installDirs() []string {
	dirs, _ := filepath.Glob(pgBinGlob)
	version := func(dir string) float64 {
		v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		if err != nil {
			return -1
		}
		return v
	}
	sort.SliceStable(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	return dirs
}

// Program returns the path of one of PostgreSQL's programs (pgbench, say),
// from PATH or else from the newest install in /usr/lib/postgresql/*/bin.
// When there is none, the test is skipped with a message saying how to
// install it.
func Program(t testing.TB, name string) string {
	t.Helper()
	if os.Getenv(envDisabled) == "1" {
		t.Skipf("dbtest: PostgreSQL tests disabled by %s=1; to run them, unset it", envDisabled)
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range installDirs() {
		if p := filepath.Join(d, name); isExecutable(p) {
			return p
		}
	}
	t.Skipf("dbtest: no %s on PATH or in %s; to run this test, install PostgreSQL (e.g. apt-get install postgresql)", name, pgBinGlob)
	return ""
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// startCluster runs initdb in a new temp dir and starts postgres on a free loopback port.
func startCluster() (*cluster, error) {
	c, err := newCluster("dbtest-pg-", false)
	if err != nil {
		return nil, err
	}
	if err := c.start(); err != nil {
		_ = os.RemoveAll(c.dir)
		return nil, err
	}
	return c, nil
}

// newCluster finds PostgreSQL and runs initdb in a new temp dir (named
// after prefix), picking a free port; it does not start the server.
func newCluster(prefix string, syncCommit bool) (*cluster, error) {
	binDir, err := findBinDir()
	if err != nil {
		return nil, err
	}
	cred, err := postgresUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, binDir: binDir, cred: cred, syncCommit: syncCommit}
	if err := c.initdb(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// postgresUser is nil unless running as root: initdb and postgres refuse
// to run as root, so they then run as the postgres system user.
func postgresUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("%w: running as root, and initdb/postgres cannot run as root, but there is no \"postgres\" system user (%v)", errNoPostgres, err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{uint32(gid)}}, nil
}

func (c *cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.binDir, name), args...)
	cmd.Dir = c.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	return cmd
}

// initdb creates the data and socket dirs and picks the port.
func (c *cluster) initdb() error {
	sockDir := filepath.Join(c.dir, "sock")
	if err := os.Mkdir(sockDir, 0o700); err != nil {
		return err
	}
	if c.cred != nil {
		for _, d := range []string{c.dir, sockDir} {
			if err := os.Chown(d, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
				return err
			}
		}
	}
	initdb := c.command("initdb", "-D", filepath.Join(c.dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C")
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

// start launches the server on its data dir and port and returns once it
// accepts connections (within 30 s). The port was free when the cluster
// was made and only this server uses it; right after a stop the kernel may
// still refuse it for a moment, so a few attempts are made.
func (c *cluster) start() error {
	logPath := filepath.Join(c.dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close() // the child keeps its own copy of the descriptor
	syncCommit := "off"
	if c.syncCommit {
		syncCommit = "on"
	}
	for attempt := 0; ; attempt++ {
		c.cmd = c.command("postgres", "-D", filepath.Join(c.dir, "data"), "-p", strconv.Itoa(c.port), "-k", filepath.Join(c.dir, "sock"),
			"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit="+syncCommit, "-c", "full_page_writes=off")
		c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
		// Credentials are set before the parent-death signal in the child, so it survives them:
		// the server gets SIGTERM if the test binary dies without calling Main.
		c.cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
		if err := c.cmd.Start(); err != nil {
			return fmt.Errorf("starting postgres: %w", err)
		}
		c.done = make(chan struct{})
		go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(c.cmd, c.done)
		err = c.waitReady(30 * time.Second)
		if err == nil {
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

// waitReady polls until the server accepts connections, it exits, or timeout passes.
func (c *cluster) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.url("postgres"))
		cancel()
		if err == nil {
			return conn.Close(context.Background())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections on port %d within %v: %v", c.port, timeout, err)
		}
		select {
		case <-c.done:
			return fmt.Errorf("postgres exited during startup: %v", c.cmd.ProcessState)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *cluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// stopServer asks postgres for a fast shutdown (SIGINT) and waits, killing it after 10 s.
func (c *cluster) stopServer() error {
	if c.cmd == nil || c.cmd.Process == nil {
		return nil
	}
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
		return nil
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
		return errors.New("postgres did not stop within 10s after SIGINT; killed it")
	}
}

// stop stops the server and removes the temp dir.
func (c *cluster) stop() error {
	err := c.stopServer()
	if rmErr := os.RemoveAll(c.dir); rmErr != nil && err == nil {
		err = rmErr
	}
	return err
}

// freePort returns a currently unused loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Drop drops, connections and all, a database that PostgresDSN returned,
// as if its server had lost it: for tests of how the program behaves when
// the database goes away.
func Drop(dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	return exec1(u.String(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}
