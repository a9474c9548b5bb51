package papers

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/user"
)

// MaxBookRows is the most dossiers one tracking book lists; a longer
// period is refused (print it month by month).
const MaxBookRows = 2000

// BookRequest names a tracking book: the unit (the caller's own when
// empty) and a period as statistics take it.
type BookRequest struct {
	UnitCode string
	Period   stats.PeriodInput
}

// TrackingBook returns form 06 of a unit: one row per dossier received at
// the unit in the period, oldest first. Viewers see the applicant's address
// and phone masked. Returns ErrForbidden for officers, KindNotFound for a
// unit that does not exist or lies outside the caller's scope, and
// KindValidation for a bad period, a missing unit or a period of more than
// MaxBookRows dossiers.
func (s *Service) TrackingBook(ctx context.Context, by user.Principal, req BookRequest) (TrackingBook, error) {
	if err := by.RequireRole(bookRoles...); err != nil {
		return TrackingBook{}, err
	}
	unit := strings.TrimSpace(req.UnitCode)
	if unit == "" {
		unit = by.Unit
	}
	fe := domain.FieldErrors{}
	period, perr := stats.ParsePeriod(req.Period, s.cfg.CutoffDay, s.cfg.Location)
	if perr != nil {
		var de *domain.Error
		if errors.As(perr, &de) && de.Kind == domain.KindValidation {
			for k, v := range de.Fields {
				fe.Add(k, v)
			}
		} else {
			return TrackingBook{}, perr
		}
	}
	if unit == "" {
		fe.Add("unit_code", "bắt buộc")
	}
	if err := fe.Err(); err != nil {
		return TrackingBook{}, err
	}
	tree, err := s.cat.Tree(ctx)
	if err != nil {
		return TrackingBook{}, fmt.Errorf("book tree: %w", err)
	}
	if !tree.Has(unit) || !by.InScope(tree, unit) {
		return TrackingBook{}, domain.NotFound("đơn vị")
	}
	f := dossier.Filter{UnitCode: unit, ReceivedFrom: period.From.String(), ReceivedTo: period.To.String(),
		Page: domain.Page{Page: 1, PageSize: MaxBookRows + 1}}
	list, _, err := s.dossiers.List(ctx, by, f)
	if err != nil {
		return TrackingBook{}, err
	}
	if len(list) > MaxBookRows {
		return TrackingBook{}, domain.FieldErrors{"from": "kỳ có hơn " + strconv.Itoa(MaxBookRows) +
			" hồ sơ; hãy in theo từng tháng"}.Err()
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i].ReceivedAt, list[j].ReceivedAt
		if !a.Equal(*b) {
			return a.Before(*b)
		}
		return list[i].Code < list[j].Code
	})
	p := &paper{names: map[string]string{}, people: map[string]string{}, loc: s.cfg.Location}
	h, err := s.heading(ctx, KindTrackingBook, unit, "", period.Start, s.cfg.Now(), tree, p)
	if err != nil {
		return TrackingBook{}, err
	}
	name := period.Name
	if name == "" {
		name = period.From.String() + "_" + period.To.String()
	}
	b := TrackingBook{Heading: h, UnitCode: unit, Period: period.Label(), PeriodName: name}
	masked := by.Role == user.RoleViewer
	for i, d := range list {
		row, err := s.bookRow(ctx, by, p, d, masked)
		if err != nil {
			return TrackingBook{}, err
		}
		row.No = i + 1
		b.Rows = append(b.Rows, row)
	}
	return b, nil
}

// TrackingBookPDF renders TrackingBook as a PDF.
func (s *Service) TrackingBookPDF(ctx context.Context, by user.Principal, req BookRequest) (File, error) {
	b, err := s.TrackingBook(ctx, by, req)
	if err != nil {
		return File{}, err
	}
	data, err := s.render.TrackingBook(b)
	return File{Name: b.FileName("pdf"), Data: data}, err
}

// FileName is the download name of the book: mau-06-<unit>-<period>.<ext>.
func (b TrackingBook) FileName(ext string) string {
	return b.Form.FileName(b.UnitCode+"-"+b.PeriodName, ext)
}

func (s *Service) bookRow(ctx context.Context, by user.Principal, p *paper, d dossier.Dossier, masked bool) (BookRow, error) {
	loc := s.cfg.Location
	full, err := s.dossiers.Get(ctx, by, d.Code) // the history: when it was handed on
	if err != nil {
		return BookRow{}, err
	}
	row := BookRow{Code: d.Code, Sets: 1, Applicant: d.Applicant.Name, ReceivedAt: ShortTime(d.ReceivedAt, loc),
		AppointmentAt: ShortTime(d.AppointmentAt, loc), ResultAt: ShortTime(d.ResolvedAt, loc),
		ReturnedAt: ShortTime(d.ReturnedAt, loc), Note: bookNote(d)}
	if proc, err := s.cat.Procedure(ctx, d.ProcedureCode); err == nil {
		row.Procedure = proc.Name
	} else if domain.KindOf(err) == domain.KindNotFound {
		row.Procedure = d.ProcedureCode
	} else {
		return BookRow{}, fmt.Errorf("book procedure: %w", err)
	}
	if row.Agency, err = s.agencyName(ctx, p, d.AgencyCode); err != nil {
		return BookRow{}, err
	}
	for _, e := range full.History {
		if e.Action == dossier.ActStart || e.Action == dossier.ActTransfer {
			row.TransferredAt = ShortTime(&e.At, loc)
			break
		}
	}
	addr, phone := d.Applicant.Address, d.Applicant.Phone
	if masked {
		phone = dossier.MaskPhone(phone)
		if addr != "" {
			addr = "***"
		}
	}
	var parts []string
	for _, v := range []string{addr, phone} {
		if v != "" {
			parts = append(parts, v)
		}
	}
	row.Contact = strings.Join(parts, "; ")
	return row, nil
}

// bookNote says what the dates of a row do not: how a dossier ended, or
// that it waits for the applicant.
func bookNote(d dossier.Dossier) string {
	switch d.Status {
	case dossier.SupplementRequested:
		return "Chờ bổ sung"
	case dossier.AwaitingPayment:
		return "Chờ nộp phí, lệ phí"
	case dossier.Withdrawn:
		return "Rút hồ sơ"
	case dossier.Stopped:
		return "Dừng giải quyết"
	}
	if d.OnSpot {
		return "Giải quyết tại chỗ"
	}
	return ""
}

// BookHeadings are the columns of the tracking book, in BookRow order.
var BookHeadings = []string{"STT", "Mã hồ sơ", "Tên thủ tục", "Số lượng hồ sơ (bộ)", "Tên cá nhân, tổ chức",
	"Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết", "Ngày, giờ nhận hồ sơ", "Ngày, giờ hẹn trả kết quả",
	"Ngày, giờ chuyển hồ sơ", "Ngày, giờ nhận kết quả", "Ngày, giờ trả kết quả", "Ghi chú"}
