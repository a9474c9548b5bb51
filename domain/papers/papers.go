// Package papers gathers what each printed paper of the one-stop counter
// needs (docs/domain.md, "Papers"): the receipt and appointment slip, the
// supplement request, the refusal, the apology, the process control slip
// and the tracking book. It checks who may print which paper and when, and
// hands each paper as plain data to a Renderer, which lays it out.
package papers

import (
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/domain/dossier"
)

// Form names an official form: its number, its title and the act that
// issued it.
type Form struct {
	Number string // "01" … "06"
	Title  string
	Source string // e.g. "Thông tư số 01/2018/TT-VPCP"
}

// Kind is one of the papers.
type Kind string

// The papers, in the order of their form numbers.
const (
	KindReceipt           Kind = "receipt"
	KindSupplementRequest Kind = "supplement-request"
	KindRefusal           Kind = "refusal"
	KindApology           Kind = "apology"
	KindControlSlip       Kind = "control-slip"
	KindTrackingBook      Kind = "tracking-book"
)

var forms = map[Kind]Form{
	KindReceipt:           {Number: "01", Title: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"},
	KindSupplementRequest: {Number: "02", Title: "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"},
	KindRefusal:           {Number: "03", Title: "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"},
	KindApology:           {Number: "04", Title: "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"},
	KindControlSlip:       {Number: "05", Title: "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"},
	KindTrackingBook:      {Number: "06", Title: "SỔ THEO DÕI HỒ SƠ"},
}

// The acts whose forms the papers follow: the circular's for what began
// before the decree took effect, the decree's after.
const (
	SourceCircular = "Thông tư số 01/2018/TT-VPCP của Văn phòng Chính phủ"
	SourceDecree   = "Nghị định số 118/2025/NĐ-CP của Chính phủ"
)

// decreeFrom is the first day the decree's forms apply (a local date,
// compared as a date in UTC).
var decreeFrom = time.Date(2025, time.July, 1, 0, 0, 0, 0, time.UTC)

// FormOf returns the form of kind for a paper about what began at t (a
// dossier's reception, a book's first day), judged in loc.
func FormOf(kind Kind, t time.Time, loc *time.Location) Form {
	f := forms[kind]
	y, m, d := t.In(loc).Date()
	if !time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Before(decreeFrom) {
		f.Source = SourceDecree
	} else {
		f.Source = SourceCircular
	}
	return f
}

// FileName is the download name of a paper: mau-NN-<subject>.<ext>.
func (f Form) FileName(subject, ext string) string {
	return "mau-" + f.Number + "-" + subject + "." + ext
}

// Heading is what every paper carries at its top and bottom: the issuing
// unit under its parent, the form, the place and date, the print time, and
// the QR code's address (empty: no QR code).
type Heading struct {
	Form      Form
	Parent    string // the unit's parent agency ("" for a root)
	Unit      string // the unit that issues the paper
	Code      string // the dossier code ("" for the book)
	PlaceDate string // "Lai Châu, ngày 23 tháng 11 năm 2026"
	PrintedAt string // "In lúc 09 giờ 05 phút, ngày 23 tháng 11 năm 2026"
	// Printed is the print time itself, for the file's own dates.
	Printed   time.Time
	LookupURL string
}

// Document is one paper of a dossier and its copies.
type Document struct {
	Name   string
	Copies int
}

// Receipt is form 01, handed to the applicant at reception.
type Receipt struct {
	Heading
	ApplicantName, IDNumber, Phone, Address string
	ProcedureName, ProcedureCode            string
	Documents                               []Document
	ReceivedAt, AppointmentAt               string
	CollectAt                               string // where the result is collected
	Fee                                     string
	Pin                                     string // "" leaves the field blank
	ClerkName                               string
}

// SupplementRequest is form 02: what the applicant must bring.
type SupplementRequest struct {
	Heading
	ApplicantName, ProcedureName string
	ReceivedAt                   string
	Items                        []string
	Reason                       string
	RequestedBy, RequestedUnit   string
	RequestedAt                  string
}

// Refusal is form 03: why a dossier is not received.
type Refusal struct {
	Heading
	ApplicantName, ProcedureName string
	SubmittedAt                  string
	Reason                       string
	RefusedBy                    string
	RefusedAt                    string
}

// Apology is form 04: the apology of a unit that will be late, with the
// new appointment.
type Apology struct {
	Heading
	ApplicantName, ProcedureName string
	ReceivedAt                   string
	DueAt                        string // the statutory due time
	PreviousAppointment          string
	NewAppointment               string
	Reason                       string
	SigningUnit                  string
	SignedBy                     string
}

// Step is one hand-over of a control slip.
type Step struct {
	Action   string // what happened, in Vietnamese
	Giver    string
	Receiver string
	At       string
	Result   string // Trước hạn / Đúng hạn / Quá hạn; "" without a due time
}

// ControlSlip is form 05: every hand-over of the dossier and how it kept
// to the due time.
type ControlSlip struct {
	Heading
	ApplicantName, ProcedureName string
	AgencyName                   string
	ReceivedAt, DueAt            string
	Steps                        []Step
	FinalResult                  string
	FinalTimeliness              string
}

// BookRow is one dossier of the tracking book.
type BookRow struct {
	No                        int
	Code                      string
	Procedure                 string
	Sets                      int
	Applicant                 string
	Contact                   string // address and phone (masked for viewers)
	Agency                    string
	ReceivedAt, AppointmentAt string
	TransferredAt, ResultAt   string
	ReturnedAt                string
	Note                      string
}

// TrackingBook is form 06: the dossiers a unit received in a period.
type TrackingBook struct {
	Heading
	UnitCode string
	Period   string // the period's label
	// PeriodName is the period in file-name form ("2026-11", "2026-11-01_2026-11-30").
	PeriodName string
	Rows       []BookRow
}

// Renderer lays out each paper as a file (PDF).
type Renderer interface {
	Receipt(Receipt) ([]byte, error)
	SupplementRequest(SupplementRequest) ([]byte, error)
	Refusal(Refusal) ([]byte, error)
	Apology(Apology) ([]byte, error)
	ControlSlip(ControlSlip) ([]byte, error)
	TrackingBook(TrackingBook) ([]byte, error)
}

// File is a rendered paper and its download name.
type File struct {
	Name string
	Data []byte
}

// LongTime writes t in loc as the papers do: "09 giờ 05 phút, ngày 23
// tháng 11 năm 2026"; "" for nil.
func LongTime(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	l := t.In(loc)
	return two(l.Hour()) + " giờ " + two(l.Minute()) + " phút, " + LongDate(l)
}

// LongDate writes t's day as "ngày 23 tháng 11 năm 2026" (t's own zone).
func LongDate(t time.Time) string {
	return "ngày " + two(t.Day()) + " tháng " + two(int(t.Month())) + " năm " + strconv.Itoa(t.Year())
}

// ShortTime writes t in loc as "09:05 23/11/2026" (the book's narrow
// columns); "" for nil.
func ShortTime(t *time.Time, loc *time.Location) string {
	if t == nil {
		return ""
	}
	return t.In(loc).Format("15:04 02/01/2006")
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// Money writes a fee in đồng with dots between thousands ("1.500.000
// đồng"); 0 is "Không thu phí, lệ phí".
func Money(v int64) string {
	if v <= 0 {
		return "Không thu phí, lệ phí"
	}
	s := strconv.FormatInt(v, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String() + " đồng"
}

// Timeliness names a class of dossier.Timeliness in Vietnamese.
func Timeliness(t dossier.Timeliness) string {
	switch t {
	case dossier.Early:
		return "Trước hạn"
	case dossier.OnTime:
		return "Đúng hạn"
	case dossier.Late:
		return "Quá hạn"
	}
	return ""
}

// Place is the place line of a paper from the province's name: its root
// agency's name without "UBND"/"Ủy ban nhân dân" and "tỉnh"/"thành phố".
func Place(root string) string {
	p := strings.TrimSpace(root)
	for _, prefix := range []string{"UBND ", "Ủy ban nhân dân ", "Uỷ ban nhân dân "} {
		p = strings.TrimPrefix(p, prefix)
	}
	for _, prefix := range []string{"tỉnh ", "Tỉnh ", "thành phố ", "Thành phố "} {
		p = strings.TrimPrefix(p, prefix)
	}
	if strings.HasPrefix(p, "(") { // no place in the name: the name itself
		return strings.TrimSpace(root)
	}
	return p
}
