package storage_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/files"
	"github.com/motcua/motcua/storage"
)

// put receives b into store and stores it, returning its digest.
func put(t *testing.T, store files.BlobStore, b []byte) string {
	t.Helper()
	ctx := context.Background()
	rec, err := storage.Receive(ctx, store, bytes.NewReader(b), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Put(ctx, rec.Tmp, rec.SHA256, rec.Size); err != nil {
		t.Fatal(err)
	}
	return rec.SHA256
}

func TestNewLocalCreatesAndCleans(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "files")
	if _, err := storage.NewLocal(dir); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("folder not created: %v", err)
	}
	if got := tree(t, dir); got != "./" {
		t.Errorf("the probe left something behind:\n%s", got)
	}
	// Leftovers of a crash are removed; anything else is kept.
	for _, name := range []string{storage.TempPrefix + "123", storage.TempPrefix + "abc"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("half an upload"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.NewLocal(dir); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, dir); got != "./\nkeep.txt 2d711642" {
		t.Errorf("after a restart the folder holds:\n%s", got)
	}
}

func TestNewLocalRefusesAnUnusableFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.NewLocal(filepath.Join(file, "files")); err == nil {
		t.Error("a folder under a file is accepted")
	}
	if _, err := storage.NewLocal(file); err == nil {
		t.Error("a file is accepted as the folder")
	}
	if _, err := storage.NewLocal(""); err == nil {
		t.Error("no folder is accepted")
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		if _, err := storage.NewLocal(ro); err == nil {
			t.Error("a read-only folder is accepted")
		}
	}
}

// TestKilledUpload kills a process in the middle of an upload (as a crash
// would) and checks that the next start finds the folder as it was before.
func TestKilledUpload(t *testing.T) {
	if dir := os.Getenv("STORAGE_TEST_UPLOAD_DIR"); dir != "" {
		// The child: start an upload and hang in its middle.
		l, err := storage.NewLocal(dir)
		if err != nil {
			os.Exit(2)
		}
		r, w := io.Pipe()
		go func() {
			_, _ = w.Write(bytes.Repeat([]byte("%PDF-1.4 half of it "), 1000))
			os.Stdout.WriteString("ready\n")
			select {} // the rest never comes
		}()
		_, _ = storage.Receive(context.Background(), l, r, 1<<20)
		os.Exit(3)
	}
	l, dir := newLocal(t)
	put(t, l, []byte(samplePDF))
	before := tree(t, dir)

	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledUpload$")
	cmd.Env = append(os.Environ(), "STORAGE_TEST_UPLOAD_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line == "ready\n"
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the child did not start its upload")
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the child hung before its upload")
	}
	// Wait until the child's temporary file holds the bytes it was sent.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(tree(t, dir), storage.TempPrefix) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if !strings.Contains(tree(t, dir), storage.TempPrefix) {
		t.Fatal("the killed upload left no temporary file: the test tests nothing")
	}

	if _, err := storage.NewLocal(dir); err != nil {
		t.Fatal(err)
	}
	if after := tree(t, dir); after != before {
		t.Errorf("after the kill and a restart the folder holds:\n%s\nwas\n%s", after, before)
	}
}

func TestLocalPut(t *testing.T) {
	l, dir := newLocal(t)
	body := []byte(samplePDF)
	sum := put(t, l, body)
	want := "./\n" + sum[:2] + "/\n" + sum[:2] + "/" + sum[2:] + " " + hexSum(body)[:8]
	if got := tree(t, dir); got != want {
		t.Fatalf("folder:\n%s\nwant\n%s", got, want)
	}
	// The same content again keeps the one file.
	put(t, l, body)
	if got := tree(t, dir); got != want {
		t.Fatalf("after a second put the folder holds:\n%s\nwant\n%s", got, want)
	}
	fi, err := os.Stat(filepath.Join(dir, sum[:2], sum[2:]))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o222 != 0 {
		t.Errorf("stored content is writable: %v", fi.Mode())
	}
	ok, err := l.Exists(context.Background(), sum)
	if err != nil || !ok {
		t.Errorf("Exists = %v, %v", ok, err)
	}
}

func TestLocalPutKeepsExistingContent(t *testing.T) {
	l, dir := newLocal(t)
	sum := put(t, l, []byte(samplePDF))
	final := filepath.Join(dir, sum[:2], sum[2:])
	before, err := os.Stat(final)
	if err != nil {
		t.Fatal(err)
	}
	tmp, err := l.NewTemp()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmp.WriteString(samplePDF); err != nil {
		t.Fatal(err)
	}
	if err := l.Put(context.Background(), tmp, sum, int64(len(samplePDF))); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(final)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Error("existing content was replaced")
	}
	if _, err := os.Stat(tmp.Name()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left: %v", err)
	}
}

func TestLocalPutRefusals(t *testing.T) {
	l, dir := newLocal(t)
	before := tree(t, dir)
	ctx := context.Background()
	newTmp := func() *os.File {
		tmp, err := l.NewTemp()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tmp.WriteString(samplePDF); err != nil {
			t.Fatal(err)
		}
		return tmp
	}
	sum := hexSum([]byte(samplePDF))
	for name, call := range map[string]func(tmp *os.File) error{
		"a wrong size":        func(tmp *os.File) error { return l.Put(ctx, tmp, sum, int64(len(samplePDF))+1) },
		"an invalid digest":   func(tmp *os.File) error { return l.Put(ctx, tmp, "../../etc/passwd", int64(len(samplePDF))) },
		"an uppercase digest": func(tmp *os.File) error { return l.Put(ctx, tmp, strings.ToUpper(sum), int64(len(samplePDF))) },
		"a cancelled context": func(tmp *os.File) error {
			c, cancel := context.WithCancel(ctx)
			cancel()
			return l.Put(c, tmp, sum, int64(len(samplePDF)))
		},
	} {
		if err := call(newTmp()); err == nil {
			t.Errorf("Put with %s succeeded", name)
		}
		if after := tree(t, dir); after != before {
			t.Errorf("Put with %s left the folder changed:\n%s", name, after)
		}
	}
	// A temporary file from elsewhere is refused, and still removed.
	other, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Put(ctx, other, sum, 0); err == nil {
		t.Error("a file outside the store's folder is accepted")
	}
	if _, err := os.Stat(other.Name()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused file was not removed: %v", err)
	}
	if after := tree(t, dir); after != before {
		t.Errorf("folder changed:\n%s", after)
	}
	if err := l.Put(ctx, nil, sum, 0); err == nil {
		t.Error("a nil file is accepted")
	}
	l.Discard(nil) // no panic
}

func TestLocalOpenMissing(t *testing.T) {
	l, _ := newLocal(t)
	ctx := context.Background()
	for _, key := range []string{hexSum([]byte("never stored")), "", "../x", strings.Repeat("A", 64)} {
		_, _, err := l.Open(ctx, key)
		kindOf(t, err, domain.KindNotFound)
		if ok, err := l.Exists(ctx, key); ok || err != nil {
			t.Errorf("Exists(%q) = %v, %v", key, ok, err)
		}
	}
}

// checkReader reads body through r: whole, after seeks, and as
// http.ServeContent serves a Range request.
func checkReader(t *testing.T, open func() (io.ReadSeekCloser, int64), body []byte) {
	t.Helper()
	r, size := open()
	if size != int64(len(body)) {
		t.Fatalf("size %d, want %d", size, len(body))
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("read past the end = %d, %v", n, err)
	}
	for _, s := range []struct {
		offset int64
		whence int
		want   int64
	}{{10, io.SeekStart, 10}, {5, io.SeekCurrent, 20}, {-7, io.SeekEnd, size - 7}, {0, io.SeekStart, 0}} {
		pos, err := r.Seek(s.offset, s.whence)
		if err != nil || pos != s.want {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", s.offset, s.whence, pos, err, s.want)
		}
		buf := make([]byte, 5)
		n, err := io.ReadFull(r, buf)
		if end := min(s.want+5, size); err != nil && s.want+5 <= size || !bytes.Equal(buf[:n], body[s.want:end]) {
			t.Fatalf("after Seek(%d, %d) read %q, %v; want %q", s.offset, s.whence, buf[:n], err, body[s.want:end])
		}
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Error("a negative seek is accepted")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	for _, rg := range []struct {
		header string
		from   int64
		to     int64 // inclusive
	}{{"bytes=0-9", 0, 9}, {"bytes=100-199", 100, 199}, {"bytes=-16", size - 16, size - 1}, {"bytes=50-", 50, size - 1}} {
		r, _ := open()
		req := httptest.NewRequest(http.MethodGet, "/f", nil)
		req.Header.Set("Range", rg.header)
		w := httptest.NewRecorder()
		w.Header().Set("Content-Type", "application/pdf")
		http.ServeContent(w, req, "f.pdf", time.Time{}, r)
		_ = r.Close()
		if w.Code != http.StatusPartialContent {
			t.Fatalf("Range %s: status %d", rg.header, w.Code)
		}
		if !bytes.Equal(w.Body.Bytes(), body[rg.from:rg.to+1]) {
			t.Errorf("Range %s: got %d bytes, want %d", rg.header, w.Body.Len(), rg.to+1-rg.from)
		}
	}
	r, _ = open()
	req := httptest.NewRequest(http.MethodGet, "/f", nil)
	w := httptest.NewRecorder()
	w.Header().Set("Content-Type", "application/pdf")
	http.ServeContent(w, req, "f.pdf", time.Time{}, r)
	_ = r.Close()
	if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), body) {
		t.Errorf("whole: status %d, %d bytes", w.Code, w.Body.Len())
	}
}

// bigBody is content larger than one read buffer, with every byte at its
// place telling.
func bigBody() []byte {
	b := []byte(samplePDF)
	for i := 0; len(b) < 300_000; i++ {
		b = append(b, byte(i), byte(i>>8), byte(i>>16))
	}
	return b
}

func TestLocalOpenRoundTrip(t *testing.T) {
	l, _ := newLocal(t)
	body := bigBody()
	sum := put(t, l, body)
	checkReader(t, func() (io.ReadSeekCloser, int64) {
		r, size, err := l.Open(context.Background(), sum)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := r.(*os.File); !ok {
			t.Fatalf("reader is a %T, not an *os.File", r)
		}
		return r, size
	}, body)
}

func TestLocalFailedUploadLeavesFolderAsItWas(t *testing.T) {
	l, dir := newLocal(t)
	put(t, l, []byte(samplePDF))
	before := tree(t, dir)
	for _, body := range []io.Reader{&hangUp{}, strings.NewReader(""), strings.NewReader(strings.Repeat("x", 2000))} {
		if _, err := storage.Receive(context.Background(), l, body, 1000); err == nil {
			t.Fatal("upload did not fail")
		}
		if after := tree(t, dir); after != before {
			t.Fatalf("a failed upload left the folder changed:\n%s\nwas\n%s", after, before)
		}
	}
}
