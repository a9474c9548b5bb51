package benchkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/motcua/motcua/cmd/motcua/demo"
)

// Client talks JSON to a server the benchmark started on loopback.
type Client struct {
	Base string // http://host:port
	HC   *http.Client
}

// Call sends in as JSON with the bearer token tok (when set) and the
// headers hdr, and decodes an answer of status want into out (nil
// discards it). Another status is an error with the start of the API's
// JSON error body (never the bytes of a download).
func (c *Client) Call(ctx context.Context, method, path, tok string, hdr map[string]string, in, out any, want int) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.HC.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close() //nolint:errcheck
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s%s", method, path, resp.Status, ErrorBody(resp))
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(out)
}

// ErrorBody is the start of an error answer when it is the API's JSON
// error, else nothing.
func ErrorBody(resp *http.Response) string {
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	return ": " + strings.TrimSpace(string(b))
}

// Login returns an access token of the demo user username.
func (c *Client) Login(ctx context.Context, username string) (string, error) {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err := c.Call(ctx, http.MethodPost, "/api/v1/auth/login", "", nil,
		map[string]string{"username": username, "password": demo.Password}, &tok, http.StatusOK)
	if err == nil && tok.AccessToken == "" {
		err = errors.New("login: no access_token")
	}
	return tok.AccessToken, err
}
