package storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/files"
	"github.com/motcua/motcua/storage"
)

// tree lists every file and folder under dir, with each file's size and
// content digest, so that two listings compare equal only when nothing
// changed.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			lines = append(lines, rel+"/")
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		lines = append(lines, rel+" "+hex.EncodeToString(sum[:4]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func newLocal(t *testing.T) (*storage.Local, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "files")
	l, err := storage.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l, dir
}

func kindOf(t *testing.T, err error, want domain.Kind) *domain.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	var de *domain.Error
	if !errors.As(err, &de) || de.Kind != want {
		t.Fatalf("error %v (kind %v), want kind %v", err, domain.KindOf(err), want)
	}
	return de
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestReceive(t *testing.T) {
	l, dir := newLocal(t)
	before := tree(t, dir)
	body := []byte(samplePDF)
	rec, err := storage.Receive(context.Background(), l, bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	if rec.SHA256 != hexSum(body) || rec.Size != int64(len(body)) || rec.ContentType != files.TypePDF {
		t.Fatalf("received %+v", rec)
	}
	got, err := os.ReadFile(rec.Tmp.Name())
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("temporary file holds %q, %v", got, err)
	}
	if !strings.HasPrefix(filepath.Base(rec.Tmp.Name()), storage.TempPrefix) || filepath.Dir(rec.Tmp.Name()) != l.Dir() {
		t.Errorf("temporary file %s is not a temporary file of the store", rec.Tmp.Name())
	}
	l.Discard(rec.Tmp)
	if after := tree(t, dir); after != before {
		t.Errorf("Discard left the folder changed:\n%s\nwas\n%s", after, before)
	}
}

func TestReceiveUnknownTypeIsNotAnError(t *testing.T) {
	l, _ := newLocal(t)
	rec, err := storage.Receive(context.Background(), l, strings.NewReader("văn bản"), 100)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Discard(rec.Tmp)
	if rec.ContentType != "" {
		t.Errorf("content type %q", rec.ContentType)
	}
}

// countingReader counts the bytes read from an endless stream of 'a'.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	c.n += int64(len(p))
	return len(p), nil
}

func TestReceiveLimit(t *testing.T) {
	const max = 100_000 // not a multiple of the read buffer
	l, dir := newLocal(t)
	before := tree(t, dir)

	exact := bytes.Repeat([]byte("x"), max)
	rec, err := storage.Receive(context.Background(), l, bytes.NewReader(exact), max)
	if err != nil {
		t.Fatalf("exactly the limit: %v", err)
	}
	if rec.Size != max {
		t.Errorf("size %d", rec.Size)
	}
	l.Discard(rec.Tmp)

	over := append(exact, 'x')
	_, err = storage.Receive(context.Background(), l, bytes.NewReader(over), max)
	de := kindOf(t, err, domain.KindTooLarge)
	if de.Details["max_bytes"] != int64(max) || !strings.Contains(de.Message, "quá lớn") {
		t.Errorf("too large error %+v", de)
	}
	if after := tree(t, dir); after != before {
		t.Errorf("a refused upload left the folder changed:\n%s", after)
	}

	// An endless body is cut after max+1 bytes (give or take the read
	// buffer the limit reader hands down: never the rest of the stream).
	cr := &countingReader{}
	_, err = storage.Receive(context.Background(), l, io.LimitReader(cr, 1<<40), max)
	kindOf(t, err, domain.KindTooLarge)
	if cr.n > max+1 {
		t.Errorf("read %d bytes of an endless body, want at most %d", cr.n, max+1)
	}
	if after := tree(t, dir); after != before {
		t.Errorf("a refused upload left the folder changed:\n%s", after)
	}
}

func TestReceiveLimitMessage(t *testing.T) {
	l, _ := newLocal(t)
	_, err := storage.Receive(context.Background(), l, strings.NewReader(strings.Repeat("x", 2<<10+1)), 2<<10)
	if de := kindOf(t, err, domain.KindTooLarge); !strings.Contains(de.Message, "tối đa 2 KiB") {
		t.Errorf("message %q", de.Message)
	}
}

func TestReceiveMaxBytesReader(t *testing.T) {
	l, dir := newLocal(t)
	before := tree(t, dir)
	body := http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(strings.NewReader(strings.Repeat("x", 50))), 10)
	_, err := storage.Receive(context.Background(), l, body, 1000)
	if de := kindOf(t, err, domain.KindTooLarge); de.Details["max_bytes"] != int64(10) {
		t.Errorf("details %v", de.Details)
	}
	if after := tree(t, dir); after != before {
		t.Errorf("folder changed:\n%s", after)
	}
}

func TestReceiveEmpty(t *testing.T) {
	l, dir := newLocal(t)
	before := tree(t, dir)
	_, err := storage.Receive(context.Background(), l, strings.NewReader(""), 100)
	if de := kindOf(t, err, domain.KindValidation); de.Fields[files.FieldContent] == "" {
		t.Errorf("fields %v", de.Fields)
	}
	if after := tree(t, dir); after != before {
		t.Errorf("folder changed:\n%s", after)
	}
}

// hangUp returns some bytes, then fails as a client that hung up.
type hangUp struct {
	sent int
}

func (h *hangUp) Read(p []byte) (int, error) {
	if h.sent >= 3 {
		return 0, io.ErrUnexpectedEOF
	}
	h.sent++
	n := copy(p, bytes.Repeat([]byte("%PDF-1.4 "), 1000))
	return n, nil
}

func TestReceiveClientHangsUp(t *testing.T) {
	l, dir := newLocal(t)
	before := tree(t, dir)
	_, err := storage.Receive(context.Background(), l, &hangUp{}, 1<<20)
	de := kindOf(t, err, domain.KindInvalid)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("cause lost: %v", de)
	}
	if after := tree(t, dir); after != before {
		t.Errorf("a failed upload left the folder changed:\n%s\nwas\n%s", after, before)
	}
}

func TestReceiveCancelled(t *testing.T) {
	l, dir := newLocal(t)
	before := tree(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := storage.Receive(ctx, l, strings.NewReader(samplePDF), 1<<20)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	if after := tree(t, dir); after != before {
		t.Errorf("folder changed:\n%s", after)
	}
}

func TestReceiveBadLimit(t *testing.T) {
	l, dir := newLocal(t)
	before := tree(t, dir)
	if _, err := storage.Receive(context.Background(), l, strings.NewReader("x"), 0); err == nil {
		t.Fatal("a limit of 0 is accepted")
	}
	if after := tree(t, dir); after != before {
		t.Errorf("folder changed:\n%s", after)
	}
}
