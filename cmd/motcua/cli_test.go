package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/repository"
)

// cliEnv is the environment of a command under test: a SQLite file in a
// temporary folder, or a new database on the test PostgreSQL server when
// one is configured (dropped when the test ends).
func cliEnv(t *testing.T) (getenv func(string) string, env map[string]string) {
	t.Helper()
	env = map[string]string{
		"MOTCUA_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "cli.db"),
		"MOTCUA_DATA_KEY":     "cli-test-data-key-cli-test-data-key-0123",
		"MOTCUA_JWT_SECRET":   "cli-test-jwt-secret-cli-test-jwt-secret-01",
		"MOTCUA_LOG_LEVEL":    "error",
	}
	if dsn := os.Getenv(repository.EnvTestPostgres); dsn != "" {
		env["MOTCUA_DATABASE_URL"] = newPostgresDatabase(t, dsn)
	} else if os.Getenv(repository.EnvTestRequirePG) == "1" {
		t.Fatalf("%s=1 but %s is empty", repository.EnvTestRequirePG, repository.EnvTestPostgres)
	}
	return func(k string) string { return env[k] }, env
}

// newPostgresDatabase creates an empty database on the server dsn names and
// returns its URL.
func newPostgresDatabase(t *testing.T, dsn string) string {
	t.Helper()
	admin, err := repository.Open(repository.Options{URL: dsn, MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer repository.Close(admin) //nolint:errcheck
	name := "motcua_cli_" + strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(t.Name()))
	if len(name) > 60 {
		name = name[:60]
	}
	_ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := repository.Open(repository.Options{URL: dsn, MaxOpenConns: 1})
		if err != nil {
			return
		}
		defer repository.Close(a) //nolint:errcheck
		_ = a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// TestCLIHelp: every way of asking for help prints usage to stdout and
// succeeds without creating a database, even with a configuration that
// would not load.
func TestCLIHelp(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "help.db")
	env := map[string]string{"MOTCUA_DATABASE_URL": "sqlite:" + dbFile}
	getenv := func(k string) string { return env[k] }
	cases := map[string][]string{
		"--help": {"--help"}, "-h": {"-h"}, "help": {"help"},
		"help import": {"help", "import"}, "serve --help": {"serve", "--help"},
		"migrate --help": {"migrate", "--help"}, "migrate -h": {"migrate", "-h"},
		"user create --help": {"user", "create", "--help"}, "user -h": {"user", "-h"},
		"seed demo --help": {"seed", "demo", "--help"}, "seed -h": {"seed", "-h"},
		"import --help": {"import", "--help"}, "import FILE --kind dossiers -h": {"import", "x.ndjson", "--kind", "dossiers", "-h"},
	}
	for name, args := range cases {
		for _, broken := range []bool{false, true} {
			if broken {
				env["MOTCUA_LOG_LEVEL"] = "nonsense" // config.Load would fail
			} else {
				delete(env, "MOTCUA_LOG_LEVEL")
			}
			var out, errOut bytes.Buffer
			if err := run(context.Background(), args, getenv, strings.NewReader(""), &out, &errOut); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if !strings.HasPrefix(out.String(), "usage:") || errOut.Len() != 0 {
				t.Errorf("%s: stdout %q stderr %q", name, out.String(), errOut.String())
			}
		}
		if _, err := os.Stat(dbFile); !os.IsNotExist(err) {
			t.Fatalf("%s created or touched the database: %v", name, err)
		}
	}
	var out bytes.Buffer
	_ = run(context.Background(), []string{"seed", "--help"}, getenv, strings.NewReader(""), &out, &out)
	if !strings.Contains(out.String(), "--force") {
		t.Errorf("seed usage lacks --force: %q", out.String())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("help left files behind: %v", entries)
	}
}

// TestCLISeedDemoRefusesForeignData: seed demo fills an empty database and
// may run again on its own data, but refuses one with a user that is not a
// demo account unless --force is given.
func TestCLISeedDemoRefusesForeignData(t *testing.T) {
	getenv, _ := cliEnv(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	for i := range 2 {
		out.Reset()
		if err := run(ctx, []string{"seed", "demo"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
			t.Fatalf("seed %d on demo data: %v %s", i, err, errOut.String())
		}
		if !strings.Contains(out.String(), "Demo data ready") {
			t.Errorf("seed %d: stdout %q", i, out.String())
		}
	}
	if err := run(ctx, []string{"user", "create", "--username", "hoa.tran", "--role", "viewer", "--name", "Trần Thị Hoa"},
		getenv, strings.NewReader("a-long-password-for-hoa\n"), &out, &errOut); err != nil {
		t.Fatalf("user create: %v %s", err, errOut.String())
	}
	out.Reset()
	err := run(ctx, []string{"seed", "demo"}, getenv, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "refusing to seed demo data") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("seed on foreign data: %v", err)
	}
	if strings.Contains(err.Error(), "hoa") || strings.Contains(err.Error(), "Hoa") {
		t.Errorf("the refusal names the user: %v", err)
	}
	if strings.Contains(out.String(), "Demo data ready") {
		t.Errorf("refused seed printed %q", out.String())
	}
	if err := run(ctx, []string{"seed", "demo", "--force"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("seed --force: %v", err)
	}
	if !strings.Contains(out.String(), "Demo data ready") {
		t.Errorf("seed --force: stdout %q", out.String())
	}
	if err := run(ctx, []string{"seed", "demo", "extra"}, getenv, strings.NewReader(""), &out, &errOut); err == nil {
		t.Error("seed demo extra: want a usage error")
	}
}

// TestCLIImportStdoutIsJSON: with logging on, `motcua import` prints only
// its JSON answer to stdout (logs go to stderr) and, without --progress and
// with stderr not a terminal, no progress at all. With --progress on a file,
// stderr shows progress lines with the percent done.
func TestCLIImportStdoutIsJSON(t *testing.T) {
	getenv, env := cliEnv(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"seed", "demo"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("seed demo: %v %s", err, errOut.String())
	}
	// Without a JWT secret the service logs a warning: a log line to look for.
	env["MOTCUA_LOG_LEVEL"] = "debug"
	delete(env, "MOTCUA_JWT_SECRET")
	file := filepath.Join(t.TempDir(), "d.ndjson")
	var b strings.Builder
	for i := range 50 {
		b.WriteString(`{"code":"JSON-` + string(rune('A'+i%26)) + string(rune('A'+i/26)) +
			`","procedure_code":"2.000488","unit_code":"000.00.20.H99","channel":"direct","status":"received","applicant":{"name":"A"},"received_at":"2021-03-01T08:00:00+07:00"}` + "\n")
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errOut.Reset()
	if err := run(ctx, []string{"import", file, "--kind", "dossiers"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("import: %v %s", err, errOut.String())
	}
	var ans map[string]any
	if err := json.Unmarshal(out.Bytes(), &ans); err != nil {
		t.Fatalf("stdout is not JSON: %v: %q", err, out.String())
	}
	if ans["imported"] != float64(50) {
		t.Errorf("answer %v", ans)
	}
	if !strings.Contains(errOut.String(), `"level":"WARN"`) || !strings.HasPrefix(errOut.String(), "{") {
		t.Errorf("want the JSON log on stderr, got %q", errOut.String())
	}
	if strings.Contains(errOut.String(), "import dossiers") || strings.Contains(errOut.String(), "import done") {
		t.Errorf("progress without --progress: %q", errOut.String())
	}

	// --progress on a file: progress lines with percent done and time left
	// on stderr, stdout still JSON only. The interval is shortened so a
	// small file shows some.
	defer func(d time.Duration) { progressEvery = d }(progressEvery)
	progressEvery = time.Millisecond
	env["MOTCUA_LOG_LEVEL"] = "error"
	for i := 50; i < 3000; i++ {
		b.WriteString(`{"code":"PROG-` + strconv.Itoa(i) +
			`","procedure_code":"2.000488","unit_code":"000.00.20.H99","channel":"direct","status":"received","applicant":{"name":"A"},"received_at":"2021-03-01T08:00:00+07:00"}` + "\n")
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errOut.Reset()
	if err := run(ctx, []string{"import", "--progress", file, "--kind", "dossiers"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("import --progress: %v %s", err, errOut.String())
	}
	if err := json.Unmarshal(out.Bytes(), &ans); err != nil || ans["skipped_duplicates"] != float64(50) || ans["imported"] != float64(2950) {
		t.Fatalf("stdout %q: %v", out.String(), err)
	}
	running := regexp.MustCompile(`^import dossiers: \d+\.\d%, \d+ lines, \d+ lines/s, \d+ imported, \d+ duplicates, \d+ errors \(\d+[a-zµ.0-9]*s?, ([0-9a-zµ.]+ left|time left unknown)\)$`)
	lines := strings.Split(strings.TrimSuffix(errOut.String(), "\n"), "\n")
	if n := len(lines); n < 2 || lines[n-1] != "import done dossiers: 100.0%, 3000 lines, "+strings.SplitN(lines[n-1], ", ", 3)[2] {
		t.Fatalf("want progress lines and a final one, got %q", errOut.String())
	}
	for _, l := range lines[:len(lines)-1] {
		if !running.MatchString(l) {
			t.Errorf("progress line %q", l)
		}
	}
}

// TestCLIServeLogsToStderr: the service's log goes to stderr; stdout stays
// empty. The test stops the service once it has logged that it listens.
func TestCLIServeLogsToStderr(t *testing.T) {
	getenv, env := cliEnv(t)
	env["MOTCUA_ADDR"] = "127.0.0.1:0"
	env["MOTCUA_LOG_LEVEL"] = "info"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), &out, &errOut) }()
	for !strings.Contains(errOut.String(), `"msg":"listening"`) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if out.String() != "" || !strings.Contains(errOut.String(), `"msg":"listening"`) {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
}
