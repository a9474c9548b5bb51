package repository

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/worktime"
)

// Reading the rollups: form 06 and the online figures summed from the
// buckets a plan names (rollup_buckets.go).

// span reads the first year and the last month of the rollups (two index
// probes).
func (s *StatsStore) span(ctx context.Context) (dataSpan, error) {
	var rows []struct {
		Which  string
		Bucket string
	}
	err := s.db.WithContext(ctx).Raw(`SELECT 'first' AS which, bucket FROM (SELECT bucket FROM dossier_rollups WHERE grain = 'y' ORDER BY bucket LIMIT 1) f
UNION ALL SELECT 'last' AS which, bucket FROM (SELECT bucket FROM dossier_rollups WHERE grain = 'm' ORDER BY bucket DESC LIMIT 1) l`).Scan(&rows).Error
	if err != nil {
		return dataSpan{}, translate(err, "thống kê hồ sơ")
	}
	var sp dataSpan
	for _, r := range rows {
		if r.Which == "first" {
			sp.firstYear = r.Bucket
		} else {
			sp.lastMonth = r.Bucket
		}
	}
	return sp, nil
}

// rollupPlan is what a statistics query sums: disjoint bucket ranges
// (atoms), each summed once per group, and for every role (flows of the
// period, stocks at its start, stocks at its end) the sign each atom counts
// with.
type rollupPlan struct {
	atoms []bucketRange
	coef  [][]int64 // coef[role][atom]
}

// planRollups splits the ranges of every role into the coarsest disjoint
// atoms, per grain, and keeps those some role counts.
func planRollups(roles ...[]signedRange) rollupPlan {
	bounds := map[byte][]string{}
	for _, rs := range roles {
		for _, r := range rs {
			bounds[r.Grain] = append(bounds[r.Grain], r.From, r.To)
		}
	}
	var p rollupPlan
	grains := make([]byte, 0, len(bounds))
	for g := range bounds {
		grains = append(grains, g)
	}
	sort.Slice(grains, func(i, j int) bool { return grains[i] < grains[j] })
	var cand []bucketRange
	for _, g := range grains {
		b := bounds[g]
		sort.Strings(b)
		for i := 0; i+1 < len(b); i++ {
			if b[i] != b[i+1] {
				cand = append(cand, bucketRange{g, b[i], b[i+1]})
			}
		}
	}
	coef := make([][]int64, len(roles))
	for i, rs := range roles {
		coef[i] = make([]int64, len(cand))
		for _, r := range rs {
			for j, a := range cand {
				if a.Grain == r.Grain && a.From >= r.From && a.To <= r.To {
					coef[i][j] += r.Sign
				}
			}
		}
	}
	p.coef = make([][]int64, len(roles))
	for j, a := range cand {
		used := false
		for i := range roles {
			used = used || coef[i][j] != 0
		}
		if !used {
			continue
		}
		p.atoms = append(p.atoms, a)
		for i := range roles {
			p.coef[i] = append(p.coef[i], coef[i][j])
		}
	}
	return p
}

// rollupSums are the sums of one atom for one group.
type rollupSums struct {
	Part                                        int
	Grp                                         string
	Received, ReceivedOnline                    int64
	ResolvedEarly, ResolvedOnTime, ResolvedLate int64
	OnSpotResolved, Withdrawn, Stopped          int64
	Rejected, OpenDelta, OverdueDelta           int64
	// The digitisation counters (rollup_flags.go).
	ReceivedWithFiles   int64 `gorm:"column:received_with_files"`
	ReceivedDigitised   int64 `gorm:"column:received_digitised"`
	ReceivedReused      int64 `gorm:"column:received_reused"`
	Payable             int64 `gorm:"column:payable"`
	PaidOnline          int64 `gorm:"column:paid_online"`
	ResolvedWithEResult int64 `gorm:"column:resolved_with_e_result"`
	ResolvedDigitised   int64 `gorm:"column:resolved_digitised"`
	FileVersions        int64 `gorm:"column:file_versions"`
	FileBytes           int64 `gorm:"column:file_bytes"`
	// The service index counters (rollup_index.go).
	ReceivedSynced       int64 `gorm:"column:received_synced"`
	ReceivedOnlineSynced int64 `gorm:"column:received_online_synced"`
	IndexFinishedLate    int64 `gorm:"column:index_finished_late"`
	IndexLateDelta       int64 `gorm:"column:index_late_delta"`
}

func (r *rollupSums) add(c int64, o rollupSums) {
	r.Received += c * o.Received
	r.ReceivedOnline += c * o.ReceivedOnline
	r.ResolvedEarly += c * o.ResolvedEarly
	r.ResolvedOnTime += c * o.ResolvedOnTime
	r.ResolvedLate += c * o.ResolvedLate
	r.OnSpotResolved += c * o.OnSpotResolved
	r.Withdrawn += c * o.Withdrawn
	r.Stopped += c * o.Stopped
	r.Rejected += c * o.Rejected
	r.OpenDelta += c * o.OpenDelta
	r.OverdueDelta += c * o.OverdueDelta
	r.ReceivedWithFiles += c * o.ReceivedWithFiles
	r.ReceivedDigitised += c * o.ReceivedDigitised
	r.ReceivedReused += c * o.ReceivedReused
	r.Payable += c * o.Payable
	r.PaidOnline += c * o.PaidOnline
	r.ResolvedWithEResult += c * o.ResolvedWithEResult
	r.ResolvedDigitised += c * o.ResolvedDigitised
	r.FileVersions += c * o.FileVersions
	r.FileBytes += c * o.FileBytes
	r.ReceivedSynced += c * o.ReceivedSynced
	r.ReceivedOnlineSynced += c * o.ReceivedOnlineSynced
	r.IndexFinishedLate += c * o.IndexFinishedLate
	r.IndexLateDelta += c * o.IndexLateDelta
}

// rollupSumColumns are the sums every atom query selects.
var rollupSumColumns = func() string {
	cols := []string{"CAST(COALESCE(SUM(CASE WHEN r.channel = 'online' THEN r.received ELSE 0 END), 0) AS BIGINT) AS received_online",
		"CAST(COALESCE(SUM(CASE WHEN r.channel = 'online' THEN r.received_synced ELSE 0 END), 0) AS BIGINT) AS received_online_synced"}
	for _, c := range rollupColumns {
		cols = append(cols, "CAST(COALESCE(SUM(r."+c+"), 0) AS BIGINT) AS "+c)
	}
	return strings.Join(cols, ", ")
}()

// sumRollups sums the rollups of q's scope per group (grp, with join to
// reach it; "" for one group, "") for each role of plan:
// result[role][group].
func (s *StatsStore) sumRollups(ctx context.Context, q stats.Query, grp, join string, plan rollupPlan) ([]map[string]*rollupSums, error) {
	out := make([]map[string]*rollupSums, len(plan.coef))
	for i := range out {
		out[i] = map[string]*rollupSums{}
	}
	if len(plan.atoms) == 0 {
		return out, nil
	}
	args := map[string]any{"units": q.Units}
	scope := inScope(q, "r.unit_code", "r.agency_code", "r.holder_unit")
	parts := make([]string, len(plan.atoms))
	sel, groupBy := grp, "\nGROUP BY "+grp
	if grp == "" {
		sel, groupBy = "''", ""
	}
	for i, a := range plan.atoms {
		lo, hi := fmt.Sprintf("lo%d", i), fmt.Sprintf("hi%d", i)
		args[lo], args[hi] = a.From, a.To
		parts[i] = fmt.Sprintf("SELECT %d AS part, %s AS grp, %s\nFROM "+rollupTableOf(a.Grain)+" r%s\nWHERE r.grain = '%c' AND r.bucket >= @%s AND r.bucket < @%s AND %s%s",
			i, sel, rollupSumColumns, join, a.Grain, lo, hi, scope, groupBy)
	}
	var rows []rollupSums
	if err := s.db.WithContext(ctx).Raw(strings.Join(parts, "\nUNION ALL\n"), args).Scan(&rows).Error; err != nil {
		return nil, translate(err, "thống kê hồ sơ")
	}
	for _, r := range rows {
		for role, coef := range plan.coef {
			c := coef[r.Part]
			if c == 0 {
				continue
			}
			acc := out[role][r.Grp]
			if acc == nil {
				acc = &rollupSums{Grp: r.Grp}
				out[role][r.Grp] = acc
			}
			acc.add(c, r)
		}
	}
	return out, nil
}

// rollupGroups are the group expressions of form 06 over rollups, and the
// join that reaches field and level.
var rollupGroups = map[stats.GroupBy]struct{ expr, join string }{
	stats.ByUnit:      {"r.unit_code", ""},
	stats.ByAgency:    {"r.agency_code", ""},
	stats.ByProcedure: {"r.procedure_code", ""},
	stats.ByField:     {"COALESCE(p.field, '')", " LEFT JOIN procedures p ON p.code = r.procedure_code"},
	stats.ByLevel:     {"COALESCE(p.level, '')", " LEFT JOIN procedures p ON p.code = r.procedure_code"},
	stats.ByChannel:   {"r.channel", ""},
}

// useRollups reports whether q can be answered from the rollups: they are
// built, and q's period starts and ends at midnights of their zone.
func (s *StatsStore) useRollups(ctx context.Context, q stats.Query) (bool, error) {
	loc, ok, err := readRollupsZone(ctx, s.db)
	if err != nil || !ok {
		return false, err
	}
	midnight := func(d worktime.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc) }
	return q.Start.Equal(midnight(q.From)) && q.End.Equal(midnight(q.To.AddDays(1))), nil
}

// Form06 implements stats.Store from the rollups: the flows of the buckets
// tiling the period, carried over and in progress from the stock deltas
// before its first day and before the day after its last. It answers
// exactly what Form06FullScan answers, falling back to it when the rollups
// cannot (not built yet, or a period in another zone) and for a period that
// has not ended: the rollups hold stocks at midnights, and such a period is
// judged at now (as_of), which the full scan answers exactly.
func (s *StatsStore) Form06(ctx context.Context, q stats.Query, by stats.GroupBy) ([]stats.Row, error) {
	if !asOf(q).Equal(q.End.UTC()) {
		return s.Form06FullScan(ctx, q, by)
	}
	ok, err := s.useRollups(ctx, q)
	if err != nil {
		return nil, err
	}
	if !ok {
		return s.Form06FullScan(ctx, q, by)
	}
	return s.form06Rollups(ctx, q, by)
}

// form06Groups are the sums of a form-06 plan by group: for each group met
// in any role, its flow, start and end sums (zero where the role has no
// row of the group).
func form06Groups(sums []map[string]*rollupSums) map[string][3]rollupSums {
	out := map[string][3]rollupSums{}
	for role, m := range sums {
		if role > roleEnd {
			break
		}
		for grp, x := range m {
			g := out[grp]
			g[role] = *x
			out[grp] = g
		}
	}
	return out
}

// Roles of a form-06 plan.
const (
	roleFlow = iota
	roleStart
	roleEnd
)

// form06Plan is what form 06 sums for q's period: the flows of the buckets
// tiling it (roleFlow), the stocks before its first day (roleStart) and
// before the day after its last (roleEnd). The stocks at the end are those
// at the start plus the period's stock deltas, so they read no bucket the
// start and the flows do not.
func form06Plan(q stats.Query, span dataSpan, mode stockMode) rollupPlan {
	flows := cover(q.From, q.To.AddDays(1))
	start := stockBefore(q.From, span, mode, flows)
	end := append(append([]signedRange(nil), start...), signed(1, flows)...)
	return planRollups(signed(1, flows), start, end)
}

func (s *StatsStore) form06Rollups(ctx context.Context, q stats.Query, by stats.GroupBy) ([]stats.Row, error) {
	g, ok := rollupGroups[by]
	if !ok {
		return nil, fmt.Errorf("form 06: unknown grouping %q", by)
	}
	span, err := s.span(ctx)
	if err != nil {
		return nil, err
	}
	sums, err := s.sumRollups(ctx, q, g.expr, g.join, form06Plan(q, span, s.stocks))
	if err != nil {
		return nil, err
	}
	groups := form06Groups(sums)
	out := make([]stats.Row, 0, len(groups))
	for grp, g := range groups {
		f, s0, s1 := g[roleFlow], g[roleStart], g[roleEnd]
		c := stats.Counts{
			CarriedOver: s0.OpenDelta, ReceivedOnline: f.ReceivedOnline, ReceivedDirectPostal: f.Received - f.ReceivedOnline,
			ResolvedTotal: f.ResolvedEarly + f.ResolvedOnTime + f.ResolvedLate,
			ResolvedEarly: f.ResolvedEarly, ResolvedOnTime: f.ResolvedOnTime, ResolvedLate: f.ResolvedLate,
			InProgressWithin: s1.OpenDelta - s1.OverdueDelta, InProgressOverdue: s1.OverdueDelta,
			Withdrawn: f.Withdrawn, Stopped: f.Stopped, Rejected: f.Rejected, OnSpotResolved: f.OnSpotResolved,
		}
		// A key whose dossiers all finished before the period, or moved to
		// another holder, sums to nothing: the full scan has no such group.
		if c == (stats.Counts{}) {
			continue
		}
		out = append(out, stats.Row{Group: grp, Counts: c})
	}
	return out, nil
}

// onlineLevelCount is the dossiers received in a period at one online level.
type onlineLevelCount struct {
	Level   string
	Total   int64
	OnlineN int64
}

// onlineRollups counts the dossiers received in q's period per online
// level of their procedure, from the rollups.
func (s *StatsStore) onlineRollups(ctx context.Context, q stats.Query) ([]onlineLevelCount, error) {
	plan := planRollups(signed(1, cover(q.From, q.To.AddDays(1))))
	sums, err := s.sumRollups(ctx, q, "p.online_level", " JOIN procedures p ON p.code = r.procedure_code", plan)
	if err != nil {
		return nil, err
	}
	var out []onlineLevelCount
	for level, x := range sums[0] {
		if x.Received != 0 || x.ReceivedOnline != 0 {
			out = append(out, onlineLevelCount{Level: level, Total: x.Received, OnlineN: x.ReceivedOnline})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Level < out[j].Level })
	return out, nil
}
