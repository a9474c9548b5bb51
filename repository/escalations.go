package repository

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/escalation"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/user"
)

// The staff digest job's kind. It goes on the e-mail queue.
const KindDigest = "digest"

// DigestArgs is the queue job that e-mails one staff member the crossings
// of one escalation run. It names the user and the crossings, nothing
// else: the address is read when the message is sent (a user disabled or
// without an address by then gets nothing), and no item's applicant or
// sender is anywhere in it.
type DigestArgs struct {
	Username    string  `json:"username"`
	Escalations []int64 `json:"escalations"`
}

// Kind implements river.JobArgs.
func (DigestArgs) Kind() string { return KindDigest }

// openFeedback are the feedback statuses whose answer is still due.
var openFeedback = []string{string(feedback.StatusReceived), string(feedback.StatusProcessing)}

// idChunk bounds the ids of one IN list, under both engines' parameter limits.
const idChunk = 500

// EscalationStore records the escalation scan's crossings (migration
// 00021) and reads them back for the digests.
type EscalationStore struct {
	db     *gorm.DB
	digest river.InsertOpts
}

var _ escalation.Store = (*EscalationStore)(nil)

// NewEscalationStore returns the crossings of db; the digest jobs it
// enqueues are inserted with digest (their queue and attempts).
func NewEscalationStore(db *gorm.DB, digest river.InsertOpts) *EscalationStore {
	return &EscalationStore{db: db, digest: digest}
}

// candidates are the ids of at most limit items of table (subject) in
// statuses that w puts past a threshold without a crossing of that kind
// for their due time, soonest due first. The window's conditions are the
// due_within_hours list's (dueSoonWhere), overdue being due_at <= now.
func candidates(tx *gorm.DB, table string, subject event.Subject, statuses []string, w escalation.Window, limit int) ([]int64, error) {
	var ids []int64
	err := tx.Table(table+" AS t").Select("t.id").
		Where("t.status IN ? AND t.due_at <= ?", statuses, w.Bound).
		Where(`NOT EXISTS (SELECT 1 FROM escalations e WHERE e.subject = ? AND e.code = t.code AND e.due_at = t.due_at
			AND e.kind = CASE WHEN t.due_at <= ? THEN ? ELSE ? END)`,
			string(subject), w.Now, string(escalation.Overdue), string(escalation.DueSoon)).
		Order("t.due_at").Order("t.id").Limit(limit).Scan(&ids).Error
	return ids, err
}

// insertCrossing inserts the crossing of item id of table unless it
// exists, its due time copied from the item's row so that it compares
// equal to it on both engines; 0 when it existed.
func insertCrossing(tx *gorm.DB, table string, subject event.Subject, id int64, k escalation.Kind, at time.Time) (int64, error) {
	var got []int64
	// The WHERE clause is what lets SQLite parse ON CONFLICT after a SELECT.
	err := tx.Raw(`INSERT INTO escalations (subject, code, kind, due_at, occurred_at, created_at)
		SELECT ?, code, ?, due_at, ?, ? FROM `+table+` WHERE id = ?
		ON CONFLICT (subject, code, kind, due_at) DO NOTHING RETURNING id`,
		string(subject), string(k), at.UTC(), time.Now().UTC(), id).Scan(&got).Error
	if err != nil || len(got) == 0 {
		return 0, err
	}
	return got[0], nil
}

// Escalate implements escalation.Store.
func (s *EscalationStore) Escalate(ctx context.Context, w escalation.Window, limit int) ([]escalation.Crossing, bool, error) {
	var out []escalation.Crossing
	done := false
	err := transaction(ctx, s.db, func(tx *gorm.DB) error {
		out = nil
		ds, err := candidates(tx, "dossiers", event.SubjectDossier, clockRunning, w, limit)
		if err != nil {
			return translate(err, dossierNoun)
		}
		for _, id := range ds {
			c, ok, err := escalateDossier(ctx, tx, id, w)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, c)
			}
		}
		var fs []int64
		if rest := limit - len(ds); rest > 0 {
			if fs, err = candidates(tx, "feedback", event.SubjectFeedback, openFeedback, w, rest); err != nil {
				return translate(err, feedbackNoun)
			}
		}
		for _, id := range fs {
			c, ok, err := escalateFeedback(ctx, tx, id, w)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, c)
			}
		}
		done = len(ds)+len(fs) < limit
		if done {
			return s.enqueueDigests(ctx, tx, w.Now)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return out, done, nil
}

// escalateDossier locks dossier id, and when w still puts it past a
// threshold records the crossing and, if it is new, its event.
func escalateDossier(ctx context.Context, tx *gorm.DB, id int64, w escalation.Window) (escalation.Crossing, bool, error) {
	var r dossierRow
	err := lockRow(tx).Select("id", "code", "status", "unit_code", "agency_code", "holder_unit", "procedure_code", "due_at", "appointment_at").
		Where("id = ? AND status IN ? AND due_at <= ?", id, clockRunning, w.Bound).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return escalation.Crossing{}, false, nil // changed since it was found
	}
	if err != nil {
		return escalation.Crossing{}, false, translate(err, dossierNoun)
	}
	k, _ := w.Classify(*r.DueAt)
	d := dossier.Dossier{Code: r.Code, Status: dossier.Status(r.Status), UnitCode: r.UnitCode, AgencyCode: r.AgencyCode,
		HolderUnit: r.HolderUnit, ProcedureCode: r.ProcedureCode, DueAt: utcPtr(r.DueAt), AppointmentAt: utcPtr(r.AppointmentAt)}
	e := escalation.DossierEvent(d, k, w.Now)
	return record(ctx, tx, "dossiers", id, k, &e)
}

// escalateFeedback is escalateDossier for feedback item id.
func escalateFeedback(ctx context.Context, tx *gorm.DB, id int64, w escalation.Window) (escalation.Crossing, bool, error) {
	var r feedbackRow
	err := lockRow(tx).Select("id", "code", "status", "recorded_unit", "agency_code", "procedure_code", "due_at").
		Where("id = ? AND status IN ? AND due_at <= ?", id, openFeedback, w.Bound).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return escalation.Crossing{}, false, nil
	}
	if err != nil {
		return escalation.Crossing{}, false, translate(err, feedbackNoun)
	}
	k, _ := w.Classify(r.DueAt)
	f := feedback.Feedback{Code: r.Code, Status: feedback.Status(r.Status), RecordedUnit: deref(r.RecordedUnit),
		AgencyCode: deref(r.AgencyCode), ProcedureCode: deref(r.ProcedureCode), DueAt: r.DueAt.UTC()}
	e := escalation.FeedbackEvent(f, k, w.Now)
	return record(ctx, tx, "feedback", id, k, &e)
}

// record inserts the crossing of e's item (row id of table) and, only when
// the insert took, records e with the outbox and links the two.
func record(ctx context.Context, tx *gorm.DB, table string, id int64, k escalation.Kind, e *event.Event) (escalation.Crossing, bool, error) {
	cid, err := insertCrossing(tx, table, e.Subject, id, k, e.OccurredAt)
	if err != nil {
		return escalation.Crossing{}, false, translate(err, "nhắc hạn")
	}
	if cid == 0 {
		return escalation.Crossing{}, false, nil // recorded already (another run, another server)
	}
	if err := (txOutbox{tx: tx}).Record(ctx, e); err != nil {
		return escalation.Crossing{}, false, err
	}
	if err := tx.Table("escalations").Where("id = ?", cid).Update("event_id", e.ID).Error; err != nil {
		return escalation.Crossing{}, false, translate(err, "nhắc hạn")
	}
	return escalation.Crossing{Subject: e.Subject, Code: e.Code, Kind: k, DueAt: e.DueAt.UTC(), EventID: e.ID}, true, nil
}

// recipientsQuery pairs each crossing with the staff a digest of it goes
// to: a dossier's assignee and the leaders of its holder unit, a feedback
// item's leaders of the assigned agency, among the users with an address
// who are not disabled.
const recipientsQuery = `
SELECT e.id AS id, u.username AS username FROM escalations e
JOIN dossiers d ON d.code = e.code
JOIN users u ON u.username = d.assignee OR (u.role = @leader AND u.unit_code = d.holder_unit)
WHERE e.subject = 'dossier' AND e.id IN @ids AND u.email IS NOT NULL AND u.email <> '' AND u.disabled = @disabled
UNION
SELECT e.id AS id, u.username AS username FROM escalations e
JOIN feedback f ON f.code = e.code
JOIN users u ON u.role = @leader AND u.unit_code = f.agency_code
WHERE e.subject = 'feedback' AND e.id IN @ids AND u.email IS NOT NULL AND u.email <> '' AND u.disabled = @disabled`

// enqueueDigests enqueues, in tx, one digest per recipient of the
// crossings not yet in a digest, and marks them.
func (s *EscalationStore) enqueueDigests(ctx context.Context, tx *gorm.DB, now time.Time) error {
	var ids []int64
	if err := lockRow(tx.Table("escalations")).Select("id").Where("digested_at IS NULL").Order("id").
		Scan(&ids).Error; err != nil {
		return translate(err, "nhắc hạn")
	}
	per := map[string][]int64{}
	for part := range slices.Chunk(ids, idChunk) {
		var pairs []struct {
			ID       int64
			Username string
		}
		if err := tx.Raw(recipientsQuery, map[string]any{"leader": string(user.RoleLeader), "ids": part, "disabled": false}).
			Scan(&pairs).Error; err != nil {
			return translate(err, "nhắc hạn")
		}
		for _, p := range pairs {
			per[p.Username] = append(per[p.Username], p.ID)
		}
		if err := tx.Table("escalations").Where("id IN ?", part).Update("digested_at", now.UTC()).Error; err != nil {
			return translate(err, "nhắc hạn")
		}
	}
	names := make([]string, 0, len(per))
	for u := range per {
		names = append(names, u)
	}
	slices.Sort(names)
	for _, u := range names {
		list := per[u]
		slices.Sort(list)
		opts := s.digest
		if err := EnqueueTx(ctx, tx, DigestArgs{Username: u, Escalations: list}, &opts); err != nil {
			return err
		}
	}
	return nil
}

// DigestOf is what the digest of args says and where it goes: the user's
// address, empty when the user is gone, disabled or has none, and the
// crossings, overdue first, then by due time.
func (s *EscalationStore) DigestOf(ctx context.Context, args DigestArgs) (string, []escalation.Item, error) {
	var u userRow
	err := conn(ctx, s.db).Select("username", "email", "disabled").Where("username = ?", args.Username).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, translate(err, "người dùng")
	}
	if u.Disabled || u.Email == nil || *u.Email == "" {
		return "", nil, nil
	}
	var items []escalation.Item
	for part := range slices.Chunk(args.Escalations, idChunk) {
		var rows []struct {
			Subject, Code, Kind          string
			DueAt                        time.Time
			ProcedureCode, ProcedureName string
		}
		err := conn(ctx, s.db).Raw(`SELECT e.subject AS subject, e.code AS code, e.kind AS kind, e.due_at AS due_at,
				COALESCE(p.code, '') AS procedure_code, COALESCE(p.name, '') AS procedure_name
			FROM escalations e
			LEFT JOIN dossiers d ON e.subject = 'dossier' AND d.code = e.code
			LEFT JOIN feedback f ON e.subject = 'feedback' AND f.code = e.code
			LEFT JOIN procedures p ON p.code = COALESCE(d.procedure_code, f.procedure_code)
			WHERE e.id IN ?`, part).Scan(&rows).Error
		if err != nil {
			return "", nil, translate(err, "nhắc hạn")
		}
		for _, r := range rows {
			items = append(items, escalation.Item{Subject: event.Subject(r.Subject), Code: r.Code, Kind: escalation.Kind(r.Kind),
				DueAt: r.DueAt.UTC(), ProcedureCode: r.ProcedureCode, ProcedureName: r.ProcedureName})
		}
	}
	slices.SortFunc(items, func(a, b escalation.Item) int {
		if a.Kind != b.Kind {
			if a.Kind == escalation.Overdue {
				return -1
			}
			return 1
		}
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
	return *u.Email, items, nil
}
