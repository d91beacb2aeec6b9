package dbtest

import (
	"path/filepath"
	"testing"
)

// ForEach runs f as a subtest against each database the dashboard
// supports: a SQLite file in a temp dir ("sqlite"), and a fresh PostgreSQL
// database ("postgres", skipped as PostgresDSN says when none is
// available). url is what DATABASE_URL would be.
func ForEach(t *testing.T, f func(t *testing.T, url string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		f(t, filepath.Join(t.TempDir(), "dashboard.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		f(t, PostgresDSN(t))
	})
}
