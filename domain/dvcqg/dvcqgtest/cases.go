// Package dvcqgtest builds the payload inputs the tests of the national
// portal record share: one per shape a dossier can take (every status a
// received dossier reaches, every channel, counter and online, imported,
// supplements, reschedules, denials, with and without files and payments).
package dvcqgtest

import (
	"strings"
	"time"

	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/dvcqg"
	"github.com/motcua/motcua/domain/files"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/user"
)

// Case is one named input.
type Case struct {
	Name  string
	Input dvcqg.Input
}

// Loc is the zone of the cases (UTC+7, as MOTCUA_TIMEZONE in production).
var Loc = time.FixedZone("ICT", 7*3600)

// T0 is the first instant of every case's history: 2021-08-02 07:30 local.
var T0 = time.Date(2021, 8, 2, 7, 30, 0, 0, Loc).UTC()

func at(h int) time.Time { return T0.Add(time.Duration(h) * time.Hour) }

func ptr(t time.Time) *time.Time { return &t }

// Procedure is the procedure of every case.
var Procedure = catalog.Procedure{Code: "1.001234", Name: "Cấp giấy phép xây dựng", Field: "Xây dựng", AgencyCode: "SXD"}

// Agencies names the units of the cases.
var Agencies = map[string]string{"BPMC": "Bộ phận Một cửa tỉnh", "SXD": "Sở Xây dựng", "STP": "Sở Tư pháp"}

// Users are the staff of the cases.
var Users = map[string]user.User{
	"clerk":   {Username: "clerk", Name: "Nguyễn Văn Tiếp", Role: user.RoleClerk},
	"officer": {Username: "officer", Name: "Trần Thị Xử", Role: user.RoleOfficer},
	"leader":  {Username: "leader", Name: "Lê Văn Duyệt", Role: user.RoleLeader},
	"admin":   {Username: "admin", Role: user.RoleAdmin},
	"long":    {Username: "long", Name: strings.Repeat("Nguyễn ", 10) + "Văn", Role: user.RoleOfficer},
}

// history is a dossier's history under construction.
type history struct {
	d    *dossier.Dossier
	hour int
	by   string
}

func (h *history) add(a dossier.Action, to dossier.Status, unit string, details map[string]any) time.Time {
	h.hour++
	t := at(h.hour)
	from := h.d.Status
	h.d.History = append(h.d.History, dossier.Entry{Action: a, From: from, To: to, At: t, By: h.by, Unit: unit, Details: details})
	h.d.Status = to
	return t
}

// base is a received counter dossier: the receive entry by the clerk.
func base(code string, ch dossier.Channel) (*dossier.Dossier, *history) {
	d := &dossier.Dossier{ID: 1, Code: code, ProcedureCode: Procedure.Code, UnitCode: "BPMC", AgencyCode: "SXD",
		HolderUnit: "SXD", Channel: ch, Applicant: dossier.Applicant{Name: "Phạm Thị Dân", IDNumber: "001190000123",
			Phone: "0912345678", Email: "dan@example.vn"},
		Documents: []dossier.Document{{Name: "Đơn đề nghị", Copies: 1}, {Name: "Bản vẽ thiết kế", Copies: 2}}}
	h := &history{d: d, by: "clerk"}
	if ch == dossier.Online {
		h.add(dossier.ActSubmit, dossier.Submitted, "BPMC", map[string]any{"channel": "online"})
		d.SubmittedAt = at(h.hour)
		h.add(dossier.ActAccept, dossier.Received, "BPMC", nil)
	} else {
		h.add(dossier.ActReceive, dossier.Received, "BPMC", map[string]any{"channel": string(ch)})
		d.SubmittedAt = at(h.hour)
	}
	d.ReceivedAt = ptr(at(h.hour))
	d.DueAt = ptr(at(h.hour + 240))
	d.AppointmentAt = d.DueAt
	return d, h
}

func input(d *dossier.Dossier) dvcqg.Input {
	return dvcqg.Input{Dossier: *d, Procedure: Procedure, Agencies: Agencies, Users: Users, Location: Loc,
		Components: map[int64]string{7: "TP-01", 8: ""}}
}

func (h *history) start() {
	h.by = "officer"
	h.add(dossier.ActStart, dossier.Processing, "SXD", map[string]any{"assignee": "officer"})
}

func (h *history) resolve(o dossier.Outcome) {
	h.by = "leader"
	t := h.add(dossier.ActResolve, dossier.Resolved, "SXD", map[string]any{"outcome": string(o), "reason": "lý do"})
	h.d.ResolvedAt, h.d.Outcome = ptr(t), o
}

// ComponentFiles are two component files (one of a coded component, one
// other paper) and a result file.
func componentFiles() []files.File {
	c7, c8 := int64(7), int64(8)
	return []files.File{
		{ID: 11, Kind: files.KindComponent, ComponentID: &c7, Current: files.Version{Version: 2, Name: "don.pdf", Digitised: true}},
		{ID: 12, Kind: files.KindComponent, ComponentID: &c8, Current: files.Version{Version: 1, Name: "banve.pdf", Reused: true, FromNationalDB: true}},
		{ID: 13, Kind: files.KindComponent, Current: files.Version{Version: 1, Name: "khac.png"}},
	}
}

func resultFile() files.File {
	return files.File{ID: 21, Kind: files.KindResult, Current: files.Version{Version: 1, Name: "giayphep.pdf"}}
}

// Cases returns every shape.
func Cases() []Case {
	var out []Case
	add := func(name string, d *dossier.Dossier, mod func(*dvcqg.Input)) {
		in := input(d)
		if mod != nil {
			mod(&in)
		}
		out = append(out, Case{Name: name, Input: in})
	}
	for _, ch := range []dossier.Channel{dossier.Direct, dossier.Online, dossier.Postal} {
		d, _ := base("H01.1-"+string(ch), ch)
		add("received "+string(ch), d, nil)
	}
	{
		d, h := base("H01.2", dossier.Online)
		h.start()
		h.add(dossier.ActAttachFile, dossier.Processing, "SXD", map[string]any{"file_id": 11})
		d.Digitised = true
		add("processing online with files", d, func(in *dvcqg.Input) { in.Files = componentFiles() })
	}
	{
		d, h := base("H01.3", dossier.Direct)
		h.start()
		h.add(dossier.ActRequestSupplement, dossier.SupplementRequested, "SXD", map[string]any{"reason": "Thiếu bản vẽ", "items": []any{"Bản vẽ"}})
		add("supplement requested", d, nil)
	}
	{
		d, h := base("H01.4", dossier.Direct)
		h.start()
		h.add(dossier.ActRequestSupplement, dossier.SupplementRequested, "SXD", map[string]any{"reason": "Thiếu bản vẽ"})
		h.by = "clerk"
		h.add(dossier.ActSupplement, dossier.Processing, "BPMC", nil)
		h.by = "long"
		h.add(dossier.ActRequestSupplement, dossier.SupplementRequested, "SXD", map[string]any{"reason": "Thiếu chữ ký"})
		add("two supplement requests, one answered", d, nil)
	}
	{
		d, h := base("H01.5", dossier.Direct)
		h.start()
		h.add(dossier.ActRequestPayment, dossier.AwaitingPayment, "SXD", map[string]any{"amount": 500000})
		add("awaiting payment", d, func(in *dvcqg.Input) {
			in.Payments = []dossier.Payment{{ID: 1, Amount: 500000, Kind: dossier.PaymentObligation, Status: dossier.PaymentRequested}}
		})
	}
	{
		d, h := base("H01.6", dossier.Online)
		h.start()
		h.add(dossier.ActRequestPayment, dossier.AwaitingPayment, "SXD", nil)
		h.by = "clerk"
		h.add(dossier.ActConfirmPayment, dossier.Processing, "BPMC", nil)
		h.add(dossier.ActRecordPayment, dossier.Processing, "BPMC", nil)
		d.PaidOnline, d.PaidTotal = true, 650000
		h.resolve(dossier.Approved)
		h.by = "clerk"
		t := h.add(dossier.ActReturn, dossier.Returned, "BPMC", nil)
		d.ReturnedAt = ptr(t)
		add("returned with payments and files", d, func(in *dvcqg.Input) {
			in.Files = append(componentFiles(), resultFile())
			in.Payments = []dossier.Payment{
				{ID: 1, Amount: 500000, Kind: dossier.PaymentObligation, Status: dossier.PaymentPaid, Method: dossier.PaidOnline},
				{ID: 2, Amount: 100000, Kind: dossier.PaymentCharge, Status: dossier.PaymentPaid, Method: dossier.PaidCash},
				{ID: 3, Amount: 50000, Kind: dossier.PaymentFee, Status: dossier.PaymentPaid, Method: dossier.PaidBankTransfer},
				{ID: 4, Amount: 70000, Kind: dossier.PaymentFee, Status: dossier.PaymentCancelled},
			}
		})
	}
	{
		d, h := base("H01.7", dossier.Direct)
		h.start()
		h.resolve(dossier.Denied)
		add("resolved denied", d, nil)
	}
	{
		d, h := base("H01.8", dossier.Direct)
		h.start()
		h.resolve(dossier.Approved)
		add("resolved approved with a result", d, func(in *dvcqg.Input) { in.Files = []files.File{resultFile()} })
	}
	{
		d, h := base("H01.9", dossier.Direct)
		t := h.add(dossier.ActWithdraw, dossier.Withdrawn, "BPMC", map[string]any{"reason": "Không cần nữa"})
		d.WithdrawnAt = ptr(t)
		add("withdrawn", d, nil)
	}
	{
		d, h := base("H01.10", dossier.Direct)
		h.start()
		h.by = "leader"
		t := h.add(dossier.ActStop, dossier.Stopped, "SXD", map[string]any{"reason": "Vi phạm"})
		d.StoppedAt = ptr(t)
		add("stopped", d, nil)
	}
	{
		d, h := base("H01.11", dossier.Direct)
		h.start()
		h.by = "officer"
		h.add(dossier.ActTransfer, dossier.Processing, "STP", map[string]any{"to_unit": "STP"})
		d.HolderUnit = "STP"
		h.by = "admin"
		h.add(dossier.ActReschedule, dossier.Processing, "STP", map[string]any{"reason": "Chậm", "appointment_at": "x"})
		d.AppointmentAt = ptr(at(400))
		add("transferred and rescheduled", d, nil)
	}
	{
		d, h := base("H01.12", dossier.Direct)
		d.Applicant = dossier.Applicant{Name: "Công ty TNHH Một Thành Viên", IDNumber: "012345678", Organization: "Công ty TNHH"}
		h.start()
		add("organisation with a 9-digit ID", d, nil)
	}
	{
		d, _ := base("H01.13", dossier.Postal)
		d.Applicant = dossier.Applicant{Name: "Hoàng Văn Không", IDNumber: "AB-123"}
		add("other ID and long procedure name", d, func(in *dvcqg.Input) {
			in.Procedure.Name = strings.Repeat("Thủ tục ", 200)
		})
	}
	{
		// Imported: every entry by the import, a returned dossier of 2020.
		d, h := base("H01.14", dossier.Direct)
		h.by = importer.ImportedBy
		d.History[0].By = importer.ImportedBy
		h.add(dossier.ActStart, dossier.Processing, "SXD", nil)
		h.add(dossier.ActResolve, dossier.Resolved, "SXD", nil)
		d.ResolvedAt, d.Outcome = ptr(at(h.hour)), dossier.Approved
		t := h.add(dossier.ActReturn, dossier.Returned, "BPMC", nil)
		d.ReturnedAt = ptr(t)
		add("imported", d, nil)
	}
	{
		d, h := base("H01.15", dossier.Direct)
		h.by = "ghost"
		h.add(dossier.ActStart, dossier.Processing, "NOWHERE", nil)
		d.Documents = nil
		add("unknown user and unit, no papers", d, nil)
	}
	return out
}
