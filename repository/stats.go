package repository

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/stats"
)

// StatsStore implements stats.Store with aggregate queries: form 06 and the
// online figures read the rollups (rollup.go), the others one scan of the
// relevant rows per figure set, COUNT(CASE …) per column, the period's
// bounds passed as parameters (half-open, UTC), portable between PostgreSQL
// and SQLite. Reads outside transactions go to a read replica when one is
// configured.
type StatsStore struct {
	db     *gorm.DB
	stocks stockMode // how rollup stocks are summed (tests force each way)
}

var _ stats.Store = (*StatsStore)(nil)

// NewStatsStore returns a statistics store over db.
func NewStatsStore(db *gorm.DB) *StatsStore { return &StatsStore{db: db} }

// finishedAt is when a dossier stopped being in progress: resolved,
// withdrawn or stopped (one of them at most is set).
const finishedAt = "COALESCE(d.resolved_at, d.withdrawn_at, d.stopped_at)"

// timeliness is the stored class, or for a resolved dossier without one
// (history imported without it) late when resolved after its due time and
// on time otherwise, so early + on time + late always adds up to resolved.
const timeliness = "COALESCE(d.timeliness, CASE WHEN d.due_at IS NOT NULL AND d.resolved_at > d.due_at THEN 'late' ELSE 'on_time' END)"

const (
	inPeriod = " >= @start AND %s < @end"
	resolved = "d.received_at IS NOT NULL AND d.resolved_at >= @start AND d.resolved_at < @end"
	atEnd    = "d.received_at < @end AND (" + finishedAt + " IS NULL OR " + finishedAt + " >= @end)"
)

// form06Columns are the counted columns of form 06, in stats.Counts order.
var form06Columns = []struct{ name, cond string }{
	{"carried_over", "d.received_at < @start AND (" + finishedAt + " IS NULL OR " + finishedAt + " >= @start)"},
	{"received_online", "d.received_at >= @start AND d.received_at < @end AND d.channel = 'online'"},
	{"received_direct_postal", "d.received_at >= @start AND d.received_at < @end AND d.channel <> 'online'"},
	{"resolved_total", resolved},
	{"resolved_early", resolved + " AND " + timeliness + " = 'early'"},
	{"resolved_on_time", resolved + " AND " + timeliness + " NOT IN ('early', 'late')"},
	{"resolved_late", resolved + " AND " + timeliness + " = 'late'"},
	// In progress at the period's end, judged at as_of (the end, or now
	// when the period has not ended): overdue is a due time already passed
	// then, not one that will pass by the end if nothing moves.
	{"in_progress_within", atEnd + " AND (d.due_at IS NULL OR d.due_at >= @asof)"},
	{"in_progress_overdue", atEnd + " AND d.due_at < @asof"},
	{"withdrawn", "d.received_at IS NOT NULL AND d.withdrawn_at >= @start AND d.withdrawn_at < @end"},
	{"stopped", "d.received_at IS NOT NULL AND d.stopped_at >= @start AND d.stopped_at < @end"},
	{"rejected", "d.rejected_at >= @start AND d.rejected_at < @end"},
	{"on_spot_resolved", resolved + " AND d.on_spot"},
}

// groupColumns are the group expressions of form 06; field and level come
// from the procedure.
var groupColumns = map[stats.GroupBy]string{
	stats.ByUnit:      "d.unit_code",
	stats.ByAgency:    "d.agency_code",
	stats.ByProcedure: "d.procedure_code",
	stats.ByField:     "COALESCE(p.field, '')",
	stats.ByLevel:     "COALESCE(p.level, '')",
	stats.ByChannel:   "d.channel",
}

// form06Row is one group's figures as the form-06 query selects them: the
// group key, then a column per field of stats.Counts (GORM maps the
// embedded struct's fields to the columns of the same snake_case names).
type form06Row struct {
	Grp string
	stats.Counts
}

func (r form06Row) asDomain() stats.Row { return stats.Row{Group: r.Grp, Counts: r.Counts} }

// params are the named parameters of every statistics query.
func params(q stats.Query) map[string]any {
	return map[string]any{
		"start": q.Start.UTC(), "end": q.End.UTC(), "asof": asOf(q),
		"from": q.From.String(), "to": q.To.String(),
		"units": q.Units,
	}
}

// asOf is q's evaluation instant: AsOf, or End when it is not set.
func asOf(q stats.Query) time.Time {
	if q.AsOf.IsZero() || q.AsOf.After(q.End) {
		return q.End.UTC()
	}
	return q.AsOf.UTC()
}

// raw runs a statistics query with q's named parameters; a query that
// names none (a province-wide catalogue count) gets none.
func raw(db *gorm.DB, sql string, q stats.Query) *gorm.DB {
	if !strings.Contains(sql, "@") {
		return db.Raw(sql)
	}
	return db.Raw(sql, params(q))
}

// inScope is the SQL condition that one of columns is in the scope's units,
// or TRUE for the whole province.
func inScope(q stats.Query, columns ...string) string {
	if q.Units == nil {
		return "1 = 1"
	}
	parts := make([]string, len(columns))
	for i, c := range columns {
		parts[i] = c + " IN @units"
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// dossierScope is docs/domain.md's rule: reception unit, handling agency or holder.
func dossierScope(q stats.Query) string {
	return inScope(q, "d.unit_code", "d.agency_code", "d.holder_unit")
}

// Form06FullScan answers Form06 with one aggregate scan of the dossiers
// that matter to the period. It is the reference the rollups (Form06) are
// tested and benchmarked against, and their fallback.
func (s *StatsStore) Form06FullScan(ctx context.Context, q stats.Query, by stats.GroupBy) ([]stats.Row, error) {
	grp, ok := groupColumns[by]
	if !ok {
		return nil, fmt.Errorf("form 06: unknown grouping %q", by)
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(grp)
	b.WriteString(" AS grp")
	for _, c := range form06Columns {
		fmt.Fprintf(&b, ",\n COUNT(CASE WHEN %s THEN 1 END) AS %s", c.cond, c.name)
	}
	b.WriteString("\nFROM dossiers d")
	if by == stats.ByField || by == stats.ByLevel {
		b.WriteString(" LEFT JOIN procedures p ON p.code = d.procedure_code")
	}
	// Only the dossiers that matter to the period: received before its end
	// and not finished before its start, or rejected in it.
	b.WriteString("\nWHERE ((d.received_at < @end AND (" + finishedAt + " IS NULL OR " + finishedAt + " >= @start))" +
		" OR (d.rejected_at >= @start AND d.rejected_at < @end))")
	b.WriteString(" AND " + dossierScope(q))
	b.WriteString("\nGROUP BY " + grp)
	var rows []form06Row
	if err := raw(s.db.WithContext(ctx), b.String(), q).Scan(&rows).Error; err != nil {
		return nil, translate(err, "thống kê hồ sơ")
	}
	out := make([]stats.Row, len(rows))
	for i, r := range rows {
		out[i] = r.asDomain()
	}
	return out, nil
}

// Online implements stats.Store. Dossiers count by their procedure's
// online level whatever the procedure's status now, so a procedure
// abolished since does not erase the dossiers it had; services are the
// active procedures. The dossiers come from the rollups when they can
// answer (see Form06), else from a scan.
func (s *StatsStore) Online(ctx context.Context, q stats.Query) (stats.OnlineCounts, error) {
	ok, err := s.useRollups(ctx, q)
	if err != nil {
		return stats.OnlineCounts{}, err
	}
	if !ok {
		return s.OnlineFullScan(ctx, q)
	}
	dossiers, err := s.onlineRollups(ctx, q)
	if err != nil {
		return stats.OnlineCounts{}, err
	}
	return s.online(ctx, q, dossiers)
}

// OnlineFullScan answers Online counting the dossiers with a scan: the
// reference of the rollups.
func (s *StatsStore) OnlineFullScan(ctx context.Context, q stats.Query) (stats.OnlineCounts, error) {
	var dossiers []onlineLevelCount
	sql := `SELECT p.online_level AS level, COUNT(*) AS total, COUNT(CASE WHEN d.channel = 'online' THEN 1 END) AS online_n
FROM dossiers d JOIN procedures p ON p.code = d.procedure_code
WHERE d.received_at >= @start AND d.received_at < @end AND ` + dossierScope(q) + `
GROUP BY p.online_level`
	if err := raw(s.db.WithContext(ctx), sql, q).Scan(&dossiers).Error; err != nil {
		return stats.OnlineCounts{}, translate(err, "thống kê trực tuyến")
	}
	return s.online(ctx, q, dossiers)
}

// online adds the services of q's scope to the dossiers per level.
func (s *StatsStore) online(ctx context.Context, q stats.Query, dossiers []onlineLevelCount) (stats.OnlineCounts, error) {
	db := s.db.WithContext(ctx)
	var services []struct {
		Level      string
		Services   int64
		Integrated int64
	}
	sql := `SELECT p.online_level AS level, COUNT(*) AS services,
 COUNT(CASE WHEN p.national_portal_integrated THEN 1 END) AS integrated
FROM procedures p
WHERE p.status = 'active' AND ` + inScope(q, "p.agency_code") + `
GROUP BY p.online_level`
	if err := raw(db, sql, q).Scan(&services).Error; err != nil {
		return stats.OnlineCounts{}, translate(err, "thống kê trực tuyến")
	}
	by := map[string]*stats.LevelCounts{}
	var order []string
	level := func(l string) *stats.LevelCounts {
		if c, ok := by[l]; ok {
			return c
		}
		by[l] = &stats.LevelCounts{Level: l}
		order = append(order, l)
		return by[l]
	}
	var out stats.OnlineCounts
	for _, r := range services {
		level(r.Level).Services = r.Services
		if r.Level == stats.OnlinePartial || r.Level == stats.OnlineFull {
			out.Integrated += r.Integrated
			out.IntegrationBase += r.Services
		}
	}
	for _, r := range dossiers {
		c := level(r.Level)
		c.Dossiers, c.DossiersOnline = r.Total, r.OnlineN
	}
	for _, l := range order {
		out.Levels = append(out.Levels, *by[l])
	}
	return out, nil
}

// feedbackStatusAt is a feedback item's status at as_of: answered or
// refused when that happened before then; else, for an item still open now
// with nothing in its history since as_of, its status now; else the status
// its last history entry before as_of moved it to (received when there is
// none: history from an older system may not say when it was assigned).
const feedbackStatusAt = `CASE WHEN f.answered_at < @asof THEN 'answered' WHEN f.refused_at < @asof THEN 'refused'
 WHEN f.status IN ('received', 'processing') AND NOT EXISTS (SELECT 1 FROM feedback_history h
  WHERE h.feedback_id = f.id AND h.at >= @asof) THEN f.status
 ELSE COALESCE((SELECT h.to_status FROM feedback_history h
  WHERE h.feedback_id = f.id AND h.at < @asof ORDER BY h.at DESC, h.id DESC LIMIT 1), 'received') END`

// Feedback implements stats.Store. Feedback is in the scope when its
// recording unit or its assigned agency is. Its status (by_status, open) is
// the one it had at as_of.
func (s *StatsStore) Feedback(ctx context.Context, q stats.Query) (stats.FeedbackCounts, error) {
	db := s.db.WithContext(ctx)
	scope := inScope(q, "f.recorded_unit", "f.agency_code")
	var groups []struct {
		Channel  string
		Category string
		Status   string
		N        int64
		Overdue  int64
	}
	sql := `SELECT x.channel AS channel, x.category AS category, x.status AS status, COUNT(*) AS n,
 COUNT(CASE WHEN x.due_at < @asof THEN 1 END) AS overdue
FROM (SELECT f.channel, f.category, f.due_at, ` + feedbackStatusAt + ` AS status
 FROM feedback f
 WHERE f.received_at >= @start AND f.received_at < @end AND ` + scope + `) x
GROUP BY x.channel, x.category, x.status`
	if err := raw(db, sql, q).Scan(&groups).Error; err != nil {
		return stats.FeedbackCounts{}, translate(err, "thống kê phản ánh")
	}
	out := stats.FeedbackCounts{ByChannel: map[string]int64{}, ByCategory: map[string]int64{}, ByStatus: map[string]int64{}}
	for _, g := range groups {
		out.Received += g.N
		out.ByChannel[g.Channel] += g.N
		out.ByCategory[g.Category] += g.N
		out.ByStatus[g.Status] += g.N
		if g.Status == "received" || g.Status == "processing" {
			out.Open += g.N
			out.OpenOverdue += g.Overdue
		}
	}
	var done struct {
		Answered       int64
		AnsweredOnTime int64
		Refused        int64
		RefusedOnTime  int64
		Published      int64
	}
	answered := "f.answered_at" + fmt.Sprintf(inPeriod, "f.answered_at")
	refused := "f.refused_at" + fmt.Sprintf(inPeriod, "f.refused_at")
	published := "f.published AND f.published_at" + fmt.Sprintf(inPeriod, "f.published_at")
	sql = `SELECT COUNT(CASE WHEN ` + answered + ` THEN 1 END) AS answered,
 COUNT(CASE WHEN ` + answered + ` AND f.answered_at <= f.due_at THEN 1 END) AS answered_on_time,
 COUNT(CASE WHEN ` + refused + ` THEN 1 END) AS refused,
 COUNT(CASE WHEN ` + refused + ` AND f.refused_at <= f.refuse_due_at THEN 1 END) AS refused_on_time,
 COUNT(CASE WHEN ` + published + ` THEN 1 END) AS published
FROM feedback f
WHERE (f.answered_at >= @start OR f.refused_at >= @start OR f.published_at >= @start) AND ` + scope
	if err := raw(db, sql, q).Scan(&done).Error; err != nil {
		return stats.FeedbackCounts{}, translate(err, "thống kê phản ánh")
	}
	out.Answered, out.AnsweredOnTime = done.Answered, done.AnsweredOnTime
	out.Refused, out.RefusedOnTime, out.Published = done.Refused, done.RefusedOnTime, done.Published
	return out, nil
}

// Procedures implements stats.Store. A procedure (and its publications) is
// in the scope when its handling agency is; decided_on is compared as text,
// which orders YYYY-MM-DD dates correctly.
func (s *StatsStore) Procedures(ctx context.Context, q stats.Query) (stats.ProcedureCounts, error) {
	db := s.db.WithContext(ctx)
	scope := inScope(q, "p.agency_code")
	var pubs []struct {
		Kind string
		N    int64
	}
	sql := `SELECT pp.kind AS kind, COUNT(*) AS n
FROM procedure_publications pp JOIN procedures p ON p.code = pp.procedure_code
WHERE pp.decided_on >= @from AND pp.decided_on <= @to AND ` + scope + `
GROUP BY pp.kind`
	if err := raw(db, sql, q).Scan(&pubs).Error; err != nil {
		return stats.ProcedureCounts{}, translate(err, "thống kê thủ tục")
	}
	out := stats.ProcedureCounts{Publications: map[string]int64{}, ByLevel: map[string]int64{}, ByOnlineLevel: map[string]int64{}}
	for _, p := range pubs {
		out.Publications[p.Kind] += p.N
	}
	var active []struct {
		Level       string
		OnlineLevel string
		N           int64
	}
	sql = `SELECT p.level AS level, p.online_level AS online_level, COUNT(*) AS n
FROM procedures p WHERE p.status = 'active' AND ` + scope + `
GROUP BY p.level, p.online_level`
	if err := raw(db, sql, q).Scan(&active).Error; err != nil {
		return stats.ProcedureCounts{}, translate(err, "thống kê thủ tục")
	}
	for _, a := range active {
		out.Active += a.N
		out.ByLevel[a.Level] += a.N
		out.ByOnlineLevel[a.OnlineLevel] += a.N
	}
	var onSpot []struct {
		AgencyCode string
		N          int64
	}
	sql = `SELECT p.agency_code AS agency_code, COUNT(*) AS n
FROM procedures p WHERE p.status = 'active' AND p.on_spot_eligible AND ` + scope + `
GROUP BY p.agency_code ORDER BY p.agency_code`
	if err := raw(db, sql, q).Scan(&onSpot).Error; err != nil {
		return stats.ProcedureCounts{}, translate(err, "thống kê thủ tục")
	}
	for _, a := range onSpot {
		out.OnSpot = append(out.OnSpot, stats.AgencyCount{AgencyCode: a.AgencyCode, Count: a.N})
	}
	return out, nil
}

// Satisfaction implements stats.Store. A rating is in the scope when its
// dossier's reception unit or handling agency is.
func (s *StatsStore) Satisfaction(ctx context.Context, q stats.Query) (stats.SatisfactionCounts, error) {
	var rows []struct {
		Score int
		N     int64
	}
	sql := `SELECT r.score AS score, COUNT(*) AS n FROM ratings r
WHERE r.created_at >= @start AND r.created_at < @end AND ` + inScope(q, "r.unit_code", "r.agency_code") + `
GROUP BY r.score`
	if err := raw(s.db.WithContext(ctx), sql, q).Scan(&rows).Error; err != nil {
		return stats.SatisfactionCounts{}, translate(err, "thống kê mức độ hài lòng")
	}
	out := stats.SatisfactionCounts{ByScore: map[int]int64{}}
	for _, r := range rows {
		out.ByScore[r.Score] += r.N
	}
	return out, nil
}

// AgencyNames implements stats.Store.
func (s *StatsStore) AgencyNames(ctx context.Context, codes []string) (map[string]string, error) {
	return s.names(ctx, "agencies", codes)
}

// ProcedureNames implements stats.Store.
func (s *StatsStore) ProcedureNames(ctx context.Context, codes []string) (map[string]string, error) {
	return s.names(ctx, "procedures", codes)
}

// namesChunk bounds the codes of one IN list.
const namesChunk = 500

func (s *StatsStore) names(ctx context.Context, table string, codes []string) (map[string]string, error) {
	out := make(map[string]string, len(codes))
	for len(codes) > 0 {
		n := min(len(codes), namesChunk)
		var rows []struct {
			Code string
			Name string
		}
		if err := s.db.WithContext(ctx).Table(table).Select("code, name").Where("code IN ?", codes[:n]).Scan(&rows).Error; err != nil {
			return nil, translate(err, "tên")
		}
		for _, r := range rows {
			out[r.Code] = r.Name
		}
		codes = codes[n:]
	}
	return out, nil
}
