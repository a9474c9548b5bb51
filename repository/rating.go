package repository

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/motcua/motcua/domain/feedback"
)

// ratingRow maps the ratings table (one row per dossier).
type ratingRow struct {
	ID            int64 `gorm:"primaryKey"`
	DossierID     int64
	DossierCode   string
	Score         int
	Comment       string
	FeedbackCode  *string
	UnitCode      string
	AgencyCode    string
	ProcedureCode string
	CreatedAt     time.Time
}

func (ratingRow) TableName() string { return "ratings" }

// dossierRefRow is the part of a dossiers row that feedback and ratings read.
type dossierRefRow struct {
	ID            int64
	Code          string
	Status        string
	PinHash       string
	UnitCode      string
	AgencyCode    string
	ProcedureCode string
}

func (r dossierRefRow) asDomain() feedback.DossierRef {
	return feedback.DossierRef{ID: r.ID, Code: r.Code, Status: r.Status, PinHash: r.PinHash, UnitCode: r.UnitCode,
		AgencyCode: r.AgencyCode, ProcedureCode: r.ProcedureCode}
}

const dossierRefColumns = "id, code, status, pin_hash, unit_code, agency_code, procedure_code"

func dossierRef(ctx context.Context, db *gorm.DB, code string, lock bool) (feedback.DossierRef, error) {
	q := conn(ctx, db).Table("dossiers").Select(dossierRefColumns).Where("code = ?", code)
	if lock && Dialect(db) == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var r dossierRefRow
	if err := q.Take(&r).Error; err != nil {
		return feedback.DossierRef{}, translate(err, "hồ sơ")
	}
	return r.asDomain(), nil
}

// Dossier implements feedback.Store. It reads the dossiers table directly.
func (s *FeedbackStore) Dossier(ctx context.Context, code string) (feedback.DossierRef, error) {
	return dossierRef(ctx, s.db, code, false)
}

// LockDossier implements feedback.Store: SELECT … FOR UPDATE on
// PostgreSQL; SQLite needs no lock, its write transactions (transaction)
// run one at a time.
func (s *FeedbackStore) LockDossier(ctx context.Context, code string) (feedback.DossierRef, error) {
	return dossierRef(ctx, s.db, code, true)
}

// Rated implements feedback.Store.
func (s *FeedbackStore) Rated(ctx context.Context, dossierID int64) (bool, error) {
	var n int64
	if err := conn(ctx, s.db).Model(&ratingRow{}).Where("dossier_id = ?", dossierID).Count(&n).Error; err != nil {
		return false, translate(err, "đánh giá")
	}
	return n > 0, nil
}

// InsertRating implements feedback.Store. The UNIQUE dossier_id catches a
// second rating that did not wait on LockDossier.
func (s *FeedbackStore) InsertRating(ctx context.Context, r *feedback.Rating) error {
	row := ratingRow{DossierID: r.DossierID, DossierCode: r.DossierCode, Score: r.Score, Comment: r.Comment,
		FeedbackCode: nullable(r.FeedbackCode), UnitCode: r.UnitCode, AgencyCode: r.AgencyCode,
		ProcedureCode: r.ProcedureCode, CreatedAt: r.CreatedAt.UTC()}
	err := s.write(ctx, func(tx *gorm.DB) error { return tx.Create(&row).Error })
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return feedback.ErrAlreadyRated
	}
	if err != nil {
		return translate(err, "đánh giá")
	}
	r.ID = row.ID
	return nil
}

// HasRatings reports whether any rating exists (demo seeding uses it to stay
// idempotent).
func (s *FeedbackStore) HasRatings(ctx context.Context) (bool, error) {
	var n int64
	if err := conn(ctx, s.db).Model(&ratingRow{}).Limit(1).Count(&n).Error; err != nil {
		return false, translate(err, "đánh giá")
	}
	return n > 0, nil
}

// ReturnedDossierCodes lists up to limit codes of returned dossiers, oldest
// code first (demo seeding rates them).
func (s *FeedbackStore) ReturnedDossierCodes(ctx context.Context, limit int) ([]string, error) {
	var codes []string
	err := conn(ctx, s.db).Table("dossiers").Where("status = ?", feedback.DossierReturned).
		Order("code").Limit(limit).Pluck("code", &codes).Error
	if err != nil {
		return nil, translate(err, "hồ sơ")
	}
	return codes, nil
}
