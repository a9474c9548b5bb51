package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// panicky is an engine with the production middleware chain and handlers
// that panic.
func panicky(log *slog.Logger) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(withRequestID(), recoverPanics(log))
	r.GET("/boom", func(*gin.Context) { panic("secret-detail Nguyễn Văn An 001234567890") })
	r.GET("/boom-error", func(*gin.Context) { panic(http.ErrBodyNotAllowed) })
	r.GET("/half", func(c *gin.Context) {
		c.String(http.StatusOK, "partial")
		c.Writer.Flush()
		panic("after the headers")
	})
	r.GET("/abort", func(*gin.Context) { panic(http.ErrAbortHandler) })
	return r
}

func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, sc.Bytes())
		}
		out = append(out, m)
	}
	return out
}

func TestRecoverPanicsAnswers500Internal(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"/boom", "/boom-error"} {
		t.Run(path, func(t *testing.T) {
			var logs bytes.Buffer
			r := panicky(slog.New(slog.NewJSONHandler(&logs, nil)))
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("X-Request-ID", "req-panic-1")
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)

			if rec.Code != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500", rec.Code)
			}
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body is not the error shape: %v: %s", err, rec.Body)
			}
			if body.Error.Code != "internal" || body.Error.Message != internalMessage || body.Error.Details != nil {
				t.Fatalf("body %+v", body)
			}
			for _, leak := range []string{"secret-detail", "Nguyễn", "001234567890", "panic", "goroutine", ".go:"} {
				if strings.Contains(rec.Body.String(), leak) {
					t.Errorf("the answer reveals %q: %s", leak, rec.Body)
				}
			}
			if got := rec.Header().Get("X-Request-ID"); got != "req-panic-1" {
				t.Fatalf("X-Request-ID %q", got)
			}

			var found map[string]any
			for _, l := range logLines(t, &logs) {
				if l["msg"] == "panic recovered" {
					found = l
				}
			}
			if found == nil {
				t.Fatalf("no panic log line in:\n%s", logs.String())
			}
			if found["level"] != "ERROR" || found["request_id"] != "req-panic-1" || found["route"] != path {
				t.Fatalf("panic log line %v", found)
			}
			if stack, _ := found["stack"].(string); !strings.Contains(stack, "recover_test.go") {
				t.Fatalf("the log line should carry the stack, got %q", stack)
			}
		})
	}
}

func TestRecoverPanicsAfterHeadersDoesNotWriteTwice(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	r := panicky(slog.New(slog.NewJSONHandler(&logs, nil)))
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/half", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "partial" {
		t.Fatalf("status %d body %q: a started answer must not get a second status or body", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "panic recovered") {
		t.Fatal("the panic was not logged")
	}
}

func TestRecoverPanicsPassesAbortHandlerOn(t *testing.T) {
	t.Parallel()
	r := panicky(slog.New(slog.DiscardHandler))
	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want http.ErrAbortHandler passed on to net/http", p)
		}
	}()
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/abort", nil))
	t.Fatal("http.ErrAbortHandler was swallowed")
}

func TestWriteErrorHidesInternalErrors(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(withRequestID())
	r.GET("/db", func(c *gin.Context) {
		writeError(c, log, errorString(`pq: duplicate key value violates unique constraint "x" SELECT * FROM users`))
	})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/db", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "SELECT") ||
		!strings.Contains(rec.Body.String(), `"code":"internal"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	id := rec.Header().Get("X-Request-ID")
	if id == "" || !strings.Contains(logs.String(), id) {
		t.Fatalf("the internal error must be logged with its request id %q:\n%s", id, logs.String())
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// A request whose client hung up is answered 499 and logged as a
// cancellation, not as an internal failure; a cancellation error while the
// client is still there stays an internal error.
func TestClientCancellationIsNotAnInternalError(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	r := gin.New()
	r.Use(withRequestID())
	r.GET("/slow", func(c *gin.Context) {
		writeError(c, log, fmt.Errorf("load dossier: %w", context.Canceled))
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slow", nil).WithContext(ctx))
	if rec.Code != StatusClientClosedRequest {
		t.Fatalf("status = %d, want %d", rec.Code, StatusClientClosedRequest)
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), "canceled by the client") {
		t.Fatalf("log = %s, want an info line about the cancellation and no error", logs.String())
	}
	logs.Reset()
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slow", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Fatalf("live request: status %d, log %s; want 500 and an error line", rec.Code, logs.String())
	}
}
