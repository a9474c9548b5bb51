package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/motcua/motcua/repository"
)

type rotateAnswer struct {
	KeyID  int                      `json:"key_id"`
	Tables []repository.ResealCount `json:"tables"`
}

func rotateKey(t *testing.T, getenv func(string) string) rotateAnswer {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"rotate-key", "--batch", "7"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("rotate-key: %v\n%s", err, errOut.String())
	}
	var a rotateAnswer
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		t.Fatalf("rotate-key stdout is not its JSON answer: %v %q", err, out.String())
	}
	return a
}

// TestCLIRotateKey: the demo sealed under key 1; with MOTCUA_DATA_KEY_ID=2
// rotate-key reseals every stored value under key 2 in batches, records
// itself in the audit trail, and a second run finds nothing to do.
func TestCLIRotateKey(t *testing.T) {
	getenv, env := cliEnv(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"seed", "demo"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("seed demo: %v\n%s", err, errOut.String())
	}
	env["MOTCUA_DATA_KEY_ID"] = "2"
	first := rotateKey(t, getenv)
	if first.KeyID != 2 || len(first.Tables) != 2 || first.Tables[0].Table != "dossiers" || first.Tables[0].Resealed < 10 ||
		first.Tables[1].Table != "feedback" || first.Tables[1].Resealed < 2 {
		t.Fatalf("first run %+v; want the demo's dossiers and feedback resealed under key 2", first)
	}
	db, err := repository.Open(repository.Options{URL: env["MOTCUA_DATABASE_URL"], MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer repository.Close(db) //nolint:errcheck
	sealed := 0
	for _, col := range repository.SealedColumns() {
		table, name, _ := strings.Cut(col, ".")
		var vals []string
		if err := db.Raw("SELECT COALESCE(" + name + ", '') FROM " + table).Scan(&vals).Error; err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if v == "" {
				continue
			}
			sealed++
			if !strings.HasPrefix(v, "enc1:2:") {
				t.Errorf("%s holds %q after rotate-key", col, v)
			}
		}
	}
	if sealed < 20 {
		t.Fatalf("only %d sealed values in the demo database", sealed)
	}
	var n int64
	if err := db.Raw("SELECT count(*) FROM audit_log WHERE action = 'data_key.rotate'").Scan(&n).Error; err != nil || n != 1 {
		t.Errorf("%d audit entries for the rotation (%v), want 1", n, err)
	}
	if again := rotateKey(t, getenv); again.Tables[0].Resealed != 0 || again.Tables[1].Resealed != 0 ||
		again.Tables[0].Scanned != first.Tables[0].Scanned {
		t.Errorf("second run %+v; want every row scanned and none resealed", again)
	}
}

// TestCLIDataKeyRequired: without MOTCUA_DATA_KEY only the demo and
// MOTCUA_ENV=dev run; every other command says what is missing.
func TestCLIDataKeyRequired(t *testing.T) {
	getenv, env := cliEnv(t)
	delete(env, "MOTCUA_DATA_KEY")
	file := filepath.Join(t.TempDir(), "empty.ndjson")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	for _, args := range [][]string{{"import", file, "--kind", "dossiers"}, {"rotate-key"}} {
		err := run(context.Background(), args, getenv, strings.NewReader(""), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "MOTCUA_DATA_KEY is required") {
			t.Errorf("%v without a data key: %v", args, err)
		}
	}
	if err := run(context.Background(), []string{"seed", "demo"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Errorf("seed demo without a data key: %v", err)
	}
	env["MOTCUA_ENV"] = "dev"
	if err := run(context.Background(), []string{"import", file, "--kind", "dossiers"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Errorf("import with MOTCUA_ENV=dev: %v", err)
	}
	env["MOTCUA_ENV"] = "staging"
	if err := run(context.Background(), []string{"import", file, "--kind", "dossiers"}, getenv, strings.NewReader(""), &out, &errOut); err == nil ||
		!strings.Contains(err.Error(), "MOTCUA_ENV") {
		t.Errorf("MOTCUA_ENV=staging: %v", err)
	}
}

// TestCLIRefusesAnotherDataKey: a database sealed under one data key is not
// opened with another: the command stops at the start and says which
// setting to fix, before reading or writing any personal data.
func TestCLIRefusesAnotherDataKey(t *testing.T) {
	getenv, env := cliEnv(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"seed", "demo"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("seed demo: %v\n%s", err, errOut.String())
	}
	env["MOTCUA_DATA_KEY"] = "another-data-key-another-data-key-another"
	err := run(context.Background(), []string{"rotate-key"}, getenv, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "MOTCUA_DATA_KEY") || !strings.Contains(err.Error(), "does not open") {
		t.Fatalf("another key: %v", err)
	}
}
