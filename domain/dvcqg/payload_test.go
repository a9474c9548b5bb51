package dvcqg_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/dvcqg"
	"github.com/motcua/motcua/domain/dvcqg/dvcqgtest"
	"github.com/motcua/motcua/domain/user"
)

func byName(t *testing.T, name string) dvcqg.Input {
	t.Helper()
	for _, c := range dvcqgtest.Cases() {
		if c.Name == name {
			return c.Input
		}
	}
	t.Fatalf("no case %q", name)
	return dvcqg.Input{}
}

func payload(t *testing.T, name string) dvcqg.HoSo {
	t.Helper()
	h, err := dvcqg.Payload(byName(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestPayloadOfAReturnedOnlineDossier(t *testing.T) {
	h := payload(t, "returned with payments and files")
	want := map[string]string{
		"MaHoSo": h.MaHoSo, "MaTTHC": "1.001234", "TenTTHC": "Cấp giấy phép xây dựng", "TenLinhVuc": "Xây dựng",
		"KenhThucHien": "2", "ChuHoSo": "Phạm Thị Dân", "SoGiayToChuHoSo": "001190000123", "LoaiDoiTuong": "1",
		"Email": "dan@example.vn", "SoDienThoai": "0912345678", "NgayNopHoSo": "20210802083000",
		"NgayTiepNhan": "20210802093000", "NgayTra": "20210802153000", "NgayKetThucXuLy": "20210802143000",
		"NgayTuChoi": "", "TrangThaiHoSo": "10", "DonViXuLy": "Sở Xây dựng", "HoSoCoThanhPhanSoHoa": "0",
		"DuocThanhToanTrucTuyen": "1", "HinhThuc": "0", "NoiNopHoSo": "2", "MaLinhVuc": "",
	}
	got := map[string]string{
		"MaHoSo": h.MaHoSo, "MaTTHC": h.MaTTHC, "TenTTHC": h.TenTTHC, "TenLinhVuc": h.TenLinhVuc,
		"KenhThucHien": h.KenhThucHien, "ChuHoSo": h.ChuHoSo, "SoGiayToChuHoSo": h.SoGiayToChuHoSo, "LoaiDoiTuong": h.LoaiDoiTuong,
		"Email": h.Email, "SoDienThoai": h.SoDienThoai, "NgayNopHoSo": h.NgayNopHoSo,
		"NgayTiepNhan": h.NgayTiepNhan, "NgayTra": h.NgayTra, "NgayKetThucXuLy": h.NgayKetThucXuLy,
		"NgayTuChoi": h.NgayTuChoi, "TrangThaiHoSo": h.TrangThaiHoSo, "DonViXuLy": h.DonViXuLy, "HoSoCoThanhPhanSoHoa": h.HoSoCoThanhPhanSoHoa,
		"DuocThanhToanTrucTuyen": h.DuocThanhToanTrucTuyen, "HinhThuc": h.HinhThuc, "NoiNopHoSo": h.NoiNopHoSo, "MaLinhVuc": h.MaLinhVuc,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	// The receipt first (the accept, not the submit), then the mapped
	// actions; record_payment is not sent.
	var steps []string
	for _, q := range h.QuaTrinhXuLy {
		steps = append(steps, q.NoiDungXuLy+"/"+q.TrangThai+"/"+q.ChucDanh)
	}
	wantSteps := "Tiếp nhận hồ sơ/2/Cán bộ một cửa|Chuyển xử lý hồ sơ/4/Chuyên viên|Yêu cầu thực hiện nghĩa vụ tài chính/6/Chuyên viên|" +
		"Đã thực hiện nghĩa vụ tài chính/4/Cán bộ một cửa|Đã xử lý xong/9/Lãnh đạo|Đã trả kết quả/10/Cán bộ một cửa"
	if s := strings.Join(steps, "|"); s != wantSteps {
		t.Errorf("QuaTrinhXuLy\n got %s\nwant %s", s, wantSteps)
	}
	r := h.QuaTrinhXuLy[0]
	if r.ThoiDiemXuLy != h.NgayTiepNhan || r.NguoiXuLy != "Nguyễn Văn Tiếp" || r.PhongBanXuLy != "Bộ phận Một cửa tỉnh" || r.MaHoSo != h.MaHoSo {
		t.Errorf("receipt entry %+v", r)
	}
	if len(h.TaiLieuNop) != 3 || h.TaiLieuNop[0] != (dvcqg.TaiLieu{TepDinhKemId: "11", TenTepDinhKem: "don.pdf", IsDeleted: "0",
		MaThanhPhanHoSo: "TP-01", DuocSoHoa: "1", DuocTaiSuDung: "0", DuocLayTuKhoDMQG: "0"}) ||
		h.TaiLieuNop[1].DuocTaiSuDung != "1" || h.TaiLieuNop[1].DuocLayTuKhoDMQG != "1" || h.TaiLieuNop[1].MaThanhPhanHoSo != "" ||
		h.TaiLieuNop[2].TepDinhKemId != "13" {
		t.Errorf("TaiLieuNop %+v", h.TaiLieuNop)
	}
	if len(h.DanhSachGiayToKetQua) != 1 || h.DanhSachGiayToKetQua[0] != (dvcqg.GiayToKetQua{TenGiayTo: "giayphep.pdf", GiayToId: "21"}) {
		t.Errorf("DanhSachGiayToKetQua %+v", h.DanhSachGiayToKetQua)
	}
	wantFees := []dvcqg.LePhi{
		{TenPhiLePhi: "Nghĩa vụ tài chính", HinhThucThu: "2", Gia: "500000", LoaiPhiLePhi: "3"},
		{TenPhiLePhi: "Lệ phí", HinhThucThu: "1", Gia: "100000", LoaiPhiLePhi: "1"},
		{TenPhiLePhi: "Phí", HinhThucThu: "1", Gia: "50000", LoaiPhiLePhi: "2"},
	}
	if len(h.DanhSachLePhi) != len(wantFees) {
		t.Fatalf("DanhSachLePhi %+v", h.DanhSachLePhi)
	}
	for i, f := range wantFees {
		if h.DanhSachLePhi[i] != f {
			t.Errorf("fee %d = %+v, want %+v", i, h.DanhSachLePhi[i], f)
		}
	}
	if len(h.DinhDanhCHS) != 1 || h.DinhDanhCHS[0] != (dvcqg.DinhDanh{LoaiDinhDanh: "1", SoDinhDanh: "001190000123"}) {
		t.Errorf("DinhDanhCHS %+v", h.DinhDanhCHS)
	}
}

func TestPayloadWithoutFilesListsThePapers(t *testing.T) {
	h := payload(t, "received direct")
	if len(h.TaiLieuNop) != 2 || h.TaiLieuNop[1] != (dvcqg.TaiLieu{TenTepDinhKem: "Bản vẽ thiết kế", IsDeleted: "0",
		DuocSoHoa: "0", DuocTaiSuDung: "0", DuocLayTuKhoDMQG: "0"}) {
		t.Errorf("TaiLieuNop %+v", h.TaiLieuNop)
	}
	if h.KenhThucHien != "1" || h.NgayNopHoSo != h.NgayTiepNhan || h.NgayKetThucXuLy != "" || h.NgayTra != "" || len(h.DanhSachLePhi) != 0 ||
		h.DanhSachLePhi == nil || h.DSKetNoiCSDL == nil || len(h.QuaTrinhXuLy) != 1 {
		t.Errorf("payload %+v", h)
	}
	if payload(t, "received postal").KenhThucHien != "3" {
		t.Error("postal is not 3")
	}
}

func TestPayloadSupplements(t *testing.T) {
	h := payload(t, "two supplement requests, one answered")
	if len(h.DanhSachHoSoBoSung) != 2 {
		t.Fatalf("DanhSachHoSoBoSung %+v", h.DanhSachHoSoBoSung)
	}
	a, b := h.DanhSachHoSoBoSung[0], h.DanhSachHoSoBoSung[1]
	if a.HoSoBoSungId != 1 || a.NoiDungBoSung != "Thiếu bản vẽ" || a.NguoiYeuCauBoSung != "Trần Thị Xử" || !a.TrangThaiBoSung ||
		a.NgayTiepNhanBoSung == "" || a.NgayTiepNhanBoSung <= a.NgayBoSung {
		t.Errorf("first %+v", a)
	}
	if b.HoSoBoSungId != 2 || b.TrangThaiBoSung || b.NgayTiepNhanBoSung != "" || b.NoiDungBoSung != "Thiếu chữ ký" {
		t.Errorf("second %+v", b)
	}
	// 47 characters and "...".
	if n := []rune(b.NguoiYeuCauBoSung); len(n) != 50 || string(n[47:]) != "..." {
		t.Errorf("long name %q (%d)", b.NguoiYeuCauBoSung, len(n))
	}
	for _, q := range h.QuaTrinhXuLy {
		if strings.Contains(q.NoiDungXuLy, "Thiếu") {
			t.Errorf("a reason went into the process list: %+v", q)
		}
	}
}

func TestPayloadOutcomesAndEnds(t *testing.T) {
	for _, c := range []struct {
		name, status, end string
		denied            bool
	}{
		{"resolved denied", "9", "20210802103000", true},
		{"resolved approved with a result", "9", "20210802103000", false},
		{"withdrawn", "7", "20210802093000", false},
		{"stopped", "8", "20210802103000", false},
		{"supplement requested", "5", "", false},
		{"awaiting payment", "6", "", false},
	} {
		h := payload(t, c.name)
		if h.TrangThaiHoSo != c.status || h.NgayKetThucXuLy != c.end || (h.NgayTuChoi != "") != c.denied {
			t.Errorf("%s: status %s end %q denied %q", c.name, h.TrangThaiHoSo, h.NgayKetThucXuLy, h.NgayTuChoi)
		}
		if c.denied && h.NgayTuChoi != h.NgayKetThucXuLy {
			t.Errorf("%s: NgayTuChoi %q", c.name, h.NgayTuChoi)
		}
	}
	// Requested and cancelled payments are not sent.
	if h := payload(t, "awaiting payment"); len(h.DanhSachLePhi) != 0 {
		t.Errorf("unpaid payments sent: %+v", h.DanhSachLePhi)
	}
}

func TestPayloadRescheduleTransferAndApplicants(t *testing.T) {
	h := payload(t, "transferred and rescheduled")
	if h.NgayHenTra != dvcqgtest.T0.Add(400*time.Hour).In(dvcqgtest.Loc).Format(dvcqg.DateLayout) {
		t.Errorf("NgayHenTra %q", h.NgayHenTra)
	}
	last := h.QuaTrinhXuLy[len(h.QuaTrinhXuLy)-1]
	if last.NoiDungXuLy != "Đặt lại ngày hẹn trả" || last.PhongBanXuLy != "Sở Tư pháp" || last.NguoiXuLy != "admin" ||
		last.ChucDanh != "Quản trị hệ thống" || h.QuaTrinhXuLy[2].NoiDungXuLy != "Chuyển hồ sơ đến đơn vị khác" {
		t.Errorf("steps %+v", h.QuaTrinhXuLy)
	}
	o := payload(t, "organisation with a 9-digit ID")
	if o.LoaiDoiTuong != "4" || len(o.DinhDanhCHS) != 1 || o.DinhDanhCHS[0].LoaiDinhDanh != "2" || o.Email != "" || o.SoDienThoai != "" {
		t.Errorf("organisation %+v", o)
	}
	x := payload(t, "other ID and long procedure name")
	if len(x.DinhDanhCHS) != 0 || len([]rune(x.TrichYeuHoSo)) != dvcqg.MaxSummary || len([]rune(x.TenTTHC)) != 1600 {
		t.Errorf("other ID %+v, summary %d", x.DinhDanhCHS, len([]rune(x.TrichYeuHoSo)))
	}
}

func TestPayloadImportedAndUnknown(t *testing.T) {
	h := payload(t, "imported")
	for _, q := range h.QuaTrinhXuLy {
		if q.NguoiXuLy != dvcqg.ImportedActor || q.ChucDanh != "" {
			t.Errorf("imported step %+v", q)
		}
	}
	if len(h.QuaTrinhXuLy) != 4 {
		t.Errorf("imported steps %+v", h.QuaTrinhXuLy)
	}
	u := payload(t, "unknown user and unit, no papers")
	if q := u.QuaTrinhXuLy[1]; q.NguoiXuLy != "ghost" || q.ChucDanh != "" || q.PhongBanXuLy != "NOWHERE" {
		t.Errorf("unknown %+v", q)
	}
	if len(u.TaiLieuNop) != 0 || u.TaiLieuNop == nil {
		t.Errorf("TaiLieuNop %+v", u.TaiLieuNop)
	}
}

func TestPayloadDatesAreLocal(t *testing.T) {
	in := byName(t, "received direct")
	r := time.Date(2021, 8, 2, 0, 30, 0, 0, time.UTC) // 07:30 at UTC+7
	in.Dossier.ReceivedAt = &r
	h, err := dvcqg.Payload(in)
	if err != nil || h.NgayTiepNhan != "20210802073000" || h.QuaTrinhXuLy[0].ThoiDiemXuLy != "20210802073000" {
		t.Fatalf("NgayTiepNhan %q, %v", h.NgayTiepNhan, err)
	}
	in.Location = nil
	if h, _ := dvcqg.Payload(in); h.NgayTiepNhan != "20210802003000" {
		t.Errorf("UTC NgayTiepNhan %q", h.NgayTiepNhan)
	}
}

func TestPayloadOfANeverReceivedDossier(t *testing.T) {
	in := byName(t, "received direct")
	in.Dossier.ReceivedAt = nil
	in.Dossier.Status = dossier.Submitted
	_, err := dvcqg.Payload(in)
	if !errors.Is(err, dvcqg.ErrNotReceived) || domain.KindOf(err) != domain.KindNotReceived {
		t.Fatalf("err = %v", err)
	}
}

func TestTitlesCoverTheActingRoles(t *testing.T) {
	for _, r := range []user.Role{user.RoleClerk, user.RoleOfficer, user.RoleLeader, user.RoleAdmin} {
		if dvcqg.Titles[r] == "" {
			t.Errorf("no title for %s", r)
		}
	}
	for _, a := range dossier.RecordOnlyActions {
		if _, ok := dvcqg.Labels[a]; ok {
			t.Errorf("record %s is sent", a)
		}
	}
}

// BenchmarkDVCQGPayload builds the payload of a dossier with 20 history
// entries, files and payments.
func BenchmarkDVCQGPayload(b *testing.B) {
	var in dvcqg.Input
	for _, c := range dvcqgtest.Cases() {
		if c.Name == "returned with payments and files" {
			in = c.Input
		}
	}
	h := in.Dossier.History
	for len(h) < 20 {
		e := h[1+len(h)%(len(in.Dossier.History)-1)]
		h = append(h, e)
	}
	in.Dossier.History = h[:20]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dvcqg.Payload(in); err != nil {
			b.Fatal(err)
		}
	}
}
