package main

// What the bench writes to the server's database itself: events through
// the dossier store's own AppendHistory (the event row and its dispatch
// job, as every change writes them), and the parked backlog of figure 3.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/repository"
)

// target is a dossier the bench appends events to; each has one writer
// at a time, as an item's changes take its row lock in the service.
type target struct {
	id   int64
	code string
}

// targets reads the dossiers of codes.
func targets(ctx context.Context, db *gorm.DB, codes []string) ([]target, error) {
	var rows []struct {
		ID   int64
		Code string
	}
	if err := db.WithContext(ctx).Table("dossiers").Select("id", "code").Where("code IN ?", codes).
		Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) != len(codes) {
		return nil, fmt.Errorf("found %d of the %d dossiers", len(rows), len(codes))
	}
	out := make([]target, len(rows))
	for i, r := range rows {
		out[i] = target{id: r.ID, code: r.Code}
	}
	return out, nil
}

// entry is a "transfer" history entry of t at at that moves no status: an
// event of an existing dossier, as each action records one (a registration's
// is the item's first, which these are not).
// offeredType is the type of the events the bench appends (entry).
const offeredType = "dossier.transfer"

func (t target) entry(at time.Time) *dossier.Entry {
	return &dossier.Entry{DossierID: t.id, Action: dossier.ActTransfer, From: dossier.Received, To: dossier.Received, At: at,
		By: "eventbench", Unit: "bench", Note: "motcua-eventbench"}
}

// appendBacklog appends n events to ts round-robin in one transaction, so
// that their dispatch jobs become visible to the queue at once.
func appendBacklog(ctx context.Context, store *repository.DossierStore, ts []target, n int) error {
	return store.InTx(ctx, func(tx dossier.Store) error {
		for i := range n {
			if err := tx.AppendHistory(ctx, ts[i%len(ts)].entry(time.Now())); err != nil {
				return err
			}
		}
		return nil
	})
}

// offer appends n events at rate per second, one writer per target, each
// event stamped when its transaction starts. It returns when the last
// committed, with the rate achieved.
func offer(ctx context.Context, store *repository.DossierStore, ts []target, n int, rate float64) (float64, error) {
	jobs := make([]chan struct{}, len(ts))
	errs := make(chan error, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		jobs[i] = make(chan struct{}, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs[i] {
				if err := store.AppendHistory(ctx, t.entry(time.Now())); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		jobs[i%len(ts)] <- struct{}{}
	}
	for _, c := range jobs {
		close(c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errs:
		return 0, fmt.Errorf("append event: %w", err)
	default:
	}
	return float64(n) / elapsed.Seconds(), ctx.Err()
}

// The rows of the parked backlog, in the server's tables (migrations
// 00017 and 00019).
type parkedEvent struct {
	ID           string `gorm:"primaryKey"`
	Subject      string
	Code         string
	Sequence     int64
	Type         string
	Action       string
	Body         string
	OccurredAt   time.Time
	CreatedAt    time.Time
	DispatchedAt time.Time
}

func (parkedEvent) TableName() string { return "events" }

type parkedDelivery struct {
	ID            string `gorm:"primaryKey"`
	WebhookID     string
	EventID       string
	EventType     string
	Code          string
	Status        string
	NextAttemptAt time.Time
	CreatedAt     time.Time
	AttemptLog    string
}

func (parkedDelivery) TableName() string { return "webhook_deliveries" }

// parkedCodePrefix marks the parked events: none may reach the receiver.
const parkedCodePrefix = "PARKED-"

// park writes n pending deliveries to webhookID, as a receiver down for a
// while leaves them: each with its (dispatched) event and its River job,
// scheduled 30 days ahead so that none is worked during the run. Batches
// of 1000, each in a transaction.
func park(ctx context.Context, db *gorm.DB, webhookID string, n int) error {
	client, err := river.NewClient(repository.RiverDriver(db), &river.Config{})
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	later := now.Add(30 * 24 * time.Hour)
	const batch = 1000
	for done := 0; done < n; done += batch {
		k := min(batch, n-done)
		events := make([]parkedEvent, k)
		deliveries := make([]parkedDelivery, k)
		jobs := make([]river.InsertManyParams, k)
		for i := range k {
			code := fmt.Sprintf("%s%07d", parkedCodePrefix, done+i)
			eid, did := "evt_"+randomHex(16), "whd_"+randomHex(16)
			body := fmt.Sprintf(`{"id":%q,"type":"dossier.receive","occurred_at":%q,"subject":"dossier","code":%q,"sequence":1,"action":"receive","from":null,"to":"received"}`,
				eid, now.Format(time.RFC3339Nano), code)
			events[i] = parkedEvent{ID: eid, Subject: "dossier", Code: code, Sequence: 1, Type: "dossier.receive",
				Action: "receive", Body: body, OccurredAt: now, CreatedAt: now, DispatchedAt: now}
			deliveries[i] = parkedDelivery{ID: did, WebhookID: webhookID, EventID: eid, EventType: "dossier.receive",
				Code: code, Status: "pending", NextAttemptAt: later, CreatedAt: now, AttemptLog: "[]"}
			jobs[i] = river.InsertManyParams{Args: repository.WebhookArgs{DeliveryID: did},
				InsertOpts: &river.InsertOpts{Queue: repository.KindWebhook, MaxAttempts: 12, ScheduledAt: later}}
		}
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.CreateInBatches(events, 200).Error; err != nil {
				return fmt.Errorf("parked events: %w", err)
			}
			if err := tx.CreateInBatches(deliveries, 200).Error; err != nil {
				return fmt.Errorf("parked deliveries: %w", err)
			}
			t, ok := tx.Statement.ConnPool.(*sql.Tx)
			if !ok {
				return fmt.Errorf("parked jobs: not in a transaction")
			}
			if _, err := client.InsertManyTx(ctx, t, jobs); err != nil {
				return fmt.Errorf("parked jobs: %w", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// parkedState counts the parked deliveries still pending and their jobs
// still scheduled: both must be n at the end.
func parkedState(ctx context.Context, db *gorm.DB) (pending, scheduled int64, err error) {
	if err = db.WithContext(ctx).Table("webhook_deliveries").Where("code LIKE ? AND status = ?", parkedCodePrefix+"%", "pending").
		Count(&pending).Error; err != nil {
		return
	}
	err = db.WithContext(ctx).Table("river_job").Where("kind = ? AND state = ?", repository.KindWebhook, "scheduled").
		Count(&scheduled).Error
	return
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
