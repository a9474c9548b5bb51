package repository

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/importer"
)

// recordKind says how one kind of imported record (a dossier, a feedback
// item) is stored with its history, for both the INSERT and the COPY path,
// so that the two paths differ only in how rows reach the database.
type recordKind[R any] struct {
	table, idSeq, histTable  string
	cols, copyCols, histCols []string
	code                     func(*R) string
	row                      func(dst []any, r *R, sl *Sealer) ([]any, error)
	entries                  func(*R) int
	entry                    func(dst []any, id int64, r *R, i int) ([]any, error)
	// facts, when set, is a record's contribution to the statistics
	// rollups, applied in the same transaction (dossiers, ADR 0004).
	facts func(*R) dossierFacts
	// stored, when set, runs in the transaction with the ids stored
	// (dossiers: the national portal's marks).
	stored func(tx *gorm.DB, ids []int64) error
}

var dossierKind = recordKind[importer.DossierRecord]{
	table: "dossiers", idSeq: "dossiers_id_seq", histTable: "dossier_history",
	cols: dossierImportColumns, copyCols: dossierCopyColumns, histCols: historyImportColumns,
	code: func(r *importer.DossierRecord) string { return r.Dossier.Code },
	row: func(dst []any, r *importer.DossierRecord, sl *Sealer) ([]any, error) {
		return appendDossierValues(dst, r.Dossier, sl)
	},
	entries: func(r *importer.DossierRecord) int { return len(r.History) },
	entry: func(dst []any, id int64, r *importer.DossierRecord, i int) ([]any, error) {
		return appendEntryValues(dst, id, r.History[i])
	},
	facts:  func(r *importer.DossierRecord) dossierFacts { return factsOfDossier(&r.Dossier) },
	stored: func(tx *gorm.DB, ids []int64) error { return markDVCQG(tx, ids...) },
}

var feedbackKind = recordKind[importer.FeedbackRecord]{
	table: "feedback", idSeq: "feedback_id_seq", histTable: "feedback_history",
	cols: feedbackImportColumns, copyCols: feedbackCopyColumns, histCols: feedbackHistoryImportColumns,
	code: func(r *importer.FeedbackRecord) string { return r.Feedback.Code },
	row: func(dst []any, r *importer.FeedbackRecord, sl *Sealer) ([]any, error) {
		return appendFeedbackValues(dst, r.Feedback, sl)
	},
	entries: func(r *importer.FeedbackRecord) int { return len(r.History) },
	entry: func(dst []any, id int64, r *importer.FeedbackRecord, i int) ([]any, error) {
		return appendFeedbackEntryValues(dst, id, r.History[i]), nil
	},
}

// rollups returns the delta the kind's stored records add to and the zone
// it is bucketed in, or a nil delta for a kind without rollups.
func (k *recordKind[R]) rollups(ctx context.Context, tx *gorm.DB) (*rollupDelta, *time.Location, error) {
	if k.facts == nil {
		return nil, nil, nil
	}
	loc, err := rollupsLocation(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	return &rollupDelta{}, loc, nil
}

// storeByInsert stores recs of kind k by multi-row INSERTs in one
// transaction: rows of codes already stored (or twice in recs) are
// skipped and counted as duplicates. then, when set, runs last in the
// transaction (the checkpoint of a file's import).
func storeByInsert[R any](ctx context.Context, s *ImportStore, k *recordKind[R], recs []R, then afterBatch) (importer.Stored, error) {
	var st importer.Stored
	err := transaction(ctx, s.db, func(tx *gorm.DB) error {
		fresh, err := newRecords(tx, k.table, recs, k.code)
		if err != nil {
			return err
		}
		rows := make([][]any, 0, len(fresh))
		for _, r := range fresh {
			row, err := k.row(make([]any, 0, len(k.cols)), r, s.seal)
			if err != nil {
				return err
			}
			rows = append(rows, row)
		}
		ids, err := s.insertReturning(tx, k.table, k.cols, rows, "id")
		if err != nil {
			return err
		}
		n := len(ids)
		roll, zone, err := k.rollups(ctx, tx)
		if err != nil {
			return err
		}
		var hist [][]any
		stored := make([]int64, 0, n)
		for _, r := range fresh {
			id, ok := ids[k.code(r)]
			delete(ids, k.code(r)) // the first record of a code is the one inserted
			if !ok {
				continue // inserted meanwhile by someone else: a duplicate
			}
			stored = append(stored, id)
			if roll != nil {
				roll.add(k.facts(r), 1, zone)
			}
			for i := range k.entries(r) {
				row, err := k.entry(make([]any, 0, len(k.histCols)), id, r, i)
				if err != nil {
					return err
				}
				hist = append(hist, row)
			}
		}
		if err := s.insertRows(tx, k.histTable, k.histCols, hist); err != nil {
			return err
		}
		if k.stored != nil {
			if err := k.stored(tx, stored); err != nil {
				return err
			}
		}
		if roll != nil {
			if err := roll.apply(ctx, tx); err != nil {
				return err
			}
		}
		st = importer.Stored{Imported: n, Duplicates: len(recs) - n}
		return then.run(tx, st)
	})
	if err != nil {
		return importer.Stored{}, err
	}
	return st, nil
}

// storeByCopy stores recs of kind k by COPY in one transaction, with their
// history (and rollup deltas). It returns errCopyConflict when a code was
// stored meanwhile by someone else (nothing is then stored). The ids follow
// the stream, as on the INSERT path; the rows are copied in code order,
// the history in stream order. then runs last in the transaction, as in
// storeByInsert.
func storeByCopy[R any](ctx context.Context, s *ImportStore, k *recordKind[R], recs []R, then afterBatch) (importer.Stored, error) {
	var st importer.Stored
	err := s.pgTx(ctx, func(tx *gorm.DB, raw pgRaw) error {
		fresh, err := newRecords(tx, k.table, recs, k.code)
		if err != nil {
			return err
		}
		ids, err := nextIDs(tx, k.idSeq, len(fresh))
		if err != nil {
			return err
		}
		roll, zone, err := k.rollups(ctx, tx)
		if err != nil {
			return err
		}
		order := codeOrder(fresh, k.code)
		if err := s.copyRows(ctx, raw, k.table, k.copyCols, len(fresh), &rowSource{n: len(fresh),
			build: func(i int, buf []any) ([]any, error) {
				r := fresh[order[i]]
				if roll != nil {
					roll.add(k.facts(r), 1, zone)
				}
				return k.row(append(buf, ids[order[i]]), r, s.seal)
			}}); err != nil {
			return err
		}
		hist := indexEntries(fresh, k.entries)
		if err := s.copyRows(ctx, raw, k.histTable, k.histCols, len(hist), &rowSource{n: len(hist),
			build: func(i int, buf []any) ([]any, error) {
				r, e := hist[i][0], hist[i][1]
				return k.entry(buf, ids[r], fresh[r], int(e))
			}}); err != nil {
			return err
		}
		if k.stored != nil {
			if err := k.stored(tx, ids); err != nil {
				return err
			}
		}
		if roll != nil {
			if err := roll.apply(ctx, tx); err != nil {
				return err
			}
		}
		st = importer.Stored{Imported: len(fresh), Duplicates: len(recs) - len(fresh)}
		return then.run(tx, st)
	})
	if err != nil {
		return importer.Stored{}, err
	}
	return st, nil
}

// afterBatch, when not nil, runs last in the transaction of a batch, with
// what the batch stored.
type afterBatch func(tx *gorm.DB, st importer.Stored) error

func (a afterBatch) run(tx *gorm.DB, st importer.Stored) error {
	if a == nil {
		return nil
	}
	return a(tx, st)
}
