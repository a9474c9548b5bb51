package repository

import (
	"fmt"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"

	"github.com/motcua/motcua/domain"
)

// useReplicas routes reads outside transactions (statistics, lists, public
// lookups, …) to the replicas, and keeps writes, transactions and the reads
// of callers marked with domain.WithFreshReads on the primary.
func useReplicas(db *gorm.DB, urls []string, maxOpen int) error {
	var replicas []gorm.Dialector
	for _, u := range urls {
		replicas = append(replicas, postgres.New(postgres.Config{DSN: u}))
	}
	r := dbresolver.Register(dbresolver.Config{Replicas: replicas, Policy: dbresolver.RandomPolicy{}, TraceResolverMode: false}).
		SetMaxOpenConns(maxOpen).SetMaxIdleConns(maxOpen).SetConnMaxIdleTime(5 * time.Minute)
	if err := db.Use(r); err != nil {
		return fmt.Errorf("read replicas: %w", redact(err))
	}
	// Registered after the resolver with Before("*"), GORM sorts this
	// callback in front of the resolver's, so the flag is set when it decides.
	fresh := func(tx *gorm.DB) {
		if tx.Statement.Context != nil && domain.FreshReads(tx.Statement.Context) {
			dbresolver.Write.ModifyStatement(tx.Statement)
		}
	}
	if err := db.Callback().Query().Before("*").Register("motcua:fresh_reads", fresh); err != nil {
		return err
	}
	if err := db.Callback().Row().Before("*").Register("motcua:fresh_reads", fresh); err != nil {
		return err
	}
	return db.Callback().Raw().Before("*").Register("motcua:fresh_reads", fresh)
}
