package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/motcua/motcua/domain/files"
)

// MaxS3Object is the largest content an S3 store takes: the limit of one
// PUT.
const MaxS3Object = 5 << 30

// DefaultRegion is the S3 region used when none is configured.
const DefaultRegion = "us-east-1"

// S3TempPrefix begins the name of the temporary files an S3 store makes
// for uploads on their way to the bucket.
const S3TempPrefix = "motcua-upload-"

// S3Config configures an S3 store.
type S3Config struct {
	// Endpoint is the server's host, or host:port (e.g. "s3.example.vn:9000").
	Endpoint string
	// AccessKey and SecretKey are the credentials (signature V4).
	AccessKey string
	SecretKey string
	// Bucket is the bucket the content goes in; it must exist.
	Bucket string
	// Region is the bucket's region; "" is DefaultRegion.
	Region string
	// TLS is true to speak HTTPS to the endpoint, false for plain HTTP.
	TLS bool
	// TempDir is the folder where uploads are staged before they are sent;
	// "" is os.TempDir(). It is created if missing.
	TempDir string
}

// S3 is a files.BlobStore in an S3 bucket (Amazon S3, MinIO, Ceph, …). The
// content of a digest is the object whose key is the digest in lowercase
// hex, stored with one PUT of known length that the server checks against
// the digest, so an object exists only when complete. Uploads are staged
// in temporary files on the local disk first. No error it returns holds
// the access key or the secret key.
type S3 struct {
	core    minio.Core
	bucket  string
	tempDir string
	secrets redactor
}

var _ files.BlobStore = (*S3)(nil)

// NewS3 connects to the bucket cfg names and checks that it exists (a
// missing bucket is an error: it is not created). ctx bounds that check,
// which the client retries on network errors; give it a deadline.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	secrets := redactor{cfg.AccessKey, cfg.SecretKey}
	switch {
	case cfg.Endpoint == "":
		return nil, errors.New("storage: s3: no endpoint")
	case cfg.AccessKey == "" || cfg.SecretKey == "":
		return nil, errors.New("storage: s3: access key and secret key are required")
	case cfg.Bucket == "":
		return nil, errors.New("storage: s3: no bucket")
	}
	region := cfg.Region
	if region == "" {
		region = DefaultRegion
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.TLS,
		Region: region,
	})
	if err != nil {
		return nil, secrets.wrap("storage: s3: client", err)
	}
	ok, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, secrets.wrap("storage: s3: check bucket "+cfg.Bucket, err)
	}
	if !ok {
		return nil, fmt.Errorf("storage: s3: bucket %q does not exist on %s", cfg.Bucket, cfg.Endpoint)
	}
	tempDir := cfg.TempDir
	if tempDir == "" {
		tempDir = os.TempDir()
	} else if err := os.MkdirAll(tempDir, 0o750); err != nil {
		return nil, fmt.Errorf("storage: s3: create temporary folder: %w", err)
	}
	s := &S3{core: minio.Core{Client: client}, bucket: cfg.Bucket, tempDir: tempDir, secrets: secrets}
	f, err := s.NewTemp()
	if err != nil {
		return nil, err
	}
	discard(f)
	return s, nil
}

// NewTemp creates an empty temporary file in the staging folder.
func (s *S3) NewTemp() (*os.File, error) {
	f, err := os.CreateTemp(s.tempDir, S3TempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("storage: s3: create temporary file: %w", err)
	}
	return f, nil
}

// Discard closes and removes a temporary file.
func (s *S3) Discard(tmp *os.File) { discard(tmp) }

// Put uploads the size bytes of tmp (at most MaxS3Object) as the object
// sha256, unless that object already exists, and removes tmp either way.
func (s *S3) Put(ctx context.Context, tmp *os.File, sha256 string, size int64) error {
	defer discard(tmp)
	if tmp == nil {
		return errors.New("storage: s3: put: no temporary file")
	}
	if !files.ValidSHA256(sha256) {
		return errors.New("storage: s3: put: not a SHA-256 digest")
	}
	fi, err := tmp.Stat()
	if err != nil {
		return fmt.Errorf("storage: s3: put: %w", err)
	}
	if fi.Size() != size {
		return fmt.Errorf("storage: s3: put: temporary file holds %d bytes, not %d", fi.Size(), size)
	}
	if size > MaxS3Object {
		return fmt.Errorf("storage: s3: put: %d bytes is more than one PUT takes (%d)", size, MaxS3Object)
	}
	exists, err := s.Exists(ctx, sha256)
	if err != nil {
		return err
	}
	if exists {
		return nil
	}
	return s.upload(ctx, sha256, io.NewSectionReader(tmp, 0, size), size)
}

// upload sends the size bytes of r as the object key, a digest, in one PUT
// whose signed payload hash is the digest itself: a server that checks it
// (as S3 does) refuses content that does not match, and a body cut short
// leaves no object.
func (s *S3) upload(ctx context.Context, key string, r io.Reader, size int64) error {
	_, err := s.core.PutObject(ctx, s.bucket, key, r, size, "", key, minio.PutObjectOptions{
		ContentType: "application/octet-stream",
	})
	if err != nil {
		return s.secrets.wrap("storage: s3: put "+key, err)
	}
	return nil
}

// stat returns the size of the object key, files.ErrContentNotFound when
// there is none.
func (s *S3) stat(ctx context.Context, key string) (int64, error) {
	info, err := s.core.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return 0, files.ErrContentNotFound
		}
		return 0, s.secrets.wrap("storage: s3: stat "+key, err)
	}
	return info.Size, nil
}

// Open returns a reader of the object sha256 and its size (from a stat of
// the object). The reader fetches with ranged GETs: one from its offset on
// at the first Read after opening or after a Seek that moved it, so
// http.ServeContent answers a Range request with one ranged GET. It uses
// ctx for every request it makes.
func (s *S3) Open(ctx context.Context, sha256 string) (io.ReadSeekCloser, int64, error) {
	if !files.ValidSHA256(sha256) {
		return nil, 0, files.ErrContentNotFound
	}
	size, err := s.stat(ctx, sha256)
	if err != nil {
		return nil, 0, err
	}
	return &s3Reader{ctx: ctx, s: s, key: sha256, size: size}, size, nil
}

// Exists reports whether the object sha256 exists.
func (s *S3) Exists(ctx context.Context, sha256 string) (bool, error) {
	if !files.ValidSHA256(sha256) {
		return false, nil
	}
	_, err := s.stat(ctx, sha256)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, files.ErrContentNotFound):
		return false, nil
	}
	return false, err
}

// s3Reader reads an object of known size as an io.ReadSeekCloser, keeping
// its own offset and one open response body from that offset on.
type s3Reader struct {
	ctx    context.Context
	s      *S3
	key    string
	size   int64
	pos    int64
	body   io.ReadCloser // nil until the next Read needs one
	closed bool
}

var errClosed = errors.New("storage: s3: read of a closed object")

// Read reads from the current offset, opening a ranged GET when needed.
func (r *s3Reader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, errClosed
	}
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if r.body == nil {
		var opts minio.GetObjectOptions
		if err := opts.SetRange(r.pos, r.size-1); err != nil {
			return 0, err
		}
		body, _, _, err := r.s.core.GetObject(r.ctx, r.s.bucket, r.key, opts)
		if err != nil {
			return 0, r.s.secrets.wrap("storage: s3: get "+r.key, err)
		}
		r.body = body
	}
	if rest := r.size - r.pos; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := r.body.Read(p)
	r.pos += int64(n)
	if r.pos >= r.size {
		r.dropBody()
		return n, nil // the next Read answers io.EOF
	}
	switch {
	case err == io.EOF:
		r.dropBody() // cut short: the next Read asks again from here
		if n == 0 {
			return 0, io.ErrUnexpectedEOF
		}
		return n, nil
	case err != nil:
		r.dropBody()
		return n, r.s.secrets.wrap("storage: s3: read "+r.key, err)
	}
	return n, nil
}

// Seek sets the offset of the next Read. An offset past the end is
// allowed (Read answers io.EOF); one before the start is an error.
func (r *s3Reader) Seek(offset int64, whence int) (int64, error) {
	if r.closed {
		return 0, errClosed
	}
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.pos + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return 0, errors.New("storage: s3: seek: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("storage: s3: seek: negative position")
	}
	if abs != r.pos {
		r.dropBody()
		r.pos = abs
	}
	return abs, nil
}

// Close releases the open response body, if any.
func (r *s3Reader) Close() error {
	r.dropBody()
	r.closed = true
	return nil
}

func (r *s3Reader) dropBody() {
	if r.body != nil {
		_ = r.body.Close()
		r.body = nil
	}
}

// redactor holds secrets that must never appear in an error's text.
type redactor []string

// redact replaces every secret in s (as given, and as it would appear
// escaped in a URL) with "***".
func (r redactor) redact(s string) string {
	for _, secret := range r {
		if secret == "" {
			continue
		}
		for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
			s = strings.ReplaceAll(s, form, "***")
		}
	}
	return s
}

// wrap returns err under prefix with the secrets redacted from its text.
// The cause is not exposed by Unwrap (its text could hold a secret), but
// errors.Is still sees through it, to context.Canceled for instance.
func (r redactor) wrap(prefix string, err error) error {
	return &redactedError{msg: r.redact(prefix + ": " + err.Error()), cause: err}
}

// redactedError is an error whose text has had the secrets removed.
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the hidden cause matches target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.cause, target) }
