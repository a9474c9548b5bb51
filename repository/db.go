// Package repository implements the domain stores with GORM on SQLite (the
// embedded default, pure Go) and PostgreSQL. GORM rows never leave it; driver
// errors are translated into domain kinds here and nowhere else.
package repository

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/motcua/motcua/config"
)

// Options opens a database.
type Options struct {
	// URL is empty or sqlite:PATH for SQLite (PATH "motcua.db" when empty),
	// or postgres://… for PostgreSQL.
	URL          string
	MaxOpenConns int
	Log          *slog.Logger
	// ReplicaURLs are PostgreSQL read replicas. Reads outside transactions
	// go to them, except for callers marked with domain.WithFreshReads.
	ReplicaURLs []string
}

// Open connects to the database that opt.URL names and applies the pragmas
// and pool sizes that engine needs. It does not migrate.
func Open(opt Options) (*gorm.DB, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.Discard, // SQL text never reaches logs: it may carry personal data
		NowFunc:        func() time.Time { return time.Now().UTC() },
		PrepareStmt:    false,
	}
	if opt.MaxOpenConns <= 0 {
		opt.MaxOpenConns = 20
	}
	if len(opt.ReplicaURLs) > 0 && !config.IsPostgresURL(opt.URL) {
		return nil, fmt.Errorf("read replicas need a PostgreSQL primary")
	}
	if config.IsPostgresURL(opt.URL) {
		db, err := gorm.Open(postgres.New(postgres.Config{DSN: opt.URL}), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", redact(err))
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB.SetMaxOpenConns(opt.MaxOpenConns)
		sqlDB.SetMaxIdleConns(opt.MaxOpenConns)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		if len(opt.ReplicaURLs) > 0 {
			if err := useReplicas(db, opt.ReplicaURLs, opt.MaxOpenConns); err != nil {
				return nil, err
			}
		}
		if err := useOutbox(db); err != nil {
			return nil, err
		}
		return db, nil
	}
	path := config.SQLitePathOf(opt.URL)
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
	}
	// WAL for concurrent readers, foreign keys on (SQLite leaves them off),
	// a busy timeout instead of immediate SQLITE_BUSY, FULL sync for durability.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_txlock=immediate"
	db, err := gorm.Open(sqlite.Open(dsn), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// One writer at a time is SQLite's rule; a small pool keeps readers going,
	// and write transactions queue in turn (tx.go).
	sqlDB.SetMaxOpenConns(4)
	sqlDB.SetMaxIdleConns(4)
	if err := db.Use(newSQLiteWriter()); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if err := useOutbox(db); err != nil {
		return nil, err
	}
	return db, nil
}

// Close closes the database's pool.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Dialect names the engine behind db: "postgres" or "sqlite".
func Dialect(db *gorm.DB) string {
	if db.Dialector.Name() == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

// redact drops the error text of a failed PostgreSQL connection, which can
// echo the DSN (and its password).
func redact(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("cannot connect (check MOTCUA_DATABASE_URL)")
}
