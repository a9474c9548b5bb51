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

func (r ratingRow) asDomain() feedback.Rating {
	return feedback.Rating{ID: r.ID, DossierID: r.DossierID, DossierCode: r.DossierCode, Score: r.Score, Comment: r.Comment,
		FeedbackCode: deref(r.FeedbackCode), UnitCode: r.UnitCode, AgencyCode: r.AgencyCode, ProcedureCode: r.ProcedureCode,
		CreatedAt: r.CreatedAt.UTC()}
}

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
	q := db.WithContext(ctx).Table("dossiers").Select(dossierRefColumns).Where("code = ?", code)
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

// Rate implements feedback.Store. The dossier row is locked (PostgreSQL;
// SQLite writers are serialised anyway) so two ratings of one dossier queue,
// and the second finds the first: KindConflict. The UNIQUE dossier_id
// catches any race that slips past.
func (s *FeedbackStore) Rate(ctx context.Context, dossierCode string, decide func(d feedback.DossierRef) (feedback.RatingPlan, error)) (feedback.Rating, error) {
	var out feedback.Rating
	err := transaction(ctx, s.db, func(tx *gorm.DB) error {
		d, err := dossierRef(ctx, tx, dossierCode, true)
		if err != nil {
			return err
		}
		plan, err := decide(d)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&ratingRow{}).Where("dossier_id = ?", d.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return feedback.ErrAlreadyRated
		}
		r := ratingRow{DossierID: d.ID, DossierCode: d.Code, Score: plan.Rating.Score, Comment: plan.Rating.Comment,
			UnitCode: plan.Rating.UnitCode, AgencyCode: plan.Rating.AgencyCode, ProcedureCode: plan.Rating.ProcedureCode,
			CreatedAt: plan.Rating.CreatedAt.UTC()}
		if plan.Series != "" && plan.Build != nil {
			f, err := createFeedback(ctx, tx, plan.Series, plan.Build)
			if err != nil {
				return err
			}
			r.FeedbackCode = nullable(f.Code)
		}
		if err := tx.Create(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return feedback.ErrAlreadyRated
			}
			return err
		}
		out = r.asDomain()
		return nil
	})
	if err != nil {
		return feedback.Rating{}, translate(err, "đánh giá")
	}
	return out, nil
}

// HasRatings reports whether any rating exists (demo seeding uses it to stay
// idempotent).
func (s *FeedbackStore) HasRatings(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&ratingRow{}).Limit(1).Count(&n).Error; err != nil {
		return false, translate(err, "đánh giá")
	}
	return n > 0, nil
}

// ReturnedDossierCodes lists up to limit codes of returned dossiers, oldest
// code first (demo seeding rates them).
func (s *FeedbackStore) ReturnedDossierCodes(ctx context.Context, limit int) ([]string, error) {
	var codes []string
	err := s.db.WithContext(ctx).Table("dossiers").Where("status = ?", feedback.DossierReturned).
		Order("code").Limit(limit).Pluck("code", &codes).Error
	if err != nil {
		return nil, translate(err, "hồ sơ")
	}
	return codes, nil
}
