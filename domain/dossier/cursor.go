package dossier

import "github.com/motcua/motcua/domain"

// CursorAfter is the cursor that continues the dossier list after d: the
// list is newest received (or submitted, while not received) first.
func CursorAfter(d Dossier) domain.Cursor {
	at := d.SubmittedAt
	if d.ReceivedAt != nil {
		at = *d.ReceivedAt
	}
	return domain.Cursor{At: at.UTC(), ID: d.ID}
}

// CursorAfter is the cursor that continues the list f selects after d: by
// due time with DueWithinHours, whose list is in that order, else by
// receipt.
func (f Filter) CursorAfter(d Dossier) domain.Cursor {
	if f.DueWithinHours != nil && d.DueAt != nil {
		return domain.Cursor{At: d.DueAt.UTC(), ID: d.ID}
	}
	return CursorAfter(d)
}
