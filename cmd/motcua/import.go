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
	"sync/atomic"
	"time"

	"github.com/motcua/motcua/config"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/user"
)

// progressEvery is how often a running import reports on stderr (a
// variable so tests can shorten it).
var progressEvery = time.Second

// importCommand is `motcua import FILE --kind dossiers|feedback|procedures`:
// the import of the HTTP endpoint from a file ("-" for stdin) as the system
// administrator. The endpoint's answer, as JSON, goes to stdout and nothing
// else does. Progress (percent done and time left when the file's size is
// known, lines, lines/s, imported, duplicates, errors) goes to stderr about
// once a second when stderr is a terminal or --progress is given. Bad lines
// make the command fail after the good ones are stored.
func importCommand(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", "", "what the file holds: dossiers, feedback or procedures")
	progress := fs.Bool("progress", false, "show progress on stderr even when it is not a terminal")
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
		return errors.New("usage: motcua import FILE --kind dossiers|feedback|procedures [--progress]  (FILE - reads stdin)")
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
	// The size is known for a regular file only (not a pipe or a terminal).
	size := int64(-1)
	if f, ok := in.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
	}
	counted := &countingReader{r: in}
	a, closeDB, err := open(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer closeDB()

	show := *progress
	if f, ok := stderr.(*os.File); ok && isTerminal(f) {
		show = true
	}
	p := newProgressLine(stderr, *kind, time.Now)
	p.size, p.read = size, counted.n.Load
	stop := func() {}
	if show {
		stop = p.every(progressEvery)
	}
	res, err := a.Imports.Import(ctx, user.Principal{Username: importer.ImportedBy, Role: user.RoleAdmin},
		importer.Kind(*kind), counted, p.set)
	stop()
	if show {
		p.print(true)
	}
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

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// progressLine prints an import's progress.
type progressLine struct {
	w     io.Writer
	kind  string
	now   func() time.Time
	start time.Time
	// size is the input's size in bytes, -1 when unknown; read reports how
	// many bytes were read so far (nil: unknown).
	size int64
	read func() int64

	mu sync.Mutex
	p  importer.Progress
}

func newProgressLine(w io.Writer, kind string, now func() time.Time) *progressLine {
	return &progressLine{w: w, kind: kind, now: now, start: now(), size: -1}
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

// print writes one progress line; final marks the last one. With a known
// size, the line gives the percent read and, while the import runs, the
// time left at the rate so far.
func (l *progressLine) print(final bool) {
	l.mu.Lock()
	p := l.p
	l.mu.Unlock()
	elapsed := l.now().Sub(l.start)
	secs := elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(p.Lines) / secs
	}
	word := "import"
	if final {
		word = "import done"
	}
	percent, left := "", ""
	if l.size >= 0 && l.read != nil {
		read := min(l.read(), l.size)
		pct := 100.0
		if l.size > 0 {
			pct = 100 * float64(read) / float64(l.size)
		}
		percent = fmt.Sprintf(" %.1f%%,", pct)
		switch {
		case final:
		case read >= l.size:
			left = ", 0s left"
		case read > 0:
			rest := time.Duration(float64(elapsed) * float64(l.size-read) / float64(read))
			left = fmt.Sprintf(", %s left", rest.Round(time.Second))
		default:
			left = ", time left unknown"
		}
	}
	fmt.Fprintf(l.w, "%s %s:%s %d lines, %.0f lines/s, %d imported, %d duplicates, %d errors (%s%s)\n",
		word, l.kind, percent, p.Lines, rate, p.Imported, p.Duplicates, p.Errors, elapsed.Round(time.Second), left)
}
