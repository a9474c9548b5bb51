// Package dvcqgpush pushes received dossiers to the national public
// service portal (DVCQG) after each change (§14.3 of the contract,
// docs/domain.md "Syncing dossiers to the national portal"): a worker
// claims the due sync rows, builds each dossier's record at its current
// version and calls the portal's add or update; the store records the
// outcome. The portal's HTTP is here and nowhere else.
package dvcqgpush

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// maxAnswer bounds how much of the portal's answer is read.
const maxAnswer = 64 << 10

// Client calls the portal: POST URL/add or URL/update, a JSON array of one
// record, HTTP Basic credentials. It follows no redirect (a redirect is a
// refusal: the credentials never go to another address).
type Client struct {
	url                string
	username, password string
	http               *http.Client
	timeout            time.Duration
}

// NewClient returns a client of the portal at base (no trailing slash),
// each call bounded by timeout.
func NewClient(base, username, password string, timeout time.Duration) *Client {
	return &Client{url: base, username: username, password: password, timeout: timeout,
		http: &http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}}
}

// Call posts body to endpoint and returns the HTTP status and the answer
// (its first 64 KiB). err is a transport error or a time-out, its text
// free of the URL and the credentials (TransportText).
func (c *Client) Call(ctx context.Context, endpoint string, body []byte) (int, []byte, error) {
	u, err := url.Parse(c.url)
	if err != nil {
		return 0, nil, errors.New("địa chỉ Cổng DVCQG không hợp lệ")
	}
	u = u.JoinPath(endpoint)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, errors.New("không tạo được yêu cầu gửi Cổng DVCQG")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(c.username, c.password)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, c.transport(err)
	}
	defer resp.Body.Close() //nolint:errcheck // read-only
	ans, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, nil, c.transport(err)
	}
	return resp.StatusCode, ans, nil
}

// transport is err as a text without the URL (url.Error's Error repeats
// it, and it may hold a token).
func (c *Client) transport(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("không nhận được trả lời trong %s (hết thời gian chờ)", c.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("lỗi kết nối: %s", err.Error())
}
