package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/motcua/motcua/domain"
)

// parser validates one line (numbered n) and returns the record, its code
// and its problems (none for a good line). An error is a failure of ours
// (the catalog could not be read), not of the line.
type parser[R any] func(ctx context.Context, n int64, line []byte) (R, string, problems, error)

// normalized returns parse reading each line through nfc (when set).
func normalized[R any](nfc func([]byte) []byte, parse parser[R]) parser[R] {
	if nfc == nil {
		return parse
	}
	return func(ctx context.Context, n int64, line []byte) (R, string, problems, error) {
		return parse(ctx, n, nfc(line))
	}
}

// pump is the import loop shared by every kind. It parses lines in the
// calling goroutine and stores full batches in one other goroutine, so that
// the parsing of a batch overlaps the storing of the one before it. At most
// two batches are held at a time, one being stored and one being filled:
// when the next batch is full before the store is done with the last one,
// parsing waits. Batches are stored one after the other, in stream order,
// so a code stored by a batch is a duplicate for every later one.
//
// The Result, the progress callback and the parser belong to the calling
// goroutine; the store goroutine only sends back what each batch did. pump
// returns once that goroutine has ended, with every batch it was given
// counted, whatever the path (end of stream, read error, cancelled ctx,
// failing store or parser); a panic of the store is raised again here.
func pump[R any](ctx context.Context, r io.Reader, progress func(Progress), parse parser[R],
	store func(context.Context, []R) (Stored, error), lineOf func(R) int64) (Result, error) {
	return pumpFrom(ctx, r, progress, parse, func(ctx context.Context, recs []R, _ Checkpoint) (Stored, error) {
		return store(ctx, recs)
	}, lineOf, nil)
}

// pumpFrom is pump keeping a file's checkpoint when ck is not nil: r is
// then the file read from ck.from's offset, the Result starts from its
// counts and lines are numbered on from its line; store is given, with
// each batch, the checkpoint to write in the batch's transaction (a zero
// ID: none).
func pumpFrom[R any](ctx context.Context, r io.Reader, progress func(Progress), parse parser[R],
	store func(context.Context, []R, Checkpoint) (Stored, error), lineOf func(R) int64, ck *checkpoints) (Result, error) {
	var res Result
	var save func(context.Context, Checkpoint, bool) error
	if ck != nil {
		save = ck.save
		res = Result{Lines: ck.from.Line, Imported: ck.from.Imported, SkippedDuplicates: ck.from.Duplicates,
			ErrorLines: ck.from.ErrorLines, Errors: append([]LineError(nil), ck.from.Errors...)}
		ck.parsed, ck.listed = len(res.Errors), len(res.Errors)
	}
	// storeErrs are the bad lines the store found (res.Errors holds those
	// the parser found); both are in line order, merged on return.
	var storeErrs []LineError
	report := func() {
		if progress != nil {
			progress(Progress{Lines: res.Lines, Imported: res.Imported, Duplicates: res.SkippedDuplicates, Errors: res.ErrorLines})
		}
	}
	bad := func(n int64, msg string) {
		res.ErrorLines++
		if len(res.Errors) < MaxReported {
			res.Errors = append(res.Errors, LineError{Line: n, Error: msg})
		}
	}

	jobs := make(chan batchJob[R])        // unbuffered: the store takes a batch only when idle
	done := make(chan batchOutcome[R], 1) // never blocks the store: one batch at a time
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		for j := range jobs {
			done <- storeBatch(ctx, j, store, lineOf, save)
		}
	}()
	// Runs last on every path, panics included: no goroutine outlives pump.
	defer func() { close(jobs); <-exited }()

	busy := false // a batch is with the store goroutine
	spare := make([]R, 0, BatchSize)
	apply := func(o batchOutcome[R]) error {
		busy = false
		spare = o.batch[:0]
		res.Imported += o.imported
		res.SkippedDuplicates += o.duplicates
		if ck != nil {
			ck.listed += o.listed
		}
		for _, e := range o.bad {
			res.ErrorLines++
			if len(storeErrs) < MaxReported {
				storeErrs = append(storeErrs, e)
			}
		}
		if o.panicked != nil {
			panic(o.panicked)
		}
		report()
		return o.err
	}
	// wait waits for the batch being stored, if any, and counts it.
	wait := func() error {
		if !busy {
			return nil
		}
		return apply(<-done)
	}
	// poll counts the batch being stored if it is done.
	poll := func() error {
		if !busy {
			return nil
		}
		select {
		case o := <-done:
			return apply(o)
		default:
			return nil
		}
	}
	// finish waits for the batch being stored and returns the Result. An
	// error of that batch wins over err: it comes from earlier lines.
	finish := func(err error) (Result, error) {
		if werr := wait(); werr != nil {
			err = werr
		}
		res.Errors = mergeErrors(res.Errors, storeErrs)
		return res, err
	}

	lr := newLineReader(r, MaxLineBytes)
	if ck != nil {
		lr.n, lr.off = ck.from.Line, ck.from.Offset
	}
	batch := make([]R, 0, BatchSize)
	codes := make(map[string]struct{}, BatchSize)
	// dispatch hands the batch to the store goroutine once it is idle.
	dispatch := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := wait(); err != nil {
			return err
		}
		j := batchJob[R]{batch: batch}
		if ck != nil {
			// Every line up to lr.n is accounted for in res, the batches
			// before this one included (wait counted the last).
			j.cp = ck.at(res, lr.off)
			j.room = MaxReported - ck.listed
		}
		jobs <- j
		busy = true
		batch = spare
		spare = nil
		clear(codes)
		return nil
	}
	for {
		if err := poll(); err != nil {
			return finish(err)
		}
		line, tooLong, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ctx.Err() == nil {
				if ferr := dispatch(); ferr != nil {
					return finish(ferr)
				}
			}
			return finish(fmt.Errorf("read line %d: %w", lr.n+1, err))
		}
		res.Lines = lr.n
		if lr.n%BatchSize == 0 {
			if err := ctx.Err(); err != nil {
				return finish(err)
			}
			report()
		}
		switch {
		case tooLong:
			bad(lr.n, fmt.Sprintf("dòng quá dài (tối đa %d byte)", MaxLineBytes))
			continue
		case isBlank(line):
			continue
		case !utf8.Valid(line):
			bad(lr.n, "dòng không phải văn bản UTF-8 hợp lệ")
			continue
		}
		rec, code, probs, err := parse(ctx, lr.n, line)
		if err != nil {
			return finish(err)
		}
		if len(probs) > 0 {
			bad(lr.n, probs.String())
			continue
		}
		if _, dup := codes[code]; dup {
			res.SkippedDuplicates++
			continue
		}
		codes[code] = struct{}{}
		batch = append(batch, rec)
		if len(batch) >= BatchSize {
			if err := dispatch(); err != nil {
				return finish(err)
			}
		}
	}
	err := dispatch()
	if err == nil {
		err = wait()
	}
	res.Lines = lr.n
	report()
	if ck != nil && err == nil {
		// Every batch is counted; res.Errors are still the parser's only.
		ck.final = ck.at(res, lr.off)
	}
	return finish(err)
}

// batchJob is a batch for the store goroutine with, for a file's import,
// the checkpoint to write with it and how many more bad lines (of
// MaxReported) the checkpoints may list.
type batchJob[R any] struct {
	batch []R
	cp    Checkpoint
	room  int
}

// batchOutcome is what storing one batch did.
type batchOutcome[R any] struct {
	// batch is the batch stored, handed back for reuse.
	batch                []R
	imported, duplicates int64
	// bad are the lines the store refused, in line order.
	bad []LineError
	// err stops the import; the counts above still hold.
	err error
	// panicked is what the store panicked with, if it did.
	panicked any
	// listed is how many of bad the checkpoint lists.
	listed int
}

// storeBatch stores a batch in one transaction. When the batch fails as a
// whole, it retries it line by line so that the good lines still land and
// the failing ones are reported; when every line of the batch then fails
// for a reason of ours (the database is gone), it gives up with the error.
// It runs in pump's store goroutine and touches nothing of pump's.
//
// With a checkpoint (j.cp.ID set) the batch's transaction writes it; when
// the batch is stored line by line instead, those transactions write none
// and the checkpoint, with the lines refused, is saved after the last.
func storeBatch[R any](ctx context.Context, j batchJob[R], store func(context.Context, []R, Checkpoint) (Stored, error),
	lineOf func(R) int64, save func(context.Context, Checkpoint, bool) error) (o batchOutcome[R]) {
	batch := j.batch
	o.batch = batch
	defer func() {
		if p := recover(); p != nil {
			o.panicked = p
		}
	}()
	st, err := store(ctx, batch, j.cp)
	if err == nil {
		o.imported, o.duplicates = int64(st.Imported), int64(st.Duplicates)
		return o
	}
	if ctx.Err() != nil {
		o.err = ctx.Err()
		return o
	}
	failed := 0
	var lastErr error
	for _, rec := range batch {
		st, err := store(ctx, []R{rec}, Checkpoint{})
		if err == nil {
			o.imported += int64(st.Imported)
			o.duplicates += int64(st.Duplicates)
			continue
		}
		if ctx.Err() != nil {
			o.err = ctx.Err()
			return o
		}
		msg := "không lưu được vào cơ sở dữ liệu"
		switch domain.KindOf(err) {
		case domain.KindInternal:
			failed++
			lastErr = err
		default:
			var de *domain.Error
			if errors.As(err, &de) && de.Message != "" {
				msg += ": " + de.Message
			}
		}
		o.bad = append(o.bad, LineError{Line: lineOf(rec), Error: msg})
	}
	if failed == len(batch) {
		o.err = fmt.Errorf("store batch: %w", lastErr)
		return o
	}
	if j.cp.ID != 0 {
		cp := j.cp.after(Stored{Imported: int(o.imported), Duplicates: int(o.duplicates)})
		cp.ErrorLines += int64(len(o.bad))
		all := mergeErrors(j.cp.Errors, o.bad)
		cp.Errors = all[:min(len(all), len(j.cp.Errors)+j.room)]
		o.listed = len(cp.Errors) - len(j.cp.Errors)
		if err := save(ctx, cp, false); err != nil {
			o.err = fmt.Errorf("save the checkpoint: %w", err)
		}
	}
	return o
}

// mergeErrors merges two lists of bad lines, each in line order, into the
// first MaxReported in line order.
func mergeErrors(a, b []LineError) []LineError {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]LineError, 0, min(len(a)+len(b), MaxReported))
	for len(out) < MaxReported && (len(a) > 0 || len(b) > 0) {
		if len(b) == 0 || (len(a) > 0 && a[0].Line <= b[0].Line) {
			out = append(out, a[0])
			a = a[1:]
		} else {
			out = append(out, b[0])
			b = b[1:]
		}
	}
	return out
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}
