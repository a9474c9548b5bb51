package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the flusher goroutine and the test.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

func TestLogBufferBatchesInfoAndWritesWarningsAtOnce(t *testing.T) {
	out := &syncBuffer{}
	lb := newLogBuffer(out, 4096, time.Hour) // no timer flush during the test
	defer lb.Close()                         //nolint:errcheck
	log := slog.New(flushOnWarn{Handler: slog.NewJSONHandler(lb, nil), buf: lb}).With("service", "motcua")

	for i := range 5 {
		log.Info("request", "n", i)
	}
	if out.String() != "" {
		t.Fatalf("info lines written before a flush: %q", out.String())
	}
	log.Warn("slow database")
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 6 || out.Writes() != 1 {
		t.Fatalf("after a warning: %d lines in %d writes, want 6 in 1:\n%s", len(lines), out.Writes(), out.String())
	}
	for i, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %d is not one JSON record: %q", i, l)
		}
		if rec["service"] != "motcua" {
			t.Fatalf("line %d lost the logger's attributes: %q", i, l)
		}
		if i < 5 && rec["n"] != float64(i) {
			t.Fatalf("line %d out of order: %q", i, l)
		}
	}
	log.WithGroup("g").Error("failed", "k", 1)
	if !strings.Contains(out.String(), `"g":{"k":1}`) {
		t.Fatalf("an error through WithGroup is not written at once: %q", out.String())
	}
}

func TestLogBufferFlushesOnTimerSizeAndClose(t *testing.T) {
	// The timer.
	out := &syncBuffer{}
	lb := newLogBuffer(out, 4096, 10*time.Millisecond)
	fmt.Fprintln(lb, "one")
	deadline := time.Now().Add(5 * time.Second)
	for out.String() == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if out.String() != "one\n" {
		t.Fatalf("the timer did not flush: %q", out.String())
	}
	if err := lb.Close(); err != nil {
		t.Fatal(err)
	}

	// The size: a line that does not fit pushes the waiting ones out first;
	// a line larger than the buffer goes straight through, in order.
	out = &syncBuffer{}
	lb = newLogBuffer(out, 16, time.Hour)
	fmt.Fprint(lb, "aaaaaaaaaa\n") // 11 bytes wait
	fmt.Fprint(lb, "bbbbbbbbbb\n") // does not fit: aaaa is written, bbbb waits
	fmt.Fprint(lb, strings.Repeat("c", 40)+"\n")
	if got, want := out.String(), "aaaaaaaaaa\nbbbbbbbbbb\n"+strings.Repeat("c", 40)+"\n"; got != want {
		t.Fatalf("size flushes: %q, want %q", got, want)
	}
	fmt.Fprint(lb, "tail\n")
	if err := lb.Close(); err != nil {
		t.Fatal(err)
	}
	if err := lb.Close(); err != nil { // twice is fine
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "tail\n") {
		t.Fatalf("Close lost the last line: %q", out.String())
	}
}

func TestLogBufferConcurrentRecordsStayWhole(t *testing.T) {
	out := &syncBuffer{}
	lb := newLogBuffer(out, 512, time.Millisecond)
	log := slog.New(flushOnWarn{Handler: slog.NewJSONHandler(lb, nil), buf: lb})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				log.Info("request", "g", g, "i", i, "pad", strings.Repeat("x", i%50))
			}
		}()
	}
	wg.Wait()
	if err := lb.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var rec struct{ G, I float64 }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("torn record %q", l)
		}
		seen[fmt.Sprint(rec.G, "/", rec.I)] = true
	}
	if len(seen) != 1600 {
		t.Fatalf("%d distinct records, want 1600", len(seen))
	}
}
