package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// testWorld is a small province: a centre, a district with a commune, and
// procedures of each level and time unit.
func testWorld(t testing.TB) *world {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	w := &world{Loc: loc, Agencies: map[string]agencyInfo{
		"P":  {Code: "P", Kind: "province"},
		"C":  {Code: "C", Kind: "service_center", Parent: "P"},
		"J":  {Code: "J", Kind: "department", Parent: "P"},
		"D":  {Code: "D", Kind: "district", Parent: "P"},
		"X":  {Code: "X", Kind: "commune", Parent: "D"},
		"XC": {Code: "XC", Kind: "commune", Parent: "D", Closed: true},
	}, Procs: map[string]procInfo{}}
	procs := []procInfo{
		{Code: "p.days", Agency: "J", Level: "province", Value: 10, Unit: "working_days"},
		{Code: "p.hours", Agency: "J", Level: "province", Value: 4, Unit: "working_hours", OnSpotOK: true},
		{Code: "p.cal", Agency: "J", Level: "province", Value: 15, Unit: "days"},
		{Code: "d.days", Agency: "D", Level: "district", Value: 5, Unit: "working_days"},
		{Code: "x.days", Agency: "X", Level: "commune", Value: 1, Unit: "working_days", OnSpotOK: true},
	}
	for _, p := range procs {
		w.Procs[p.Code] = p
	}
	w.buildDesks(procs)
	return w
}

func TestBuildDesksFollowsTheTree(t *testing.T) {
	w := testWorld(t)
	got := map[string]int{}
	for _, d := range w.Desks {
		got[d.Unit] = len(d.Procs)
	}
	want := map[string]int{"C": 3, "D": 1, "X": 1} // the closed commune receives nothing
	if len(got) != len(want) {
		t.Fatalf("desks %v, want %v", got, want)
	}
	for u, n := range want {
		if got[u] != n {
			t.Errorf("desk %s receives %d procedures, want %d", u, got[u], n)
		}
	}
	if sub := strings.Join(w.subtree("D"), ","); sub != "D,X,XC" {
		t.Errorf("subtree(D) = %s", sub)
	}
}

func genRecords(t testing.TB, w *world, seed uint64, n int, end, now time.Time) []record {
	g := newGenerator(w, seed, end, 365, now)
	out := make([]record, n)
	for i := range out {
		g.next(&out[i])
	}
	return out
}

// Every generated dossier must be one the import accepts: times in order,
// what its status implies and nothing else, codes unique and of the unit
// and day, all in the past and before the window's end.
func TestGeneratorMakesConsistentDossiers(t *testing.T) {
	w := testWorld(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, w.Loc)
	end := time.Date(2026, 11, 23, 0, 0, 0, 0, w.Loc)
	recs := genRecords(t, w, 7, 20000, end, now)
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
		if _, ok := statusCode[r.Status]; !ok {
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
	}
	// A realistic mix: mostly finished, some of everything.
	for _, s := range []string{"returned", "resolved", "processing", "received", "supplement_requested", "awaiting_payment", "withdrawn", "stopped", "rejected"} {
		if statuses[s] == 0 {
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
	w := testWorld(t)
	now := time.Now()
	end := now.Truncate(24 * time.Hour)
	a := genRecords(t, w, 42, 500, end, now)
	b := genRecords(t, w, 42, 500, end, now)
	c := genRecords(t, w, 43, 500, end, now)
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

// Each line is one JSON object with the fields of docs/openapi.yaml.
func TestAppendLineIsValidNDJSON(t *testing.T) {
	w := testWorld(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, w.Loc)
	for i, r := range genRecords(t, w, 3, 2000, now.Truncate(24*time.Hour), now) {
		line := appendLine(nil, &r, w.Loc)
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
		if app["name"] != r.Name || app["id_number"] != r.IDNumber {
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
		check("received_at", r.Received)
		check("due_at", r.Due)
		check("resolved_at", r.Resolved)
		check("returned_at", r.Returned)
		check("withdrawn_at", r.Withdrawn)
		check("stopped_at", r.Stopped)
		check("rejected_at", r.Rejected)
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "Nguyễn Văn An", `quote " and \ back`, "tab\tnew\nline\x01", "bad \xff byte", "emoji 🙂"} {
		var back string
		if err := json.Unmarshal(appendString(nil, s), &back); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if back != want {
			t.Errorf("%q came back as %q", s, back)
		}
	}
}

func TestDueAfter(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	fri := time.Date(2026, 11, 20, 16, 0, 0, 0, loc)
	for _, c := range []struct {
		v    int
		unit string
		want time.Time
	}{
		{1, "working_days", time.Date(2026, 11, 23, 16, 0, 0, 0, loc)}, // Fri → Mon
		{5, "working_days", time.Date(2026, 11, 27, 16, 0, 0, 0, loc)}, // a working week
		{2, "working_hours", time.Date(2026, 11, 23, 8, 0, 0, 0, loc)}, // 16:00 + 1 h, then Mon 07:00 + 1 h
		{1, "days", time.Date(2026, 11, 23, 17, 0, 0, 0, loc)},         // Sat is not a working day → Mon 17:00
		{3, "days", time.Date(2026, 11, 23, 17, 0, 0, 0, loc)},         // Mon
		{0, "working_days", time.Date(2026, 11, 23, 16, 0, 0, 0, loc)}, // at least one
	} {
		if got := dueAfter(fri, c.v, c.unit, loc); !got.Equal(c.want) {
			t.Errorf("%d %s from Fri 16:00 = %v, want %v", c.v, c.unit, got, c.want)
		}
	}
}

// writeBatch splits the stream without losing or repeating a line, and
// never exceeds its limits.
func TestImportBatchesCoverTheStreamOnce(t *testing.T) {
	w := testWorld(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, w.Loc)
	end := now.Truncate(24 * time.Hour)
	whole := &importSource{gen: newGenerator(w, 9, end, 365, now), loc: w.Loc, left: 1000}
	var all bytes.Buffer
	if n, err := whole.writeBatch(&all, 0, 0); err != nil || n != 1000 {
		t.Fatalf("one batch: %d, %v", n, err)
	}
	for _, lim := range []struct{ lines, bytes int64 }{{100, 0}, {0, 10_000}, {37, 5_000}, {1, 1}} {
		src := &importSource{gen: newGenerator(w, 9, end, 365, now), loc: w.Loc, left: 1000}
		var joined bytes.Buffer
		batches := 0
		for src.left > 0 || src.hasPending {
			var b bytes.Buffer
			n, err := src.writeBatch(&b, lim.lines, lim.bytes)
			if err != nil || n == 0 {
				t.Fatalf("%+v: batch %d wrote %d: %v", lim, batches, n, err)
			}
			if lim.lines > 0 && n > lim.lines {
				t.Fatalf("%+v: %d lines in a batch", lim, n)
			}
			if lim.bytes > 0 && int64(b.Len()) > lim.bytes && n > 1 {
				t.Fatalf("%+v: %d bytes in a batch", lim, b.Len())
			}
			joined.Write(b.Bytes())
			batches++
		}
		if !bytes.Equal(joined.Bytes(), all.Bytes()) {
			t.Fatalf("%+v: %d batches do not add up to the stream", lim, batches)
		}
		if src.sentSoFar() != 1000 || src.bytes != int64(all.Len()) {
			t.Errorf("%+v: sent %d lines, %d bytes", lim, src.sentSoFar(), src.bytes)
		}
	}
}

// runImport splits the stream into requests under the byte limit, sends
// each as NDJSON with the admin's token, adds up the answers and numbers
// reported bad lines over the whole stream.
func TestRunImportSplitsAndAddsUp(t *testing.T) {
	w := testWorld(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, w.Loc)
	end := now.Truncate(24 * time.Hour)
	var requests, lines int
	seen := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/imports/dossiers" || r.Header.Get("Content-Type") != "application/x-ndjson" ||
			r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(rw, "bad request", http.StatusBadRequest)
			return
		}
		requests++
		sc := bufio.NewScanner(r.Body)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		n, dup := 0, 0
		var bad []map[string]any
		for sc.Scan() {
			n++
			var line struct{ Code string }
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				bad = append(bad, map[string]any{"line": n, "error": err.Error()})
				continue
			}
			if seen[line.Code] {
				dup++
			}
			seen[line.Code] = true
			if n == 3 {
				bad = append(bad, map[string]any{"line": n, "error": "third line of the request"})
			}
		}
		lines += n
		_ = json.NewEncoder(rw).Encode(map[string]any{"imported": n - dup - len(bad), "skipped_duplicates": dup, "errors": bad})
	}))
	defer srv.Close()
	res, err := runImport(context.Background(), srv.URL, "tok", newGenerator(w, 1, end, 365, now), w.Loc, 2500, 0, 200_000, nil)
	if err != nil {
		t.Fatal(err)
	}
	if requests < 3 || lines != 2500 || res.Lines != 2500 || res.Requests != requests {
		t.Fatalf("%d requests carried %d lines (result %+v)", requests, lines, res)
	}
	if res.Imported+res.Skipped+int64(len(res.Errors)) != 2500 || len(res.Errors) != requests {
		t.Fatalf("answers do not add up: %+v", res)
	}
	if res.Errors[0].Line != 3 || res.Errors[1].Line <= 3 || res.Errors[1].Line > 2500 {
		t.Errorf("bad lines not numbered over the stream: %v", res.Errors[:2])
	}
	if res.Bytes > int64(requests)*200_000 || res.Rate() <= 0 {
		t.Errorf("%d bytes in %d requests, rate %.0f", res.Bytes, requests, res.Rate())
	}
}

func TestRunImportReportsARefusal(t *testing.T) {
	w := testWorld(t)
	now := time.Now()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.WriteHeader(http.StatusForbidden)
		_, _ = rw.Write([]byte(`{"error":{"code":"forbidden","message":"no"}}`))
	}))
	defer srv.Close()
	_, err := runImport(context.Background(), srv.URL, "tok", newGenerator(w, 1, now.Truncate(24*time.Hour), 365, now), w.Loc, 100_000, 0, 0, nil)
	var se *statusError
	if !errors.As(err, &se) || se.Status != http.StatusForbidden {
		t.Fatalf("err = %v, want the 403", err)
	}
}
