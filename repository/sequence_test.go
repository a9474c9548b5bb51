package repository

import (
	"context"
	"sync"
	"testing"

	"gorm.io/gorm"
)

func TestNextInSequenceGapFreeUnderConcurrency(t *testing.T) {
	db := OpenTest(t)
	ctx := context.Background()
	const workers, each = 16, 20
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				rollback := (w+i)%7 == 0
				var got int64
				err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					v, err := nextInSequence(ctx, tx, "unit-A|261123")
					if err != nil {
						return err
					}
					got = v
					if rollback {
						return errRollback
					}
					return nil
				})
				if rollback {
					continue
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if seen[got] {
					t.Errorf("value %d handed out twice", got)
				}
				seen[got] = true
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for v := int64(1); v <= int64(len(seen)); v++ {
		if !seen[v] {
			t.Fatalf("gap: %d missing among %d values", v, len(seen))
		}
	}
	if other, err := nextInSequence(ctx, db, "unit-B|261123"); err != nil || other != 1 {
		t.Fatalf("a new series starts at 1, got %d, %v", other, err)
	}
}

type rollbackErr struct{}

func (rollbackErr) Error() string { return "rollback" }

var errRollback = rollbackErr{}
