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
	"path/filepath"
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
//
// The import of a regular file of dossiers or feedback keeps a checkpoint
// in the database after every stored batch (importer.ImportFile); --resume
// continues an interrupted one from there, and its answer counts the whole
// file as one uninterrupted run would. --resume refuses stdin and pipes
// (they cannot be read again from a point), a file whose size or first MiB
// changed, a file with no interrupted import, and a finished import.
func importCommand(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", "", "what the file holds: dossiers, feedback or procedures")
	progress := fs.Bool("progress", false, "show progress on stderr even when it is not a terminal")
	resume := fs.Bool("resume", false, "continue the interrupted import of FILE from its last stored batch")
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
		return errors.New("usage: motcua import FILE --kind dossiers|feedback|procedures [--progress] [--resume]  (FILE - reads stdin)")
	}
	if files[0] == "-" && *resume {
		return errors.New("--resume needs a FILE: stdin cannot be read again from where an import stopped")
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
	var file *os.File // a regular file: its import keeps a checkpoint
	if f, ok := in.(*os.File); ok && files[0] != "-" {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
			file = f
		}
	}
	resumable := file != nil && (importer.Kind(*kind) == importer.Dossiers || importer.Kind(*kind) == importer.Feedback)
	switch {
	case *resume && file == nil:
		return errors.New("--resume needs a regular file: a pipe or a device cannot be read again from where an import stopped")
	case *resume && !resumable:
		return errors.New("--resume continues dossiers and feedback imports only; import procedures again without it")
	}
	counted := &countingReader{r: in}
	var ident importer.File
	if resumable {
		path, err := filepath.Abs(files[0])
		if err != nil {
			return err
		}
		if ident, err = importer.FileOf(importer.Kind(*kind), path, file); err != nil {
			return err
		}
		counted.seek = file
	}
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
	admin := user.Principal{Username: importer.ImportedBy, Role: user.RoleAdmin}
	var res importer.Result
	if resumable {
		started := func(from importer.Checkpoint) {
			p.from(from)
			if *resume {
				fmt.Fprintf(stderr, "import %s: resuming at line %d (byte %d of %d): %d imported, %d duplicates, %d errors so far\n",
					*kind, from.Line+1, from.Offset, ident.Size, from.Imported, from.Duplicates, from.ErrorLines)
			}
			if show {
				stop = p.every(progressEvery)
			}
		}
		res, err = a.Imports.ImportFile(ctx, admin, ident, counted, *resume, started, p.set)
	} else {
		if show {
			stop = p.every(progressEvery)
		}
		res, err = a.Imports.Import(ctx, admin, importer.Kind(*kind), counted, p.set)
	}
	stop()
	if errors.Is(err, importer.ErrNothingToResume) || errors.Is(err, importer.ErrFileChanged) || errors.Is(err, importer.ErrAlreadyFinished) {
		return err // refused before reading a line
	}
	if show {
		p.print(true)
	}
	switch {
	case err != nil && resumable:
		return fmt.Errorf("import stopped after line %d (%d imported; `motcua import FILE --kind %s --resume` continues from the last stored batch): %w",
			res.Lines, res.Imported, *kind, describe(err))
	case err != nil:
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

// countingReader counts the bytes read through it. With seek set it is an
// io.ReadSeeker too, n following the offset.
type countingReader struct {
	r    io.Reader
	seek io.Seeker
	n    atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) Seek(offset int64, whence int) (int64, error) {
	if c.seek == nil {
		return 0, errors.New("not a regular file")
	}
	at, err := c.seek.Seek(offset, whence)
	if err == nil {
		c.n.Store(at)
	}
	return at, err
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

	// lines and bytes are where a resumed import started, not counted in
	// its rate and time left.
	lines, bytes int64

	mu sync.Mutex
	p  importer.Progress
}

// from makes the line count the import's progress from the checkpoint at.
func (l *progressLine) from(at importer.Checkpoint) {
	l.mu.Lock()
	l.lines, l.bytes = at.Line, at.Offset
	l.p = importer.Progress{Lines: at.Line, Imported: at.Imported, Duplicates: at.Duplicates, Errors: at.ErrorLines}
	l.start = l.now()
	l.mu.Unlock()
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
	p, baseLines, baseBytes, start := l.p, l.lines, l.bytes, l.start
	l.mu.Unlock()
	elapsed := l.now().Sub(start)
	secs := elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(p.Lines-baseLines) / secs
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
		case read > baseBytes:
			rest := time.Duration(float64(elapsed) * float64(l.size-read) / float64(read-baseBytes))
			left = fmt.Sprintf(", %s left", rest.Round(time.Second))
		default:
			left = ", time left unknown"
		}
	}
	fmt.Fprintf(l.w, "%s %s:%s %d lines, %.0f lines/s, %d imported, %d duplicates, %d errors (%s%s)\n",
		word, l.kind, percent, p.Lines, rate, p.Imported, p.Duplicates, p.Errors, elapsed.Round(time.Second), left)
}
