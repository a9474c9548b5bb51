package repository

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/files"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// ---- the digitisation report (ADR 0006): rollups answer like the full scan

// paperwork adds files and payments to the histories of a rollupWorld, at
// each history's clock: component files (new ones and new versions, with
// every combination of flags), results, and the payment facts the dossier
// service keeps (a financial obligation, paid online, every obligation
// cancelled).
type paperwork struct {
	t      *testing.T
	files  *FileStore
	store  *DossierStore
	mu     sync.Mutex
	byCode map[string][]files.File
}

func newPaperwork(t *testing.T, w *rollupWorld) *paperwork {
	p := &paperwork{t: t, files: NewFileStore(w.db), store: NewDossierStore(w.db, testSealer(t)), byCode: map[string][]files.File{}}
	w.step = p.step
	return p
}

// upload stores a version of kind at `at`: a new file, or a new version of
// one of the dossier's files of that kind.
func (p *paperwork) upload(rng *rand.Rand, d dossier.Dossier, kind files.Kind, at time.Time) {
	p.t.Helper()
	ctx := context.Background()
	v := files.Version{Name: "giay-to.pdf", ContentType: files.TypePDF, Size: 1 + rng.Int63n(900_000),
		SHA256: strings.Repeat("a", 64), UploadedAt: at, UploadedBy: "clerk"}
	if kind == files.KindComponent {
		switch rng.Intn(4) {
		case 0:
			v.Reused = true
		case 1:
			v.FromNationalDB = true
		case 2:
			v.Digitised = true
		}
		v.Digitised = v.Digitised || rng.Intn(3) == 0
	}
	e := &dossier.Entry{DossierID: d.ID, Action: dossier.ActAttachFile, From: d.Status, To: d.Status, At: at,
		By: "clerk", Unit: d.UnitCode, Details: map[string]any{"kind": string(kind)}}
	p.mu.Lock()
	var same []int
	for i, f := range p.byCode[d.Code] {
		if f.Kind == kind {
			same = append(same, i)
		}
	}
	p.mu.Unlock()
	if len(same) > 0 && rng.Intn(2) == 0 {
		p.mu.Lock()
		f := p.byCode[d.Code][same[rng.Intn(len(same))]]
		p.mu.Unlock()
		e.Action = dossier.ActReplaceFile
		if err := p.files.AddVersion(ctx, &f, &v, e); err != nil {
			p.t.Fatalf("version of %s: %v", d.Code, err)
		}
		return
	}
	v.Version = 1
	f := files.File{DossierID: d.ID, DossierCode: d.Code, Kind: kind, Current: v}
	if err := p.files.AddFile(ctx, &f, e); err != nil {
		p.t.Fatalf("file of %s: %v", d.Code, err)
	}
	p.mu.Lock()
	p.byCode[d.Code] = append(p.byCode[d.Code], f)
	p.mu.Unlock()
}

// step does one random thing to dossier code at h's clock.
func (p *paperwork) step(h *historyMaker, code string) {
	p.t.Helper()
	ctx := context.Background()
	d, err := p.store.ByCode(ctx, code)
	if err != nil {
		p.t.Fatal(err)
	}
	now := h.now
	switch c := h.rng.Intn(100); {
	case c < 30:
		p.upload(h.rng, d, files.KindComponent, now)
	case c < 45:
		p.upload(h.rng, d, files.KindResult, now)
	case c < 65:
		switch {
		case d.PayableAt == nil:
			d.PayableAt = &now
		case d.PaidOnlineAt == nil && h.rng.Intn(4) == 0:
			d.PayableAt = nil // every obligation cancelled
		case d.PaidOnlineAt == nil:
			d.PaidOnline, d.PaidOnlineAt = true, &now
		default:
			return
		}
		d.UpdatedAt = now
		if err := p.store.Update(ctx, &d); err != nil {
			p.t.Fatalf("payment facts of %s: %v", code, err)
		}
	}
}

// importLinesWithFlags are importLines with the digitised, e_result and
// paid_online flags set at random.
func importLinesWithFlags(t *testing.T, rng *rand.Rand, w *rollupWorld, n int, from time.Time, span time.Duration) string {
	t.Helper()
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(importLines(rng, w, n, from, span)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"digitised", "e_result", "paid_online"} {
			if rng.Intn(2) == 0 {
				m[f] = rng.Intn(4) > 0
			}
		}
		b.WriteString(mustJSON(m) + "\n")
	}
	return b.String()
}

// TestDigitisationRollupsAnswerLikeTheFullScan is ADR 0006's property:
// after random histories with files (on the day of receipt or resolution
// and on later days, before and after them), payment facts (set, paid
// online, cancelled) and an imported history with the import's flags, for
// random periods starting and ending inside months and random scopes, the
// digitisation figures from the rollups equal the full scan's; the lags
// took part; the kept rollups equal a rebuild.
func TestDigitisationRollupsAnswerLikeTheFullScan(t *testing.T) {
	if testing.Short() {
		t.Skip("a slow property test: make test runs it")
	}
	ctx := context.Background()
	w := newRollupWorld(t)
	newPaperwork(t, w)
	w.makeHistories(t, 4, 200, 41)
	w.step = nil
	svc := importer.NewService(NewImportStore(w.db, testSealer(t)), w.cat, func(string) string { return "" }, time.Now)
	file := importLinesWithFlags(t, rand.New(rand.NewSource(43)), w, 800, time.Date(2025, 10, 20, 0, 0, 0, 0, w.loc), 140*24*time.Hour)
	if r, err := svc.Import(ctx, user.Principal{Username: "admin", Role: user.RoleAdmin}, importer.Dossiers, strings.NewReader(file), nil); err != nil || r.Imported != 800 {
		t.Fatalf("import: %v %+v", err, r)
	}
	st := NewStatsStore(w.db)
	checkDigitisationEqualsScan(t, w, st, 60, 45)

	// The rollups kept by the stores are what a rebuild gives.
	before := rollupRows(t, w.db)
	if err := RebuildRollups(ctx, w.db, w.loc); err != nil {
		t.Fatal(err)
	}
	if after := rollupRows(t, w.db); !reflect.DeepEqual(before, after) {
		t.Errorf("incremental rollups differ from a rebuild: %d rows vs %d", len(before), len(after))
	}
	// Form 06 still answers like its scan with the new counters beside.
	checkRollupsEqualScan(t, w, st, 8, 47)
}

// checkDigitisationEqualsScan compares the rollup and full-scan figures
// for n random periods, the province and a random scope each, and checks
// that every figure and the lags were seen.
func checkDigitisationEqualsScan(t *testing.T, w *rollupWorld, st *StatsStore, n int, seed int64) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewSource(seed))
	scopes := [][]string{nil, {"C"}, {"X"}, w.tree.Subtree("J"), w.tree.Subtree("D"), {"K"}, {"Y", "J"}}
	var seen stats.DigitisationCounts
	lagged := map[string]int64{}
	for i := 0; i < n; i++ {
		p := randomPeriod(rng, w.loc)
		for _, units := range [][]string{nil, scopes[1+rng.Intn(len(scopes)-1)]} {
			q := queryOf(p, units)
			want, err := st.DigitisationFullScan(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := st.Digitisation(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%v..%v scope %v:\nrollups   %+v\nfull scan %+v", p.From, p.To, units, got, want)
			}
			if err := got.Check(); err != nil {
				t.Errorf("%v..%v scope %v: %v", p.From, p.To, units, err)
			}
			lags, err := st.flagLags(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for f, n := range lags {
				lagged[f] += n
			}
			if units == nil {
				seen = addDigitisation(seen, got)
			}
		}
	}
	t.Logf("figures seen over the province's periods %+v; lags subtracted %v", seen, lagged)
	for name, v := range map[string]int64{"received": seen.Received, "with files": seen.ReceivedWithFiles,
		"digitised": seen.ReceivedDigitised, "reused": seen.ReceivedReused, "resolved": seen.Resolved,
		"e-result": seen.ResolvedWithEResult, "resolved digitised": seen.ResolvedDigitised, "payable": seen.Payable,
		"paid online": seen.PaidOnline, "file versions": seen.FileVersions} {
		if v == 0 {
			t.Errorf("no period saw any %s: the histories are too narrow", name)
		}
	}
	for _, f := range []string{flagFiles, flagDigitised, flagReused, flagPayable, flagPaidOnline, flagEResult, flagResolvedDigitised} {
		if lagged[f] == 0 {
			t.Errorf("no period subtracted a lag of %s: the exactness of the lags went untested", f)
		}
	}
}

func addDigitisation(a, b stats.DigitisationCounts) stats.DigitisationCounts {
	a.Received += b.Received
	a.ReceivedWithFiles += b.ReceivedWithFiles
	a.ReceivedDigitised += b.ReceivedDigitised
	a.ReceivedReused += b.ReceivedReused
	a.Resolved += b.Resolved
	a.ResolvedWithEResult += b.ResolvedWithEResult
	a.ResolvedDigitised += b.ResolvedDigitised
	a.Payable += b.Payable
	a.PaidOnline += b.PaidOnline
	a.FileVersions += b.FileVersions
	a.FileBytes += b.FileBytes
	return a
}

// ---- an upload and an action on one dossier

// uploadRace is an online dossier submitted on 2026-03-02 and the two
// writes made to it: acceptance (received_at) and a digitised component
// file, each at its own instant.
type uploadRace struct {
	db     *gorm.DB
	store  *DossierStore
	files  *FileStore
	st     *StatsStore
	loc    *time.Location
	d      dossier.Dossier
	period stats.Query
}

func newUploadRace(t *testing.T) *uploadRace {
	t.Helper()
	ctx := context.Background()
	w := newRollupWorld(t)
	r := &uploadRace{db: w.db, store: NewDossierStore(w.db, testSealer(t)), files: NewFileStore(w.db),
		st: NewStatsStore(w.db), loc: w.loc}
	sub := time.Date(2026, 3, 2, 9, 0, 0, 0, w.loc).UTC()
	r.d = dossier.Dossier{Code: "RACE-1", ProcedureCode: "pJ1", UnitCode: "C", AgencyCode: "J", HolderUnit: "J",
		Channel: dossier.Online, Status: dossier.Submitted, Applicant: dossier.Applicant{Name: "Lê Văn Đua"},
		ProcessingTime: worktime.Duration{Value: 3, Unit: worktime.WorkingDays}, SubmittedAt: sub, Version: 1,
		CreatedAt: sub, UpdatedAt: sub}
	if err := r.store.Create(ctx, &r.d); err != nil {
		t.Fatal(err)
	}
	r.period = queryOf(stats.MonthPeriod(2026, time.March, 0, w.loc), nil)
	return r
}

// accept marks the dossier received at `at` in tx's store.
func (r *uploadRace) accept(ctx context.Context, s *DossierStore, at time.Time) error {
	d, err := s.ByCode(ctx, r.d.Code)
	if err != nil {
		return err
	}
	due := at.Add(72 * time.Hour)
	d.Status, d.ReceivedAt, d.DueAt, d.AppointmentAt, d.UpdatedAt = dossier.Received, &at, &due, &due, at
	return s.Update(ctx, &d)
}

// upload stores a digitised component file at `at`.
func (r *uploadRace) upload(ctx context.Context, at time.Time) error {
	f := files.File{DossierID: r.d.ID, Kind: files.KindComponent, Current: files.Version{Version: 1, Name: "to-khai.pdf",
		ContentType: files.TypePDF, Size: 1234, SHA256: strings.Repeat("b", 64), Digitised: true, UploadedAt: at, UploadedBy: "clerk"}}
	return r.files.AddFile(ctx, &f, &dossier.Entry{DossierID: r.d.ID, Action: dossier.ActAttachFile, From: dossier.Submitted,
		To: dossier.Submitted, At: at, By: "clerk", Unit: "C", Details: map[string]any{}})
}

// check wants the month's figures from the rollups equal to the full scan
// and to want, and the kept rollups equal to a rebuild.
func (r *uploadRace) check(t *testing.T, want stats.DigitisationCounts) {
	t.Helper()
	ctx := context.Background()
	got, err := r.st.Digitisation(ctx, r.period)
	if err != nil {
		t.Fatal(err)
	}
	scan, err := r.st.DigitisationFullScan(ctx, r.period)
	if err != nil {
		t.Fatal(err)
	}
	if got != scan || got != want {
		t.Errorf("rollups %+v\nfull scan %+v\nwant %+v", got, scan, want)
	}
	kept := rollupRows(t, r.db)
	if err := RebuildRollups(ctx, r.db, r.loc); err != nil {
		t.Fatal(err)
	}
	if rebuilt := rollupRows(t, r.db); !reflect.DeepEqual(kept, rebuilt) {
		t.Errorf("kept rollups differ from a rebuild:\nkept    %v\nrebuilt %v", kept, rebuilt)
	}
}

// Acceptance and an upload in either order, on the same day or the
// upload days later: the cross term (received and digitised) is counted
// once, by whichever write comes second.
func TestUploadAndAcceptInEitherOrder(t *testing.T) {
	ctx := context.Background()
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, worktime.DefaultLocation()).UTC() }
	for _, c := range []struct {
		name           string
		uploadFirst    bool
		accept, upload time.Time
	}{
		{"upload then accept", true, day(3, 10), day(3, 8)},
		{"accept then upload the same day", false, day(3, 8), day(3, 10)},
		{"accept then upload days later", false, day(3, 8), day(9, 10)},
		{"accept then upload after the month", false, day(31, 8), time.Date(2026, 4, 1, 9, 0, 0, 0, worktime.DefaultLocation()).UTC()},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newUploadRace(t)
			steps := []func() error{func() error { return r.accept(ctx, r.store, c.accept) }, func() error { return r.upload(ctx, c.upload) }}
			if c.uploadFirst {
				steps[0], steps[1] = steps[1], steps[0]
			}
			for _, s := range steps {
				if err := s(); err != nil {
					t.Fatal(err)
				}
			}
			want := stats.DigitisationCounts{Received: 1, ReceivedWithFiles: 1, ReceivedDigitised: 1, FileVersions: 1, FileBytes: 1234}
			if c.upload.Month() == time.April {
				want = stats.DigitisationCounts{Received: 1}
			}
			r.check(t, want)
		})
	}
}

// The race itself, made deterministic: one write holds the dossier's row
// in an open transaction while the other starts; the second must wait for
// the first to commit and then see its change, so the cross term is not
// lost whichever comes first.
func TestUploadRacingAnAction(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 3, 8, 0, 0, 0, worktime.DefaultLocation()).UTC()
	for _, uploadHolds := range []bool{true, false} {
		name := map[bool]string{true: "upload holds the row", false: "acceptance holds the row"}[uploadHolds]
		t.Run(name, func(t *testing.T) {
			r := newUploadRace(t)
			held, release, firstDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
			go func() {
				firstDone <- transaction(ctx, r.db, func(tx *gorm.DB) error {
					tctx := withTx(ctx, tx)
					var err error
					if uploadHolds {
						err = r.upload(tctx, at.Add(time.Hour))
					} else {
						err = r.accept(tctx, &DossierStore{db: tx, inTx: true, seal: r.store.seal, zone: r.store.zone}, at)
					}
					close(held)
					<-release
					return err
				})
			}()
			<-held
			secondDone := make(chan error, 1)
			go func() {
				if uploadHolds {
					secondDone <- r.accept(ctx, r.store, at)
				} else {
					secondDone <- r.upload(ctx, at.Add(time.Hour))
				}
			}()
			select {
			case err := <-secondDone:
				close(release)
				t.Fatalf("the second write did not wait for the row: %v", err)
			case <-time.After(300 * time.Millisecond):
			}
			close(release)
			if err := <-firstDone; err != nil {
				t.Fatal(err)
			}
			if err := <-secondDone; err != nil && !errors.Is(err, context.Canceled) {
				t.Fatal(err)
			}
			r.check(t, stats.DigitisationCounts{Received: 1, ReceivedWithFiles: 1, ReceivedDigitised: 1, FileVersions: 1, FileBytes: 1234})
		})
	}
}

// A transfer moves the dossier's file versions to its new holder's key:
// the new holder's scope sees them, the old holder's (K) no longer does.
func TestTransferMovesTheFiles(t *testing.T) {
	ctx := context.Background()
	r := newUploadRace(t)
	at := time.Date(2026, 3, 3, 8, 0, 0, 0, worktime.DefaultLocation()).UTC()
	transfer := func(to string, at time.Time) {
		t.Helper()
		d, err := r.store.ByCode(ctx, r.d.Code)
		if err != nil {
			t.Fatal(err)
		}
		d.HolderUnit, d.UpdatedAt = to, at
		if err := r.store.Update(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.accept(ctx, r.store, at); err != nil {
		t.Fatal(err)
	}
	transfer("K", at.Add(time.Minute))
	if err := r.upload(ctx, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	transfer("X", at.Add(2*time.Hour))
	for _, units := range [][]string{{"X"}, {"K"}} {
		q := r.period
		q.Units = units
		got, err := r.st.Digitisation(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := r.st.DigitisationFullScan(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if got != want || (units[0] == "X") != (got.FileVersions == 1) {
			t.Errorf("scope %v: rollups %+v, full scan %+v", units, got, want)
		}
	}
	r.check(t, stats.DigitisationCounts{Received: 1, ReceivedWithFiles: 1, ReceivedDigitised: 1, FileVersions: 1, FileBytes: 1234})
}
