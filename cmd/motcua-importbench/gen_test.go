package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/demo"
)

// writeLines returns the first n lines the generator writes.
func writeLines(t *testing.T, g *generator, n int64) []byte {
	t.Helper()
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	if err := g.write(w, n); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// The demo world receives at the centre, the former district and the
// commune; the lines are import lines of those units, inside the window,
// with unique codes, half of the received ones leaving due_at to the
// server; and line i is the same whatever the run's size.
func TestGeneratorWritesTheDemoHistory(t *testing.T) {
	g, err := newGenerator()
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]bool{}
	for _, d := range g.world.Desks {
		units[d.Unit] = true
	}
	if len(units) != 3 || !units[demo.Center] || !units[demo.District] || !units[demo.CommuneA] {
		t.Fatalf("desks at %v", units)
	}
	small, big := writeLines(t, g, 500), writeLines(t, g, 3000)
	if !bytes.HasPrefix(big, small) {
		t.Fatal("the first 500 lines differ between a run of 500 and one of 3,000")
	}
	codes := map[string]bool{}
	received, noDue := 0, 0
	statuses := map[string]int{}
	for i, line := range strings.Split(strings.TrimSuffix(string(big), "\n"), "\n") {
		var l struct {
			Code       string `json:"code"`
			Unit       string `json:"unit_code"`
			Status     string `json:"status"`
			ReceivedAt string `json:"received_at"`
			DueAt      string `json:"due_at"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, line)
		}
		if codes[l.Code] || !units[l.Unit] || !strings.HasPrefix(l.Code, l.Unit+"-") {
			t.Fatalf("line %d: code %s of unit %s (repeated: %v)", i, l.Code, l.Unit, codes[l.Code])
		}
		codes[l.Code] = true
		statuses[l.Status]++
		if l.ReceivedAt == "" {
			continue
		}
		received++
		at, err := time.Parse(time.RFC3339, l.ReceivedAt)
		if err != nil || at.Before(g.start) || !at.Before(g.end) {
			t.Fatalf("line %d: received %s outside [%v, %v)", i, l.ReceivedAt, g.start, g.end)
		}
		if l.DueAt == "" {
			noDue++
		}
	}
	if noDue < received/3 || noDue > received*2/3 {
		t.Errorf("%d of %d received dossiers leave due_at to the server, want about half", noDue, received)
	}
	if statuses["returned"] == 0 || statuses["withdrawn"] == 0 || statuses["stopped"] == 0 || statuses["rejected"] == 0 {
		t.Errorf("statuses %v", statuses)
	}
}
