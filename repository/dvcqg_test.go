package repository_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/dvcqg"
	"github.com/motcua/motcua/domain/files"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
	"github.com/motcua/motcua/repository"
)

// TestDVCQGChangedDossiersKeyset: the export's pages follow (changed_at,
// code) without a gap or a repeat across page boundaries, even for ties;
// never a dossier not received; only the period [From, To) and the units
// asked; and every registration, action and file upload moves changed_at.
func TestDVCQGChangedDossiersKeyset(t *testing.T) {
	e := newDossierEnv(t)
	ctx := context.Background()
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, hcm) }
	var codes []string
	reg := func(when time.Time, by user.Principal, proc string, ch dossier.Channel) string {
		e.set(when)
		r := e.register(t, by, dossier.NewDossier{ProcedureCode: proc, Channel: ch, Applicant: applicant("Nguyễn Văn An")})
		return r.Code
	}
	// Three registered at the same instant (a tie broken by code), two later.
	for range 3 {
		codes = append(codes, reg(at(23, 9, 0), rClerk, "T.P3", dossier.Direct))
	}
	codes = append(codes, reg(at(23, 10, 0), rClerk, "T.P3", dossier.Postal))
	commune := reg(at(23, 11, 0), rClerkD, "T.PX", dossier.Direct)
	online := reg(at(23, 12, 0), rClerk, "T.P3", dossier.Online) // submitted: never in the export
	slices.Sort(codes[:3])

	page := func(q dvcqg.Query) []string {
		t.Helper()
		var out []string
		for {
			got, err := e.store.ChangedDossiers(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range got {
				if len(c.Dossier.History) == 0 || c.Dossier.Applicant.Name != "Nguyễn Văn An" {
					t.Fatalf("%s: history %d, applicant %q", c.Dossier.Code, len(c.Dossier.History), c.Dossier.Applicant.Name)
				}
				out = append(out, c.Dossier.Code)
			}
			if len(got) < q.Limit {
				return out
			}
			last := got[len(got)-1]
			q.After = &dvcqg.Key{ChangedAt: last.ChangedAt, Code: last.Dossier.Code}
		}
	}
	day := dvcqg.Query{From: at(23, 0, 0), To: at(24, 0, 0), Limit: 2}
	want := append(slices.Clone(codes), commune)
	if got := page(day); !slices.Equal(got, want) {
		t.Fatalf("pages of 2: %v, want %v", got, want)
	}
	one := day
	one.Limit = 1
	if got := page(one); !slices.Equal(got, want) {
		t.Fatalf("pages of 1: %v, want %v", got, want)
	}
	// [From, To): 09:00 is in, 10:00 is not.
	if got := page(dvcqg.Query{From: at(23, 9, 0), To: at(23, 10, 0), Limit: 10}); !slices.Equal(got, codes[:3]) {
		t.Errorf("[09:00, 10:00): %v", got)
	}
	// The commune's units only.
	if got := page(dvcqg.Query{From: day.From, To: day.To, Limit: 10, Units: []string{dDistrict, dCommune}}); !slices.Equal(got, []string{commune}) {
		t.Errorf("commune scope: %v", got)
	}
	if got := page(dvcqg.Query{From: day.From, To: day.To, Limit: 10, Units: []string{}}); len(got) != 0 {
		t.Errorf("empty scope: %v", got)
	}

	// An action moves the first to the end; accepting the online one
	// brings it in.
	e.set(at(23, 14, 0))
	if _, err := e.svc.Act(ctx, rOfficer, codes[0], dossier.ActionInput{Action: dossier.ActStart}); err != nil {
		t.Fatal(err)
	}
	e.set(at(23, 15, 0))
	if _, err := e.svc.Act(ctx, rClerk, online, dossier.ActionInput{Action: dossier.ActAccept}); err != nil {
		t.Fatal(err)
	}
	want = []string{codes[1], codes[2], codes[3], commune, codes[0], online}
	if got := page(day); !slices.Equal(got, want) {
		t.Fatalf("after actions: %v, want %v", got, want)
	}

	// A file upload (which writes no dossier update) is a change too.
	d, err := e.store.ByCode(ctx, codes[1])
	if err != nil {
		t.Fatal(err)
	}
	fs := repository.NewFileStore(e.db)
	up := at(23, 16, 0).UTC()
	f := files.File{DossierID: d.ID, DossierCode: d.Code, Kind: files.KindComponent, Current: files.Version{Version: 1,
		Name: "to-khai.pdf", ContentType: files.TypePDF, Size: 10, SHA256: sha("a"), UploadedAt: up, UploadedBy: "clerk"}}
	entry := dossier.Entry{DossierID: d.ID, Action: dossier.ActAttachFile, From: d.Status, To: d.Status, At: up, By: "clerk",
		Unit: dCentre, Details: map[string]any{}}
	if err := fs.AddFile(ctx, &f, &entry); err != nil {
		t.Fatal(err)
	}
	want = []string{codes[2], codes[3], commune, codes[0], online, codes[1]}
	if got := page(day); !slices.Equal(got, want) {
		t.Fatalf("after the upload: %v, want %v", got, want)
	}
	// Its attachments: the file, and no payment.
	fm, pm, err := e.store.Attachments(ctx, []int64{d.ID})
	if err != nil || len(fm[d.ID]) != 1 || fm[d.ID][0].Current.Name != "to-khai.pdf" || len(pm[d.ID]) != 0 {
		t.Fatalf("attachments %v %v %v", fm, pm, err)
	}

	// Migration 00022's backfill gives rows written before it the same
	// order: the later of the last update and the last history entry.
	sql, err := os.ReadFile(filepath.Join("migrations", repository.TestDialect(), "00022_dossier_changed_at.sql"))
	if err != nil {
		t.Fatal(err)
	}
	var backfill string
	for _, stmt := range strings.Split(string(sql), ";") {
		if i := strings.Index(stmt, "UPDATE dossiers"); i >= 0 {
			backfill = stmt[i:]
		}
	}
	if backfill == "" {
		t.Fatal("no backfill in migration 00022")
	}
	if err := e.db.Exec("UPDATE dossiers SET changed_at = NULL").Error; err != nil {
		t.Fatal(err)
	}
	if got := page(day); len(got) != 0 {
		t.Fatalf("rows without changed_at listed: %v", got)
	}
	if err := e.db.Exec(backfill).Error; err != nil {
		t.Fatal(err)
	}
	if got := page(day); !slices.Equal(got, want) {
		t.Fatalf("after the backfill: %v, want %v", got, want)
	}
}

func sha(s string) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 64)
	for i := range b {
		b[i] = hex[(int(s[0])+i)%16]
	}
	return string(b)
}

// TestDVCQGImportSetsChangedAt: an imported dossier's last change is its
// import (the row's update time), on the INSERT and the COPY path alike,
// so the export finds it by the day it was imported.
func TestDVCQGImportSetsChangedAt(t *testing.T) {
	e := newImportEnv(t)
	ctx := context.Background()
	recv := time.Date(2021, 8, 2, 1, 0, 0, 0, time.UTC)
	imported := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	var recs []importer.DossierRecord
	for _, code := range []string{"H-2", "H-1"} {
		recs = append(recs, importer.DossierRecord{Line: 1, Dossier: dossier.Dossier{Code: code, ProcedureCode: iProc, UnitCode: iCentre,
			AgencyCode: iDept, HolderUnit: iDept, Channel: dossier.Direct, Status: dossier.Received,
			Applicant: dossier.Applicant{Name: "A"}, PinHash: strings.Repeat("0", 64),
			ProcessingTime: worktime.Duration{Value: 5, Unit: worktime.WorkingDays}, SubmittedAt: recv, ReceivedAt: &recv,
			DueAt: &recv, AppointmentAt: &recv, Version: 1, CreatedAt: imported, UpdatedAt: imported},
			History: []dossier.Entry{{Action: dossier.ActReceive, To: dossier.Received, At: recv, By: importer.ImportedBy}}})
	}
	if _, err := e.store.ImportDossiers(ctx, recs); err != nil {
		t.Fatal(err)
	}
	st := repository.NewDossierStore(e.db, testSealer(t))
	got, err := st.ChangedDossiers(ctx, dvcqg.Query{From: imported, To: imported.Add(time.Second), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Dossier.Code != "H-1" || got[1].Dossier.Code != "H-2" || !got[0].ChangedAt.Equal(imported) ||
		len(got[0].Dossier.History) != 1 || got[0].Dossier.History[0].By != importer.ImportedBy {
		t.Fatalf("imported: %+v", got)
	}
	if old, _ := st.ChangedDossiers(ctx, dvcqg.Query{From: recv, To: recv.Add(24 * time.Hour), Limit: 10}); len(old) != 0 {
		t.Errorf("found by the receipt day: %+v", old)
	}
}
