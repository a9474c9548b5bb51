package repository

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/domain/feedback"
)

// eventRow maps the events table (migration 00017), the outbox.
type eventRow struct {
	ID           string `gorm:"primaryKey"`
	Subject      string
	Code         string
	Sequence     int64
	Type         string
	Action       *string
	Body         string
	HistoryID    *int64 // the history entry recorded with it (migration 00020)
	OccurredAt   time.Time
	CreatedAt    time.Time
	DispatchedAt *time.Time
}

func (eventRow) TableName() string { return "events" }

// eventBody is an event's JSON: the webhook body and an item of the
// events lists. The nulls are the contract's, so every field is present.
type eventBody struct {
	ID            string     `json:"id"`
	Type          string     `json:"type"`
	OccurredAt    time.Time  `json:"occurred_at"`
	Subject       string     `json:"subject"`
	Code          string     `json:"code"`
	Sequence      int64      `json:"sequence"`
	Action        *string    `json:"action"`
	From          *string    `json:"from"`
	To            string     `json:"to"`
	FromCode      *int       `json:"from_code"`
	ToCode        *int       `json:"to_code"`
	UnitCode      *string    `json:"unit_code"`
	AgencyCode    *string    `json:"agency_code"`
	ProcedureCode *string    `json:"procedure_code"`
	DueAt         *time.Time `json:"due_at"`
}

// dossierBody adds what only a dossier's event has.
type dossierBody struct {
	eventBody
	HolderUnit    string     `json:"holder_unit"`
	AppointmentAt *time.Time `json:"appointment_at"`
}

// bodyOf is the JSON of e, its times in loc.
func bodyOf(e *event.Event, loc *time.Location) ([]byte, error) {
	in := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.In(loc)
		return &u
	}
	code := func(c int) *int {
		if c == 0 {
			return nil
		}
		return &c
	}
	b := eventBody{ID: e.ID, Type: string(e.Type), OccurredAt: e.OccurredAt.In(loc), Subject: string(e.Subject),
		Code: e.Code, Sequence: e.Sequence, Action: nullable(e.Action), From: nullable(e.From), To: e.To,
		FromCode: code(e.FromCode), ToCode: code(e.ToCode), UnitCode: nullable(e.UnitCode),
		AgencyCode: nullable(e.AgencyCode), ProcedureCode: nullable(e.ProcedureCode), DueAt: in(e.DueAt)}
	var v any = b
	if e.Subject == event.SubjectDossier {
		v = dossierBody{eventBody: b, HolderUnit: e.HolderUnit, AppointmentAt: in(e.AppointmentAt)}
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	return out, nil
}

// DispatchArgs is the queue job that fans one event out (webhooks, the
// citizen's notifications). It is inserted in the transaction that records
// the event.
type DispatchArgs struct {
	EventID string `json:"event_id"`
}

// Kind implements river.JobArgs.
func (DispatchArgs) Kind() string { return KindDispatch }

// InsertOpts implements river.JobArgsWithInsertOpts: dispatch jobs have a
// queue of their own, so that slow deliveries never hold up the fan-out.
func (DispatchArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueueDispatch} }

// The dispatch job's kind and queue.
const (
	KindDispatch  = "dispatch"
	QueueDispatch = "dispatch"
)

// outboxPlugin names the outbox registered on a database handle.
const outboxPlugin = "motcua:outbox"

// outbox holds what recording an event needs beyond the transaction: the
// queue client that inserts the dispatch job, and the zone the event's
// times are written in. It is a GORM plugin so that every transaction of
// the handle reaches it, whichever store runs the change.
type outbox struct {
	queue *river.Client[*sql.Tx]
	loc   *time.Location
}

func (*outbox) Name() string              { return outboxPlugin }
func (*outbox) Initialize(*gorm.DB) error { return nil }

// UseQueue makes the events recorded on db enqueue their dispatch jobs
// with client (the working client, whose registered workers River checks
// each insert against) and write their times in loc. Until it is called,
// Open's insert-only client enqueues them and times are in UTC.
func UseQueue(db *gorm.DB, client *river.Client[*sql.Tx], loc *time.Location) {
	if o := outboxOf(db); o != nil {
		o.queue, o.loc = client, loc
		return
	}
	// A handle not opened by Open: the outbox is registered here.
	_ = db.Use(&outbox{queue: client, loc: loc})
}

func outboxOf(db *gorm.DB) *outbox {
	o, _ := db.Config.Plugins[outboxPlugin].(*outbox)
	return o
}

// useOutbox registers on db an outbox with an insert-only queue client, so
// that every handle (the server's, a command's, a test's) records its jobs.
func useOutbox(db *gorm.DB) error {
	client, err := river.NewClient(RiverDriver(db), &river.Config{})
	if err != nil {
		return fmt.Errorf("queue client: %w", err)
	}
	return db.Use(&outbox{queue: client, loc: time.UTC})
}

// sqlTx is the database/sql transaction under the GORM transaction tx, on
// both engines (GORM keeps it as the statement's pool, savepoints included).
func sqlTx(tx *gorm.DB) (*sql.Tx, error) {
	t, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return nil, fmt.Errorf("record event: not in a transaction (%T)", tx.Statement.ConnPool)
	}
	return t, nil
}

// txOutbox implements event.Outbox on one transaction.
type txOutbox struct{ tx *gorm.DB }

var _ event.Outbox = txOutbox{}

// Record implements event.Outbox: it numbers e after the item's last
// event, stores it with its body, and enqueues its dispatch job, all in the
// transaction. The item's row is locked by the change being recorded (its
// versioned update), so two changes of one item never draw one number; the
// unique index would refuse it anyway.
func (o txOutbox) Record(ctx context.Context, e *event.Event) error { return o.record(ctx, e, 0) }

// record is Record for the event of the history entry historyID (0 for
// none, as an escalation's): the citizen's message reads what staff wrote
// for the action from that entry.
func (o txOutbox) record(ctx context.Context, e *event.Event, historyID int64) error {
	ob := outboxOf(o.tx)
	if ob == nil {
		return errors.New("record event: no outbox on this database handle")
	}
	var last int64
	// A registration (receive or submit) is an item's first event: it
	// needs no look for the ones before it. The unique index on the
	// sequence would refuse a second 1 anyway.
	if registration := e.Action == "receive" || e.Action == "submit"; registration {
		last = 0
	} else if err := o.tx.Model(&eventRow{}).Where("subject = ? AND code = ?", string(e.Subject), e.Code).
		Select("COALESCE(MAX(sequence), 0)").Scan(&last).Error; err != nil {
		return translate(err, "sự kiện")
	}
	id, err := newEventID()
	if err != nil {
		return err
	}
	e.ID, e.Sequence = id, last+1
	body, err := bodyOf(e, ob.loc)
	if err != nil {
		return err
	}
	r := eventRow{ID: e.ID, Subject: string(e.Subject), Code: e.Code, Sequence: e.Sequence, Type: string(e.Type),
		Action: nullable(e.Action), Body: string(body), OccurredAt: e.OccurredAt.UTC(), CreatedAt: time.Now().UTC()}
	if historyID != 0 {
		r.HistoryID = &historyID
	}
	if err := o.tx.Create(&r).Error; err != nil {
		return translate(err, "sự kiện")
	}
	t, err := sqlTx(o.tx)
	if err != nil {
		return err
	}
	if _, err := ob.queue.InsertTx(ctx, t, DispatchArgs{EventID: e.ID}, nil); err != nil {
		return fmt.Errorf("enqueue dispatch: %w", err)
	}
	return nil
}

// newEventID is a random opaque event id.
func newEventID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("event id: %w", err)
	}
	return "evt_" + hex.EncodeToString(b), nil
}

// recordDossierEvent records the event of history entry h on tx. The
// dossier is known when the transaction's store has just written it, and
// read as the change left it otherwise; a records-only entry (a file, a
// counter payment) records none, and neither does the event benchmark's
// floor build (events_off.go).
func recordDossierEvent(ctx context.Context, tx *gorm.DB, h *dossier.Entry, known *dossier.Dossier) error {
	if _, ok := event.DossierType(h.Action); !ok || !recordEvents {
		return nil
	}
	d := known
	if d == nil {
		var r dossierRow
		if err := tx.Select("code", "unit_code", "agency_code", "holder_unit", "procedure_code", "due_at", "appointment_at").
			Where("id = ?", h.DossierID).Take(&r).Error; err != nil {
			return translate(err, dossierNoun)
		}
		d = &dossier.Dossier{Code: r.Code, UnitCode: r.UnitCode, AgencyCode: r.AgencyCode, HolderUnit: r.HolderUnit,
			ProcedureCode: r.ProcedureCode, DueAt: utcPtr(r.DueAt), AppointmentAt: utcPtr(r.AppointmentAt)}
	}
	e, _ := event.ForDossier(*d, *h)
	return txOutbox{tx: tx}.record(ctx, &e, h.ID)
}

// recordFeedbackEvent records the event of history entry h (stored with id
// historyID) of feedback item id on tx, reading the item as the change left it.
func recordFeedbackEvent(ctx context.Context, tx *gorm.DB, id, historyID int64, h feedback.Entry) error {
	if !recordEvents {
		return nil // the event benchmark's floor (events_off.go)
	}
	var r feedbackRow
	if err := tx.Select("code", "recorded_unit", "agency_code", "procedure_code", "due_at").
		Where("id = ?", id).Take(&r).Error; err != nil {
		return translate(err, feedbackNoun)
	}
	f := feedback.Feedback{Code: r.Code, RecordedUnit: deref(r.RecordedUnit), AgencyCode: deref(r.AgencyCode),
		ProcedureCode: deref(r.ProcedureCode), DueAt: r.DueAt.UTC()}
	e, ok := event.ForFeedback(f, h)
	if !ok {
		return fmt.Errorf("record event: unknown feedback action %q", h.Action)
	}
	return txOutbox{tx: tx}.record(ctx, &e, historyID)
}

// EventStore reads the outbox and marks its events dispatched.
type EventStore struct{ db *gorm.DB }

var _ event.Store = (*EventStore)(nil)

// NewEventStore returns the events of db.
func NewEventStore(db *gorm.DB) *EventStore { return &EventStore{db: db} }

func (r eventRow) record() event.Record {
	return event.Record{ID: r.ID, Subject: event.Subject(r.Subject), Code: r.Code, Sequence: r.Sequence,
		Type: event.Type(r.Type), Body: []byte(r.Body), DispatchedAt: utcPtr(r.DispatchedAt),
		Notifications: []event.Notification{}}
}

// List implements event.Store.
func (s *EventStore) List(ctx context.Context, subject event.Subject, code string) ([]event.Record, error) {
	var rows []eventRow
	if err := conn(ctx, s.db).Where("subject = ? AND code = ?", string(subject), code).
		Order("sequence").Find(&rows).Error; err != nil {
		return nil, translate(err, "sự kiện")
	}
	out := make([]event.Record, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	sent, err := notificationsOf(conn(ctx, s.db), subject, code)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		out[i] = r.record()
		if ns := sent[r.ID]; ns != nil {
			out[i].Notifications = ns
		}
	}
	return out, nil
}

// Fanout is one part of a dispatch: it inserts, in tx, the rows and queue
// jobs (EnqueueTx) that tell someone of each of the events — a delivery per
// matching webhook, a message per opted-in channel. It gets the dispatch's
// whole batch, so what it reads once (the subscriptions) it reads once per
// batch. What it writes commits with the events' dispatched mark, so a
// retried dispatch never writes twice.
type Fanout func(ctx context.Context, tx *gorm.DB, events []event.Record) error

// EnqueueTx inserts the queue job args in the transaction tx, with the
// queue client registered on the handle (UseQueue).
func EnqueueTx(ctx context.Context, tx *gorm.DB, args river.JobArgs, opts *river.InsertOpts) error {
	ob := outboxOf(tx)
	if ob == nil {
		return errors.New("enqueue: no queue on this database handle")
	}
	t, err := sqlTx(tx)
	if err != nil {
		return err
	}
	if _, err := ob.queue.InsertTx(ctx, t, args, opts); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// Dispatch runs the fan-outs in one transaction with the event id and
// marks the event dispatched in it (the first time only), so that what
// they enqueue commits with the mark. Returns KindNotFound for an unknown id.
func (s *EventStore) Dispatch(ctx context.Context, id string, fans ...Fanout) error {
	return transaction(ctx, s.db, func(tx *gorm.DB) error {
		var own eventRow
		if err := lockRow(tx).Where("id = ?", id).Take(&own).Error; err != nil {
			return translate(err, "sự kiện")
		}
		var rows []eventRow
		if own.DispatchedAt == nil {
			rows = append(rows, own)
		}
		// The oldest others not yet dispatched go with it: a queue fetch
		// and a transaction per event would bound the fan-out at a few
		// dozen events a second, below a busy province's registrations.
		// Their own jobs then find them dispatched and do nothing. On
		// PostgreSQL a row another dispatch holds is skipped, not waited for.
		var more []eventRow
		q := tx.Where("dispatched_at IS NULL AND id <> ?", id).Order("created_at, id").Limit(dispatchBatch - 1)
		if Dialect(tx) == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE", Options: "SKIP LOCKED"})
		}
		if err := q.Find(&more).Error; err != nil {
			return translate(err, "sự kiện")
		}
		rows = append(rows, more...)
		if len(rows) == 0 {
			return nil // a retried job after its commit: the fan-out is done
		}
		ids := make([]string, len(rows))
		recs := make([]event.Record, len(rows))
		for i, r := range rows {
			ids[i], recs[i] = r.ID, r.record()
		}
		for _, fan := range fans {
			if err := fan(ctx, tx, recs); err != nil {
				return err
			}
		}
		return tx.Model(&eventRow{}).Where("id IN ?", ids).Update("dispatched_at", time.Now().UTC()).Error
	})
}

// dispatchBatch bounds the events one dispatch fans out: its own and the
// oldest others not yet dispatched.
const dispatchBatch = 100
