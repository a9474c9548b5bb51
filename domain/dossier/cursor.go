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
