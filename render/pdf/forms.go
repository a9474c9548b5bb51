package pdf

import (
	"strconv"

	"github.com/motcua/motcua/domain/papers"
)

// One function per form: the fields each paper prints, in order.

const signNote = "(Ký, ghi rõ họ tên)"

// Receipt lays out form 01.
func (Renderer) Receipt(r papers.Receipt) ([]byte, error) {
	d := newDoc(r.Heading, false)
	d.para(r.Unit + " tiếp nhận hồ sơ của:")
	d.field("Ông/Bà", r.ApplicantName)
	d.field("Số định danh cá nhân/CCCD", r.IDNumber)
	d.field("Số điện thoại", r.Phone)
	d.field("Địa chỉ", r.Address)
	d.field("Nội dung yêu cầu giải quyết", r.ProcedureName+" (mã thủ tục "+r.ProcedureCode+")")
	d.para("Thành phần hồ sơ nộp gồm:")
	rows := make([][]string, len(r.Documents))
	for i, doc := range r.Documents {
		rows[i] = []string{strconv.Itoa(i + 1), doc.Name, strconv.Itoa(doc.Copies)}
	}
	d.table([]float64{12, d.width - 42, 30}, []string{"STT", "Tên giấy tờ", "Số lượng bản"}, rows, 9.5)
	d.f.Ln(2)
	d.field("Thời gian nhận hồ sơ", r.ReceivedAt)
	d.field("Thời gian trả kết quả giải quyết hồ sơ", r.AppointmentAt)
	d.field("Nhận kết quả tại", r.CollectAt)
	d.field("Phí, lệ phí", r.Fee)
	d.f.Ln(2)
	d.field("Mã tra cứu (PIN)", r.Pin)
	if err := d.qr(r.LookupURL, "Theo dõi hồ sơ: quét mã QR hoặc vào địa chỉ dưới đây, nhập mã hồ sơ và mã tra cứu (PIN)."); err != nil {
		return nil, err
	}
	d.signatures(signature{"NGƯỜI NỘP HỒ SƠ", signNote, r.ApplicantName},
		signature{"NGƯỜI TIẾP NHẬN HỒ SƠ", signNote, r.ClerkName})
	return d.bytes()
}

// SupplementRequest lays out form 02.
func (Renderer) SupplementRequest(r papers.SupplementRequest) ([]byte, error) {
	d := newDoc(r.Heading, false)
	d.field("Kính gửi Ông/Bà", r.ApplicantName)
	d.field("Hồ sơ", r.ProcedureName)
	d.field("Thời gian tiếp nhận hồ sơ", r.ReceivedAt)
	d.para("Sau khi xem xét, hồ sơ cần được bổ sung, hoàn thiện các nội dung sau:")
	if len(r.Items) == 0 {
		d.bullets([]string{r.Reason})
	} else {
		d.bullets(r.Items)
	}
	d.field("Lý do", r.Reason)
	d.field("Người yêu cầu", r.RequestedBy+" ("+r.RequestedUnit+")")
	d.field("Thời gian yêu cầu", r.RequestedAt)
	d.para("Thời gian giải quyết hồ sơ tạm dừng từ thời điểm yêu cầu bổ sung cho đến khi Ông/Bà nộp đủ " +
		"các giấy tờ nêu trên. Mọi vướng mắc xin liên hệ " + r.RequestedUnit + ".")
	if err := d.qr(r.LookupURL, "Theo dõi hồ sơ:"); err != nil {
		return nil, err
	}
	d.signatures(signature{"NGƯỜI HƯỚNG DẪN", signNote, r.RequestedBy})
	return d.bytes()
}

// Refusal lays out form 03.
func (Renderer) Refusal(r papers.Refusal) ([]byte, error) {
	d := newDoc(r.Heading, false)
	d.field("Kính gửi Ông/Bà", r.ApplicantName)
	d.field("Hồ sơ đề nghị", r.ProcedureName)
	d.field("Thời gian nộp hồ sơ", r.SubmittedAt)
	d.para(r.Unit + " không tiếp nhận, giải quyết hồ sơ này với lý do:")
	d.bullets([]string{r.Reason})
	d.field("Thời gian từ chối", r.RefusedAt)
	d.para("Xin thông báo để Ông/Bà được biết và thực hiện.")
	if err := d.qr(r.LookupURL, "Theo dõi hồ sơ:"); err != nil {
		return nil, err
	}
	d.signatures(signature{"NGƯỜI TIẾP NHẬN HỒ SƠ", signNote, r.RefusedBy})
	return d.bytes()
}

// Apology lays out form 04.
func (Renderer) Apology(r papers.Apology) ([]byte, error) {
	d := newDoc(r.Heading, false)
	d.field("Kính gửi Ông/Bà", r.ApplicantName)
	d.field("Hồ sơ", r.ProcedureName)
	d.field("Thời gian tiếp nhận hồ sơ", r.ReceivedAt)
	d.field("Thời hạn giải quyết theo quy định", r.DueAt)
	if r.PreviousAppointment != "" {
		d.field("Thời gian hẹn trả kết quả trước đây", r.PreviousAppointment)
	}
	d.field("Lý do chậm trễ", r.Reason)
	d.para(r.SigningUnit + " xin lỗi Ông/Bà vì sự chậm trễ này và hẹn trả kết quả vào:")
	d.field("Thời gian hẹn trả kết quả mới", r.NewAppointment)
	d.para("Rất mong Ông/Bà thông cảm.")
	if err := d.qr(r.LookupURL, "Theo dõi hồ sơ:"); err != nil {
		return nil, err
	}
	d.signatures(signature{"THỦ TRƯỞNG " + upper(r.SigningUnit), "(Ký, ghi rõ họ tên, đóng dấu)", r.SignedBy})
	return d.bytes()
}

// ControlSlip lays out form 05.
func (Renderer) ControlSlip(r papers.ControlSlip) ([]byte, error) {
	d := newDoc(r.Heading, false)
	d.field("Người nộp hồ sơ", r.ApplicantName)
	d.field("Thủ tục", r.ProcedureName)
	d.field("Cơ quan giải quyết", r.AgencyName)
	d.field("Thời gian nhận hồ sơ", r.ReceivedAt)
	d.field("Thời hạn giải quyết", r.DueAt)
	d.f.Ln(1)
	rows := make([][]string, len(r.Steps))
	for i, s := range r.Steps {
		rows[i] = []string{strconv.Itoa(i + 1), s.Action, s.Giver, s.Receiver, s.At, s.Result}
	}
	w := d.width
	d.table([]float64{9, 40, (w - 97) / 2, (w - 97) / 2, 30, 18},
		[]string{"STT", "Bước", "Bên giao", "Bên nhận", "Thời gian giao, nhận", "Kết quả"}, rows, 8.5)
	d.f.Ln(2)
	d.field("Kết quả giải quyết", r.FinalResult)
	d.field("Đánh giá", r.FinalTimeliness)
	if err := d.qr(r.LookupURL, "Theo dõi hồ sơ:"); err != nil {
		return nil, err
	}
	return d.bytes()
}

// TrackingBook lays out form 06, on landscape pages for its columns.
func (Renderer) TrackingBook(b papers.TrackingBook) ([]byte, error) {
	d := newDoc(b.Heading, true)
	d.para("Kỳ: " + b.Period)
	rows := make([][]string, len(b.Rows))
	for i, r := range b.Rows {
		rows[i] = []string{strconv.Itoa(r.No), r.Code, r.Procedure, strconv.Itoa(r.Sets), r.Applicant, r.Contact,
			r.Agency, r.ReceivedAt, r.AppointmentAt, r.TransferredAt, r.ResultAt, r.ReturnedAt, r.Note}
	}
	widths := []float64{9, 40, 42, 10, 22, 26, 22, 16, 16, 16, 16, 16, 16}
	d.table(widths, papers.BookHeadings, rows, 6)
	d.signatures(signature{"NGƯỜI LẬP SỔ", signNote, ""}, signature{"THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)", ""})
	return d.bytes()
}
