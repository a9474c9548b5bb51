package dvcqg_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/domain/dvcqg"
)

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		endpoint string
		status   int
		body     string
		want     dvcqg.Outcome
		msg      string
	}{
		{"add", 200, `{"error_code":"0","message":"Thành công"}`, dvcqg.Accepted, ""},
		{"update", 200, `{"error_code":0}`, dvcqg.Accepted, ""},
		{"add", 200, `{"error_code":"3","message":"Hồ sơ đã tồn tại"}`, dvcqg.Exists, ""},
		{"add", 200, `{"error_code":"-3"}`, dvcqg.Exists, ""},
		{"update", 200, `{"error_code":"3","message":"x"}`, dvcqg.Refused, "HTTP 200: error_code 3: x"},
		{"add", 200, `{"error_code":"-1","message":"Sai định dạng"}`, dvcqg.Refused, "HTTP 200: error_code -1: Sai định dạng"},
		{"add", 200, `not json`, dvcqg.Refused, "HTTP 200: câu trả lời không đọc được (không có error_code)"},
		{"add", 200, `{}`, dvcqg.Refused, "HTTP 200: câu trả lời không đọc được (không có error_code)"},
		{"add", 500, `{"message":"down"}`, dvcqg.Retry, "HTTP 500: down"},
		{"add", 503, ``, dvcqg.Retry, "HTTP 503"},
		{"add", 429, ``, dvcqg.Retry, "HTTP 429"},
		{"add", 401, `{"error_code":"401","message":"Unauthorized"}`, dvcqg.Refused, "HTTP 401: Unauthorized"},
		{"add", 404, `<html>`, dvcqg.Refused, "HTTP 404"},
	} {
		got, msg := dvcqg.Classify(c.endpoint, c.status, []byte(c.body))
		if got != c.want || msg != c.msg {
			t.Errorf("%s %d %s = %s %q, want %s %q", c.endpoint, c.status, c.body, got, msg, c.want, c.msg)
		}
	}
}

func TestBackoff(t *testing.T) {
	base := 30 * time.Second
	for n, want := range map[int]time.Duration{0: base, 1: base, 2: time.Minute, 3: 2 * time.Minute, 7: 32 * time.Minute,
		8: time.Hour, 9: time.Hour, 60: time.Hour} {
		if got := dvcqg.Backoff(base, n); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestErrorText(t *testing.T) {
	got := dvcqg.ErrorText("HTTP 401: user tinh-user with pass s3cret\nrefused", "tinh-user", "s3cret", "")
	if got != "HTTP 401: user *** with pass *** refused" {
		t.Fatalf("got %q", got)
	}
	long := dvcqg.ErrorText(strings.Repeat("ả", 600))
	if utf8.RuneCountInString(long) != dvcqg.MaxErrorLength || !strings.HasSuffix(long, "...") {
		t.Fatalf("cut to %d", utf8.RuneCountInString(long))
	}
}
