package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestREADMEExamples runs the README's shell examples, from "Try it with
// curl" to the end of "Importing history", in order and literally (only the
// address changes), against `motcua serve --demo` on a fresh database, as a
// newcomer would paste them: every request must answer 2xx and the import
// run twice must skip what it stored the first time.
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the service")
	}
	_, err := exec.LookPath("curl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl is needed to run the README's examples")
		}
		t.Skip("no curl on this machine")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(string(readme), "## Try it with curl", "## Configuration")
	if len(blocks) < 5 {
		t.Fatalf("found %d shell blocks between the curl and configuration sections", len(blocks))
	}

	dir := t.TempDir()
	bin := filepath.Join(dir, "motcua")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	work := filepath.Join(dir, "work") // result.json and form06.xlsx land here
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "docs"), filepath.Join(work, "docs")); err != nil {
		t.Fatal(err)
	}

	_, env := cliEnv(t)
	addr := freeLoopbackAddr(t)
	env["MOTCUA_ADDR"] = addr
	environ := os.Environ()
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serve := exec.CommandContext(ctx, bin, "serve", "--demo")
	serve.Env, serve.Dir = environ, work
	serveLog, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	serve.Stdout, serve.Stderr = serveLog, serveLog
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		_ = serve.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(serveLog.Name())
			t.Logf("serve log (tail):\n%s", tail(string(b), 3000))
		}
	}()
	waitHealthy(t, "http://"+addr+"/healthz")

	statusLog := filepath.Join(dir, "statuses")
	// Not set -e: as in a newcomer's shell, a command that reports a
	// problem (the import's bad lines exit 1) does not stop the rest; every
	// request is checked from the status log instead.
	script := `curl() {
  local h; h=$(mktemp)
  command curl -D "$h" "$@"; local rc=$?
  head -n 1 "$h" | tr -d '\r' >> "$STATUS_LOG"; rm -f "$h"
  return $rc
}
go() {
  if [ "$1" = run ] && [ "$2" = ./cmd/motcua ]; then shift 2; "$MOTCUA_BIN" "$@"; else command go "$@"; fi
}
` + strings.ReplaceAll(strings.Join(blocks, "\n"), "localhost:8080", addr) + "\n"
	sh := exec.CommandContext(ctx, "bash", "-c", script)
	sh.Dir = work
	sh.Env = append(environ, "STATUS_LOG="+statusLog, "MOTCUA_BIN="+bin)
	out, err := sh.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("the README's examples did not run: %v\n%s", err, tail(string(out), 4000))
	}
	defer func() {
		if t.Failed() {
			t.Logf("the examples' output (tail):\n%s", tail(string(out), 4000))
		}
	}()

	f, err := os.Open(statusLog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() //nolint:errcheck
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		parts := strings.Fields(sc.Text())
		if len(parts) < 2 || parts[1][0] != '2' {
			t.Errorf("request %d answered %q", n, sc.Text())
		}
	}
	if want := strings.Count(strings.Join(blocks, "\n"), "curl -s"); n < want {
		t.Errorf("%d requests answered, the README makes at least %d", n, want)
	}

	var res struct {
		Imported          int `json:"imported"`
		SkippedDuplicates int `json:"skipped_duplicates"`
	}
	b, err := os.ReadFile(filepath.Join(work, "result.json"))
	if err != nil || json.Unmarshal(b, &res) != nil {
		t.Fatalf("result.json is not the import's JSON: %v %q", err, b)
	}
	if res.Imported != 0 || res.SkippedDuplicates != 4 {
		t.Errorf("the second import: %+v; want the four dossiers of the first skipped", res)
	}
	if st, err := os.Stat(filepath.Join(work, "form06.xlsx")); err != nil || st.Size() < 1000 {
		t.Errorf("form06.xlsx: %v", err)
	}
}

// readmeBlocks returns the ```sh blocks between the headings from and to.
func readmeBlocks(md, from, to string) []string {
	i := strings.Index(md, "\n"+from+"\n")
	j := strings.Index(md, "\n"+to+"\n")
	if i < 0 || j < i {
		return nil
	}
	var blocks []string
	rest := md[i:j]
	for {
		k := strings.Index(rest, "\n```sh\n")
		if k < 0 {
			return blocks
		}
		rest = rest[k+len("\n```sh\n"):]
		e := strings.Index(rest, "\n```")
		if e < 0 {
			return blocks
		}
		blocks = append(blocks, rest[:e])
		rest = rest[e+len("\n```"):]
	}
}

// freeLoopbackAddr returns a loopback address with a port free right now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// waitHealthy polls url until it answers 200 (at most 60 s: the demo seeds).
func waitHealthy(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url) //nolint:noctx // a loopback poll
		if err == nil {
			resp.Body.Close() //nolint:errcheck
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within 60 s", url)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
