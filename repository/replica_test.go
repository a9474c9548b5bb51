package repository

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
)

// EnvTestReplica holds the DSN of a streaming replica of the
// MOTCUA_TEST_POSTGRES server (.ci/with-postgres starts one).
const EnvTestReplica = "MOTCUA_TEST_POSTGRES_REPLICA"

func TestReadReplicaRouting(t *testing.T) {
	ctx := context.Background()
	if TestDialect() != "postgres" {
		// On the embedded engine replicas are refused outright.
		if _, err := Open(Options{URL: "sqlite:" + t.TempDir() + "/x.db", ReplicaURLs: []string{"postgres://r/x"}}); err == nil {
			t.Fatal("Open accepted read replicas for a SQLite primary")
		}
		return
	}
	replicaBase := os.Getenv(EnvTestReplica)
	if replicaBase == "" {
		t.Fatalf("%s is not set: the PostgreSQL suite must run the replica tests (.ci/with-postgres starts a replica)", EnvTestReplica)
	}
	db := OpenTest(t)
	var name string
	if err := db.Raw("SELECT current_database()").Scan(&name).Error; err != nil {
		t.Fatal(err)
	}
	primaryURL, _ := withDatabase(os.Getenv(EnvTestPostgres), name)
	replicaURL, _ := withDatabase(replicaBase, name)
	waitForReplicaDB(t, replicaURL)

	rdb, err := Open(Options{URL: primaryURL, ReplicaURLs: []string{replicaURL}, MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer Close(rdb) //nolint:errcheck

	inRecovery := func(ctx context.Context) bool {
		t.Helper()
		var r bool
		if err := rdb.WithContext(ctx).Raw("SELECT pg_is_in_recovery()").Scan(&r).Error; err != nil {
			t.Fatal(err)
		}
		return r
	}
	if !inRecovery(ctx) {
		t.Fatal("a plain read did not go to the replica")
	}
	if inRecovery(domain.WithFreshReads(ctx)) {
		t.Fatal("a read marked WithFreshReads went to the replica, not the primary")
	}
	// Writes go to the primary, and the replica catches up.
	if err := rdb.WithContext(ctx).Exec("INSERT INTO settings (key, value) VALUES ('replica_probe', 'x')").Error; err != nil {
		t.Fatalf("write through the resolver: %v", err)
	}
	var n int64
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if err := rdb.WithContext(ctx).Model(&settingRow{}).Where("key = ?", "replica_probe").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n != 1 {
		t.Fatal("the replica never saw the primary's write")
	}
	// A model read marked fresh sees the primary too.
	var cnt int64
	if err := rdb.WithContext(domain.WithFreshReads(ctx)).Model(&settingRow{}).Where("key = ?", "replica_probe").Count(&cnt).Error; err != nil || cnt != 1 {
		t.Fatalf("fresh model read: %d, %v", cnt, err)
	}
}

func waitForReplicaDB(t *testing.T, dsn string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		db, err := Open(Options{URL: dsn, MaxOpenConns: 1})
		if err == nil {
			perr := Ping(context.Background(), db)
			_ = Close(db)
			if perr == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			u, _ := url.Parse(dsn)
			t.Fatalf("database %s never appeared on the replica", strings.TrimPrefix(u.Path, "/"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
