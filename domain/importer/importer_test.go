package importer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

var loc = worktime.DefaultLocation()

// The test catalogue.
const (
	unitCenter   = "U20"
	unitJustice  = "U09"
	unitDistrict = "U51"
	procFive     = "P.5D"   // 5 working days, at the justice department, on-spot eligible
	procHours    = "P.4H"   // 4 working hours
	procAbolish  = "P.ABOL" // abolished today, still importable as history
)

type fakeCatalog struct {
	tree  *catalog.Tree
	cal   *worktime.Calendar
	procs map[string]catalog.Procedure
	calls int
	// invalidated counts Invalidate calls (the catalogue's caches dropped).
	invalidated int
}

func (c *fakeCatalog) Invalidate() { c.invalidated++ }

func newCatalog() *fakeCatalog {
	return &fakeCatalog{
		tree: catalog.NewTree([]catalog.Agency{
			{Code: "U00", Kind: catalog.KindProvince},
			{Code: unitCenter, Kind: catalog.KindServiceCenter, ParentCode: "U00"},
			{Code: unitJustice, Kind: catalog.KindDepartment, ParentCode: "U00"},
			{Code: unitDistrict, Kind: catalog.KindDistrict, ParentCode: "U00", Closed: true},
		}),
		cal: worktime.NewCalendar(loc, worktime.Year{Year: 2021, Sessions: worktime.DefaultSessions(),
			Holidays: []worktime.Date{{Year: 2021, Month: 9, Day: 2}, {Year: 2021, Month: 9, Day: 3}}}),
		procs: map[string]catalog.Procedure{
			procFive: {Code: procFive, AgencyCode: unitJustice, OnSpotEligible: true, Status: catalog.StatusActive,
				ProcessingTime: worktime.Duration{Value: 5, Unit: worktime.WorkingDays}},
			procHours: {Code: procHours, AgencyCode: unitJustice, Status: catalog.StatusActive,
				ProcessingTime: worktime.Duration{Value: 4, Unit: worktime.WorkingHours}},
			procAbolish: {Code: procAbolish, AgencyCode: unitDistrict, Status: catalog.StatusAbolished,
				ProcessingTime: worktime.Duration{Value: 3, Unit: worktime.CalendarDays}},
		},
	}
}

func (c *fakeCatalog) Tree(context.Context) (*catalog.Tree, error)          { return c.tree, nil }
func (c *fakeCatalog) Calendar(context.Context) (*worktime.Calendar, error) { return c.cal, nil }
func (c *fakeCatalog) Location() *time.Location                             { return loc }
func (c *fakeCatalog) Procedure(_ context.Context, code string) (catalog.Procedure, error) {
	c.calls++
	p, ok := c.procs[code]
	if !ok {
		return catalog.Procedure{}, domain.NotFound("thủ tục")
	}
	return p, nil
}

// fakeStore keeps what it is given; codes in exist are duplicates; a batch
// holding a code of poison fails as a whole (with the poison's error).
type fakeStore struct {
	exist     map[string]bool
	poison    map[string]error
	dossiers  []importer.DossierRecord
	feedback  []importer.FeedbackRecord
	procs     []importer.ProcedureRecord
	batches   []int
	failAfter int // fail every call after this many (0: never)
	calls     int
}

func newStore() *fakeStore { return &fakeStore{exist: map[string]bool{}, poison: map[string]error{}} }

func store[R any](s *fakeStore, recs []R, code func(R) string, keep func(R)) (importer.Stored, error) {
	s.calls++
	if s.failAfter > 0 && s.calls > s.failAfter {
		return importer.Stored{}, errors.New("database is gone")
	}
	for _, r := range recs {
		if err, bad := s.poison[code(r)]; bad {
			return importer.Stored{}, err
		}
	}
	s.batches = append(s.batches, len(recs))
	var st importer.Stored
	for _, r := range recs {
		if s.exist[code(r)] {
			st.Duplicates++
			continue
		}
		s.exist[code(r)] = true
		keep(r)
		st.Imported++
	}
	return st, nil
}

func (s *fakeStore) ImportDossiers(_ context.Context, recs []importer.DossierRecord) (importer.Stored, error) {
	return store(s, recs, func(r importer.DossierRecord) string { return r.Dossier.Code },
		func(r importer.DossierRecord) { s.dossiers = append(s.dossiers, r) })
}

func (s *fakeStore) ImportFeedback(_ context.Context, recs []importer.FeedbackRecord) (importer.Stored, error) {
	return store(s, recs, func(r importer.FeedbackRecord) string { return r.Feedback.Code },
		func(r importer.FeedbackRecord) { s.feedback = append(s.feedback, r) })
}

func (s *fakeStore) ImportProcedures(_ context.Context, recs []importer.ProcedureRecord) (importer.Stored, error) {
	return store(s, recs, func(r importer.ProcedureRecord) string { return r.Procedure.Code },
		func(r importer.ProcedureRecord) { s.procs = append(s.procs, r) })
}

var (
	admin = user.Principal{Username: "admin", Role: user.RoleAdmin}
	now   = time.Date(2026, 11, 23, 9, 0, 0, 0, loc)
)

func hashID(id string) string {
	if id == "" {
		return ""
	}
	return "h:" + id
}

func newService(st *fakeStore, cat *fakeCatalog) *importer.Service {
	return importer.NewService(st, cat, hashID, func() time.Time { return now })
}

// ndjson joins objects (maps are marshalled, strings kept) into lines.
func ndjson(t testing.TB, lines ...any) string {
	t.Helper()
	var b strings.Builder
	for _, l := range lines {
		switch v := l.(type) {
		case string:
			b.WriteString(v)
		default:
			j, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(j)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

type obj = map[string]any

func at(s string) string { return s + "+07:00" }

// dossierLine is a good line of status status (withdrawn: after receipt).
func dossierLine(code string, status dossier.Status) obj {
	o := obj{"code": code, "procedure_code": procFive, "unit_code": unitCenter, "channel": "direct",
		"status": string(status), "applicant": obj{"name": "Nguyễn Văn An", "id_number": "001234567890"},
		"received_at": at("2021-08-02T08:00:00")}
	switch status {
	case dossier.Submitted:
		o["channel"] = "online"
		delete(o, "received_at")
		o["submitted_at"] = at("2021-08-01T20:00:00")
	case dossier.Rejected:
		o["channel"] = "online"
		delete(o, "received_at")
		o["submitted_at"] = at("2021-08-01T20:00:00")
		o["rejected_at"] = at("2021-08-02T09:00:00")
	case dossier.Resolved:
		o["resolved_at"], o["outcome"] = at("2021-08-05T10:00:00"), "approved"
	case dossier.Returned:
		o["resolved_at"], o["outcome"] = at("2021-08-05T10:00:00"), "denied"
		o["returned_at"] = at("2021-08-06T10:00:00")
	case dossier.Withdrawn:
		o["withdrawn_at"] = at("2021-08-03T10:00:00")
	case dossier.Stopped:
		o["stopped_at"] = at("2021-08-03T10:00:00")
	}
	return o
}

func with(o obj, kv ...any) obj {
	c := maps.Clone(o)
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(c, k)
		} else {
			c[k] = kv[i+1]
		}
	}
	return c
}

func importString(t *testing.T, s *importer.Service, kind importer.Kind, body string) importer.Result {
	t.Helper()
	res, err := s.Import(context.Background(), admin, kind, strings.NewReader(body), nil)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

// TestDossierLineValidation runs every status with consistent times and a
// table of inconsistent or unknown values; a bad line names each problem.
func TestDossierLineValidation(t *testing.T) {
	type tc struct {
		name string
		line any
		want []string // substrings of the reported error; nil = good line
	}
	var cases []tc
	for _, st := range dossier.Statuses {
		cases = append(cases, tc{"good " + string(st), dossierLine("G-"+string(st), st), nil})
	}
	proc := dossierLine("X", dossier.Processing)
	res := dossierLine("X", dossier.Resolved)
	ret := dossierLine("X", dossier.Returned)
	rej := dossierLine("X", dossier.Rejected)
	sub := dossierLine("X", dossier.Submitted)
	wd := dossierLine("X", dossier.Withdrawn)
	stp := dossierLine("X", dossier.Stopped)
	cases = append(cases,
		tc{"withdrawn before acceptance (online)", with(wd, "channel", "online", "received_at", nil,
			"submitted_at", at("2021-08-02T07:00:00")), nil},
		tc{"withdrawn before acceptance needs online", with(wd, "received_at", nil), []string{"received_at: bắt buộc với hồ sơ không nộp trực tuyến"}},
		tc{"on-spot direct eligible", with(res, "on_spot", true), nil},
		tc{"closed unit, abolished procedure (history)", with(proc, "unit_code", unitDistrict, "procedure_code", procAbolish), nil},
		tc{"resolved without outcome", with(res, "outcome", nil), []string{"outcome: bắt buộc với trạng thái resolved"}},
		tc{"resolved bad outcome", with(res, "outcome", "maybe"), []string{"outcome: phải là approved hoặc denied"}},
		tc{"resolved without resolved_at", with(res, "resolved_at", nil), []string{"resolved_at: bắt buộc với trạng thái resolved"}},
		tc{"resolved before received", with(res, "resolved_at", at("2021-08-01T10:00:00")), []string{"resolved_at: không được trước received_at"}},
		tc{"resolved without received_at", with(res, "received_at", nil), []string{"received_at: bắt buộc với trạng thái resolved"}},
		tc{"resolved with returned_at", with(res, "returned_at", at("2021-08-09T10:00:00")), []string{"returned_at: không được có với trạng thái resolved"}},
		tc{"returned without returned_at", with(ret, "returned_at", nil), []string{"returned_at: bắt buộc với trạng thái returned"}},
		tc{"returned before resolved", with(ret, "returned_at", at("2021-08-04T10:00:00")), []string{"returned_at: không được trước resolved_at"}},
		tc{"processing with resolved_at", with(proc, "resolved_at", at("2021-08-05T10:00:00")), []string{"resolved_at: không được có với trạng thái processing"}},
		tc{"processing with outcome", with(proc, "outcome", "approved"), []string{"outcome: chỉ có khi hồ sơ đã giải quyết"}},
		tc{"processing without received_at", with(proc, "received_at", nil), []string{"received_at: bắt buộc với trạng thái processing"}},
		tc{"received with withdrawn_at", with(dossierLine("X", dossier.Received), "withdrawn_at", at("2021-08-03T10:00:00")), []string{"withdrawn_at: không được có"}},
		tc{"supplement_requested with stopped_at", with(dossierLine("X", dossier.SupplementRequested), "stopped_at", at("2021-08-03T10:00:00")), []string{"stopped_at: không được có"}},
		tc{"awaiting_payment with rejected_at", with(dossierLine("X", dossier.AwaitingPayment), "rejected_at", at("2021-08-03T10:00:00")), []string{"rejected_at: không được có"}},
		tc{"rejected with received_at", with(rej, "received_at", at("2021-08-02T08:00:00")), []string{"received_at: không được có với trạng thái rejected"}},
		tc{"rejected without rejected_at", with(rej, "rejected_at", nil), []string{"rejected_at: bắt buộc với trạng thái rejected"}},
		tc{"rejected direct", with(rej, "channel", "direct"), []string{"channel: chỉ hồ sơ nộp trực tuyến"}},
		tc{"rejected before submitted", with(rej, "rejected_at", at("2021-08-01T10:00:00")), []string{"rejected_at: không được trước submitted_at"}},
		tc{"submitted without submitted_at", with(sub, "submitted_at", nil), []string{"submitted_at: bắt buộc với trạng thái submitted"}},
		tc{"submitted postal", with(sub, "channel", "postal"), []string{"channel: chỉ hồ sơ nộp trực tuyến"}},
		tc{"submitted with due_at", with(sub, "due_at", at("2021-08-09T08:00:00")), []string{"due_at: không được có với trạng thái submitted"}},
		tc{"withdrawn without withdrawn_at", with(wd, "withdrawn_at", nil), []string{"withdrawn_at: bắt buộc với trạng thái withdrawn"}},
		tc{"withdrawn before received", with(wd, "withdrawn_at", at("2021-08-01T10:00:00")), []string{"withdrawn_at: không được trước received_at"}},
		tc{"stopped without received_at", with(stp, "received_at", nil), []string{"received_at: bắt buộc với trạng thái stopped"}},
		tc{"stopped with resolved_at", with(stp, "resolved_at", at("2021-08-03T11:00:00")), []string{"resolved_at: không được có với trạng thái stopped"}},
		tc{"received before submitted", with(proc, "submitted_at", at("2021-08-03T08:00:00")), []string{"received_at: không được trước submitted_at"}},
		tc{"due before received", with(proc, "due_at", at("2021-08-01T08:00:00")), []string{"due_at: không được trước received_at"}},
		tc{"appointment before received", with(proc, "appointment_at", at("2021-08-01T08:00:00")), []string{"appointment_at: không được trước received_at"}},
		tc{"in the future", with(res, "resolved_at", "2027-01-04T08:00:00+07:00"), []string{"resolved_at: không được ở tương lai"}},
		tc{"due in the future is fine", with(proc, "due_at", "2027-01-04T08:00:00+07:00"), nil},
		tc{"time without offset", with(proc, "received_at", "2021-08-02T08:00:00"), []string{"received_at: phải theo RFC 3339"}},
		tc{"time out of range", with(proc, "received_at", "0001-01-01T00:00:00Z"), []string{"received_at: năm phải từ 1900 đến 2999"}},
		tc{"missing status", with(proc, "status", nil), []string{"status: bắt buộc"}},
		tc{"unknown status", with(proc, "status", "lost"), []string{"status: trạng thái không hợp lệ"}},
		tc{"unknown procedure", with(proc, "procedure_code", "9.999"), []string{"procedure_code: thủ tục không tồn tại"}},
		tc{"missing procedure", with(proc, "procedure_code", nil), []string{"procedure_code: bắt buộc"}},
		tc{"unknown unit", with(proc, "unit_code", "U99"), []string{"unit_code: đơn vị tiếp nhận không tồn tại"}},
		tc{"missing unit", with(proc, "unit_code", nil), []string{"unit_code: bắt buộc"}},
		tc{"unknown agency", with(proc, "agency_code", "U98"), []string{"agency_code: cơ quan giải quyết không tồn tại"}},
		tc{"unknown channel", with(proc, "channel", "fax"), []string{"channel: phải là direct, online hoặc postal"}},
		tc{"on-spot postal", with(proc, "on_spot", true, "channel", "postal"), []string{"on_spot: chỉ áp dụng cho hồ sơ nộp trực tiếp"}},
		tc{"on-spot not eligible", with(proc, "on_spot", true, "procedure_code", procHours), []string{"on_spot: thủ tục không thuộc danh mục giải quyết tại chỗ"}},
		tc{"missing code", with(proc, "code", nil), []string{"code: bắt buộc"}},
		tc{"code with a slash", with(proc, "code", "A/1"), []string{"code: mã không hợp lệ"}},
		tc{"code too long", with(proc, "code", strings.Repeat("A", 121)), []string{"code: mã không hợp lệ"}},
		tc{"no applicant name", with(proc, "applicant", obj{"id_number": "001234567890"}), []string{"applicant.name: bắt buộc"}},
		tc{"bad id number", with(proc, "applicant", obj{"name": "A", "id_number": "12ab"}), []string{"applicant.id_number: phải gồm 9 đến 12 chữ số"}},
		tc{"bad JSON", `{"code": "X",`, []string{"JSON không hợp lệ"}},
		tc{"not an object", `["X"]`, []string{"Sai kiểu dữ liệu: cần đối tượng (object)"}},
		tc{"two objects on a line", `{"code":"X"} {"code":"Y"}`, []string{"Nội dung JSON thừa sau đối tượng"}},
		tc{"unknown field", with(proc, "colour", "red"), []string{"colour: Trường không được hỗ trợ"}},
		tc{"a field in another case", with(proc, "Code", "X-2"), []string{"Code: Trường không được hỗ trợ"}},
		tc{"a field twice", `{"code":"X","code":"Y"}`, []string{"code: Trường bị lặp lại"}},
		tc{"null for a field that cannot be null", `{"code":"X","on_spot":null}`, []string{"on_spot: không được là null"}},
		tc{"wrong type", with(proc, "on_spot", "yes"), []string{"on_spot: Sai kiểu dữ liệu: cần true hoặc false (boolean)"}},
		tc{"NUL in a text", with(proc, "applicant", obj{"name": "A\x00B"}), []string{"không được chứa ký tự NUL"}},
		tc{"another control character", with(proc, "applicant", obj{"name": "A\x1bB"}), []string{"ký tự điều khiển"}},
		tc{"a C1 control character", with(proc, "applicant", obj{"name": "A\u0085B"}), []string{"ký tự điều khiển"}},
		tc{"a line break in free text is kept", with(proc, "applicant", obj{"name": "Nguyễn\nVăn A"}), nil},
		tc{"several problems joined", with(res, "outcome", nil, "resolved_at", at("2021-08-01T10:00:00"), "unit_code", "U99"),
			[]string{"outcome: bắt buộc với trạng thái resolved; resolved_at: không được trước received_at; unit_code: đơn vị tiếp nhận không tồn tại"}},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newStore()
			svc := newService(st, newCatalog())
			r := importString(t, svc, importer.Dossiers, ndjson(t, c.line))
			if c.want == nil {
				if r.Imported != 1 || len(r.Errors) != 0 {
					t.Fatalf("good line: imported %d, errors %+v", r.Imported, r.Errors)
				}
				return
			}
			if r.Imported != 0 || len(r.Errors) != 1 || r.Errors[0].Line != 1 || r.ErrorLines != 1 {
				t.Fatalf("bad line: %+v", r)
			}
			for _, w := range c.want {
				if !strings.Contains(r.Errors[0].Error, w) {
					t.Errorf("error %q does not contain %q", r.Errors[0].Error, w)
				}
			}
			if strings.Contains(r.Errors[0].Error, "Nguyễn") || strings.Contains(r.Errors[0].Error, "001234567890") {
				t.Errorf("error %q leaks personal data", r.Errors[0].Error)
			}
		})
	}
}

// TestDossierRecord checks what a good line becomes: kept code, times,
// status, channel, unit and on-spot flag; due_at from the calendar when
// absent; timeliness from due_at; the ID hash; an unusable pin hash; and one
// history entry per known time, by "import".
func TestDossierRecord(t *testing.T) {
	cat := newCatalog()
	st := newStore()
	svc := newService(st, cat)
	recv := time.Date(2021, 8, 30, 16, 0, 0, 0, loc) // Mon; 2 and 3 September are holidays
	lines := []any{
		with(dossierLine("EARLY", dossier.Returned), "received_at", at("2021-08-30T16:00:00"),
			"resolved_at", at("2021-09-03T10:00:00"), "returned_at", at("2021-09-06T10:00:00")),
		with(dossierLine("ONTIME", dossier.Resolved), "received_at", at("2021-08-30T16:00:00"),
			"resolved_at", at("2021-09-08T15:59:00")),
		with(dossierLine("LATE", dossier.Resolved), "received_at", at("2021-08-30T16:00:00"),
			"resolved_at", at("2021-09-08T16:00:01")),
		with(dossierLine("GIVENDUE", dossier.Resolved), "received_at", at("2021-08-30T16:00:00"),
			"due_at", at("2021-08-31T08:00:00"), "appointment_at", at("2021-09-10T08:00:00"), "resolved_at", at("2021-09-01T08:00:00"), "on_spot", true),
		with(dossierLine("ONLINE", dossier.Withdrawn), "channel", "online", "submitted_at", at("2021-08-29T21:00:00"),
			"received_at", at("2021-08-30T16:00:00"), "withdrawn_at", at("2021-08-31T09:00:00")),
		dossierLine("REJ", dossier.Rejected),
		with(dossierLine("STOP", dossier.Stopped), "applicant", obj{"name": "B"}),
	}
	r := importString(t, svc, importer.Dossiers, ndjson(t, lines...))
	if r.Imported != int64(len(lines)) || r.ErrorLines != 0 {
		t.Fatalf("result %+v", r)
	}
	got := map[string]importer.DossierRecord{}
	for _, d := range st.dossiers {
		got[d.Dossier.Code] = d
	}
	wantDue := cat.cal.DueAt(recv, worktime.Duration{Value: 5, Unit: worktime.WorkingDays})
	if !wantDue.Equal(time.Date(2021, 9, 8, 16, 0, 0, 0, loc)) {
		t.Fatalf("calendar due = %v; the test's holidays are not applied", wantDue)
	}
	for code, want := range map[string]dossier.Timeliness{"EARLY": dossier.Early, "ONTIME": dossier.OnTime, "LATE": dossier.Late, "GIVENDUE": dossier.Late} {
		d := got[code].Dossier
		if d.Timeliness != want {
			t.Errorf("%s timeliness = %s, want %s", code, d.Timeliness, want)
		}
		if code != "GIVENDUE" && (!d.DueAt.Equal(wantDue) || !d.AppointmentAt.Equal(wantDue)) {
			t.Errorf("%s due %v appointment %v, want both %v", code, d.DueAt, d.AppointmentAt, wantDue)
		}
	}
	g := got["GIVENDUE"].Dossier
	if !g.DueAt.Equal(time.Date(2021, 8, 31, 8, 0, 0, 0, loc)) || !g.AppointmentAt.Equal(time.Date(2021, 9, 10, 8, 0, 0, 0, loc)) || !g.OnSpot {
		t.Errorf("given due/appointment/on-spot not kept: %v %v %v", g.DueAt, g.AppointmentAt, g.OnSpot)
	}
	e := got["EARLY"].Dossier
	if e.Code != "EARLY" || e.Status != dossier.Returned || e.Channel != dossier.Direct || e.UnitCode != unitCenter ||
		e.AgencyCode != unitJustice || e.HolderUnit != unitJustice || e.ProcedureCode != procFive ||
		!e.ReceivedAt.Equal(recv) || !e.SubmittedAt.Equal(recv) || e.Outcome != dossier.Denied || e.ReturnedAt == nil ||
		e.ProcessingTime.Value != 5 || e.Version != 1 {
		t.Errorf("dossier not kept as given: %+v", e)
	}
	if e.ApplicantIDHash != "h:001234567890" || e.Applicant.IDNumber != "001234567890" {
		t.Errorf("id hash %q", e.ApplicantIDHash)
	}
	if len(e.PinHash) != 64 || e.PinHash == got["ONTIME"].Dossier.PinHash {
		t.Errorf("pin hash %q is not 32 random bytes", e.PinHash)
	}
	if got["STOP"].Dossier.ApplicantIDHash != "" {
		t.Errorf("no id number, hash %q", got["STOP"].Dossier.ApplicantIDHash)
	}
	type step struct {
		a        dossier.Action
		from, to dossier.Status
	}
	history := map[string][]step{
		"EARLY":  {{dossier.ActReceive, "", dossier.Received}, {dossier.ActResolve, dossier.Received, dossier.Resolved}, {dossier.ActReturn, dossier.Resolved, dossier.Returned}},
		"ONLINE": {{dossier.ActSubmit, "", dossier.Submitted}, {dossier.ActAccept, dossier.Submitted, dossier.Received}, {dossier.ActWithdraw, dossier.Received, dossier.Withdrawn}},
		"REJ":    {{dossier.ActSubmit, "", dossier.Submitted}, {dossier.ActReject, dossier.Submitted, dossier.Rejected}},
		"STOP":   {{dossier.ActReceive, "", dossier.Received}, {dossier.ActStop, dossier.Received, dossier.Stopped}},
	}
	for code, want := range history {
		h := got[code].History
		if len(h) != len(want) {
			t.Fatalf("%s history %+v", code, h)
		}
		for i, w := range want {
			if h[i].Action != w.a || h[i].From != w.from || h[i].To != w.to || h[i].By != importer.ImportedBy {
				t.Errorf("%s history[%d] = %+v, want %+v", code, i, h[i], w)
			}
		}
	}
	if h := got["ONLINE"].History; !h[0].At.Equal(time.Date(2021, 8, 29, 21, 0, 0, 0, loc)) || !h[1].At.Equal(recv) {
		t.Errorf("online history times %v %v", h[0].At, h[1].At)
	}
	if h := got["EARLY"].History; h[1].Details["timeliness"] != "early" || h[1].Unit != unitJustice || h[0].Unit != unitCenter {
		t.Errorf("resolve entry %+v", h[1])
	}
}

// TestFeedbackLineValidation covers feedback's status ⇔ times table.
func TestFeedbackLineValidation(t *testing.T) {
	base := obj{"code": "PAKN-1", "channel": "hotline", "category": "procedure", "title": "Chậm trả kết quả",
		"content": "Hồ sơ của tôi bị chậm", "sender": obj{"name": "Trần Thị C", "phone": "0912345678"},
		"agency_code": unitJustice, "procedure_code": procFive, "unit_code": unitCenter, "status": "received",
		"received_at": at("2021-08-02T08:00:00")}
	answered := with(base, "status", "answered", "answered_at", at("2021-08-10T08:00:00"), "answer", "Đã xử lý")
	refused := with(base, "status", "refused", "refused_at", at("2021-08-03T08:00:00"), "refusal_reason", "Không thuộc thẩm quyền")
	cases := []struct {
		name string
		line any
		want string
	}{
		{"received", base, ""},
		{"anonymous online", with(base, "sender", nil, "unit_code", nil, "channel", "online"), ""},
		{"processing", with(base, "status", "processing"), ""},
		{"answered", answered, ""},
		{"answered and published", with(answered, "published", true, "published_at", at("2021-08-11T08:00:00")), ""},
		{"published_at alone publishes", with(answered, "published_at", at("2021-08-11T08:00:00")), ""},
		{"refused", refused, ""},
		{"processing without agency", with(base, "status", "processing", "agency_code", nil), "agency_code: bắt buộc với trạng thái processing"},
		{"answered without answer", with(answered, "answer", nil), "answer: bắt buộc với trạng thái answered"},
		{"answered without answered_at", with(answered, "answered_at", nil), "answered_at: bắt buộc với trạng thái answered"},
		{"answered before received", with(answered, "answered_at", at("2021-08-01T08:00:00")), "answered_at: không được trước received_at"},
		{"answered with refused_at", with(answered, "refused_at", at("2021-08-03T08:00:00")), "refused_at: không được có với trạng thái answered"},
		{"published before answered", with(answered, "published_at", at("2021-08-09T08:00:00")), "published_at: không được trước answered_at"},
		{"published true without time", with(answered, "published", true), "published_at: bắt buộc khi published là true"},
		{"published false with time", with(answered, "published", false, "published_at", at("2021-08-11T08:00:00")), "published: phải là true khi có published_at"},
		{"received with answer", with(base, "answer", "x"), "answer: không được có với trạng thái received"},
		{"received published", with(base, "published_at", at("2021-08-11T08:00:00")), "published: chỉ câu trả lời"},
		{"refused without refused_at", with(refused, "refused_at", nil), "refused_at: bắt buộc với trạng thái refused"},
		{"refused with answered_at", with(refused, "answered_at", at("2021-08-10T08:00:00")), "answered_at: không được có với trạng thái refused"},
		{"processing with refusal reason", with(base, "status", "processing", "refusal_reason", "x"), "refusal_reason: không được có"},
		{"missing received_at", with(base, "received_at", nil), "received_at: bắt buộc"},
		{"due before received", with(base, "due_at", at("2021-08-01T08:00:00")), "due_at: không được trước received_at"},
		{"received in the future", with(base, "received_at", "2030-01-01T08:00:00+07:00"), "received_at: không được ở tương lai"},
		{"unknown status", with(base, "status", "closed"), "status: phải là received, processing, answered hoặc refused"},
		{"unknown agency", with(base, "agency_code", "U99"), "agency_code: không tồn tại"},
		{"unknown unit", with(base, "unit_code", "U99"), "unit_code: không tồn tại"},
		{"unknown procedure", with(base, "procedure_code", "9.9"), "procedure_code: không tồn tại"},
		{"bad channel", with(base, "channel", "fax"), "channel: phải là hotline, online, direct hoặc mail"},
		{"no title", with(base, "title", nil), "title: bắt buộc"},
		{"bad code", with(base, "code", "PAKN 1"), "code: mã không hợp lệ"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newStore()
			r := importString(t, newService(st, newCatalog()), importer.Feedback, ndjson(t, c.line))
			if c.want == "" {
				if r.Imported != 1 {
					t.Fatalf("good line: %+v", r)
				}
				return
			}
			if r.Imported != 0 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error, c.want) {
				t.Fatalf("want error %q, got %+v", c.want, r)
			}
		})
	}
	// What a good answered, published line becomes.
	st := newStore()
	cat := newCatalog()
	importString(t, newService(st, cat), importer.Feedback, ndjson(t, with(answered, "published_at", at("2021-08-11T08:00:00"))))
	f := st.feedback[0]
	recv := time.Date(2021, 8, 2, 8, 0, 0, 0, loc)
	if !f.Feedback.DueAt.Equal(cat.cal.DueAt(recv, feedback.AnswerTime)) || !f.Feedback.RefuseDueAt.Equal(cat.cal.DueAt(recv, feedback.RefuseTime)) ||
		!f.Feedback.Published || f.Feedback.RecordedUnit != unitCenter || f.Feedback.PinHash != "" {
		t.Errorf("feedback %+v", f.Feedback)
	}
	var actions []string
	for _, e := range f.History {
		actions = append(actions, string(e.Action)+">"+string(e.To))
	}
	if got := strings.Join(actions, ","); got != "receive>received,answer>answered,publish>answered" {
		t.Errorf("history %s", got)
	}
}

// TestProcedureLineValidation covers procedures and their publications.
func TestProcedureLineValidation(t *testing.T) {
	base := obj{"code": "1.009999", "name": "Cấp giấy phép", "field": "Công thương", "agency_code": unitJustice,
		"level": "province", "processing_time": obj{"value": 10, "unit": "working_days"}, "fee": 100000,
		"online_level": "full", "on_spot_eligible": true, "national_portal_integrated": true,
		"publications": []obj{{"kind": "new", "decision": "602/QĐ-UBND", "decided_on": "2021-05-26"}}}
	abolished := with(base, "publications", []obj{{"kind": "new", "decision": "1/QĐ", "decided_on": "2020-01-02"},
		{"kind": "abolished", "decision": "2/QĐ", "decided_on": "2021-03-04"}})
	cases := []struct {
		name string
		line any
		want string
	}{
		{"good", base, ""},
		{"no publications", with(base, "publications", nil), ""},
		{"abolished by its latest publication", abolished, ""},
		{"status against the latest publication", with(abolished, "status", "active"), "status: không khớp với quyết định công bố mới nhất"},
		{"unknown agency", with(base, "agency_code", "U99"), "agency_code: không tồn tại"},
		{"no processing time", with(base, "processing_time", nil), "processing_time: bắt buộc"},
		{"bad level", with(base, "level", "national"), "level: phải là province, district hoặc commune"},
		{"bad publication kind", with(base, "publications", []obj{{"kind": "renamed", "decision": "1", "decided_on": "2021-01-01"}}), "publications[0].kind"},
		{"bad publication date", with(base, "publications", []obj{{"kind": "new", "decision": "1", "decided_on": "26/05/2021"}}), "publications[0].decided_on: ngày phải có dạng YYYY-MM-DD"},
		{"publication in the future", with(base, "publications", []obj{{"kind": "new", "decision": "1", "decided_on": "2030-01-01"}}), "publications[0].decided_on: không được ở tương lai"},
		{"missing name", with(base, "name", nil), "name: bắt buộc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newStore()
			r := importString(t, newService(st, newCatalog()), importer.Procedures, ndjson(t, c.line))
			if c.want == "" {
				if r.Imported != 1 {
					t.Fatalf("good line: %+v", r)
				}
				return
			}
			if r.Imported != 0 || len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Error, c.want) {
				t.Fatalf("want error %q, got %+v", c.want, r)
			}
		})
	}
	st := newStore()
	cat := newCatalog()
	importString(t, newService(st, cat), importer.Procedures, ndjson(t, abolished))
	if p := st.procs[0].Procedure; p.Status != catalog.StatusAbolished || len(p.Publications) != 2 || p.ProcessingTime.Value != 10 {
		t.Errorf("procedure %+v", p)
	}
	// The catalogue's caches (registration reads procedures from one) are
	// dropped once the import is done.
	if cat.invalidated != 1 {
		t.Errorf("the catalogue was invalidated %d times by a procedures import, want 1", cat.invalidated)
	}
}

// TestStreamLines checks line numbering (from 1, blank lines counted and
// skipped, CRLF, a BOM), over-long lines reported without stopping, and
// that the catalog is read once per procedure in a run.
func TestStreamLines(t *testing.T) {
	cat := newCatalog()
	st := newStore()
	svc := newService(st, cat)
	long := `{"code":"` + strings.Repeat("x", importer.MaxLineBytes) + `"}`
	body := "\xef\xbb\xbf" + ndjson(t, dossierLine("A", dossier.Received)) + "\r\n" + // line 1 (BOM), line 2 blank
		strings.TrimSuffix(ndjson(t, dossierLine("B", dossier.Received)), "\n") + "\r\n" + // line 3, CRLF
		long + "\n" + // line 4: too long
		"   \n" + // line 5: blank
		`{"code": 1}` + "\n" + // line 6: bad
		strings.TrimSuffix(ndjson(t, dossierLine("C", dossier.Received)), "\n") // line 7, no final newline
	r := importString(t, svc, importer.Dossiers, body)
	if r.Lines != 7 || r.Imported != 3 || r.ErrorLines != 2 {
		t.Fatalf("result %+v", r)
	}
	if r.Errors[0].Line != 4 || !strings.Contains(r.Errors[0].Error, "dòng quá dài") || r.Errors[1].Line != 6 {
		t.Errorf("errors %+v", r.Errors)
	}
	if cat.calls != 1 {
		t.Errorf("catalog read %d times for one procedure, want 1 (cached for the run)", cat.calls)
	}
	// A line of exactly MaxLineBytes is not too long.
	exact := `{"code":"A","note":"` + strings.Repeat("n", importer.MaxLineBytes-22) + `"}`
	if len(exact) != importer.MaxLineBytes {
		t.Fatalf("len %d", len(exact))
	}
	r = importString(t, newService(newStore(), cat), importer.Dossiers, exact+"\n")
	if r.ErrorLines != 1 || strings.Contains(r.Errors[0].Error, "dòng quá dài") {
		t.Errorf("a line of MaxLineBytes: %+v", r.Errors)
	}
}

// TestDuplicates: a code that exists, or appears earlier in the file (in
// the same batch or an earlier one), is skipped whatever its content; a
// bad first occurrence does not make a good second one a duplicate.
func TestDuplicates(t *testing.T) {
	st := newStore()
	st.exist["OLD"] = true
	svc := newService(st, newCatalog())
	var lines []any
	lines = append(lines, dossierLine("OLD", dossier.Received))
	lines = append(lines, with(dossierLine("BADFIRST", dossier.Resolved), "outcome", nil), dossierLine("BADFIRST", dossier.Received))
	for i := 0; i < importer.BatchSize+500; i++ {
		lines = append(lines, dossierLine(fmt.Sprintf("D%05d", i), dossier.Received))
	}
	lines = append(lines, with(dossierLine("D00001", dossier.Stopped), "applicant", obj{"name": "Khác"}), // same batch? no: earlier batch
		dossierLine(fmt.Sprintf("D%05d", importer.BatchSize+499), dossier.Received)) // same batch
	r := importString(t, svc, importer.Dossiers, ndjson(t, lines...))
	exp := importer.Result{Lines: int64(len(lines)), Imported: int64(importer.BatchSize + 500 + 1), SkippedDuplicates: 3, ErrorLines: 1}
	if r.Lines != exp.Lines || r.Imported != exp.Imported || r.SkippedDuplicates != exp.SkippedDuplicates || r.ErrorLines != exp.ErrorLines {
		t.Fatalf("result %+v, want %+v", r, exp)
	}
	if len(st.batches) < 2 || st.batches[0] != importer.BatchSize {
		t.Errorf("batches %v, want %d lines in the first", st.batches, importer.BatchSize)
	}
	// Importing the same stream again stores nothing.
	n := len(st.dossiers)
	r = importString(t, svc, importer.Dossiers, ndjson(t, lines...))
	if r.Imported != 0 || r.SkippedDuplicates != int64(len(lines)-1) || len(st.dossiers) != n {
		t.Errorf("re-import %+v", r)
	}
}

// TestBatchRetriedLineByLine: a batch the store refuses as a whole is
// stored line by line; the refused line is reported with its number.
func TestBatchRetriedLineByLine(t *testing.T) {
	st := newStore()
	st.poison["P2"] = &domain.Error{Kind: domain.KindValidation, Message: "Dữ liệu tham chiếu không tồn tại"}
	st.poison["P4"] = errors.New("value too long for type character varying(64)")
	svc := newService(st, newCatalog())
	r := importString(t, svc, importer.Dossiers, ndjson(t, dossierLine("P1", dossier.Received), dossierLine("P2", dossier.Received),
		dossierLine("P3", dossier.Received), dossierLine("P4", dossier.Received), dossierLine("P5", dossier.Received)))
	if r.Imported != 3 || r.ErrorLines != 2 || r.Errors[0].Line != 2 || r.Errors[1].Line != 4 {
		t.Fatalf("result %+v", r)
	}
	if !strings.Contains(r.Errors[0].Error, "Dữ liệu tham chiếu không tồn tại") || strings.Contains(r.Errors[1].Error, "varying") {
		t.Errorf("messages %+v (internal details must not show)", r.Errors)
	}
}

// TestDatabaseGone: when every line of a failed batch fails for a reason
// of ours, the import stops with the error and says what was stored.
func TestDatabaseGone(t *testing.T) {
	st := newStore()
	st.failAfter = 1
	svc := newService(st, newCatalog())
	var lines []any
	for i := 0; i < importer.BatchSize*2; i++ {
		lines = append(lines, dossierLine(fmt.Sprintf("G%05d", i), dossier.Received))
	}
	r, err := svc.Import(context.Background(), admin, importer.Dossiers, strings.NewReader(ndjson(t, lines...)), nil)
	if err == nil || domain.KindOf(err) != domain.KindInternal || r.Imported != importer.BatchSize {
		t.Fatalf("err %v, result %+v", err, r)
	}
}

// errReader fails after its data.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, e.err
	}
	return n, err
}

// TestReadError: a stream that breaks stops the import; the complete lines
// before the break are stored, the cut one is not.
func TestReadError(t *testing.T) {
	st := newStore()
	svc := newService(st, newCatalog())
	body := ndjson(t, dossierLine("R1", dossier.Received), dossierLine("R2", dossier.Received))
	body += body[:40] // a cut line
	boom := errors.New("connection reset")
	var calls []importer.Progress
	r, err := svc.Import(context.Background(), admin, importer.Dossiers, &errReader{r: strings.NewReader(body), err: boom},
		func(p importer.Progress) { calls = append(calls, p) })
	if !errors.Is(err, boom) || r.Imported != 2 || len(st.dossiers) != 2 {
		t.Fatalf("err %v, result %+v, stored %d", err, r, len(st.dossiers))
	}
	if len(calls) == 0 || calls[len(calls)-1].Imported != 2 {
		t.Errorf("progress %+v", calls)
	}
}

// TestErrorsCapped: the answer lists the first MaxReported bad lines and
// counts them all.
func TestErrorsCapped(t *testing.T) {
	var b bytes.Buffer
	for i := 0; i < importer.MaxReported+250; i++ {
		b.WriteString("nope\n")
	}
	b.WriteString(ndjson(t, dossierLine("OK", dossier.Received)))
	r := importString(t, newService(newStore(), newCatalog()), importer.Dossiers, b.String())
	if len(r.Errors) != importer.MaxReported || r.ErrorLines != int64(importer.MaxReported+250) || r.Imported != 1 ||
		r.Errors[importer.MaxReported-1].Line != int64(importer.MaxReported) {
		t.Fatalf("errors %d, total %d, imported %d", len(r.Errors), r.ErrorLines, r.Imported)
	}
}

// TestOnlyAdmins: other roles are forbidden; an unknown kind is not found.
func TestOnlyAdmins(t *testing.T) {
	svc := newService(newStore(), newCatalog())
	for _, role := range []user.Role{user.RoleClerk, user.RoleOfficer, user.RoleLeader, user.RoleViewer} {
		_, err := svc.Import(context.Background(), user.Principal{Username: "u", Role: role}, importer.Dossiers, strings.NewReader(""), nil)
		if domain.KindOf(err) != domain.KindForbidden {
			t.Errorf("%s: %v", role, err)
		}
	}
	if _, err := svc.Import(context.Background(), admin, "ratings", strings.NewReader(""), nil); domain.KindOf(err) != domain.KindNotFound {
		t.Errorf("unknown kind: %v", err)
	}
}

// A line that is not UTF-8 is a bad line (encoding/json would have read its
// bytes as U+FFFD and stored them); the lines around it import, and the
// normalisation set with NormalizeText reads every line before it is parsed.
func TestLinesThatAreNotUTF8(t *testing.T) {
	st := newStore()
	svc := newService(st, newCatalog())
	var seen int
	svc.NormalizeText(func(b []byte) []byte { seen++; return b })
	good := ndjson(t, dossierLine("U-1", dossier.Received))
	bad := strings.Replace(ndjson(t, dossierLine("U-2", dossier.Received)), "U-2", "U-\xff2", 1)
	r := importString(t, svc, importer.Dossiers, good+bad+ndjson(t, dossierLine("U-3", dossier.Received)))
	if r.Imported != 2 || r.ErrorLines != 1 || len(r.Errors) != 1 || r.Errors[0].Line != 2 || !strings.Contains(r.Errors[0].Error, "UTF-8") {
		t.Fatalf("result %+v; want lines 1 and 3 imported, line 2 refused as not UTF-8", r)
	}
	if seen != 2 {
		t.Errorf("normalisation read %d lines, want the 2 good ones", seen)
	}
}
