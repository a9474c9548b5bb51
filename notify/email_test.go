package notify_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/notify"
)

// smtpServer is the least SMTP server go-mail talks to: EHLO, optional
// AUTH (CRAM-MD5 and PLAIN), MAIL, RCPT, DATA, RSET, NOOP and QUIT, with
// no TLS. It keeps what each session sent.
type smtpServer struct {
	addr  string
	mechs string // the AUTH mechanisms offered, "" for no AUTH
	mu    sync.Mutex
	from  []string
	rcpt  []string
	data  [][]byte
	// authed is set by a CRAM-MD5 exchange with the user "motcua" and the
	// password "s3cret"; plainTried by any AUTH PLAIN, which sends the
	// password itself.
	authed     bool
	plainTried bool
}

const cramChallenge = "<1896.697170952@test.local>"

func cramResponse(user, pass string) string {
	m := hmac.New(md5.New, []byte(pass))
	m.Write([]byte(cramChallenge))
	return user + " " + hex.EncodeToString(m.Sum(nil))
}

func startSMTP(t *testing.T, mechs string) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{addr: ln.Addr().String(), mechs: mechs}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) port(t *testing.T) int {
	t.Helper()
	_, p, _ := net.SplitHostPort(s.addr)
	n := 0
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return n
}

func (s *smtpServer) serve(c net.Conn) {
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	tp := textproto.NewConn(c)
	reply := func(format string, args ...any) bool { return tp.PrintfLine(format, args...) == nil }
	if !reply("220 test.local ESMTP") {
		return
	}
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			if s.mechs != "" {
				reply("250-test.local\r\n250-8BITMIME\r\n250 AUTH %s", s.mechs)
			} else {
				reply("250-test.local\r\n250 8BITMIME")
			}
		case "AUTH":
			mech, _, _ := strings.Cut(arg, " ")
			if strings.EqualFold(mech, "PLAIN") {
				s.mu.Lock()
				s.plainTried = true
				s.mu.Unlock()
				reply("535 5.7.8 not here")
				continue
			}
			reply("334 %s", base64.StdEncoding.EncodeToString([]byte(cramChallenge)))
			resp, err := tp.ReadLine()
			if err != nil {
				return
			}
			got, _ := base64.StdEncoding.DecodeString(resp)
			if string(got) != cramResponse("motcua", "s3cret") {
				reply("535 5.7.8 Authentication credentials invalid")
				continue
			}
			s.mu.Lock()
			s.authed = true
			s.mu.Unlock()
			reply("235 2.7.0 Authentication successful")
		case "MAIL":
			s.mu.Lock()
			s.from = append(s.from, arg)
			s.mu.Unlock()
			reply("250 2.1.0 OK")
		case "RCPT":
			s.mu.Lock()
			s.rcpt = append(s.rcpt, arg)
			s.mu.Unlock()
			reply("250 2.1.5 OK")
		case "DATA":
			reply("354 End data with <CR><LF>.<CR><LF>")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.data = append(s.data, b)
			s.mu.Unlock()
			reply("250 2.0.0 queued")
		case "RSET", "NOOP":
			reply("250 2.0.0 OK")
		case "QUIT":
			reply("221 2.0.0 Bye")
			return
		default:
			reply("502 5.5.2 command not recognized")
		}
	}
}

func message() notify.EmailMessage {
	return notify.EmailMessage{
		To: "an.nguyen@example.vn", EventID: "01JEVT42", Type: "dossier.accept", Code: "000.00.12.H01-261205-0001",
		Email: notify.Email{
			Subject: "Tiếp nhận hồ sơ 000.00.12.H01-261205-0001",
			Body:    "Hồ sơ 000.00.12.H01-261205-0001 đã được tiếp nhận.\nThời gian hẹn trả kết quả: 15:00 ngày 05/12/2026.\n",
		},
	}
}

func TestSMTPSend(t *testing.T) {
	srv := startSMTP(t, "PLAIN CRAM-MD5")
	sender, err := notify.NewSMTPSender(notify.SMTPConfig{
		Host: "127.0.0.1", Port: srv.port(t), TLS: notify.TLSNone, Username: "motcua", Password: "s3cret",
		From: "Một cửa <noreply@example.gov.vn>", Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	m := message()
	out, err := sender.SendEmail(context.Background(), m)
	if err != nil || out != notify.Sent {
		t.Fatalf("SendEmail = %q, %v", out, err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if !srv.authed || srv.plainTried || len(srv.data) != 1 {
		t.Fatalf("authed %v, PLAIN tried %v, %d messages", srv.authed, srv.plainTried, len(srv.data))
	}
	if !strings.Contains(srv.from[0], "<noreply@example.gov.vn>") || !strings.Contains(srv.rcpt[0], "<an.nguyen@example.vn>") {
		t.Fatalf("envelope MAIL %q RCPT %q", srv.from[0], srv.rcpt[0])
	}
	raw := srv.data[0]
	for _, line := range bytes.Split(raw, []byte("\n")) {
		for _, b := range line {
			if b > 0x7e {
				t.Fatalf("a raw 8-bit byte in the message (header or body not encoded): %q", line)
			}
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	h := msg.Header
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject %q decodes to %q (%v), want %q", h.Get("Subject"), subject, err, m.Subject)
	}
	from, err := (&mail.AddressParser{WordDecoder: dec}).Parse(h.Get("From"))
	if err != nil || from.Name != "Một cửa" || from.Address != "noreply@example.gov.vn" {
		t.Errorf("From %q = %+v, %v", h.Get("From"), from, err)
	}
	for name, want := range map[string]string{
		"To": "<an.nguyen@example.vn>", "Auto-Submitted": "auto-generated", "X-Motcua-Event-Id": "01JEVT42",
		"Content-Transfer-Encoding": "quoted-printable",
	} {
		if got := h.Get(name); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
		t.Errorf("Content-Type = %q", ct)
	}
	if h.Get("Date") == "" || h.Get("Message-Id") == "" {
		t.Errorf("no Date or Message-ID: %v", h)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.ReplaceAll(string(body), "\r\n", "\n"); strings.TrimSpace(got) != strings.TrimSpace(m.Body) {
		t.Errorf("body = %q, want %q", got, m.Body)
	}
}

// TestSMTPKeepsThePasswordOffAClearConnection: over a connection without
// TLS, a server offering only PLAIN (the password itself, base64) gets no
// AUTH at all and no message.
func TestSMTPKeepsThePasswordOffAClearConnection(t *testing.T) {
	srv := startSMTP(t, "PLAIN")
	sender, err := notify.NewSMTPSender(notify.SMTPConfig{Host: "127.0.0.1", Port: srv.port(t), TLS: notify.TLSNone,
		Username: "motcua", Password: "s3cret", From: "noreply@example.gov.vn", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sender.SendEmail(context.Background(), message()); err == nil {
		t.Fatal("sent after authenticating in clear")
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.plainTried || len(srv.data) != 0 {
		t.Fatalf("PLAIN tried %v, %d messages", srv.plainTried, len(srv.data))
	}
}

func TestSMTPMandatoryTLSRefusesAPlainServer(t *testing.T) {
	srv := startSMTP(t, "")
	sender, err := notify.NewSMTPSender(notify.SMTPConfig{Host: "127.0.0.1", Port: srv.port(t), TLS: notify.TLSStartTLS,
		From: "noreply@example.gov.vn", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sender.SendEmail(context.Background(), message())
	if err == nil {
		t.Fatal("sent without STARTTLS under the starttls mode")
	}
	if strings.Contains(err.Error(), "an.nguyen@example.vn") {
		t.Fatalf("error %q names the recipient", err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.data) != 0 {
		t.Fatal("the message reached the server in clear")
	}
}

func TestSMTPConfigValidate(t *testing.T) {
	err := notify.SMTPConfig{Host: "", Port: 70000, TLS: "ssl", From: "not an address", Password: "x"}.Validate()
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{"host", "port", "TLS mode", "from address", "user name"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if err := (notify.SMTPConfig{Host: "smtp.example.vn", From: "Một cửa <noreply@localhost>"}).Validate(); err != nil {
		t.Fatalf("the default from address refused: %v", err)
	}
}

func TestLogEmailSenderLogsNoPersonalData(t *testing.T) {
	var buf bytes.Buffer
	// Without the time: its digits could hold a fragment of an address or number by chance.
	noTime := &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}
	out, err := notify.LogEmailSender{Log: slog.New(slog.NewTextHandler(&buf, noTime))}.SendEmail(context.Background(), message())
	if err != nil || out != notify.Logged {
		t.Fatalf("SendEmail = %q, %v", out, err)
	}
	line := buf.String()
	if !strings.Contains(line, "01JEVT42") || !strings.Contains(line, "dossier.accept") {
		t.Fatalf("log line %q lacks the event id or type", line)
	}
	for _, secret := range []string{"an.nguyen", "Tiếp nhận", "15:00"} {
		if strings.Contains(line, secret) {
			t.Fatalf("log line %q contains %q", line, secret)
		}
	}
}
