package repository

import (
	"context"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/dvcqg"
	"github.com/motcua/motcua/domain/files"
)

var _ dvcqg.Store = (*DossierStore)(nil)

// ChangedDossiers implements dvcqg.Store: one query for the page (the
// dossiers_changed_idx order) and one for its history.
func (s *DossierStore) ChangedDossiers(ctx context.Context, q dvcqg.Query) ([]dvcqg.Changed, error) {
	tx := conn(ctx, s.db).Model(&dossierRow{}).Where("received_at IS NOT NULL AND changed_at < ?", q.To.UTC())
	if q.After == nil {
		tx = tx.Where("changed_at >= ?", q.From.UTC())
	}
	if q.Units != nil {
		if len(q.Units) == 0 {
			return nil, nil
		}
		tx = tx.Where("(unit_code IN ? OR agency_code IN ? OR holder_unit IN ?)", q.Units, q.Units, q.Units)
	}
	if q.After != nil {
		at := q.After.ChangedAt.UTC()
		// A row value, not "a > x OR (a = x AND b > y)", and in place of
		// the period's start (a cursor is never before it): both engines
		// start the index range of dossiers_changed_idx at the cursor,
		// where the OR form walks every row from the period's start again
		// on each page.
		tx = tx.Where("(changed_at, code) > (?, ?)", at, q.After.Code)
	}
	var rows []dossierRow
	if err := tx.Order("changed_at, code").Limit(q.Limit).Find(&rows).Error; err != nil {
		return nil, translate(err, dossierNoun)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]dvcqg.Changed, len(rows))
	ids := make([]int64, len(rows))
	at := make(map[int64]int, len(rows))
	for i, r := range rows {
		d, err := r.asDomain(s.seal)
		if err != nil {
			return nil, err
		}
		out[i] = dvcqg.Changed{Dossier: d}
		if r.ChangedAt != nil {
			out[i].ChangedAt = r.ChangedAt.UTC()
		}
		ids[i], at[r.ID] = r.ID, i
	}
	for _, chunk := range idChunks(ids) {
		var hs []historyRow
		if err := conn(ctx, s.db).Where("dossier_id IN ?", chunk).Order("id").Find(&hs).Error; err != nil {
			return nil, translate(err, "lịch sử hồ sơ")
		}
		for _, h := range hs {
			e, err := h.asDomain()
			if err != nil {
				return nil, err
			}
			d := &out[at[h.DossierID]].Dossier
			d.History = append(d.History, e)
		}
	}
	return out, nil
}

// Attachments implements dvcqg.Store: the files with their current
// versions and the payments of ids, two queries a chunk.
func (s *DossierStore) Attachments(ctx context.Context, ids []int64) (map[int64][]files.File, map[int64][]dossier.Payment, error) {
	fs := make(map[int64][]files.File, len(ids))
	ps := make(map[int64][]dossier.Payment, len(ids))
	for _, chunk := range idChunks(ids) {
		var rows []fileWithVersion
		err := conn(ctx, s.db).Table("dossier_files f").
			Select(`f.id, f.dossier_id, f.kind, f.component_id, f.version,
 v.name, v.content_type, v.size, v.sha256, v.digitised, v.reused, v.from_national_db, v.uploaded_at, v.uploaded_by`).
			Joins("JOIN file_versions v ON v.file_id = f.id AND v.version = f.version").
			Where("f.dossier_id IN ?", chunk).Order("f.id").Scan(&rows).Error
		if err != nil {
			return nil, nil, translate(err, fileNoun)
		}
		for _, r := range rows {
			fs[r.DossierID] = append(fs[r.DossierID], r.asDomain())
		}
		var pays []paymentRow
		if err := conn(ctx, s.db).Where("dossier_id IN ?", chunk).Order("id").Find(&pays).Error; err != nil {
			return nil, nil, translate(err, "khoản thanh toán")
		}
		for _, p := range pays {
			ps[p.DossierID] = append(ps[p.DossierID], p.asDomain())
		}
	}
	return fs, ps, nil
}

// idChunks splits ids into slices that fit SQLite's parameter limit.
func idChunks(ids []int64) [][]int64 {
	var out [][]int64
	for len(ids) > sqliteMaxParams/2 {
		out = append(out, ids[:sqliteMaxParams/2])
		ids = ids[sqliteMaxParams/2:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}
