package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/motcua/motcua/cmd/internal/loadgen"
)

// importError is one bad line the server reported, numbered over the
// whole run (from 1).
type importError struct {
	Line  int64  `json:"line"`
	Error string `json:"error"`
}

// importResult is what an import run sent and what the server answered.
type importResult struct {
	Lines    int64
	Bytes    int64
	Requests int
	Imported int64
	Skipped  int64
	Errors   []importError
	Elapsed  time.Duration
}

// Rate is lines stored or skipped a second.
func (r *importResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Imported+r.Skipped) / r.Elapsed.Seconds()
}

// importSource hands generated NDJSON lines to successive requests.
type importSource struct {
	gen        *loadgen.Generator
	loc        *time.Location
	left       int64
	rec        loadgen.Record
	line       []byte
	hasPending bool // line was generated but not sent (it did not fit the last batch)
	sent       atomic.Int64
	bytes      int64
}

// nextLine returns the next line, or nil when all were sent. The slice is
// reused by the next call.
func (s *importSource) nextLine() []byte {
	if s.hasPending {
		return s.line
	}
	if s.left == 0 {
		return nil
	}
	s.gen.Next(&s.rec)
	s.left--
	s.line = loadgen.AppendLine(s.line[:0], &s.rec, s.loc)
	s.hasPending = true
	return s.line
}

// writeBatch streams lines into w until maxLines lines or maxBytes bytes
// (whichever first; ≤ 0 means no limit) or the end of the source.
func (s *importSource) writeBatch(w io.Writer, maxLines, maxBytes int64) (lines int64, err error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	var size int64
	defer func() { s.bytes += size }()
	for {
		if maxLines > 0 && lines >= maxLines {
			break
		}
		line := s.nextLine()
		if line == nil {
			break
		}
		if maxBytes > 0 && size+int64(len(line)) > maxBytes && lines > 0 {
			break
		}
		if _, err := bw.Write(line); err != nil {
			return lines, err
		}
		s.hasPending = false
		size += int64(len(line))
		lines++
		s.sent.Add(1)
	}
	return lines, bw.Flush()
}

// runImport sends n generated dossiers to POST /api/v1/imports/dossiers,
// streamed (never held whole in memory, never written to a file), in
// requests of at most maxLines lines and maxBytes bytes, one after the
// other. progress, when not nil, is called every few seconds.
func runImport(ctx context.Context, base, token string, gen *loadgen.Generator, loc *time.Location, n, maxLines, maxBytes int64,
	progress func(sent int64, elapsed time.Duration)) (*importResult, error) {
	hc := &http.Client{Transport: newTransport(1)} // no client timeout: ctx bounds the run
	defer hc.CloseIdleConnections()
	src := &importSource{gen: gen, loc: loc, left: n}
	res := &importResult{}
	start := time.Now()
	stopProgress := make(chan struct{})
	if progress != nil {
		go func() {
			t := time.NewTicker(5 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-stopProgress:
					return
				case <-t.C:
					progress(src.sentSoFar(), time.Since(start))
				}
			}
		}()
	}
	defer close(stopProgress)
	for src.left > 0 || src.hasPending {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		first := src.sent.Load()
		pr, pw := io.Pipe()
		werr := make(chan error, 1)
		var lines int64
		go func() {
			l, err := src.writeBatch(pw, maxLines, maxBytes)
			lines = l
			pw.CloseWithError(err)
			werr <- err
		}()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/imports/dossiers", pr)
		if err != nil {
			return res, err
		}
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := hc.Do(req)
		if err != nil {
			pr.CloseWithError(err)
			<-werr
			return res, fmt.Errorf("import request %d: %w", res.Requests+1, err)
		}
		var out struct {
			Imported          int64 `json:"imported"`
			SkippedDuplicates int64 `json:"skipped_duplicates"`
			Errors            []struct {
				Line  int64  `json:"line"`
				Error string `json:"error"`
			} `json:"errors"`
		}
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		pr.CloseWithError(errors.New("answered"))
		if e := <-werr; e != nil && resp.StatusCode == http.StatusOK {
			return res, fmt.Errorf("import request %d: writing the body: %w", res.Requests+1, e)
		}
		res.Requests++
		if rerr != nil {
			return res, fmt.Errorf("import request %d: %w", res.Requests, rerr)
		}
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
			return res, &statusError{Method: http.MethodPost, Path: "/api/v1/imports/dossiers", Status: resp.StatusCode, Body: truncate(string(body), 512)}
		}
		if err := json.Unmarshal(body, &out); err != nil {
			return res, fmt.Errorf("import request %d: answer: %w", res.Requests, err)
		}
		res.Lines += lines
		res.Imported += out.Imported
		res.Skipped += out.SkippedDuplicates
		for _, e := range out.Errors {
			if len(res.Errors) < 1000 {
				res.Errors = append(res.Errors, importError{Line: first + e.Line, Error: e.Error})
			}
		}
		if lines == 0 {
			break
		}
	}
	res.Bytes = src.bytes
	res.Elapsed = time.Since(start)
	return res, nil
}

// sentSoFar is the lines handed to requests so far.
func (s *importSource) sentSoFar() int64 { return s.sent.Load() }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
