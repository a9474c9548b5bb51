package repository

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"gorm.io/gorm"
)

// Writing the rollups: a delta applied in the transaction that changes
// dossiers, as one upsert per table and chunk.

// rollupChunk bounds the rows of one upsert: on SQLite 26 parameters a
// row (the pure-Go driver's cost grows with the square of a statement's
// parameters, so about 8,000 a statement); on PostgreSQL the rows go as 26
// arrays, about twice as fast.
const (
	rollupChunk   = 320
	rollupChunkPG = 5000
)

// The rollup tables: day rows apart from the coarse ones (dekad, month,
// year, all time), so that a month report reads a small, dense table.
const (
	rollupsDaily  = "dossier_rollups_daily"
	rollupsCoarse = "dossier_rollups"
)

// rollupTableOf is the table holding the rows of grain g.
func rollupTableOf(g byte) string {
	if g == grainDay {
		return rollupsDaily
	}
	return rollupsCoarse
}

// apply adds d to the rollup tables with one upsert per table and chunk.
// Rows are written in one order (the daily table first, each in key order,
// then the flag lags), so concurrent transactions lock them in the same
// order and cannot deadlock on them; rows whose change is zero are not
// written.
func (d *rollupDelta) apply(ctx context.Context, tx *gorm.DB) error {
	keys := make([]rollupKey, 0, len(d.rows))
	for k, c := range d.rows {
		if *c != (rollupCounts{}) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return d.applyLags(ctx, tx)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	daily := make([]rollupKey, 0, len(keys))
	coarse := make([]rollupKey, 0, len(keys))
	for _, k := range keys {
		if k.Grain == grainDay {
			daily = append(daily, k)
		} else {
			coarse = append(coarse, k)
		}
	}
	upsert, chunk := d.upsertValues, rollupChunk
	if Dialect(tx) == "postgres" {
		upsert, chunk = d.upsertArrays, rollupChunkPG
	}
	for _, part := range []struct {
		table string
		keys  []rollupKey
	}{{rollupsDaily, daily}, {rollupsCoarse, coarse}} {
		for ks := part.keys; len(ks) > 0; {
			n := min(len(ks), chunk)
			if err := upsert(ctx, tx, part.table, ks[:n]); err != nil {
				return translate(err, "số liệu tổng hợp")
			}
			ks = ks[n:]
		}
	}
	return d.applyLags(ctx, tx)
}

// rollupInsert starts the upsert of rollup rows into table.
func rollupInsert(table string) string {
	return "INSERT INTO " + table + " (" + strings.Join(rollupKeyColumns, ", ") + ", " +
		strings.Join(rollupColumns[:], ", ") + ") "
}

// rollupOnConflict adds the counters of a row that exists.
func rollupOnConflict(table string) string {
	set := make([]string, len(rollupColumns))
	for i, c := range rollupColumns {
		set[i] = c + " = " + table + "." + c + " + excluded." + c
	}
	return " ON CONFLICT (" + strings.Join(rollupKeyColumns, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
}

// upsertValues writes keys as a multi-row VALUES list (SQLite).
func (d *rollupDelta) upsertValues(ctx context.Context, tx *gorm.DB, table string, keys []rollupKey) error {
	var b strings.Builder
	b.WriteString(rollupInsert(table) + "VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rollupKeyColumns)+rcCount), ", ") + ")"
	args := make([]any, 0, len(keys)*(len(rollupKeyColumns)+rcCount))
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		args = append(args, string(k.Grain), k.Bucket, k.Unit, k.Agency, k.Holder, k.Procedure, k.Channel)
		for _, v := range d.rows[k] {
			args = append(args, v)
		}
	}
	b.WriteString(rollupOnConflict(table))
	return tx.WithContext(ctx).Exec(b.String(), args...).Error
}

// upsertArraysSQL unnests one array per column into each table (PostgreSQL).
var upsertArraysSQL = func() map[string]string {
	out := map[string]string{}
	for _, table := range []string{rollupsDaily, rollupsCoarse} {
		var b strings.Builder
		b.WriteString(rollupInsert(table) + "SELECT * FROM unnest(")
		for i := range rollupKeyColumns {
			fmt.Fprintf(&b, "$%d::varchar[], ", i+1)
		}
		for i := range rollupColumns {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d::bigint[]", len(rollupKeyColumns)+i+1)
		}
		out[table] = b.String() + ")" + rollupOnConflict(table)
	}
	return out
}()

// upsertArrays writes keys as one array per column (PostgreSQL): one
// short statement whatever the rows, parsed and bound in no time. It goes
// straight to tx's connection, since GORM would expand the arrays.
func (d *rollupDelta) upsertArrays(ctx context.Context, tx *gorm.DB, table string, keys []rollupKey) error {
	var key [7][]string
	var num [rcCount][]int64
	for i := range key {
		key[i] = make([]string, 0, len(keys))
	}
	for i := range num {
		num[i] = make([]int64, 0, len(keys))
	}
	for _, k := range keys {
		for i, v := range [7]string{string(k.Grain), k.Bucket, k.Unit, k.Agency, k.Holder, k.Procedure, k.Channel} {
			key[i] = append(key[i], v)
		}
		for i, v := range d.rows[k] {
			num[i] = append(num[i], v)
		}
	}
	args := make([]any, 0, len(key)+len(num))
	for _, a := range key {
		args = append(args, a)
	}
	for _, a := range num {
		args = append(args, a)
	}
	_, err := tx.Statement.ConnPool.ExecContext(ctx, upsertArraysSQL[table], args...)
	return err
}
