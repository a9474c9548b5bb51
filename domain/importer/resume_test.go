package importer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/user"
)

// ckStore is a fakeStore keeping checkpoints as repository.ImportStore
// does: a checkpoint handed with a batch is kept only when the batch is.
type ckStore struct {
	*fakeStore
	saved  map[string]*importer.Saved // by kind, size and head
	keys   map[int64]string
	paths  map[string]string // kind and path → key
	nextID int64
	// batchLines are the first line of every batch stored.
	batchLines []int64
}

func newCkStore() *ckStore {
	return &ckStore{fakeStore: newStore(), saved: map[string]*importer.Saved{}, keys: map[int64]string{}, paths: map[string]string{}}
}

func fileKey(f importer.File) string { return fmt.Sprintf("%s|%d|%s", f.Kind, f.Size, f.Head) }

func (s *ckStore) StartCheckpoint(_ context.Context, f importer.File) (int64, error) {
	for _, k := range []string{fileKey(f), s.paths[string(f.Kind)+"|"+f.Path]} {
		if sv, ok := s.saved[k]; ok {
			delete(s.keys, sv.ID)
			delete(s.saved, k)
		}
	}
	s.nextID++
	s.saved[fileKey(f)] = &importer.Saved{Path: f.Path, Checkpoint: importer.Checkpoint{ID: s.nextID}}
	s.keys[s.nextID] = fileKey(f)
	s.paths[string(f.Kind)+"|"+f.Path] = fileKey(f)
	return s.nextID, nil
}

func (s *ckStore) LoadCheckpoint(_ context.Context, f importer.File) (importer.Saved, bool, bool, error) {
	sv, ok := s.saved[fileKey(f)]
	if !ok {
		other, found := s.saved[s.paths[string(f.Kind)+"|"+f.Path]]
		return importer.Saved{}, false, found && !other.Finished, nil
	}
	c := *sv
	c.Errors = append([]importer.LineError(nil), sv.Errors...)
	return c, true, false, nil
}

func (s *ckStore) ImportDossiersAt(ctx context.Context, recs []importer.DossierRecord, cp importer.Checkpoint) (importer.Stored, error) {
	st, err := s.ImportDossiers(ctx, recs)
	if err == nil && cp.ID != 0 {
		s.batchLines = append(s.batchLines, recs[0].Line)
		cp.Imported += int64(st.Imported)
		cp.Duplicates += int64(st.Duplicates)
		err = s.SaveCheckpoint(ctx, cp, false)
	}
	return st, err
}

func (s *ckStore) ImportFeedbackAt(ctx context.Context, recs []importer.FeedbackRecord, cp importer.Checkpoint) (importer.Stored, error) {
	return importer.Stored{}, errors.New("not in these tests")
}

func (s *ckStore) SaveCheckpoint(_ context.Context, cp importer.Checkpoint, finished bool) error {
	sv, ok := s.saved[s.keys[cp.ID]]
	if !ok {
		return errors.New("checkpoint gone")
	}
	errs := append(sv.Errors, cp.Errors...)
	cp.Errors = errs
	sv.Checkpoint, sv.Finished = cp, finished
	return nil
}

// resumeFile is 3,500 dossier lines with bad, blank and duplicate lines
// (in the same batch and across batches) and one line the store refuses
// (a batch stored line by line).
func resumeFile(t *testing.T) []byte {
	var lines []any
	for i := 1; i <= 3500; i++ {
		code := fmt.Sprintf("R-%04d", i)
		switch {
		case i%71 == 0:
			lines = append(lines, "")
			continue
		case i%97 == 0:
			lines = append(lines, `{"code":"bad"`)
			continue
		case i%50 == 0 && i > 1200:
			code = fmt.Sprintf("R-%04d", i-1200)
		case i%50 == 0:
			code = fmt.Sprintf("R-%04d", i-1)
		}
		lines = append(lines, dossierLine(code, dossier.Received))
	}
	return []byte(ndjson(t, lines...))
}

func poisoned(s *fakeStore) {
	s.poison["R-2222"] = &domain.Error{Kind: domain.KindValidation, Message: "refused"}
}

// TestImportFileResumesWhereItStopped stops an import when the store fails
// after two batches, resumes it from its checkpoint, and finds the Result
// of one uninterrupted run (counts, bad lines and their numbers), every
// code stored once, and the resumed run starting after the checkpoint.
func TestImportFileResumesWhereItStopped(t *testing.T) {
	ctx := context.Background()
	data := resumeFile(t)
	f, err := importer.FileOf(importer.Dossiers, "/in/d.ndjson", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}

	one := newCkStore()
	poisoned(one.fakeStore)
	want, err := newService(one.fakeStore, newCatalog()).Import(ctx, admin, importer.Dossiers, bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want.ErrorLines < 30 || want.SkippedDuplicates < 20 || len(one.batches) < 3 {
		t.Fatalf("the file does not exercise enough: %+v, batches %v", want, one.batches)
	}

	st := newCkStore()
	poisoned(st.fakeStore)
	st.failAfter = 2
	svc := importer.NewService(st, newCatalog(), hashID, func() time.Time { return now })
	if _, err := svc.ImportFile(ctx, admin, f, bytes.NewReader(data), false, nil, nil); err == nil {
		t.Fatal("the failing store did not stop the import")
	}
	cp, found, _, _ := st.LoadCheckpoint(ctx, f)
	if !found || cp.Finished || cp.Line == 0 || cp.Imported != int64(len(st.dossiers)) {
		t.Fatalf("checkpoint after the stop: %+v (found %v), %d stored", cp, found, len(st.dossiers))
	}
	st.failAfter = 0
	st.batchLines = nil
	var from importer.Checkpoint
	got, err := svc.ImportFile(ctx, admin, f, bytes.NewReader(data), true, func(c importer.Checkpoint) { from = c }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if from.Line != cp.Line || from.Offset != cp.Offset || len(st.batchLines) == 0 || st.batchLines[0] <= cp.Line {
		t.Errorf("resumed from %+v, first batch at line %v; checkpoint %+v", from, st.batchLines, cp.Checkpoint)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resumed result\n%+v\nwant\n%+v", got, want)
	}
	if len(st.dossiers) != len(one.dossiers) {
		t.Errorf("%d dossiers stored, one run stores %d", len(st.dossiers), len(one.dossiers))
	}
	if fin, _, _, _ := st.LoadCheckpoint(ctx, f); !fin.Finished || fin.Line != want.Lines || fin.Offset != int64(len(data)) ||
		!reflect.DeepEqual(fin.Errors, want.Errors) {
		t.Errorf("final checkpoint: finished %v line %d offset %d (len %d), errors %d want %d", fin.Finished, fin.Line, fin.Offset, len(data), len(fin.Errors), len(want.Errors))
		for i := range fin.Errors {
			if i >= len(want.Errors) || fin.Errors[i] != want.Errors[i] {
				t.Errorf("error %d: %+v", i, fin.Errors[i])
			}
		}
	}
	if _, err := svc.ImportFile(ctx, admin, f, bytes.NewReader(data), true, nil, nil); !errors.Is(err, importer.ErrAlreadyFinished) {
		t.Errorf("resume of a finished import: %v", err)
	}
}

// TestImportFileRefusesToResume: nothing to resume, a file that changed
// (another fingerprint at the same path), a kind without checkpoints.
func TestImportFileRefusesToResume(t *testing.T) {
	ctx := context.Background()
	data := resumeFile(t)
	f, _ := importer.FileOf(importer.Dossiers, "/in/d.ndjson", bytes.NewReader(data))
	st := newCkStore()
	svc := importer.NewService(st, newCatalog(), hashID, func() time.Time { return now })
	if _, err := svc.ImportFile(ctx, admin, f, bytes.NewReader(data), true, nil, nil); !errors.Is(err, importer.ErrNothingToResume) {
		t.Errorf("no checkpoint: %v", err)
	}
	st.failAfter = 1
	if _, err := svc.ImportFile(ctx, admin, f, bytes.NewReader(data), false, nil, nil); err == nil {
		t.Fatal("the failing store did not stop the import")
	}
	changed := append(append([]byte{}, data...), "\n"...)
	g, _ := importer.FileOf(importer.Dossiers, "/in/d.ndjson", bytes.NewReader(changed))
	if _, err := svc.ImportFile(ctx, admin, g, bytes.NewReader(changed), true, nil, nil); !errors.Is(err, importer.ErrFileChanged) {
		t.Errorf("changed file: %v", err)
	}
	p := f
	p.Kind = importer.Procedures
	if _, err := svc.ImportFile(ctx, admin, p, bytes.NewReader(data), true, nil, nil); !errors.Is(err, importer.ErrNotResumable) {
		t.Errorf("procedures: %v", err)
	}
	if _, err := svc.ImportFile(ctx, user.Principal{Username: "v", Role: user.RoleViewer}, f, bytes.NewReader(data), true, nil, nil); domain.KindOf(err) != domain.KindForbidden {
		t.Errorf("a viewer: %v", err)
	}
}

// TestFileOfFingerprint: the fingerprint follows the size and the first
// MiB, and leaves the reader at the start.
func TestFileOfFingerprint(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), importer.HeadBytes/16+100)
	fp := func(b []byte) importer.File {
		r := bytes.NewReader(b)
		f, err := importer.FileOf(importer.Dossiers, "p", r)
		if err != nil {
			t.Fatal(err)
		}
		if pos, _ := r.Seek(0, io.SeekCurrent); pos != 0 {
			t.Fatalf("left at %d", pos)
		}
		return f
	}
	a := fp(data)
	if a.Size != int64(len(data)) || len(a.Head) != 64 || fp(data) != a {
		t.Fatalf("fingerprint %+v", a)
	}
	head := bytes.Clone(data)
	head[importer.HeadBytes-1] ^= 1
	if b := fp(head); b.Head == a.Head {
		t.Error("a change in the first MiB must show")
	}
	if b := fp(append(bytes.Clone(data), '\n')); b.Size == a.Size {
		t.Error("a longer file must show")
	}
	tail := bytes.Clone(data)
	tail[importer.HeadBytes] ^= 1
	if b := fp(tail); b != a {
		t.Error("a same-size change after the first MiB is not seen (the documented limit)")
	}
}
