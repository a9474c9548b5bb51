package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/importer"
)

// TestImportCommand runs `motcua import FILE --kind dossiers` on a demo
// SQLite database: the good lines are stored, the bad one reported (and
// the command fails), the answer is printed as JSON, progress goes to
// stderr, and running it again imports nothing.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"MOTCUA_DATABASE_URL": "sqlite:" + filepath.Join(dir, "cli.db"),
		"MOTCUA_DATA_KEY":     "cli-test-data-key-cli-test-data-key-0123",
		"MOTCUA_JWT_SECRET":   "cli-test-jwt-secret-cli-test-jwt-secret-01",
		"MOTCUA_LOG_LEVEL":    "error",
	}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"seed", "demo"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("seed demo: %v %s", err, errOut.String())
	}
	file := filepath.Join(dir, "dossiers.ndjson")
	lines := `{"code":"CLI-1","procedure_code":"2.000488","unit_code":"000.00.20.H99","channel":"direct","status":"received","applicant":{"name":"A"},"received_at":"2021-03-01T08:00:00+07:00"}
{"code":"CLI-2","procedure_code":"2.000488","unit_code":"000.00.20.H99","channel":"direct","status":"resolved","applicant":{"name":"B"},"received_at":"2021-03-01T08:00:00+07:00"}
{"code":"CLI-3","procedure_code":"2.000488","unit_code":"000.00.20.H99","channel":"postal","status":"stopped","applicant":{"name":"C"},"received_at":"2021-03-01T08:00:00+07:00","stopped_at":"2021-03-03T08:00:00+07:00"}
`
	if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, wantImported := range []int64{2, 0} {
		out.Reset()
		errOut.Reset()
		err := run(ctx, []string{"import", file, "--kind", "dossiers", "--progress"}, getenv, strings.NewReader(""), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "1 bad lines") {
			t.Fatalf("run %d: err %v, want the bad line to fail the command", i, err)
		}
		var ans struct {
			Imported          int64 `json:"imported"`
			SkippedDuplicates int64 `json:"skipped_duplicates"`
			Errors            []struct {
				Line  int64  `json:"line"`
				Error string `json:"error"`
			} `json:"errors"`
		}
		if err := json.Unmarshal([]byte(out.String()[strings.Index(out.String(), "{\n"):]), &ans); err != nil {
			t.Fatalf("answer: %v: %s", err, out.String())
		}
		if ans.Imported != wantImported || ans.SkippedDuplicates != 2-wantImported || len(ans.Errors) != 1 || ans.Errors[0].Line != 2 ||
			!strings.Contains(ans.Errors[0].Error, "resolved_at: bắt buộc") {
			t.Errorf("run %d: answer %+v", i, ans)
		}
		if !strings.Contains(errOut.String(), "import done dossiers: 100.0%, 3 lines") {
			t.Errorf("run %d: progress %q", i, errOut.String())
		}
	}
	// Flags before the file, and stdin as "-".
	out.Reset()
	good := `{"code":"CLI-4","procedure_code":"2.000488","unit_code":"000.00.20.H99","channel":"direct","status":"received","applicant":{"name":"D"},"received_at":"2021-03-01T08:00:00+07:00"}`
	if err := run(ctx, []string{"import", "--kind", "dossiers", "-"}, getenv, strings.NewReader(good), &out, &errOut); err != nil {
		t.Fatalf("stdin: %v", err)
	}
	if !strings.Contains(out.String(), `"imported": 1`) {
		t.Errorf("stdin answer %s", out.String())
	}
	for _, args := range [][]string{{"import", file}, {"import", "--kind", "ratings", file}, {"import", "--kind", "dossiers"}} {
		if err := run(ctx, args, getenv, strings.NewReader(""), &out, &errOut); err == nil || !strings.Contains(err.Error(), "usage: motcua import") {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// TestProgressLine checks the progress line: lines, lines/s, imported,
// duplicates and errors.
func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := now
	p := newProgressLine(&b, "dossiers", func() time.Time { return clock })
	p.set(importer.Progress{Lines: 30000, Imported: 29000, Duplicates: 900, Errors: 100})
	clock = now.Add(4 * time.Second)
	p.print(false)
	if got, want := b.String(), "import dossiers: 30000 lines, 7500 lines/s, 29000 imported, 900 duplicates, 100 errors (4s)\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// The ticker prints on its own while the import runs.
	b.Reset()
	stop := p.every(10 * time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	stop()
	if strings.Count(b.String(), "import dossiers:") < 2 {
		t.Errorf("periodic progress: %q", b.String())
	}
}

// TestProgressLinePercentAndTimeLeft: with the input's size known, a running
// import's line gives the percent read and the time left at the rate so far.
func TestProgressLinePercentAndTimeLeft(t *testing.T) {
	var b bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := now
	p := newProgressLine(&b, "dossiers", func() time.Time { return clock })
	read := int64(250)
	p.size, p.read = 1000, func() int64 { return read }
	p.set(importer.Progress{Lines: 100, Imported: 100})
	clock = now.Add(10 * time.Second)
	p.print(false)
	if got, want := b.String(), "import dossiers: 25.0%, 100 lines, 10 lines/s, 100 imported, 0 duplicates, 0 errors (10s, 30s left)\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	b.Reset()
	read = 0
	p.print(false)
	if !strings.Contains(b.String(), " 0.0%,") || !strings.Contains(b.String(), "time left unknown") {
		t.Errorf("nothing read yet: %q", b.String())
	}
}

// TestProgressLineResumed: a resumed import's line counts from the
// checkpoint, but its rate and time left are of this run's lines and bytes.
func TestProgressLineResumed(t *testing.T) {
	var b bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := now
	p := newProgressLine(&b, "dossiers", func() time.Time { return clock })
	read := int64(500)
	p.size, p.read = 1000, func() int64 { return read }
	p.from(importer.Checkpoint{Line: 5000, Offset: 500, Imported: 4000, Duplicates: 900, ErrorLines: 100})
	read = 750
	p.set(importer.Progress{Lines: 6000, Imported: 5000, Duplicates: 900, Errors: 100})
	clock = now.Add(10 * time.Second)
	p.print(false)
	if got, want := b.String(), "import dossiers: 75.0%, 6000 lines, 100 lines/s, 5000 imported, 900 duplicates, 100 errors (10s, 10s left)\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
