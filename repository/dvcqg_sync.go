package repository

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/dvcqg"
	"github.com/motcua/motcua/domain/stats"
)

// The national portal's sync states (§14.3, migration 00024): while the
// push is on (UseDVCQGPush), every change of a received dossier marks its
// row pending in the change's own transaction (markDVCQG), whichever store
// makes it; the push worker claims due rows, pushes and records.

// dvcqgPlugin names the push switch registered on a database handle.
const dvcqgPlugin = "motcua:dvcqg"

// dvcqgPush is the switch: registered means on. now is the clock the
// marks are stamped with (the worker's, so that due times compare).
type dvcqgPush struct{ now func() time.Time }

func (*dvcqgPush) Name() string              { return dvcqgPlugin }
func (*dvcqgPush) Initialize(*gorm.DB) error { return nil }

// UseDVCQGPush turns the marks on for every store over db, stamped by now
// (time.Now if nil). Until it is called nothing is written to dvcqg_sync
// by a change: a dossier changed while the push is off is sent after its
// next change, or a re-queue.
func UseDVCQGPush(db *gorm.DB, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	if p, ok := db.Config.Plugins[dvcqgPlugin].(*dvcqgPush); ok {
		p.now = now
		return nil
	}
	return db.Use(&dvcqgPush{now: now})
}

// dvcqgNow is the marks' time on tx's handle, ok false while the push is off.
func dvcqgNow(tx *gorm.DB) (time.Time, bool) {
	p, ok := tx.Config.Plugins[dvcqgPlugin].(*dvcqgPush)
	if !ok {
		return time.Time{}, false
	}
	return p.now().UTC().Truncate(time.Microsecond), true
}

// dvcqgMark is the upsert of a mark: a new row is pending and due at
// once; a pending row keeps its attempts and due time (a change does not
// cut a retry's wait short); a synced or failed row becomes pending, due
// at once, attempts from 0. changes counts every mark, so that a push
// claimed before one is never recorded as the current version's.
const dvcqgMark = `INSERT INTO dvcqg_sync (dossier_id, status, attempts, next_attempt_at, changes, updated_at)
SELECT id, 'pending', 0, ?, 1, ? FROM dossiers WHERE id IN ? AND received_at IS NOT NULL
ON CONFLICT (dossier_id) DO UPDATE SET
 changes = dvcqg_sync.changes + 1,
 attempts = CASE WHEN dvcqg_sync.status = 'pending' THEN dvcqg_sync.attempts ELSE 0 END,
 next_attempt_at = CASE WHEN dvcqg_sync.status = 'pending' THEN dvcqg_sync.next_attempt_at ELSE excluded.next_attempt_at END,
 status = 'pending',
 updated_at = excluded.updated_at`

// markDVCQG marks the received dossiers among ids pending, on tx, when
// the push is on.
func markDVCQG(tx *gorm.DB, ids ...int64) error {
	now, on := dvcqgNow(tx)
	if !on || len(ids) == 0 {
		return nil
	}
	for _, chunk := range idChunks(ids) {
		if err := tx.Exec(dvcqgMark, now, now, chunk).Error; err != nil {
			return translate(err, dvcqgNoun)
		}
	}
	return nil
}

const dvcqgNoun = "trạng thái đồng bộ DVCQG"

// dvcqgSyncRow maps dvcqg_sync.
type dvcqgSyncRow struct {
	DossierID     int64 `gorm:"primaryKey"`
	Status        string
	SyncedAt      *time.Time
	SyncedVersion *int
	Attempts      int
	LastAttemptAt *time.Time
	NextAttemptAt *time.Time
	LastError     *string
	ClaimedUntil  *time.Time
	ClaimedBy     *string
	Changes       int64
	UpdatedAt     time.Time
}

func (dvcqgSyncRow) TableName() string { return "dvcqg_sync" }

func (r dvcqgSyncRow) asDomain() dvcqg.Sync {
	s := dvcqg.Sync{Status: dvcqg.SyncStatus(r.Status), SyncedAt: utcPtr(r.SyncedAt), SyncedVersion: r.SyncedVersion,
		Attempts: r.Attempts, LastAttemptAt: utcPtr(r.LastAttemptAt), LastError: r.LastError}
	if s.Status == dvcqg.Pending {
		s.NextAttemptAt = utcPtr(r.NextAttemptAt)
	}
	return s
}

// DVCQGSyncStore implements dvcqg.SyncStore and the push worker's claims.
type DVCQGSyncStore struct {
	db   *gorm.DB
	seal *Sealer
}

var _ dvcqg.SyncStore = (*DVCQGSyncStore)(nil)

// NewDVCQGSyncStore returns the store over db; sl opens the dossiers'
// personal data for the payload.
func NewDVCQGSyncStore(db *gorm.DB, sl *Sealer) *DVCQGSyncStore {
	return &DVCQGSyncStore{db: db, seal: sl}
}

// SyncOf implements dvcqg.SyncStore.
func (s *DVCQGSyncStore) SyncOf(ctx context.Context, dossierID int64) (dvcqg.Sync, error) {
	var r dvcqgSyncRow
	err := conn(ctx, s.db).Where("dossier_id = ?", dossierID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return dvcqg.Sync{Status: dvcqg.NotSynced}, nil
	}
	if err != nil {
		return dvcqg.Sync{}, translate(err, dvcqgNoun)
	}
	return r.asDomain(), nil
}

// syncListRow is a line of the sync list: the dossier and its state (all
// NULL when it has none).
type syncListRow struct {
	Code          string
	ReceivedAt    time.Time
	Status        *string
	SyncedAt      *time.Time
	SyncedVersion *int
	Attempts      *int
	LastAttemptAt *time.Time
	NextAttemptAt *time.Time
	LastError     *string
}

// SyncList implements dvcqg.SyncStore: one query for the page, one for
// the count.
func (s *DVCQGSyncStore) SyncList(ctx context.Context, q dvcqg.SyncQuery) ([]dvcqg.SyncItem, int64, error) {
	tx := conn(ctx, s.db).Table("dossiers d").Joins("LEFT JOIN dvcqg_sync s ON s.dossier_id = d.id").
		Where("d.received_at IS NOT NULL")
	if q.Units != nil {
		if len(q.Units) == 0 {
			return nil, 0, nil
		}
		tx = tx.Where("(d.unit_code IN ? OR d.agency_code IN ? OR d.holder_unit IN ?)", q.Units, q.Units, q.Units)
	}
	if q.From != nil {
		tx = tx.Where("d.received_at >= ?", q.From.UTC())
	}
	if q.To != nil {
		tx = tx.Where("d.received_at < ?", q.To.UTC())
	}
	switch q.Status {
	case "":
	case dvcqg.NotSynced:
		tx = tx.Where("s.dossier_id IS NULL")
	default:
		tx = tx.Where("s.status = ?", string(q.Status))
	}
	var total int64
	if err := tx.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, translate(err, dvcqgNoun)
	}
	if total == 0 || q.Page.Offset() >= int(total) {
		return nil, total, nil
	}
	var rows []syncListRow
	err := tx.Select(`d.code, d.received_at, s.status, s.synced_at, s.synced_version, s.attempts, s.last_attempt_at,
 s.next_attempt_at, s.last_error`).Order("d.received_at DESC, d.id DESC").
		Limit(q.Page.PageSize).Offset(q.Page.Offset()).Scan(&rows).Error
	if err != nil {
		return nil, 0, translate(err, dvcqgNoun)
	}
	out := make([]dvcqg.SyncItem, len(rows))
	for i, r := range rows {
		out[i] = dvcqg.SyncItem{Code: r.Code, ReceivedAt: r.ReceivedAt.UTC(), Sync: dvcqg.Sync{Status: dvcqg.NotSynced}}
		if r.Status != nil {
			row := dvcqgSyncRow{Status: *r.Status, SyncedAt: r.SyncedAt, SyncedVersion: r.SyncedVersion,
				LastAttemptAt: r.LastAttemptAt, NextAttemptAt: r.NextAttemptAt, LastError: r.LastError}
			if r.Attempts != nil {
				row.Attempts = *r.Attempts
			}
			out[i].Sync = row.asDomain()
		}
	}
	return out, total, nil
}

// dvcqgRequeue is the upsert of a re-queue: pending, due at once,
// attempts 0, whatever the state; a push in flight keeps its claim (and,
// the changes counted, does not record its version as the current one).
const dvcqgRequeue = `INSERT INTO dvcqg_sync (dossier_id, status, attempts, next_attempt_at, changes, updated_at)
VALUES (?, 'pending', 0, ?, 1, ?)
ON CONFLICT (dossier_id) DO UPDATE SET
 changes = dvcqg_sync.changes + 1, attempts = 0, next_attempt_at = excluded.next_attempt_at,
 status = 'pending', updated_at = excluded.updated_at`

// Requeue implements dvcqg.SyncStore.
func (s *DVCQGSyncStore) Requeue(ctx context.Context, dossierID int64, at time.Time) (dvcqg.Sync, error) {
	at = at.UTC().Truncate(time.Microsecond)
	err := transaction(ctx, s.db, func(tx *gorm.DB) error {
		return tx.Exec(dvcqgRequeue, dossierID, at, at).Error
	})
	if err != nil {
		return dvcqg.Sync{}, translate(err, dvcqgNoun)
	}
	return s.SyncOf(ctx, dossierID)
}

// PushDossier implements dvcqg.SyncStore.
func (s *DVCQGSyncStore) PushDossier(ctx context.Context, id int64) (dossier.Dossier, error) {
	var r dossierRow
	if err := conn(ctx, s.db).Where("id = ?", id).Take(&r).Error; err != nil {
		return dossier.Dossier{}, translate(err, dossierNoun)
	}
	d, err := r.asDomain(s.seal)
	if err != nil {
		return dossier.Dossier{}, err
	}
	var hs []historyRow
	if err := conn(ctx, s.db).Where("dossier_id = ?", id).Order("id").Find(&hs).Error; err != nil {
		return dossier.Dossier{}, translate(err, "lịch sử hồ sơ")
	}
	for _, h := range hs {
		e, err := h.asDomain()
		if err != nil {
			return dossier.Dossier{}, err
		}
		d.History = append(d.History, e)
	}
	return d, nil
}

// Claim takes up to limit due pending rows for lease from now: rows
// nobody holds, or whose holder's lease ran out. On PostgreSQL the rows
// are read FOR UPDATE SKIP LOCKED, so two claimers never wait on or take
// the same row; on SQLite the write transaction holds the database. The
// UPDATE repeats the conditions, so a row is only ever claimed once.
func (s *DVCQGSyncStore) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]dvcqg.Claim, error) {
	now = now.UTC().Truncate(time.Microsecond)
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	token := hex.EncodeToString(b[:])
	due := "status = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)"
	var rows []dvcqgSyncRow
	err := transaction(ctx, s.db, func(tx *gorm.DB) error {
		q := tx.Model(&dvcqgSyncRow{}).Select("dossier_id").Where(due, now, now).
			Order("next_attempt_at, dossier_id").Limit(limit)
		if Dialect(tx) == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		var ids []int64
		if err := q.Pluck("dossier_id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		until := now.Add(lease)
		if err := tx.Model(&dvcqgSyncRow{}).Where("dossier_id IN ?", ids).Where(due, now, now).
			UpdateColumns(map[string]any{"claimed_until": until, "claimed_by": token}).Error; err != nil {
			return err
		}
		return tx.Where("claimed_by = ?", token).Order("next_attempt_at, dossier_id").Find(&rows).Error
	})
	if err != nil {
		return nil, translate(err, dvcqgNoun)
	}
	out := make([]dvcqg.Claim, len(rows))
	for i, r := range rows {
		out[i] = dvcqg.Claim{DossierID: r.DossierID, Token: token, Changes: r.Changes, Accepted: r.SyncedVersion != nil}
	}
	return out, nil
}

// Record writes the outcome of c's push and releases the claim; it
// returns the state written, or "" when c no longer holds the row (its
// lease ran out and another claimer took it: that one records).
func (s *DVCQGSyncStore) Record(ctx context.Context, c dvcqg.Claim, p dvcqg.Pushed) (dvcqg.SyncStatus, error) {
	at := p.At.UTC().Truncate(time.Microsecond)
	var status dvcqg.SyncStatus
	err := transaction(ctx, s.db, func(tx *gorm.DB) error {
		// The dossier's row first, locked as its writers lock it before its
		// sync row: a first acceptance adds the dossier to the rollups'
		// received_synced under the key it has now.
		var d dossierRow
		if err := lockRow(tx).Select(factColumns).Where("id = ?", c.DossierID).Take(&d).Error; err != nil {
			return err
		}
		var r dvcqgSyncRow
		err := lockRow(tx).Where("dossier_id = ? AND claimed_by = ?", c.DossierID, c.Token).Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var version int
		if err := tx.Model(&dossierRow{}).Where("id = ?", c.DossierID).Pluck("version", &version).Error; err != nil {
			return err
		}
		changed := r.Changes != c.Changes || version != p.Version
		set := map[string]any{"claimed_until": nil, "claimed_by": nil, "last_attempt_at": at, "updated_at": at}
		switch p.Outcome {
		case dvcqg.Accepted:
			set["synced_at"], set["synced_version"], set["attempts"], set["last_error"] = at, p.Version, 0, nil
			status = dvcqg.Synced
			if changed {
				status = dvcqg.Pending
			}
		case dvcqg.Retry:
			n := r.Attempts + 1
			set["attempts"], set["last_error"] = n, p.Error
			status = dvcqg.Pending
			if n >= p.MaxAttempts {
				status = dvcqg.Failed
			} else {
				set["next_attempt_at"] = at.Add(dvcqg.Backoff(p.RetryBase, n))
			}
		default:
			set["attempts"], set["last_error"] = r.Attempts+1, p.Error
			status = dvcqg.Failed
			if changed {
				// A newer version may fare better: it goes at once.
				status = dvcqg.Pending
			}
		}
		if status == dvcqg.Pending {
			if _, ok := set["next_attempt_at"]; !ok {
				set["next_attempt_at"] = at
			}
		} else {
			set["next_attempt_at"] = nil
		}
		set["status"] = string(status)
		if err := tx.Model(&dvcqgSyncRow{}).Where("dossier_id = ? AND claimed_by = ?", c.DossierID, c.Token).
			UpdateColumns(set).Error; err != nil {
			return err
		}
		if p.Outcome != dvcqg.Accepted || r.SyncedAt != nil || d.ReceivedAt == nil {
			return nil
		}
		loc, err := rollupsLocation(ctx, tx)
		if err != nil || loc == nil {
			return err
		}
		f := factsOf(&d)
		delta := rollupDelta{}
		delta.put(&f, localDay(*f.ReceivedAt, loc), rcReceivedSynced, 1)
		return delta.apply(ctx, tx)
	})
	if err != nil {
		return "", translate(err, dvcqgNoun)
	}
	return status, nil
}

// PendingDVCQG counts the pending rows (the motcua_dvcqg_pending gauge).
func (s *DVCQGSyncStore) PendingDVCQG(ctx context.Context) (int64, error) {
	var n int64
	if err := conn(ctx, s.db).Model(&dvcqgSyncRow{}).Where("status = 'pending'").Count(&n).Error; err != nil {
		return 0, translate(err, dvcqgNoun)
	}
	return n, nil
}

// DVCQGSync implements stats.Store: one scan of the dossiers received in
// the period with their sync rows.
func (s *StatsStore) DVCQGSync(ctx context.Context, q stats.Query) (stats.DVCQGCounts, error) {
	sql := `SELECT COUNT(*) AS received,
 COUNT(CASE WHEN s.synced_at IS NOT NULL THEN 1 END) AS synced,
 COUNT(CASE WHEN s.status = 'pending' THEN 1 END) AS pending,
 COUNT(CASE WHEN s.status = 'failed' THEN 1 END) AS failed
FROM dossiers d LEFT JOIN dvcqg_sync s ON s.dossier_id = d.id
WHERE d.received_at >= @start AND d.received_at < @end AND ` + dossierScope(q)
	var r stats.DVCQGCounts
	if err := raw(s.db.WithContext(ctx), sql, q).Scan(&r).Error; err != nil {
		return stats.DVCQGCounts{}, translate(err, "thống kê đồng bộ DVCQG")
	}
	return r, nil
}
