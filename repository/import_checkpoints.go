package repository

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/importer"
)

// The checkpoints of file imports (importer.CheckpointStore, migration
// 00026): one row per kind and file fingerprint, updated in the
// transaction of every batch the import stores, and the bad lines it
// listed, added with the checkpoint that reached them.

var _ importer.CheckpointStore = (*ImportStore)(nil)

// importCheckpointRow is a row of import_checkpoints.
type importCheckpointRow struct {
	ID          int64 `gorm:"primaryKey"`
	Kind        string
	Size        int64
	HeadSHA256  string `gorm:"column:head_sha256"`
	Path        string
	OffsetBytes int64
	Line        int64
	Imported    int64
	Duplicates  int64
	ErrorLines  int64
	StartedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  *time.Time
}

func (importCheckpointRow) TableName() string { return "import_checkpoints" }

var checkpointErrorColumns = []string{"checkpoint_id", "line", "message"}

// errCheckpointGone reports that the checkpoint row of a running import was
// replaced, by another import of the same file started meanwhile.
var errCheckpointGone = errors.New("the checkpoint of this import was replaced by another import of the same file")

// StartCheckpoint implements importer.CheckpointStore. It also drops the
// checkpoint of an earlier file of the kind at the same path.
func (s *ImportStore) StartCheckpoint(ctx context.Context, f importer.File) (int64, error) {
	now := time.Now().UTC()
	row := importCheckpointRow{Kind: string(f.Kind), Size: f.Size, HeadSHA256: f.Head, Path: f.Path, StartedAt: now, UpdatedAt: now}
	err := transaction(ctx, s.db, func(tx *gorm.DB) error {
		old := tx.Model(&importCheckpointRow{}).Select("id").
			Where("kind = ? AND ((size = ? AND head_sha256 = ?) OR path = ?)", f.Kind, f.Size, f.Head, f.Path)
		if err := tx.Exec("DELETE FROM import_checkpoint_errors WHERE checkpoint_id IN (?)", old).Error; err != nil {
			return err
		}
		if err := tx.Where("kind = ? AND ((size = ? AND head_sha256 = ?) OR path = ?)", f.Kind, f.Size, f.Head, f.Path).
			Delete(&importCheckpointRow{}).Error; err != nil {
			return err
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		return 0, fmt.Errorf("start the import checkpoint: %w", err)
	}
	return row.ID, nil
}

// LoadCheckpoint implements importer.CheckpointStore.
func (s *ImportStore) LoadCheckpoint(ctx context.Context, f importer.File) (importer.Saved, bool, bool, error) {
	db := s.db.WithContext(ctx)
	var rows []importCheckpointRow
	if err := db.Where("kind = ? AND size = ? AND head_sha256 = ?", f.Kind, f.Size, f.Head).Limit(1).Find(&rows).Error; err != nil {
		return importer.Saved{}, false, false, fmt.Errorf("load the import checkpoint: %w", err)
	}
	if len(rows) == 0 {
		var n int64
		if err := db.Model(&importCheckpointRow{}).Where("kind = ? AND path = ? AND finished_at IS NULL", f.Kind, f.Path).
			Count(&n).Error; err != nil {
			return importer.Saved{}, false, false, fmt.Errorf("load the import checkpoint: %w", err)
		}
		return importer.Saved{}, false, n > 0, nil
	}
	r := rows[0]
	var errs []struct {
		Line    int64
		Message string
	}
	if err := db.Table("import_checkpoint_errors").Select("line, message").Where("checkpoint_id = ?", r.ID).
		Order("line").Limit(importer.MaxReported).Scan(&errs).Error; err != nil {
		return importer.Saved{}, false, false, fmt.Errorf("load the import checkpoint: %w", err)
	}
	saved := importer.Saved{Path: r.Path, Finished: r.FinishedAt != nil, Checkpoint: importer.Checkpoint{
		ID: r.ID, Offset: r.OffsetBytes, Line: r.Line, Imported: r.Imported, Duplicates: r.Duplicates, ErrorLines: r.ErrorLines}}
	for _, e := range errs {
		saved.Errors = append(saved.Errors, importer.LineError{Line: e.Line, Error: e.Message})
	}
	return saved, true, false, nil
}

// ImportDossiersAt implements importer.CheckpointStore: ImportDossiers
// writing cp (when cp.ID is set) in the batch's transaction.
func (s *ImportStore) ImportDossiersAt(ctx context.Context, recs []importer.DossierRecord, cp importer.Checkpoint) (importer.Stored, error) {
	return s.storeDossiers(ctx, recs, s.checkpointAfter(cp))
}

// ImportFeedbackAt implements importer.CheckpointStore, as ImportDossiersAt.
func (s *ImportStore) ImportFeedbackAt(ctx context.Context, recs []importer.FeedbackRecord, cp importer.Checkpoint) (importer.Stored, error) {
	return s.storeFeedback(ctx, recs, s.checkpointAfter(cp))
}

// checkpointAfter returns the step that writes cp, with a batch's counts
// added, at the end of the batch's transaction (none without cp.ID).
func (s *ImportStore) checkpointAfter(cp importer.Checkpoint) afterBatch {
	if cp.ID == 0 {
		return nil
	}
	return func(tx *gorm.DB, st importer.Stored) error {
		cp.Imported += int64(st.Imported)
		cp.Duplicates += int64(st.Duplicates)
		return s.writeCheckpoint(tx, cp, false)
	}
}

// SaveCheckpoint implements importer.CheckpointStore.
func (s *ImportStore) SaveCheckpoint(ctx context.Context, cp importer.Checkpoint, finished bool) error {
	return transaction(ctx, s.db, func(tx *gorm.DB) error { return s.writeCheckpoint(tx, cp, finished) })
}

// writeCheckpoint updates the checkpoint row cp.ID to cp and adds its bad
// lines, in tx.
func (s *ImportStore) writeCheckpoint(tx *gorm.DB, cp importer.Checkpoint, finished bool) error {
	now := time.Now().UTC()
	set := map[string]any{"offset_bytes": cp.Offset, "line": cp.Line, "imported": cp.Imported,
		"duplicates": cp.Duplicates, "error_lines": cp.ErrorLines, "updated_at": now}
	if finished {
		set["finished_at"] = now
	}
	res := tx.Model(&importCheckpointRow{}).Where("id = ?", cp.ID).Updates(set)
	if res.Error != nil {
		return fmt.Errorf("write the import checkpoint: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return errCheckpointGone
	}
	rows := make([][]any, len(cp.Errors))
	for i, e := range cp.Errors {
		rows[i] = []any{cp.ID, e.Line, e.Error}
	}
	if err := s.insertRows(tx, "import_checkpoint_errors", checkpointErrorColumns, rows); err != nil {
		return fmt.Errorf("write the import checkpoint: %w", err)
	}
	return nil
}
