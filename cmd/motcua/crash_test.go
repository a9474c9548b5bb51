package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/demo"
)

// TestWebhookDeliveredAfterKill runs the built binary with a receiver that
// fails, kills it with SIGKILL right after a 201 registration, starts it
// again on the same database and waits for the registration's event to
// reach the receiver, now answering 200: an event committed with its
// change is delivered whatever happens to the process after the commit.
func TestWebhookDeliveredAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := buildBinary(t, dir)

	var healthy atomic.Bool
	var mu sync.Mutex
	got := map[string][]string{} // event type → codes received with a 200
	failed := 0
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev struct{ Type, Code string }
		_ = json.Unmarshal(body, &ev)
		mu.Lock()
		defer mu.Unlock()
		if !healthy.Load() {
			failed++
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		got[ev.Type] = append(got[ev.Type], ev.Code)
	}))
	defer rc.Close()

	_, env := cliEnv(t)
	addr := freeLoopbackAddr(t)
	env["MOTCUA_ADDR"] = addr
	env["MOTCUA_LOG_LEVEL"] = "info"
	env["MOTCUA_WEBHOOK_ALLOW_PRIVATE"] = "true"
	env["MOTCUA_WEBHOOK_TIMEOUT"] = "2s"
	env["MOTCUA_DELIVERY_RETRY_BASE"] = "200ms"
	env["MOTCUA_DELIVERY_RETRY_CAP"] = "1s"
	environ := os.Environ()
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	logs := &syncBuffer{}
	serve := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--demo")
		cmd.Env, cmd.Dir = environ, dir
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	defer func() {
		if t.Failed() {
			t.Logf("serve logs (tail):\n%s", tail(logs.String(), 4000))
		}
	}()

	base := "http://" + addr
	call := func(method, path, tok string, body any, want int) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(context.Background(), method, base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close() //nolint:errcheck
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, out)
		}
		m := map[string]any{}
		_ = json.Unmarshal(out, &m)
		return m
	}
	login := func(who string) string {
		return call("POST", "/api/v1/auth/login", "", map[string]string{"username": who, "password": demo.Password}, 200)["access_token"].(string)
	}

	first := serve()
	waitHealthy(t, base+"/healthz")
	call("POST", "/api/v1/webhooks", login("admin"), map[string]any{"url": rc.URL, "events": []string{"dossier.receive"}}, 201)
	code := call("POST", "/api/v1/dossiers", login("clerk"), map[string]any{"procedure_code": "2.000488", "channel": "direct",
		"applicant": map[string]any{"name": "Lò Thị Xuân"}}, 201)["code"].(string)
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()

	healthy.Store(true)
	second := serve()
	defer func() {
		_ = second.Process.Signal(syscall.SIGTERM)
		_ = second.Wait()
	}()
	waitHealthy(t, base+"/healthz")
	// The contract's bound for an attempt cut short: the time-out + 90 s.
	deadline := time.Now().Add(2*time.Second + 90*time.Second)
	for {
		mu.Lock()
		var arrived bool
		for _, c := range got["dossier.receive"] {
			arrived = arrived || c == code
		}
		mu.Unlock()
		if arrived {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the registration of %s was not delivered after the restart", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("delivered after the restart (%d attempts refused before the kill)", failed)
}

// buildBinary builds this command into dir and returns the binary's path.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "motcua")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}
