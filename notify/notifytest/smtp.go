// Package notifytest has an SMTP server for tests: it listens on
// 127.0.0.1, speaks just enough SMTP (no TLS, no AUTH) for a client to
// deliver, and keeps every message, decoded, for the test to read.
package notifytest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mail is one message the server received.
type Mail struct {
	From, To string // the envelope's MAIL FROM and RCPT TO arguments
	Header   mail.Header
	Subject  string // decoded
	Body     string // decoded (quoted-printable, base64 or as sent), CRLF as LF
	Raw      []byte // the message as sent
}

// SMTPServer is a running test server.
type SMTPServer struct {
	Addr string // host:port
	mu   sync.Mutex
	mail []Mail
}

// StartSMTP starts a server on 127.0.0.1; it stops with the test.
func StartSMTP(tb testing.TB) *SMTPServer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &SMTPServer{Addr: ln.Addr().String()}
	tb.Cleanup(func() { _ = ln.Close() })
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

// Port is the server's port, for MOTCUA_SMTP_PORT.
func (s *SMTPServer) Port() string {
	_, p, _ := net.SplitHostPort(s.Addr)
	return p
}

// Mail returns the messages received so far, in order.
func (s *SMTPServer) Mail() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mail...)
}

// WaitFor waits up to d for at least n messages and returns those received.
func (s *SMTPServer) WaitFor(n int, d time.Duration) []Mail {
	deadline := time.Now().Add(d)
	for {
		m := s.Mail()
		if len(m) >= n || time.Now().After(deadline) {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *SMTPServer) serve(c net.Conn) {
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(c)
	reply := func(format string, args ...any) { _ = tp.PrintfLine(format, args...) }
	reply("220 test.local ESMTP")
	var from, to string
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			reply("250-test.local\r\n250-8BITMIME\r\n250 SMTPUTF8")
		case "MAIL":
			from = arg
			reply("250 2.1.0 OK")
		case "RCPT":
			to = arg
			reply("250 2.1.5 OK")
		case "DATA":
			reply("354 End data with <CR><LF>.<CR><LF>")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.mail = append(s.mail, decode(from, to, b))
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

// decode reads raw as a message; what does not parse is left empty.
func decode(from, to string, raw []byte) Mail {
	m := Mail{From: from, To: to, Raw: raw}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return m
	}
	m.Header = msg.Header
	dec := new(mime.WordDecoder)
	if subj, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
		m.Subject = subj
	}
	var body io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, _ := io.ReadAll(body)
	m.Body = strings.ReplaceAll(string(b), "\r\n", "\n")
	return m
}
