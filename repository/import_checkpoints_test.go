package repository_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/worktime"
)

func checkpointRecord(code string) importer.DossierRecord {
	recv := time.Date(2021, 8, 2, 1, 0, 0, 0, time.UTC)
	return importer.DossierRecord{Line: 1, Dossier: dossier.Dossier{Code: code, ProcedureCode: iProc, UnitCode: iCentre,
		AgencyCode: iDept, HolderUnit: iDept, Channel: dossier.Direct, Status: dossier.Received,
		Applicant: dossier.Applicant{Name: "A"}, PinHash: strings.Repeat("0", 64),
		ProcessingTime: worktime.Duration{Value: 5, Unit: worktime.WorkingDays}, SubmittedAt: recv, ReceivedAt: &recv,
		DueAt: &recv, AppointmentAt: &recv, Version: 1, CreatedAt: recv, UpdatedAt: recv},
		History: []dossier.Entry{{Action: dossier.ActReceive, To: dossier.Received, At: recv, By: "import"}}}
}

// TestImportCheckpointsResume: a checkpoint is written in its batch's
// transaction (a failed batch leaves it as it was), adds the bad lines it
// lists, is found by kind and fingerprint only (a changed file at the same
// path is told apart), is marked finished, and a new import of the file
// replaces it, making the old import's next batch fail whole.
func TestImportCheckpointsResume(t *testing.T) {
	e := newImportEnv(t)
	ctx := context.Background()
	f := importer.File{Kind: importer.Dossiers, Path: "/data/d.ndjson", Size: 5000, Head: strings.Repeat("a", 64)}
	id, err := e.store.StartCheckpoint(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	sv, found, _, err := e.store.LoadCheckpoint(ctx, f)
	if err != nil || !found || sv.ID != id || sv.Line != 0 || sv.Offset != 0 || sv.Finished || sv.Path != f.Path {
		t.Fatalf("fresh checkpoint %+v found %v: %v", sv, found, err)
	}

	cp := importer.Checkpoint{ID: id, Offset: 1200, Line: 7, Imported: 3, Duplicates: 1, ErrorLines: 2,
		Errors: []importer.LineError{{Line: 2, Error: "hỏng"}, {Line: 5, Error: "cũng hỏng"}}}
	st, err := e.store.ImportDossiersAt(ctx, []importer.DossierRecord{checkpointRecord("K-1"), checkpointRecord("K-1")}, cp)
	if err != nil || st.Imported != 1 || st.Duplicates != 1 {
		t.Fatalf("batch: %+v %v", st, err)
	}
	want := cp
	want.Imported, want.Duplicates = 4, 2
	sv, _, _, _ = e.store.LoadCheckpoint(ctx, f)
	if !reflect.DeepEqual(sv.Checkpoint, want) {
		t.Fatalf("checkpoint %+v, want %+v", sv.Checkpoint, want)
	}

	// A batch that fails whole leaves the checkpoint where it was.
	bad := checkpointRecord("K-3")
	bad.History[0].Details = map[string]any{"x": math.NaN()}
	next := importer.Checkpoint{ID: id, Offset: 2400, Line: 9, Imported: 4, Duplicates: 2, ErrorLines: 3,
		Errors: []importer.LineError{{Line: 8, Error: "x"}}}
	if _, err := e.store.ImportDossiersAt(ctx, []importer.DossierRecord{checkpointRecord("K-2"), bad}, next); err == nil {
		t.Fatal("the batch must fail")
	}
	if sv, _, _, _ = e.store.LoadCheckpoint(ctx, f); !reflect.DeepEqual(sv.Checkpoint, want) {
		t.Fatalf("after a failed batch %+v, want %+v", sv.Checkpoint, want)
	}
	if n := count(t, e.db, "dossiers", "code LIKE ?", "K-%"); n != 1 {
		t.Fatalf("%d dossiers stored", n)
	}

	// A changed file at the same path is not the same import.
	changed := f
	changed.Size++
	if _, found, other, err := e.store.LoadCheckpoint(ctx, changed); err != nil || found || !other {
		t.Errorf("changed file: found %v other %v: %v", found, other, err)
	}
	elsewhere := changed
	elsewhere.Path = "/data/other.ndjson"
	if _, found, other, _ := e.store.LoadCheckpoint(ctx, elsewhere); found || other {
		t.Errorf("another file: found %v other %v", found, other)
	}
	moved := f
	moved.Path = "/elsewhere/d.ndjson"
	if _, found, _, _ := e.store.LoadCheckpoint(ctx, moved); !found {
		t.Error("the same file moved must still be found")
	}

	// Finished.
	end := want
	end.Offset, end.Line, end.Errors = 5000, 20, []importer.LineError{{Line: 19, Error: "cuối"}}
	if err := e.store.SaveCheckpoint(ctx, end, true); err != nil {
		t.Fatal(err)
	}
	sv, _, _, _ = e.store.LoadCheckpoint(ctx, f)
	if !sv.Finished || sv.Line != 20 || len(sv.Errors) != 3 || sv.Errors[2].Line != 19 {
		t.Errorf("finished checkpoint %+v", sv)
	}
	if _, _, other, _ := e.store.LoadCheckpoint(ctx, changed); other {
		t.Error("a finished import is not an interrupted one")
	}

	// A new import of the file replaces the checkpoint: the old one's
	// batches fail whole.
	id2, err := e.store.StartCheckpoint(ctx, f)
	if err != nil || id2 == id {
		t.Fatalf("restart: %d %v", id2, err)
	}
	if sv, _, _, _ = e.store.LoadCheckpoint(ctx, f); sv.Line != 0 || sv.Finished || len(sv.Errors) != 0 {
		t.Errorf("restarted checkpoint %+v", sv)
	}
	if _, err := e.store.ImportDossiersAt(ctx, []importer.DossierRecord{checkpointRecord("K-4")}, importer.Checkpoint{ID: id, Line: 30}); err == nil {
		t.Error("a batch of a replaced checkpoint must fail")
	}
	if n := count(t, e.db, "dossiers", "code = ?", "K-4"); n != 0 {
		t.Errorf("the batch of a replaced checkpoint was stored")
	}
	// The import of a changed file at the same path drops the old one.
	if _, err := e.store.StartCheckpoint(ctx, changed); err != nil {
		t.Fatal(err)
	}
	if _, found, _, _ := e.store.LoadCheckpoint(ctx, f); found {
		t.Error("the checkpoint of the file the path held before must be gone")
	}
	if n := count(t, e.db, "import_checkpoints", ""); n != 1 {
		t.Errorf("%d checkpoints, want 1", n)
	}
}

// TestImportFileFeedbackResumes: a feedback file's import stopped after
// its first batch (its context cancelled) resumes from the checkpoint and
// ends with the Result of one run into a fresh database, each item stored
// once; the finished import does not resume again.
func TestImportFileFeedbackResumes(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 2600; i++ {
		code := fmt.Sprintf("PAKN-R-%04d", i)
		if i%40 == 0 && i > 1000 {
			code = fmt.Sprintf("PAKN-R-%04d", i-999) // a duplicate in another batch
		}
		status := "answered"
		if i%61 == 0 {
			status = "refused" // without its reason: a bad line
		}
		fmt.Fprintf(&b, `{"code":%q,"channel":"hotline","category":"procedure","title":"T","content":"C","agency_code":"I.DEPT",`+
			`"unit_code":"I.CENTRE","status":%q,"answer":"Đã trả lời","received_at":"2021-08-02T08:00:00+07:00",`+
			`"answered_at":"2021-08-05T08:00:00+07:00"}`+"\n", code, status)
	}
	data := []byte(b.String())
	f, err := importer.FileOf(importer.Feedback, "/data/f.ndjson", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	one := newImportEnv(t)
	want, err := one.svc.Import(context.Background(), importAdmin, importer.Feedback, bytes.NewReader(data), nil)
	if err != nil || want.ErrorLines == 0 || want.SkippedDuplicates == 0 {
		t.Fatalf("one run: %+v %v", want, err)
	}

	e := newImportEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := func(p importer.Progress) {
		if p.Imported > 0 {
			cancel()
		}
	}
	if _, err := e.svc.ImportFile(ctx, importAdmin, f, bytes.NewReader(data), false, nil, stop); err == nil {
		t.Fatal("the cancelled import did not stop")
	}
	cp, found, _, err := e.store.LoadCheckpoint(context.Background(), f)
	if err != nil || !found || cp.Finished || cp.Line == 0 || cp.Line >= want.Lines {
		t.Fatalf("checkpoint after the stop %+v found %v: %v", cp.Checkpoint, found, err)
	}
	if n := count(t, e.db, "feedback", "code LIKE ?", "PAKN-R-%"); n != cp.Imported {
		t.Fatalf("%d items stored, the checkpoint says %d", n, cp.Imported)
	}
	got, err := e.svc.ImportFile(context.Background(), importAdmin, f, bytes.NewReader(data), true, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resumed %+v\nwant %+v", got, want)
	}
	if a, b := count(t, e.db, "feedback_history", ""), count(t, one.db, "feedback_history", ""); a != b {
		t.Errorf("%d history rows, one run stores %d", a, b)
	}
	if n := count(t, e.db, "feedback", "code LIKE ?", "PAKN-R-%"); n != want.Imported {
		t.Errorf("%d items stored, want %d", n, want.Imported)
	}
	if _, err := e.svc.ImportFile(context.Background(), importAdmin, f, bytes.NewReader(data), true, nil, nil); !errors.Is(err, importer.ErrAlreadyFinished) {
		t.Errorf("resume of a finished import: %v", err)
	}
}
