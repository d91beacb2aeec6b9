package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// command runs the dashboard program with a command and returns what it
// printed on stdout and stderr.
func command(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut strings.Builder
	err = run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// TestCommandFlagsAnywhere gives -db before, between and after a
// command's words: each command uses that database and says so, and
// nothing is written to the default one.
func TestCommandFlagsAnywhere(t *testing.T) {
	t.Chdir(t.TempDir()) // where the default ./dashboard.db would be
	db := filepath.Join(t.TempDir(), "ops.db")
	const pw = "long enough password\n"
	for _, args := range [][]string{
		{"user", "add", "op", "-db", db},
		{"user", "add", "-db", db, "op2"},
		{"-db", db, "user", "add", "op3"},
		{"user", "-db=" + db, "add", "op4"},
	} {
		_, stderr, err := command(t, pw, args...)
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		if !strings.Contains(stderr, "Database: SQLite "+db) {
			t.Errorf("%q: stderr does not name the database %s:\n%s", args, db, stderr)
		}
	}
	stdout, _, err := command(t, "", "user", "list", "-db", db)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		names = append(names, strings.Split(l, "\t")[0])
	}
	if strings.Join(names, " ") != "op op2 op3 op4" {
		t.Errorf("operators in %s: %q, want op op2 op3 op4", db, names)
	}

	stdout, stderr, err := command(t, "", "token", "add", "ci", "-db", db)
	if err != nil || strings.Contains(stdout, "Database") || !strings.Contains(stderr, db) {
		t.Errorf("token add: %v\nstdout (the token alone) %q\nstderr %q", err, stdout, stderr)
	}
	if _, stderr, err := command(t, "", "rebuild", "-db", db); err != nil || !strings.Contains(stderr, "Database: SQLite "+db) {
		t.Errorf("rebuild -db: %v\n%s", err, stderr)
	}
	if _, _, err := command(t, "", "reapply", "7", "-db", db); err == nil || !strings.Contains(err.Error(), "no event 7") {
		t.Errorf("reapply 7 -db: %v, want no event 7 in that database", err)
	}
	if _, err := os.Stat("dashboard.db"); !os.IsNotExist(err) {
		t.Errorf("the default ./dashboard.db was written to (%v)", err)
	}
}

// TestCommandRefusals: an unknown command, a missing or extra argument,
// an argument that looks like a flag and an unknown flag are refused
// before any database is created.
func TestCommandRefusals(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"usr", "add", "x"}, `unknown command "usr add x"`},
		{[]string{"user", "add"}, "user add is missing its NAME"},
		{[]string{"user", "add", "a", "b"}, `user add takes only NAME, got ["a" "b"]`},
		{[]string{"user", "list", "extra"}, "user list takes no argument"},
		{[]string{"rebuild", "now"}, "rebuild takes no argument"},
		{[]string{"reapply"}, "reapply is missing its ID"},
		{[]string{"user", "add", "--", "-db"}, `NAME "-db" begins with "-"`},
		{[]string{"user", "add", "op", "-dbb", "x"}, "flag provided but not defined: -dbb"},
	} {
		_, _, err := command(t, "long enough password\n", c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error saying %s", c.args, err, c.want)
		}
	}
	if _, err := os.Stat("dashboard.db"); !os.IsNotExist(err) {
		t.Errorf("a refused command created ./dashboard.db (%v)", err)
	}
}
