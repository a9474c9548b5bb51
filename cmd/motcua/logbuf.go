package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// logBuffer batches the service's log lines into few writes. Every request
// logs one access line; written straight to stdout that is one system call
// a request, which on the citizen lookup cost as much as one of its two
// queries (docs/performance.md). Lines wait at most flushEvery (or until
// size bytes are waiting); warnings and errors are written at once by
// flushOnWarn, and Close writes what is left, so a clean stop loses nothing
// and a crash at most flushEvery of access lines.
type logBuffer struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte
	size int
	err  error // the first failed write, kept so a failing stdout is not retried a line at a time

	stop chan struct{}
	done chan struct{}
}

// flushEvery is how long a log line may wait in the buffer.
const flushEvery = 100 * time.Millisecond

// newLogBuffer buffers up to size bytes for w and flushes every interval.
func newLogBuffer(w io.Writer, size int, interval time.Duration) *logBuffer {
	b := &logBuffer{w: w, buf: make([]byte, 0, size), size: size, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				_ = b.Flush()
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// Write implements io.Writer. slog writes one whole record a call, so a
// line is never split between two writes.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > b.size {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > b.size {
			return b.w.Write(p)
		}
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// Flush writes the waiting lines.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *logBuffer) flushLocked() error {
	if len(b.buf) == 0 {
		return b.err
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	if err != nil && b.err == nil {
		b.err = err
	}
	return err
}

// Close stops the timer and writes the waiting lines. It may be called
// more than once.
func (b *logBuffer) Close() error {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	<-b.done
	return b.Flush()
}

// flushOnWarn is a slog.Handler that flushes buf after every record of
// level warn or above, so problems reach the log at once.
type flushOnWarn struct {
	slog.Handler
	buf *logBuffer
}

// Handle implements slog.Handler.
func (h flushOnWarn) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		_ = h.buf.Flush()
	}
	return err
}

// WithAttrs implements slog.Handler.
func (h flushOnWarn) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushOnWarn{Handler: h.Handler.WithAttrs(attrs), buf: h.buf}
}

// WithGroup implements slog.Handler.
func (h flushOnWarn) WithGroup(name string) slog.Handler {
	return flushOnWarn{Handler: h.Handler.WithGroup(name), buf: h.buf}
}
