package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/motcua/motcua/domain/user"
)

// A file's import (`motcua import FILE`) keeps a checkpoint: after every
// batch, in the batch's own transaction, the byte offset and the line just
// after the batch's last line and the import's counts up to there (the
// lines read, imported, duplicates, bad lines, and the bad lines listed).
// An import killed mid-way is then continued with ImportFile(…, resume):
// it seeks to the checkpoint's offset, starts counting from its counts and
// numbers lines on from its line, so that nothing is stored twice or left
// out and the final Result describes the whole file as one run would. The
// batches after the checkpoint are the same as those of a single run (a
// batch starts empty after each one stored), so the resumed part behaves
// exactly as it would have.
//
// Only dossiers and feedback resume: a procedure line's components count
// only for the first line of its code in the stream, which a resumed run
// cannot know of the lines before it (and catalogue files are small).
//
// One limit: when a batch fails as a whole, storeBatch stores its lines one
// by one (to report the failing ones) and only then writes the checkpoint;
// a kill in between leaves those lines stored but not counted, and the
// resumed run counts them as duplicates. Nothing is stored twice or lost.

// HeadBytes is how much of a file's beginning its fingerprint hashes.
const HeadBytes = 1 << 20

// File is the identity of a file's import: its kind and fingerprint (its
// size and the SHA-256 of its first HeadBytes bytes). Path is only told
// back in messages; the same file under another path is the same import.
type File struct {
	Kind Kind
	Path string
	Size int64
	// Head is the hex SHA-256 of the first HeadBytes bytes.
	Head string
}

// FileOf returns the identity of the import of f, of kind, by reading its
// size and its first HeadBytes bytes; f is left at its start.
func FileOf(kind Kind, path string, f io.ReadSeeker) (File, error) {
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return File{}, fmt.Errorf("size of the file: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return File{}, fmt.Errorf("rewind the file: %w", err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(f, HeadBytes)); err != nil {
		return File{}, fmt.Errorf("read the file: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return File{}, fmt.Errorf("rewind the file: %w", err)
	}
	return File{Kind: kind, Path: path, Size: size, Head: hex.EncodeToString(h.Sum(nil))}, nil
}

// Checkpoint is where a file's import stands after a committed batch.
type Checkpoint struct {
	// ID is the checkpoint's row.
	ID int64
	// Offset and Line are the bytes and lines of the file read up to the
	// end of the batch (every line up to there is accounted for).
	Offset, Line int64
	// Imported, Duplicates and ErrorLines are the counts of the import up
	// to Line, the batch's own included.
	Imported, Duplicates, ErrorLines int64
	// Errors are the bad lines listed, in line order (at most MaxReported
	// in all). Handed to a Store with a batch, they are only those found
	// since the checkpoint before, to add; loaded, all of them.
	Errors []LineError
}

// after returns c with the counts of a stored batch added.
func (c Checkpoint) after(st Stored) Checkpoint {
	c.Imported += int64(st.Imported)
	c.Duplicates += int64(st.Duplicates)
	return c
}

// Saved is the checkpoint of a file's import as stored.
type Saved struct {
	Checkpoint
	// Path is where the file was when its import started.
	Path string
	// Finished reports that the whole file was read.
	Finished bool
}

// CheckpointStore is a Store that also keeps the checkpoints of file
// imports (repository.ImportStore). The *At methods store a batch as
// ImportDossiers and ImportFeedback do and, in the same transaction,
// write the checkpoint cp with the batch's counts added (cp.after).
type CheckpointStore interface {
	Store
	// StartCheckpoint starts the checkpoint of f afresh, at the start of
	// the file, replacing any of the same kind and fingerprint, and
	// returns its ID.
	StartCheckpoint(ctx context.Context, f File) (int64, error)
	// LoadCheckpoint returns the checkpoint of f's kind and fingerprint,
	// with all its listed errors; found is false when there is none. other
	// is, when found is false, an unfinished checkpoint of the same kind
	// and path (a file that changed since), if any.
	LoadCheckpoint(ctx context.Context, f File) (saved Saved, found bool, other bool, err error)
	ImportDossiersAt(ctx context.Context, recs []DossierRecord, cp Checkpoint) (Stored, error)
	ImportFeedbackAt(ctx context.Context, recs []FeedbackRecord, cp Checkpoint) (Stored, error)
	// SaveCheckpoint writes cp without storing anything; finished marks
	// the import done.
	SaveCheckpoint(ctx context.Context, cp Checkpoint, finished bool) error
}

// Why a resume is refused.
var (
	// ErrNothingToResume: no import of this file (kind and fingerprint)
	// was started on this database.
	ErrNothingToResume = errors.New("no interrupted import of this file to resume: import it without --resume")
	// ErrFileChanged: an import of a file at the same path was
	// interrupted, but the file is no longer the same (size or beginning).
	ErrFileChanged = errors.New("the file changed since its import was interrupted (its size or its first MiB differ): import it without --resume")
	// ErrAlreadyFinished: the import of this file already read it whole.
	ErrAlreadyFinished = errors.New("the import of this file already finished: nothing to resume (importing it again without --resume skips what is stored)")
	// ErrNotResumable: the kind or the store does not keep checkpoints.
	ErrNotResumable = errors.New("only dossiers and feedback imports can be resumed")
)

// ImportFile imports the file f, read through r, keeping its checkpoint
// after every batch when the kind is dossiers or feedback and the store
// keeps checkpoints (else it is Import). With resume it continues the
// interrupted import of the same file from its checkpoint: ErrNothingToResume,
// ErrFileChanged or ErrAlreadyFinished when it cannot. started, when not
// nil, is told where the import starts (zero for the file's start) before
// any line is read. The Result counts the whole file, the lines of an
// interrupted run included; when the file has been read to its end the
// checkpoint is marked finished.
func (s *Service) ImportFile(ctx context.Context, by user.Principal, f File, r io.ReadSeeker, resume bool,
	started func(Checkpoint), progress func(Progress)) (Result, error) {
	if err := by.RequireRole(user.RoleAdmin); err != nil {
		return Result{}, err
	}
	cs, ok := s.store.(CheckpointStore)
	if !ok || (f.Kind != Dossiers && f.Kind != Feedback) {
		if resume {
			return Result{}, ErrNotResumable
		}
		return s.Import(ctx, by, f.Kind, r, progress)
	}
	var from Checkpoint
	if resume {
		saved, found, other, err := cs.LoadCheckpoint(ctx, f)
		switch {
		case err != nil:
			return Result{}, err
		case !found && other:
			return Result{}, ErrFileChanged
		case !found:
			return Result{}, ErrNothingToResume
		case saved.Finished:
			return Result{}, ErrAlreadyFinished
		}
		from = saved.Checkpoint
		if _, err := r.Seek(from.Offset, io.SeekStart); err != nil {
			return Result{}, fmt.Errorf("seek to the checkpoint: %w", err)
		}
	} else {
		id, err := cs.StartCheckpoint(ctx, f)
		if err != nil {
			return Result{}, err
		}
		from.ID = id
	}
	rn, err := s.newRun(ctx)
	if err != nil {
		return Result{}, err
	}
	if started != nil {
		started(from)
	}
	ck := &checkpoints{from: from, save: cs.SaveCheckpoint}
	var res Result
	switch f.Kind {
	case Dossiers:
		res, err = pumpFrom(ctx, r, progress, normalized(s.nfc, rn.dossier), cs.ImportDossiersAt,
			func(d DossierRecord) int64 { return d.Line }, ck)
	default:
		res, err = pumpFrom(ctx, r, progress, normalized(s.nfc, rn.feedback), cs.ImportFeedbackAt,
			func(fb FeedbackRecord) int64 { return fb.Line }, ck)
	}
	if err != nil {
		return res, err
	}
	// The whole file is read and stored: the last checkpoint, with the bad
	// lines after the last batch, marks it finished.
	if err := cs.SaveCheckpoint(ctx, ck.final, true); err != nil {
		return res, fmt.Errorf("finish the checkpoint: %w", err)
	}
	return res, nil
}

// checkpoints is pump's view of a file's checkpoint: where the import
// started and which bad lines are stored with a checkpoint already.
type checkpoints struct {
	from Checkpoint
	save func(ctx context.Context, cp Checkpoint, finished bool) error
	// listed counts the bad lines stored with checkpoints (of at most
	// MaxReported); parsed is how many of pump's parser-found bad lines
	// (res.Errors) are among them.
	listed, parsed int
	// final is the checkpoint at the end of the file, set by pump when it
	// read the file whole and every batch was stored.
	final Checkpoint
}

// at returns the checkpoint of res at offset off, with the bad lines of
// res.Errors (the parser's, before pump merges the store's in) not stored
// yet, and marks them stored; the store-found ones go in storeBatch's own
// checkpoint.
func (c *checkpoints) at(res Result, off int64) Checkpoint {
	cp := Checkpoint{ID: c.from.ID, Offset: off, Line: res.Lines, Imported: res.Imported,
		Duplicates: res.SkippedDuplicates, ErrorLines: res.ErrorLines}
	if c.parsed < len(res.Errors) {
		// A copy: pump goes on appending to res.Errors while the store
		// goroutine reads these.
		cp.Errors = slices.Clone(res.Errors[c.parsed:min(len(res.Errors), c.parsed+MaxReported-c.listed)])
		c.parsed = len(res.Errors)
		c.listed += len(cp.Errors)
	}
	return cp
}
