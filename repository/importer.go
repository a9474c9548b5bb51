package repository

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/importer"
)

// ImportStore implements importer.Store. Each call is one transaction that
// looks up which codes exist (one SELECT … IN per chunk) and stores the
// others with their history or publications, so that a record is stored
// whole or not at all. On SQLite, and for procedures, it inserts them with
// multi-row INSERT … ON CONFLICT (code) DO NOTHING RETURNING (the guard
// against a concurrent import of the same codes) and then the history of
// exactly the rows that came back. On PostgreSQL dossiers and feedback go
// by COPY instead (importer_copy.go), which the server takes faster.
type ImportStore struct {
	db   *gorm.DB
	seal *Sealer // personal data at rest
	// maxParams bounds the bound parameters of one statement.
	maxParams int
	// useCopy stores dossiers and feedback by COPY (PostgreSQL).
	useCopy bool
	// imported counts dossiers this store has inserted, to refresh the
	// planner's statistics early in a large import (see analyzeEarly).
	imported atomic.Int64
	// copyConflicts counts the COPY batches redone by INSERTs because a
	// concurrent import stored some of their codes first.
	copyConflicts atomic.Int64
}

var _ importer.Store = (*ImportStore)(nil)

// NewImportStore returns an import store over db that seals personal
// data with sl, as the dossier and feedback stores do.
func NewImportStore(db *gorm.DB, sl *Sealer) *ImportStore {
	s := &ImportStore{db: db, seal: sl, maxParams: pgMaxParams, useCopy: Dialect(db) == "postgres"}
	if Dialect(db) == "sqlite" {
		s.maxParams = sqliteMaxParams
	}
	return s
}

// Parameters of one multi-row statement. PostgreSQL accepts 65,535 and binds
// them in linear time. SQLite accepts 32,766, but the pure-Go driver finds
// each parameter's value by scanning the argument list (quadratic in the
// parameters of a statement), so shorter statements are much faster there.
const (
	pgMaxParams     = 30000
	sqliteMaxParams = 1000
	maxRows         = 250
)

// codesChunk bounds the codes of one existence query.
const codesChunk = 1000

var dossierImportColumns = []string{"code", "procedure_code", "unit_code", "agency_code", "holder_unit", "assignee",
	"channel", "on_spot", "status", "status_code", "applicant_name", "applicant_name_folded", "applicant_id_number",
	"applicant_id_hash", "applicant_phone", "applicant_email", "applicant_address", "applicant_organization",
	"documents", "note", "pin_hash", "processing_value", "processing_unit", "submitted_at", "received_at", "due_at",
	"appointment_at", "supplement_requested_at", "payment_amount", "resolved_at", "outcome", "timeliness",
	"returned_at", "withdrawn_at", "stopped_at", "rejected_at", "digitised", "digitised_at", "component_file_at",
	"e_result", "e_result_at", "paid_online", "paid_online_at", "payable_at", "version", "created_at", "updated_at", "changed_at"}

var historyImportColumns = []string{"dossier_id", "action", "from_status", "to_status", "at", "by_user", "unit", "note", "details"}

var feedbackImportColumns = []string{"code", "channel", "category", "title", "content", "sender_name", "sender_phone",
	"sender_email", "sender_address", "dossier_code", "agency_code", "procedure_code", "recorded_unit", "status",
	"published", "answer", "refusal_reason", "received_at", "due_at", "refuse_due_at", "answered_at", "refused_at",
	"published_at", "pin_hash", "version", "created_at", "updated_at"}

var feedbackHistoryImportColumns = []string{"feedback_id", "action", "from_status", "to_status", "at", "by_user", "unit", "note"}

// ImportDossiers implements importer.Store. On PostgreSQL the rows go by
// COPY (importDossiersCopy); a batch that meets a concurrent import of the
// same codes there is done again by multi-row INSERTs, which skip them.
func (s *ImportStore) ImportDossiers(ctx context.Context, recs []importer.DossierRecord) (importer.Stored, error) {
	return s.storeDossiers(ctx, recs, nil)
}

// storeDossiers is ImportDossiers running then last in the transaction.
func (s *ImportStore) storeDossiers(ctx context.Context, recs []importer.DossierRecord, then afterBatch) (importer.Stored, error) {
	st, err := s.importDossiers(ctx, recs, then)
	if err != nil {
		return importer.Stored{}, translate(err, dossierNoun)
	}
	s.analyzeEarly(ctx, int64(st.Imported))
	return st, nil
}

// importDossiers stores recs by COPY or, on SQLite or when COPY meets a
// concurrent import of the same codes, by INSERTs.
func (s *ImportStore) importDossiers(ctx context.Context, recs []importer.DossierRecord, then afterBatch) (importer.Stored, error) {
	return copyOrInsert(ctx, s, recs, then, s.importDossiersCopy, s.importDossiersInsert)
}

// copyOrInsert stores recs with byCopy on PostgreSQL and falls back to
// byInsert on SQLite, or when the COPY met a code that a concurrent import
// stored meanwhile (errCopyConflict: the INSERT path counts it a duplicate).
func copyOrInsert[R any](ctx context.Context, s *ImportStore, recs []R, then afterBatch,
	byCopy, byInsert func(context.Context, []R, afterBatch) (importer.Stored, error)) (importer.Stored, error) {
	if s.useCopy {
		st, err := byCopy(ctx, recs, then)
		if !errors.Is(err, errCopyConflict) {
			return st, err
		}
		s.copyConflicts.Add(1)
	}
	return byInsert(ctx, recs, then)
}

// importDossiersInsert stores recs by multi-row INSERTs in one transaction.
func (s *ImportStore) importDossiersInsert(ctx context.Context, recs []importer.DossierRecord, then afterBatch) (importer.Stored, error) {
	return storeByInsert(ctx, s, &dossierKind, recs, then)
}

// analyzeEarly refreshes PostgreSQL's planner statistics of the tables an
// import grows when it has grown them by 20,000 and by 200,000 rows. Plans
// made on a nearly empty table (before autovacuum's first ANALYZE) otherwise
// keep a large import of a new database slow for its first minutes.
func (s *ImportStore) analyzeEarly(ctx context.Context, added int64) {
	if Dialect(s.db) != "postgres" || added == 0 {
		return
	}
	after := s.imported.Add(added)
	before := after - added
	for _, mark := range []int64{20_000, 200_000} {
		if before < mark && after >= mark {
			// Best effort: a failed ANALYZE only leaves the old plans.
			_ = s.db.WithContext(ctx).Exec("ANALYZE dossiers, dossier_history, dossier_rollups_daily, dossier_rollups").Error
		}
	}
}

// ImportFeedback implements importer.Store, by COPY on PostgreSQL like
// ImportDossiers.
func (s *ImportStore) ImportFeedback(ctx context.Context, recs []importer.FeedbackRecord) (importer.Stored, error) {
	return s.storeFeedback(ctx, recs, nil)
}

// storeFeedback is ImportFeedback running then last in the transaction.
func (s *ImportStore) storeFeedback(ctx context.Context, recs []importer.FeedbackRecord, then afterBatch) (importer.Stored, error) {
	st, err := s.importFeedback(ctx, recs, then)
	if err != nil {
		return importer.Stored{}, translate(err, feedbackNoun)
	}
	return st, nil
}

// importFeedback stores recs by COPY or, on SQLite or when COPY meets a
// concurrent import of the same codes, by INSERTs.
func (s *ImportStore) importFeedback(ctx context.Context, recs []importer.FeedbackRecord, then afterBatch) (importer.Stored, error) {
	return copyOrInsert(ctx, s, recs, then, s.importFeedbackCopy, s.importFeedbackInsert)
}

// importFeedbackInsert stores recs by multi-row INSERTs in one transaction.
func (s *ImportStore) importFeedbackInsert(ctx context.Context, recs []importer.FeedbackRecord, then afterBatch) (importer.Stored, error) {
	return storeByInsert(ctx, s, &feedbackKind, recs, then)
}

// appendDossierValues appends the row of d, in dossierImportColumns order,
// to dst: the same values for the INSERT and the COPY paths.
func appendDossierValues(dst []any, d dossier.Dossier, sl *Sealer) ([]any, error) {
	row, err := fromDossier(d, sl)
	if err != nil {
		return nil, err
	}
	return append(dst, row.Code, row.ProcedureCode, row.UnitCode, row.AgencyCode, row.HolderUnit,
		row.Assignee, row.Channel, row.OnSpot, row.Status, row.StatusCode, row.ApplicantName,
		row.ApplicantNameFolded, row.ApplicantIDNumber, row.ApplicantIDHash, row.ApplicantPhone,
		row.ApplicantEmail, row.ApplicantAddress, row.ApplicantOrganization, row.Documents, row.Note,
		row.PinHash, row.ProcessingValue, row.ProcessingUnit, row.SubmittedAt, tv(row.ReceivedAt),
		tv(row.DueAt), tv(row.AppointmentAt), tv(row.SupplementRequestedAt), iv(row.PaymentAmount),
		tv(row.ResolvedAt), sv(row.Outcome), sv(row.Timeliness), tv(row.ReturnedAt), tv(row.WithdrawnAt),
		tv(row.StoppedAt), tv(row.RejectedAt), row.Digitised, tv(row.DigitisedAt), tv(row.ComponentFileAt),
		row.EResult, tv(row.EResultAt), row.PaidOnline, tv(row.PaidOnlineAt), tv(row.PayableAt),
		1, row.CreatedAt, row.UpdatedAt, row.UpdatedAt), nil
}

// appendEntryValues appends the history row of e of dossier id, in
// historyImportColumns order, to dst.
func appendEntryValues(dst []any, id int64, e dossier.Entry) ([]any, error) {
	var details any
	if len(e.Details) > 0 {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return nil, fmt.Errorf("encode history details: %w", err)
		}
		details = string(b)
	}
	return append(dst, id, string(e.Action), sv(nullable(string(e.From))), string(e.To), e.At.UTC(),
		e.By, e.Unit, e.Note, details), nil
}

// appendFeedbackValues appends the row of fb, in feedbackImportColumns
// order, to dst.
func appendFeedbackValues(dst []any, fb feedback.Feedback, sl *Sealer) ([]any, error) {
	f, err := fromFeedback(fb, sl)
	if err != nil {
		return nil, err
	}
	return append(dst, f.Code, f.Channel, f.Category, f.Title, f.Content, sv(f.SenderName),
		sv(f.SenderPhone), sv(f.SenderEmail), sv(f.SenderAddress), sv(f.DossierCode), sv(f.AgencyCode),
		sv(f.ProcedureCode), sv(f.RecordedUnit), f.Status, f.Published, sv(f.Answer), sv(f.RefusalReason),
		f.ReceivedAt, f.DueAt, f.RefuseDueAt, tv(f.AnsweredAt), tv(f.RefusedAt), tv(f.PublishedAt),
		sv(f.PinHash), 1, f.CreatedAt, f.UpdatedAt), nil
}

// appendFeedbackEntryValues appends the history row of e of feedback id,
// in feedbackHistoryImportColumns order, to dst.
func appendFeedbackEntryValues(dst []any, id int64, e feedback.Entry) []any {
	h := fromFeedbackEntry(id, e)
	return append(dst, h.FeedbackID, h.Action, sv(h.FromStatus), h.ToStatus, h.At, sv(h.ByUser), sv(h.Unit), sv(h.Note))
}

// existingCodes returns which of codes table already holds.
func existingCodes(tx *gorm.DB, table string, codes []string) (map[string]bool, error) {
	out := map[string]bool{}
	for len(codes) > 0 {
		n := min(len(codes), codesChunk)
		var found []string
		if err := tx.Table(table).Where("code IN ?", codes[:n]).Pluck("code", &found).Error; err != nil {
			return nil, err
		}
		for _, c := range found {
			out[c] = true
		}
		codes = codes[n:]
	}
	return out, nil
}

// insertSQL starts "INSERT INTO table (cols) VALUES (?, …), …" for n rows.
func insertSQL(table string, cols []string, n int) *strings.Builder {
	var b strings.Builder
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	b.Grow(len(table) + 40 + 12*len(cols) + n*(len(row)+2))
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(strings.Join(cols, ", "))
	b.WriteString(") VALUES ")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return &b
}

// chunks splits rows so that each statement binds at most maxParams values
// and holds at most maxRows rows. Full chunks all have the same text, which
// PostgreSQL's driver prepares once and reuses.
func chunks(rows [][]any, cols, maxParams int) [][][]any {
	per := max(1, min(maxRows, maxParams/cols))
	var out [][][]any
	for len(rows) > 0 {
		n := min(len(rows), per)
		out = append(out, rows[:n])
		rows = rows[n:]
	}
	return out
}

func flatten(rows [][]any) []any {
	out := make([]any, 0, len(rows)*len(rows[0]))
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// insertRows inserts rows (values in cols order) into table.
func (s *ImportStore) insertRows(tx *gorm.DB, table string, cols []string, rows [][]any) error {
	for _, part := range chunks(rows, len(cols), s.maxParams) {
		if err := tx.Exec(insertSQL(table, cols, len(part)).String(), flatten(part)...).Error; err != nil {
			return err
		}
	}
	return nil
}

// insertReturning inserts rows whose first column is code, skipping codes
// that exist (ON CONFLICT DO NOTHING), and returns the codes inserted with
// the value of column key ("" for none).
func (s *ImportStore) insertReturning(tx *gorm.DB, table string, cols []string, rows [][]any, key string) (map[string]int64, error) {
	out := make(map[string]int64, len(rows))
	returning := " ON CONFLICT (code) DO NOTHING RETURNING code"
	if key != "" {
		returning += ", " + key
	}
	for _, part := range chunks(rows, len(cols), s.maxParams) {
		b := insertSQL(table, cols, len(part))
		b.WriteString(returning)
		res, err := tx.Raw(b.String(), flatten(part)...).Rows()
		if err != nil {
			return nil, err
		}
		for res.Next() {
			var code string
			var id int64
			dst := []any{&code}
			if key != "" {
				dst = append(dst, &id)
			}
			if err := res.Scan(dst...); err != nil {
				_ = res.Close()
				return nil, err
			}
			out[code] = id
		}
		if err := res.Err(); err != nil {
			_ = res.Close()
			return nil, err
		}
		if err := res.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tv, sv and iv pass an optional value to the driver: NULL or the value.
func tv(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func sv(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func iv(n *int64) any {
	if n == nil {
		return nil
	}
	return *n
}
