package domain

// Page is the offset paging every list takes: page from 1, and the page's
// size. Lists that can grow long also take a keyset Cursor.
type Page struct {
	Page     int
	PageSize int
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Page - 1) * p.PageSize }
