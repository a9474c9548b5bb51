package repository_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
	"github.com/motcua/motcua/repository"
)

var hcm = func() *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return l
}()

// dossierEnv is a migrated database with a small agency tree (a province,
// its service centre, a department, a district and a commune) and two
// procedures, and a dossier service over it with a settable clock.
type dossierEnv struct {
	db    *gorm.DB
	store *repository.DossierStore
	svc   *dossier.Service
	mu    sync.Mutex
	now   time.Time
}

const (
	dProv, dCentre, dDept, dDistrict, dCommune = "T.PROV", "T.CENTRE", "T.DEPT", "T.DIST", "T.COMM"
)

func newDossierEnv(t *testing.T) *dossierEnv {
	t.Helper()
	ctx := context.Background()
	db := repository.OpenTest(t)
	e := &dossierEnv{db: db, store: repository.NewDossierStore(db, testSealer(t)), now: time.Date(2026, 11, 23, 9, 0, 0, 0, hcm)}
	clock := func() time.Time {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.now
	}
	cat := catalog.NewService(repository.NewCatalogStore(db), hcm, clock)
	sys := user.Principal{Username: "system", Role: user.RoleAdmin}
	for _, a := range []catalog.Agency{
		{Code: dProv, Name: "Tỉnh", Kind: catalog.KindProvince},
		{Code: dCentre, Name: "Trung tâm", Kind: catalog.KindServiceCenter, ParentCode: dProv},
		{Code: dDept, Name: "Sở", Kind: catalog.KindDepartment, ParentCode: dProv},
		{Code: dDistrict, Name: "Huyện", Kind: catalog.KindDistrict, ParentCode: dProv},
		{Code: dCommune, Name: "Xã", Kind: catalog.KindCommune, ParentCode: dDistrict},
	} {
		if _, err := cat.CreateAgency(ctx, sys, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []catalog.Procedure{
		{Code: "T.P3", Name: "Ba ngày", Field: "F", AgencyCode: dDept, Level: catalog.LevelProvince,
			ProcessingTime: worktime.Duration{Value: 3, Unit: worktime.WorkingDays}, OnlineLevel: catalog.OnlineFull, OnSpotEligible: true},
		{Code: "T.PX", Name: "Xã", Field: "F", AgencyCode: dCommune, Level: catalog.LevelCommune,
			ProcessingTime: worktime.Duration{Value: 1, Unit: worktime.WorkingDays}, OnlineLevel: catalog.OnlinePartial},
	} {
		if _, err := cat.CreateProcedure(ctx, sys, p); err != nil {
			t.Fatal(err)
		}
	}
	e.svc = dossier.NewService(e.store, cat, domain.NewPinHasher([]byte("0123456789abcdef0123456789abcdef")), dossier.PolicyPause, clock)
	return e
}

func (e *dossierEnv) set(t time.Time) {
	e.mu.Lock()
	e.now = t
	e.mu.Unlock()
}

var (
	rClerk   = user.Principal{Username: "clerk", Role: user.RoleClerk, Unit: dCentre}
	rClerkD  = user.Principal{Username: "clerk.d", Role: user.RoleClerk, Unit: dDistrict}
	rOfficer = user.Principal{Username: "officer", Role: user.RoleOfficer, Unit: dDept}
)

func (e *dossierEnv) register(t *testing.T, by user.Principal, in dossier.NewDossier) dossier.Registered {
	t.Helper()
	r, err := e.svc.Register(context.Background(), by, in)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return r
}

func applicant(name string) dossier.Applicant {
	return dossier.Applicant{Name: name, IDNumber: "001234567890", Phone: "0912345678", Email: "a@example.vn",
		Address: "Bản Bo, Tam Đường", Organization: "Hợp tác xã Bản Bo"}
}

// TestDossierCodesUnderConcurrency: 64 goroutines × 50 registrations at one
// unit give 3,200 distinct codes numbered exactly 0001–3200.
func TestDossierCodesUnderConcurrency(t *testing.T) {
	if testing.Short() {
		t.Skip("64 concurrent registrars: run without -short")
	}
	e := newDossierEnv(t)
	const workers, each = 64, 50
	codes := make(chan string, workers*each)
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				r, err := e.svc.Register(context.Background(), rClerk, dossier.NewDossier{ProcedureCode: "T.P3",
					Channel: dossier.Direct, Applicant: dossier.Applicant{Name: fmt.Sprintf("Người %d-%d", w, i)}})
				if err != nil {
					errs <- err
					return
				}
				codes <- r.Code
			}
		}(w)
	}
	wg.Wait()
	close(codes)
	close(errs)
	for err := range errs {
		t.Fatalf("register: %v", err)
	}
	seen := map[int]bool{}
	prefix := dCentre + "-261123-"
	for c := range codes {
		if !strings.HasPrefix(c, prefix) || len(c) != len(prefix)+4 {
			t.Fatalf("code %q: want %sNNNN", c, prefix)
		}
		n, err := strconv.Atoi(strings.TrimPrefix(c, prefix))
		if err != nil || seen[n] {
			t.Fatalf("code %q duplicate or malformed", c)
		}
		seen[n] = true
	}
	if len(seen) != workers*each {
		t.Fatalf("%d codes, want %d", len(seen), workers*each)
	}
	for n := 1; n <= workers*each; n++ {
		if !seen[n] {
			t.Fatalf("number %04d missing", n)
		}
	}
	var rows, hist int64
	e.db.Table("dossiers").Count(&rows)
	e.db.Table("dossier_history").Count(&hist)
	if rows != workers*each || hist != workers*each {
		t.Fatalf("%d dossiers and %d history rows, want %d of each", rows, hist, workers*each)
	}
}

// TestDossierHistoryIsAppendOnly: the database itself refuses to change or
// delete history, whoever asks.
func TestDossierHistoryIsAppendOnly(t *testing.T) {
	e := newDossierEnv(t)
	r := e.register(t, rClerk, dossier.NewDossier{ProcedureCode: "T.P3", Channel: dossier.Direct, Applicant: applicant("Nguyễn Văn An")})
	if err := e.db.Exec("UPDATE dossier_history SET note = 'sửa' WHERE dossier_id = ?", r.ID).Error; err == nil {
		t.Fatal("UPDATE of history succeeded")
	}
	if err := e.db.Exec("DELETE FROM dossier_history WHERE dossier_id = ?", r.ID).Error; err == nil {
		t.Fatal("DELETE of history succeeded")
	}
	if err := e.db.Exec("DELETE FROM dossiers WHERE id = ?", r.ID).Error; err == nil {
		t.Fatal("DELETE of a dossier with history succeeded")
	}
	if repository.Dialect(e.db) == "postgres" {
		if err := e.db.Exec("TRUNCATE dossier_history CASCADE").Error; err == nil {
			t.Fatal("TRUNCATE of history succeeded")
		}
	}
	h, err := e.store.History(context.Background(), r.ID)
	if err != nil || len(h) != 1 || h[0].Note != "" || h[0].Action != dossier.ActReceive {
		t.Fatalf("history after refused changes: %+v, %v", h, err)
	}
}

func TestDossierRoundTripAndStaleUpdate(t *testing.T) {
	e := newDossierEnv(t)
	ctx := context.Background()
	in := dossier.NewDossier{ProcedureCode: "T.P3", Channel: dossier.Direct, OnSpot: true, Applicant: applicant("Lò Thị Đào"),
		Documents: []dossier.Document{{Name: "Tờ khai", Copies: 1}, {Name: "Bản sao CCCD", Copies: 2}}, Note: "Ghi chú"}
	r := e.register(t, rClerk, in)
	got, err := e.store.ByCode(ctx, r.Code)
	if err != nil {
		t.Fatal(err)
	}
	want := r.Dossier
	want.History = nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
	// Stale version at the store: conflict, nothing written.
	stale := got
	if _, err := e.svc.Act(ctx, rOfficer, r.Code, dossier.ActionInput{Action: dossier.ActStart}); err != nil {
		t.Fatal(err)
	}
	stale.Status, stale.Assignee = dossier.Stopped, "intruder"
	err = e.store.Update(ctx, &stale)
	if domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("stale update: %v, want conflict", err)
	}
	now, _ := e.store.ByCode(ctx, r.Code)
	if now.Status != dossier.Processing || now.Version != 2 || now.Assignee != "officer" {
		t.Fatalf("after stale update: %s v%d %q", now.Status, now.Version, now.Assignee)
	}
	// Every timing and outcome column survives a write.
	e.set(time.Date(2026, 11, 24, 10, 0, 0, 0, hcm))
	if _, err := e.svc.Act(ctx, rOfficer, r.Code, dossier.ActionInput{Action: dossier.ActRequestPayment, Amount: ptrInt64(150000)}); err != nil {
		t.Fatal(err)
	}
	lead := user.Principal{Username: "leader", Role: user.RoleLeader, Unit: dDept}
	if _, err := e.svc.Act(ctx, rClerk, r.Code, dossier.ActionInput{Action: dossier.ActConfirmPayment}); err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.Act(ctx, lead, r.Code, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Denied, Reason: "Không đủ điều kiện"})
	if err != nil {
		t.Fatal(err)
	}
	back, _ := e.store.ByCode(ctx, r.Code)
	d.History = nil
	if !reflect.DeepEqual(back, d) {
		t.Fatalf("after resolve:\n got %+v\nwant %+v", back, d)
	}
	if *back.PaymentAmount != 150000 || back.Outcome != dossier.Denied || back.Timeliness != dossier.Early {
		t.Fatalf("stored %v %s %s", back.PaymentAmount, back.Outcome, back.Timeliness)
	}
	h, _ := e.store.History(ctx, r.ID)
	if len(h) != 5 || h[4].Details["reason"] != "Không đủ điều kiện" || h[2].Details["amount"] != float64(150000) || h[4].From != dossier.Processing {
		t.Fatalf("history %+v", h)
	}
}

// TestDossierPublicByCode: the lookup's narrow reads return exactly the
// fields of the full ones that they promise, on both databases, for a
// dossier with every lookup field set (a payment asked, a denied outcome),
// the details of the actions the lookup shows and no others, whether the
// dossier is rated, and not found for an unknown code.
func TestDossierPublicByCode(t *testing.T) {
	e := newDossierEnv(t)
	ctx := context.Background()
	r := e.register(t, rClerk, dossier.NewDossier{ProcedureCode: "T.P3", Channel: dossier.Direct, Applicant: applicant("Lò Thị Đào")})
	lead := user.Principal{Username: "leader", Role: user.RoleLeader, Unit: dDept}
	for _, step := range []struct {
		by user.Principal
		in dossier.ActionInput
	}{
		{rOfficer, dossier.ActionInput{Action: dossier.ActStart}},
		{rOfficer, dossier.ActionInput{Action: dossier.ActRequestSupplement, Reason: "Thiếu giấy", Items: []string{"Bản sao", "Ảnh"}}},
		{rClerk, dossier.ActionInput{Action: dossier.ActSupplement}},
		{rOfficer, dossier.ActionInput{Action: dossier.ActRequestPayment, Amount: ptrInt64(150000)}},
		{rClerk, dossier.ActionInput{Action: dossier.ActConfirmPayment}},
		{lead, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Denied, Reason: "Không đủ điều kiện"}},
		{rClerk, dossier.ActionInput{Action: dossier.ActReturn}},
	} {
		e.set(time.Date(2026, 11, 24, 10, 0, 0, 0, hcm))
		if _, err := e.svc.Act(ctx, step.by, r.Code, step.in); err != nil {
			t.Fatalf("%s: %v", step.in.Action, err)
		}
	}
	full, err := e.store.ByCode(ctx, r.Code)
	if err != nil {
		t.Fatal(err)
	}
	if full.ReceivedAt == nil || full.AppointmentAt == nil || full.ResolvedAt == nil || full.ReturnedAt == nil || full.PinHash == "" ||
		full.ApplicantIDHash == "" || full.PaymentAmount == nil || full.Outcome == "" {
		t.Fatalf("the dossier does not set every lookup field: %+v", full)
	}
	got, err := e.store.PublicByCode(ctx, r.Code)
	if err != nil {
		t.Fatal(err)
	}
	want := dossier.PublicRecord{Dossier: dossier.Dossier{ID: full.ID, Code: full.Code, Status: full.Status,
		Applicant: dossier.Applicant{Name: full.Applicant.Name}, ApplicantIDHash: full.ApplicantIDHash, PinHash: full.PinHash,
		ProcedureCode: full.ProcedureCode, UnitCode: full.UnitCode, AgencyCode: full.AgencyCode, ReceivedAt: full.ReceivedAt,
		AppointmentAt: full.AppointmentAt, ResolvedAt: full.ResolvedAt, ReturnedAt: full.ReturnedAt, Outcome: full.Outcome,
		PaymentAmount: full.PaymentAmount}, Stages: got.Stages} // the stages: below
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("PublicByCode:\n got %+v\nwant %+v", got, want)
	}
	hist, err := e.store.History(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	stages := got.Stages
	if len(stages) != len(hist) || len(hist) != 8 {
		t.Fatalf("%d stages, %d history entries, want 8", len(stages), len(hist))
	}
	for i, h := range hist {
		want := dossier.Stage{Action: h.Action, At: h.At}
		if slices.Contains(dossier.PublicDetailActions, h.Action) {
			want.Details = h.Details
		}
		if !reflect.DeepEqual(stages[i], want) {
			t.Fatalf("stage %d = %+v, history %s %v %v", i, stages[i], h.Action, h.At, h.Details)
		}
	}
	// The details read back are the ones the lookup's rule reads.
	if n := dossier.NextStepOf(dossier.Dossier{Status: dossier.SupplementRequested}, stages, false); n.Reason != "Thiếu giấy" ||
		!slices.Equal(n.Items, []string{"Bản sao", "Ảnh"}) {
		t.Fatalf("supplement step from the stored history: %+v", n)
	}
	if n := dossier.NextStepOf(dossier.Dossier{Status: dossier.AwaitingPayment}, stages, false); n.Amount == nil || *n.Amount != 150000 {
		t.Fatalf("payment step from the stored history: %+v", n)
	}
	// A rating shows at once in the same read.
	err = repository.NewFeedbackStore(e.db, testSealer(t)).InsertRating(ctx, &feedback.Rating{DossierID: full.ID, DossierCode: full.Code,
		Score: 5, UnitCode: full.UnitCode, AgencyCode: full.AgencyCode, ProcedureCode: full.ProcedureCode, CreatedAt: e.now})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.store.PublicByCode(ctx, r.Code); err != nil || !got.Rated {
		t.Fatalf("after a rating: rated %v, %v", got.Rated, err)
	}
	if _, err := e.store.PublicByCode(ctx, r.Code+"X"); domain.KindOf(err) != domain.KindNotFound {
		t.Fatalf("unknown code: %v, want not found", err)
	}
	// A dossier with no stage (no history written yet) is still found,
	// with none: its one row of the join has no stage.
	bare := full
	bare.ID, bare.Code = 0, r.Code+"-BARE"
	if err := e.store.Create(ctx, &bare); err != nil {
		t.Fatal(err)
	}
	if got, err := e.store.PublicByCode(ctx, bare.Code); err != nil || got.ID != bare.ID || len(got.Stages) != 0 {
		t.Fatalf("a dossier without history: %+v, %v", got, err)
	}
}

func ptrInt64(v int64) *int64 { return &v }

func TestDossierListFilters(t *testing.T) {
	e := newDossierEnv(t)
	ctx := context.Background()
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, hcm) }
	e.set(day(23, 9))
	a := e.register(t, rClerk, dossier.NewDossier{ProcedureCode: "T.P3", Channel: dossier.Direct, OnSpot: true, Applicant: applicant("Nguyễn Văn An")})
	e.set(day(24, 9))
	b := e.register(t, rClerk, dossier.NewDossier{ProcedureCode: "T.P3", Channel: dossier.Postal, Applicant: applicant("Đặng Thị Bình")})
	e.set(day(25, 9))
	c := e.register(t, rClerkD, dossier.NewDossier{ProcedureCode: "T.PX", Channel: dossier.Direct, Applicant: applicant("Lò Văn Cường")})
	e.set(day(26, 20))
	o := e.register(t, rClerk, dossier.NewDossier{ProcedureCode: "T.P3", Channel: dossier.Online, Applicant: applicant("Online")})
	e.set(day(27, 9)) // a and c (due 26 09:00) are overdue now; b (due 27 09:00) and o (not received) are not
	if _, err := e.svc.Act(ctx, rOfficer, b.Code, dossier.ActionInput{Action: dossier.ActStart}); err != nil {
		t.Fatal(err)
	}
	all := user.Principal{Username: "viewer", Role: user.RoleViewer}
	codes := func(by user.Principal, f dossier.Filter) []string {
		t.Helper()
		items, total, err := e.svc.List(ctx, by, f)
		if err != nil {
			t.Fatalf("list %+v: %v", f, err)
		}
		var out []string
		for _, d := range items {
			out = append(out, d.Code)
		}
		if f.PageSize == 0 && int(total) != len(out) {
			t.Fatalf("total %d for %d items", total, len(out))
		}
		return out
	}
	yes := true
	tests := []struct {
		name string
		by   user.Principal
		f    dossier.Filter
		want []string
	}{
		{"everything, newest received or submitted first", all, dossier.Filter{}, []string{o.Code, c.Code, b.Code, a.Code}},
		{"status", all, dossier.Filter{Status: dossier.Processing}, []string{b.Code}},
		{"agency", all, dossier.Filter{AgencyCode: dCommune}, []string{c.Code}},
		{"unit", all, dossier.Filter{UnitCode: dCentre}, []string{o.Code, b.Code, a.Code}},
		{"procedure", all, dossier.Filter{ProcedureCode: "T.PX"}, []string{c.Code}},
		{"channel", all, dossier.Filter{Channel: dossier.Postal}, []string{b.Code}},
		{"received range, inclusive local dates", all, dossier.Filter{ReceivedFrom: "2026-11-24", ReceivedTo: "2026-11-25"}, []string{c.Code, b.Code}},
		{"received from", all, dossier.Filter{ReceivedFrom: "2026-11-25"}, []string{c.Code}},
		{"overdue", all, dossier.Filter{Overdue: true}, []string{c.Code, a.Code}},
		{"on spot", all, dossier.Filter{OnSpot: &yes}, []string{a.Code}},
		{"q folded name", all, dossier.Filter{Q: "dang thi"}, []string{b.Code}},
		{"q name with marks", all, dossier.Filter{Q: "Cường"}, []string{c.Code}},
		{"q code", all, dossier.Filter{Q: strings.ToLower(a.Code)}, []string{a.Code}},
		{"q with LIKE wildcard is literal", all, dossier.Filter{Q: "%"}, nil},
		{"clerk scope: the centre", rClerk, dossier.Filter{}, []string{o.Code, b.Code, a.Code}},
		{"district clerk scope: the district and its commune", rClerkD, dossier.Filter{}, []string{c.Code}},
		{"officer scope: the handling department", rOfficer, dossier.Filter{}, []string{o.Code, b.Code, a.Code}},
		{"unit-less clerk sees nothing", user.Principal{Username: "x", Role: user.RoleClerk}, dossier.Filter{}, nil},
		{"page 2 of 2", all, dossier.Filter{Page: domain.Page{Page: 2, PageSize: 3}}, []string{a.Code}},
	}
	for _, tt := range tests {
		if got := codes(tt.by, tt.f); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	// Transfer to the district: the district clerk now sees b too.
	if _, err := e.svc.Act(ctx, rOfficer, b.Code, dossier.ActionInput{Action: dossier.ActTransfer, ToUnit: dCommune}); err != nil {
		t.Fatal(err)
	}
	got := codes(rClerkD, dossier.Filter{})
	sort.Strings(got)
	want := []string{b.Code, c.Code}
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("district scope after transfer: %v, want %v", got, want)
	}
	_, total, err := e.svc.List(ctx, all, dossier.Filter{Page: domain.Page{Page: 1, PageSize: 1}})
	if err != nil || total != 4 {
		t.Fatalf("total with a page of 1: %d, %v", total, err)
	}
}

// testSealer seals personal data under a fixed test key.
func testSealer(tb testing.TB) *repository.Sealer {
	tb.Helper()
	s, err := repository.NewSealer([]byte("repository-test-data-key-0123456789abcdef"), 1)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
