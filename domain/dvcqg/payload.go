// Package dvcqg builds the record the national public service portal
// (Cổng Dịch vụ công quốc gia, DVCQG) receives for a dossier, and the
// batch export of those records (docs/domain.md, "The national portal").
// Payload is pure: everything it reads is passed in, so the push worker
// and the API answer the same object for the same dossier.
package dvcqg

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/files"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/user"
)

// HoSo is one dossier as the portal receives it. Every scalar is a string
// but HoSoBoSung's id and flag; the field order is the portal's.
type HoSo struct {
	MaHoSo                      string         `json:"MaHoSo"`
	MaTTHC                      string         `json:"MaTTHC"`
	TenTTHC                     string         `json:"TenTTHC"`
	MaLinhVuc                   string         `json:"MaLinhVuc"`
	TenLinhVuc                  string         `json:"TenLinhVuc"`
	KenhThucHien                string         `json:"KenhThucHien"`
	ChuHoSo                     string         `json:"ChuHoSo"`
	SoGiayToChuHoSo             string         `json:"SoGiayToChuHoSo"`
	LoaiDoiTuong                string         `json:"LoaiDoiTuong"`
	MaDoiTuong                  string         `json:"MaDoiTuong"`
	ThongTinKhac                string         `json:"ThongTinKhac"`
	Email                       string         `json:"Email"`
	Fax                         string         `json:"Fax"`
	SoDienThoai                 string         `json:"SoDienThoai"`
	TrichYeuHoSo                string         `json:"TrichYeuHoSo"`
	NgayNopHoSo                 string         `json:"NgayNopHoSo"`
	NgayTiepNhan                string         `json:"NgayTiepNhan"`
	NgayHenTra                  string         `json:"NgayHenTra"`
	NgayKetThucXuLy             string         `json:"NgayKetThucXuLy"`
	NgayTra                     string         `json:"NgayTra"`
	NgayTuChoi                  string         `json:"NgayTuChoi"`
	TrangThaiHoSo               string         `json:"TrangThaiHoSo"`
	HinhThuc                    string         `json:"HinhThuc"`
	DonViXuLy                   string         `json:"DonViXuLy"`
	GhiChu                      string         `json:"GhiChu"`
	ThongTinTra                 string         `json:"ThongTinTra"`
	NoiNopHoSo                  string         `json:"NoiNopHoSo"`
	HoSoCoThanhPhanSoHoa        string         `json:"HoSoCoThanhPhanSoHoa"`
	TaiKhoanDuocXacThucVoiVNeID string         `json:"TaiKhoanDuocXacThucVoiVNeID"`
	DuocThanhToanTrucTuyen      string         `json:"DuocThanhToanTrucTuyen"`
	TaiLieuNop                  []TaiLieu      `json:"TaiLieuNop"`
	DanhSachLePhi               []LePhi        `json:"DanhSachLePhi"`
	DanhSachHoSoBoSung          []HoSoBoSung   `json:"DanhSachHoSoBoSung"`
	DanhSachGiayToKetQua        []GiayToKetQua `json:"DanhSachGiayToKetQua"`
	DinhDanhCHS                 []DinhDanh     `json:"DinhDanhCHS"`
	DSKetNoiCSDL                []KetNoiCSDL   `json:"DSKetNoiCSDL"`
	QuaTrinhXuLy                []QuaTrinh     `json:"QuaTrinhXuLy"`
}

// TaiLieu is one paper the applicant filed.
type TaiLieu struct {
	TepDinhKemId      string `json:"TepDinhKemId"`
	TenTepDinhKem     string `json:"TenTepDinhKem"`
	IsDeleted         string `json:"IsDeleted"`
	MaThanhPhanHoSo   string `json:"MaThanhPhanHoSo"`
	DuongDanTaiTepTin string `json:"DuongDanTaiTepTin"`
	DuocSoHoa         string `json:"DuocSoHoa"`
	DuocTaiSuDung     string `json:"DuocTaiSuDung"`
	DuocLayTuKhoDMQG  string `json:"DuocLayTuKhoDMQG"`
	MaKetQuaThayThe   string `json:"MaKetQuaThayThe"`
}

// LePhi is one paid payment.
type LePhi struct {
	TenPhiLePhi  string `json:"TenPhiLePhi"`
	MaPhiLePhi   string `json:"MaPhiLePhi"`
	HinhThucThu  string `json:"HinhThucThu"`
	Gia          string `json:"Gia"`
	LoaiPhiLePhi string `json:"LoaiPhiLePhi"`
}

// HoSoBoSung is one supplement request and the supplement that answered it.
type HoSoBoSung struct {
	HoSoBoSungId       int    `json:"HoSoBoSungId"`
	NguoiYeuCauBoSung  string `json:"NguoiYeuCauBoSung"`
	NoiDungBoSung      string `json:"NoiDungBoSung"`
	NgayBoSung         string `json:"NgayBoSung"`
	NgayTiepNhanBoSung string `json:"NgayTiepNhanBoSung"`
	TrangThaiBoSung    bool   `json:"TrangThaiBoSung"`
}

// GiayToKetQua is one electronic result.
type GiayToKetQua struct {
	TenGiayTo            string `json:"TenGiayTo"`
	MaThanhPhanHoSo      string `json:"MaThanhPhanHoSo"`
	GiayToId             string `json:"GiayToId"`
	DuongDanTepTinKetQua string `json:"DuongDanTepTinKetQua"`
	MaGiayToKetQua       string `json:"MaGiayToKetQua"`
}

// DinhDanh is the applicant's identity document.
type DinhDanh struct {
	LoaiDinhDanh string `json:"LoaiDinhDanh"`
	SoDinhDanh   string `json:"SoDinhDanh"`
}

// KetNoiCSDL is a national database connection; motcua sends none.
type KetNoiCSDL struct{}

// QuaTrinh is one step of the processing history.
type QuaTrinh struct {
	MaHoSo                 string `json:"MaHoSo"`
	NguoiXuLy              string `json:"NguoiXuLy"`
	ChucDanh               string `json:"ChucDanh"`
	ThoiDiemXuLy           string `json:"ThoiDiemXuLy"`
	PhongBanXuLy           string `json:"PhongBanXuLy"`
	NoiDungXuLy            string `json:"NoiDungXuLy"`
	TrangThai              string `json:"TrangThai"`
	NgayBatDau             string `json:"NgayBatDau"`
	NgayKetThucTheoQuyDinh string `json:"NgayKetThucTheoQuyDinh"`
}

// Input is everything one payload reads.
type Input struct {
	// Dossier is the dossier with its history (oldest first).
	Dossier   dossier.Dossier
	Procedure catalog.Procedure
	// Agencies names the agencies and units: code → name. A code missing
	// from it is shown as the code.
	Agencies map[string]string
	// Users are the staff the history names: username → user. A username
	// missing from it is shown as the username, with no title.
	Users map[string]user.User
	// Components gives the code of the procedure's components: id → code
	// ("" or missing: no code).
	Components map[int64]string
	// Files are the dossier's files with their current versions; Payments
	// its payments.
	Files    []files.File
	Payments []dossier.Payment
	// Location is MOTCUA_TIMEZONE (UTC if nil).
	Location *time.Location
}

// ErrNotReceived answers for a dossier that was never received: it has no
// payload.
var ErrNotReceived = &domain.Error{Kind: domain.KindNotReceived,
	Message: "Hồ sơ chưa được tiếp nhận nên không có dữ liệu gửi Cổng Dịch vụ công quốc gia"}

// The fixed texts of the payload.
const (
	// ReceiptLabel is the first process entry's NoiDungXuLy.
	ReceiptLabel = "Tiếp nhận hồ sơ"
	// ImportedActor is NguoiXuLy of an imported history entry.
	ImportedActor = "Dữ liệu chuyển đổi"
	// MaxSummary is the longest TrichYeuHoSo (characters); MaxActor the
	// longest NguoiXuLy.
	MaxSummary = 1000
	MaxActor   = 50
	// DateLayout is yyyyMMddHHmmss.
	DateLayout = "20060102150405"
)

// Labels are the process entries' NoiDungXuLy by action; an action not in
// it is not sent.
var Labels = map[dossier.Action]string{
	dossier.ActStart:             "Chuyển xử lý hồ sơ",
	dossier.ActTransfer:          "Chuyển hồ sơ đến đơn vị khác",
	dossier.ActRequestSupplement: "Yêu cầu bổ sung hồ sơ",
	dossier.ActSupplement:        "Đã bổ sung hồ sơ",
	dossier.ActRequestPayment:    "Yêu cầu thực hiện nghĩa vụ tài chính",
	dossier.ActConfirmPayment:    "Đã thực hiện nghĩa vụ tài chính",
	dossier.ActResolve:           "Đã xử lý xong",
	dossier.ActReturn:            "Đã trả kết quả",
	dossier.ActWithdraw:          "Công dân yêu cầu rút hồ sơ",
	dossier.ActStop:              "Dừng xử lý",
	dossier.ActReschedule:        "Đặt lại ngày hẹn trả",
}

// Titles are ChucDanh by the acting user's role; a viewer (who takes no
// action) has none.
var Titles = map[user.Role]string{
	user.RoleClerk:   "Cán bộ một cửa",
	user.RoleOfficer: "Chuyên viên",
	user.RoleLeader:  "Lãnh đạo",
	user.RoleAdmin:   "Quản trị hệ thống",
}

var channels = map[dossier.Channel]string{dossier.Direct: "1", dossier.Online: "2", dossier.Postal: "3"}

var feeNames = map[dossier.PaymentKind]struct{ name, code string }{
	dossier.PaymentCharge:     {"Lệ phí", "1"},
	dossier.PaymentFee:        {"Phí", "2"},
	dossier.PaymentObligation: {"Nghĩa vụ tài chính", "3"},
}

// Payload returns the portal's record of in.Dossier; ErrNotReceived when
// the dossier has no receipt time.
func Payload(in Input) (HoSo, error) {
	d := in.Dossier
	if d.ReceivedAt == nil {
		return HoSo{}, ErrNotReceived
	}
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format(DateLayout)
	}
	a := d.Applicant
	h := HoSo{
		MaHoSo: d.Code, MaTTHC: in.Procedure.Code, TenTTHC: in.Procedure.Name, TenLinhVuc: in.Procedure.Field,
		KenhThucHien: channels[d.Channel], ChuHoSo: a.Name, SoGiayToChuHoSo: a.IDNumber, LoaiDoiTuong: "1",
		Email: a.Email, SoDienThoai: a.Phone, TrichYeuHoSo: cut(in.Procedure.Name, MaxSummary, ""),
		NgayNopHoSo: date(&d.SubmittedAt), NgayTiepNhan: date(d.ReceivedAt), NgayHenTra: date(d.AppointmentAt),
		NgayTra: date(d.ReturnedAt), TrangThaiHoSo: strconv.Itoa(d.Status.Code()), HinhThuc: "0",
		DonViXuLy: name(in.Agencies, d.AgencyCode), NoiNopHoSo: "2",
		HoSoCoThanhPhanSoHoa: flag(d.Digitised), TaiKhoanDuocXacThucVoiVNeID: "0", DuocThanhToanTrucTuyen: flag(d.PaidOnline),
		TaiLieuNop: []TaiLieu{}, DanhSachLePhi: []LePhi{}, DanhSachHoSoBoSung: []HoSoBoSung{},
		DanhSachGiayToKetQua: []GiayToKetQua{}, DinhDanhCHS: []DinhDanh{}, DSKetNoiCSDL: []KetNoiCSDL{},
	}
	if a.Organization != "" {
		h.LoaiDoiTuong = "4"
	}
	switch {
	case d.ResolvedAt != nil:
		h.NgayKetThucXuLy = date(d.ResolvedAt)
	case d.StoppedAt != nil:
		h.NgayKetThucXuLy = date(d.StoppedAt)
	case d.WithdrawnAt != nil:
		h.NgayKetThucXuLy = date(d.WithdrawnAt)
	}
	if d.Outcome == dossier.Denied && d.ResolvedAt != nil {
		h.NgayTuChoi = date(d.ResolvedAt)
	}
	if t := idType(a.IDNumber); t != "" {
		h.DinhDanhCHS = append(h.DinhDanhCHS, DinhDanh{LoaiDinhDanh: t, SoDinhDanh: a.IDNumber})
	}

	for _, f := range in.Files {
		v := f.Current
		id := strconv.FormatInt(f.ID, 10)
		switch f.Kind {
		case files.KindResult:
			h.DanhSachGiayToKetQua = append(h.DanhSachGiayToKetQua, GiayToKetQua{TenGiayTo: v.Name, GiayToId: id})
		case files.KindComponent:
			code := ""
			if f.ComponentID != nil {
				code = in.Components[*f.ComponentID]
			}
			h.TaiLieuNop = append(h.TaiLieuNop, TaiLieu{TepDinhKemId: id, TenTepDinhKem: v.Name, IsDeleted: "0",
				MaThanhPhanHoSo: code, DuocSoHoa: flag(v.Digitised), DuocTaiSuDung: flag(v.Reused),
				DuocLayTuKhoDMQG: flag(v.FromNationalDB)})
		}
	}
	if len(h.TaiLieuNop) == 0 {
		for _, p := range d.Documents {
			h.TaiLieuNop = append(h.TaiLieuNop, TaiLieu{TenTepDinhKem: p.Name, IsDeleted: "0",
				DuocSoHoa: "0", DuocTaiSuDung: "0", DuocLayTuKhoDMQG: "0"})
		}
	}
	for _, p := range in.Payments {
		if p.Status != dossier.PaymentPaid {
			continue
		}
		k := feeNames[p.Kind]
		how := "1"
		if p.Method == dossier.PaidOnline {
			how = "2"
		}
		h.DanhSachLePhi = append(h.DanhSachLePhi, LePhi{TenPhiLePhi: k.name, HinhThucThu: how,
			Gia: strconv.FormatInt(p.Amount, 10), LoaiPhiLePhi: k.code})
	}

	// The process list: the receipt, then the mapped actions after it.
	receipt := -1
	for i, e := range d.History {
		if e.Action == dossier.ActAccept || (e.Action == dossier.ActReceive && e.To == dossier.Received) {
			receipt = i
			break
		}
	}
	step := func(e *dossier.Entry, label, status string, at string) QuaTrinh {
		q := QuaTrinh{MaHoSo: d.Code, ThoiDiemXuLy: at, NoiDungXuLy: label, TrangThai: status}
		if e != nil {
			q.NguoiXuLy, q.ChucDanh = actor(in.Users, e.By)
			q.PhongBanXuLy = name(in.Agencies, e.Unit)
		} else {
			q.PhongBanXuLy = name(in.Agencies, d.UnitCode)
		}
		return q
	}
	var first *dossier.Entry
	if receipt >= 0 {
		first = &d.History[receipt]
	}
	h.QuaTrinhXuLy = make([]QuaTrinh, 1, len(d.History)+1)
	h.QuaTrinhXuLy[0] = step(first, ReceiptLabel, "2", h.NgayTiepNhan)
	open := -1 // the supplement request waiting for its supplement
	for i := receipt + 1; i < len(d.History); i++ {
		e := &d.History[i]
		label, ok := Labels[e.Action]
		if !ok {
			continue
		}
		q := step(e, label, strconv.Itoa(e.To.Code()), date(&e.At))
		h.QuaTrinhXuLy = append(h.QuaTrinhXuLy, q)
		switch e.Action {
		case dossier.ActRequestSupplement:
			reason, _ := e.Details["reason"].(string)
			h.DanhSachHoSoBoSung = append(h.DanhSachHoSoBoSung, HoSoBoSung{HoSoBoSungId: len(h.DanhSachHoSoBoSung) + 1,
				NguoiYeuCauBoSung: q.NguoiXuLy, NoiDungBoSung: reason, NgayBoSung: q.ThoiDiemXuLy})
			open = len(h.DanhSachHoSoBoSung) - 1
		case dossier.ActSupplement:
			if open >= 0 {
				h.DanhSachHoSoBoSung[open].NgayTiepNhanBoSung, h.DanhSachHoSoBoSung[open].TrangThaiBoSung = q.ThoiDiemXuLy, true
				open = -1
			}
		}
	}
	return h, nil
}

// actor is NguoiXuLy and ChucDanh of username.
func actor(users map[string]user.User, username string) (string, string) {
	if username == importer.ImportedBy {
		return ImportedActor, ""
	}
	u, ok := users[username]
	n := username
	if ok && u.Name != "" {
		n = u.Name
	}
	return cut(n, MaxActor, "..."), Titles[u.Role]
}

// name is the name of agency code, the code itself when unknown.
func name(agencies map[string]string, code string) string {
	if n, ok := agencies[code]; ok && n != "" {
		return n
	}
	return code
}

// cut returns s when it has at most max characters, else its first
// max-len(tail) characters and tail.
func cut(s string, max int, tail string) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	keep := max - utf8.RuneCountInString(tail)
	i := 0
	for n := range s {
		if keep == 0 {
			i = n
			break
		}
		keep--
	}
	return s[:i] + tail
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// idType is the portal's identity type of an ID number: "1" for a 12-digit
// citizen identity card (CCCD), "2" for a 9-digit identity card (CMND), ""
// for anything else.
func idType(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return ""
		}
	}
	switch len(s) {
	case 12:
		return "1"
	case 9:
		return "2"
	}
	return ""
}
