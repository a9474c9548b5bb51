package repository

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/motcua/motcua/domain/audit"
)

type auditRow struct {
	ID      int64 `gorm:"primaryKey"`
	At      time.Time
	Actor   string
	Role    string
	Action  string
	Subject string
	IP      string `gorm:"column:ip"`
	Detail  string
}

func (auditRow) TableName() string { return "audit_log" }

// auditRetentionKey is the settings row the audit_log triggers read.
const auditRetentionKey = "audit_retention_days"

// AuditStore implements audit.Store.
type AuditStore struct{ db *gorm.DB }

var _ audit.Store = (*AuditStore)(nil)

// NewAuditStore returns an audit store over db.
func NewAuditStore(db *gorm.DB) *AuditStore { return &AuditStore{db: db} }

// clip cuts s to n bytes at a rune boundary (the columns are bounded).
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// Append implements audit.Store.
func (s *AuditStore) Append(ctx context.Context, entries []audit.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{At: e.At.UTC(), Actor: clip(e.Actor, 64), Role: clip(e.Role, 16), Action: clip(string(e.Action), 32),
			Subject: clip(e.Subject, 200), IP: clip(e.IP, 64), Detail: clip(e.Detail, 200)}
	}
	err := transaction(ctx, s.db, func(tx *gorm.DB) error { return tx.Create(&rows).Error })
	if err != nil {
		return translate(err, "nhật ký")
	}
	for i := range rows {
		entries[i].ID = rows[i].ID
	}
	return nil
}

// List implements audit.Store.
func (s *AuditStore) List(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	q := conn(ctx, s.db).Model(&auditRow{})
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	if f.Action != "" {
		q = q.Where("action = ?", string(f.Action))
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	if f.After != nil {
		q = q.Where("(at < ? OR (at = ? AND id < ?))", f.After.At.UTC(), f.After.At.UTC(), f.After.ID)
	}
	var rows []auditRow
	if err := q.Order("at DESC, id DESC").Limit(f.Page.PageSize).Find(&rows).Error; err != nil {
		return nil, translate(err, "nhật ký")
	}
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		out[i] = audit.Entry{ID: r.ID, At: r.At.UTC(), Actor: r.Actor, Role: r.Role, Action: audit.Action(r.Action),
			Subject: r.Subject, IP: r.IP, Detail: r.Detail}
	}
	return out, nil
}

// SetRetention implements audit.Store.
func (s *AuditStore) SetRetention(ctx context.Context, days int) error {
	r := settingRow{Key: auditRetentionKey, Value: strconv.Itoa(days)}
	err := conn(ctx, s.db).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value"})}).Create(&r).Error
	return translate(err, "cấu hình")
}

// Purge implements audit.Store.
func (s *AuditStore) Purge(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := transaction(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Where("at < ?", before.UTC()).Delete(&auditRow{})
		n = res.RowsAffected
		return res.Error
	})
	return n, translate(err, "nhật ký")
}
