package api_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// ==== import helpers (prefix imp)

// postImport sends body as NDJSON to POST /api/v1/imports/{kind}.
func postImport(s *apptest.Server, kind, token, body string) apptest.Response {
	s.T.Helper()
	return s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/imports/" + kind, Token: token, Body: body,
		Header: map[string]string{"Content-Type": "application/x-ndjson"}})
}

// importResult is the answer of an import.
type importResult struct {
	Imported          int64 `json:"imported"`
	SkippedDuplicates int64 `json:"skipped_duplicates"`
	Errors            []struct {
		Line  int64  `json:"line"`
		Error string `json:"error"`
	} `json:"errors"`
	ErrorsTotal int64 `json:"errors_total"`
	Lines       int64 `json:"lines"`
}

// runImport imports body and returns the 200 answer.
func runImport(t *testing.T, s *apptest.Server, kind, body string) importResult {
	t.Helper()
	var r importResult
	apptest.Want(t, postImport(s, kind, s.Token("admin"), body), http.StatusOK).Decode(t, &r)
	return r
}

// tableChecksum hashes every row of the tables imports write, in id/code
// order, so that a test can tell whether anything changed.
func tableChecksum(t *testing.T, db *gorm.DB) string {
	t.Helper()
	h := sha256.New()
	for _, q := range []string{
		"SELECT * FROM dossiers ORDER BY id", "SELECT * FROM dossier_history ORDER BY id",
		"SELECT * FROM feedback ORDER BY id", "SELECT * FROM feedback_history ORDER BY id",
		"SELECT * FROM procedures ORDER BY code", "SELECT * FROM procedure_publications ORDER BY id",
	} {
		rows, err := db.Raw(q).Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprintf(h, "%v\x1f", v)
			}
			n++
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s:%d\x1e", q, n)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func countRows(t *testing.T, db *gorm.DB, q string, args ...any) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := db.Raw(q, args...).Row().Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n.Int64
}

const importProcedureCode = "2.000488" // demo: Sở Tư pháp, 10 working days

func dossierLine(code, status, times string) string {
	return fmt.Sprintf(`{"code":%q,"procedure_code":%q,"unit_code":%q,"channel":"direct","status":%q,`+
		`"applicant":{"name":"Lò Thị Dung","id_number":"012345678901"},"received_at":"2021-03-01T08:00:00+07:00"%s}`,
		code, importProcedureCode, demo.Center, status, times)
}

// TestImportsAccess: only admins import (others 403, no token 401), the
// body must be NDJSON (400), the kind must exist (404), and a declared body
// over 1 GiB is refused before reading (413); all with the error body of docs/openapi.yaml.
func TestImportsAccess(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	line := dossierLine("ACC-1", "received", "")
	for _, u := range []string{"clerk", "officer", "leader", "viewer"} {
		r := postImport(s, "dossiers", s.Token(u), line)
		if r.Status != http.StatusForbidden || r.ErrorCode() != "forbidden" {
			t.Errorf("%s: %d %s", u, r.Status, r.Body)
		}
	}
	if r := postImport(s, "dossiers", "", line); r.Status != http.StatusUnauthorized || r.ErrorCode() != "unauthenticated" {
		t.Errorf("no token: %d %s", r.Status, r.Body)
	}
	admin := s.Token("admin")
	for _, ct := range []string{"application/json", "text/plain", ""} {
		r := s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/imports/dossiers", Token: admin, Body: line,
			Header: map[string]string{"Content-Type": ct}})
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid_request" || !strings.Contains(string(r.Body), "x-ndjson") {
			t.Errorf("Content-Type %q: %d %s", ct, r.Status, r.Body)
		}
	}
	r := s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/imports/dossiers", Token: admin, Body: line,
		Header: map[string]string{"Content-Type": "application/x-ndjson; charset=utf-8"}})
	apptest.Want(t, r, http.StatusOK)
	if r := postImport(s, "ratings", admin, line); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
		t.Errorf("unknown kind: %d %s", r.Status, r.Body)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/imports/dossiers", strings.NewReader(line))
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+admin)
	req.ContentLength = 1<<30 + 1
	rec := httptest.NewRecorder()
	s.App.Handler.ServeHTTP(rec, req)
	observe(http.MethodPost, "/api/v1/imports/{kind}", rec.Code) // sent past apptest for its Content-Length
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), `"payload_too_large"`) {
		t.Errorf("over 1 GiB: %d %s", rec.Code, rec.Body)
	}
}

// TestImportDossiersThroughHTTP: good lines are stored whole and readable
// (code, times, status, history by "import", due_at from the calendar),
// bad lines are reported with their numbers, duplicates in the file and in
// the database are skipped, no dossier is left without history, the
// citizen finds the dossier by ID number, and importing the same file
// again changes nothing.
func TestImportDossiersThroughHTTP(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	db := s.App.DB
	before := countRows(t, db, "SELECT COUNT(*) FROM dossiers")
	body := strings.Join([]string{
		dossierLine("IMP-1", "returned", `,"resolved_at":"2021-03-05T10:00:00+07:00","outcome":"approved","returned_at":"2021-03-08T09:00:00+07:00"`),
		dossierLine("IMP-2", "resolved", `,"resolved_at":"2021-02-25T10:00:00+07:00","outcome":"approved"`), // 2: resolved before received
		"",
		dossierLine("IMP-3", "processing", `,"due_at":"2021-03-02T08:00:00+07:00"`),
		`{"code":"IMP-4","procedure_code":"9.999999","unit_code":"NOWHERE","channel":"direct","status":"received","applicant":{"name":"X"}}`, // 5
		dossierLine("IMP-1", "stopped", `,"stopped_at":"2021-03-02T08:00:00+07:00"`),                                                         // duplicate in the file, other content
		`{"code":"IMP-5",`, // 7: not JSON
		dossierLine("IMP-6", "withdrawn", `,"withdrawn_at":"2021-03-02T08:00:00+07:00"`),
	}, "\n") + "\n"
	r := runImport(t, s, "dossiers", body)
	if r.Imported != 3 || r.SkippedDuplicates != 1 || r.ErrorsTotal != 3 || r.Lines != 8 || len(r.Errors) != 3 {
		t.Fatalf("answer %+v", r)
	}
	wantErr := map[int64][]string{
		2: {"resolved_at: không được trước received_at"},
		5: {"procedure_code: thủ tục không tồn tại", "unit_code: đơn vị tiếp nhận không tồn tại", "received_at: bắt buộc với trạng thái received"},
		7: {"JSON không hợp lệ"},
	}
	for _, e := range r.Errors {
		for _, w := range wantErr[e.Line] {
			if !strings.Contains(e.Error, w) {
				t.Errorf("line %d: %q does not say %q", e.Line, e.Error, w)
			}
		}
		delete(wantErr, e.Line)
	}
	if len(wantErr) != 0 {
		t.Errorf("lines not reported: %v", wantErr)
	}
	if n := countRows(t, db, "SELECT COUNT(*) FROM dossiers") - before; n != 3 {
		t.Errorf("%d dossiers stored, want 3", n)
	}
	if n := countRows(t, db, "SELECT COUNT(*) FROM dossiers WHERE code IN ('IMP-2', 'IMP-4', 'IMP-5')"); n != 0 {
		t.Errorf("bad lines stored: %d", n)
	}
	if n := countRows(t, db, "SELECT COUNT(*) FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM dossier_history h WHERE h.dossier_id = d.id)"); n != 0 {
		t.Errorf("%d dossiers without history", n)
	}

	// Read back through the API.
	raw := apptest.Want(t, s.Get("/api/v1/dossiers/IMP-1", s.Token("admin")), http.StatusOK).JSON(t)
	received := time.Date(2021, 3, 1, 8, 0, 0, 0, apptest.Loc)
	cal, err := s.App.Catalog.Calendar(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.App.Catalog.Procedure(t.Context(), importProcedureCode)
	if err != nil {
		t.Fatal(err)
	}
	wantDue := cal.DueAt(received, p.ProcessingTime)
	if due, _ := time.Parse(time.RFC3339, raw["due_at"].(string)); !due.Equal(wantDue) {
		t.Errorf("due_at %v, want %v (computed from the calendar)", raw["due_at"], wantDue)
	}
	if raw["code"] != "IMP-1" || raw["status"] != "returned" || raw["status_code"].(float64) != 10 || raw["channel"] != "direct" ||
		raw["unit_code"] != demo.Center || raw["agency_code"] != demo.Justice || raw["timeliness"] != "early" ||
		raw["received_at"] != "2021-03-01T08:00:00+07:00" || raw["on_spot"] != false {
		t.Errorf("dossier %s", raw)
	}
	var actions []string
	for _, x := range raw["history"].([]any) {
		h := x.(map[string]any)
		actions = append(actions, fmt.Sprint(h["action"], ">", h["to"], "/", h["by"]))
	}
	if strings.Join(actions, " ") != "receive>received/import resolve>resolved/import return>returned/import" {
		t.Errorf("history %v", actions)
	}
	lookup := s.Get("/api/v1/public/dossiers/IMP-1?id_number=012345678901", "")
	if lookup.Status != http.StatusOK || lookup.JSON(t)["status"] != "returned" {
		t.Errorf("citizen lookup by id number: %d %s", lookup.Status, lookup.Body)
	}
	if r := s.Get("/api/v1/public/dossiers/IMP-1?pin=000000", ""); r.Status != http.StatusNotFound {
		t.Errorf("lookup by pin: %d", r.Status)
	}

	// The same file again changes nothing; so does an unrelated bad file.
	sum := tableChecksum(t, db)
	again := runImport(t, s, "dossiers", body)
	if again.Imported != 0 || again.SkippedDuplicates != 4 || again.ErrorsTotal != 3 {
		t.Errorf("re-import answer %+v", again)
	}
	if tableChecksum(t, db) != sum {
		t.Error("re-importing the same file changed the tables")
	}
}

// TestImportFeedbackAndProceduresThroughHTTP: the other two kinds, with a
// re-import that changes nothing.
func TestImportFeedbackAndProceduresThroughHTTP(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	procs := strings.Join([]string{
		`{"code":"9.000001","name":"Cấp phép thử","field":"Thử nghiệm","agency_code":"` + demo.Industry + `","level":"province",` +
			`"processing_time":{"value":7,"unit":"working_days"},"fee":50000,"online_level":"full","on_spot_eligible":true,` +
			`"national_portal_integrated":true,"publications":[{"kind":"new","decision":"602/QĐ-UBND","decided_on":"2021-05-26"}]}`,
		`{"code":"9.000002","name":"Thiếu cơ quan","field":"F","level":"province","processing_time":{"value":1,"unit":"days"},"online_level":"info"}`,
		`{"code":"` + importProcedureCode + `","name":"Trùng","field":"F","agency_code":"` + demo.Justice + `","level":"province","processing_time":{"value":1,"unit":"days"},"online_level":"info"}`,
	}, "\n")
	r := runImport(t, s, "procedures", procs)
	if r.Imported != 1 || r.SkippedDuplicates != 1 || r.ErrorsTotal != 1 || r.Errors[0].Line != 2 ||
		!strings.Contains(r.Errors[0].Error, "agency_code: bắt buộc") {
		t.Fatalf("procedures %+v", r)
	}
	p := apptest.Want(t, s.Get("/api/v1/procedures/9.000001", s.Token("admin")), http.StatusOK).JSON(t)
	if p["status"] != "active" || len(p["publications"].([]any)) != 1 || p["agency_code"] != demo.Industry {
		t.Errorf("procedure %v", p)
	}
	fb := strings.Join([]string{
		`{"code":"PAKN-IMP-1","channel":"hotline","category":"procedure","title":"Chậm","content":"Hồ sơ chậm","agency_code":"` + demo.Justice +
			`","procedure_code":"9.000001","status":"answered","answer":"Đã xử lý","received_at":"2021-06-01T08:00:00+07:00",` +
			`"answered_at":"2021-06-10T08:00:00+07:00","published_at":"2021-06-11T08:00:00+07:00"}`,
		`{"code":"PAKN-IMP-2","channel":"online","category":"other","title":"T","content":"C","status":"refused","received_at":"2021-06-01T08:00:00+07:00"}`,
	}, "\n")
	r = runImport(t, s, "feedback", fb)
	if r.Imported != 1 || r.ErrorsTotal != 1 || r.Errors[0].Line != 2 || !strings.Contains(r.Errors[0].Error, "refused_at: bắt buộc") {
		t.Fatalf("feedback %+v", r)
	}
	f := apptest.Want(t, s.Get("/api/v1/feedback/PAKN-IMP-1", s.Token("admin")), http.StatusOK).JSON(t)
	if f["status"] != "answered" || f["published"] != true {
		t.Errorf("feedback %v", f)
	}
	sum := tableChecksum(t, s.App.DB)
	runImport(t, s, "procedures", procs)
	runImport(t, s, "feedback", fb)
	if tableChecksum(t, s.App.DB) != sum {
		t.Error("re-importing changed the tables")
	}
}
