package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/motcua/motcua/notify"
)

func smsMessage() notify.SMSMessage {
	return notify.SMSMessage{To: "+84 912 345 678", Text: "Ho so 000.00.12.H01-261205-0001 da tiep nhan & \"xong\"",
		EventID: "01JEVT42", Type: "dossier.accept", Code: "000.00.12.H01-261205-0001"}
}

func TestHTTPSMSGet(t *testing.T) {
	m := smsMessage()
	var hits atomic.Int32
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		q := r.URL.Query()
		if r.Method != http.MethodGet || q.Get("to") != m.To || q.Get("msg") != m.Text || q.Get("brand") != "UBND" {
			t.Errorf("gateway got %s %s", r.Method, r.URL)
		}
		if r.Header.Get("X-Api-Key") != "k3y: with colon" {
			t.Errorf("auth header %q", r.Header.Get("X-Api-Key"))
		}
	}))
	defer gw.Close()
	s, err := notify.NewHTTPSMSSender(notify.HTTPSMSConfig{URL: gw.URL + "/send?brand=UBND&to={phone}&msg={text}", AuthHeader: "X-Api-Key: k3y: with colon"})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := s.SendSMS(context.Background(), m); err != nil || out != notify.Sent || hits.Load() != 1 {
		t.Fatalf("SendSMS = %q, %v; %d hits", out, err, hits.Load())
	}
}

func TestHTTPSMSPostAndFailure(t *testing.T) {
	m := smsMessage()
	var status atomic.Int32
	status.Store(503)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var got struct{ Phone, Message string }
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &got) != nil ||
			got.Phone != m.To || got.Message != m.Text {
			t.Errorf("gateway got %s %q", r.Method, b)
		}
		w.WriteHeader(int(status.Load()))
	}))
	defer gw.Close()
	s, err := notify.NewHTTPSMSSender(notify.HTTPSMSConfig{URL: gw.URL + "/send?to={phone}&t={text}",
		Body: `{"phone":"{phone}","message":"{text}"}`})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.SendSMS(context.Background(), m)
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("a 503 must fail the send: %v", err)
	}
	for _, secret := range []string{"912", "da tiep nhan", gw.URL} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error %q contains %q", err, secret)
		}
	}
	status.Store(202)
	if out, err := s.SendSMS(context.Background(), m); err != nil || out != notify.Sent {
		t.Fatalf("after the gateway recovered: %q, %v", out, err)
	}
}

func TestHTTPSMSConfigValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  notify.HTTPSMSConfig
		want string
	}{
		{"empty", notify.HTTPSMSConfig{}, "empty"},
		{"no phone", notify.HTTPSMSConfig{URL: "https://sms.example.vn/?t={text}"}, "{phone}"},
		{"no text", notify.HTTPSMSConfig{URL: "https://sms.example.vn/?p={phone}"}, "{text}"},
		{"relative", notify.HTTPSMSConfig{URL: "/send?p={phone}&t={text}"}, "absolute"},
		{"bad header", notify.HTTPSMSConfig{URL: "https://sms.example.vn/?p={phone}&t={text}", AuthHeader: "Bearer s3cret"}, "Name: value"},
	} {
		err := tt.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error about %s", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error %q repeats the secret", tt.name, err)
		}
	}
}

func TestLogSMSSenderLogsNoPersonalData(t *testing.T) {
	var buf bytes.Buffer
	// Without the time: its digits could hold a fragment of the number by chance.
	noTime := &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}
	out, err := notify.LogSMSSender{Log: slog.New(slog.NewJSONHandler(&buf, noTime))}.SendSMS(context.Background(), smsMessage())
	if err != nil || out != notify.Logged {
		t.Fatalf("SendSMS = %q, %v", out, err)
	}
	line := buf.String()
	if !strings.Contains(line, `"event_id":"01JEVT42"`) || !strings.Contains(line, `"type":"dossier.accept"`) ||
		!strings.Contains(line, `"code":"000.00.12.H01-261205-0001"`) {
		t.Fatalf("log line %q lacks the event, type or code", line)
	}
	for _, secret := range []string{"912", "345", "678", "da tiep nhan"} {
		if strings.Contains(line, secret) {
			t.Fatalf("log line %q contains %q", line, secret)
		}
	}
}
