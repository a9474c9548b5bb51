package loadgen

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// Each line is one JSON object with the fields of docs/openapi.yaml.
func TestAppendLineIsValidNDJSON(t *testing.T) {
	w := SmallProvince()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, w.Loc)
	g := NewGenerator(w, 3, now.Truncate(24*time.Hour), 365, now)
	g.CalendarDuePercent = 30
	g.FlagPercent = 40
	left, flagged := 0, 0
	for i, r := range g.Records(2000) {
		line := AppendLine(nil, &r, w.Loc)
		if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
			t.Fatalf("#%d: not one line: %q", i, line)
		}
		var got map[string]any
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("#%d: %v: %s", i, err, line)
		}
		if got["code"] != r.Code || got["status"] != r.Status || got["unit_code"] != r.Unit || got["procedure_code"] != r.Procedure {
			t.Fatalf("#%d: %s", i, line)
		}
		app := got["applicant"].(map[string]any)
		if app["name"] != r.Applicant.Name || app["id_number"] != r.Applicant.IDNumber || app["address"] != r.Applicant.Address {
			t.Fatalf("#%d: applicant %v", i, app)
		}
		check := func(field string, want time.Time) {
			v, ok := got[field]
			if want.IsZero() {
				if ok {
					t.Fatalf("#%d: %s present: %s", i, field, line)
				}
				return
			}
			at, err := time.Parse(time.RFC3339, v.(string))
			if err != nil || !at.Equal(want.Truncate(time.Second)) {
				t.Fatalf("#%d: %s = %v, want %v", i, field, v, want)
			}
		}
		due := r.Due
		if r.CalendarDue {
			due = time.Time{}
			left++
		}
		check("received_at", r.Received)
		check("due_at", due)
		check("appointment_at", due)
		check("resolved_at", r.Resolved)
		check("returned_at", r.Returned)
		check("withdrawn_at", r.Withdrawn)
		check("stopped_at", r.Stopped)
		check("rejected_at", r.Rejected)
		for name, want := range map[string]bool{"digitised": r.Digitised, "e_result": r.EResult, "paid_online": r.PaidOnline} {
			if v, ok := got[name]; ok != want || (ok && v != true) {
				t.Fatalf("#%d: %s = %v, want %v: %s", i, name, v, want, line)
			}
			if want {
				flagged++
			}
		}
	}
	if flagged == 0 {
		t.Error("no line carried a digitisation flag")
	}
	if left == 0 {
		t.Error("no line left its due time to the server")
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "Nguyễn Văn An", `quote " and \ back`, "tab\tnew\nline\x01", "bad \xff byte", "emoji 🙂"} {
		var back string
		if err := json.Unmarshal(AppendString(nil, s), &back); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if back != want {
			t.Errorf("%q came back as %q", s, back)
		}
	}
}

// A drawn applicant is a plausible citizen and comes back whole from its JSON.
func TestNewApplicantAndItsJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		a := NewApplicant(rng)
		if len(strings.Fields(a.Name)) != 3 || len(a.IDNumber) != 12 || len(a.Phone) != 10 || !strings.HasPrefix(a.Address, "Thôn ") {
			t.Fatalf("applicant %+v", a)
		}
		var back struct {
			Name     string `json:"name"`
			IDNumber string `json:"id_number"`
			Phone    string `json:"phone"`
			Address  string `json:"address"`
		}
		if err := json.Unmarshal(AppendApplicant(nil, a), &back); err != nil {
			t.Fatal(err)
		}
		if (Applicant{back.Name, back.IDNumber, back.Phone, back.Address}) != a {
			t.Fatalf("%+v came back as %+v", a, back)
		}
	}
}
