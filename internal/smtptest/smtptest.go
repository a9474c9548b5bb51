// Package smtptest is an SMTP server for tests, on a loopback port: it
// speaks the least of SMTP that an SMTP client needs without TLS or
// authentication (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and keeps the
// messages it takes, or refuses them while told to.
package smtptest

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one message the server took.
type Message struct {
	To      []string // the envelope's recipients, without angle brackets
	Subject string   // decoded
	Body    string   // decoded, with \n line ends
	Header  mail.Header
}

// Server is a running test server; Close is registered on the test.
type Server struct {
	ln     net.Listener
	mu     sync.Mutex
	msgs   []Message
	refuse bool
}

// Start listens on 127.0.0.1 until the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{ln: ln}
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

// Host and Port are where the server listens.
func (s *Server) Host() string { return "127.0.0.1" }

// Port is the server's port, as MOTCUA_SMTP_PORT takes it.
func (s *Server) Port() string {
	_, p, _ := net.SplitHostPort(s.ln.Addr().String())
	return p
}

// Refuse makes the server answer every DATA with a temporary failure
// (451) while on is true, as a server in trouble does.
func (s *Server) Refuse(on bool) {
	s.mu.Lock()
	s.refuse = on
	s.mu.Unlock()
}

// Messages returns what the server took so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// WaitFor waits up to d for at least n messages and returns those taken.
func (s *Server) WaitFor(n int, d time.Duration) []Message {
	deadline := time.Now().Add(d)
	for {
		m := s.Messages()
		if len(m) >= n || time.Now().After(deadline) {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// To returns the messages taken for the recipient addr.
func (s *Server) To(addr string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

func (s *Server) serve(c net.Conn) {
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(c)
	reply := func(format string, args ...any) { _ = tp.PrintfLine(format, args...) }
	reply("220 test.local ESMTP")
	var rcpt []string
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			reply("250-test.local\r\n250 8BITMIME")
		case "MAIL":
			rcpt = nil
			reply("250 2.1.0 OK")
		case "RCPT":
			_, a, _ := strings.Cut(arg, ":")
			rcpt = append(rcpt, strings.Trim(strings.TrimSpace(a), "<>"))
			reply("250 2.1.5 OK")
		case "DATA":
			reply("354 End data with <CR><LF>.<CR><LF>")
			raw, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			refuse := s.refuse
			s.mu.Unlock()
			if refuse {
				reply("451 4.3.0 try again later")
				continue
			}
			m, err := decode(raw)
			if err != nil {
				reply("554 5.6.0 %s", strconv.Quote(err.Error()))
				continue
			}
			m.To = rcpt
			s.mu.Lock()
			s.msgs = append(s.msgs, m)
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

func decode(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Message{}, err
	}
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return Message{}, err
	}
	return Message{Subject: subject, Body: strings.ReplaceAll(string(body), "\r\n", "\n"), Header: msg.Header}, nil
}
