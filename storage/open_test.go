package storage_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/storage"
)

// noSecrets fails when the text of err, or of any error it wraps, holds a
// key, as given or escaped.
func noSecrets(t *testing.T, err error) {
	t.Helper()
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		for _, s := range []string{testAccessKey, testSecretKey, url.QueryEscape(testSecretKey), url.PathEscape(testSecretKey), "Motcua+Test"} {
			if strings.Contains(e.Error(), s) {
				t.Errorf("error %q holds a secret", e.Error())
			}
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		}
	}
	walk(err)
}

func s3URL(host, rest string) string {
	return "s3://" + testAccessKey + ":" + url.QueryEscape(testSecretKey) + "@" + host + rest
}

func TestOpenLocal(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	for raw, dir := range map[string]string{
		"":                                   filepath.Join(base, "default"),
		"file:" + filepath.Join(base, "a"):   filepath.Join(base, "a"),
		"file://" + filepath.Join(base, "b"): filepath.Join(base, "b"),
		"file://localhost" + filepath.Join(base, "c"): filepath.Join(base, "c"),
	} {
		s, err := storage.Open(ctx, raw, filepath.Join(base, "default"))
		if err != nil {
			t.Fatalf("Open(%q): %v", raw, err)
		}
		l, ok := s.(*storage.Local)
		if !ok || l.Dir() != dir {
			t.Errorf("Open(%q) = %T %v, want a local store on %s", raw, s, s, dir)
		}
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("Open(%q) did not create the folder: %v", raw, err)
		}
	}
	// A relative path is taken from the working folder.
	wd := t.TempDir()
	t.Chdir(wd)
	s, err := storage.Open(ctx, "file:rel/files", "files")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(*storage.Local).Dir(); got != filepath.Join(wd, "rel", "files") {
		t.Errorf("relative folder %s", got)
	}
	for _, raw := range []string{"file:", "file://", "file://elsewhere/x", "file:a\x00b"} {
		if _, err := storage.Open(ctx, raw, "files"); err == nil {
			t.Errorf("Open(%q) accepted", raw)
		}
	}
}

func TestOpenS3(t *testing.T) {
	f := newFakeS3(t)
	ctx := context.Background()
	t.Setenv("TMPDIR", t.TempDir())
	for _, rest := range []string{"/" + testBucket + "?tls=false", "/" + testBucket + "/?tls=false&region=ap-southeast-1"} {
		s, err := storage.Open(ctx, s3URL(f.endpoint, rest), "files")
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if _, ok := s.(*storage.S3); !ok {
			t.Fatalf("Open = %T", s)
		}
		sum := put(t, s, []byte(samplePDF))
		if ok, err := s.Exists(ctx, sum); !ok || err != nil {
			t.Errorf("Exists = %v, %v", ok, err)
		}
	}
}

func TestParseS3URL(t *testing.T) {
	cfg, err := storage.ParseS3URL(s3URL("s3.example.vn:9000", "/ho-so?region=vn-hn-1&tls=false"))
	if err != nil {
		t.Fatal(err)
	}
	want := storage.S3Config{Endpoint: "s3.example.vn:9000", AccessKey: testAccessKey, SecretKey: testSecretKey,
		Bucket: "ho-so", Region: "vn-hn-1", TLS: false}
	if cfg != want {
		t.Errorf("config %+v, want %+v", cfg, want)
	}
	cfg, err = storage.ParseS3URL(s3URL("s3.example.vn", "/ho-so"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.TLS || cfg.Region != storage.DefaultRegion || cfg.Endpoint != "s3.example.vn" {
		t.Errorf("defaults %+v", cfg)
	}
}

func TestOpenErrorsHoldNoSecret(t *testing.T) {
	ak, sk := testAccessKey, url.QueryEscape(testSecretKey)
	ctx := context.Background()
	for _, raw := range []string{
		"s3://" + ak + ":" + sk + "@host:99999/b",
		"s3://" + ak + ":" + sk + "@host:port/b",
		"s3://" + ak + ":" + sk + "@host:/b",
		"s3://" + ak + "@host/b",
		"s3://" + ak + ":@host/b",
		"s3://:" + sk + "@host/b",
		"s3://" + ak + ":" + sk + "@/b",
		"s3://" + ak + ":" + sk + "@host",
		"s3://" + ak + ":" + sk + "@host/",
		"s3://" + ak + ":" + sk + "@host/b/extra",
		"s3://" + ak + ":" + sk + "@host/b?tls=maybe" + sk,
		"s3://" + ak + ":" + sk + "@host/b?" + sk + "=1",
		"s3://" + ak + ":" + sk + "@host/b?region=",
		"s3://" + ak + ":" + sk + "@host/b?region=a&region=b",
		"s3://" + ak + ":" + sk + "@host/b?%zz",
		"s3://" + ak + ":" + sk + "@host/b#" + sk,
		"s3://" + ak + ":" + testSecretKey + "@host/b", // an unescaped '/' in the secret
		"s3://" + ak + ":" + sk + "%zz@host/b",
		"s3:" + ak + ":" + sk + "@host/b",
		ak + ":" + sk + "@host/b",
		"http://" + ak + ":" + sk + "@host/b",
		"S3X://" + ak + ":" + sk + "@host/b",
	} {
		_, err := storage.Open(ctx, raw, "files")
		if err == nil {
			t.Errorf("Open(%q) accepted", raw)
			continue
		}
		noSecrets(t, err)
	}
}

func TestS3ErrorsHoldNoSecret(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { echoKeys(w) }))
	defer echo.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := storage.Open(ctx, s3URL(strings.TrimPrefix(echo.URL, "http://"), "/"+testBucket+"?tls=false"), "files")
	if err == nil {
		t.Fatal("a refusing server is accepted")
	}
	noSecrets(t, err)

	// A closed port, given a short deadline.
	closed := httptest.NewServer(http.NotFoundHandler())
	host := strings.TrimPrefix(closed.URL, "http://")
	closed.Close()
	ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = storage.Open(ctx, s3URL(host, "/"+testBucket+"?tls=false"), "files")
	if err == nil {
		t.Fatal("an unreachable server is accepted")
	}
	noSecrets(t, err)

	// A missing bucket.
	f := newFakeS3(t)
	_, err = storage.Open(context.Background(), s3URL(f.endpoint, "/other?tls=false"), "files")
	if err == nil {
		t.Fatal("a missing bucket is accepted")
	}
	noSecrets(t, err)

	// Errors at run time too: a store whose server then refuses every GET
	// and PUT, with a message that names the keys.
	s, _ := f.store(t)
	sum := put(t, s, []byte(samplePDF))
	f.refuse.Store(true)
	r, _, err := s.Open(context.Background(), sum)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Read(make([]byte, 10))
	r.Close()
	if err == nil {
		t.Fatal("Read succeeded against a refusing server")
	}
	if !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("error %q is not the server's message: the test tests nothing", err)
	}
	noSecrets(t, err)
	rec, err := storage.Receive(context.Background(), s, strings.NewReader("other content"), 100)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Put(context.Background(), rec.Tmp, rec.SHA256, rec.Size)
	if err == nil {
		t.Fatal("Put succeeded against a refusing server")
	}
	if !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("error %q is not the server's message: the test tests nothing", err)
	}
	noSecrets(t, err)
}
