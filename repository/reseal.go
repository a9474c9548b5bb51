package repository

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// ResealCount is what Reseal did to one table.
type ResealCount struct {
	Table    string `json:"table"`
	Scanned  int64  `json:"scanned"`  // rows read
	Resealed int64  `json:"resealed"` // rows whose values were sealed again under the current key
}

// sealedTables are the tables with sealed columns, and those columns.
var sealedTables = []struct {
	table string
	cols  []field
}{
	{"dossiers", []field{fieldApplicantIDNumber, fieldApplicantPhone, fieldApplicantEmail, fieldApplicantAddress}},
	{"feedback", []field{fieldSenderPhone, fieldSenderEmail, fieldSenderAddress}},
}

// Reseal seals again, under sl's current key, every personal-data value
// stored under another key or in clear (rows written before sealing), in
// batches of batch rows, each batch its own short transaction, so the
// service keeps running beside it. A row is written only if its version is
// still the one read: a row the service changed meanwhile was sealed by it
// under the current key already, or is read again by the next pass. done,
// when not nil, hears each batch. Passes repeat until one finds nothing to
// reseal (at most five).
func Reseal(ctx context.Context, db *gorm.DB, sl *Sealer, batch int, done func(ResealCount)) ([]ResealCount, error) {
	if batch < 1 {
		batch = 500
	}
	var out []ResealCount
	for _, t := range sealedTables {
		total := ResealCount{Table: t.table}
		for pass := 0; pass < 5; pass++ {
			_, raced, err := resealPass(ctx, db, sl, t.table, t.cols, batch, &total, done, nil)
			if err != nil {
				return nil, err
			}
			if raced == 0 {
				break
			}
		}
		out = append(out, total)
	}
	return out, nil
}

// resealPass walks table once by id and reports how many rows it resealed
// and how many changed under it. beforeWrite, when not nil, runs between
// a batch's read and its write (tests change rows there).
func resealPass(ctx context.Context, db *gorm.DB, sl *Sealer, table string, cols []field, batch int,
	total *ResealCount, done func(ResealCount), beforeWrite func()) (resealed, raced int64, err error) {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = string(c)[len(table)+1:]
	}
	sel := "id, code, version"
	for _, n := range names {
		sel += ", " + n
	}
	var last int64
	for {
		if err := ctx.Err(); err != nil {
			return resealed, raced, err
		}
		rows, err := conn(ctx, db).Raw("SELECT "+sel+" FROM "+table+" WHERE id > ? ORDER BY id LIMIT ?", last, batch).Rows()
		if err != nil {
			return resealed, raced, translate(err, table)
		}
		type pending struct {
			id, version int64
			vals        []any
		}
		var todo []pending
		read := 0
		for rows.Next() {
			var id, version int64
			var code string
			vals := make([]*string, len(cols))
			dest := []any{&id, &code, &version}
			for i := range vals {
				dest = append(dest, &vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				_ = rows.Close()
				return resealed, raced, translate(err, table)
			}
			read++
			last = id
			stale := false
			for _, v := range vals {
				if v != nil && !sl.isCurrent(*v) {
					stale = true
				}
			}
			if !stale {
				continue
			}
			p := pending{id: id, version: version}
			for i, v := range vals {
				if v == nil {
					p.vals = append(p.vals, nil)
					continue
				}
				plain, err := sl.open(cols[i], code, *v)
				if err != nil {
					_ = rows.Close()
					return resealed, raced, fmt.Errorf("%s %d: %w", table, id, err)
				}
				sealed, err := sl.seal(cols[i], code, plain)
				if err != nil {
					_ = rows.Close()
					return resealed, raced, err
				}
				p.vals = append(p.vals, sealed)
			}
			todo = append(todo, p)
		}
		if err := rows.Close(); err != nil {
			return resealed, raced, translate(err, table)
		}
		if read == 0 {
			return resealed, raced, nil
		}
		total.Scanned += int64(read)
		if len(todo) > 0 && beforeWrite != nil {
			beforeWrite()
		}
		if len(todo) > 0 {
			set := ""
			for i, n := range names {
				if i > 0 {
					set += ", "
				}
				set += n + " = ?"
			}
			stmt := "UPDATE " + table + " SET " + set + " WHERE id = ? AND version = ?"
			var n int64
			err := transaction(ctx, db, func(tx *gorm.DB) error {
				for _, p := range todo {
					res := tx.Exec(stmt, append(p.vals, p.id, p.version)...)
					if res.Error != nil {
						return res.Error
					}
					n += res.RowsAffected
				}
				return nil
			})
			if err != nil {
				return resealed, raced, translate(err, table)
			}
			resealed += n
			raced += int64(len(todo)) - n
			total.Resealed += n
		}
		if done != nil {
			done(*total)
		}
	}
}

// VerifySealer checks that sl opens what the database holds: the newest
// sealed values of each sealed table (a bounded read, however large the
// tables). A service started with another data key than the one its data
// was sealed under would fail on every read of personal data and seal new
// data under the wrong key; it is stopped at the start instead.
func VerifySealer(ctx context.Context, db *gorm.DB, sl *Sealer) error {
	for _, t := range sealedTables {
		sel := "code"
		for _, c := range t.cols {
			sel += ", " + string(c)[len(t.table)+1:]
		}
		rows, err := conn(ctx, db).Raw("SELECT " + sel + " FROM " + t.table + " ORDER BY id DESC LIMIT 50").Rows()
		if err != nil {
			return translate(err, t.table)
		}
		checked := false
		for rows.Next() && !checked {
			var code string
			vals := make([]*string, len(t.cols))
			dest := []any{&code}
			for i := range vals {
				dest = append(dest, &vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				_ = rows.Close()
				return translate(err, t.table)
			}
			for i, v := range vals {
				if v == nil {
					continue
				}
				if _, _, sealed := splitSealed(*v); !sealed {
					continue
				}
				checked = true
				if _, err := sl.open(t.cols[i], code, *v); err != nil {
					_ = rows.Close()
					return fmt.Errorf("the data key does not open the personal data this database holds (%s): "+
						"start with the key it was sealed under", t.table)
				}
				break
			}
		}
		if err := rows.Close(); err != nil {
			return translate(err, t.table)
		}
	}
	return nil
}
