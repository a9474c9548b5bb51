package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// ==== the printed papers of one dossier (forms 01–05), read back from the PDFs

func ppPaper(code, paper string) string {
	return "/api/v1/dossiers/" + code + "/papers/" + paper + ".pdf"
}

func TestPaperReceipt(t *testing.T) {
	e := ppStart(t)
	reg := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	code, pin := reg["code"].(string), reg["lookup_pin"].(string)
	url := ppPublicURL + "/tra-cuu/" + code
	for k, want := range map[string]any{"lookup_url": url, "procedure_name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
		"unit_name": "Trung tâm Phục vụ hành chính công tỉnh", "agency_name": "Sở Tư pháp",
		"received_by_name": "Nguyễn Thị Lan (một cửa tỉnh)", "fee": float64(200000)} {
		if reg[k] != want {
			t.Errorf("registration %s = %v, want %v", k, reg[k], want)
		}
	}
	got := obj(t, apptest.Want(t, e.get("/api/v1/dossiers/"+code, freshToken(e, "clerk")), http.StatusOK))
	if got["lookup_url"] != url {
		t.Errorf("GET lookup_url = %v", got["lookup_url"])
	}

	pdf := ppPDF(t, e, ppPaper(code, "receipt"), freshToken(e, "clerk"), "mau-01-"+code+".pdf")
	text := ppText(t, pdf)
	ppHas(t, "receipt", text, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
		"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Mẫu số 01", "Nghị định số 118/2025/NĐ-CP",
		"TRUNG TÂM PHỤC VỤ HÀNH CHÍNH", code, "Nguyễn Văn An", "001234567890", "0912345678", "Tổ 5, phường Tân Phong",
		"Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", "2.000488", "Tờ khai", "Bản sao CCCD",
		"Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 23 tháng 11 năm 2026",
		"Thời gian trả kết quả giải quyết hồ sơ: ", "ngày 07 tháng 12 năm 2026",
		"Nhận kết quả tại: Trung tâm Phục vụ hành chính công tỉnh", "200.000 đồng", "Mã tra cứu (PIN): ……",
		url, "Nguyễn Thị Lan (một cửa tỉnh)", "ngày 23 tháng 11 năm 2026")
	if strings.Contains(text, pin) {
		t.Errorf("the receipt without ?pin= prints the PIN")
	}
	if qr := ppQR(t, pdf); qr != url {
		t.Errorf("QR = %q, want %q", qr, url)
	}
	ppGolden(t, "receipt", strings.ReplaceAll(text, code, "{code}"))

	// Re-printed later: the same text but for the print time.
	e.s.Clock.Advance(7 * time.Minute)
	again := ppText(t, ppPDF(t, e, ppPaper(code, "receipt"), freshToken(e, "clerk"), "mau-01-"+code+".pdf"))
	if again == text || ppMask(again) != ppMask(text) {
		t.Errorf("a re-print differs in more than the print time:\n%s\n----\n%s", text, again)
	}

	// With the right PIN it is printed; the QR still carries the address alone.
	withPin := ppPDF(t, e, ppPaper(code, "receipt")+"?pin="+pin, freshToken(e, "officer"), "mau-01-"+code+".pdf")
	ppHas(t, "receipt with pin", ppText(t, withPin), "Mã tra cứu (PIN): "+pin)
	if qr := ppQR(t, withPin); qr != url {
		t.Errorf("QR with a PIN = %q", qr)
	}
	wrong := "000000"
	if pin == wrong {
		wrong = "111111"
	}
	for _, bad := range []string{wrong, "12ab", "1234567"} {
		r := apptest.Want(t, e.get(ppPaper(code, "receipt")+"?pin="+bad, freshToken(e, "clerk")), http.StatusUnprocessableEntity)
		fields := r.JSON(t)["error"].(map[string]any)["details"].(map[string]any)["fields"].(map[string]any)
		if len(fields) != 1 || fields["pin"] != "không đúng" {
			t.Errorf("wrong pin %q answered %s", bad, r.Body)
		}
	}
	if strings.Contains(e.s.Log.String(), pin) {
		t.Errorf("the PIN reached the log")
	}

	// Roles, scope, states.
	apptest.Want(t, e.get(ppPaper(code, "receipt"), freshToken(e, "viewer")), http.StatusForbidden)
	apptest.Want(t, e.get(ppPaper(code, "receipt"), freshToken(e, "clerk.commune")), http.StatusNotFound)
	apptest.Want(t, e.get(ppPaper("000.00.20.H99-261123-9999", "receipt"), freshToken(e, "clerk")), http.StatusNotFound)
	apptest.Want(t, e.get(ppPaper("no-such%20code", "receipt"), freshToken(e, "clerk")), http.StatusNotFound)
	online := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "online"))["code"].(string)
	r := apptest.Want(t, e.get(ppPaper(online, "receipt"), freshToken(e, "clerk")), http.StatusConflict)
	if r.ErrorCode() != "invalid_transition" {
		t.Errorf("receipt of a submitted dossier: %s", r.Body)
	}
	apptest.Want(t, e.get(ppPaper(online, "control-slip"), freshToken(e, "clerk")), http.StatusConflict)
	apptest.Want(t, e.get(ppPaper(code, "receipt"), ""), http.StatusUnauthorized)
}

func TestPaperSupplementRequestAndControlSlip(t *testing.T) {
	e := ppStart(t)
	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	r := apptest.Want(t, e.get(ppPaper(code, "supplement-request"), freshToken(e, "clerk")), http.StatusConflict)
	if r.ErrorCode() != "invalid_transition" {
		t.Errorf("supplement request before any: %s", r.Body)
	}
	e.s.Clock.Advance(time.Hour)
	apptest.Want(t, dossierAction(e, "officer", code, map[string]any{"action": "start"}), http.StatusOK)
	e.s.Clock.Advance(30 * time.Minute)
	apptest.Want(t, dossierAction(e, "officer", code, map[string]any{"action": "request_supplement",
		"reason": "Thiếu bản sao giấy khai sinh", "items": []string{"Bản sao giấy khai sinh", "Ảnh 4x6"}}), http.StatusOK)

	pdf := ppPDF(t, e, ppPaper(code, "supplement-request"), freshToken(e, "officer"), "mau-02-"+code+".pdf")
	text := ppText(t, pdf)
	ppHas(t, "supplement request", text, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Mẫu số 02", code,
		"Nguyễn Văn An", "1. Bản sao giấy khai sinh", "2. Ảnh 4x6", "Lý do: Thiếu bản sao giấy khai sinh",
		"Người yêu cầu: Trần Văn Minh (Sở Tư pháp) (Sở Tư pháp)",
		"Thời gian yêu cầu: 10 giờ 30 phút, ngày 23 tháng 11 năm 2026", "tạm dừng", "SỞ TƯ PHÁP")
	if qr := ppQR(t, pdf); qr != ppPublicURL+"/tra-cuu/"+code {
		t.Errorf("QR = %q", qr)
	}
	ppGolden(t, "supplement-request", strings.ReplaceAll(text, code, "{code}"))

	e.s.Clock.Advance(24 * time.Hour)
	apptest.Want(t, dossierAction(e, "clerk", code, map[string]any{"action": "supplement"}), http.StatusOK)
	e.s.Clock.Advance(2 * time.Hour)
	apptest.Want(t, dossierAction(e, "leader", code, map[string]any{"action": "resolve", "outcome": "approved"}), http.StatusOK)
	e.s.Clock.Advance(time.Hour)
	apptest.Want(t, dossierAction(e, "clerk", code, map[string]any{"action": "return"}), http.StatusOK)

	// Every staff role may print the control slip, viewers too.
	slip := ppPDF(t, e, ppPaper(code, "control-slip"), freshToken(e, "viewer"), "mau-05-"+code+".pdf")
	text = ppText(t, slip)
	ppHas(t, "control slip", text, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Mẫu số 05", code,
		"Tiếp nhận hồ sơ", "Chuyển xử lý", "Yêu cầu bổ sung hồ sơ", "Đã bổ sung hồ sơ", "Có kết quả giải quyết",
		"Đã trả kết quả", "Người nộp hồ sơ: Nguyễn Văn An", "Trước hạn",
		"Kết quả giải quyết: Đã có kết quả giải quyết: chấp thuận; đã trả kết quả", "Đánh giá: Trước hạn",
		"Cơ quan giải quyết: Sở Tư pháp")
	if strings.Contains(text, "Yêu cầu nộp phí") {
		t.Errorf("the slip lists a step that is no hand-over")
	}
	ppGolden(t, "control-slip", strings.ReplaceAll(text, code, "{code}"))
	apptest.Want(t, e.get(ppPaper(code, "control-slip"), freshToken(e, "clerk.commune")), http.StatusNotFound)
	// The latest request stays printable after the dossier moved on.
	ppPDF(t, e, ppPaper(code, "supplement-request"), freshToken(e, "clerk"), "mau-02-"+code+".pdf")
	apptest.Want(t, e.get(ppPaper(code, "supplement-request"), freshToken(e, "viewer")), http.StatusForbidden)
}

func TestPaperRefusalAndApology(t *testing.T) {
	e := ppStart(t)
	online := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "online"))["code"].(string)
	apptest.Want(t, e.get(ppPaper(online, "refusal"), freshToken(e, "clerk")), http.StatusConflict)
	e.s.Clock.Advance(20 * time.Minute)
	apptest.Want(t, dossierAction(e, "clerk", online, map[string]any{"action": "reject",
		"reason": "Hồ sơ không thuộc thẩm quyền giải quyết của Sở Tư pháp"}), http.StatusOK)
	pdf := ppPDF(t, e, ppPaper(online, "refusal"), freshToken(e, "leader"), "mau-03-"+online+".pdf")
	text := ppText(t, pdf)
	ppHas(t, "refusal", text, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Mẫu số 03", online, "Nguyễn Văn An",
		"Hồ sơ không thuộc thẩm quyền giải quyết của Sở Tư pháp", "Thời gian nộp hồ sơ: 09 giờ 00 phút, ngày 23 tháng 11 năm 2026",
		"Thời gian từ chối: 09 giờ 20 phút, ngày 23 tháng 11 năm 2026", "Nguyễn Thị Lan (một cửa tỉnh)")
	ppGolden(t, "refusal", strings.ReplaceAll(text, online, "{code}"))
	apptest.Want(t, e.get(ppPaper(online, "refusal"), freshToken(e, "officer")), http.StatusForbidden)
	apptest.Want(t, e.get(ppPaper(online, "receipt"), freshToken(e, "clerk")), http.StatusConflict)

	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	apptest.Want(t, e.get(ppPaper(code, "refusal"), freshToken(e, "clerk")), http.StatusConflict)
	apptest.Want(t, e.get(ppPaper(code, "apology"), freshToken(e, "clerk")), http.StatusConflict)
	apptest.Want(t, dossierAction(e, "officer", code, map[string]any{"action": "start"}), http.StatusOK)
	apptest.Want(t, dossierAction(e, "leader", code, map[string]any{"action": "reschedule",
		"reason": "Cần xác minh thêm tại địa phương", "new_due_at": "2026-12-14T16:30:00+07:00"}), http.StatusOK)
	pdf = ppPDF(t, e, ppPaper(code, "apology"), freshToken(e, "leader"), "mau-04-"+code+".pdf")
	text = ppText(t, pdf)
	ppHas(t, "apology", text, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "Mẫu số 04", code, "Nguyễn Văn An",
		"Thời hạn giải quyết theo quy định: ", "ngày 07 tháng 12 năm 2026",
		"Lý do chậm trễ: Cần xác minh thêm tại địa phương",
		"Thời gian hẹn trả kết quả mới: 16 giờ 30 phút, ngày 14 tháng 12 năm 2026", "Sở Tư pháp xin lỗi",
		"THỦ TRƯỞNG SỞ TƯ PHÁP", "Lò Văn Hùng (Sở Tư pháp)")
	if qr := ppQR(t, pdf); qr != ppPublicURL+"/tra-cuu/"+code {
		t.Errorf("QR = %q", qr)
	}
	ppGolden(t, "apology", strings.ReplaceAll(text, code, "{code}"))
	apptest.Want(t, e.get(ppPaper(code, "apology"), freshToken(e, "officer")), http.StatusForbidden)
	apptest.Want(t, e.get(ppPaper(code, "apology"), freshToken(e, "viewer")), http.StatusForbidden)
}

// Papers of dossiers received before 1 July 2025 follow the circular's
// forms; without MOTCUA_PUBLIC_URL the QR carries the path alone.
func TestPaperFormsBeforeTheDecree(t *testing.T) {
	ppTools(t)
	t.Parallel()
	e := start(t, apptest.Options{Now: time.Date(2025, 6, 30, 15, 45, 0, 0, apptest.Loc)})
	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	pdf := ppPDF(t, e, ppPaper(code, "receipt"), freshToken(e, "clerk"), "mau-01-"+code+".pdf")
	ppHas(t, "receipt", ppText(t, pdf), "Mẫu số 01", "Thông tư số 01/2018/TT-VPCP",
		"15 giờ 45 phút, ngày 30 tháng 06 năm 2025")
	if qr := ppQR(t, pdf); qr != "/tra-cuu/"+code {
		t.Errorf("QR = %q", qr)
	}
}
