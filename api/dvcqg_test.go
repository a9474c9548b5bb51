package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/docs"
)

// hosoSchema compiles docs/dvcqg/hoso.schema.json.
func hosoSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(docs.HoSoSchema))
	if err != nil {
		t.Fatal(err)
	}
	const id = "https://github.com/motcua/motcua/docs/dvcqg/hoso.schema.json"
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// hoso is the part of a payload the tests read.
type hoso struct {
	MaHoSo, TrangThaiHoSo, KenhThucHien, ChuHoSo, SoGiayToChuHoSo, NgayTiepNhan, NgayKetThucXuLy, NgayTra string
	DonViXuLy, HoSoCoThanhPhanSoHoa, DuocThanhToanTrucTuyen                                               string
	TaiLieuNop                                                                                            []map[string]string
	DanhSachLePhi                                                                                         []map[string]string
	DanhSachGiayToKetQua                                                                                  []map[string]string
	DanhSachHoSoBoSung                                                                                    []map[string]any
	QuaTrinhXuLy                                                                                          []map[string]string
}

func validHoSo(t *testing.T, s *jsonschema.Schema, raw []byte) hoso {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Fatalf("payload does not match docs/dvcqg/hoso.schema.json: %v\n%s", err, raw)
	}
	var h hoso
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func steps(h hoso) string {
	var out []string
	for _, q := range h.QuaTrinhXuLy {
		out = append(out, q["NoiDungXuLy"]+"/"+q["TrangThai"])
	}
	return strings.Join(out, "|")
}

func TestDVCQGPayloadOfADossier(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	s := hosoSchema(t)
	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	path := "/api/v1/dossiers/" + code + "/dvcqg"
	admin, viewer := freshToken(e, "admin"), freshToken(e, "viewer")

	h := validHoSo(t, s, apptest.Want(t, e.get(path, viewer), http.StatusOK).Body)
	if h.MaHoSo != code || h.TrangThaiHoSo != "2" || h.KenhThucHien != "1" || h.ChuHoSo != "Nguyễn Văn An" ||
		h.SoGiayToChuHoSo != "001234567890" || h.DonViXuLy != "Sở Tư pháp" || len(h.TaiLieuNop) != 2 ||
		h.TaiLieuNop[0]["TenTepDinhKem"] != "Tờ khai" || steps(h) != "Tiếp nhận hồ sơ/2" {
		t.Fatalf("received: %+v", h)
	}
	if r := h.QuaTrinhXuLy[0]; r["NguoiXuLy"] != "Nguyễn Thị Lan (một cửa tỉnh)" || r["ChucDanh"] != "Cán bộ một cửa" ||
		r["ThoiDiemXuLy"] != "20261123090000" || r["PhongBanXuLy"] != "Trung tâm Phục vụ hành chính công tỉnh" {
		t.Errorf("receipt entry %v", r)
	}

	// Its life: a file, a supplement, a payment, the result.
	apptest.Want(t, upload(e, freshToken(e, "clerk"), "/api/v1/dossiers/"+code+"/files?name=to-khai.pdf&digitised=true", []byte(matrixPDF)), http.StatusCreated)
	actOnDossier(t, e, "officer", code, map[string]any{"action": "start"})
	actOnDossier(t, e, "officer", code, map[string]any{"action": "request_supplement", "reason": "Thiếu bản sao", "items": []string{"Bản sao"}})
	actOnDossier(t, e, "clerk", code, map[string]any{"action": "supplement"})
	actOnDossier(t, e, "officer", code, map[string]any{"action": "request_payment", "amount": 50000})
	actOnDossier(t, e, "clerk", code, map[string]any{"action": "confirm_payment", "method": "online", "receipt_number": "GD-1"})
	apptest.Want(t, upload(e, freshToken(e, "officer"), "/api/v1/dossiers/"+code+"/files?kind=result&name=ket-qua.pdf", []byte(matrixPDF)), http.StatusCreated)
	actOnDossier(t, e, "leader", code, map[string]any{"action": "resolve", "outcome": "approved"})
	actOnDossier(t, e, "clerk", code, map[string]any{"action": "return"})

	h = validHoSo(t, s, apptest.Want(t, e.get(path, admin), http.StatusOK).Body)
	want := "Tiếp nhận hồ sơ/2|Chuyển xử lý hồ sơ/4|Yêu cầu bổ sung hồ sơ/5|Đã bổ sung hồ sơ/4|" +
		"Yêu cầu thực hiện nghĩa vụ tài chính/6|Đã thực hiện nghĩa vụ tài chính/4|Đã xử lý xong/9|Đã trả kết quả/10"
	if steps(h) != want {
		t.Errorf("QuaTrinhXuLy %s", steps(h))
	}
	if h.TrangThaiHoSo != "10" || h.NgayKetThucXuLy == "" || h.NgayTra == "" || h.HoSoCoThanhPhanSoHoa != "1" ||
		h.DuocThanhToanTrucTuyen != "1" || len(h.TaiLieuNop) != 1 || h.TaiLieuNop[0]["TenTepDinhKem"] != "to-khai.pdf" ||
		h.TaiLieuNop[0]["DuocSoHoa"] != "1" || len(h.DanhSachGiayToKetQua) != 1 || h.DanhSachGiayToKetQua[0]["TenGiayTo"] != "ket-qua.pdf" {
		t.Errorf("returned: %+v", h)
	}
	if len(h.DanhSachLePhi) != 1 || h.DanhSachLePhi[0]["Gia"] != "50000" || h.DanhSachLePhi[0]["HinhThucThu"] != "2" {
		t.Errorf("DanhSachLePhi %v", h.DanhSachLePhi)
	}
	if len(h.DanhSachHoSoBoSung) != 1 || h.DanhSachHoSoBoSung[0]["NoiDungBoSung"] != "Thiếu bản sao" ||
		h.DanhSachHoSoBoSung[0]["TrangThaiBoSung"] != true || h.DanhSachHoSoBoSung[0]["HoSoBoSungId"] != float64(1) {
		t.Errorf("DanhSachHoSoBoSung %v", h.DanhSachHoSoBoSung)
	}

	// Who may not: other roles 403, before the dossier is looked at.
	for _, u := range []string{"clerk", "officer", "leader"} {
		wantError(t, e.get(path, freshToken(e, u)), http.StatusForbidden, "forbidden")
		wantError(t, e.get("/api/v1/dossiers/X-404/dvcqg", freshToken(e, u)), http.StatusForbidden, "forbidden")
	}
	wantError(t, e.get("/api/v1/dossiers/"+demo.Center+"-261123-9999/dvcqg", admin), http.StatusNotFound, "not_found")
	wantError(t, e.get(path, ""), http.StatusUnauthorized, "unauthenticated")
}

func TestDVCQGPayloadOfADossierNeverReceived(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := freshToken(e, "admin")
	submitted := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "online"))["code"].(string)
	rejected := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "online"))["code"].(string)
	actOnDossier(t, e, "clerk", rejected, map[string]any{"action": "reject", "reason": "Không thuộc thẩm quyền"})
	for _, code := range []string{submitted, rejected} {
		wantError(t, e.get("/api/v1/dossiers/"+code+"/dvcqg", admin), http.StatusConflict, "not_received")
	}
	// Accepted, it has one: the accept is the receipt, the submit is not sent.
	actOnDossier(t, e, "clerk", submitted, map[string]any{"action": "accept"})
	h := validHoSo(t, hosoSchema(t), apptest.Want(t, e.get("/api/v1/dossiers/"+submitted+"/dvcqg", admin), http.StatusOK).Body)
	if steps(h) != "Tiếp nhận hồ sơ/2" || h.KenhThucHien != "2" {
		t.Errorf("accepted online: %s %+v", steps(h), h)
	}
}

// exportLines reads an NDJSON export.
func exportLines(t *testing.T, r apptest.Response) [][]byte {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Fatalf("Content-Type %q", ct)
	}
	if len(r.Body) > 0 && r.Body[len(r.Body)-1] != '\n' {
		t.Fatalf("the body does not end with a newline: %q", r.Body)
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, bytes.Clone(sc.Bytes()))
	}
	return out
}

func TestDVCQGExport(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	s := hosoSchema(t)
	// A day of its own, away from the demo's dossiers: 2026-12-01.
	day := time.Date(2026, 12, 1, 8, 0, 0, 0, apptest.Loc)
	e.s.Clock.Set(day)
	a := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	e.s.Clock.Advance(time.Hour)
	b := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "postal"))["code"].(string)
	e.s.Clock.Advance(time.Hour)
	online := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "online"))["code"].(string) // not received
	e.s.Clock.Advance(time.Hour)
	commune := registerDossier(t, e, "clerk", dossierBody(communeOneDay, "direct"))["code"].(string)
	e.s.Clock.Advance(time.Hour)
	actOnDossier(t, e, "officer", a, map[string]any{"action": "start"}) // a's last change is now the latest
	viewer, admin := freshToken(e, "viewer"), freshToken(e, "admin")

	export := func(tok string, q url.Values) apptest.Response {
		return e.get("/api/v1/integrations/dvcqg/export?"+q.Encode(), tok)
	}
	codesOf := func(r apptest.Response) []string {
		t.Helper()
		var out []string
		for _, l := range exportLines(t, apptest.Want(t, r, http.StatusOK)) {
			out = append(out, validHoSo(t, s, l).MaHoSo)
		}
		return out
	}
	dates := url.Values{"from": {"2026-12-01"}, "to": {"2026-12-01"}}
	if got, want := codesOf(export(viewer, dates)), []string{b, commune, a}; !slices.Equal(got, want) {
		t.Fatalf("export of the day: %v, want %v (by last change, never %s)", got, want, online)
	}
	// Each line is the same object as the dossier's own answer.
	lines := exportLines(t, export(admin, dates))
	own := apptest.Want(t, e.get("/api/v1/dossiers/"+a+"/dvcqg", admin), http.StatusOK).Body
	if !bytes.Equal(bytes.TrimSpace(lines[2]), bytes.TrimSpace(own)) {
		t.Errorf("export line\n%s\nis not the payload\n%s", lines[2], own)
	}
	// Instants: [from, to).
	inst := func(from, to time.Time) url.Values {
		return url.Values{"from": {from.Format(time.RFC3339)}, "to": {to.UTC().Format(time.RFC3339)}}
	}
	if got := codesOf(export(admin, inst(day.Add(time.Hour), day.Add(3*time.Hour)))); !slices.Equal(got, []string{b}) {
		t.Errorf("[09:00, 11:00): %v", got)
	}
	// unit_code narrows: the commune's dossier is held by the commune.
	narrowed := url.Values{"from": {"2026-12-01"}, "to": {"2026-12-01"}, "unit_code": {demo.CommuneA}}
	if got := codesOf(export(admin, narrowed)); !slices.Equal(got, []string{commune}) {
		t.Errorf("unit_code %s: %v", demo.CommuneA, got)
	}
	// An empty period: 200, an empty body.
	if r := apptest.Want(t, export(admin, url.Values{"from": {"2026-12-02"}, "to": {"2026-12-03"}}), http.StatusOK); len(r.Body) != 0 ||
		r.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Errorf("empty period: %q %q", r.Header.Get("Content-Type"), r.Body)
	}

	// Refusals.
	for _, c := range []struct {
		q      url.Values
		fields []string
	}{
		{url.Values{}, []string{"from", "to"}},
		{url.Values{"from": {"2026-12-01"}}, []string{"to"}},
		{url.Values{"from": {"2026-12-01"}, "to": {"2026-12-01T10:00:00+07:00"}}, []string{"to"}},
		{url.Values{"from": {"2026-12-02"}, "to": {"2026-12-01"}}, []string{"to"}},
		{url.Values{"from": {"2026-12-01T10:00:00+07:00"}, "to": {"2026-12-01T09:00:00+07:00"}}, []string{"to"}},
		{url.Values{"from": {"2026-13-01"}, "to": {"tomorrow"}}, []string{"from", "to"}},
		{url.Values{"from": {"2026-12-01"}, "to": {"2026-12-01"}, "unit_code": {"NOWHERE"}}, []string{"unit_code"}},
	} {
		r := export(admin, c.q)
		wantError(t, r, http.StatusUnprocessableEntity, "validation_failed")
		wantFields(t, r, c.fields...)
	}
	for _, u := range []string{"clerk", "officer", "leader"} {
		wantError(t, export(freshToken(e, u), dates), http.StatusForbidden, "forbidden")
	}
	wantError(t, export("", dates), http.StatusUnauthorized, "unauthenticated")
}
