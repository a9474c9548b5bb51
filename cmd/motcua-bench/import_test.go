package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/internal/loadgen"
)

// writeBatch splits the stream without losing or repeating a line, and
// never exceeds its limits.
func TestImportBatchesCoverTheStreamOnce(t *testing.T) {
	w := loadgen.SmallProvince()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, w.Loc)
	end := now.Truncate(24 * time.Hour)
	whole := &importSource{gen: loadgen.NewGenerator(w, 9, end, 365, now), loc: w.Loc, left: 1000}
	var all bytes.Buffer
	if n, err := whole.writeBatch(&all, 0, 0); err != nil || n != 1000 {
		t.Fatalf("one batch: %d, %v", n, err)
	}
	for _, lim := range []struct{ lines, bytes int64 }{{100, 0}, {0, 10_000}, {37, 5_000}, {1, 1}} {
		src := &importSource{gen: loadgen.NewGenerator(w, 9, end, 365, now), loc: w.Loc, left: 1000}
		var joined bytes.Buffer
		batches := 0
		for src.left > 0 || src.hasPending {
			var b bytes.Buffer
			n, err := src.writeBatch(&b, lim.lines, lim.bytes)
			if err != nil || n == 0 {
				t.Fatalf("%+v: batch %d wrote %d: %v", lim, batches, n, err)
			}
			if lim.lines > 0 && n > lim.lines {
				t.Fatalf("%+v: %d lines in a batch", lim, n)
			}
			if lim.bytes > 0 && int64(b.Len()) > lim.bytes && n > 1 {
				t.Fatalf("%+v: %d bytes in a batch", lim, b.Len())
			}
			joined.Write(b.Bytes())
			batches++
		}
		if !bytes.Equal(joined.Bytes(), all.Bytes()) {
			t.Fatalf("%+v: %d batches do not add up to the stream", lim, batches)
		}
		if src.sentSoFar() != 1000 || src.bytes != int64(all.Len()) {
			t.Errorf("%+v: sent %d lines, %d bytes", lim, src.sentSoFar(), src.bytes)
		}
	}
}

// runImport splits the stream into requests under the byte limit, sends
// each as NDJSON with the admin's token, adds up the answers and numbers
// reported bad lines over the whole stream.
func TestRunImportSplitsAndAddsUp(t *testing.T) {
	w := loadgen.SmallProvince()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, w.Loc)
	end := now.Truncate(24 * time.Hour)
	var requests, lines int
	seen := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/imports/dossiers" || r.Header.Get("Content-Type") != "application/x-ndjson" ||
			r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(rw, "bad request", http.StatusBadRequest)
			return
		}
		requests++
		sc := bufio.NewScanner(r.Body)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		n, dup := 0, 0
		var bad []map[string]any
		for sc.Scan() {
			n++
			var line struct{ Code string }
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				bad = append(bad, map[string]any{"line": n, "error": err.Error()})
				continue
			}
			if seen[line.Code] {
				dup++
			}
			seen[line.Code] = true
			if n == 3 {
				bad = append(bad, map[string]any{"line": n, "error": "third line of the request"})
			}
		}
		lines += n
		_ = json.NewEncoder(rw).Encode(map[string]any{"imported": n - dup - len(bad), "skipped_duplicates": dup, "errors": bad})
	}))
	defer srv.Close()
	res, err := runImport(context.Background(), srv.URL, "tok", loadgen.NewGenerator(w, 1, end, 365, now), w.Loc, 2500, 0, 200_000, nil)
	if err != nil {
		t.Fatal(err)
	}
	if requests < 3 || lines != 2500 || res.Lines != 2500 || res.Requests != requests {
		t.Fatalf("%d requests carried %d lines (result %+v)", requests, lines, res)
	}
	if res.Imported+res.Skipped+int64(len(res.Errors)) != 2500 || len(res.Errors) != requests {
		t.Fatalf("answers do not add up: %+v", res)
	}
	if res.Errors[0].Line != 3 || res.Errors[1].Line <= 3 || res.Errors[1].Line > 2500 {
		t.Errorf("bad lines not numbered over the stream: %v", res.Errors[:2])
	}
	if res.Bytes > int64(requests)*200_000 || res.Rate() <= 0 {
		t.Errorf("%d bytes in %d requests, rate %.0f", res.Bytes, requests, res.Rate())
	}
}

func TestRunImportReportsARefusal(t *testing.T) {
	w := loadgen.SmallProvince()
	now := time.Now()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.WriteHeader(http.StatusForbidden)
		_, _ = rw.Write([]byte(`{"error":{"code":"forbidden","message":"no"}}`))
	}))
	defer srv.Close()
	_, err := runImport(context.Background(), srv.URL, "tok", loadgen.NewGenerator(w, 1, now.Truncate(24*time.Hour), 365, now), w.Loc, 100_000, 0, 0, nil)
	var se *statusError
	if !errors.As(err, &se) || se.Status != http.StatusForbidden {
		t.Fatalf("err = %v, want the 403", err)
	}
}
