package repository

import (
	"context"

	"gorm.io/gorm"
)

// nextInSequence increments the counter name and returns its new value,
// starting at 1. Call it inside the transaction that uses the value: the row
// stays locked until that transaction ends, so concurrent callers queue and a
// rollback returns the number (no gaps, no reuse).
func nextInSequence(ctx context.Context, tx *gorm.DB, name string) (int64, error) {
	var v int64
	err := conn(ctx, tx).Raw(
		`INSERT INTO sequences (name, value) VALUES (?, 1)
		 ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1
		 RETURNING value`, name).Scan(&v).Error
	if err != nil {
		return 0, translate(err, "bộ đếm")
	}
	return v, nil
}
