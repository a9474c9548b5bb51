package repository

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/importer"
)

// The COPY path of ImportStore (PostgreSQL). A batch is one transaction on
// one connection of the pool: the existence SELECT as on the INSERT path,
// ids for the new rows taken from the table's sequence, the rows and then
// their history sent by COPY FROM STDIN (binary, through pgx, with the
// explicit ids), then the rollup deltas. The values are those of the INSERT
// path (appendDossierValues, appendEntryValues, …), so the rows stored
// are the same. The rows are built as COPY sends them, so that building
// them overlaps the server's work.
//
// COPY has no ON CONFLICT: a concurrent import that stores one of the codes
// between the SELECT and the COPY makes the COPY fail on the code's unique
// index. The transaction is then rolled back and the batch done again by
// the INSERT path, which skips those codes as duplicates (errCopyConflict).
// The rows are copied in code order, so that two imports copying the same
// codes wait for each other in one order and never deadlock.

// errCopyConflict reports that a COPY met a code stored meanwhile.
var errCopyConflict = errors.New("copy: a code was stored by a concurrent import")

// pgRaw runs f on the pgx connection under a transaction of pgTx.
type pgRaw func(f func(*pgx.Conn) error) error

// pgTx runs fn in one transaction on one connection of the pool: tx is the
// GORM transaction and raw reaches the pgx connection it runs on (for
// COPY, which database/sql cannot do). The transaction is committed when
// fn returns nil and rolled back otherwise.
func (s *ImportStore) pgTx(ctx context.Context, fn func(tx *gorm.DB, raw pgRaw) error) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close() //nolint:errcheck // back to the pool; a broken one is dropped
	gdb := s.db.WithContext(ctx).Session(&gorm.Session{NewDB: true})
	gdb.Statement.ConnPool = conn // Transaction begins on conn (a TxBeginner)
	return gdb.Transaction(func(tx *gorm.DB) error {
		return fn(tx, func(f func(*pgx.Conn) error) error {
			return conn.Raw(func(dc any) error {
				sc, ok := dc.(*stdlib.Conn)
				if !ok {
					return fmt.Errorf("copy: driver connection is %T, not pgx", dc)
				}
				return f(sc.Conn())
			})
		})
	})
}

// copyRows sends n rows into table by COPY (values in cols order), as src
// builds them: building a row overlaps the server's work on the ones
// before. A unique violation on table is errCopyConflict; other errors are
// translated as GORM translates those of its statements.
func (s *ImportStore) copyRows(ctx context.Context, raw pgRaw, table string, cols []string, n int, src pgx.CopyFromSource) error {
	if n == 0 {
		return nil
	}
	err := raw(func(pc *pgx.Conn) error {
		got, err := pc.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		if err == nil && got != int64(n) {
			err = fmt.Errorf("copy %s: %d rows of %d", table, got, n)
		}
		return err
	})
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if pe.Code == "23505" && pe.TableName == table {
			return fmt.Errorf("%w: %w", errCopyConflict, err)
		}
		if t, ok := s.db.Dialector.(gorm.ErrorTranslator); ok {
			return t.Translate(pe)
		}
	}
	return fmt.Errorf("copy %s: %w", table, err)
}

// rowSource is a pgx.CopyFromSource of n rows, row i built by build into
// buf (COPY encodes a row before asking for the next, so buf is reused).
type rowSource struct {
	n, i  int
	build func(i int, buf []any) ([]any, error)
	buf   []any
	err   error
}

func (r *rowSource) Next() bool {
	if r.err != nil || r.i >= r.n {
		return false
	}
	r.i++
	return true
}

func (r *rowSource) Values() ([]any, error) {
	r.buf, r.err = r.build(r.i-1, r.buf[:0])
	return r.buf, r.err
}

func (r *rowSource) Err() error { return r.err }

// entryIndex lists the history entries of records, as (record, entry)
// pairs in order, for a rowSource.
type entryIndex [][2]int32

func indexEntries[R any](fresh []*R, entries func(*R) int) entryIndex {
	var out entryIndex
	for i, r := range fresh {
		for j := range entries(r) {
			out = append(out, [2]int32{int32(i), int32(j)})
		}
	}
	return out
}

// nextIDs takes n values of sequence seq, in order.
func nextIDs(tx *gorm.DB, seq string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if n == 0 {
		return ids, nil
	}
	if err := tx.Raw("SELECT nextval(?::regclass) FROM generate_series(1, ?) AS g(i) ORDER BY g.i", seq, n).
		Scan(&ids).Error; err != nil {
		return nil, fmt.Errorf("ids from %s: %w", seq, err)
	}
	if len(ids) != n {
		return nil, fmt.Errorf("ids from %s: %d of %d", seq, len(ids), n)
	}
	return ids, nil
}

// codeOrder returns the indexes of fresh in the order of their codes.
func codeOrder[R any](fresh []*R, code func(*R) string) []int {
	order := make([]int, len(fresh))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(code(fresh[a]), code(fresh[b])) })
	return order
}

// newRecords returns the records of recs whose code table does not hold
// yet, the first of each code only (a later one is a duplicate), in stream
// order: one existence query per codesChunk codes.
func newRecords[R any](tx *gorm.DB, table string, recs []R, code func(*R) string) ([]*R, error) {
	codes := make([]string, len(recs))
	for i := range recs {
		codes[i] = code(&recs[i])
	}
	exists, err := existingCodes(tx, table, codes)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(recs))
	fresh := make([]*R, 0, len(recs))
	for i, c := range codes {
		if exists[c] || seen[c] {
			continue
		}
		seen[c] = true
		fresh = append(fresh, &recs[i])
	}
	return fresh, nil
}

// importDossiersCopy stores recs by COPY in one transaction (storeByCopy),
// with their history and their rollup deltas.
func (s *ImportStore) importDossiersCopy(ctx context.Context, recs []importer.DossierRecord, then afterBatch) (importer.Stored, error) {
	return storeByCopy(ctx, s, &dossierKind, recs, then)
}

// importFeedbackCopy stores recs by COPY in one transaction, with their
// history, like importDossiersCopy.
func (s *ImportStore) importFeedbackCopy(ctx context.Context, recs []importer.FeedbackRecord, then afterBatch) (importer.Stored, error) {
	return storeByCopy(ctx, s, &feedbackKind, recs, then)
}

// The COPY columns: the INSERT columns after an explicit id.
var (
	dossierCopyColumns  = append([]string{"id"}, dossierImportColumns...)
	feedbackCopyColumns = append([]string{"id"}, feedbackImportColumns...)
)
