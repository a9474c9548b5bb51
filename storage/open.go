package storage

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/motcua/motcua/domain/files"
)

// Open returns the store a storage URL names:
//
//   - "" (not configured): a Local store on defaultDir;
//   - "file:PATH" (also "file:///abs/path"): a Local store on PATH;
//   - "s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[?region=REGION&tls=true|false]":
//     an S3 store; tls defaults to true and region to DefaultRegion. Keys
//     holding reserved characters ('/', '+', '@', ':', …) are
//     percent-encoded.
//
// Anything else is an error. The URL is a secret: no error Open returns
// repeats it, or either key.
func Open(ctx context.Context, rawURL string, defaultDir string) (files.BlobStore, error) {
	switch {
	case rawURL == "":
		return NewLocal(defaultDir)
	case strings.HasPrefix(rawURL, "file:"):
		dir, err := filePath(rawURL)
		if err != nil {
			return nil, err
		}
		return NewLocal(dir)
	case strings.HasPrefix(strings.ToLower(rawURL), "s3://"):
		cfg, err := ParseS3URL(rawURL)
		if err != nil {
			return nil, err
		}
		return NewS3(ctx, cfg)
	}
	return nil, errors.New("storage: the storage URL must be empty, file:PATH or s3://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET")
}

// filePath returns the folder of a file: URL, taken as it is written (no
// percent-decoding).
func filePath(rawURL string) (string, error) {
	rest := strings.TrimPrefix(rawURL, "file:")
	if strings.HasPrefix(rest, "//") {
		// file://HOST/PATH: only an empty host (or localhost) is local.
		host, p, _ := strings.Cut(rest[2:], "/")
		if host != "" && host != "localhost" {
			return "", errors.New("storage: a file: storage URL must name a local path")
		}
		if p == "" {
			rest = ""
		} else {
			rest = "/" + p
		}
	}
	if rest == "" {
		return "", errors.New("storage: a file: storage URL needs a path (file:PATH)")
	}
	if strings.ContainsRune(rest, 0) {
		return "", errors.New("storage: a file: storage URL holds a NUL")
	}
	return rest, nil
}

// ParseS3URL reads an s3:// storage URL (see Open) into an S3Config. Its
// errors say what is wrong without repeating any part of the URL.
func ParseS3URL(rawURL string) (S3Config, error) {
	fail := func(what string) (S3Config, error) {
		return S3Config{}, errors.New("storage: s3 storage URL: " + what +
			" (want s3://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET?region=REGION&tls=true|false)")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return fail("not a valid URL (percent-encode reserved characters in the keys)")
	}
	if !strings.EqualFold(u.Scheme, "s3") {
		return fail("the scheme must be s3")
	}
	if u.Opaque != "" {
		return fail("it must begin with s3://")
	}
	if u.User == nil {
		return fail("no access key and secret key")
	}
	access := u.User.Username()
	secret, ok := u.User.Password()
	if access == "" || !ok || secret == "" {
		return fail("both the access key and the secret key are required")
	}
	if u.Host == "" || u.Hostname() == "" {
		return fail("no host")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fail("the port must be a number from 1 to 65535")
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return fail("the port is empty")
	}
	bucket := strings.TrimSuffix(strings.TrimPrefix(u.Path, "/"), "/")
	if bucket == "" {
		return fail("no bucket")
	}
	if strings.Contains(bucket, "/") {
		return fail("the path must be only the bucket")
	}
	if u.Fragment != "" {
		return fail("a fragment (#…) is not allowed")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fail("the query is not valid")
	}
	cfg := S3Config{Endpoint: u.Host, AccessKey: access, SecretKey: secret, Bucket: bucket, Region: DefaultRegion, TLS: true}
	for k, vs := range q {
		if len(vs) != 1 {
			return fail("a query parameter is repeated")
		}
		switch k {
		case "region":
			if vs[0] == "" {
				return fail("the region is empty")
			}
			cfg.Region = vs[0]
		case "tls":
			switch vs[0] {
			case "true":
				cfg.TLS = true
			case "false":
				cfg.TLS = false
			default:
				return fail("tls must be true or false")
			}
		default:
			return fail("unknown query parameter; only region and tls are allowed")
		}
	}
	return cfg, nil
}
