package repository

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/feedback"
)

var sealKey = []byte("sealing-test-data-key-0123456789abcdef")

func sealerAt(t *testing.T, key []byte, id int) *Sealer {
	t.Helper()
	s, err := NewSealer(key, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealerSealsAndOpens(t *testing.T) {
	s1 := sealerAt(t, sealKey, 1)
	a, err := s1.seal(fieldApplicantPhone, "CODE-1", "0912 345 678")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s1.seal(fieldApplicantPhone, "CODE-1", "0912 345 678")
	if !strings.HasPrefix(a, "enc1:1:") || strings.Contains(a, "0912") || a == b {
		t.Fatalf("sealed %q and %q: want enc1:1:…, no clear text, a fresh nonce each time", a, b)
	}
	if got, err := s1.open(fieldApplicantPhone, "CODE-1", a); err != nil || got != "0912 345 678" {
		t.Fatalf("open = %q, %v", got, err)
	}
	// Bound to its column and its record: moved, it does not open.
	for _, c := range []struct {
		f    field
		code string
	}{{fieldApplicantEmail, "CODE-1"}, {fieldApplicantPhone, "CODE-2"}, {fieldSenderPhone, "CODE-1"}} {
		if _, err := s1.open(c.f, c.code, a); !errors.Is(err, errSealed) {
			t.Errorf("opened as %s of %s: %v", c.f, c.code, err)
		}
	}
	// Damaged, under a malformed id, or under another data key: refused,
	// with a message that names neither the value nor the key.
	other := sealerAt(t, []byte("another-data-key-another-data-key-000000"), 1)
	for _, stored := range []string{a[:len(a)-2] + "AA", "enc1:0:" + a[7:], "enc1:x:" + a[7:], "enc1:1", "enc1:1:!!"} {
		if _, err := s1.open(fieldApplicantPhone, "CODE-1", stored); !errors.Is(err, errSealed) {
			t.Errorf("open(%q) = %v, want errSealed", stored, err)
		}
	}
	if _, err := other.open(fieldApplicantPhone, "CODE-1", a); !errors.Is(err, errSealed) || strings.Contains(err.Error(), "0912") {
		t.Errorf("another key opened it: %v", err)
	}
	// Empty stays empty; a value from before sealing reads as it was.
	if v, _ := s1.seal(fieldApplicantPhone, "CODE-1", ""); v != "" {
		t.Errorf("sealed empty = %q", v)
	}
	if v, err := s1.open(fieldApplicantPhone, "CODE-1", "0912 345 678"); err != nil || v != "0912 345 678" {
		t.Errorf("legacy clear value = %q, %v", v, err)
	}
	// A ring: a sealer at key 2 opens what key 1 sealed, seals under 2.
	s2 := sealerAt(t, sealKey, 2)
	if v, err := s2.open(fieldApplicantPhone, "CODE-1", a); err != nil || v != "0912 345 678" {
		t.Errorf("key 2 opening key 1: %q, %v", v, err)
	}
	c, _ := s2.seal(fieldApplicantPhone, "CODE-1", "x")
	if !strings.HasPrefix(c, "enc1:2:") || s2.isCurrent(a) || !s2.isCurrent(c) || !s2.isCurrent("") || s2.isCurrent("clear") {
		t.Errorf("key 2 sealed %q; isCurrent wrong", c)
	}
	if _, err := NewSealer(sealKey[:31], 1); err == nil {
		t.Error("a 31-byte key was accepted")
	}
	for _, id := range []int{0, -1, MaxKeyID + 1} {
		if _, err := NewSealer(sealKey, id); err == nil {
			t.Errorf("key id %d was accepted", id)
		}
	}
	if _, err := s1.Open("dossiers.note", "CODE-1", a); err == nil {
		t.Error("Open accepted a column that is not sealed")
	}
}

// TestResealMovesEveryValueToTheCurrentKey: dossiers and feedback sealed
// under key 1, one value written in clear before sealing began, one row
// without personal data; Reseal under key 2 leaves every value under key 2,
// the stores read the same applicants and senders, and a second run has
// nothing to do.
func TestResealMovesEveryValueToTheCurrentKey(t *testing.T) {
	ctx := context.Background()
	db := newCopyEnv(t).db
	s1, s2 := sealerAt(t, sealKey, 1), sealerAt(t, sealKey, 2)
	ds1 := NewDossierStore(db, s1)
	applicants := []dossier.Applicant{
		{Name: "Một", IDNumber: "001100000001", Phone: "0900000001", Email: "mot@example.vn", Address: "Số 1"},
		{Name: "Hai", IDNumber: "001100000002", Phone: "0900000002"},
		{Name: "Ba"},
	}
	var codes []string
	for i, a := range applicants {
		d := fullRecord(fmt.Sprintf("SEAL-%d", i)).Dossier
		d.Applicant = a
		if err := ds1.Create(ctx, &d); err != nil {
			t.Fatal(err)
		}
		codes = append(codes, d.Code)
	}
	if err := db.Exec("UPDATE dossiers SET applicant_phone = ? WHERE code = ?", "0900000002", codes[1]).Error; err != nil {
		t.Fatal(err) // as stored before sealing began
	}
	f := feedback.Feedback{Code: "PAKN-SEAL-1", Channel: feedback.Channel("hotline"), Category: feedback.Category("procedure"),
		Title: "t", Content: "c", Sender: feedback.Sender{Name: "Bốn", Phone: "0900000004", Email: "bon@example.vn"},
		Status: feedback.StatusReceived, ReceivedAt: t0, DueAt: t0, RefuseDueAt: t0, Version: 1, CreatedAt: t0, UpdatedAt: t0}
	if err := NewFeedbackStore(db, s1).Insert(ctx, &f); err != nil {
		t.Fatal(err)
	}

	counts, err := Reseal(ctx, db, s2, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 2 || counts[0] != (ResealCount{Table: "dossiers", Scanned: 3, Resealed: 2}) ||
		counts[1] != (ResealCount{Table: "feedback", Scanned: 1, Resealed: 1}) {
		t.Fatalf("counts %+v; want dossiers 2 of 3 (the third has nothing), feedback 1 of 1", counts)
	}
	for _, col := range SealedColumns() {
		table, name, _ := strings.Cut(col, ".")
		var vals []string
		if err := db.Raw("SELECT COALESCE(" + name + ", '') FROM " + table).Scan(&vals).Error; err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if v != "" && !strings.HasPrefix(v, "enc1:2:") {
				t.Errorf("%s holds %q after the reseal", col, v)
			}
		}
	}
	ds2 := NewDossierStore(db, s2)
	for i, want := range applicants {
		if d, err := ds2.ByCode(ctx, codes[i]); err != nil || d.Applicant != want {
			t.Errorf("%s after the reseal: %+v %v, want %+v", codes[i], d.Applicant, err, want)
		}
	}
	if got, err := NewFeedbackStore(db, s2).Get(ctx, "PAKN-SEAL-1"); err != nil || got.Sender != f.Sender {
		t.Errorf("feedback after the reseal: %+v %v", got.Sender, err)
	}
	again, err := Reseal(ctx, db, s2, 500, nil)
	if err != nil || again[0].Resealed != 0 || again[1].Resealed != 0 {
		t.Errorf("second run: %+v %v; want nothing to do", again, err)
	}
}

// TestResealLeavesARowChangedMeanwhile: a row the service writes between
// the reseal's read and its write keeps what the service wrote, and the
// pass reports it so the next pass reads it again.
func TestResealLeavesARowChangedMeanwhile(t *testing.T) {
	ctx := context.Background()
	db := newCopyEnv(t).db
	s1, s2 := sealerAt(t, sealKey, 1), sealerAt(t, sealKey, 2)
	d := fullRecord("SEAL-RACE").Dossier
	if err := NewDossierStore(db, s1).Create(ctx, &d); err != nil {
		t.Fatal(err)
	}
	meanwhile := func() {
		cur, err := NewDossierStore(db, s2).ByCode(ctx, d.Code)
		if err != nil {
			t.Fatal(err)
		}
		cur.Applicant.Phone = "0988888888"
		if err := NewDossierStore(db, s2).Update(ctx, &cur); err != nil {
			t.Fatal(err)
		}
	}
	var total ResealCount
	resealed, raced, err := resealPass(ctx, db, s2, "dossiers", sealedTables[0].cols, 500, &total, nil, meanwhile)
	if err != nil || resealed != 0 || raced != 1 {
		t.Fatalf("pass: resealed %d raced %d %v; want 0 and 1", resealed, raced, err)
	}
	got, err := NewDossierStore(db, s2).ByCode(ctx, d.Code)
	if err != nil || got.Applicant.Phone != "0988888888" || got.Applicant.IDNumber != d.Applicant.IDNumber {
		t.Fatalf("after the race: %+v %v; want the service's phone kept", got.Applicant, err)
	}
}

// BenchmarkSealDossierRow: the cost sealing adds to a stored dossier (four
// fields sealed) and to a read one (four opened).
func BenchmarkSealDossierRow(b *testing.B) {
	s, err := NewSealer(sealKey, 1)
	if err != nil {
		b.Fatal(err)
	}
	row := dossierRow{Code: "000.00.20.H99-261123-0001", ApplicantIDNumber: "001234567890", ApplicantPhone: "0912 345 678",
		ApplicantEmail: "an@example.vn", ApplicantAddress: "Tổ 5, phường Tân Phong, thành phố Lai Châu"}
	b.Run("seal", func(b *testing.B) {
		for b.Loop() {
			r := row
			if err := s.sealDossier(&r); err != nil {
				b.Fatal(err)
			}
		}
	})
	sealed := row
	if err := s.sealDossier(&sealed); err != nil {
		b.Fatal(err)
	}
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			r := sealed
			if err := s.openDossier(&r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
