package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/motcua/motcua/config"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/user"
)

// progressEvery is how often a running import reports on stderr.
const progressEvery = 2 * time.Second

// importCommand is `motcua import FILE --kind dossiers|feedback|procedures`:
// the import of SPEC §9 from a file ("-" for stdin) as the system
// administrator. Progress (lines, lines/s, imported, duplicates, errors)
// goes to stderr every 2 s; the answer of the HTTP endpoint, as JSON, to
// stdout. Bad lines make the command fail after the good ones are stored.
func importCommand(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", "", "what the file holds: dossiers, feedback or procedures")
	// The file may come before or after the flags.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 || !importer.Kind(*kind).Valid() {
		return errors.New("usage: motcua import FILE --kind dossiers|feedback|procedures  (FILE - reads stdin)")
	}
	var in io.Reader = stdin
	if files[0] != "-" {
		f, err := os.Open(files[0])
		if err != nil {
			return err
		}
		defer f.Close() //nolint:errcheck
		in = f
	}
	a, closeDB, err := open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()

	p := newProgressLine(stderr, *kind, time.Now)
	stop := p.every(progressEvery)
	res, err := a.Imports.Import(ctx, user.Principal{Username: importer.ImportedBy, Role: user.RoleAdmin},
		importer.Kind(*kind), in, p.set)
	stop()
	p.print(true)
	if err != nil {
		return fmt.Errorf("import stopped after line %d (%d imported; importing the file again finishes the work): %w",
			res.Lines, res.Imported, describe(err))
	}
	out := importAnswer{Imported: res.Imported, SkippedDuplicates: res.SkippedDuplicates, Errors: lineErrors(res.Errors),
		ErrorsTotal: res.ErrorLines, Lines: res.Lines}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	if res.ErrorLines > 0 {
		return fmt.Errorf("%d bad lines were not imported (listed in \"errors\")", res.ErrorLines)
	}
	return nil
}

// importAnswer is the answer of POST /api/v1/imports/{kind}, printed by the
// command.
type importAnswer struct {
	Imported          int64       `json:"imported"`
	SkippedDuplicates int64       `json:"skipped_duplicates"`
	Errors            []lineError `json:"errors"`
	ErrorsTotal       int64       `json:"errors_total"`
	Lines             int64       `json:"lines"`
}

type lineError struct {
	Line  int64  `json:"line"`
	Error string `json:"error"`
}

func lineErrors(es []importer.LineError) []lineError {
	out := make([]lineError, len(es))
	for i, e := range es {
		out[i] = lineError{Line: e.Line, Error: e.Error}
	}
	return out
}

// progressLine prints an import's progress.
type progressLine struct {
	w     io.Writer
	kind  string
	now   func() time.Time
	start time.Time

	mu sync.Mutex
	p  importer.Progress
}

func newProgressLine(w io.Writer, kind string, now func() time.Time) *progressLine {
	return &progressLine{w: w, kind: kind, now: now, start: now()}
}

// set records the latest progress (the importer's callback).
func (l *progressLine) set(p importer.Progress) {
	l.mu.Lock()
	l.p = p
	l.mu.Unlock()
}

// every prints the progress every d until the returned stop is called.
func (l *progressLine) every(d time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				l.print(false)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// print writes one progress line; final marks the last one.
func (l *progressLine) print(final bool) {
	l.mu.Lock()
	p := l.p
	l.mu.Unlock()
	secs := l.now().Sub(l.start).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(p.Lines) / secs
	}
	word := "import"
	if final {
		word = "import done"
	}
	fmt.Fprintf(l.w, "%s %s: %d lines, %.0f lines/s, %d imported, %d duplicates, %d errors (%s)\n",
		word, l.kind, p.Lines, rate, p.Imported, p.Duplicates, p.Errors, l.now().Sub(l.start).Round(time.Second))
}
