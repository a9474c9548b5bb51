package repository

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"gorm.io/gorm"
)

// RiverDriver is the queue's driver over the pool GORM holds for db:
// River's database/sql driver on PostgreSQL (so that its jobs are inserted
// in the *sql.Tx of a GORM transaction) and its SQLite driver on SQLite.
// Both have the transaction type *sql.Tx, so one client type serves both.
func RiverDriver(db *gorm.DB) riverdriver.Driver[*sql.Tx] {
	sqlDB, err := db.DB()
	if err != nil {
		// db.DB fails only for a handle that is no database at all, which
		// Open never returns.
		panic(fmt.Sprintf("queue driver: %v", err))
	}
	if Dialect(db) == "postgres" {
		return riverdatabasesql.New(sqlDB)
	}
	return riversqlite.New(sqlDB)
}

// migrateQueue applies River's own migrations (its job, leader and queue
// tables), after the project's: River versions its schema itself, so its
// migrations are not copied into ours.
func migrateQueue(ctx context.Context, db *gorm.DB) error {
	m, err := rivermigrate.New(RiverDriver(db), nil)
	if err != nil {
		return fmt.Errorf("migrate queue: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate queue: %w", err)
	}
	return nil
}

// OutboxKinds are the job kinds whose unfinished jobs the outbox gauge
// counts, each shown even when none is pending.
var OutboxKinds = []string{KindDispatch, "webhook", "email", "sms", "escalation"}

// pendingAs counts a job kind under another kind of the gauge: a staff
// digest is an e-mail.
var pendingAs = map[string]string{KindDigest: "email"}

// PendingJobs counts the queue's unfinished jobs (neither completed,
// cancelled nor discarded) of each of OutboxKinds, staff digests with the
// e-mails.
func PendingJobs(ctx context.Context, db *gorm.DB) (map[string]int64, error) {
	var rows []struct {
		Kind string
		N    int64
	}
	kinds := append([]string{KindDigest}, OutboxKinds...)
	err := conn(ctx, db).Table("river_job").Select("kind, COUNT(*) AS n").
		Where("state NOT IN ?", []string{"completed", "cancelled", "discarded"}).
		Where("kind IN ?", kinds).Group("kind").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("pending jobs: %w", err)
	}
	out := make(map[string]int64, len(OutboxKinds))
	for _, k := range OutboxKinds {
		out[k] = 0
	}
	for _, r := range rows {
		k := r.Kind
		if as, ok := pendingAs[k]; ok {
			k = as
		}
		out[k] += r.N
	}
	return out, nil
}
