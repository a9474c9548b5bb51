package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The smoke run: the bench builds both servers, runs every figure with
// -quick on SQLite and prints the table. Its verdicts are not checked (a
// shared machine decides them), its working is.
func TestQuickRunPrintsTheTable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server twice")
	}
	bin := filepath.Join(t.TempDir(), "motcua-eventbench")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-engine", "sqlite", "-quick", "-repo", "../..")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = os.Environ()
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	t.Logf("quick run in %v:\n%s", time.Since(start).Round(time.Second), stdout.String())
	out := stdout.String()
	for _, want := range []string{
		"1. registration with its event", "2a. webhook deliveries", "2b. lag p99", "3. registration with 2000 pending",
		"none of them sent: yes",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table has no %q", want)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && (f[0] == "1." || f[0] == "2a." || f[0] == "2b." || f[0] == "3.") {
			if !strings.Contains(line, "PASS") && !strings.Contains(line, "MISS") {
				t.Errorf("no verdict on %q", line)
			}
		}
	}
}
