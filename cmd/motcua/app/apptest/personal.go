package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/motcua/motcua/repository"
)

// personalKeys are the JSON fields of a request that carry personal data
// worth looking for in the log (a name is too common a word to look for).
var personalKeys = map[string]bool{"id_number": true, "phone": true, "email": true, "address": true}

// notePersonal remembers the personal values in a request body: one JSON
// document, or NDJSON lines.
func (s *Server) notePersonal(body []byte) {
	var v any
	if json.Unmarshal(body, &v) == nil {
		s.walkPersonal(v)
		return
	}
	for _, line := range bytes.Split(body, []byte("\n")) {
		if json.Unmarshal(line, &v) == nil {
			s.walkPersonal(v)
		}
	}
}

func (s *Server) walkPersonal(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if str, ok := e.(string); ok && personalKeys[k] {
				s.noteValue(str)
				continue
			}
			s.walkPersonal(e)
		}
	case []any:
		for _, e := range x {
			s.walkPersonal(e)
		}
	}
}

// noteValue remembers v if it is long enough to be telling in a log.
func (s *Server) noteValue(v string) {
	v = strings.TrimSpace(v)
	if len(v) < 6 {
		return
	}
	s.mu.Lock()
	s.sent[v] = true
	s.mu.Unlock()
}

// StoredPersonalData opens every sealed value the database holds (the demo's
// and what the test stored): table.column → the plain values.
func (s *Server) StoredPersonalData() map[string][]string {
	s.T.Helper()
	out := map[string][]string{}
	for _, col := range repository.SealedColumns() {
		table, name, _ := strings.Cut(col, ".")
		rows, err := s.App.DB.WithContext(context.Background()).Raw("SELECT code, " + name + " FROM " + table).Rows()
		if err != nil {
			s.T.Fatalf("read %s: %v", col, err)
		}
		for rows.Next() {
			var code string
			var stored *string
			if err := rows.Scan(&code, &stored); err != nil {
				_ = rows.Close()
				s.T.Fatalf("read %s: %v", col, err)
			}
			if stored == nil || *stored == "" {
				continue
			}
			plain, err := s.App.Sealer.Open(col, code, *stored)
			if err != nil {
				_ = rows.Close()
				s.T.Fatalf("%s of %s: %v", col, code, err)
			}
			out[col] = append(out[col], plain)
		}
		if err := rows.Close(); err != nil {
			s.T.Fatalf("read %s: %v", col, err)
		}
	}
	return out
}

// checkLogHasNoPersonalData fails the test if anything the service logged
// holds an ID number, phone, e-mail or address the test sent or the
// database stores. Every end-to-end test runs it.
func (s *Server) checkLogHasNoPersonalData() {
	s.T.Helper()
	values := map[string]bool{}
	s.mu.Lock()
	for v := range s.sent {
		values[v] = true
	}
	s.mu.Unlock()
	for _, vs := range s.StoredPersonalData() {
		for _, v := range vs {
			if v = strings.TrimSpace(v); len(v) >= 6 {
				values[v] = true
			}
		}
	}
	s.logw.mu.Lock()
	logged := s.Log.String()
	s.logw.mu.Unlock()
	for v := range values {
		if strings.Contains(logged, v) {
			s.T.Errorf("the service logged personal data %q", v)
		}
	}
}
