package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/meetboard/meetboard/models"
	"github.com/meetboard/meetboard/models/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

// TestPgbenchScripts runs the pgbench scripts behind the README's ingest
// ceiling on a database the dashboard migrated, and counts the rows they
// write, so that they keep matching the schema as migrations change it.
func TestPgbenchScripts(t *testing.T) {
	pgbench := dbtest.Program(t, "pgbench")
	dsn := dbtest.PostgresDSN(t)
	db, err := models.Open(dsn, models.DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sqlDB, err := db.DB(); err == nil {
		t.Cleanup(func() { sqlDB.Close() })
	}
	if err := models.Migrate(db); err != nil {
		t.Fatal(err)
	}
	seed, err := os.ReadFile(filepath.Join("pgbench", "seed.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{string(seed), "CREATE TABLE bench (id bigserial PRIMARY KEY, body text NOT NULL)"} {
		if err := db.Exec(sql).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}

	// Two clients, three transactions each.
	run := func(script string, vars ...string) {
		t.Helper()
		args := []string{"-n", "-c", "2", "-j", "2", "-t", "3", "-f", filepath.Join("pgbench", script)}
		for _, v := range vars {
			args = append(args, "-D", v)
		}
		out, err := exec.Command(pgbench, append(args, dsn)...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "number of failed transactions: 0 ") {
			t.Fatalf("pgbench %s: %v\n%s", script, err, out)
		}
	}
	run("webhooks.sql", "c=2", "n=32")
	want := map[string]int64{
		"raw_events": 2 * 3 * 32, "participants": 2 * 3 * 16, "attendances": 2 * 3 * 16,
		"changes": 2 * 3, "meetings": 200, "sessions": 200,
	}
	checkCounts(t, db, want)
	var left int64
	if err := db.Table("participants").Where("NOT present").Count(&left).Error; err != nil || left == 0 {
		t.Errorf("participants who left: %d, %v; want some", left, err)
	}

	run("eventlog.sql", "n=32")
	want["raw_events"] += 2 * 3 * 32
	run("insert.sql")
	want["bench"] = 2 * 3
	checkCounts(t, db, want)
}

func checkCounts(t *testing.T, db *gorm.DB, want map[string]int64) {
	t.Helper()
	for table, n := range want {
		var got int64
		if err := db.Table(table).Count(&got).Error; err != nil || got != n {
			t.Errorf("%s: %d rows, %v; want %d", table, got, err, n)
		}
	}
}
