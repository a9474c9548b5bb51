package loadgen

import (
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/dossier"
)

// Every generated dossier must be one the import accepts: times in order,
// what its status implies and nothing else, codes unique and of the unit
// and day, all in the past and before the window's end.
func TestGeneratorMakesConsistentDossiers(t *testing.T) {
	w := SmallProvince()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, w.Loc)
	end := time.Date(2026, 11, 23, 0, 0, 0, 0, w.Loc)
	recs := NewGenerator(w, 7, end, 365, now).Records(20000)
	codes := map[string]bool{}
	statuses := map[string]int{}
	channels := map[string]int{}
	onSpot := 0
	for i, r := range recs {
		statuses[r.Status]++
		channels[r.Channel]++
		if r.OnSpot {
			onSpot++
			if r.Channel != "direct" || !w.Procs[r.Procedure].OnSpotOK {
				t.Fatalf("#%d on the spot but %s / %s", i, r.Channel, r.Procedure)
			}
		}
		if codes[r.Code] {
			t.Fatalf("#%d: code %s twice", i, r.Code)
		}
		codes[r.Code] = true
		day := r.Submitted.In(w.Loc).Format("060102")
		if !strings.HasPrefix(r.Code, r.Unit+"-"+day+"-") {
			t.Fatalf("#%d: code %s is not of unit %s and day %s", i, r.Code, r.Unit, day)
		}
		if !r.Submitted.Before(end) || r.Submitted.Before(end.AddDate(0, 0, -366)) {
			t.Fatalf("#%d: submitted %v outside the window", i, r.Submitted)
		}
		if r.StatusCode() == 0 {
			t.Fatalf("#%d: status %q", i, r.Status)
		}
		times := map[string]time.Time{"received": r.Received, "resolved": r.Resolved, "returned": r.Returned,
			"withdrawn": r.Withdrawn, "stopped": r.Stopped, "rejected": r.Rejected}
		for name, at := range times {
			if !at.IsZero() && at.After(now) {
				t.Fatalf("#%d: %s %v is in the future", i, name, at)
			}
		}
		need := map[string][]string{
			"rejected": {"rejected"}, "withdrawn": {"received", "withdrawn"}, "stopped": {"received", "stopped"},
			"resolved": {"received", "resolved"}, "returned": {"received", "resolved", "returned"},
			"received": {"received"}, "processing": {"received"}, "supplement_requested": {"received"}, "awaiting_payment": {"received"},
		}[r.Status]
		has := map[string]bool{}
		for name, at := range times {
			has[name] = !at.IsZero()
		}
		for _, name := range need {
			if !has[name] {
				t.Fatalf("#%d %s without %s", i, r.Status, name)
			}
			delete(has, name)
		}
		for name, ok := range has {
			if ok {
				t.Fatalf("#%d %s with %s", i, r.Status, name)
			}
		}
		if r.Status == "rejected" && r.Channel != "online" {
			t.Fatalf("#%d rejected but %s", i, r.Channel)
		}
		if r.Received.IsZero() != r.Due.IsZero() {
			t.Fatalf("#%d: received and due disagree", i)
		}
		if r.CalendarDue {
			t.Fatalf("#%d leaves its due time to the server, which nobody asked for", i)
		}
		order := []struct {
			a, b time.Time
			what string
		}{{r.Submitted, r.Received, "submitted ≤ received"}, {r.Received, r.Due, "received < due"},
			{r.Received, r.Resolved, "received ≤ resolved"}, {r.Resolved, r.Returned, "resolved ≤ returned"},
			{r.Received, r.Withdrawn, "received ≤ withdrawn"}, {r.Received, r.Stopped, "received ≤ stopped"},
			{r.Submitted, r.Rejected, "submitted ≤ rejected"}}
		for _, o := range order {
			if !o.a.IsZero() && !o.b.IsZero() && o.b.Before(o.a) {
				t.Fatalf("#%d: not %s: %v, %v", i, o.what, o.a, o.b)
			}
		}
		if (r.Status == "resolved" || r.Status == "returned") != (r.Outcome != "") {
			t.Fatalf("#%d: %s with outcome %q", i, r.Status, r.Outcome)
		}
		if (r.Timeliness(w.Loc) != "") != !r.Resolved.IsZero() {
			t.Fatalf("#%d: timeliness %q, resolved %v", i, r.Timeliness(w.Loc), r.Resolved)
		}
	}
	// A realistic mix: mostly finished, some of everything.
	for _, s := range dossier.Statuses {
		if s != dossier.Submitted && statuses[string(s)] == 0 {
			t.Errorf("no %s dossier in 20,000", s)
		}
	}
	if statuses["returned"] < len(recs)/2 {
		t.Errorf("only %d returned of %d", statuses["returned"], len(recs))
	}
	if channels["online"] == 0 || channels["direct"] == 0 || channels["postal"] == 0 || onSpot == 0 {
		t.Errorf("channels %v, on spot %d", channels, onSpot)
	}
}

func TestGeneratorIsDeterministic(t *testing.T) {
	w := SmallProvince()
	now := time.Now()
	end := now.Truncate(24 * time.Hour)
	a := NewGenerator(w, 42, end, 365, now).Records(500)
	b := NewGenerator(w, 42, end, 365, now).Records(500)
	c := NewGenerator(w, 43, end, 365, now).Records(500)
	same := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("#%d differs for the same seed", i)
		}
		if a[i] == c[i] {
			same++
		}
	}
	if same == len(a) {
		t.Error("another seed gives the same dossiers")
	}
}

// CalendarDuePercent marks about that share of the received dossiers,
// never one that was not received, and changes nothing else about them.
func TestGeneratorLeavesSomeDueTimesToTheServer(t *testing.T) {
	w := SmallProvince()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, w.Loc)
	end := time.Date(2026, 11, 23, 0, 0, 0, 0, w.Loc)
	g := NewGenerator(w, 5, end, 365, now)
	g.CalendarDuePercent = 50
	received, left := 0, 0
	for i, r := range g.Records(4000) {
		if r.Received.IsZero() {
			if r.CalendarDue {
				t.Fatalf("#%d: never received, yet its due time is left to the server", i)
			}
			continue
		}
		received++
		if r.CalendarDue {
			left++
		}
		if r.Due.IsZero() {
			t.Fatalf("#%d: received without a due time", i)
		}
	}
	if share := float64(left) / float64(received); share < 0.4 || share > 0.6 {
		t.Errorf("%d of %d received dossiers leave their due time to the server, want about half", left, received)
	}
}

// BenchmarkNextLine is the cost of one import line, dossier and writing,
// on the official calendar: the load generator must stay far cheaper than
// the import it feeds.
func BenchmarkNextLine(b *testing.B) {
	w := SmallProvince()
	cal, err := OfficialCalendar(w.Loc)
	if err != nil {
		b.Fatal(err)
	}
	w.Cal = cal
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, w.Loc)
	g := NewGenerator(w, 1, now.Truncate(24*time.Hour), 365, now)
	var r Record
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		g.Next(&r)
		buf = AppendLine(buf[:0], &r, w.Loc)
	}
}
