package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/motcua/motcua/repository"
)

// resumeLines writes the dossiers file of the resume tests: n lines, most
// of them good (received, or stopped with a second history entry), with a
// bad line every 97, a blank one every 89 and, every 53, the code of a line
// 1,500 earlier (a duplicate in another batch) or of the line before (in
// the same batch).
func resumeLines(t *testing.T, path string, n int) {
	t.Helper()
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		code := fmt.Sprintf("RSM-%05d", i)
		switch {
		case i%89 == 0:
			b.WriteString("   \n")
			continue
		case i%53 == 0 && i > 1500:
			code = fmt.Sprintf("RSM-%05d", i-1500)
		case i%53 == 0:
			code = fmt.Sprintf("RSM-%05d", i-1)
		}
		status, extra := "received", ""
		switch {
		case i%97 == 0:
			status = "resolved" // no resolved_at: a bad line
		case i%3 == 0:
			status, extra = "stopped", `,"stopped_at":"2021-03-03T08:00:00+07:00"`
		}
		fmt.Fprintf(&b, `{"code":%q,"procedure_code":"2.000488","unit_code":"000.00.20.H99","channel":"direct","status":%q,`+
			`"applicant":{"name":"Người nộp %d"},"received_at":"2021-03-01T08:00:00+07:00"%s}`+"\n", code, status, i, extra)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// resumeEnv is a fresh demo database (SQLite, or PostgreSQL under
// MOTCUA_TEST_POSTGRES) and the environment of a process using it.
func resumeEnv(t *testing.T) (environ []string, url string) {
	t.Helper()
	getenv, env := cliEnv(t)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"seed", "demo"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("seed demo: %v %s", err, errOut.String())
	}
	environ = os.Environ()
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	return environ, env["MOTCUA_DATABASE_URL"]
}

// importBin runs the built binary's import of file and returns its
// stdout, its stderr and its exit code.
func importBin(t *testing.T, bin string, environ []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"import"}, args...)...)
	cmd.Env = environ
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// importedRows counts the file's dossiers, their distinct codes and their
// history entries.
func importedRows(t *testing.T, url string) (dossiers, codes, history int64) {
	t.Helper()
	db, err := repository.Open(repository.Options{URL: url, MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer repository.Close(db) //nolint:errcheck
	if err := db.Raw("SELECT COUNT(*), COUNT(DISTINCT code) FROM dossiers WHERE code LIKE 'RSM-%'").
		Row().Scan(&dossiers, &codes); err != nil {
		t.Fatal(err)
	}
	if err := db.Raw("SELECT COUNT(*) FROM dossier_history h JOIN dossiers d ON d.id = h.dossier_id WHERE d.code LIKE 'RSM-%'").
		Row().Scan(&history); err != nil {
		t.Fatal(err)
	}
	return dossiers, codes, history
}

// TestImportResumeAfterKill imports a file with the real binary, kills it
// with SIGKILL once two batches are committed, checks that the checkpoint left
// says what is stored, and finishes the import with --resume: the resumed run starts
// at the checkpoint's line, not at the start, every code of the file is
// stored once with its history once, and the answer is byte for byte that
// of one uninterrupted run of the file into a fresh database.
func TestImportResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	const lines = 6000
	file := filepath.Join(dir, "dossiers.ndjson")
	resumeLines(t, file, lines)

	var once string
	var onceDossiers, onceCodes, onceHistory int64
	t.Run("once", func(t *testing.T) {
		environ, url := resumeEnv(t)
		var code int
		once, _, code = importBin(t, bin, environ, file, "--kind", "dossiers")
		if code != 1 || !strings.Contains(once, `"lines": 6000`) {
			t.Fatalf("exit %d, answer %s", code, once)
		}
		onceDossiers, onceCodes, onceHistory = importedRows(t, url)
	})
	if once == "" {
		t.FailNow()
	}

	t.Run("killed", func(t *testing.T) {
		environ, url := resumeEnv(t)
		db, err := repository.Open(repository.Options{URL: url, MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer repository.Close(db) //nolint:errcheck
		sqlDB, err := db.DB()
		if err != nil {
			t.Fatal(err)
		}

		cmd := exec.Command(bin, "import", file, "--kind", "dossiers")
		cmd.Env = environ
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		// Kill the process once two batches are committed (polling is
		// a read: it takes no lock the importer waits for), then read the
		// checkpoint once nothing of the process can still commit.
		deadline := time.Now().Add(2 * time.Minute)
		for {
			var n int64
			_ = db.Raw("SELECT COALESCE(MAX(line), 0) FROM import_checkpoints").Row().Scan(&n)
			if n > 2000 { // two batches of 1,000 good lines
				break
			}
			select {
			case err := <-exited:
				t.Fatalf("the import ended (%v) before a batch was seen: %s", err, errOut.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatal("no batch committed in 2 minutes")
			}
			time.Sleep(2 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if err := <-exited; err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("the import ended on its own before the kill (%v): %s", err, errOut.String())
		}
		if repository.Dialect(db) == "postgres" {
			// A COMMIT the server had received may still be running.
			for i := 0; ; i++ {
				var busy int64
				_ = db.Raw("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" +
					" AND state IN ('active', 'idle in transaction')").Row().Scan(&busy)
				if busy == 0 {
					break
				}
				if i > 1000 {
					t.Fatal("the killed import's transaction did not end")
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		var line, offset, imported int64
		var finished *time.Time
		if err := sqlDB.QueryRow("SELECT line, offset_bytes, imported, finished_at FROM import_checkpoints").
			Scan(&line, &offset, &imported, &finished); err != nil {
			t.Fatal(err)
		}
		if finished != nil || line <= 0 || line >= lines || offset <= 0 {
			t.Fatalf("checkpoint at the kill: line %d, offset %d, finished %v", line, offset, finished)
		}
		stored, _, _ := importedRows(t, url)
		if stored != imported {
			t.Fatalf("%d dossiers stored at the kill, the checkpoint says %d", stored, imported)
		}
		t.Logf("killed at line %d (byte %d), %d imported", line, offset, imported)

		// A changed file does not resume; the same file again does.
		orig, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, append(append([]byte{}, orig...), "\n"...), 0o600); err != nil {
			t.Fatal(err)
		}
		_, e, code := importBin(t, bin, environ, file, "--kind", "dossiers", "--resume")
		if code != 1 || !strings.Contains(e, "the file changed") {
			t.Errorf("changed file: exit %d, stderr %s", code, e)
		}
		if err := os.WriteFile(file, orig, 0o600); err != nil {
			t.Fatal(err)
		}

		out, e, code := importBin(t, bin, environ, file, "--kind", "dossiers", "--resume")
		if code != 1 || out != once {
			t.Errorf("resumed: exit %d, answer\n%s\nwant (one run)\n%s\nstderr %s", code, out, once, e)
		}
		if want := fmt.Sprintf("resuming at line %d (byte %d of %d)", line+1, offset, len(orig)); !strings.Contains(e, want) {
			t.Errorf("stderr %q does not say %q", e, want)
		}
		d, c, h := importedRows(t, url)
		if d != c || d != onceDossiers || c != onceCodes || h != onceHistory {
			t.Errorf("stored %d dossiers (%d codes, %d history entries), one run stored %d (%d, %d)",
				d, c, h, onceDossiers, onceCodes, onceHistory)
		}
		_, e, code = importBin(t, bin, environ, file, "--kind", "dossiers", "--resume")
		if code != 1 || !strings.Contains(e, "already finished") {
			t.Errorf("resume of a finished import: exit %d, stderr %s", code, e)
		}
	})
}

// TestImportResumeRefusals: --resume refuses stdin (it cannot be read
// again from a point), procedures, and a file with no interrupted import,
// each before storing anything.
func TestImportResumeRefusals(t *testing.T) {
	getenv, _ := cliEnv(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"seed", "demo"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("seed demo: %v %s", err, errOut.String())
	}
	file := filepath.Join(t.TempDir(), "d.ndjson")
	resumeLines(t, file, 10)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "-", "--kind", "dossiers", "--resume"}, "stdin cannot be read again"},
		{[]string{"import", file, "--kind", "procedures", "--resume"}, "dossiers and feedback imports only"},
		{[]string{"import", file, "--kind", "dossiers", "--resume"}, "no interrupted import of this file"},
	} {
		out.Reset()
		stdin, _ := os.ReadFile(file)
		err := run(ctx, c.args, getenv, bytes.NewReader(stdin), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), c.want) || out.Len() != 0 {
			t.Errorf("%v: %v (stdout %q), want %q", c.args, err, out.String(), c.want)
		}
	}
	if err := run(ctx, []string{"import", "-", "--kind", "dossiers"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Errorf("stdin without --resume: %v", err)
	}
}
