package repository

import (
	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/dossier"
)

// clockRunning are the statuses whose due time is running: a dossier
// waiting for a supplement is left out, its clock stands still and its due
// time moves when the supplement comes.
var clockRunning = []string{string(dossier.Received), string(dossier.Processing), string(dossier.AwaitingPayment)}

// dueSoonWhere narrows tx to the dossiers due soon when q asks for them:
// running, due after DueSoonAt (at or before it is overdue) and by
// DueSoonBy.
func dueSoonWhere(tx *gorm.DB, q dossier.Query) *gorm.DB {
	if q.DueSoonAt == nil || q.DueSoonBy == nil {
		return tx
	}
	return tx.Where("status IN ? AND due_at > ? AND due_at <= ?", clockRunning, q.DueSoonAt.UTC(), q.DueSoonBy.UTC())
}

// listOrder orders and positions the page of q: soonest due first (then
// id) for the due-soon list, whose keyset is (due_at, id); else newest
// received first, keyset (COALESCE(received_at, submitted_at), id).
func listOrder(tx *gorm.DB, q dossier.Query) *gorm.DB {
	if q.DueSoonAt != nil && q.DueSoonBy != nil {
		if q.After != nil {
			tx = tx.Where("(due_at, id) > (?, ?)", q.After.At.UTC(), q.After.ID)
		}
		return tx.Order("due_at").Order("id").Offset(q.Offset)
	}
	if q.After != nil { // keyset: straight to the position, nothing skipped
		tx = tx.Where("(COALESCE(received_at, submitted_at), id) < (?, ?)", q.After.At.UTC(), q.After.ID)
	}
	return tx.Order("COALESCE(received_at, submitted_at) DESC").Order("id DESC").Offset(q.Offset)
}
