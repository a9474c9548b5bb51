package repository

import (
	"context"

	"gorm.io/gorm"
)

// writerPlugin names the gate that Open registers on a SQLite handle.
const writerPlugin = "motcua:sqlite-writer"

// sqliteWriter lets one write transaction of this process at a time into a
// SQLite database, in the order they asked.
//
// SQLite itself admits one writer and makes the others poll (busy_timeout):
// a poller that keeps waking while another transaction holds the lock can
// lose every time, and under CPU starvation one did for the whole timeout
// and failed with SQLITE_BUSY although the database was never stuck. A
// channel's waiters are served first come, first served, so queueing here
// is fair and bounded by the work ahead. Other processes on the same file
// (a CLI import beside the server) still meet the busy timeout.
type sqliteWriter struct{ turn chan struct{} }

func newSQLiteWriter() *sqliteWriter { return &sqliteWriter{turn: make(chan struct{}, 1)} }

func (*sqliteWriter) Name() string              { return writerPlugin }
func (*sqliteWriter) Initialize(*gorm.DB) error { return nil }

// transaction runs fn in one transaction on db, queued behind this
// process's other write transactions when db is SQLite.
func transaction(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	if w, ok := db.Config.Plugins[writerPlugin].(*sqliteWriter); ok {
		select {
		case w.turn <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-w.turn }()
	}
	return db.WithContext(ctx).Transaction(fn)
}
