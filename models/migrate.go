package models

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one versioned schema change. Its file name gives its version
// ("0001_init.sql" is version 1) and, when the change differs between the
// databases, the one it is for ("0013_log_partitions.postgres.sql" and
// "0013_log_partitions.sqlite.sql" are both version 13).
type Migration struct {
	Version int
	Name    string
	// Dialect is "postgres" or "sqlite" for a change to one database only,
	// "" for both.
	Dialect string
	SQL     string
}

// Migrations lists the schema changes in the order they apply.
func Migrations() ([]Migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]Migration, 0, len(names))
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: file name must start with a number", base)
		}
		body, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(base, ".sql")
		dialect := ""
		for _, d := range []string{"postgres", "sqlite"} {
			if n, ok := strings.CutSuffix(name, "."+d); ok {
				name, dialect = n, d
			}
		}
		out = append(out, Migration{Version: v, Name: name, Dialect: dialect, SQL: string(body)})
	}
	return out, nil
}

// schemaMigration records an applied migration.
type schemaMigration struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	AppliedAt time.Time
}

// Migrate applies, each in its own transaction, every migration not yet
// recorded in the schema_migrations table. Instances starting together on
// one PostgreSQL database take turns through an advisory lock.
func Migrate(db *gorm.DB) error {
	return migrateTo(db, int(^uint(0)>>1))
}

// migrateTo is Migrate up to a version, for tests of an upgrade.
func migrateTo(db *gorm.DB, version int) error {
	migs, err := Migrations()
	if err != nil {
		return err
	}
	if err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ` + dialectTypes(db)["time"] + ` NOT NULL)`).Error; err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range migs {
		if m.Version > version || m.Dialect != "" && m.Dialect != dialectName(db) {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if isPostgres(tx) {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(7262010)").Error; err != nil {
					return err
				}
			}
			var n int64
			if err := tx.Table("schema_migrations").Where("version = ?", m.Version).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(expandTypes(m.SQL, dialectTypes(tx))) {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%w\nin statement: %s", err, stmt)
				}
			}
			return tx.Table("schema_migrations").Create(&schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// SchemaVersion returns the newest applied migration and the newest known
// one for the database's dialect; they differ when the database needs
// migrating.
func SchemaVersion(db *gorm.DB) (applied, known int, err error) {
	migs, err := Migrations()
	if err != nil {
		return 0, 0, err
	}
	for _, m := range migs {
		if m.Dialect == "" || m.Dialect == dialectName(db) {
			known = max(known, m.Version)
		}
	}
	err = db.Table("schema_migrations").Select("COALESCE(MAX(version), 0)").Scan(&applied).Error
	return applied, known, err
}

// dialectTypes gives what the placeholders of migration files stand for:
// {{id}}, {{time}}, {{bytes}}, {{lifecycle}} (a lifecycle's columns) and
// {{pattern_ops}} (the operator class a text index needs for LIKE 'prefix%'
// on PostgreSQL under any collation; none on SQLite).
func dialectTypes(db *gorm.DB) map[string]string {
	lifecycle := "status TEXT NOT NULL DEFAULT '',\n  status_rank INTEGER NOT NULL DEFAULT 0,\n" +
		"  starting_at {{time}},\n  started_at {{time}},\n  stopping_at {{time}},\n  ended_at {{time}},\n" +
		"  message TEXT NOT NULL DEFAULT ''"
	if isPostgres(db) {
		return map[string]string{"id": "BIGSERIAL PRIMARY KEY", "time": "TIMESTAMPTZ", "bytes": "BYTEA", "lifecycle": lifecycle,
			"pattern_ops": "text_pattern_ops", "xid": "xid8 NOT NULL DEFAULT pg_current_xact_id()"}
	}
	return map[string]string{"id": "INTEGER PRIMARY KEY AUTOINCREMENT", "time": "DATETIME", "bytes": "BLOB", "lifecycle": lifecycle,
		"pattern_ops": "", "xid": "INTEGER NOT NULL DEFAULT 0"}
}

func expandTypes(sql string, types map[string]string) string {
	// lifecycle first: it holds {{time}} placeholders of its own.
	sql = strings.ReplaceAll(sql, "{{lifecycle}}", types["lifecycle"])
	for k, v := range types {
		sql = strings.ReplaceAll(sql, "{{"+k+"}}", v)
	}
	return sql
}

// splitStatements cuts a migration file into statements, dropping comment
// lines. Statements end with a semicolon at the end of a line, outside a
// dollar-quoted body (a DO block's, between lines holding $$); a CREATE
// TRIGGER statement with a body of statements (SQLite's BEGIN ... END)
// ends only at a line that ends with "END;", so they stay in it.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	quoted, trigger := false, false
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") {
			continue
		}
		if cur.Len() == 0 {
			trigger = strings.HasPrefix(strings.ToUpper(trimmed), "CREATE TRIGGER")
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.Count(line, "$$")%2 == 1 {
			quoted = !quoted
		}
		end := strings.HasSuffix(trimmed, ";")
		if trigger && triggerBody.MatchString(cur.String()) {
			end = strings.HasSuffix(strings.ToUpper(trimmed), "END;")
		}
		if !quoted && end {
			if s := strings.TrimSpace(cur.String()); s != ";" {
				out = append(out, strings.TrimSuffix(s, ";"))
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// triggerBody finds the BEGIN of a trigger's body of statements.
var triggerBody = regexp.MustCompile(`(?i)\bBEGIN\b`)

func isPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

// dialectName is "postgres" or "sqlite", as migration file names say it.
func dialectName(db *gorm.DB) string {
	if isPostgres(db) {
		return "postgres"
	}
	return "sqlite"
}
