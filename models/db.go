package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DBOptions tunes the connection pool. Zero values take the defaults.
type DBOptions struct {
	// MaxOpenConns caps the pool; default 10 on PostgreSQL, 4 on SQLite
	// (one writer at a time, readers in parallel thanks to WAL).
	MaxOpenConns int
	// Logger receives slow queries and errors; nil logs through slog's
	// default logger.
	Logger *slog.Logger
}

// Open connects to the database that url names: a postgres:// or
// postgresql:// URL selects PostgreSQL; anything else is a SQLite file path
// (an optional "sqlite:" or "file:" prefix is dropped). It does not migrate.
//
// SQLite runs in WAL mode with synchronous=FULL, so a commit is on disk
// before it returns: a webhook that got a 2xx survives a crash or power loss.
// Transactions take the write lock when they begin (immediate), and a busy
// database is waited on for up to 10 s rather than failing at once.
func Open(url string, opts DBOptions) (*gorm.DB, error) {
	cfg := &gorm.Config{Logger: newGormLogger(opts.Logger), NowFunc: func() time.Time { return time.Now().UTC() }}
	var (
		db  *gorm.DB
		err error
	)
	if IsPostgresURL(url) {
		db, err = gorm.Open(postgres.Open(url), cfg)
		if opts.MaxOpenConns == 0 {
			opts.MaxOpenConns = 10
		}
	} else {
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:")
		if path == "" {
			return nil, fmt.Errorf("empty database path")
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("database directory: %w", err)
			}
		}
		dsn := path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
			"&_pragma=foreign_keys(1)&_pragma=case_sensitive_like(1)&_txlock=immediate&_time_format=sqlite"
		db, err = gorm.Open(sqlite.Open(dsn), cfg)
		if opts.MaxOpenConns == 0 {
			opts.MaxOpenConns = 4
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(opts.MaxOpenConns)
	sqlDB.SetMaxIdleConns(opts.MaxOpenConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// IsPostgresURL reports whether url selects PostgreSQL.
func IsPostgresURL(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

func newGormLogger(l *slog.Logger) logger.Interface {
	if l == nil {
		l = slog.Default()
	}
	// Queries are logged without their values: those are webhook bodies,
	// password hashes and tokens.
	cfg := logger.Config{
		SlowThreshold:             time.Second,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true,
		LogLevel:                  logger.Warn,
	}
	return quietLogger{Interface: logger.NewSlogLogger(l, cfg), slow: cfg.SlowThreshold}
}

// quietLogger passes on only the statements that failed or were slow,
// unless set to log every statement (LogMode Info). GORM's slog logger
// formats every statement's SQL before it decides whether to log it, which
// costs ingest a tenth of its CPU.
type quietLogger struct {
	logger.Interface
	slow    time.Duration
	verbose bool
}

// LogMode returns the logger at another level.
func (q quietLogger) LogMode(level logger.LogLevel) logger.Interface {
	return quietLogger{Interface: q.Interface.LogMode(level), slow: q.slow, verbose: level >= logger.Info}
}

// Trace logs a statement that failed (other than finding no row) or took
// longer than the slow threshold.
func (q quietLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if !q.verbose && (err == nil || errors.Is(err, gorm.ErrRecordNotFound)) && time.Since(begin) <= q.slow {
		return
	}
	q.Interface.Trace(ctx, begin, fc, err)
}
