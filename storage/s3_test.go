package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/files"
	"github.com/motcua/motcua/storage"
)

const (
	testAccessKey = "AKIAMOTCUATESTKEY01"
	testSecretKey = "s3cr3t/Motcua+Test=Key"
	testBucket    = "motcua-files"
)

// fakeS3 is an in-memory S3 server on the loopback interface.
type fakeS3 struct {
	endpoint string
	backend  *s3mem.Backend
	mu       sync.Mutex
	methods  []string // the method and path of every request, in order
	puts     atomic.Int64
	refuse   atomic.Bool // answer every GET and PUT with a refusal that echoes the keys
}

func newFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	f := &fakeS3{backend: s3mem.New()}
	if err := f.backend.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	h := gofakes3.New(f.backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.methods = append(f.methods, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		if r.Method == http.MethodPut {
			f.puts.Add(1)
		}
		if f.refuse.Load() && (r.Method == http.MethodGet || r.Method == http.MethodPut) {
			echoKeys(w)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.endpoint = strings.TrimPrefix(srv.URL, "http://")
	return f
}

// echoKeys answers as a server that refuses the credentials and names
// them in its message, as some do.
func echoKeys(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code>` +
		`<Message>The access key ` + testAccessKey + ` with secret ` + testSecretKey + ` does not exist</Message>` +
		`<Resource>/` + testBucket + `</Resource><RequestId>1</RequestId></Error>`))
}

func (f *fakeS3) config(t *testing.T) storage.S3Config {
	return storage.S3Config{Endpoint: f.endpoint, AccessKey: testAccessKey, SecretKey: testSecretKey,
		Bucket: testBucket, TLS: false, TempDir: t.TempDir()}
}

func (f *fakeS3) store(t *testing.T) (*storage.S3, string) {
	t.Helper()
	cfg := f.config(t)
	s, err := storage.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, cfg.TempDir
}

// objects lists the keys in the bucket.
func (f *fakeS3) objects(t *testing.T) []string {
	t.Helper()
	list, err := f.backend.ListBucket(testBucket, nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, o.Key)
	}
	return keys
}

func TestS3PutAndGet(t *testing.T) {
	f := newFakeS3(t)
	s, tmpDir := f.store(t)
	ctx := context.Background()
	body := bigBody()
	sum := put(t, s, body)
	if keys := f.objects(t); len(keys) != 1 || keys[0] != sum {
		t.Fatalf("bucket holds %v, want [%s]", keys, sum)
	}
	if got := tree(t, tmpDir); got != "./" {
		t.Errorf("staging folder holds:\n%s", got)
	}
	ok, err := s.Exists(ctx, sum)
	if err != nil || !ok {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
	checkReader(t, func() (io.ReadSeekCloser, int64) {
		r, size, err := s.Open(ctx, sum)
		if err != nil {
			t.Fatal(err)
		}
		return r, size
	}, body)

	// The same content again is not sent again.
	puts := f.puts.Load()
	put(t, s, body)
	if n := f.puts.Load(); n != puts {
		t.Errorf("a second put of the same content sent %d PUTs", n-puts)
	}
	if keys := f.objects(t); len(keys) != 1 {
		t.Errorf("bucket holds %v", keys)
	}
	if got := tree(t, tmpDir); got != "./" {
		t.Errorf("staging folder holds:\n%s", got)
	}
}

func TestS3RangeIsOneRangedGet(t *testing.T) {
	f := newFakeS3(t)
	s, _ := f.store(t)
	body := bigBody()
	sum := put(t, s, body)
	f.mu.Lock()
	f.methods = nil
	f.mu.Unlock()

	r, _, err := s.Open(context.Background(), sum)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/f", nil)
	req.Header.Set("Range", "bytes=1000-1999")
	w := httptest.NewRecorder()
	w.Header().Set("Content-Type", files.TypePDF)
	http.ServeContent(w, req, "", time.Time{}, r)
	r.Close()
	if w.Code != http.StatusPartialContent || !bytes.Equal(w.Body.Bytes(), body[1000:2000]) {
		t.Fatalf("status %d, %d bytes", w.Code, w.Body.Len())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	want := []string{"HEAD /" + testBucket + "/" + sum, "GET /" + testBucket + "/" + sum}
	if strings.Join(f.methods, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant\n%s", strings.Join(f.methods, "\n"), strings.Join(want, "\n"))
	}
}

func TestS3Missing(t *testing.T) {
	f := newFakeS3(t)
	s, _ := f.store(t)
	ctx := context.Background()
	for _, key := range []string{hexSum([]byte("never stored")), "not-a-digest", ""} {
		_, _, err := s.Open(ctx, key)
		kindOf(t, err, domain.KindNotFound)
		if !errors.Is(err, files.ErrContentNotFound) {
			t.Errorf("Open(%q) = %v", key, err)
		}
		if ok, err := s.Exists(ctx, key); ok || err != nil {
			t.Errorf("Exists(%q) = %v, %v", key, ok, err)
		}
	}
}

func TestS3MissingBucketRefusedAtStart(t *testing.T) {
	f := newFakeS3(t)
	cfg := f.config(t)
	cfg.Bucket = "no-such-bucket"
	_, err := storage.NewS3(context.Background(), cfg)
	if err == nil {
		t.Fatal("a missing bucket is accepted")
	}
	if !strings.Contains(err.Error(), "no-such-bucket") || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("error %q does not say the bucket is missing", err)
	}
	noSecrets(t, err)
}

func TestS3PutRefusals(t *testing.T) {
	f := newFakeS3(t)
	s, tmpDir := f.store(t)
	ctx := context.Background()
	rec, err := storage.Receive(ctx, s, strings.NewReader(samplePDF), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	// A temporary file shorter than the size given: nothing is sent.
	if err := s.Put(ctx, rec.Tmp, rec.SHA256, rec.Size+1); err == nil {
		t.Error("a size mismatch is accepted")
	}
	if err := s.Put(ctx, nil, rec.SHA256, rec.Size); err == nil {
		t.Error("a nil file is accepted")
	}
	tmp, err := s.NewTemp()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, tmp, "../etc/passwd", 0); err == nil {
		t.Error("an invalid digest is accepted")
	}
	if keys := f.objects(t); len(keys) != 0 {
		t.Errorf("bucket holds %v", keys)
	}
	if got := tree(t, tmpDir); got != "./" {
		t.Errorf("staging folder holds:\n%s", got)
	}
}

// halfThenFail reads half of its content, then fails.
type halfThenFail struct {
	r    io.Reader
	left int
}

func (h *halfThenFail) Read(p []byte) (int, error) {
	if h.left <= 0 {
		return 0, errors.New("disk read failed")
	}
	if len(p) > h.left {
		p = p[:h.left]
	}
	n, err := h.r.Read(p)
	h.left -= n
	return n, err
}

func TestS3UploadFailingHalfWayLeavesNoObject(t *testing.T) {
	f := newFakeS3(t)
	s, _ := f.store(t)
	body := bigBody()
	sum := hexSum(body)
	r := &halfThenFail{r: bytes.NewReader(body), left: len(body) / 2}
	if err := storage.Upload(s, context.Background(), sum, r, int64(len(body))); err == nil {
		t.Fatal("a failing body uploaded")
	}
	if keys := f.objects(t); len(keys) != 0 {
		t.Errorf("bucket holds %v after a failed upload", keys)
	}
	if ok, err := s.Exists(context.Background(), sum); ok || err != nil {
		t.Errorf("Exists = %v, %v", ok, err)
	}
	// A body shorter than announced leaves nothing either (not seekable, so
	// the client does not retry it).
	short := io.MultiReader(bytes.NewReader(body[:100]))
	if err := storage.Upload(s, context.Background(), sum, short, int64(len(body))); err == nil {
		t.Fatal("a short body uploaded")
	}
	if keys := f.objects(t); len(keys) != 0 {
		t.Errorf("bucket holds %v after a short upload", keys)
	}
}

func TestS3ReaderAfterClose(t *testing.T) {
	f := newFakeS3(t)
	s, _ := f.store(t)
	sum := put(t, s, []byte(samplePDF))
	r, _, err := s.Open(context.Background(), sum)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(make([]byte, 1)); err == nil {
		t.Error("read after close succeeded")
	}
}

func TestS3StagingFolderIsCreated(t *testing.T) {
	f := newFakeS3(t)
	cfg := f.config(t)
	cfg.TempDir = cfg.TempDir + "/sub/dir"
	s, err := storage.NewS3(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	tmp, err := s.NewTemp()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Discard(tmp)
	if !strings.HasPrefix(tmp.Name(), cfg.TempDir+"/"+storage.S3TempPrefix) {
		t.Errorf("temporary file %s", tmp.Name())
	}
	if _, err := os.Stat(tmp.Name()); err != nil {
		t.Error(err)
	}
}
