package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/internal/benchkit"
	"github.com/motcua/motcua/cmd/internal/loadgen"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/repository"
)

// refForm06 counts form 06 straight from docs/domain.md over records, per
// reception unit, for the dossiers inside units (nil: all).
func refForm06(recs []loadgen.Record, start, end time.Time, units []string, loc *time.Location) form06Answer {
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(start) && t.Before(end) }
	scope := map[string]bool{}
	for _, u := range units {
		scope[u] = true
	}
	ans := form06Answer{Rows: map[string]counts{}}
	for i := range recs {
		r := &recs[i]
		if units != nil && !scope[r.Unit] && !scope[r.Agency] {
			continue
		}
		fin := r.Resolved
		if fin.IsZero() {
			fin = r.Withdrawn
		}
		if fin.IsZero() {
			fin = r.Stopped
		}
		var c counts
		got := !r.Received.IsZero()
		if got && r.Received.Before(start) && (fin.IsZero() || !fin.Before(start)) {
			c.CarriedOver++
		}
		if in(r.Received) {
			if r.Channel == "online" {
				c.ReceivedOnline++
			} else {
				c.ReceivedDirectPostal++
			}
		}
		if got && in(r.Resolved) {
			c.ResolvedTotal++
			switch r.Timeliness(loc) {
			case "early":
				c.ResolvedEarly++
			case "on_time":
				c.ResolvedOnTime++
			case "late":
				c.ResolvedLate++
			}
			if r.OnSpot {
				c.OnSpotResolved++
			}
		}
		if got && r.Received.Before(end) && (fin.IsZero() || !fin.Before(end)) {
			if r.Due.Before(end) {
				c.InProgressOverdue++
			} else {
				c.InProgressWithin++
			}
		}
		if got && in(r.Withdrawn) {
			c.Withdrawn++
		}
		if got && in(r.Stopped) {
			c.Stopped++
		}
		if in(r.Rejected) {
			c.Rejected++
		}
		c.derive()
		if c != (counts{}) {
			row := ans.Rows[r.Unit]
			row.add(c)
			ans.Rows[r.Unit] = row
			ans.Total.add(c)
		}
	}
	return ans
}

// openMigratedSQLite returns the floors' connection to a fresh SQLite file
// with the server's schema (its migrations), foreign keys off so the test
// needs no catalogue rows.
func openMigratedSQLite(t *testing.T) (*floorDB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "floor.db")
	g, err := repository.Open(repository.Options{URL: "sqlite:" + path})
	if err != nil {
		t.Fatal(err)
	}
	if err := repository.Migrate(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	if err := repository.Close(g); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return &floorDB{engine: "sqlite", sql: db}, path
}

// The form-06 floor is the yardstick the server's report is checked
// against, so it is checked itself: on the server's own schema, for random
// months and scopes, it must equal docs/domain.md's definitions counted in Go.
func TestForm06FloorEqualsTheDefinitions(t *testing.T) {
	ctx := context.Background()
	w := loadgen.SmallProvince()
	fdb, _ := openMigratedSQLite(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, w.Loc)
	end := time.Date(2026, 11, 23, 0, 0, 0, 0, w.Loc)
	const n = 3000
	pins := domain.NewPinHasher([]byte(benchkit.DataKey))
	if _, err := fdb.bulkLoad(ctx, "dossiers", loadgen.NewGenerator(w, 11, end, 365, now), n, 7, pins, w.Loc); err != nil {
		t.Fatal(err)
	}
	recs := loadgen.NewGenerator(w, 11, end, 365, now).Records(n)
	var total int64
	for m := 0; m < 13; m++ {
		start := time.Date(2025, time.Month(11+m), 1, 0, 0, 0, 0, w.Loc)
		stop := start.AddDate(0, 1, 0)
		for _, units := range [][]string{nil, w.Subtree("C"), w.Subtree("D"), w.Subtree("J")} {
			got, err := fdb.form06(ctx, start, stop, units)
			if err != nil {
				t.Fatal(err)
			}
			want := refForm06(recs, start, stop, units, w.Loc)
			if d := got.compare(want); len(d) > 0 {
				t.Fatalf("%s scope %v: floor differs from the definitions: %v", start.Format("2006-01"), units, d)
			}
			total += got.Total.ReceivedTotal + got.Total.Rejected
		}
	}
	if total == 0 {
		t.Fatal("every month came out empty: the test compared nothing")
	}
}

func TestForm06CompareFindsDifferences(t *testing.T) {
	a := form06Answer{Rows: map[string]counts{"C": {ReceivedOnline: 2, ReceivedTotal: 2}}, Total: counts{ReceivedOnline: 2, ReceivedTotal: 2}}
	b := form06Answer{Rows: map[string]counts{"C": {ReceivedOnline: 2, ReceivedTotal: 2}, "D": {}}, Total: counts{ReceivedOnline: 2, ReceivedTotal: 2}}
	if d := a.compare(b); len(d) != 0 {
		t.Fatalf("equal answers (an empty row counts as none) differ: %v", d)
	}
	b.Rows["D"] = counts{Stopped: 1}
	b.Total.Stopped = 1
	d := a.compare(b)
	if len(d) != 2 || !strings.Contains(d[0], "total: stopped 0≠1") || !strings.Contains(d[1], "D: stopped 0≠1") {
		t.Fatalf("differences %v", d)
	}
}

// The bulk-load floor writes every generated row into a copy of the
// server's table (same schema, indexes and constraints).
func TestBulkLoadFloorFillsTheScratchCopy(t *testing.T) {
	ctx := context.Background()
	w := loadgen.SmallProvince()
	fdb, _ := openMigratedSQLite(t)
	if err := fdb.prepareFloorTable(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	pins := domain.NewPinHasher([]byte(benchkit.DataKey))
	for _, rows := range []int{1, 7} {
		if err := fdb.exec(ctx, "DELETE FROM "+floorTable); err != nil {
			t.Fatal(err)
		}
		if _, err := fdb.bulkLoad(ctx, floorTable, loadgen.NewGenerator(w, 5, now.Truncate(24*time.Hour), 365, now), 1003, rows, pins, w.Loc); err != nil {
			t.Fatalf("%d rows a statement: %v", rows, err)
		}
		var n, codes int
		if err := fdb.sql.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(DISTINCT code) FROM "+floorTable).Scan(&n, &codes); err != nil {
			t.Fatal(err)
		}
		if n != 1003 || codes != 1003 {
			t.Fatalf("%d rows a statement: %d rows, %d codes, want 1003", rows, n, codes)
		}
	}
	var idx int
	if err := fdb.sql.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", floorTable).Scan(&idx); err != nil {
		t.Fatal(err)
	}
	if idx < 8 {
		t.Errorf("the scratch copy has %d indexes, want those of dossiers", idx)
	}
}

// The lookup floor answers like the server: the public fields, the masked
// name, the stages, and the same 404 for a wrong pin and an unknown code.
func TestFloorLookupHandler(t *testing.T) {
	ctx := context.Background()
	fdb, _ := openMigratedSQLite(t)
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	pins := domain.NewPinHasher([]byte(benchkit.DataKey))
	code := "C-261123-0001"
	recv := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	_, err := fdb.sql.ExecContext(ctx, `INSERT INTO dossiers (id, code, procedure_code, unit_code, agency_code, holder_unit, channel,
 status, status_code, applicant_name, pin_hash, processing_value, processing_unit, submitted_at, received_at, due_at, appointment_at,
 created_at, updated_at) VALUES (1, ?, 'p', 'C', 'J', 'J', 'direct', 'received', 2, 'Nguyễn Văn An', ?, 1, 'working_days', ?, ?, ?, ?, ?, ?)`,
		code, pins.Hash(code, "123456"), recv, recv, recv.Add(24*time.Hour), recv.Add(24*time.Hour), recv, recv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fdb.sql.ExecContext(ctx, `INSERT INTO dossier_history (dossier_id, action, to_status, at, by_user) VALUES (1, 'receive', 'received', ?, 'clerk')`, recv); err != nil {
		t.Fatal(err)
	}
	h := &floorLookupHandler{store: sqlLookup{db: fdb.sql}, pins: pins, loc: loc,
		procs: map[string]string{"p": "Thủ tục P"}, agencies: map[string]string{"J": "Sở Tư pháp", "C": "Trung tâm"}}
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/public/dossiers/{code}", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := get("/api/v1/public/dossiers/" + code + "?pin=123456")
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if out["applicant_name"] != "N***** V** A*" || out["procedure_name"] != "Thủ tục P" || out["agency_name"] != "Sở Tư pháp" ||
		out["status_code"] != float64(2) || out["received_at"] != "2026-11-23T09:00:00+07:00" || out["resolved_at"] != nil ||
		out["unit_name"] != "Trung tâm" || out["outcome"] != nil || out["reschedule"] != nil || out["rated"] != false {
		t.Errorf("answer %s", body)
	}
	if n, _ := out["next_step"].(map[string]any); n["kind"] != "wait" || n["reason"] != nil || n["amount"] != nil || len(n["items"].([]any)) != 0 {
		t.Errorf("next step %v", out["next_step"])
	}
	if st := out["stages"].([]any); len(st) != 1 || st[0].(map[string]any)["action"] != "receive" {
		t.Errorf("stages %v", out["stages"])
	}
	wrong, wb := get("/api/v1/public/dossiers/" + code + "?pin=654321")
	unknown, ub := get("/api/v1/public/dossiers/C-261123-0009?pin=123456")
	if wrong != 404 || unknown != 404 || wb != ub {
		t.Errorf("wrong pin %d %s, unknown code %d %s", wrong, wb, unknown, ub)
	}
	if bad, _ := get("/api/v1/public/dossiers/" + code + "?pin=12"); bad != 422 {
		t.Errorf("malformed pin: %d", bad)
	}
}

func TestReportFormatting(t *testing.T) {
	r := &report{PeakRSSMB: map[string]int64{}}
	r.add(figure{Name: "tp", Motcua: num(700), Floor: num(1000), RatioKind: ratioMF})
	r.add(figure{Name: "lat", Motcua: num(4), Floor: num(1), RatioKind: ratioFM})
	r.add(figure{Name: "none", Motcua: num(4)})
	if *r.Figures[0].Ratio != 0.7 || *r.Figures[1].Ratio != 0.25 || r.Figures[2].Ratio != nil {
		t.Errorf("ratios %v %v %v", *r.Figures[0].Ratio, *r.Figures[1].Ratio, r.Figures[2].Ratio)
	}
	for v, want := range map[float64]string{1234567: "1,234,567", 150.4: "150", 12.34: "12.3", 0.456: "0.46"} {
		if got := format(num(v)); got != want {
			t.Errorf("format(%v) = %s, want %s", v, got, want)
		}
	}
	if format(nil) != "—" || thousands(-1234) != "-1,234" {
		t.Error("format of nothing or a negative")
	}
	first, second, start := halvesPeak([]rssSample{{At: 0, KB: 10}, {At: 1, KB: 30}, {At: 2, KB: 20}, {At: 3, KB: 25}, {At: 4, KB: 22}})
	if first != 30 || second != 25 || start != 10 {
		t.Errorf("halvesPeak = %d %d %d", first, second, start)
	}
}

// fakeRows serves fixed (code, name) rows through rowScanner.
type fakeRows struct {
	rows [][2]string
	i    int
}

func (f *fakeRows) Next() bool { f.i++; return f.i <= len(f.rows) }
func (f *fakeRows) Scan(dest ...any) error {
	*dest[0].(*string), *dest[1].(*string) = f.rows[f.i-1][0], f.rows[f.i-1][1]
	return nil
}
func (f *fakeRows) Err() error { return nil }

// The floors' names come from one reader for both drivers: each query's
// rows, and every opened result closed.
func TestLoadNamesReadsBothTables(t *testing.T) {
	closed := 0
	procs, agencies, err := loadNames(func(q string) (rowScanner, func(), error) {
		rows := [][2]string{{"1.000001", "Thủ tục một"}, {"1.000002", "Thủ tục hai"}}
		if strings.Contains(q, "agencies") {
			rows = [][2]string{{"000.00.09.H99", "Sở Tư pháp"}}
		}
		return &fakeRows{rows: rows}, func() { closed++ }, nil
	})
	if err != nil || len(procs) != 2 || procs["1.000002"] != "Thủ tục hai" || len(agencies) != 1 ||
		agencies["000.00.09.H99"] != "Sở Tư pháp" || closed != 2 {
		t.Fatalf("procs %v agencies %v closed %d %v", procs, agencies, closed, err)
	}
}
