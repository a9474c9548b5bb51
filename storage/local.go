package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/motcua/motcua/domain/files"
)

// TempPrefix begins the name of every temporary file a Local store makes
// in its folder; NewLocal removes such files, left behind by a process
// that was killed mid-upload.
const TempPrefix = ".tmp-"

// Local is a files.BlobStore on a folder of the local file system. The
// content of digest abcdef… is the file dir/ab/cdef… (the first two hex
// digits name a shard folder), read-only once stored. Temporary files are
// made in dir itself, so storing one is an atomic rename on the same file
// system. The folder belongs to one process: NewLocal removes the
// temporary files it finds there.
type Local struct {
	dir string
}

var _ files.BlobStore = (*Local)(nil)

// NewLocal opens the store on folder dir, creating it (and its parents) if
// missing. It checks that the folder is writable by writing and removing a
// probe file, and removes the temporary files (TempPrefix) that a killed
// process left there.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("storage: local: no folder given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: local: %w", err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("storage: local: create folder: %w", err)
	}
	l := &Local{dir: abs}
	if err := l.removeTemps(); err != nil {
		return nil, err
	}
	if err := l.probe(); err != nil {
		return nil, err
	}
	return l, nil
}

// Dir returns the store's folder, as an absolute path.
func (l *Local) Dir() string { return l.dir }

// removeTemps removes the temporary files left in the folder.
func (l *Local) removeTemps() error {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return fmt.Errorf("storage: local: read folder: %w", err)
	}
	removed := false
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), TempPrefix) || e.IsDir() {
			continue
		}
		if err := os.Remove(filepath.Join(l.dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("storage: local: remove leftover temporary file: %w", err)
		}
		removed = true
	}
	if removed {
		return syncDir(l.dir)
	}
	return nil
}

// probe checks the folder is writable: it writes, syncs and removes a
// temporary file.
func (l *Local) probe() error {
	f, err := l.NewTemp()
	if err != nil {
		return fmt.Errorf("storage: local: folder not writable: %w", err)
	}
	_, werr := f.WriteString("probe")
	if werr == nil {
		werr = f.Sync()
	}
	cerr := f.Close()
	rerr := os.Remove(f.Name())
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return fmt.Errorf("storage: local: folder not writable: %w", err)
	}
	return nil
}

// NewTemp creates an empty temporary file in the store's folder.
func (l *Local) NewTemp() (*os.File, error) {
	f, err := os.CreateTemp(l.dir, TempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("storage: local: create temporary file: %w", err)
	}
	return f, nil
}

// Discard closes and removes a temporary file.
func (l *Local) Discard(tmp *os.File) {
	discard(tmp)
}

// discard closes and removes tmp, ignoring nil and the errors of a file
// already closed or removed.
func discard(tmp *os.File) {
	if tmp == nil {
		return
	}
	_ = tmp.Close()
	_ = os.Remove(tmp.Name())
}

// path returns the path of the content of sha256, a valid digest.
func (l *Local) path(sha256 string) string {
	return filepath.Join(l.dir, sha256[:2], sha256[2:])
}

// Put syncs tmp and moves it into place under sha256: it is linked (or,
// where the file system has no hard links, renamed) to dir/ab/cdef…, and
// the shard folder and the store's folder are synced, so that after Put
// returns the content survives a crash and a half-written file is never
// seen under a digest. Content already there is kept and tmp is removed.
// tmp must be a temporary file of this store, of size bytes.
func (l *Local) Put(ctx context.Context, tmp *os.File, sha256 string, size int64) error {
	defer discard(tmp) // after a successful link or rename it only removes tmp's name
	if tmp == nil {
		return errors.New("storage: local: put: no temporary file")
	}
	if !files.ValidSHA256(sha256) {
		return errors.New("storage: local: put: not a SHA-256 digest")
	}
	if filepath.Dir(tmp.Name()) != l.dir {
		return errors.New("storage: local: put: temporary file is not in the store's folder")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storage: local: put: %w", err)
	}
	fi, err := tmp.Stat()
	if err != nil {
		return fmt.Errorf("storage: local: put: %w", err)
	}
	if fi.Size() != size {
		return fmt.Errorf("storage: local: put: temporary file holds %d bytes, not %d", fi.Size(), size)
	}
	final := l.path(sha256)
	if _, err := os.Lstat(final); err == nil {
		return nil // already stored: keep it
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("storage: local: put: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("storage: local: put: sync: %w", err)
	}
	if err := tmp.Chmod(0o440); err != nil {
		return fmt.Errorf("storage: local: put: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("storage: local: put: %w", err)
	}
	shard := filepath.Dir(final)
	if err := os.Mkdir(shard, 0o750); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("storage: local: put: create shard folder: %w", err)
	}
	// A hard link never replaces an existing file: of two concurrent Puts
	// of the same content, the second finds the first's in place.
	if err := os.Link(tmp.Name(), final); err != nil && !errors.Is(err, os.ErrExist) {
		if err := os.Rename(tmp.Name(), final); err != nil {
			return fmt.Errorf("storage: local: put: move into place: %w", err)
		}
	}
	if err := os.Remove(tmp.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("storage: local: put: remove temporary file: %w", err)
	}
	if err := syncDir(shard); err != nil {
		return err
	}
	return syncDir(l.dir)
}

// Open opens the content stored under sha256; the reader is an *os.File.
func (l *Local) Open(ctx context.Context, sha256 string) (io.ReadSeekCloser, int64, error) {
	if !files.ValidSHA256(sha256) {
		return nil, 0, files.ErrContentNotFound
	}
	f, err := os.Open(l.path(sha256))
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, files.ErrContentNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("storage: local: open: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("storage: local: open: %w", err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("storage: local: open: content %s is not a regular file", sha256)
	}
	return f, fi.Size(), nil
}

// Exists reports whether content is stored under sha256.
func (l *Local) Exists(ctx context.Context, sha256 string) (bool, error) {
	if !files.ValidSHA256(sha256) {
		return false, nil
	}
	_, err := os.Lstat(l.path(sha256))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("storage: local: exists: %w", err)
}

// syncDir flushes a folder's entries (a new name, a removed one) to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("storage: local: sync folder: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("storage: local: sync folder: %w", err)
	}
	return nil
}
