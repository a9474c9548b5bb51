package repository

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/worktime"
)

// statsLoc is the report zone of these tests.
var statsLoc = worktime.DefaultLocation()

// local returns a local wall-clock instant of 2021.
func local(month time.Month, day, hour, min int) time.Time {
	return time.Date(2021, month, day, hour, min, 0, 0, statsLoc)
}

// statsFixture is a small province: P → C (centre), J (department),
// D (district) → X (commune); and procedures of every level.
func statsFixture(t *testing.T) (*gorm.DB, *StatsStore) {
	t.Helper()
	db := OpenTest(t)
	ctx := context.Background()
	cs := NewCatalogStore(db)
	for _, a := range []catalog.Agency{testAgency("P", ""), testAgency("C", "P"), testAgency("J", "P"), testAgency("D", "P"), testAgency("X", "D")} {
		if err := cs.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	procs := []catalog.Procedure{
		testProcedure("pJ1", "J"), testProcedure("pJ2", "J"), testProcedure("pD", "D"), testProcedure("pX", "X"), testProcedure("pOld", "J"),
	}
	procs[0].Field, procs[0].OnSpotEligible, procs[0].NationalPortalIntegrated = "Hộ tịch", true, true
	procs[1].Field, procs[1].OnlineLevel = "Chứng thực", catalog.OnlinePartial
	procs[2].Field, procs[2].Level, procs[2].OnlineLevel, procs[2].NationalPortalIntegrated = "Đất đai", catalog.LevelDistrict, catalog.OnlinePartial, true
	procs[3].Field, procs[3].Level, procs[3].OnlineLevel = "Hộ tịch", catalog.LevelCommune, catalog.OnlineInfo
	procs[4].Status, procs[4].NationalPortalIntegrated, procs[4].OnSpotEligible = catalog.StatusAbolished, true, true
	for _, p := range procs {
		if err := cs.CreateProcedure(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return db, NewStatsStore(db)
}

// dossierSpec is one test dossier and what it must add to form 06 for
// August 2021.
type dossierSpec struct {
	proc, unit, agency, holder, channel string
	onSpot                              bool
	received, due, resolved             *time.Time
	timeliness                          string
	withdrawn, stopped, rejected        *time.Time
	want                                stats.Counts
}

func at(t time.Time) *time.Time { return &t }

// insertDossiers writes the specs as dossier rows (codes d0001, …) in one
// batch, as the dossier store would: times UTC, NULL when not happened.
func insertDossiers(t *testing.T, db *gorm.DB, specs []dossierSpec) []int64 {
	t.Helper()
	utc := func(p *time.Time) any {
		if p == nil {
			return nil
		}
		return p.UTC()
	}
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	created := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]map[string]any, len(specs))
	for i, s := range specs {
		status := "submitted"
		switch {
		case s.rejected != nil:
			status = "rejected"
		case s.withdrawn != nil:
			status = "withdrawn"
		case s.stopped != nil:
			status = "stopped"
		case s.resolved != nil:
			status = "returned"
		case s.received != nil:
			status = "processing"
		}
		submitted := created
		if s.received != nil {
			submitted = s.received.UTC()
		}
		holder := s.holder
		if holder == "" {
			holder = s.agency
		}
		rows[i] = map[string]any{
			"code": fmt.Sprintf("d%04d", i+1), "procedure_code": s.proc, "unit_code": s.unit, "agency_code": s.agency,
			"holder_unit": holder, "channel": s.channel, "on_spot": s.onSpot, "status": status, "status_code": 1,
			"applicant_name": "Người nộp", "pin_hash": "x", "processing_value": 5, "processing_unit": "working_days",
			"submitted_at": submitted, "received_at": utc(s.received), "due_at": utc(s.due), "appointment_at": utc(s.due),
			"resolved_at": utc(s.resolved), "timeliness": str(s.timeliness), "withdrawn_at": utc(s.withdrawn),
			"stopped_at": utc(s.stopped), "rejected_at": utc(s.rejected), "created_at": created, "updated_at": created,
		}
	}
	if err := db.Table("dossiers").CreateInBatches(rows, 200).Error; err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := db.Table("dossiers").Order("code").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	// Rows written behind the stores' back: roll them up as the stores would.
	if err := RebuildRollups(context.Background(), db, statsLoc); err != nil {
		t.Fatal(err)
	}
	return ids
}

// augustSpecs covers every column of form 06 and the period's edges.
func augustSpecs() []dossierSpec {
	start, end := local(8, 1, 0, 0), local(9, 1, 0, 0)
	return []dossierSpec{
		// carried over from July, resolved early in August
		{proc: "pJ1", unit: "C", agency: "J", channel: "direct", received: at(local(7, 20, 9, 0)), due: at(local(8, 10, 9, 0)),
			resolved: at(local(8, 5, 10, 0)), timeliness: "early", want: stats.Counts{CarriedOver: 1, ResolvedTotal: 1, ResolvedEarly: 1}},
		// new direct, on the spot, resolved on time the same day
		{proc: "pJ1", unit: "C", agency: "J", channel: "direct", onSpot: true, received: at(local(8, 2, 8, 0)), due: at(local(8, 2, 16, 0)),
			resolved: at(local(8, 2, 15, 0)), timeliness: "on_time",
			want: stats.Counts{ReceivedDirectPostal: 1, ResolvedTotal: 1, ResolvedOnTime: 1, OnSpotResolved: 1}},
		// new online, resolved late
		{proc: "pJ2", unit: "C", agency: "J", channel: "online", received: at(local(8, 3, 8, 0)), due: at(local(8, 10, 8, 0)),
			resolved: at(local(8, 12, 8, 0)), timeliness: "late", want: stats.Counts{ReceivedOnline: 1, ResolvedTotal: 1, ResolvedLate: 1}},
		// new postal, in progress at the end, not yet due
		{proc: "pD", unit: "D", agency: "D", channel: "postal", received: at(local(8, 20, 8, 0)), due: at(local(9, 3, 8, 0)),
			want: stats.Counts{ReceivedDirectPostal: 1, InProgressWithin: 1}},
		// new online, in progress at the end, overdue
		{proc: "pD", unit: "D", agency: "D", channel: "online", received: at(local(8, 4, 8, 0)), due: at(local(8, 25, 8, 0)),
			want: stats.Counts{ReceivedOnline: 1, InProgressOverdue: 1}},
		// carried over, in progress at the end, overdue
		{proc: "pX", unit: "X", agency: "X", channel: "direct", received: at(local(6, 1, 8, 0)), due: at(local(6, 10, 8, 0)),
			want: stats.Counts{CarriedOver: 1, InProgressOverdue: 1}},
		// finished before the period: nowhere
		{proc: "pX", unit: "X", agency: "X", channel: "direct", received: at(local(7, 1, 8, 0)), due: at(local(7, 10, 8, 0)),
			resolved: at(local(7, 31, 23, 59)), timeliness: "late"},
		// received after the period: nowhere
		{proc: "pX", unit: "X", agency: "X", channel: "direct", received: at(end), due: at(local(9, 10, 8, 0))},
		// rejected online submission in the period: rejected only
		{proc: "pJ2", unit: "C", agency: "J", channel: "online", rejected: at(local(8, 9, 10, 0)), want: stats.Counts{Rejected: 1}},
		// rejected before the period: nowhere
		{proc: "pJ2", unit: "C", agency: "J", channel: "online", rejected: at(local(7, 31, 23, 0))},
		// merely submitted: nowhere
		{proc: "pJ2", unit: "C", agency: "J", channel: "online"},
		// withdrawn before it was accepted: nowhere
		{proc: "pJ2", unit: "C", agency: "J", channel: "online", withdrawn: at(local(8, 9, 10, 0))},
		// new, withdrawn in the period
		{proc: "pD", unit: "D", agency: "D", channel: "direct", received: at(local(8, 5, 8, 0)), due: at(local(8, 20, 8, 0)),
			withdrawn: at(local(8, 6, 8, 0)), want: stats.Counts{ReceivedDirectPostal: 1, Withdrawn: 1}},
		// carried over, stopped in the period
		{proc: "pD", unit: "D", agency: "D", channel: "direct", received: at(local(7, 5, 8, 0)), due: at(local(8, 20, 8, 0)),
			stopped: at(local(8, 6, 8, 0)), want: stats.Counts{CarriedOver: 1, Stopped: 1}},
		// new, resolved after the period: in progress at its end
		{proc: "pJ1", unit: "C", agency: "J", channel: "online", received: at(local(8, 30, 8, 0)), due: at(local(9, 6, 8, 0)),
			resolved: at(local(9, 2, 8, 0)), timeliness: "early", want: stats.Counts{ReceivedOnline: 1, InProgressWithin: 1}},
		// received at the first instant: in
		{proc: "pJ1", unit: "C", agency: "J", channel: "direct", received: at(start), due: at(local(8, 6, 8, 0)),
			want: stats.Counts{ReceivedDirectPostal: 1, InProgressOverdue: 1}},
		// received 23:59 on the last day: in
		{proc: "pJ1", unit: "C", agency: "J", channel: "direct", received: at(local(8, 31, 23, 59)), due: at(local(9, 7, 8, 0)),
			want: stats.Counts{ReceivedDirectPostal: 1, InProgressWithin: 1}},
		// received the last microsecond before the period: carried over
		{proc: "pJ1", unit: "C", agency: "J", channel: "direct", received: at(start.Add(-time.Microsecond)), due: at(local(8, 6, 8, 0)),
			resolved: at(start), timeliness: "on_time", want: stats.Counts{CarriedOver: 1, ResolvedTotal: 1, ResolvedOnTime: 1}},
		// resolved exactly at the end: still in progress at the end
		{proc: "pJ1", unit: "C", agency: "J", channel: "direct", received: at(local(8, 28, 8, 0)), due: at(end),
			resolved: at(end), timeliness: "on_time", want: stats.Counts{ReceivedDirectPostal: 1, InProgressWithin: 1}},
		// imported without timeliness, resolved after its due time: late
		{proc: "pJ2", unit: "C", agency: "J", channel: "postal", received: at(local(8, 2, 8, 0)), due: at(local(8, 3, 8, 0)),
			resolved: at(local(8, 4, 8, 0)), want: stats.Counts{ReceivedDirectPostal: 1, ResolvedTotal: 1, ResolvedLate: 1}},
		// imported without timeliness or due time: on time
		{proc: "pJ2", unit: "C", agency: "J", channel: "postal", received: at(local(8, 2, 8, 0)),
			resolved: at(local(8, 4, 8, 0)), want: stats.Counts{ReceivedDirectPostal: 1, ResolvedTotal: 1, ResolvedOnTime: 1}},
		// received at the centre for J, transferred to X (holder), on the spot
		{proc: "pJ1", unit: "C", agency: "J", holder: "X", channel: "direct", onSpot: true, received: at(local(8, 11, 8, 0)),
			due: at(local(8, 11, 16, 0)), resolved: at(local(8, 11, 9, 0)), timeliness: "on_time",
			want: stats.Counts{ReceivedDirectPostal: 1, ResolvedTotal: 1, ResolvedOnTime: 1, OnSpotResolved: 1}},
	}
}

func augustQuery(units []string) stats.Query {
	p := stats.MonthPeriod(2021, 8, 0, statsLoc)
	return stats.Query{Start: p.Start.UTC(), End: p.End.UTC(), From: p.From, To: p.To, Units: units}
}

// expectForm06 sums the specs' wanted counts per group.
func expectForm06(specs []dossierSpec, key func(dossierSpec) string, in func(dossierSpec) bool) map[string]stats.Counts {
	out := map[string]stats.Counts{}
	for _, s := range specs {
		if in != nil && !in(s) {
			continue
		}
		if s.want == (stats.Counts{}) {
			continue
		}
		c := out[key(s)]
		c.Add(s.want)
		out[key(s)] = c
	}
	return out
}

func TestStatsForm06(t *testing.T) {
	db, st := statsFixture(t)
	specs := augustSpecs()
	insertDossiers(t, db, specs)
	ctx := context.Background()
	procs := map[string][2]string{"pJ1": {"Hộ tịch", "province"}, "pJ2": {"Chứng thực", "province"}, "pD": {"Đất đai", "district"},
		"pX": {"Hộ tịch", "commune"}}
	keys := map[stats.GroupBy]func(dossierSpec) string{
		stats.ByUnit:      func(s dossierSpec) string { return s.unit },
		stats.ByAgency:    func(s dossierSpec) string { return s.agency },
		stats.ByProcedure: func(s dossierSpec) string { return s.proc },
		stats.ByField:     func(s dossierSpec) string { return procs[s.proc][0] },
		stats.ByLevel:     func(s dossierSpec) string { return procs[s.proc][1] },
		stats.ByChannel:   func(s dossierSpec) string { return s.channel },
	}
	var wantTotal stats.Counts
	for _, s := range specs {
		wantTotal.Add(s.want)
	}
	if err := wantTotal.Check(); err != nil {
		t.Fatalf("the fixture itself breaks an identity: %v", err)
	}
	for _, by := range stats.GroupBys {
		rows, err := st.Form06(ctx, augustQuery(nil), by)
		if err != nil {
			t.Fatalf("%s: %v", by, err)
		}
		want := expectForm06(specs, keys[by], nil)
		got := map[string]stats.Counts{}
		var total stats.Counts
		for _, r := range rows {
			if err := r.Check(); err != nil {
				t.Errorf("%s row %s: %v", by, r.Group, err)
			}
			if r.Counts != (stats.Counts{}) {
				got[r.Group] = r.Counts
			}
			total.Add(r.Counts)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got  %+v\n want %+v", by, got, want)
		}
		if total != wantTotal {
			t.Errorf("%s total %+v, want %+v", by, total, wantTotal)
		}
	}

	// Scope D: reception unit, handling agency or holder in D's subtree.
	inD := func(s dossierSpec) bool {
		for _, u := range []string{s.unit, s.agency, s.holder} {
			if u == "D" || u == "X" {
				return true
			}
		}
		return false
	}
	rows, err := st.Form06(ctx, augustQuery([]string{"D", "X"}), stats.ByUnit)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]stats.Counts{}
	for _, r := range rows {
		if r.Counts != (stats.Counts{}) {
			got[r.Group] = r.Counts
		}
	}
	if want := expectForm06(specs, keys[stats.ByUnit], inD); !reflect.DeepEqual(got, want) || got["C"].OnSpotResolved != 1 {
		t.Errorf("scope D:\n got  %+v\n want %+v (the transferred centre dossier included)", got, want)
	}

	// The cut-off month 2021-08 with day 15 starts 2021-07-15: the dossier
	// received on 07-20 is new there, not carried over.
	p := stats.MonthPeriod(2021, 8, 15, statsLoc)
	rows, err = st.Form06(ctx, stats.Query{Start: p.Start.UTC(), End: p.End.UTC(), From: p.From, To: p.To}, stats.ByChannel)
	if err != nil {
		t.Fatal(err)
	}
	var cut stats.Counts
	for _, r := range rows {
		cut.Add(r.Counts)
	}
	if err := cut.Check(); err != nil {
		t.Error(err)
	}
	// In [07-15, 08-15): carried over = those received 06-01, 07-01 (resolved late on 07-31, inside this period) and
	// 07-05; late = 07-01's, 08-03's and the imported 08-02 one; rejected = 07-31's and 08-09's.
	if cut.CarriedOver != 3 || cut.ResolvedLate != 3 || cut.Rejected != 2 || cut.ReceivedNew() != 10 {
		t.Errorf("cut-off period: %+v", cut)
	}
}

func TestStatsOnline(t *testing.T) {
	db, st := statsFixture(t)
	insertDossiers(t, db, augustSpecs())
	// A dossier of the abolished procedure still counts at its level.
	insertDossiers2(t, db, "old", dossierSpec{proc: "pOld", unit: "C", agency: "J", channel: "online",
		received: at(local(8, 15, 8, 0)), due: at(local(8, 20, 8, 0))})
	c, err := st.Online(context.Background(), augustQuery(nil))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]stats.LevelCounts{}
	for _, l := range c.Levels {
		got[l.Level] = l
	}
	// Received in August: pJ1 (full): 08-02 direct, 08-30 online, 08-01 00:00, 08-31 23:59, 08-28, 08-11 → 6, 1 online;
	// pOld (full): 1 online; pJ2 (partial): 08-03 online, 08-02 postal ×2 → 3, 1 online; pD (partial): 08-20 postal,
	// 08-04 online, 08-05 direct → 3, 1 online; pX (info): none.
	want := map[string]stats.LevelCounts{
		"full":    {Level: "full", Services: 1, Dossiers: 7, DossiersOnline: 2},
		"partial": {Level: "partial", Services: 2, Dossiers: 6, DossiersOnline: 2},
		"info":    {Level: "info", Services: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("levels\n got  %+v\n want %+v", got, want)
	}
	if c.Integrated != 2 || c.IntegrationBase != 3 {
		t.Errorf("integration %d / %d, want 2 / 3 (pJ1 and pD of pJ1, pJ2, pD; pOld is abolished)", c.Integrated, c.IntegrationBase)
	}
	// Scope X (a commune): its info procedure; its only August dossier is the
	// centre's one transferred to it (a full-level procedure of J).
	c, err = st.Online(context.Background(), augustQuery([]string{"X"}))
	if err != nil {
		t.Fatal(err)
	}
	got = map[string]stats.LevelCounts{}
	for _, l := range c.Levels {
		got[l.Level] = l
	}
	want = map[string]stats.LevelCounts{"info": {Level: "info", Services: 1}, "full": {Level: "full", Dossiers: 1}}
	if !reflect.DeepEqual(got, want) || c.IntegrationBase != 0 {
		t.Errorf("scope X: %+v", c)
	}
}

// insertDossiers2 adds one more dossier with its own code prefix.
func insertDossiers2(t *testing.T, db *gorm.DB, prefix string, s dossierSpec) {
	t.Helper()
	row := map[string]any{
		"code": prefix + "-1", "procedure_code": s.proc, "unit_code": s.unit, "agency_code": s.agency, "holder_unit": s.agency,
		"channel": s.channel, "on_spot": s.onSpot, "status": "processing", "status_code": 4, "applicant_name": "Người nộp",
		"pin_hash": "x", "processing_value": 5, "processing_unit": "working_days", "submitted_at": s.received.UTC(),
		"received_at": s.received.UTC(), "due_at": s.due.UTC(), "created_at": s.received.UTC(), "updated_at": s.received.UTC(),
	}
	if err := db.Table("dossiers").Create(row).Error; err != nil {
		t.Fatal(err)
	}
	if err := RebuildRollups(context.Background(), db, statsLoc); err != nil {
		t.Fatal(err)
	}
}

func TestStatsFeedbackAndRatings(t *testing.T) {
	db, st := statsFixture(t)
	ids := insertDossiers(t, db, augustSpecs()[:3])
	ctx := context.Background()
	type fb struct {
		channel, category, status, agency, unit string
		received                                time.Time
		answered, refused, published            *time.Time
		due, refuseDue                          time.Time
	}
	aug := func(d, h int) time.Time { return local(8, d, h, 0) }
	items := []fb{
		// received and answered on time in August, published
		{"hotline", "regulation", "answered", "J", "C", aug(2, 8), at(aug(10, 8)), nil, at(aug(11, 8)), aug(20, 8), aug(4, 8)},
		// received in August, answered late in August
		{"online", "procedure", "answered", "J", "", aug(3, 8), at(aug(30, 8)), nil, nil, aug(24, 8), aug(5, 8)},
		// received in August, refused on time
		{"online", "conduct", "refused", "D", "", aug(5, 8), nil, at(aug(6, 8)), nil, aug(26, 8), aug(7, 8)},
		// received in August, refused late
		{"mail", "other", "refused", "", "D", aug(5, 8), nil, at(aug(12, 8)), nil, aug(26, 8), aug(7, 8)},
		// received in August, still open
		{"direct", "procedure", "processing", "X", "D", aug(31, 23), nil, nil, nil, local(9, 20, 8, 0), local(9, 3, 8, 0)},
		// received in July, answered on time in August: answered counts, received does not
		{"hotline", "regulation", "answered", "J", "C", local(7, 20, 8, 0), at(aug(1, 0)), nil, nil, aug(1, 0), local(7, 22, 8, 0)},
		// received and answered in July: nowhere
		{"hotline", "regulation", "answered", "J", "C", local(7, 1, 8, 0), at(local(7, 3, 8, 0)), nil, at(local(7, 4, 8, 0)), local(7, 20, 8, 0), local(7, 3, 8, 0)},
		// received 1 September: nowhere
		{"hotline", "regulation", "received", "J", "C", local(9, 1, 0, 0), nil, nil, nil, local(9, 20, 8, 0), local(9, 3, 8, 0)},
	}
	for i, f := range items {
		row := map[string]any{
			"code": fmt.Sprintf("PAKN-%d", i), "channel": f.channel, "category": f.category, "title": "Tiêu đề", "content": "Nội dung",
			"status": f.status, "published": f.published != nil, "received_at": f.received.UTC(), "due_at": f.due.UTC(),
			"refuse_due_at": f.refuseDue.UTC(), "answered_at": nil, "refused_at": nil, "published_at": nil,
			"agency_code": nil, "recorded_unit": nil, "created_at": f.received.UTC(), "updated_at": f.received.UTC(),
		}
		if f.agency != "" {
			row["agency_code"] = f.agency
		}
		if f.unit != "" {
			row["recorded_unit"] = f.unit
		}
		for k, v := range map[string]*time.Time{"answered_at": f.answered, "refused_at": f.refused, "published_at": f.published} {
			if v != nil {
				row[k] = v.UTC()
			}
		}
		if err := db.Table("feedback").Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	c, err := st.Feedback(ctx, augustQuery(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := stats.FeedbackCounts{Received: 5,
		ByChannel:  map[string]int64{"hotline": 1, "online": 2, "mail": 1, "direct": 1},
		ByCategory: map[string]int64{"regulation": 1, "procedure": 2, "conduct": 1, "other": 1},
		ByStatus:   map[string]int64{"answered": 2, "refused": 2, "processing": 1},
		Open:       1, Answered: 3, AnsweredOnTime: 2, Refused: 2, RefusedOnTime: 1, Published: 1}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("feedback\n got  %+v\n want %+v", c, want)
	}
	// Scope D: agency D or X, or recorded at D (items 2, 3, 4).
	c, err = st.Feedback(ctx, augustQuery([]string{"D", "X"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Received != 3 || c.Refused != 2 || c.RefusedOnTime != 1 || c.Answered != 0 || c.ByChannel["online"] != 1 {
		t.Errorf("scope D feedback %+v", c)
	}

	// Ratings: the first three dossiers (C/J), scores 5, 4, 1 in August, one more in September.
	for i, r := range []struct {
		score int
		at    time.Time
	}{{5, aug(10, 8)}, {4, aug(31, 23)}, {1, aug(1, 0)}} {
		row := map[string]any{"dossier_id": ids[i], "dossier_code": fmt.Sprintf("d%04d", i+1), "score": r.score, "comment": "",
			"unit_code": "C", "agency_code": "J", "procedure_code": "pJ1", "created_at": r.at.UTC()}
		if err := db.Table("ratings").Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	sc, err := st.Satisfaction(ctx, augustQuery(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sc.ByScore, map[int]int64{5: 1, 4: 1, 1: 1}) {
		t.Errorf("ratings %+v", sc.ByScore)
	}
	if h, _ := sc.Average().Hundredths(); h != 333 {
		t.Errorf("average %d, want 333", h)
	}
	sc, err = st.Satisfaction(ctx, augustQuery([]string{"D", "X"}))
	if err != nil || sc.Count() != 0 {
		t.Errorf("scope D ratings %+v %v", sc, err)
	}
	sc, err = st.Satisfaction(ctx, augustQuery([]string{"J"}))
	if err != nil || sc.Count() != 3 {
		t.Errorf("scope J ratings %+v %v", sc, err)
	}
}

func TestStatsProcedures(t *testing.T) {
	db, st := statsFixture(t)
	ctx := context.Background()
	pubs := []struct{ proc, kind, on string }{
		{"pJ1", "new", "2021-07-31"}, {"pJ1", "new", "2021-08-01"}, {"pJ2", "new", "2021-08-15"}, {"pD", "amended", "2021-08-31"},
		{"pOld", "abolished", "2021-08-20"}, {"pX", "new", "2021-09-01"},
	}
	for _, p := range pubs {
		row := map[string]any{"procedure_code": p.proc, "kind": p.kind, "decision": "1/QĐ-UBND", "decided_on": p.on, "created_at": t0}
		if err := db.Table("procedure_publications").Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	c, err := st.Procedures(ctx, augustQuery(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := stats.ProcedureCounts{
		Publications:  map[string]int64{"new": 2, "amended": 1, "abolished": 1},
		Active:        4,
		ByLevel:       map[string]int64{"province": 2, "district": 1, "commune": 1},
		ByOnlineLevel: map[string]int64{"full": 1, "partial": 2, "info": 1},
		OnSpot:        []stats.AgencyCount{{AgencyCode: "J", Count: 1}},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("procedures\n got  %+v\n want %+v", c, want)
	}
	c, err = st.Procedures(ctx, augustQuery([]string{"D", "X"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Publications["amended"] != 1 || c.PublicationsTotal() != 1 || c.Active != 2 || len(c.OnSpot) != 0 {
		t.Errorf("scope D procedures %+v", c)
	}
	names, err := st.AgencyNames(ctx, []string{"J", "nope"})
	if err != nil || !reflect.DeepEqual(names, map[string]string{"J": "Đơn vị J"}) {
		t.Errorf("agency names %v %v", names, err)
	}
	pn, err := st.ProcedureNames(ctx, []string{"pD"})
	if err != nil || pn["pD"] != "Thủ tục pD" {
		t.Errorf("procedure names %v %v", pn, err)
	}
}
