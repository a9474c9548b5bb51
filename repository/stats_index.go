package repository

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/stats"
)

// The service index (GET /stats/service-index, ADR 0008): one aggregate
// statement over form 06's population with the dossiers' supplement
// requests (dossier_supplements), their national portal sync state, their
// linked feedback and low ratings; one over the feedback; one list of the
// active procedures; and the resolved dossiers streamed for 2.2.

// indexSupplements is, per dossier with supplement requests, as they
// stood at as_of: how many had been made, the one it was waiting on (the
// latest not yet supplied) and the earliest due time recorded at a request
// not yet supplied (the due time then: only a supply moves it).
const indexSupplements = `SELECT s.dossier_id,
 COUNT(CASE WHEN s.requested_at < @asof THEN 1 END) AS requests,
 MAX(CASE WHEN s.requested_at < @asof AND (s.supplied_at IS NULL OR s.supplied_at >= @asof) THEN s.requested_at END) AS waiting_since,
 MIN(CASE WHEN s.supplied_at IS NULL OR s.supplied_at >= @asof THEN s.due_at END) AS due_then
FROM dossier_supplements s GROUP BY s.dossier_id`

// indexDue is a dossier's due time as it stood at as_of.
const indexDue = "COALESCE(x.due_then, d.due_at)"

// indexOnTime is 1 when the dossier is on time by the 766 rule at as_of
// (stats.OnTime766, its reference), else 0.
const indexOnTime = `CASE
 WHEN d.resolved_at < @asof THEN CASE WHEN ` + indexDue + ` IS NULL OR d.resolved_at <= ` + indexDue + ` THEN 1 ELSE 0 END
 WHEN d.withdrawn_at < @asof THEN CASE WHEN ` + indexDue + ` IS NULL OR d.withdrawn_at <= ` + indexDue + ` THEN 1 ELSE 0 END
 WHEN d.stopped_at < @asof THEN CASE WHEN ` + indexDue + ` IS NULL OR d.stopped_at <= ` + indexDue + ` THEN 1 ELSE 0 END
 WHEN x.waiting_since IS NOT NULL THEN CASE WHEN x.requests <= 1 AND (` + indexDue + ` IS NULL OR x.waiting_since <= ` + indexDue + `) THEN 1 ELSE 0 END
 ELSE CASE WHEN ` + indexDue + ` IS NULL OR ` + indexDue + ` >= @asof THEN 1 ELSE 0 END END`

// indexPopulation is form 06's received_total, written as two ranges so
// that each reads an index: received in the period (dossiers_received_idx),
// or received before it and finished in it or not at all
// (dossiers_finished_idx).
const indexPopulation = "((d.received_at >= @start AND d.received_at < @end) OR (d.received_at < @start AND (" +
	finishedAt + " >= @start OR " + finishedAt + " IS NULL)))"

// indexDossierRow is one procedure's figures of the dossier statement.
type indexDossierRow struct {
	ProcedureCode        string
	Population           int64
	OnTime               int64
	Complained           int64
	Received             int64
	ReceivedOnline       int64
	ReceivedSynced       int64
	ReceivedOnlineSynced int64
}

// indexDossierSQL counts the dossiers of q's scope per procedure.
func indexDossierSQL(q stats.Query) string {
	return `SELECT y.procedure_code AS procedure_code, COUNT(*) AS population,
 CAST(COALESCE(SUM(y.ot), 0) AS BIGINT) AS on_time,
 COUNT(CASE WHEN y.ot = 0 OR y.complaint = 1 THEN 1 END) AS complained,
 COUNT(CASE WHEN y.recv = 1 THEN 1 END) AS received,
 COUNT(CASE WHEN y.recv = 1 AND y.channel = 'online' THEN 1 END) AS received_online,
 COUNT(CASE WHEN y.recv = 1 AND y.synced = 1 THEN 1 END) AS received_synced,
 COUNT(CASE WHEN y.recv = 1 AND y.channel = 'online' AND y.synced = 1 THEN 1 END) AS received_online_synced
FROM (SELECT d.procedure_code, d.channel, ` + indexOnTime + ` AS ot,
  CASE WHEN fb.dossier_code IS NOT NULL OR rt.dossier_id IS NOT NULL THEN 1 ELSE 0 END AS complaint,
  CASE WHEN d.received_at >= @start AND d.received_at < @end THEN 1 ELSE 0 END AS recv,
  CASE WHEN sy.synced_at IS NOT NULL THEN 1 ELSE 0 END AS synced
 FROM dossiers d
 LEFT JOIN (` + indexSupplements + `) x ON x.dossier_id = d.id
 LEFT JOIN dvcqg_sync sy ON sy.dossier_id = d.id
 LEFT JOIN (SELECT DISTINCT f.dossier_code FROM feedback f
  WHERE f.dossier_code IS NOT NULL AND f.dossier_code <> '' AND f.received_at < @asof) fb ON fb.dossier_code = d.code
 LEFT JOIN ratings rt ON rt.dossier_id = d.id AND rt.score <= 2 AND rt.created_at < @asof
 WHERE ` + indexPopulation + ` AND ` + dossierScope(q) + `) y
GROUP BY y.procedure_code`
}

// indexFeedbackSQL counts 5.2's and 5.3's feedback. Open at as_of is
// neither answered nor refused before it.
func indexFeedbackSQL(q stats.Query) string {
	const (
		open     = "(f.received_at < @asof AND (f.answered_at IS NULL OR f.answered_at >= @asof) AND (f.refused_at IS NULL OR f.refused_at >= @asof))"
		answered = "(f.answered_at >= @start AND f.answered_at < @end)"
		refused  = "(f.refused_at >= @start AND f.refused_at < @end)"
		received = "(f.received_at >= @start AND f.received_at < @end)"
	)
	return `SELECT COUNT(CASE WHEN ` + answered + ` OR ` + refused + ` OR ` + open + ` THEN 1 END) AS handled,
 COUNT(CASE WHEN (` + answered + ` AND f.answered_at <= f.due_at) OR (` + refused + ` AND f.refused_at <= f.refuse_due_at)
  OR (` + open + ` AND f.due_at >= @asof) THEN 1 END) AS handled_on_time,
 COUNT(CASE WHEN ` + received + ` THEN 1 END) AS received,
 COUNT(CASE WHEN ` + received + ` AND ((f.answered_at < @asof AND f.answered_at > f.due_at)
  OR (f.refused_at < @asof AND f.refused_at > f.refuse_due_at) OR (` + open + ` AND f.due_at < @asof)) THEN 1 END) AS overdue
FROM feedback f
WHERE f.received_at < @end AND ` + inScope(q, "f.recorded_unit", "f.agency_code")
}

// ServiceIndexFullScan answers ServiceIndex with one aggregate statement
// over the dossiers of form 06's population. It is the reference the
// rollups are tested against, and their fallback.
func (s *StatsStore) ServiceIndexFullScan(ctx context.Context, q stats.Query) (stats.IndexCounts, error) {
	db := s.db.WithContext(ctx)
	var rows []indexDossierRow
	if err := raw(db, indexDossierSQL(q), q).Scan(&rows).Error; err != nil {
		return stats.IndexCounts{}, translate(err, "chỉ số phục vụ")
	}
	return s.indexCounts(ctx, q, rows)
}

// ServiceIndex implements stats.Store from the rollups (rollup_index.go):
// per procedure, form 06's population from the flows and the open stock at
// the period's start, the late ones from index_finished_late and the
// index_late_delta stock at its end, the received and synced flows; then
// the complaints of 5.4 from the linked feedback and low ratings, read with
// their dossiers by key. It answers exactly what ServiceIndexFullScan
// answers, falling back to it as Form06 does (rollups not built, a period
// in another zone, a period that has not ended).
func (s *StatsStore) ServiceIndex(ctx context.Context, q stats.Query) (stats.IndexCounts, error) {
	if !asOf(q).Equal(q.End.UTC()) {
		return s.ServiceIndexFullScan(ctx, q)
	}
	ok, err := s.useRollups(ctx, q)
	if err != nil {
		return stats.IndexCounts{}, err
	}
	if !ok {
		return s.ServiceIndexFullScan(ctx, q)
	}
	span, err := s.span(ctx)
	if err != nil {
		return stats.IndexCounts{}, err
	}
	sums, err := s.sumRollups(ctx, q, "r.procedure_code", "", form06Plan(q, span, s.stocks))
	if err != nil {
		return stats.IndexCounts{}, err
	}
	groups := form06Groups(sums)
	rows := make([]indexDossierRow, 0, len(groups))
	for grp, g := range groups {
		f, s0, s1 := g[roleFlow], g[roleStart], g[roleEnd]
		pop := s0.OpenDelta + f.Received
		late := f.IndexFinishedLate + s1.IndexLateDelta
		rows = append(rows, indexDossierRow{ProcedureCode: grp, Population: pop, OnTime: pop - late, Complained: late,
			Received: f.Received, ReceivedOnline: f.ReceivedOnline, ReceivedSynced: f.ReceivedSynced,
			ReceivedOnlineSynced: f.ReceivedOnlineSynced})
	}
	n, err := s.complainedOnTime(ctx, q)
	if err != nil {
		return stats.IndexCounts{}, err
	}
	out, err := s.indexCounts(ctx, q, rows)
	out.Complained += n
	return out, err
}

// indexComplainedSQL selects the dossiers of q's scope with a linked
// feedback item received, or a rating of 1–2 given, before as_of: driven
// by those (small) tables, each dossier read by its key.
func indexComplainedSQL(q stats.Query) string {
	return `SELECT d.id, d.received_at, d.due_at, d.resolved_at, d.withdrawn_at, d.stopped_at FROM dossiers d
WHERE d.id IN (SELECT d2.id FROM feedback f JOIN dossiers d2 ON d2.code = f.dossier_code
  WHERE f.dossier_code IS NOT NULL AND f.dossier_code <> '' AND f.received_at < @asof
 UNION SELECT rt.dossier_id FROM ratings rt WHERE rt.score <= 2 AND rt.created_at < @asof)
 AND ` + indexPopulation + ` AND ` + dossierScope(q)
}

// complainedOnTime counts the dossiers of the population on time by the
// 766 rule at as_of with a complaint before it (the late ones are counted
// anyway): the rule applied in Go (stats.OnTime766) to the complained
// dossiers and their supplement requests.
func (s *StatsStore) complainedOnTime(ctx context.Context, q stats.Query) (int64, error) {
	db := s.db.WithContext(ctx)
	var ds []struct {
		ID                                                    int64
		ReceivedAt, DueAt, ResolvedAt, WithdrawnAt, StoppedAt *time.Time
	}
	if err := raw(db, indexComplainedSQL(q), q).Scan(&ds).Error; err != nil {
		return 0, translate(err, "chỉ số phục vụ")
	}
	if len(ds) == 0 {
		return 0, nil
	}
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	sups := map[int64][]stats.Supplement{}
	for _, chunk := range idChunks(ids) {
		var rs []supplementRow
		if err := db.Where("dossier_id IN ?", chunk).Order("dossier_id, n").Find(&rs).Error; err != nil {
			return 0, translate(err, "chỉ số phục vụ")
		}
		for _, r := range rs {
			sups[r.DossierID] = append(sups[r.DossierID], r.asDomain())
		}
	}
	asof := asOf(q)
	var n int64
	for _, d := range ds {
		x := stats.IndexDossier{ReceivedAt: utcPtr(d.ReceivedAt), DueAt: utcPtr(d.DueAt), ResolvedAt: utcPtr(d.ResolvedAt),
			WithdrawnAt: utcPtr(d.WithdrawnAt), StoppedAt: utcPtr(d.StoppedAt), Supplements: sups[d.ID]}
		if stats.OnTime766(x, asof) {
			n++
		}
	}
	return n, nil
}

// indexCounts adds to the per-procedure dossier figures the catalogue's
// and the feedback's.
func (s *StatsStore) indexCounts(ctx context.Context, q stats.Query, rows []indexDossierRow) (stats.IndexCounts, error) {
	db := s.db.WithContext(ctx)
	var out stats.IndexCounts
	usedOnline := map[string]bool{}
	for _, r := range rows {
		out.Population += r.Population
		out.OnTime += r.OnTime
		out.Complained += r.Complained
		out.Received += r.Received
		out.ReceivedOnline += r.ReceivedOnline
		out.ReceivedSynced += r.ReceivedSynced
		out.ReceivedOnlineSynced += r.ReceivedOnlineSynced
		if r.ReceivedOnline > 0 {
			usedOnline[r.ProcedureCode] = true
		}
	}
	var procs []struct {
		Code        string
		OnlineLevel string
	}
	sql := `SELECT p.code AS code, p.online_level AS online_level FROM procedures p
WHERE p.status = 'active' AND ` + inScope(q, "p.agency_code")
	if err := raw(db, sql, q).Scan(&procs).Error; err != nil {
		return stats.IndexCounts{}, translate(err, "chỉ số phục vụ")
	}
	for _, p := range procs {
		out.ActiveProcedures++
		if p.OnlineLevel == stats.OnlinePartial || p.OnlineLevel == stats.OnlineFull {
			out.OnlineProcedures++
			if usedOnline[p.Code] {
				out.OnlineProceduresUsed++
			}
		}
	}
	var fb struct {
		Handled       int64
		HandledOnTime int64
		Received      int64
		Overdue       int64
	}
	if err := raw(db, indexFeedbackSQL(q), q).Scan(&fb).Error; err != nil {
		return stats.IndexCounts{}, translate(err, "chỉ số phục vụ")
	}
	out.FeedbackHandled, out.FeedbackHandledOnTime = fb.Handled, fb.HandledOnTime
	out.FeedbackReceived, out.FeedbackOverdue = fb.Received, fb.Overdue
	return out, nil
}

// resolvedInPeriod selects form 06's resolved_total.
const resolvedInPeriod = "d.received_at IS NOT NULL AND d.resolved_at >= @start AND d.resolved_at < @end"

// ResolvedSpans implements stats.Store: the supplement requests of the
// period's resolved dossiers first (one indexed read), then the dossiers
// streamed, never held in memory together.
func (s *StatsStore) ResolvedSpans(ctx context.Context, q stats.Query, fn func(stats.ResolvedSpan) error) error {
	db := s.db.WithContext(ctx)
	where := resolvedInPeriod + " AND " + dossierScope(q)
	waits := map[int64][]stats.Supplement{}
	rows, err := raw(db, `SELECT s.dossier_id, s.requested_at, s.supplied_at FROM dossier_supplements s
JOIN dossiers d ON d.id = s.dossier_id WHERE `+where+` ORDER BY s.dossier_id, s.n`, q).Rows()
	if err != nil {
		return translate(err, "thời gian giải quyết")
	}
	for rows.Next() {
		var id int64
		var req time.Time
		var sup sql.NullTime
		if err := rows.Scan(&id, &req, &sup); err != nil {
			_ = rows.Close()
			return translate(err, "thời gian giải quyết")
		}
		w := stats.Supplement{RequestedAt: req.UTC()}
		if sup.Valid {
			t := sup.Time.UTC()
			w.SuppliedAt = &t
		}
		waits[id] = append(waits[id], w)
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	rows, err = raw(db, "SELECT d.id, d.received_at, d.resolved_at FROM dossiers d WHERE "+where, q).Rows()
	if err != nil {
		return translate(err, "thời gian giải quyết")
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var id int64
		var span stats.ResolvedSpan
		if err := rows.Scan(&id, &span.ReceivedAt, &span.ResolvedAt); err != nil {
			return translate(err, "thời gian giải quyết")
		}
		span.Waits = waits[id]
		if err := fn(span); err != nil {
			return err
		}
	}
	return closeRows(rows)
}

// closeRows closes rows and returns the iteration's error.
func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return translate(err, "thời gian giải quyết")
	}
	return nil
}

// ---- the supplement requests, written with the dossier

// supplementRow maps dossier_supplements.
type supplementRow struct {
	DossierID   int64 `gorm:"primaryKey"`
	N           int   `gorm:"primaryKey"`
	RequestedAt time.Time
	DueAt       *time.Time
	SuppliedAt  *time.Time
}

func (supplementRow) TableName() string { return "dossier_supplements" }

// recordSupplements keeps dossier_supplements in step with a change of a
// dossier from was to now (its supplement_requested_at and due_at before
// and after): a new request adds a row with the due time then; a supply
// (the dossier processing again) closes the open row. A dossier that was
// waiting with no row (imported, or from before the table) gets its row on
// the way out. A withdrawal or stop while waiting leaves the row open: the
// dossier ended waiting.
func recordSupplements(tx *gorm.DB, id int64, wasAt, wasDue *time.Time, now *dossierRow, supplied bool) error {
	switch {
	case wasAt == nil && now.SupplementRequestedAt != nil:
		var n int64
		if err := tx.Model(&supplementRow{}).Where("dossier_id = ?", id).Count(&n).Error; err != nil {
			return translate(err, dossierNoun)
		}
		r := supplementRow{DossierID: id, N: int(n) + 1, RequestedAt: now.SupplementRequestedAt.UTC(), DueAt: utcPtr(now.DueAt)}
		if err := tx.Create(&r).Error; err != nil {
			return translate(err, dossierNoun)
		}
	case wasAt != nil && now.SupplementRequestedAt == nil && supplied:
		at := now.UpdatedAt.UTC()
		res := tx.Model(&supplementRow{}).Where("dossier_id = ? AND supplied_at IS NULL", id).Update("supplied_at", at)
		if res.Error != nil {
			return translate(res.Error, dossierNoun)
		}
		if res.RowsAffected > 0 {
			return nil
		}
		var n int64
		if err := tx.Model(&supplementRow{}).Where("dossier_id = ?", id).Count(&n).Error; err != nil {
			return translate(err, dossierNoun)
		}
		r := supplementRow{DossierID: id, N: int(n) + 1, RequestedAt: wasAt.UTC(), DueAt: utcPtr(wasDue), SuppliedAt: &at}
		if err := tx.Create(&r).Error; err != nil {
			return translate(err, dossierNoun)
		}
	}
	return nil
}
