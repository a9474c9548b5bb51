package repository

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// The COPY path (PostgreSQL) against the INSERT path: the same rows, one
// transaction a batch, and concurrent imports of the same codes.

var copyNow = time.Date(2026, 11, 23, 9, 0, 0, 0, worktime.DefaultLocation())

// copyEnv is a migrated database with a small catalogue and an import
// service over it.
type copyEnv struct {
	db    *gorm.DB
	store *ImportStore
	cat   *catalog.Service
	svc   *importer.Service
}

func newCopyEnv(t testing.TB) *copyEnv {
	t.Helper()
	ctx := context.Background()
	db := OpenTest(t)
	cat := catalog.NewService(NewCatalogStore(db), worktime.DefaultLocation(), func() time.Time { return copyNow })
	sys := user.Principal{Username: "system", Role: user.RoleAdmin}
	for _, a := range []catalog.Agency{
		{Code: "C.PROV", Name: "Tỉnh", Kind: catalog.KindProvince},
		{Code: "C.CENTRE", Name: "Trung tâm", Kind: catalog.KindServiceCenter, ParentCode: "C.PROV"},
		{Code: "C.DEPT", Name: "Sở", Kind: catalog.KindDepartment, ParentCode: "C.PROV"},
	} {
		if _, err := cat.CreateAgency(ctx, sys, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cat.CreateProcedure(ctx, sys, catalog.Procedure{Code: "C.P5", Name: "Năm ngày", Field: "F", AgencyCode: "C.DEPT",
		Level: catalog.LevelProvince, ProcessingTime: worktime.Duration{Value: 5, Unit: worktime.WorkingDays},
		OnlineLevel: catalog.OnlineFull, OnSpotEligible: true}); err != nil {
		t.Fatal(err)
	}
	e := &copyEnv{db: db, store: NewImportStore(db, testSealer(t)), cat: cat}
	e.svc = importer.NewService(e.store, cat, func(id string) string {
		if id == "" {
			return ""
		}
		return "hash:" + id
	}, func() time.Time { return copyNow })
	return e
}

// captureStore keeps the records an import would store.
type captureStore struct {
	dossiers []importer.DossierRecord
	feedback []importer.FeedbackRecord
}

func (c *captureStore) ImportDossiers(_ context.Context, r []importer.DossierRecord) (importer.Stored, error) {
	c.dossiers = append(c.dossiers, r...)
	return importer.Stored{Imported: len(r)}, nil
}

func (c *captureStore) ImportFeedback(_ context.Context, r []importer.FeedbackRecord) (importer.Stored, error) {
	c.feedback = append(c.feedback, r...)
	return importer.Stored{Imported: len(r)}, nil
}

func (c *captureStore) ImportProcedures(context.Context, []importer.ProcedureRecord) (importer.Stored, error) {
	return importer.Stored{}, errors.New("not captured")
}

// parse turns NDJSON lines of kind into records, as an import would.
func (e *copyEnv) parse(t testing.TB, kind importer.Kind, lines []string) *captureStore {
	t.Helper()
	c := &captureStore{}
	svc := importer.NewService(c, e.cat, func(id string) string { return "hash:" + id }, func() time.Time { return copyNow })
	r, err := svc.Import(context.Background(), user.Principal{Username: "a", Role: user.RoleAdmin}, kind,
		strings.NewReader(strings.Join(lines, "\n")), nil)
	if err != nil || r.ErrorLines != 0 {
		t.Fatalf("parse: %v %+v", err, r.Errors)
	}
	return c
}

// copyDossierLine is a dossier line of status (resolved or returned are
// received then finished; the times carry nanoseconds).
func copyDossierLine(code string, i int) string {
	day := fmt.Sprintf("2021-08-%02d", 2+i%20)
	base := fmt.Sprintf(`{"code":%q,"procedure_code":"C.P5","unit_code":"C.CENTRE","applicant":{"name":"Nguyễn Văn %d",`+
		`"id_number":"0012345%05d","phone":"0912345678","email":"a%d@example.vn","address":"Tổ %d, phường Tân Phong",`+
		`"organization":"Công ty %d"},"documents":[{"name":"Tờ khai","copies":%d},{"name":"Bản sao"}],"note":"Ghi chú %d"`,
		code, i, i, i, i, i, 1+i%3, i)
	recv := fmt.Sprintf(`,"received_at":"%sT08:%02d:%02d.123456789+07:00"`, day, i%60, (i*7)%60)
	switch i % 8 {
	case 0:
		return base + `,"channel":"direct","status":"processing"` + recv + `,"due_at":"2021-09-03T08:00:00.5+07:00"}`
	case 1:
		return base + `,"channel":"direct","status":"resolved","on_spot":true,"outcome":"approved"` + recv +
			`,"resolved_at":"` + day + `T15:00:00.000001+07:00"}`
	case 2:
		return base + `,"channel":"postal","status":"returned","outcome":"denied"` + recv +
			`,"resolved_at":"2021-09-20T10:00:00+07:00","returned_at":"2021-09-21T10:00:00.999999999+07:00","appointment_at":"2021-09-01T08:00:00+07:00"}`
	case 3:
		return base + `,"channel":"online","status":"withdrawn","submitted_at":"` + day + `T07:00:00.000000001+07:00"` + recv +
			`,"withdrawn_at":"2021-08-25T10:00:00+07:00"}`
	case 4:
		return base + `,"channel":"direct","status":"stopped"` + recv + `,"stopped_at":"2021-08-26T10:00:00+07:00"}`
	case 5:
		return base + `,"channel":"online","status":"rejected","submitted_at":"` + day + `T07:00:00+07:00","rejected_at":"` + day + `T09:00:00+07:00"}`
	case 6:
		return base + `,"channel":"online","status":"submitted","submitted_at":"` + day + `T21:00:00+07:00"}`
	}
	return base + `,"channel":"direct","status":"received","agency_code":"C.DEPT"` + recv + `}`
}

func copyFeedbackLine(code string, i int) string {
	base := fmt.Sprintf(`{"code":%q,"channel":"hotline","category":"procedure","title":"Tiêu đề %d","content":"Nội dung %d",`+
		`"agency_code":"C.DEPT","received_at":"2021-08-%02dT08:00:00.25+07:00"`, code, i, i, 2+i%20)
	switch i % 4 {
	case 0:
		return base + `,"sender":{"name":"Trần Thị %d","phone":"0912345678","email":"b@example.vn","address":"Số 1"},` +
			`"unit_code":"C.CENTRE","procedure_code":"C.P5","status":"answered","answer":"Đã trả lời","answered_at":"2021-09-05T08:00:00+07:00",` +
			`"published_at":"2021-09-06T08:00:00.000001+07:00"}`
	case 1:
		return base + `,"status":"refused","refused_at":"2021-08-25T08:00:00+07:00","refusal_reason":"Không thuộc thẩm quyền"}`
	case 2:
		return base + `,"status":"processing","dossier_code":"X-1"}`
	}
	return base + `,"status":"received"}`
}

// fullRecord is a dossier record with every optional column set, beyond
// what an import line can say (payment, supplement request, assignee,
// nested history details).
func fullRecord(code string) importer.DossierRecord {
	at := time.Date(2021, 8, 2, 1, 2, 3, 456789123, time.UTC)
	later := at.Add(50 * time.Hour)
	pay := int64(150000)
	return importer.DossierRecord{Line: 1, Dossier: dossier.Dossier{Code: code, ProcedureCode: "C.P5", UnitCode: "C.CENTRE",
		AgencyCode: "C.DEPT", HolderUnit: "C.DEPT", Assignee: "officer", Channel: dossier.Direct, OnSpot: true,
		Status: dossier.Resolved, Applicant: dossier.Applicant{Name: "Lê Thị Ánh", IDNumber: "001234567890", Phone: "0912",
			Email: "x@y.vn", Address: "Hà Nội", Organization: "HTX"}, ApplicantIDHash: "hash", PinHash: strings.Repeat("a", 64),
		Documents: []dossier.Document{{Name: "Đơn", Copies: 2}}, Note: "n", SupplementRequestedAt: &at, PaymentAmount: &pay,
		ProcessingTime: worktime.Duration{Value: 5, Unit: worktime.WorkingDays}, SubmittedAt: at, ReceivedAt: &at,
		DueAt: &later, AppointmentAt: &later, ResolvedAt: &later, Outcome: dossier.Approved, Timeliness: dossier.OnTime,
		Version: 1, CreatedAt: at, UpdatedAt: later},
		History: []dossier.Entry{
			{Action: dossier.ActReceive, To: dossier.Received, At: at, By: "import", Unit: "C.CENTRE"},
			{Action: dossier.ActResolve, From: dossier.Received, To: dossier.Resolved, At: later, By: "import", Unit: "C.DEPT",
				Note: "xong", Details: map[string]any{"timeliness": "on_time", "n": 1.5, "list": []any{"a", 2.0}, "nested": map[string]any{"k": true}}},
		}}
}

// dump reads a query's rows as text, column by column.
func dump(t *testing.T, db *gorm.DB, query string) (cols []string, rows [][]string) {
	t.Helper()
	rs, err := db.Raw(query).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close() //nolint:errcheck
	cols, err = rs.Columns()
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				row[i] = "NULL"
			case time.Time:
				row[i] = x.UTC().Format(time.RFC3339Nano)
			case []byte:
				row[i] = fmt.Sprintf("%T:%s", v, x)
			default:
				row[i] = fmt.Sprintf("%T:%v", v, v)
			}
		}
		rows = append(rows, row)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return cols, rows
}

// TestImportCopyMatchesInsert imports the same records by the INSERT path
// into one database and by the COPY path into another, in two batches
// (the second repeating codes of the first and one code twice), and finds
// every column of every row the same: dossiers, their history, feedback,
// its history and the rollups. On SQLite the store keeps the INSERT path.
func TestImportCopyMatchesInsert(t *testing.T) {
	ctx := context.Background()
	ins, cp := newCopyEnv(t), newCopyEnv(t)
	ins.store.useCopy = false
	if want := Dialect(cp.db) == "postgres"; cp.store.useCopy != want {
		t.Fatalf("useCopy = %v on %s", cp.store.useCopy, Dialect(cp.db))
	}
	var dl, fl []string
	for i := 0; i < 40; i++ {
		dl = append(dl, copyDossierLine(fmt.Sprintf("CP-%03d", i), i))
		fl = append(fl, copyFeedbackLine(fmt.Sprintf("PAKN-CP-%03d", i), i))
	}
	drecs := ins.parse(t, importer.Dossiers, dl).dossiers
	frecs := ins.parse(t, importer.Feedback, fl).feedback
	drecs = append(drecs, fullRecord("CP-FULL"))
	batches := [][]importer.DossierRecord{drecs[:25], append(append([]importer.DossierRecord{}, drecs[20:]...), drecs[30])}
	fbatches := [][]importer.FeedbackRecord{frecs[:25], append(append([]importer.FeedbackRecord{}, frecs[20:]...), frecs[30])}
	for i := range batches {
		a, errA := ins.store.ImportDossiers(ctx, batches[i])
		b, errB := cp.store.ImportDossiers(ctx, batches[i])
		if errA != nil || errB != nil || a != b {
			t.Fatalf("dossier batch %d: insert %+v %v, copy %+v %v", i, a, errA, b, errB)
		}
		a, errA = ins.store.ImportFeedback(ctx, fbatches[i])
		b, errB = cp.store.ImportFeedback(ctx, fbatches[i])
		if errA != nil || errB != nil || a != b {
			t.Fatalf("feedback batch %d: insert %+v %v, copy %+v %v", i, a, errA, b, errB)
		}
	}
	for _, q := range []string{
		"SELECT * FROM dossiers ORDER BY code",
		"SELECT d.code, h.* FROM dossier_history h JOIN dossiers d ON d.id = h.dossier_id ORDER BY d.code, h.id",
		"SELECT * FROM feedback ORDER BY code",
		"SELECT f.code, h.* FROM feedback_history h JOIN feedback f ON f.id = h.feedback_id ORDER BY f.code, h.id",
		"SELECT * FROM dossier_rollups_daily ORDER BY 1, 2, 3, 4, 5, 6, 7",
		"SELECT * FROM dossier_rollups ORDER BY 1, 2, 3, 4, 5, 6, 7",
	} {
		colsA, rowsA := dump(t, ins.db, q)
		colsB, rowsB := dump(t, cp.db, q)
		// Sealed values differ by their nonces: both paths must seal, and
		// what they sealed must be the same.
		openSealed(t, ins.store.seal, colsA, rowsA)
		openSealed(t, cp.store.seal, colsB, rowsB)
		if strings.Join(colsA, ",") != strings.Join(colsB, ",") || len(rowsA) != len(rowsB) || len(rowsA) == 0 {
			t.Fatalf("%s: insert %d rows %v, copy %d rows %v", q, len(rowsA), colsA, len(rowsB), colsB)
		}
		for i := range rowsA {
			for j, c := range colsA {
				if rowsA[i][j] != rowsB[i][j] {
					t.Errorf("%s: row %d (%s) column %s: insert %s, copy %s", q, i, rowsA[i][0], c, rowsA[i][j], rowsB[i][j])
				}
			}
		}
	}
	if n := count(t, cp.db, "SELECT count(*) FROM dossiers"); n != int64(len(drecs)) {
		t.Errorf("%d dossiers stored, want %d", n, len(drecs))
	}
}

func count(t *testing.T, db *gorm.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportCopyOneTransaction: the COPY runs in the batch's transaction
// (same backend, same transaction id as the GORM statements around it),
// and a batch whose rollup step fails leaves no dossier and no history row
// — while the rollup step ran, the copied rows were there.
func TestImportCopyOneTransaction(t *testing.T) {
	ctx := context.Background()
	e := newCopyEnv(t)
	recs := e.parse(t, importer.Dossiers, []string{copyDossierLine("TX-1", 1), copyDossierLine("TX-2", 2), copyDossierLine("TX-3", 0)}).dossiers
	pg := Dialect(e.db) == "postgres"
	if pg {
		err := e.store.pgTx(ctx, func(tx *gorm.DB, raw pgRaw) error {
			var gormXact, gormPID, pgxXact, pgxPID int64
			if err := tx.Raw("SELECT txid_current(), pg_backend_pid()").Row().Scan(&gormXact, &gormPID); err != nil {
				return err
			}
			if err := raw(func(pc *pgx.Conn) error {
				return pc.QueryRow(ctx, "SELECT txid_current(), pg_backend_pid()").Scan(&pgxXact, &pgxPID)
			}); err != nil {
				return err
			}
			if gormXact != pgxXact || gormPID != pgxPID {
				t.Errorf("GORM in transaction %d on backend %d, pgx in %d on %d", gormXact, gormPID, pgxXact, pgxPID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.Exec(`CREATE FUNCTION refuse_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rollup refused with % dossiers and % history rows',
        (SELECT count(*) FROM dossiers), (SELECT count(*) FROM dossier_history);
END $$`).Error; err != nil {
			t.Fatal(err)
		}
		if err := e.db.Exec(`CREATE TRIGGER refuse_rollup BEFORE INSERT ON dossier_rollups_daily
    FOR EACH ROW EXECUTE FUNCTION refuse_rollup()`).Error; err != nil {
			t.Fatal(err)
		}
	} else if err := e.db.Exec(`CREATE TRIGGER refuse_rollup BEFORE INSERT ON dossier_rollups_daily
    BEGIN SELECT RAISE(ABORT, 'rollup refused'); END`).Error; err != nil {
		t.Fatal(err)
	}
	_, err := e.store.ImportDossiers(ctx, recs)
	if err == nil || domain.KindOf(err) != domain.KindInternal || errors.Is(err, errCopyConflict) {
		t.Fatalf("a batch whose rollups fail: %v", err)
	}
	hist := 0
	for _, r := range recs {
		hist += len(r.History)
	}
	var pe *pgconn.PgError
	if pg && (!errors.As(err, &pe) || !strings.Contains(pe.Message, fmt.Sprintf("with 3 dossiers and %d history rows", hist))) {
		t.Errorf("the rollup step did not see the copied rows in its transaction: %v", err)
	}
	if n := count(t, e.db, "SELECT count(*) FROM dossiers"); n != 0 {
		t.Errorf("%d dossiers remain", n)
	}
	if n := count(t, e.db, "SELECT count(*) FROM dossier_history"); n != 0 {
		t.Errorf("%d history rows remain", n)
	}
	if e.store.copyConflicts.Load() != 0 {
		t.Error("a failed rollup was taken for a concurrent import")
	}
}

// TestImportCopyConflict: a code another transaction inserts between the
// existence check and the COPY (the COPY waits for it, then fails on the
// unique index) makes the batch roll back and go again by INSERT … ON
// CONFLICT: that code is a duplicate, the others are stored once, with
// their history and rollups once.
func TestImportCopyConflict(t *testing.T) {
	ctx := context.Background()
	e := newCopyEnv(t)
	recs := e.parse(t, importer.Dossiers, []string{copyDossierLine("CF-1", 1), copyDossierLine("CF-2", 2), copyDossierLine("CF-3", 7)}).dossiers
	if Dialect(e.db) != "postgres" {
		// SQLite: one writer at a time, no COPY; a code stored before is a duplicate.
		if e.store.useCopy {
			t.Fatal("COPY on SQLite")
		}
		if _, err := e.store.ImportDossiers(ctx, recs[1:2]); err != nil {
			t.Fatal(err)
		}
		if st, err := e.store.ImportDossiers(ctx, recs); err != nil || st != (importer.Stored{Imported: 2, Duplicates: 1}) {
			t.Fatalf("%+v %v", st, err)
		}
		return
	}
	other := e.db.Begin()
	vals, err := appendDossierValues(nil, recs[1].Dossier, testSealer(t))
	if err != nil {
		t.Fatal(err)
	}
	vals[10] = "the other import" // applicant_name
	if err := other.Exec(insertSQL("dossiers", dossierImportColumns, 1).String(), vals...).Error; err != nil {
		t.Fatal(err)
	}
	type result struct {
		st  importer.Stored
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := e.store.ImportDossiers(ctx, recs)
		done <- result{st, err}
	}()
	// The COPY waits for the other transaction's CF-2.
	for deadline := time.Now().Add(20 * time.Second); ; {
		if count(t, e.db, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()") > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the import never waited for the other transaction")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := other.Commit().Error; err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.st != (importer.Stored{Imported: 2, Duplicates: 1}) {
		t.Fatalf("%+v %v", r.st, r.err)
	}
	if n := e.store.copyConflicts.Load(); n != 1 {
		t.Errorf("%d batches redone by INSERT, want 1", n)
	}
	var name string
	e.db.Raw("SELECT applicant_name FROM dossiers WHERE code = 'CF-2'").Scan(&name)
	if name != "the other import" {
		t.Errorf("CF-2 was overwritten: %q", name)
	}
	if n, want := count(t, e.db, "SELECT count(*) FROM dossier_history"), len(recs[0].History)+len(recs[2].History); n != int64(want) {
		t.Errorf("%d history rows, want %d", n, want)
	}
	if n := count(t, e.db, "SELECT count(*) FROM dossier_history h JOIN dossiers d ON d.id = h.dossier_id WHERE d.code = 'CF-2'"); n != 0 {
		t.Errorf("CF-2 got %d history rows from the import", n)
	}
	if n := count(t, e.db, "SELECT coalesce(sum(received), 0) FROM dossier_rollups WHERE grain = 'a'"); n != 2 {
		t.Errorf("rollups count %d received, want 2 (the rolled-back COPY must not count)", n)
	}
}

// TestImportOverlappingStreamsConcurrently: two imports of overlapping
// streams at once store every code once, count every line as imported or
// duplicate and report no bad line, however their batches meet (on
// PostgreSQL some meet in the COPY and are redone by INSERT).
func TestImportOverlappingStreamsConcurrently(t *testing.T) {
	e := newCopyEnv(t)
	const n, shift = 4 * importer.BatchSize, importer.BatchSize / 2
	streams := make([]string, 3)
	for s := range streams {
		var lines []string
		for i := s * shift; i < s*shift+n; i++ {
			lines = append(lines, copyDossierLine(fmt.Sprintf("OV-%06d", i), i))
		}
		streams[s] = strings.Join(lines, "\n")
	}
	var wg sync.WaitGroup
	results := make([]importer.Result, len(streams))
	errs := make([]error, len(streams))
	for s := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[s], errs[s] = e.svc.Import(context.Background(), user.Principal{Username: "a", Role: user.RoleAdmin},
				importer.Dossiers, strings.NewReader(streams[s]), nil)
		}()
	}
	wg.Wait()
	var imported int64
	for s, r := range results {
		if errs[s] != nil || r.ErrorLines != 0 || r.Imported+r.SkippedDuplicates != n {
			t.Fatalf("import %d: %v %+v", s, errs[s], r)
		}
		imported += r.Imported
	}
	distinct := int64(n + (len(streams)-1)*shift)
	if imported != distinct || count(t, e.db, "SELECT count(*) FROM dossiers") != distinct {
		t.Errorf("imported %d, stored %d, want %d", imported, count(t, e.db, "SELECT count(*) FROM dossiers"), distinct)
	}
	if n := count(t, e.db, "SELECT count(*) FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM dossier_history h WHERE h.dossier_id = d.id)"); n != 0 {
		t.Errorf("%d dossiers without history", n)
	}
	var dup int64
	e.db.Raw(`SELECT count(*) FROM (SELECT dossier_id, action FROM dossier_history GROUP BY dossier_id, action HAVING count(*) > 1) x`).Scan(&dup)
	if dup != 0 {
		t.Errorf("%d dossiers with a history entry twice", dup)
	}
	var received, want int64
	e.db.Raw("SELECT coalesce(sum(received), 0) FROM dossier_rollups WHERE grain = 'a'").Scan(&received)
	e.db.Raw("SELECT count(*) FROM dossiers WHERE received_at IS NOT NULL").Scan(&want)
	if received != want {
		t.Errorf("rollups count %d received, dossiers %d", received, want)
	}
	t.Logf("%s: %d COPY batches redone by INSERT", Dialect(e.db), e.store.copyConflicts.Load())
}

// BenchmarkImportStorePaths stores the same parsed batches by the INSERT
// path and (on PostgreSQL) the COPY path, one after the other, to compare
// them in one run.
func BenchmarkImportStorePaths(b *testing.B) {
	e := newCopyEnv(b)
	var lines []string
	for i := 0; i < importer.BatchSize; i++ {
		lines = append(lines, copyDossierLine(fmt.Sprintf("BP-%06d", i), i))
	}
	recs := e.parse(b, importer.Dossiers, lines).dossiers
	n := 0
	batch := func() []importer.DossierRecord {
		out := make([]importer.DossierRecord, len(recs))
		for i, r := range recs {
			n++
			r.Dossier.Code = fmt.Sprintf("BP-%09d", n)
			out[i] = r
		}
		return out
	}
	for _, path := range []struct {
		name string
		copy bool
	}{{"insert", false}, {"copy", true}} {
		b.Run(path.name, func(b *testing.B) {
			e.store.useCopy = path.copy && Dialect(e.db) == "postgres"
			for b.Loop() {
				b.StopTimer()
				recs := batch()
				b.StartTimer()
				if st, err := e.store.ImportDossiers(context.Background(), recs); err != nil || st.Imported != len(recs) {
					b.Fatal(st, err)
				}
			}
			b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "dossiers/s")
		})
	}
}

// openSealed replaces, in rows of dossiers or feedback dumped by dump, each
// sealed personal-data cell by "sealed:" and its plain text; a non-empty
// cell of such a column in clear is an error.
func openSealed(t *testing.T, sl *Sealer, cols []string, rows [][]string) {
	t.Helper()
	table := map[string]string{"applicant_id_number": "dossiers", "applicant_phone": "dossiers", "applicant_email": "dossiers",
		"applicant_address": "dossiers", "sender_phone": "feedback", "sender_email": "feedback", "sender_address": "feedback"}
	codeAt := -1
	for j, c := range cols {
		if c == "code" {
			codeAt = j
			break
		}
	}
	for j, c := range cols {
		tb, ok := table[c]
		if !ok || codeAt < 0 {
			continue
		}
		for _, row := range rows {
			v, isString := strings.CutPrefix(row[j], "string:")
			if b, isBytes := strings.CutPrefix(row[j], "[]uint8:"); isBytes {
				v, isString = b, true
			}
			if !isString || v == "" {
				continue
			}
			if !strings.HasPrefix(v, sealPrefix) {
				t.Errorf("%s.%s of %s is stored in clear", tb, c, row[codeAt])
				continue
			}
			plain, err := sl.open(field(tb+"."+c), strings.TrimPrefix(row[codeAt], "string:"), v)
			if err != nil {
				t.Errorf("%s.%s of %s: %v", tb, c, row[codeAt], err)
			}
			row[j] = "sealed:" + plain
		}
	}
}
