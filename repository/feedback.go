package repository

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/feedback"
)

// feedbackNoun names a feedback item in users' messages.
const feedbackNoun = "phản ánh, kiến nghị"

// feedbackRow maps the feedback table. It never leaves package repository.
type feedbackRow struct {
	ID            int64 `gorm:"primaryKey"`
	Code          string
	Channel       string
	Category      string
	Title         string
	Content       string
	SenderName    *string
	SenderPhone   *string
	SenderEmail   *string
	SenderAddress *string
	DossierCode   *string
	AgencyCode    *string
	ProcedureCode *string
	RecordedUnit  *string
	Notify        string
	Status        string
	Published     bool
	Answer        *string
	RefusalReason *string
	ReceivedAt    time.Time
	DueAt         time.Time
	RefuseDueAt   time.Time
	AnsweredAt    *time.Time
	RefusedAt     *time.Time
	PublishedAt   *time.Time
	PublicTitle   *string
	PublicContent *string
	PublicAnswer  *string
	PinHash       *string
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (feedbackRow) TableName() string { return "feedback" }

// feedbackHistoryRow maps feedback_history, which triggers keep append-only.
type feedbackHistoryRow struct {
	ID         int64 `gorm:"primaryKey"`
	FeedbackID int64
	Action     string
	FromStatus *string
	ToStatus   string
	At         time.Time
	ByUser     *string
	Unit       *string
	Note       *string
}

func (feedbackHistoryRow) TableName() string { return "feedback_history" }

func fbTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// fromFeedback is the row of f, the sender's personal data sealed by sl.
func fromFeedback(f feedback.Feedback, sl *Sealer) (feedbackRow, error) {
	r := feedbackRow{ID: f.ID, Code: f.Code, Channel: string(f.Channel), Category: string(f.Category), Title: f.Title, Content: f.Content,
		SenderName: nullable(f.Sender.Name), SenderPhone: nullable(f.Sender.Phone), SenderEmail: nullable(f.Sender.Email),
		SenderAddress: nullable(f.Sender.Address), DossierCode: nullable(f.DossierCode), AgencyCode: nullable(f.AgencyCode),
		ProcedureCode: nullable(f.ProcedureCode), RecordedUnit: nullable(f.RecordedUnit), Notify: domain.JoinNotify(f.Notify), Status: string(f.Status),
		Published: f.Published, Answer: nullable(f.Answer), RefusalReason: nullable(f.RefusalReason),
		ReceivedAt: f.ReceivedAt.UTC(), DueAt: f.DueAt.UTC(), RefuseDueAt: f.RefuseDueAt.UTC(),
		AnsweredAt: fbTime(f.AnsweredAt), RefusedAt: fbTime(f.RefusedAt), PublishedAt: fbTime(f.PublishedAt),
		PublicTitle: nullable(f.PublicTitle), PublicContent: nullable(f.PublicContent), PublicAnswer: nullable(f.PublicAnswer),
		PinHash: nullable(f.PinHash), Version: f.Version, CreatedAt: f.CreatedAt.UTC(), UpdatedAt: f.UpdatedAt.UTC()}
	if err := sl.sealFeedback(&r); err != nil {
		return feedbackRow{}, err
	}
	return r, nil
}

// asDomain is the feedback of r, the sender's personal data opened by sl.
func (r feedbackRow) asDomain(sl *Sealer) (feedback.Feedback, error) {
	if err := sl.openFeedback(&r); err != nil {
		return feedback.Feedback{}, fmt.Errorf("feedback %d: %w", r.ID, err)
	}
	return feedback.Feedback{ID: r.ID, Code: r.Code, Channel: feedback.Channel(r.Channel), Category: feedback.Category(r.Category),
		Title: r.Title, Content: r.Content,
		Sender:      feedback.Sender{Name: deref(r.SenderName), Phone: deref(r.SenderPhone), Email: deref(r.SenderEmail), Address: deref(r.SenderAddress)},
		DossierCode: deref(r.DossierCode), AgencyCode: deref(r.AgencyCode), ProcedureCode: deref(r.ProcedureCode),
		RecordedUnit: deref(r.RecordedUnit), Notify: domain.SplitNotify(r.Notify), Status: feedback.Status(r.Status), Published: r.Published,
		Answer: deref(r.Answer), RefusalReason: deref(r.RefusalReason),
		ReceivedAt: r.ReceivedAt.UTC(), DueAt: r.DueAt.UTC(), RefuseDueAt: r.RefuseDueAt.UTC(),
		AnsweredAt: fbTime(r.AnsweredAt), RefusedAt: fbTime(r.RefusedAt), PublishedAt: fbTime(r.PublishedAt),
		PublicTitle: deref(r.PublicTitle), PublicContent: deref(r.PublicContent), PublicAnswer: deref(r.PublicAnswer),
		PinHash: deref(r.PinHash), Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}, nil
}

func fromFeedbackEntry(id int64, e feedback.Entry) feedbackHistoryRow {
	return feedbackHistoryRow{FeedbackID: id, Action: string(e.Action), FromStatus: nullable(string(e.From)), ToStatus: string(e.To),
		At: e.At.UTC(), ByUser: nullable(e.By), Unit: nullable(e.Unit), Note: nullable(e.Note)}
}

func (r feedbackHistoryRow) asDomain() feedback.Entry {
	return feedback.Entry{Action: feedback.Action(r.Action), From: feedback.Status(deref(r.FromStatus)), To: feedback.Status(r.ToStatus),
		At: r.At.UTC(), By: deref(r.ByUser), Unit: deref(r.Unit), Note: deref(r.Note)}
}

// FeedbackStore implements feedback.Store, ratings included.
type FeedbackStore struct {
	db   *gorm.DB
	inTx bool    // db is a transaction (InTx)
	seal *Sealer // personal data at rest
}

var _ feedback.Store = (*FeedbackStore)(nil)

// NewFeedbackStore returns a feedback store over db that seals senders'
// personal data with sl.
func NewFeedbackStore(db *gorm.DB, sl *Sealer) *FeedbackStore {
	return &FeedbackStore{db: db, seal: sl}
}

// InTx implements feedback.Store.
func (s *FeedbackStore) InTx(ctx context.Context, fn func(tx feedback.Store) error) error {
	return transaction(ctx, s.db, func(tx *gorm.DB) error {
		return fn(&FeedbackStore{db: tx, inTx: true, seal: s.seal})
	})
}

// write runs fn in s's transaction, or in a new one outside InTx.
func (s *FeedbackStore) write(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.inTx {
		return fn(conn(ctx, s.db))
	}
	return transaction(ctx, s.db, fn)
}

// NextNumber implements feedback.Store.
func (s *FeedbackStore) NextNumber(ctx context.Context, series feedback.Series) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		n, err = nextInSequence(ctx, tx, string(series))
		return err
	})
	return n, err
}

// Insert implements feedback.Store.
func (s *FeedbackStore) Insert(ctx context.Context, f *feedback.Feedback) error {
	r, err := fromFeedback(*f, s.seal)
	if err != nil {
		return err
	}
	r.ID = 0
	err = s.write(ctx, func(tx *gorm.DB) error { return tx.Create(&r).Error })
	if err != nil {
		return translate(err, feedbackNoun)
	}
	f.ID = r.ID
	return nil
}

// AppendHistory implements feedback.Store. The entry's event (events.go)
// and its dispatch job are written in the same transaction.
func (s *FeedbackStore) AppendHistory(ctx context.Context, feedbackID int64, e feedback.Entry) error {
	h := fromFeedbackEntry(feedbackID, e)
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&h).Error; err != nil {
			return translate(err, "lịch sử phản ánh")
		}
		return recordFeedbackEvent(ctx, tx, feedbackID, h.ID, e)
	})
}

// Get implements feedback.Store.
func (s *FeedbackStore) Get(ctx context.Context, code string) (feedback.Feedback, error) {
	var r feedbackRow
	if err := conn(ctx, s.db).Where("code = ?", code).Take(&r).Error; err != nil {
		return feedback.Feedback{}, translate(err, feedbackNoun)
	}
	var hs []feedbackHistoryRow
	if err := conn(ctx, s.db).Where("feedback_id = ?", r.ID).Order("id").Find(&hs).Error; err != nil {
		return feedback.Feedback{}, translate(err, feedbackNoun)
	}
	f, err := r.asDomain(s.seal)
	if err != nil {
		return feedback.Feedback{}, err
	}
	for _, h := range hs {
		f.History = append(f.History, h.asDomain())
	}
	return f, nil
}

// Update implements feedback.Store.
func (s *FeedbackStore) Update(ctx context.Context, f feedback.Feedback, version int) error {
	r, err := fromFeedback(f, s.seal)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&feedbackRow{}).Where("id = ? AND version = ?", f.ID, version).Updates(map[string]any{
			"status": r.Status, "agency_code": r.AgencyCode, "published": r.Published, "answer": r.Answer,
			"refusal_reason": r.RefusalReason, "answered_at": r.AnsweredAt, "refused_at": r.RefusedAt,
			"published_at": r.PublishedAt, "public_title": r.PublicTitle, "public_content": r.PublicContent,
			"public_answer": r.PublicAnswer, "version": version + 1, "updated_at": r.UpdatedAt})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrStale
		}
		return nil
	})
	return translate(err, feedbackNoun)
}

// List implements feedback.Store.
func (s *FeedbackStore) List(ctx context.Context, f feedback.Filter) ([]feedback.Feedback, int64, error) {
	q := conn(ctx, s.db).Model(&feedbackRow{})
	if f.Scope != nil {
		q = q.Where("(recorded_unit IN ? OR agency_code IN ?)", f.Scope, f.Scope)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.Channel != "" {
		q = q.Where("channel = ?", string(f.Channel))
	}
	if f.Category != "" {
		q = q.Where("category = ?", string(f.Category))
	}
	if f.AgencyCode != "" {
		q = q.Where("agency_code = ?", f.AgencyCode)
	}
	if f.DossierCode != "" {
		q = q.Where("dossier_code = ?", f.DossierCode)
	}
	if f.Overdue {
		q = q.Where("status IN ? AND due_at < ?", []string{string(feedback.StatusReceived), string(feedback.StatusProcessing)}, f.Now.UTC())
	}
	if !f.From.IsZero() {
		q = q.Where("received_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("received_at < ?", f.To.UTC())
	}
	// Due soon: open, not yet past due, due by the horizon; the range of
	// feedback_status_due_idx for each open status.
	soon := !f.DueBy.IsZero()
	if soon {
		q = q.Where("status IN ? AND due_at >= ? AND due_at <= ?",
			[]string{string(feedback.StatusReceived), string(feedback.StatusProcessing)}, f.Now.UTC(), f.DueBy.UTC())
	}
	// Due within working hours: open and due strictly after now (at or
	// before now is overdue, not due soon), by the horizon.
	if !f.DueSoonBy.IsZero() {
		soon = true
		q = q.Where("status IN ? AND due_at > ? AND due_at <= ?",
			[]string{string(feedback.StatusReceived), string(feedback.StatusProcessing)}, f.Now.UTC(), f.DueSoonBy.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, feedbackNoun)
	}
	var rows []feedbackRow
	order := "received_at DESC, id DESC"
	if soon {
		order = "due_at, id"
	}
	page := q.Order(order).Limit(f.PageSize)
	switch {
	case f.After != nil && soon: // keyset in due order
		page = page.Where("(due_at, id) > (?, ?)", f.After.At.UTC(), f.After.ID)
	case f.After != nil: // keyset: straight to the position, nothing skipped
		page = page.Where("(received_at, id) < (?, ?)", f.After.At.UTC(), f.After.ID)
	default:
		page = page.Offset(f.Offset())
	}
	if err := page.Find(&rows).Error; err != nil {
		return nil, 0, translate(err, feedbackNoun)
	}
	out := make([]feedback.Feedback, len(rows))
	for i, r := range rows {
		f, err := r.asDomain(s.seal)
		if err != nil {
			return nil, 0, err
		}
		out[i] = f
	}
	return out, total, nil
}

// ListPublished implements feedback.Store.
func (s *FeedbackStore) ListPublished(ctx context.Context, f feedback.PublicFilter) ([]feedback.Feedback, int64, error) {
	q := conn(ctx, s.db).Model(&feedbackRow{}).Where("published = ? AND status = ?", true, string(feedback.StatusAnswered))
	if f.Category != "" {
		q = q.Where("category = ?", string(f.Category))
	}
	if f.AgencyCode != "" {
		q = q.Where("agency_code = ?", f.AgencyCode)
	}
	if len(f.Categories) > 0 {
		cats := make([]string, len(f.Categories))
		for i, c := range f.Categories {
			cats[i] = string(c)
		}
		q = q.Where("category IN ?", cats)
	}
	if len(f.Codes) > 0 {
		q = q.Where("code IN ?", f.Codes)
	}
	if !f.ReceivedFrom.IsZero() {
		q = q.Where("received_at >= ?", f.ReceivedFrom.UTC())
	}
	if !f.ReceivedTo.IsZero() {
		q = q.Where("received_at <= ?", f.ReceivedTo.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, feedbackNoun)
	}
	order := "published_at DESC, id DESC"
	if f.ByReceipt {
		order = "received_at DESC, id DESC"
	}
	var rows []feedbackRow
	if err := q.Order(order).Offset(f.Offset()).Limit(f.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, feedbackNoun)
	}
	out := make([]feedback.Feedback, len(rows))
	for i, r := range rows {
		f, err := r.asDomain(s.seal)
		if err != nil {
			return nil, 0, err
		}
		out[i] = f
	}
	return out, total, nil
}

// HasFeedbackTitled reports whether a feedback item with title exists (demo
// seeding uses it to stay idempotent).
func (s *FeedbackStore) HasFeedbackTitled(ctx context.Context, title string) (bool, error) {
	var n int64
	if err := conn(ctx, s.db).Model(&feedbackRow{}).Where("title = ?", title).Count(&n).Error; err != nil {
		return false, translate(err, feedbackNoun)
	}
	return n > 0, nil
}
