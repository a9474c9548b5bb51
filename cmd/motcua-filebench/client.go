package main

// The API calls of the run: log in, register, upload, download.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/motcua/motcua/cmd/internal/benchkit"
)

// client talks to the server on the loopback address only: no proxy from
// the environment, no transparent decompression (what is measured is what
// the server sends).
type client struct{ benchkit.Client }

func newClient(base string) *client {
	return &client{benchkit.Client{Base: base, HC: &http.Client{Transport: &http.Transport{Proxy: nil, DisableCompression: true}}}}
}

// register registers a direct dossier at the counter of the clerk's unit,
// for the Sở Tư pháp procedure of the README, and returns its code.
func (c *client) register(ctx context.Context, tok string) (string, error) {
	in := map[string]any{
		"procedure_code": "2.000488", "channel": "direct",
		"applicant": map[string]any{"name": "Nguyễn Văn An", "id_number": "001234567890", "phone": "0912345678"},
		"documents": []map[string]any{{"name": "Tờ khai", "copies": 1}, {"name": "Bản sao CCCD", "copies": 1}},
	}
	var d struct {
		Code string `json:"code"`
	}
	// An Idempotency-Key, as the API contract asks of every registration.
	key := map[string]string{"Idempotency-Key": fmt.Sprintf("filebench-%d-%d", os.Getpid(), time.Now().UnixNano())}
	err := c.Call(ctx, http.MethodPost, "/api/v1/dossiers", tok, key, in, &d, http.StatusCreated)
	if err == nil && d.Code == "" {
		err = errors.New("register: no code in the answer")
	}
	return d.Code, err
}

// stored is the part of the upload's 201 answer that is checked.
type stored struct {
	ID          int64  `json:"id"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
}

// upload sends b as the raw body of a new component file of the dossier,
// with its Content-Length, and checks that the answer's digest and size are
// those of the bytes sent.
func (c *client) upload(ctx context.Context, tok, code, name string, b *body) (stored, error) {
	path := "/api/v1/dossiers/" + url.PathEscape(code) + "/files?name=" + url.QueryEscape(name) + "&kind=component"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+path, b)
	if err != nil {
		return stored{}, err
	}
	req.ContentLength = b.size
	req.Header.Set("Content-Type", "application/pdf") // not believed: the server sniffs
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := c.HC.Do(req)
	if err != nil {
		return stored{}, fmt.Errorf("upload: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return stored{}, fmt.Errorf("upload: %s%s", resp.Status, benchkit.ErrorBody(resp))
	}
	var f stored
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&f); err != nil {
		return stored{}, fmt.Errorf("upload answer: %w", err)
	}
	sent, sum := b.handedOut(), b.Sum()
	switch {
	case sent != b.size:
		return f, fmt.Errorf("upload: the client sent %d of %d bytes", sent, b.size)
	case f.SHA256 != sum:
		return f, fmt.Errorf("upload: the server's sha256 %s is not that of the bytes sent, %s", f.SHA256, sum)
	case f.Size != b.size:
		return f, fmt.Errorf("upload: the server's size %d is not the %d bytes sent", f.Size, b.size)
	case f.ContentType != "application/pdf":
		return f, fmt.Errorf("upload: stored as %q, not application/pdf", f.ContentType)
	case f.ID < 1:
		return f, fmt.Errorf("upload: no file id in the answer")
	}
	return f, nil
}

// download reads file id's content, hashing the stream, and checks its
// length, its digest and the ETag the server sends with it.
func (c *client) download(ctx context.Context, tok, code string, id int64, wantSHA string, wantSize int64) error {
	path := "/api/v1/dossiers/" + url.PathEscape(code) + "/files/" + strconv.FormatInt(id, 10) + "/content"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := c.HC.Do(req)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download: %s%s", resp.Status, benchkit.ErrorBody(resp))
	}
	if resp.ContentLength != wantSize {
		return fmt.Errorf("download: Content-Length %d, want %d", resp.ContentLength, wantSize)
	}
	if etag := resp.Header.Get("ETag"); etag != `"`+wantSHA+`"` {
		return fmt.Errorf("download: ETag %s, want %q", etag, wantSHA)
	}
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	if err != nil {
		return fmt.Errorf("download: after %d bytes: %w", n, err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != wantSize || sum != wantSHA {
		return fmt.Errorf("download: %d bytes with sha256 %s, want %d bytes with %s", n, sum, wantSize, wantSHA)
	}
	return nil
}
