package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

type digitisationJSON struct {
	Period                    periodJSON `json:"period"`
	Scope                     scopeJSON  `json:"scope"`
	Received                  int64      `json:"received"`
	ReceivedWithFiles         int64      `json:"received_with_files"`
	ReceivedDigitised         int64      `json:"received_digitised"`
	ReceivedReused            int64      `json:"received_reused"`
	ComponentDigitisationRate rateJSON   `json:"component_digitisation_rate"`
	ReuseRate                 rateJSON   `json:"reuse_rate"`
	Resolved                  int64      `json:"resolved"`
	ResolvedWithEResult       int64      `json:"resolved_with_e_result"`
	EResultRate               rateJSON   `json:"e_result_rate"`
	ResolvedDigitised         int64      `json:"resolved_digitised"`
	DigitisationRate          rateJSON   `json:"digitisation_rate"`
	Payable                   int64      `json:"payable"`
	PaidOnline                int64      `json:"paid_online"`
	OnlinePaymentRate         rateJSON   `json:"online_payment_rate"`
	Files                     struct {
		Versions int64 `json:"versions"`
		Bytes    int64 `json:"bytes"`
	} `json:"files"`
}

// digitisationCounts are the counted figures; the rates derive from them.
type digitisationCounts struct {
	received, withFiles, digitised, reused, resolved, eResult, resolvedDigitised, payable, paidOnline, versions, bytes int64
}

func getDigitisation(t *testing.T, s *apptest.Server, tok, query string) digitisationJSON {
	t.Helper()
	r := apptest.Want(t, s.Get("/api/v1/stats/digitisation?"+query, tok), http.StatusOK)
	var out digitisationJSON
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// wantDigitisation checks every count and every rate.
func wantDigitisation(t *testing.T, what string, got digitisationJSON, w digitisationCounts) {
	t.Helper()
	have := digitisationCounts{got.Received, got.ReceivedWithFiles, got.ReceivedDigitised, got.ReceivedReused, got.Resolved,
		got.ResolvedWithEResult, got.ResolvedDigitised, got.Payable, got.PaidOnline, got.Files.Versions, got.Files.Bytes}
	if have != w {
		t.Errorf("%s:\n got  %+v\n want %+v", what, have, w)
	}
	wantRate(t, what+" component_digitisation_rate", got.ComponentDigitisationRate, w.digitised, w.received)
	wantRate(t, what+" reuse_rate", got.ReuseRate, w.reused, w.received)
	wantRate(t, what+" e_result_rate", got.EResultRate, w.eResult, w.resolved)
	wantRate(t, what+" digitisation_rate", got.DigitisationRate, w.resolvedDigitised, w.resolved)
	wantRate(t, what+" online_payment_rate", got.OnlinePaymentRate, w.paidOnline, w.payable)
}

// TestStatsDigitisation drives dossiers through the real API with the
// clock in October and November 2026: files uploaded at the counter, after
// the start, after the resolution and only after the month's end, fees
// requested and paid online or in cash, a request made in November. The
// October report, asked for in December (from the rollups) and in November
// (the period over, so also from them), counts the files and payments as
// they stood at October's end; the leaders see their scope; the CSV and
// XLSX carry the figures under Vietnamese headings; clerks and officers
// are refused; a bad period is 422.
func TestStatsDigitisation(t *testing.T) {
	t.Parallel()
	s := statsServer(t, map[string]string{"MOTCUA_TOKEN_TTL_MINUTES": "200000", "MOTCUA_STORAGE_URL": "file:" + t.TempDir()})
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, apptest.Loc)
	}
	s.Clock.Set(at(9, 30, 8))
	clerk, district, officer, leader := s.Token("clerk"), s.Token("clerk.district"), s.Token("officer"), s.Token("leader.justice")
	register := func(when time.Time, tok, proc string) string {
		t.Helper()
		s.Clock.Set(when)
		r := apptest.Want(t, s.Post("/api/v1/dossiers", tok, map[string]any{"procedure_code": proc, "channel": "direct",
			"applicant": map[string]any{"name": "Lò Thị Số"}}), http.StatusCreated)
		return r.JSON(t)["code"].(string)
	}
	act := func(when time.Time, tok, code string, body map[string]any) {
		t.Helper()
		s.Clock.Set(when)
		apptest.Want(t, s.Post("/api/v1/dossiers/"+code+"/actions", tok, body), http.StatusOK)
	}
	var octBytes, novBytes int64
	upload := func(when time.Time, tok, code, query string, body []byte) {
		t.Helper()
		s.Clock.Set(when)
		apptest.Want(t, s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers/" + code + "/files?" + query,
			Token: tok, Body: body}), http.StatusCreated)
		if when.Month() == time.October {
			octBytes += int64(len(body))
		} else {
			novBytes += int64(len(body))
		}
	}
	scan := func(page string) []byte { return scanPDF("% " + page) }
	result := func(code string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?><KetQua><SoHoSo>` + code + `</SoHoSo></KetQua>`)
	}
	name := "name=" + url.QueryEscape("Tờ khai.pdf")

	// Before October: not in the report.
	register(at(9, 30, 23), clerk, "1.001")
	// A: scanned at the counter, resolved with an electronic result.
	a := register(at(10, 2, 9), clerk, "1.001")
	upload(at(10, 2, 10), clerk, a, name, scan("A"))
	act(at(10, 2, 11), officer, a, map[string]any{"action": "start"})
	upload(at(10, 6, 9), officer, a, "kind=result&name=ket-qua.xml", result(a))
	act(at(10, 6, 10), leader, a, map[string]any{"action": "resolve", "outcome": "approved"})
	// B: a paper reused from the citizen's store; resolved without a result,
	// whose result file comes only in November.
	b := register(at(10, 5, 9), clerk, "1.001")
	upload(at(10, 5, 10), clerk, b, name+"&reused=true", scan("B"))
	act(at(10, 5, 11), officer, b, map[string]any{"action": "start"})
	act(at(10, 8, 10), leader, b, map[string]any{"action": "resolve", "outcome": "approved"})
	upload(at(11, 3, 9), officer, b, "kind=result&name=ket-qua.xml", result(b))
	// C: a fee paid online in October; its paper scanned only in November.
	c := register(at(10, 12, 9), clerk, "1.001")
	act(at(10, 12, 10), officer, c, map[string]any{"action": "start"})
	act(at(10, 13, 9), officer, c, map[string]any{"action": "request_payment", "amount": 50000})
	act(at(10, 14, 9), clerk, c, map[string]any{"action": "confirm_payment", "method": "online"})
	upload(at(11, 4, 9), officer, c, name, scan("C"))
	// D: a fee paid in cash.
	d := register(at(10, 20, 9), clerk, "1.001")
	act(at(10, 20, 10), officer, d, map[string]any{"action": "start"})
	act(at(10, 21, 9), officer, d, map[string]any{"action": "request_payment", "amount": 20000})
	act(at(10, 22, 9), clerk, d, map[string]any{"action": "confirm_payment", "method": "cash"})
	// E: received on 31 October, its fee asked for on 1 November.
	e := register(at(10, 31, 23), clerk, "1.001")
	act(at(11, 1, 8), officer, e, map[string]any{"action": "start"})
	act(at(11, 1, 9), officer, e, map[string]any{"action": "request_payment", "amount": 20000})
	// G: at the district, a paper from a national database (not scanned).
	g := register(at(10, 15, 9), district, "1.004")
	upload(at(10, 15, 10), district, g, name+"&from_national_db=true", scan("G"))

	province := digitisationCounts{received: 6, withFiles: 3, digitised: 1, reused: 2, resolved: 2, eResult: 1,
		resolvedDigitised: 1, payable: 2, paidOnline: 1, versions: 4, bytes: octBytes}
	justice := province
	justice.received, justice.withFiles, justice.reused, justice.versions = 5, 2, 1, 3
	justice.bytes = octBytes - int64(len(scan("G")))
	districtOnly := digitisationCounts{received: 1, withFiles: 1, reused: 1, versions: 1, bytes: int64(len(scan("G")))}

	// Asked in November, October is over: as it stood at its end.
	s.Clock.Set(at(11, 5, 9))
	viewer := s.Token("viewer")
	oct := getDigitisation(t, s, viewer, "month=2026-10")
	wantDigitisation(t, "October in November", oct, province)
	if oct.Period.From != "2026-10-01" || oct.Period.To != "2026-10-31" || oct.Scope.UnitCode != nil {
		t.Errorf("period %+v scope %+v", oct.Period, oct.Scope)
	}
	// November so far (judged at now): the files stored in it, no dossier.
	wantDigitisation(t, "November so far", getDigitisation(t, s, viewer, "month=2026-11"),
		digitisationCounts{versions: 2, bytes: novBytes})
	// Asked in December: the same October.
	s.Clock.Set(at(12, 2, 9))
	viewer, leader = s.Token("viewer"), s.Token("leader.justice")
	wantDigitisation(t, "October in December", getDigitisation(t, s, viewer, "month=2026-10"), province)
	wantDigitisation(t, "October and November", getDigitisation(t, s, viewer, "from=2026-10-01&to=2026-11-30"),
		digitisationCounts{received: 6, withFiles: 4, digitised: 2, reused: 2, resolved: 2, eResult: 2, resolvedDigitised: 1,
			payable: 3, paidOnline: 1, versions: 6, bytes: octBytes + novBytes})

	// Scopes: the department's leader sees its dossiers, the district's
	// its own, a unit outside a leader's scope is 403.
	wantDigitisation(t, "leader.justice", getDigitisation(t, s, leader, "month=2026-10"), justice)
	wantDigitisation(t, "leader.district", getDigitisation(t, s, s.Token("leader.district"), "month=2026-10"), districtOnly)
	wantDigitisation(t, "viewer narrowed to the district", getDigitisation(t, s, viewer, "month=2026-10&unit_code="+districtCode), districtOnly)
	wantError(t, s.Get("/api/v1/stats/digitisation?month=2026-10&unit_code="+districtCode, leader), http.StatusForbidden, "forbidden")

	// Refused roles and bad periods.
	for _, u := range []string{"clerk", "officer"} {
		wantError(t, s.Get("/api/v1/stats/digitisation?month=2026-10", s.Token(u)), http.StatusForbidden, "forbidden")
	}
	for _, q := range []string{"month=2026-13", "", "month=2026-10&year=2026", "month=2027-01", "month=2026-10&format=pdf", "month=2026-10&unit_code=NOPE"} {
		wantError(t, s.Get("/api/v1/stats/digitisation?"+q, viewer), http.StatusUnprocessableEntity, "validation_failed")
	}

	// CSV: the headings and the one row of figures.
	r := s.Get("/api/v1/stats/digitisation?month=2026-10&format=csv", viewer)
	if fn := wantDownload(t, r, "text/csv", "csv"); fn != "thong-ke-so-hoa-ket-qua-dien-tu-thanh-toan-truc-tuyen_2026-10_toan-tinh.csv" {
		t.Errorf("file name %q", fn)
	}
	recs := readCSV(t, r.Body)
	wantHead := []string{"Tiếp nhận", "Có thành phần hồ sơ điện tử", "Có thành phần số hóa", "Có thành phần tái sử dụng, khai thác từ CSDL",
		"Tỷ lệ số hóa thành phần hồ sơ (%)", "Tỷ lệ tái sử dụng thành phần hồ sơ (%)", "Đã giải quyết", "Có kết quả điện tử",
		"Tỷ lệ cấp kết quả điện tử (%)", "Số hóa thành phần và có kết quả điện tử", "Tỷ lệ số hóa hồ sơ (%)", "Có nghĩa vụ tài chính",
		"Thanh toán trực tuyến", "Tỷ lệ thanh toán trực tuyến (%)", "Số phiên bản tệp lưu trữ", "Dung lượng tệp lưu trữ (byte)"}
	wantRow := []string{"6", "3", "1", "2", "16.67", "33.33", "2", "1", "50", "1", "50", "2", "1", "50", "4", strconv.FormatInt(octBytes, 10)}
	if len(recs) != 2 || !equalStrings(recs[0], wantHead) || !equalStrings(recs[1], wantRow) {
		t.Errorf("CSV %q, want\n%q\n%q", recs, wantHead, wantRow)
	}
	// Accept: text/csv asks for the same.
	if r := s.Do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/stats/digitisation?month=2026-10", Token: viewer,
		Header: map[string]string{"Accept": "text/csv"}}); !bytes.Equal(r.Body, s.Get("/api/v1/stats/digitisation?month=2026-10&format=csv", viewer).Body) {
		t.Error("Accept: text/csv does not answer the CSV")
	}

	// XLSX: title, period and unit, then the headings over the row.
	x := s.Get("/api/v1/stats/digitisation?month=2026-10&format=xlsx", leader)
	wantDownload(t, x, xlsxType, "xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close() //nolint:errcheck
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 6 || rows[0][0] != "THỐNG KÊ SỐ HÓA HỒ SƠ, CẤP KẾT QUẢ ĐIỆN TỬ VÀ THANH TOÁN TRỰC TUYẾN" ||
		rows[2][0] != "Đơn vị: Sở Tư pháp ("+justiceCode+")" || !equalStrings(rows[4], wantHead) || rows[5][0] != "5" {
		t.Errorf("sheet %q rows %q", sheet, rows)
	}
	if v, _ := f.GetCellValue(sheet, "E6", excelize.Options{RawCellValue: true}); v != "20" {
		t.Errorf("component digitisation rate cell %q, want 20 (1 of 5)", v)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
