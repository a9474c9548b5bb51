package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// dvcqgSyncJSON is a dossier's dvcqg_sync (§14.3).
type dvcqgSyncJSON struct {
	Status        string  `json:"status"`
	SyncedAt      *string `json:"synced_at"`
	SyncedVersion *int    `json:"synced_version"`
	Attempts      int     `json:"attempts"`
	LastAttemptAt *string `json:"last_attempt_at"`
	NextAttemptAt *string `json:"next_attempt_at"`
	LastError     *string `json:"last_error"`
}

type dvcqgDetailJSON struct {
	Code      string         `json:"code"`
	Version   int            `json:"version"`
	DVCQGSync *dvcqgSyncJSON `json:"dvcqg_sync"`
}

type dvcqgSyncListJSON struct {
	Items []struct {
		Code       string        `json:"code"`
		ReceivedAt string        `json:"received_at"`
		DVCQGSync  dvcqgSyncJSON `json:"dvcqg_sync"`
	} `json:"items"`
	Page     int `json:"page"`
	PageSize int `json:"page_size"`
	Total    int `json:"total"`
}

type dvcqgStatsJSON struct {
	Period   map[string]any `json:"period"`
	Scope    map[string]any `json:"scope"`
	Received int            `json:"received"`
	Synced   int            `json:"synced"`
	Pending  int            `json:"pending"`
	Failed   int            `json:"failed"`
	SyncRate struct {
		Value       *float64 `json:"value"`
		Numerator   int      `json:"numerator"`
		Denominator int      `json:"denominator"`
	} `json:"sync_rate"`
}

func syncOf(t *testing.T, e *env, code, tok string) (dvcqgSyncJSON, int) {
	t.Helper()
	d := decodeAs[dvcqgDetailJSON](t, apptest.Want(t, e.get("/api/v1/dossiers/"+code, tok), http.StatusOK))
	if d.DVCQGSync == nil {
		t.Fatalf("%s: no dvcqg_sync", code)
	}
	return *d.DVCQGSync, d.Version
}

func listCodes(l dvcqgSyncListJSON) map[string]dvcqgSyncJSON {
	out := map[string]dvcqgSyncJSON{}
	for _, it := range l.Items {
		out[it.Code] = it.DVCQGSync
	}
	return out
}

// While MOTCUA_DVCQG_URL is empty nothing is written and every dossier is
// not_synced; the re-queue is refused.
func TestDVCQGSyncWhilePushIsOff(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin, viewer := freshToken(e, "admin"), freshToken(e, "viewer")
	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	actOnDossier(t, e, "officer", code, map[string]any{"action": "start"})
	for _, tok := range []string{admin, viewer, freshToken(e, "clerk"), freshToken(e, "officer")} {
		st, _ := syncOf(t, e, code, tok)
		if st != (dvcqgSyncJSON{Status: "not_synced"}) {
			t.Fatalf("push off: %+v", st)
		}
	}
	var rows int64
	if err := e.s.App.DB.Raw("SELECT COUNT(*) FROM dvcqg_sync").Scan(&rows).Error; err != nil || rows != 0 {
		t.Fatalf("%d sync rows written while the push is off (%v)", rows, err)
	}
	l := decodeAs[dvcqgSyncListJSON](t, apptest.Want(t, e.get("/api/v1/integrations/dvcqg/dossiers?page_size=500", viewer), http.StatusOK))
	if st, ok := listCodes(l)[code]; !ok || st.Status != "not_synced" || l.Total != len(l.Items) {
		t.Fatalf("list: %+v", l)
	}
	for _, it := range l.Items {
		if it.DVCQGSync.Status != "not_synced" {
			t.Fatalf("push off: %+v", it)
		}
	}
	if l := decodeAs[dvcqgSyncListJSON](t, apptest.Want(t, e.get("/api/v1/integrations/dvcqg/dossiers?status=pending", admin), http.StatusOK)); l.Total != 0 || len(l.Items) != 0 {
		t.Fatalf("pending while off: %+v", l)
	}
	wantError(t, e.post("/api/v1/integrations/dvcqg/dossiers/"+code+"/sync", admin, nil), http.StatusConflict, "integration_disabled")
	s := decodeAs[dvcqgStatsJSON](t, apptest.Want(t, e.get("/api/v1/stats/dvcqg?month=2026-11", viewer), http.StatusOK))
	if s.Received == 0 || s.Synced != 0 || s.Pending != 0 || s.Failed != 0 || s.SyncRate.Value == nil || *s.SyncRate.Value != 0 ||
		s.SyncRate.Denominator != s.Received {
		t.Fatalf("stats while off: %+v", s)
	}
}

// The list's filters and their refusals.
func TestDVCQGSyncListFilters(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	viewer := freshToken(e, "viewer")
	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	online := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "online"))["code"].(string)
	for q, want := range map[string]bool{
		"received_from=2026-11-23&received_to=2026-11-23": true,
		"received_from=2026-11-23":                        true,
		"received_to=2026-11-22":                          false,
		"received_from=2026-11-23T08:00:00%2B07:00&received_to=2026-11-23T10:00:00%2B07:00": true,
		"received_from=2026-11-23T09:30:00%2B07:00":                                         false,
		"status=not_synced&unit_code=" + "000.00.20.H99":                                    true,
	} {
		l := decodeAs[dvcqgSyncListJSON](t, apptest.Want(t, e.get("/api/v1/integrations/dvcqg/dossiers?page_size=500&"+q, viewer), http.StatusOK))
		got := listCodes(l)
		if _, ok := got[code]; ok != want {
			t.Errorf("%s: has %s = %v", q, code, ok)
		}
		if _, ok := got[online]; ok {
			t.Errorf("%s: lists the online submission never received", q)
		}
	}
	for _, q := range []string{"status=done", "received_from=2026-11-31", "received_from=2026-11-23&received_to=2026-11-22T00:00:00Z",
		"received_from=2026-11-23&received_to=2026-11-22", "unit_code=NOPE", "page_size=501"} {
		wantError(t, e.get("/api/v1/integrations/dvcqg/dossiers?"+q, viewer), http.StatusUnprocessableEntity, "validation_failed")
	}
	wantError(t, e.get("/api/v1/integrations/dvcqg/dossiers", freshToken(e, "clerk")), http.StatusForbidden, "forbidden")
	wantError(t, e.get("/api/v1/integrations/dvcqg/dossiers", ""), http.StatusUnauthorized, "unauthenticated")
}

// acceptingPortal is a stand-in portal that accepts every record.
func acceptingPortal(t *testing.T) (*httptest.Server, func() int) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		n++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"error_code":"0","message":"ok"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// With the push on: every change marks the dossier pending, the worker's
// acceptance shows as synced, the re-queue makes it pending again, and the
// stat counts it.
func TestDVCQGSyncWithPushOn(t *testing.T) {
	t.Parallel()
	srv, calls := acceptingPortal(t)
	e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_DVCQG_URL": srv.URL, "MOTCUA_DVCQG_USERNAME": "u",
		"MOTCUA_DVCQG_PASSWORD": "p-secret", "MOTCUA_DVCQG_INTERVAL": "1", "MOTCUA_DVCQG_RETRY_BASE": "1", "MOTCUA_DVCQG_TIMEOUT": "1"}})
	admin, viewer := freshToken(e, "admin"), freshToken(e, "viewer")
	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	online := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "online"))["code"].(string)
	if st, _ := syncOf(t, e, code, viewer); st.Status != "pending" || st.Attempts != 0 || st.NextAttemptAt == nil || st.SyncedAt != nil {
		t.Fatalf("registered: %+v", st)
	}
	if st, _ := syncOf(t, e, online, admin); st.Status != "not_synced" {
		t.Fatalf("an online submission not received: %+v", st)
	}
	s := decodeAs[dvcqgStatsJSON](t, apptest.Want(t, e.get("/api/v1/stats/dvcqg?month=2026-11", viewer), http.StatusOK))
	if s.Pending == 0 || s.Synced != 0 {
		t.Fatalf("stats before the push: %+v", s)
	}

	if n := e.s.App.DVCQGPush.RunOnce(context.Background()); n == 0 || calls() != n {
		t.Fatalf("pushed %d, the portal saw %d", n, calls())
	}
	st, v := syncOf(t, e, code, admin)
	if st.Status != "synced" || st.SyncedVersion == nil || *st.SyncedVersion != v || st.SyncedAt == nil || st.LastAttemptAt == nil {
		t.Fatalf("after the push: %+v", st)
	}
	s = decodeAs[dvcqgStatsJSON](t, apptest.Want(t, e.get("/api/v1/stats/dvcqg?month=2026-11", viewer), http.StatusOK))
	if s.Synced != s.Received || s.Pending != 0 || s.SyncRate.Value == nil || *s.SyncRate.Value != 100 {
		t.Fatalf("stats after the push: %+v", s)
	}
	l := decodeAs[dvcqgSyncListJSON](t, apptest.Want(t, e.get("/api/v1/integrations/dvcqg/dossiers?status=synced&page_size=500", viewer), http.StatusOK))
	if st, ok := listCodes(l)[code]; !ok || st.Status != "synced" {
		t.Fatalf("synced list: %+v", l)
	}

	// The re-queue: pending, attempts 0, due at once.
	r := apptest.Want(t, e.post("/api/v1/integrations/dvcqg/dossiers/"+code+"/sync", admin, nil), http.StatusAccepted)
	q := decodeAs[struct {
		Code      string        `json:"code"`
		DVCQGSync dvcqgSyncJSON `json:"dvcqg_sync"`
	}](t, r)
	if q.Code != code || q.DVCQGSync.Status != "pending" || q.DVCQGSync.Attempts != 0 || q.DVCQGSync.NextAttemptAt == nil ||
		q.DVCQGSync.SyncedVersion == nil {
		t.Fatalf("re-queued: %s", r.Body)
	}
	// A dossier the portal never saw: re-queued before any push.
	fresh := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	r = apptest.Want(t, e.post("/api/v1/integrations/dvcqg/dossiers/"+fresh+"/sync", admin, nil), http.StatusAccepted)
	if q := decodeAs[struct {
		Code      string        `json:"code"`
		DVCQGSync dvcqgSyncJSON `json:"dvcqg_sync"`
	}](t, r); q.DVCQGSync.Status != "pending" || q.DVCQGSync.SyncedAt != nil || q.DVCQGSync.SyncedVersion != nil ||
		q.DVCQGSync.LastAttemptAt != nil {
		t.Fatalf("re-queued before any push: %s", r.Body)
	}
	wantError(t, e.post("/api/v1/integrations/dvcqg/dossiers/"+online+"/sync", admin, nil), http.StatusConflict, "not_received")
	wantError(t, e.post("/api/v1/integrations/dvcqg/dossiers/000.00.20.H99-261123-9999/sync", admin, nil), http.StatusNotFound, "not_found")
	wantError(t, e.post("/api/v1/integrations/dvcqg/dossiers/"+code+"/sync", viewer, nil), http.StatusForbidden, "forbidden")
	wantError(t, e.post("/api/v1/integrations/dvcqg/dossiers/"+code+"/sync", "", nil), http.StatusUnauthorized, "unauthenticated")
	before := calls()
	e.s.App.DVCQGPush.RunOnce(context.Background())
	if calls() != before+2 { // the two re-queued dossiers
		t.Fatalf("the re-queues pushed %d times", calls()-before)
	}
	if st, _ := syncOf(t, e, code, admin); st.Status != "synced" {
		t.Fatalf("after the re-queue: %+v", st)
	}
	if strings.Contains(e.s.Logged(), "p-secret") {
		t.Fatal("the password is in the log")
	}
}

// The stat as CSV and XLSX, with §8's refusals.
func TestDVCQGSyncStatExports(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	viewer, leader := freshToken(e, "viewer"), freshToken(e, "leader")
	r := e.get("/api/v1/stats/dvcqg?month=2026-11&format=csv", viewer)
	if fn := wantDownload(t, r, "text/csv", "csv"); fn != "thong-ke-dong-bo-dvcqg_2026-11_toan-tinh.csv" {
		t.Errorf("file name %q", fn)
	}
	recs := readCSV(t, r.Body)
	wantHead := []string{"Tiếp nhận", "Đã đồng bộ", "Đang chờ đồng bộ", "Đồng bộ lỗi", "Tỷ lệ đồng bộ (%)"}
	if len(recs) != 2 || !equalStrings(recs[0], wantHead) || recs[1][1] != "0" || recs[1][4] != "0" {
		t.Errorf("CSV %q", recs)
	}
	x := e.get("/api/v1/stats/dvcqg?month=2026-11&format=xlsx", leader)
	wantDownload(t, x, xlsxType, "xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close() //nolint:errcheck
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 5 || rows[0][0] != "THỐNG KÊ ĐỒNG BỘ HỒ SƠ LÊN CỔNG DỊCH VỤ CÔNG QUỐC GIA" {
		t.Errorf("XLSX rows %q", rows)
	}
	for _, q := range []string{"month=2026-13", "", "month=2026-10&year=2026", "month=2027-01", "month=2026-10&format=pdf", "month=2026-10&unit_code=NOPE"} {
		wantError(t, e.get("/api/v1/stats/dvcqg?"+q, viewer), http.StatusUnprocessableEntity, "validation_failed")
	}
	for _, u := range []string{"clerk", "officer"} {
		wantError(t, e.get("/api/v1/stats/dvcqg?month=2026-11", freshToken(e, u)), http.StatusForbidden, "forbidden")
	}
	wantError(t, e.get("/api/v1/stats/dvcqg?month=2026-11", ""), http.StatusUnauthorized, "unauthenticated")
}

// An import marks its received dossiers pending, in its transaction (the
// INSERT path on SQLite, COPY on PostgreSQL).
func TestDVCQGSyncImportMarksPending(t *testing.T) {
	t.Parallel()
	srv, _ := acceptingPortal(t)
	e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_DVCQG_URL": srv.URL}})
	body := dossierLine("IMP-DVCQG-1", "processing", `,"due_at":"2021-03-02T08:00:00+07:00"`) + "\n" +
		dossierLine("IMP-DVCQG-2", "returned", `,"resolved_at":"2021-03-05T10:00:00+07:00","outcome":"approved","returned_at":"2021-03-08T09:00:00+07:00"`) + "\n"
	if r := runImport(t, e.s, "dossiers", body); r.Imported != 2 {
		t.Fatalf("import %+v", r)
	}
	admin := freshToken(e, "admin")
	for _, code := range []string{"IMP-DVCQG-1", "IMP-DVCQG-2"} {
		if st, _ := syncOf(t, e, code, admin); st.Status != "pending" || st.Attempts != 0 {
			t.Fatalf("%s imported: %+v", code, st)
		}
	}
}
