package repository

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"gorm.io/gorm"
)

// Test database environment variables.
const (
	// EnvTestPostgres holds the DSN of a PostgreSQL server (any database on
	// it) that the tests may create throwaway databases on.
	EnvTestPostgres = "MOTCUA_TEST_POSTGRES"
	// EnvTestRequirePG, set to 1 (CI does), makes a missing PostgreSQL fail
	// the tests instead of falling back to SQLite.
	EnvTestRequirePG = "MOTCUA_TEST_REQUIRE_PG"
)

// TB is what OpenTest needs of a test; testing.TB has it. Naming it here
// keeps the testing package out of the service's binary.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	TempDir() string
	Cleanup(func())
}

// TestDialect names the engine OpenTest uses in this run.
func TestDialect() string {
	if os.Getenv(EnvTestPostgres) != "" {
		return "postgres"
	}
	return "sqlite"
}

// OpenTest returns an empty, fully migrated database private to tb, with the
// official calendars seeded. By default it is a SQLite file in tb.TempDir();
// with MOTCUA_TEST_POSTGRES it is a new database on that server, copied from
// a migrated template and dropped when the test ends.
func OpenTest(tb TB) *gorm.DB {
	tb.Helper()
	ctx := context.Background()
	if dsn := os.Getenv(EnvTestPostgres); dsn != "" {
		return openTestPostgres(tb, dsn)
	}
	if os.Getenv(EnvTestRequirePG) == "1" {
		tb.Fatalf("%s=1 but %s is empty", EnvTestRequirePG, EnvTestPostgres)
	}
	db, err := Open(Options{URL: "sqlite:" + filepath.Join(tb.TempDir(), "test.db")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = Close(db) })
	if err := Migrate(ctx, db); err != nil {
		tb.Fatal(err)
	}
	if err := SeedCalendars(ctx, db); err != nil {
		tb.Fatal(err)
	}
	return db
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

func withDatabase(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL", EnvTestPostgres)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func openTestPostgres(tb TB, dsn string) *gorm.DB {
	tb.Helper()
	ctx := context.Background()
	admin, err := Open(Options{URL: dsn, MaxOpenConns: 2})
	if err != nil {
		tb.Fatalf("test postgres: %v", err)
	}
	defer Close(admin) //nolint:errcheck
	templateOnce.Do(func() {
		templateName = randomName("motcua_tpl_")
		if templateErr = admin.Exec("CREATE DATABASE " + templateName).Error; templateErr != nil {
			return
		}
		tplDSN, err := withDatabase(dsn, templateName)
		if err != nil {
			templateErr = err
			return
		}
		tpl, err := Open(Options{URL: tplDSN, MaxOpenConns: 2})
		if err != nil {
			templateErr = err
			return
		}
		defer Close(tpl) //nolint:errcheck
		if templateErr = Migrate(ctx, tpl); templateErr != nil {
			return
		}
		templateErr = SeedCalendars(ctx, tpl)
	})
	if templateErr != nil {
		tb.Fatalf("test postgres template: %v", templateErr)
	}
	name := randomName("motcua_t_")
	if err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + templateName).Error; err != nil {
		tb.Fatalf("test postgres: create database: %v", err)
	}
	tdsn, err := withDatabase(dsn, name)
	if err != nil {
		tb.Fatal(err)
	}
	db, err := Open(Options{URL: tdsn, MaxOpenConns: 20})
	if err != nil {
		tb.Fatalf("test postgres: %v", err)
	}
	tb.Cleanup(func() {
		_ = Close(db)
		a, err := Open(Options{URL: dsn, MaxOpenConns: 1})
		if err != nil {
			return
		}
		defer Close(a) //nolint:errcheck
		_ = a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error
	})
	return db
}
