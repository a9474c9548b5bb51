package repository_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
	"github.com/motcua/motcua/repository"
)

// importEnv is a migrated database with a small catalogue, the import
// service and store over it, and the dossier service (for lookups).
type importEnv struct {
	db       *gorm.DB
	store    *repository.ImportStore
	svc      *importer.Service
	dossiers *dossier.Service
	pins     domain.PinHasher
	cat      *catalog.Service
}

const (
	iProv, iCentre, iDept = "I.PROV", "I.CENTRE", "I.DEPT"
	iProc                 = "I.P5"
)

var importNow = time.Date(2026, 11, 23, 9, 0, 0, 0, hcm)

func newImportEnv(t testing.TB) *importEnv {
	t.Helper()
	ctx := context.Background()
	db := repository.OpenTest(t)
	now := func() time.Time { return importNow }
	cat := catalog.NewService(repository.NewCatalogStore(db), hcm, now)
	sys := user.Principal{Username: "system", Role: user.RoleAdmin}
	for _, a := range []catalog.Agency{
		{Code: iProv, Name: "Tỉnh", Kind: catalog.KindProvince},
		{Code: iCentre, Name: "Trung tâm", Kind: catalog.KindServiceCenter, ParentCode: iProv},
		{Code: iDept, Name: "Sở", Kind: catalog.KindDepartment, ParentCode: iProv},
	} {
		if _, err := cat.CreateAgency(ctx, sys, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cat.CreateProcedure(ctx, sys, catalog.Procedure{Code: iProc, Name: "Năm ngày", Field: "F", AgencyCode: iDept,
		Level: catalog.LevelProvince, ProcessingTime: worktime.Duration{Value: 5, Unit: worktime.WorkingDays},
		OnlineLevel: catalog.OnlineFull, OnSpotEligible: true}); err != nil {
		t.Fatal(err)
	}
	pins := domain.NewPinHasher([]byte("0123456789abcdef0123456789abcdef"))
	e := &importEnv{db: db, store: repository.NewImportStore(db, testSealer(t)), pins: pins, cat: cat}
	e.dossiers = dossier.NewService(repository.NewDossierStore(db, testSealer(t)), cat, pins, dossier.PolicyPause, now)
	e.svc = importer.NewService(e.store, cat, e.dossiers.HashIDNumber, now)
	return e
}

var importAdmin = user.Principal{Username: "admin", Role: user.RoleAdmin}

func (e *importEnv) run(t *testing.T, kind importer.Kind, lines ...string) importer.Result {
	t.Helper()
	r, err := e.svc.Import(context.Background(), importAdmin, kind, strings.NewReader(strings.Join(lines, "\n")), nil)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return r
}

func importDossierJSON(code, status, extra string) string {
	return fmt.Sprintf(`{"code":%q,"procedure_code":%q,"unit_code":%q,"channel":"direct","status":%q,`+
		`"applicant":{"name":"Nguyễn Văn An","id_number":"001234567890"},"received_at":"2021-08-02T08:00:00+07:00"%s}`,
		code, iProc, iCentre, status, extra)
}

func count(t *testing.T, db *gorm.DB, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := db.Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportDossiersStoresWhole: an imported dossier reads back as given,
// with one history row per known time; citizens find it by ID number and
// by no pin at all.
func TestImportDossiersStoresWhole(t *testing.T) {
	e := newImportEnv(t)
	r := e.run(t, importer.Dossiers,
		importDossierJSON("I-1", "returned", `,"resolved_at":"2021-08-04T10:00:00+07:00","outcome":"approved","returned_at":"2021-08-05T09:00:00+07:00"`),
		importDossierJSON("I-2", "processing", `,"due_at":"2021-08-03T08:00:00+07:00"`))
	if r.Imported != 2 || r.ErrorLines != 0 {
		t.Fatalf("result %+v", r)
	}
	ds := repository.NewDossierStore(e.db, testSealer(t))
	d, err := ds.ByCode(context.Background(), "I-1")
	if err != nil {
		t.Fatal(err)
	}
	recv := time.Date(2021, 8, 2, 8, 0, 0, 0, hcm)
	if d.Status != dossier.Returned || d.Status.Code() != 10 || !d.ReceivedAt.Equal(recv) || d.UnitCode != iCentre ||
		d.AgencyCode != iDept || d.Timeliness != dossier.Early || d.Outcome != dossier.Approved || d.DueAt == nil ||
		!d.DueAt.Equal(time.Date(2021, 8, 9, 8, 0, 0, 0, hcm)) || d.Applicant.Name != "Nguyễn Văn An" {
		t.Errorf("dossier %+v", d)
	}
	h, err := ds.History(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range h {
		got = append(got, string(x.Action)+"@"+x.At.In(hcm).Format("0102T15:04")+"/"+x.By)
	}
	if strings.Join(got, " ") != "receive@0802T08:00/import resolve@0804T10:00/import return@0805T09:00/import" {
		t.Errorf("history %v", got)
	}
	p, err := e.dossiers.Lookup(context.Background(), "I-1", dossier.Credential{IDNumber: "001 234 567 890"})
	if err != nil || p.Status != dossier.Returned || p.ApplicantName != "N***** V** A*" {
		t.Errorf("lookup by id number: %+v %v", p, err)
	}
	if _, err := e.dossiers.Lookup(context.Background(), "I-1", dossier.Credential{IDNumber: "001234567899"}); domain.KindOf(err) != domain.KindNotFound {
		t.Errorf("lookup with another id number: %v", err)
	}
	// No 6-digit pin opens an imported dossier.
	for pin := 0; pin < 1_000_000; pin++ {
		if e.pins.Verify("I-1", fmt.Sprintf("%06d", pin), d.PinHash) {
			t.Fatalf("pin %06d opens an imported dossier", pin)
		}
	}
	d2, err := ds.ByCode(context.Background(), "I-2")
	if err != nil || !d2.DueAt.Equal(time.Date(2021, 8, 3, 8, 0, 0, 0, hcm)) || d2.Timeliness != "" {
		t.Errorf("given due_at: %+v %v", d2, err)
	}
}

// TestImportNothingHalfWritten: a batch whose history cannot be written
// after its dossier rows were inserted is rolled back whole: no dossier
// without its history remains. (The service then retries such a batch line
// by line: domain/importer's TestBatchRetriedLineByLine.)
func TestImportNothingHalfWritten(t *testing.T) {
	e := newImportEnv(t)
	recv := time.Date(2021, 8, 2, 1, 0, 0, 0, time.UTC)
	rec := func(code string) importer.DossierRecord {
		return importer.DossierRecord{Line: 1, Dossier: dossier.Dossier{Code: code, ProcedureCode: iProc, UnitCode: iCentre,
			AgencyCode: iDept, HolderUnit: iDept, Channel: dossier.Direct, Status: dossier.Received,
			Applicant: dossier.Applicant{Name: "A"}, PinHash: strings.Repeat("0", 64),
			ProcessingTime: worktime.Duration{Value: 5, Unit: worktime.WorkingDays}, SubmittedAt: recv, ReceivedAt: &recv,
			DueAt: &recv, AppointmentAt: &recv, Version: 1, CreatedAt: recv, UpdatedAt: recv},
			History: []dossier.Entry{{Action: dossier.ActReceive, To: dossier.Received, At: recv, By: "import"}}}
	}
	bad := rec("H-2")
	bad.History[0].Details = map[string]any{"x": math.NaN()} // cannot be encoded: fails after the dossier row
	if _, err := e.store.ImportDossiers(context.Background(), []importer.DossierRecord{rec("H-1"), bad, rec("H-3")}); err == nil {
		t.Fatal("a batch whose history fails must fail")
	}
	if n := count(t, e.db, "dossiers", "code LIKE ?", "H-%"); n != 0 {
		t.Fatalf("%d dossiers of a failed batch remain", n)
	}
	if n := count(t, e.db, "dossier_history", ""); n != 0 {
		t.Fatalf("%d history rows of a failed batch remain", n)
	}
	// The good record alone stores whole.
	st, err := e.store.ImportDossiers(context.Background(), []importer.DossierRecord{rec("H-1")})
	if err != nil || st.Imported != 1 {
		t.Fatalf("single record: %+v %v", st, err)
	}
	if n := count(t, e.db, "dossiers d", "NOT EXISTS (SELECT 1 FROM dossier_history h WHERE h.dossier_id = d.id)"); n != 0 {
		t.Errorf("%d dossiers without history", n)
	}
}

// TestImportConcurrentSameCodes: imports of the same codes racing each other
// store each dossier once, with its history once (ON CONFLICT guard).
func TestImportConcurrentSameCodes(t *testing.T) {
	e := newImportEnv(t)
	var lines []string
	for i := 0; i < 300; i++ {
		lines = append(lines, importDossierJSON(fmt.Sprintf("C-%04d", i), "resolved",
			`,"resolved_at":"2021-08-04T10:00:00+07:00","outcome":"denied"`))
	}
	body := strings.Join(lines, "\n")
	var wg sync.WaitGroup
	results := make([]importer.Result, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.svc.Import(context.Background(), importAdmin, importer.Dossiers, strings.NewReader(body), nil)
		}()
	}
	wg.Wait()
	var imported, dups int64
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("import %d: %v", i, errs[i])
		}
		imported += r.Imported
		dups += r.SkippedDuplicates
	}
	if imported != 300 || dups != 3*300 {
		t.Errorf("imported %d, duplicates %d", imported, dups)
	}
	if n := count(t, e.db, "dossier_history", ""); n != 2*300 {
		t.Errorf("%d history rows, want %d", n, 2*300)
	}
	// The same code twice in one call: one row, one history.
	recv := time.Date(2021, 8, 2, 1, 0, 0, 0, time.UTC)
	mk := func(name string) importer.DossierRecord {
		return importer.DossierRecord{Line: 1, Dossier: dossier.Dossier{Code: "TWICE", ProcedureCode: iProc, UnitCode: iCentre,
			AgencyCode: iDept, HolderUnit: iDept, Channel: dossier.Direct, Status: dossier.Received,
			Applicant: dossier.Applicant{Name: name}, PinHash: strings.Repeat("0", 64), SubmittedAt: recv, ReceivedAt: &recv,
			ProcessingTime: worktime.Duration{Value: 5, Unit: worktime.WorkingDays}, Version: 1, CreatedAt: recv, UpdatedAt: recv},
			History: []dossier.Entry{{Action: dossier.ActReceive, To: dossier.Received, At: recv, By: "import"}}}
	}
	st, err := e.store.ImportDossiers(context.Background(), []importer.DossierRecord{mk("first"), mk("second")})
	if err != nil || st.Imported != 1 || st.Duplicates != 1 {
		t.Fatalf("twice: %+v %v", st, err)
	}
	var name string
	e.db.Table("dossiers").Where("code = ?", "TWICE").Pluck("applicant_name", &name)
	if name != "first" || count(t, e.db, "dossier_history h", "h.dossier_id = (SELECT id FROM dossiers WHERE code = ?)", "TWICE") != 1 {
		t.Errorf("twice: name %q", name)
	}
}

// TestImportBigBatch: a full batch splits into statements under the
// engines' parameter limits.
func TestImportBigBatch(t *testing.T) {
	e := newImportEnv(t)
	var lines []string
	for i := 0; i < importer.BatchSize+10; i++ {
		lines = append(lines, importDossierJSON(fmt.Sprintf("B-%05d", i), "returned",
			`,"resolved_at":"2021-08-04T10:00:00+07:00","outcome":"approved","returned_at":"2021-08-05T09:00:00+07:00"`))
	}
	r := e.run(t, importer.Dossiers, lines...)
	if r.Imported != int64(len(lines)) || count(t, e.db, "dossier_history", "by_user = ?", "import") != int64(3*len(lines)) {
		t.Fatalf("result %+v", r)
	}
}

// TestImportFeedbackAndProcedures: both kinds store whole and skip codes
// that exist.
func TestImportFeedbackAndProcedures(t *testing.T) {
	e := newImportEnv(t)
	r := e.run(t, importer.Procedures,
		`{"code":"I.NEW","name":"Mới","field":"F","agency_code":"I.DEPT","level":"district","processing_time":{"value":3,"unit":"days"},`+
			`"online_level":"partial","publications":[{"kind":"new","decision":"1/QĐ","decided_on":"2021-01-05"},{"kind":"abolished","decision":"9/QĐ","decided_on":"2021-06-05"}]}`,
		`{"code":"I.P5","name":"Đã có","field":"F","agency_code":"I.DEPT","level":"province","processing_time":{"value":1,"unit":"days"},"online_level":"info"}`)
	if r.Imported != 1 || r.SkippedDuplicates != 1 || r.ErrorLines != 0 {
		t.Fatalf("procedures %+v", r)
	}
	p, err := repository.NewCatalogStore(e.db).Procedure(context.Background(), "I.NEW")
	if err != nil || p.Status != catalog.StatusAbolished || len(p.Publications) != 2 || p.Level != catalog.LevelDistrict {
		t.Errorf("procedure %+v %v", p, err)
	}
	if old, _ := repository.NewCatalogStore(e.db).Procedure(context.Background(), iProc); old.Name != "Năm ngày" {
		t.Errorf("an existing procedure was changed: %+v", old)
	}
	line := `{"code":"PAKN-I-1","channel":"hotline","category":"procedure","title":"T","content":"C","agency_code":"I.DEPT",` +
		`"unit_code":"I.CENTRE","status":"answered","answer":"Đã trả lời","received_at":"2021-08-02T08:00:00+07:00",` +
		`"answered_at":"2021-08-05T08:00:00+07:00","published_at":"2021-08-06T08:00:00+07:00"}`
	r = e.run(t, importer.Feedback, line, line)
	if r.Imported != 1 || r.SkippedDuplicates != 1 {
		t.Fatalf("feedback %+v", r)
	}
	f, err := repository.NewFeedbackStore(e.db, testSealer(t)).Get(context.Background(), "PAKN-I-1")
	if err != nil || f.Status != feedback.StatusAnswered || !f.Published || f.PublishedAt == nil || len(f.History) != 3 ||
		f.RecordedUnit != iCentre || f.PinHash != "" {
		t.Errorf("feedback %+v %v", f, err)
	}
	r = e.run(t, importer.Feedback, line)
	if r.Imported != 0 || r.SkippedDuplicates != 1 || count(t, e.db, "feedback_history", "") != 3 {
		t.Errorf("re-import %+v", r)
	}
}
