package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	dwebhook "github.com/motcua/motcua/domain/webhook"
)

// TestWebhookReceivePrintsVerifiedDeliveries runs the receiver command and
// sends it a delivery signed with its secret, one signed with another and
// one unsigned: only the first is printed and answered 204.
func TestWebhookReceivePrintsVerifiedDeliveries(t *testing.T) {
	secret, err := dwebhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := dwebhook.NewSecret()
	addr := freeLoopbackAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- receiveCommand(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), []string{"--addr", addr, "--secret", secret}, out, io.Discard)
	}()
	waitHealthy(t, "http://"+addr+"/")
	body := []byte(`{"id":"evt_1","type":"dossier.receive"}`)
	send := func(sig string) int {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/motcua", bytes.NewReader(body))
		if sig != "" {
			req.Header.Set(dwebhook.HeaderSignature, sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if c := send(dwebhook.Sign(secret, time.Now(), body)); c != http.StatusNoContent {
		t.Fatalf("a signed delivery: %d", c)
	}
	if c := send(dwebhook.Sign(other, time.Now(), body)); c != http.StatusUnauthorized {
		t.Fatalf("another secret: %d", c)
	}
	if c := send(""); c != http.StatusUnauthorized {
		t.Fatalf("no signature: %d", c)
	}
	if c := send(dwebhook.Sign(secret, time.Now().Add(-10*time.Minute), body)); c != http.StatusUnauthorized {
		t.Fatalf("an old signature: %d", c)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != string(body)+"\n" {
		t.Fatalf("printed %q", got)
	}
	if err := receiveCommand(context.Background(), slog.Default(), []string{"--secret", "nope"}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "--secret") {
		t.Fatalf("a bad secret: %v", err)
	}
}
