package repository

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
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

// requestTx is the context key of the transaction a whole request runs
// in (an idempotent POST: its writes and its kept answer commit together).
type requestTx struct{}

// withTx returns ctx carrying tx: the stores' statements made with it run
// in tx.
func withTx(ctx context.Context, tx *gorm.DB) context.Context {
	return context.WithValue(ctx, requestTx{}, tx)
}

// conn is the handle a store runs a statement on for ctx: the request's
// transaction when ctx carries one, else db.
func conn(ctx context.Context, db *gorm.DB) *gorm.DB {
	if tx, ok := ctx.Value(requestTx{}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return db.WithContext(ctx)
}

// transaction runs fn in one transaction on db, queued behind this
// process's other write transactions when db is SQLite. Inside the
// request's transaction (ctx carries one) fn runs in a savepoint of it:
// an error rolls fn back alone, and the write turn is already held.
func transaction(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	if tx, ok := ctx.Value(requestTx{}).(*gorm.DB); ok {
		return tx.WithContext(ctx).Transaction(fn)
	}
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

// transactionNoSavepoint is transaction without the savepoint inside the
// request's transaction: fn runs on it directly. It is for writes whose
// every caller returns fn's error unhandled, so that the request answers
// with an error, and an error answer rolls the request's writes back
// whole (the idempotent request's own savepoint, IdempotencyStore.Run):
// a savepoint of fn alone would be one more round trip, and on the
// registration path one more while the unit's day counter is held.
func transactionNoSavepoint(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	if tx, ok := ctx.Value(requestTx{}).(*gorm.DB); ok {
		return fn(tx.WithContext(ctx))
	}
	return transaction(ctx, db, fn)
}

// lockRow makes the SELECT of tx lock the rows it reads until tx ends:
// FOR NO KEY UPDATE on PostgreSQL, which a row's writers take anyway and
// which, unlike FOR UPDATE, leaves inserts of rows that reference it (their
// foreign key checks) free. On SQLite a write transaction holds the whole
// database already (BEGIN IMMEDIATE), so nothing is added.
func lockRow(tx *gorm.DB) *gorm.DB {
	if Dialect(tx) == "postgres" {
		return tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	return tx
}
