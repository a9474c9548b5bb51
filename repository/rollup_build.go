package repository

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/motcua/motcua/domain/stats"
)

// backfillBatch is how many dossiers one read of a rebuild takes, and
// backfillFlush how many rollup rows it accumulates before writing them.
const (
	backfillBatch = 5000
	backfillFlush = 50000
)

// BackfillRollups builds the statistics rollups from the dossiers when they
// are not built in loc yet: once after the migration that adds them to a
// database holding dossiers, and again if MOTCUA_TIMEZONE changes. It
// reports whether it rebuilt. Run it at start-up, before serving.
func BackfillRollups(ctx context.Context, db *gorm.DB, loc *time.Location) (bool, error) {
	var rebuilt bool
	err := transaction(ctx, db, func(tx *gorm.DB) error {
		have, ok, err := readRollupsZoneName(ctx, tx)
		if err != nil {
			return err
		}
		switch {
		case ok && have == zoneName(loc):
			return nil
		case ok && have == loc.String():
			// Built in loc, recorded by its bare name before fixed zones
			// were recorded with their offset: record it readably.
			return writeRollupsZone(tx, loc)
		}
		rebuilt = true
		return rebuildRollups(ctx, tx, loc)
	})
	if err != nil {
		return false, fmt.Errorf("backfill rollups: %w", err)
	}
	return rebuilt, nil
}

// RebuildRollups recomputes the statistics rollups from the dossiers, in
// loc, whatever their state: for operators after a manual repair, and for
// tests that write dossier rows directly.
func RebuildRollups(ctx context.Context, db *gorm.DB, loc *time.Location) error {
	if err := transaction(ctx, db, func(tx *gorm.DB) error { return rebuildRollups(ctx, tx, loc) }); err != nil {
		return fmt.Errorf("rebuild rollups: %w", err)
	}
	return nil
}

// rebuildRollups replaces the rollups by the contributions of every
// dossier and file version, reading them in id order in batches, and
// records loc. On PostgreSQL it first blocks writers of dossiers and files
// until tx ends, so no change slips between the read and the write.
func rebuildRollups(ctx context.Context, tx *gorm.DB, loc *time.Location) error {
	tx = tx.WithContext(ctx)
	if Dialect(tx) == "postgres" {
		// The files too: an upload that changes no dossier column still
		// adds its version to the rollups. Uploads write the file tables
		// in this order before the dossier, so the locks are taken in it.
		if err := tx.Exec("LOCK TABLE dossier_files, file_versions, dossiers, dossier_supplements, dvcqg_sync IN SHARE MODE").Error; err != nil {
			return translate(err, "số liệu tổng hợp")
		}
	}
	for _, table := range []string{rollupsDaily, rollupsCoarse, flagLagsTable} {
		if err := tx.Exec("DELETE FROM " + table).Error; err != nil {
			return translate(err, "số liệu tổng hợp")
		}
	}
	delta := rollupDelta{}
	var last int64
	for {
		var rows []dossierRow
		if err := tx.Table("dossiers").Select(factColumns).Where("id > ?", last).Order("id").Limit(backfillBatch).Find(&rows).Error; err != nil {
			return translate(err, dossierNoun)
		}
		var sups map[int64][]stats.Supplement
		var synced map[int64]bool
		if len(rows) > 0 {
			var err error
			if sups, synced, err = indexInputs(ctx, tx, rows[0].ID, rows[len(rows)-1].ID); err != nil {
				return err
			}
		}
		for i := range rows {
			f := factsOf(&rows[i])
			f.Supplements, f.Synced = sups[rows[i].ID], synced[rows[i].ID]
			delta.add(f, 1, loc)
		}
		if delta.size() >= backfillFlush || len(rows) < backfillBatch {
			if err := delta.apply(ctx, tx); err != nil {
				return err
			}
			delta = rollupDelta{}
		}
		if len(rows) < backfillBatch {
			break
		}
		last = rows[len(rows)-1].ID
	}
	if err := rebuildFileRollups(ctx, tx, loc); err != nil {
		return err
	}
	return writeRollupsZone(tx, loc)
}

// fileVersionFacts is a stored file version with its dossier's key.
type fileVersionFacts struct {
	ID                                                       int64
	UnitCode, AgencyCode, HolderUnit, ProcedureCode, Channel string
	UploadedAt                                               time.Time
	Size                                                     int64
}

// rebuildFileRollups adds every stored file version to the rollups, in
// version id order and batches, under its dossier's key.
func rebuildFileRollups(ctx context.Context, tx *gorm.DB, loc *time.Location) error {
	delta := rollupDelta{}
	var last int64
	for {
		var rows []fileVersionFacts
		err := tx.Raw(`SELECT v.id, d.unit_code, d.agency_code, d.holder_unit, d.procedure_code, d.channel, v.uploaded_at, v.size
FROM file_versions v JOIN dossier_files f ON f.id = v.file_id JOIN dossiers d ON d.id = f.dossier_id
WHERE v.id > ? ORDER BY v.id LIMIT ?`, last, backfillBatch).Scan(&rows).Error
		if err != nil {
			return translate(err, fileNoun)
		}
		for _, r := range rows {
			f := dossierFacts{UnitCode: r.UnitCode, AgencyCode: r.AgencyCode, HolderUnit: r.HolderUnit,
				ProcedureCode: r.ProcedureCode, Channel: r.Channel}
			delta.addFile(&f, r.UploadedAt, r.Size, 1, loc)
		}
		if delta.size() >= backfillFlush || len(rows) < backfillBatch {
			if err := delta.apply(ctx, tx); err != nil {
				return err
			}
			delta = rollupDelta{}
		}
		if len(rows) < backfillBatch {
			return nil
		}
		last = rows[len(rows)-1].ID
	}
}

// writeRollupsZone records loc as the zone the rollups are built in.
func writeRollupsZone(tx *gorm.DB, loc *time.Location) error {
	r := settingRow{Key: rollupsZoneKey, Value: zoneName(loc)}
	err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoUpdates: clause.AssignmentColumns([]string{"value"})}).Create(&r).Error
	return translate(err, "cấu hình")
}

// RollupSnapshot returns the non-zero rows of both rollup tables and of the
// flag lags as text, sorted: two snapshots are equal when the tables hold
// the same figures.
// The chaos harness compares the rollups kept through crashes with a
// RebuildRollups from the dossiers.
func RollupSnapshot(ctx context.Context, db *gorm.DB) ([]string, error) {
	cols := strings.Join(rollupKeyColumns, ", ") + ", " + strings.Join(rollupColumns[:], ", ")
	rows, err := db.WithContext(ctx).Raw("SELECT " + cols + " FROM " + rollupsCoarse + " UNION ALL SELECT " + cols + " FROM " + rollupsDaily).Rows()
	if err != nil {
		return nil, translate(err, "số liệu tổng hợp")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		key := make([]string, len(rollupKeyColumns))
		var c rollupCounts
		dest := make([]any, 0, len(key)+rcCount)
		for i := range key {
			dest = append(dest, &key[i])
		}
		for i := range c {
			dest = append(dest, &c[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, translate(err, "số liệu tổng hợp")
		}
		if c != (rollupCounts{}) {
			out = append(out, fmt.Sprint(key, c))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "số liệu tổng hợp")
	}
	var lags []struct {
		BaseDay, FlagDay, Flag, UnitCode, AgencyCode, HolderUnit string
		N                                                        int64
	}
	if err := db.WithContext(ctx).Raw("SELECT " + strings.Join(lagColumns, ", ") + " FROM " + flagLagsTable + " WHERE n <> 0").Scan(&lags).Error; err != nil {
		return nil, translate(err, "số liệu tổng hợp")
	}
	for _, l := range lags {
		out = append(out, fmt.Sprint("lag ", []string{l.BaseDay, l.FlagDay, l.Flag, l.UnitCode, l.AgencyCode, l.HolderUnit}, " ", l.N))
	}
	sort.Strings(out)
	return out, nil
}
