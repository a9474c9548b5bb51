package repository

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/domain/stats"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// bucketsIn lists the buckets of r, in order.
func bucketsIn(t *testing.T, r bucketRange) []string {
	t.Helper()
	if r.Grain == grainAll {
		t.Fatalf("range %v of no tiling grain", r)
	}
	var out []string
	for b := r.From; b < r.To; b = nextBucket(r.Grain, b) {
		out = append(out, b)
	}
	return out
}

// daysOf are the local days of bucket b of grain g.
func daysOf(t *testing.T, g byte, b string) []worktime.Date {
	t.Helper()
	var lo, hi worktime.Date
	switch g {
	case grainDay:
		lo = worktime.MustParseDate(b)
		hi = lo.AddDays(1)
	case grainDekad:
		lo = worktime.MustParseDate(b[:8] + map[byte]string{'1': "01", '2': "11", '3': "21"}[b[8]])
		hi = nextDekad(lo)
	case grainMonth:
		lo = worktime.MustParseDate(b + "-01")
		hi = nextMonth(lo)
	case grainYear:
		lo = worktime.MustParseDate(b + "-01-01")
		hi = nextYear(lo)
	}
	var out []worktime.Date
	for d := lo; d.Before(hi); d = d.AddDays(1) {
		if bucketOf(g, d) != b {
			t.Fatalf("day %v is not in %c bucket %s", d, g, b)
		}
		out = append(out, d)
	}
	return out
}

// checkCover checks that cover(lo, hi) tiles [lo, hi) exactly (every day
// once, none outside) in at most seven ranges, with the coarsest buckets:
// no range of days holds a whole dekad, of dekads a whole month, of months
// a whole year.
func checkCover(t *testing.T, lo, hi worktime.Date) []bucketRange {
	t.Helper()
	rs := cover(lo, hi)
	if len(rs) > 7 {
		t.Errorf("%v..%v: %d ranges %v", lo, hi, len(rs), rs)
	}
	var got []string
	for _, r := range rs {
		coarser := map[byte]byte{grainDay: grainDekad, grainDekad: grainMonth, grainMonth: grainYear}[r.Grain]
		parts := map[string]int{} // buckets of r in each coarser bucket
		for _, b := range bucketsIn(t, r) {
			days := daysOf(t, r.Grain, b)
			for _, d := range days {
				got = append(got, d.String())
			}
			if coarser != 0 {
				parts[bucketOf(coarser, days[0])]++
			}
		}
		for c, n := range parts {
			whole := map[byte]int{grainDekad: 3, grainMonth: 12}[r.Grain] // dekads a month, months a year
			if r.Grain == grainDay {
				whole = len(daysOf(t, coarser, c))
			}
			if n == whole {
				t.Errorf("%v..%v: range %v holds the whole %c bucket %s", lo, hi, r, coarser, c)
			}
		}
	}
	var want []string
	for d := lo; d.Before(hi); d = d.AddDays(1) {
		want = append(want, d.String())
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%v..%v: ranges %v cover %d days, want %d", lo, hi, rs, len(got), len(want))
	}
	return rs
}

// The buckets of cover tile [lo, hi) exactly with the coarsest buckets:
// every pair of days around a year end and a February (every offset in a
// month at both ends), and random spans of up to ten years.
func TestCoverTilesThePeriod(t *testing.T) {
	for _, start := range []worktime.Date{{Year: 2025, Month: 12, Day: 1}, {Year: 2024, Month: 1, Day: 25}} {
		for lo := start; lo.Before(start.AddDays(75)); lo = lo.AddDays(1) {
			for hi := lo; hi.Before(lo.AddDays(80)); hi = hi.AddDays(1) {
				checkCover(t, lo, hi)
			}
		}
	}
	rng := rand.New(rand.NewSource(6))
	base := worktime.Date{Year: 2023, Month: time.November, Day: 20}
	cases := [][2]worktime.Date{
		{{Year: 2024, Month: 1, Day: 1}, {Year: 2025, Month: 1, Day: 1}},
		{{Year: 2024, Month: 3, Day: 1}, {Year: 2024, Month: 4, Day: 1}},
		{{Year: 2024, Month: 3, Day: 15}, {Year: 2024, Month: 4, Day: 15}},
		{{Year: 2024, Month: 2, Day: 29}, {Year: 2024, Month: 3, Day: 1}},
		{{Year: 2023, Month: 12, Day: 31}, {Year: 2026, Month: 1, Day: 2}},
		{{Year: 2023, Month: 12, Day: 2}, {Year: 2026, Month: 3, Day: 3}},
	}
	for i := 0; i < 300; i++ {
		lo := base.AddDays(rng.Intn(3000) - 1500)
		cases = append(cases, [2]worktime.Date{lo, lo.AddDays(1 + rng.Intn(3650))})
	}
	for _, c := range cases {
		checkCover(t, c[0], c[1])
	}
	// Stocks of a recent day: all time minus the few buckets since; of an
	// old day: the buckets before it.
	span := dataSpan{firstYear: "2019", lastMonth: "2026-04"}
	if rs := stockBefore(worktime.Date{Year: 2026, Month: 3, Day: 1}, span, stocksAuto, nil); rs[0].Grain != grainAll {
		t.Errorf("stocks at 2026-03-01: %v", rs)
	}
	if rs := stockBefore(worktime.Date{Year: 2019, Month: 3, Day: 1}, span, stocksAuto, nil); rs[0].Grain == grainAll {
		t.Errorf("stocks at 2019-03-01: %v", rs)
	}
	if rs := before(worktime.Date{Year: 2026, Month: 3, Day: 9}); !reflect.DeepEqual(rs, []bucketRange{
		{grainYear, "0001", "2026"}, {grainMonth, "2026-01", "2026-03"}, {grainDay, "2026-03-01", "2026-03-09"}}) {
		t.Errorf("before 2026-03-09: %v", rs)
	}
	if rs := before(worktime.Date{Year: 2026, Month: 3, Day: 25}); !reflect.DeepEqual(rs, []bucketRange{
		{grainYear, "0001", "2026"}, {grainMonth, "2026-01", "2026-03"}, {grainDekad, "2026-03-1", "2026-03-3"},
		{grainDay, "2026-03-21", "2026-03-25"}}) {
		t.Errorf("before 2026-03-25: %v", rs)
	}
}

// A month from the 15th (MOTCUA_REPORT_CUTOFF_DAY=15), 15 Sep – 14 Oct,
// reads days 15–20 Sep, dekad Sep-3, dekad Oct-1 and days 11–14 Oct: 12
// rollup rows a key for its flows, 10 of them day rows, where days alone
// would read 30; its stocks a few more (the end's are the start's plus the
// flows).
func TestCutoffMonthReadsDekads(t *testing.T) {
	ctx := context.Background()
	loc := worktime.DefaultLocation()
	p := stats.MonthPeriod(2026, time.October, 15, loc)
	var got []string
	for _, r := range cover(p.From, p.To.AddDays(1)) {
		for _, b := range bucketsIn(t, r) {
			got = append(got, string(r.Grain)+":"+b)
		}
	}
	want := []string{"d:2026-09-15", "d:2026-09-16", "d:2026-09-17", "d:2026-09-18", "d:2026-09-19", "d:2026-09-20",
		"k:2026-09-3", "k:2026-10-1", "d:2026-10-11", "d:2026-10-12", "d:2026-10-13", "d:2026-10-14"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("buckets of %v..%v:\n got %v\nwant %v", p.From, p.To, got, want)
	}

	// The rows a report reads: one key with events every day from June to
	// December, summed atom by atom as sumRollups reads them.
	db := OpenTest(t)
	d := rollupDelta{}
	for day := (worktime.Date{Year: 2026, Month: 6, Day: 1}); day.Before(worktime.Date{Year: 2027, Month: 1, Day: 1}); day = day.AddDays(1) {
		recv := time.Date(day.Year, day.Month, day.Day, 9, 0, 0, 0, loc).UTC()
		due, res := recv.Add(50*time.Hour), recv.Add(30*time.Hour)
		d.add(dossierFacts{UnitCode: "C", AgencyCode: "J", HolderUnit: "J", ProcedureCode: "pJ1", Channel: "direct",
			ReceivedAt: &recv, DueAt: &due, ResolvedAt: &res}, 1, loc)
	}
	if err := db.Transaction(func(tx *gorm.DB) error { return d.apply(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	st := NewStatsStore(db)
	span, err := st.span(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q := queryOf(p, nil)
	for _, mode := range []stockMode{stocksPrefix, stocksSuffix, stocksAuto} {
		plan := form06Plan(q, span, mode)
		rows := map[byte]int64{}
		var flows int64
		for i, a := range plan.atoms {
			var n int64
			if err := db.Raw("SELECT COUNT(*) FROM "+rollupTableOf(a.Grain)+" WHERE grain = ? AND bucket >= ? AND bucket < ?",
				string(a.Grain), a.From, a.To).Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			rows[a.Grain] += n
			if plan.coef[roleFlow][i] != 0 {
				flows += n
			}
		}
		t.Logf("stocks %d: rows read by grain %v", mode, map[string]int64{"d": rows[grainDay], "k": rows[grainDekad],
			"m": rows[grainMonth], "y": rows[grainYear], "a": rows[grainAll]})
		if flows != 12 {
			t.Errorf("stocks %d: the flows read %d rows, want 12", mode, flows)
		}
		// The stocks at the start: from the suffix side (all time minus the
		// buckets from 15 Sep on) they read no day row the flows do not;
		// from the prefix side (the buckets before 15 Sep) days 11–14 Sep.
		wantDays := map[stockMode]int64{stocksPrefix: 14, stocksSuffix: 10, stocksAuto: 10}[mode]
		if rows[grainDay] != wantDays {
			t.Errorf("stocks %d: %d day rows read, want %d", mode, rows[grainDay], wantDays)
		}
		if total := rows[grainDay] + rows[grainDekad] + rows[grainMonth] + rows[grainYear] + rows[grainAll]; mode == stocksAuto && total > 17 {
			t.Errorf("stocks %d: %d rows read in all, want at most 17", mode, total)
		}
	}
}

// ---- the property: rollups answer what the full scan answers

// rollupWorld is a province: P → C (centre), J and K (departments), D
// (district) → X, Y (communes), with procedures of every kind of clock.
type rollupWorld struct {
	db    *gorm.DB
	cat   *catalog.Service
	tree  *catalog.Tree
	loc   *time.Location
	procs []catalog.Procedure
	// step, when set, runs after every registration and action of a
	// history, at the history's clock (files and payments, ADR 0006).
	step func(h *historyMaker, code string)
}

var rollupDesks = []string{"C", "C", "C", "D", "X", "Y", "J"}

func newRollupWorld(t *testing.T) *rollupWorld {
	t.Helper()
	ctx := context.Background()
	db := OpenTest(t)
	w := &rollupWorld{db: db, loc: worktime.DefaultLocation()}
	w.cat = catalog.NewService(NewCatalogStore(db), w.loc, time.Now)
	sys := user.Principal{Username: "system", Role: user.RoleAdmin}
	for _, a := range []catalog.Agency{
		{Code: "P", Name: "Tỉnh", Kind: catalog.KindProvince},
		{Code: "C", Name: "Trung tâm", Kind: catalog.KindServiceCenter, ParentCode: "P"},
		{Code: "J", Name: "Sở Tư pháp", Kind: catalog.KindDepartment, ParentCode: "P"},
		{Code: "K", Name: "Sở Tài nguyên", Kind: catalog.KindDepartment, ParentCode: "P"},
		{Code: "D", Name: "Huyện", Kind: catalog.KindDistrict, ParentCode: "P"},
		{Code: "X", Name: "Xã X", Kind: catalog.KindCommune, ParentCode: "D"},
		{Code: "Y", Name: "Xã Y", Kind: catalog.KindCommune, ParentCode: "D"},
	} {
		if _, err := w.cat.CreateAgency(ctx, sys, a); err != nil {
			t.Fatal(err)
		}
	}
	proc := func(code, agency, field string, level catalog.Level, v int, u worktime.Unit, ol catalog.OnlineLevel, onSpot bool) catalog.Procedure {
		return catalog.Procedure{Code: code, Name: "Thủ tục " + code, Field: field, AgencyCode: agency, Level: level,
			ProcessingTime: worktime.Duration{Value: v, Unit: u}, OnlineLevel: ol, OnSpotEligible: onSpot, Status: catalog.StatusActive}
	}
	w.procs = []catalog.Procedure{
		proc("pJ1", "J", "Hộ tịch", catalog.LevelProvince, 3, worktime.WorkingDays, catalog.OnlineFull, true),
		proc("pJ2", "J", "Chứng thực", catalog.LevelProvince, 4, worktime.WorkingHours, catalog.OnlinePartial, true),
		proc("pK", "K", "Đất đai", catalog.LevelProvince, 10, worktime.CalendarDays, catalog.OnlineFull, false),
		proc("pD", "D", "Đất đai", catalog.LevelDistrict, 5, worktime.WorkingDays, catalog.OnlinePartial, false),
		proc("pX", "X", "Hộ tịch", catalog.LevelCommune, 1, worktime.WorkingDays, catalog.OnlineInfo, false),
		proc("pY", "Y", "Chứng thực", catalog.LevelCommune, 8, worktime.WorkingHours, catalog.OnlineInfo, false),
	}
	for _, p := range w.procs {
		if _, err := w.cat.CreateProcedure(ctx, sys, p); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := w.cat.Tree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.tree = tree
	return w
}

// historyMaker drives one dossier service with its own clock, as a
// counter and a back office would, through every path of the machine.
type historyMaker struct {
	t   *testing.T
	w   *rollupWorld
	rng *rand.Rand
	svc *dossier.Service
	mu  sync.Mutex
	now time.Time
}

func (w *rollupWorld) maker(t *testing.T, seed int64) *historyMaker {
	h := &historyMaker{t: t, w: w, rng: rand.New(rand.NewSource(seed))}
	clock := func() time.Time {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.now
	}
	h.svc = dossier.NewService(NewDossierStore(w.db, testSealer(t)), w.cat, domain.NewPinHasher([]byte("0123456789abcdef0123456789abcdef")),
		dossier.PolicyPause, clock)
	return h
}

func (h *historyMaker) set(t time.Time) {
	h.mu.Lock()
	h.now = t.Truncate(time.Second)
	h.mu.Unlock()
}

// wait moves the clock on by minutes, hours or days.
func (h *historyMaker) wait() {
	var d time.Duration
	switch h.rng.Intn(4) {
	case 0:
		d = time.Duration(1+h.rng.Intn(180)) * time.Minute
	case 1:
		d = time.Duration(1+h.rng.Intn(48)) * time.Hour
	default:
		d = time.Duration(1+h.rng.Intn(12))*24*time.Hour + time.Duration(h.rng.Intn(1440))*time.Minute
	}
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

var (
	staffClerk   = user.Principal{Username: "clerk", Role: user.RoleClerk, Unit: "P"}
	staffOfficer = user.Principal{Username: "officer", Role: user.RoleOfficer, Unit: "P"}
	staffLeader  = user.Principal{Username: "leader", Role: user.RoleLeader, Unit: "P"}
)

func (h *historyMaker) act(code string, by user.Principal, in dossier.ActionInput) dossier.Dossier {
	h.t.Helper()
	d, err := h.svc.Act(context.Background(), by, code, in)
	if err != nil {
		h.t.Fatalf("%s %s: %v", code, in.Action, err)
	}
	if h.w.step != nil {
		h.w.step(h, code)
	}
	return d
}

// one registers a dossier at a random instant of [from, from+span) (any
// hour, so local and UTC days differ) and takes it down a random path.
func (h *historyMaker) one(from time.Time, span time.Duration) {
	ctx := context.Background()
	r := h.rng
	h.set(from.Add(time.Duration(r.Int63n(int64(span)))))
	unit := rollupDesks[r.Intn(len(rollupDesks))]
	p := h.w.procs[r.Intn(len(h.w.procs))]
	in := dossier.NewDossier{ProcedureCode: p.Code, Applicant: dossier.Applicant{Name: "Nguyễn Văn Thử"}}
	switch c := r.Intn(100); {
	case c < 30:
		in.Channel = dossier.Online
	case c < 85:
		in.Channel = dossier.Direct
		in.OnSpot = p.OnSpotEligible && r.Intn(3) == 0
	default:
		in.Channel = dossier.Postal
	}
	reg, err := h.svc.Register(ctx, user.Principal{Username: "clerk", Role: user.RoleClerk, Unit: unit}, in)
	if err != nil {
		h.t.Fatalf("register: %v", err)
	}
	code := reg.Dossier.Code
	if h.w.step != nil {
		h.w.step(h, code)
	}
	if in.Channel == dossier.Online {
		h.wait()
		switch c := r.Intn(100); {
		case c < 10:
			h.act(code, staffClerk, dossier.ActionInput{Action: dossier.ActReject, Reason: "thiếu"})
			return
		case c < 15:
			h.act(code, staffClerk, dossier.ActionInput{Action: dossier.ActWithdraw, Reason: "rút"})
			return
		case c < 20:
			return // still submitted
		}
		h.act(code, staffClerk, dossier.ActionInput{Action: dossier.ActAccept})
	}
	if in.OnSpot && r.Intn(10) < 7 {
		h.set(h.now.Add(time.Duration(r.Intn(90)) * time.Minute))
		h.act(code, staffLeader, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Approved})
		h.maybeReturn(code)
		return
	}
	status := dossier.Received
	if r.Intn(10) == 0 { // a supplement asked at the counter
		h.wait()
		h.act(code, staffClerk, dossier.ActionInput{Action: dossier.ActRequestSupplement, Reason: "bổ sung", Items: []string{"Giấy tờ"}})
		if h.ends(code, dossier.SupplementRequested) {
			return
		}
		h.wait()
		h.act(code, staffClerk, dossier.ActionInput{Action: dossier.ActSupplement})
		status = dossier.Processing
	}
	if h.ends(code, status) {
		return
	}
	if status == dossier.Received {
		h.wait()
		h.act(code, staffOfficer, dossier.ActionInput{Action: dossier.ActStart, Assignee: "officer"})
	}
	for steps := r.Intn(4); steps > 0; steps-- {
		h.wait()
		switch r.Intn(4) {
		case 0: // hand over to another unit
			to := []string{"C", "J", "K", "D", "X", "Y"}[r.Intn(6)]
			d, err := h.svc.Get(ctx, staffOfficer, code)
			if err != nil {
				h.t.Fatal(err)
			}
			if to != d.HolderUnit {
				h.act(code, staffOfficer, dossier.ActionInput{Action: dossier.ActTransfer, ToUnit: to, Assignee: "officer2"})
			}
		case 1: // supplement: the due time moves
			h.act(code, staffOfficer, dossier.ActionInput{Action: dossier.ActRequestSupplement, Reason: "bổ sung"})
			if h.ends(code, dossier.SupplementRequested) {
				return
			}
			h.wait()
			h.act(code, staffClerk, dossier.ActionInput{Action: dossier.ActSupplement})
		case 2: // fees
			amount := int64(50000)
			h.act(code, staffOfficer, dossier.ActionInput{Action: dossier.ActRequestPayment, Amount: &amount})
			if h.ends(code, dossier.AwaitingPayment) {
				return
			}
			h.wait()
			h.act(code, staffClerk, dossier.ActionInput{Action: dossier.ActConfirmPayment})
		default: // an apology with a new appointment (Mẫu 04)
			d, err := h.svc.Get(ctx, staffOfficer, code)
			if err != nil {
				h.t.Fatal(err)
			}
			next := h.now
			if d.AppointmentAt != nil && d.AppointmentAt.After(next) {
				next = *d.AppointmentAt
			}
			h.act(code, staffLeader, dossier.ActionInput{Action: dossier.ActReschedule, Reason: "xin lỗi",
				NewDueAt: next.Add(26 * time.Hour).In(h.w.loc).Format(time.RFC3339)})
		}
	}
	if h.ends(code, dossier.Processing) {
		return
	}
	h.wait()
	if r.Intn(8) == 0 {
		h.act(code, staffLeader, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Denied, Reason: "không đủ điều kiện"})
	} else {
		h.act(code, staffLeader, dossier.ActionInput{Action: dossier.ActResolve, Outcome: dossier.Approved})
	}
	h.maybeReturn(code)
}

// ends may end the dossier in status: left open, withdrawn or stopped.
func (h *historyMaker) ends(code string, status dossier.Status) bool {
	switch c := h.rng.Intn(100); {
	case c < 8:
		return true // still in progress
	case c < 12:
		h.wait()
		h.act(code, staffClerk, dossier.ActionInput{Action: dossier.ActWithdraw, Reason: "rút"})
		return true
	case c < 16:
		h.wait()
		h.act(code, staffLeader, dossier.ActionInput{Action: dossier.ActStop, Reason: "dừng"})
		return true
	}
	return false
}

func (h *historyMaker) maybeReturn(code string) {
	if h.rng.Intn(10) < 7 {
		h.wait()
		h.act(code, staffClerk, dossier.ActionInput{Action: dossier.ActReturn})
	}
}

// makeHistories runs workers in parallel, each making n dossiers received
// from 2025-10-20 over 140 days (across a year end).
func (w *rollupWorld) makeHistories(t *testing.T, workers, n int, seed int64) {
	t.Helper()
	from := time.Date(2025, 10, 20, 0, 0, 0, 0, w.loc)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		h := w.maker(t, seed+int64(i))
		go func() {
			defer wg.Done()
			for j := 0; j < n && !t.Failed(); j++ {
				h.one(from, 140*24*time.Hour)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

// randomPeriod is a month (calendar, from the 15th or from a random cut-off
// day 2–28), a period starting and ending at random offsets inside months
// (from the same month to four months on), a few days, weeks or months, or
// a whole year, around the histories.
func randomPeriod(rng *rand.Rand, loc *time.Location) stats.Period {
	switch rng.Intn(8) {
	case 0:
		return stats.MonthPeriod(2025+rng.Intn(2), time.Month(1+rng.Intn(12)), 0, loc)
	case 1:
		return stats.MonthPeriod(2025+rng.Intn(2), time.Month(1+rng.Intn(12)), 15, loc)
	case 2:
		return stats.NewPeriod(worktime.Date{Year: 2025, Month: 1, Day: 1}, worktime.Date{Year: 2025, Month: 12, Day: 31}, loc)
	case 3, 4:
		return stats.MonthPeriod(2025+rng.Intn(2), time.Month(1+rng.Intn(12)), 2+rng.Intn(27), loc)
	case 5, 6:
		m := worktime.Date{Year: 2025, Month: time.September + time.Month(rng.Intn(7)), Day: 1}.AddDays(0)
		offset := func(m worktime.Date) worktime.Date { return m.AddDays(rng.Intn(nextMonth(m).AddDays(-1).Day)) }
		from := offset(m)
		to := offset(firstOfMonth(m.AddDays(31 * rng.Intn(5))))
		if to.Before(from) {
			from, to = to, from
		}
		return stats.NewPeriod(from, to, loc)
	}
	from := worktime.Date{Year: 2025, Month: 10, Day: 1}.AddDays(rng.Intn(190))
	return stats.NewPeriod(from, from.AddDays([]int{0, 1, 6, 13, 30, 45, 95, 200}[rng.Intn(8)]), loc)
}

func queryOf(p stats.Period, units []string) stats.Query {
	return stats.Query{Start: p.Start.UTC(), End: p.End.UTC(), From: p.From, To: p.To, Units: units}
}

func sortedRows(rows []stats.Row) []stats.Row {
	sort.Slice(rows, func(i, j int) bool { return rows[i].Group < rows[j].Group })
	return rows
}

// TestRollupsAnswerLikeTheFullScan is the property of ADR 0004: after
// random histories written by the dossier service, for random periods and
// scopes and every grouping, the rollup answer equals the full scan's row
// by row, and the online figures too.
func TestRollupsAnswerLikeTheFullScan(t *testing.T) {
	if testing.Short() {
		t.Skip("a slow property test: make test runs it")
	}
	ctx := context.Background()
	w := newRollupWorld(t)
	workers, each := 4, 500
	if testing.Short() {
		each = 150
	}
	w.makeHistories(t, workers, each, 1)
	st := NewStatsStore(w.db)
	checkRollupsEqualScan(t, w, st, 50, 7)

	// Maintained by every change, the rollups are what a rebuild from the
	// dossiers gives (zero rows aside).
	before := rollupRows(t, w.db)
	if err := RebuildRollups(ctx, w.db, w.loc); err != nil {
		t.Fatal(err)
	}
	if after := rollupRows(t, w.db); !reflect.DeepEqual(before, after) {
		t.Errorf("incremental rollups differ from a rebuild: %d rows vs %d", len(before), len(after))
	}
}

// checkRollupsEqualScan compares the rollup and full-scan answers for n
// random periods, the province and a random scope each, every grouping.
func checkRollupsEqualScan(t *testing.T, w *rollupWorld, st *StatsStore, n int, seed int64) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewSource(seed))
	scopes := [][]string{nil, {"C"}, {"X"}, w.tree.Subtree("J"), w.tree.Subtree("D"), {"K"}, {"Y", "J"}}
	var seen stats.Counts
	for i := 0; i < n; i++ {
		p := randomPeriod(rng, w.loc)
		for _, units := range [][]string{nil, scopes[1+rng.Intn(len(scopes)-1)]} {
			q := queryOf(p, units)
			if ok, err := st.useRollups(ctx, q); err != nil || !ok {
				t.Fatalf("%v..%v: the rollups must answer (%v)", p.From, p.To, err)
			}
			for _, by := range stats.GroupBys {
				want, err := st.Form06FullScan(ctx, q, by)
				if err != nil {
					t.Fatal(err)
				}
				want = sortedRows(want)
				// Stocks summed before the day, after it, and the cheaper.
				var got []stats.Row
				for _, mode := range []stockMode{stocksPrefix, stocksSuffix, stocksAuto} {
					st.stocks = mode
					got, err = st.Form06(ctx, q, by)
					if err != nil {
						t.Fatal(err)
					}
					if got = sortedRows(got); !reflect.DeepEqual(got, want) {
						t.Fatalf("%v..%v scope %v by %s, stocks %d:\nrollups   %+v\nfull scan %+v", p.From, p.To, units, by, mode, got, want)
					}
				}
				for _, r := range got {
					if err := r.Check(); err != nil {
						t.Errorf("%v..%v %s %q: %v", p.From, p.To, by, r.Group, err)
					}
					if by == stats.ByUnit && units == nil {
						seen.Add(r.Counts)
					}
				}
			}
			gotOnline, err := st.Online(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			wantOnline, err := st.OnlineFullScan(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			// The store's level order is the database's; the service orders them.
			for _, c := range []stats.OnlineCounts{gotOnline, wantOnline} {
				sort.Slice(c.Levels, func(i, j int) bool { return c.Levels[i].Level < c.Levels[j].Level })
			}
			if !reflect.DeepEqual(gotOnline, wantOnline) {
				t.Fatalf("%v..%v scope %v online:\nrollups   %+v\nfull scan %+v", p.From, p.To, units, gotOnline, wantOnline)
			}
		}
	}
	// The histories reached every figure, so equality means something.
	for name, v := range map[string]int64{"carried over": seen.CarriedOver, "online": seen.ReceivedOnline,
		"direct": seen.ReceivedDirectPostal, "early": seen.ResolvedEarly, "on time": seen.ResolvedOnTime,
		"late": seen.ResolvedLate, "within": seen.InProgressWithin, "overdue": seen.InProgressOverdue,
		"withdrawn": seen.Withdrawn, "stopped": seen.Stopped, "rejected": seen.Rejected, "on spot": seen.OnSpotResolved} {
		if v == 0 {
			t.Errorf("no period saw any %s dossier: the histories are too narrow", name)
		}
	}
}

// rollupRows returns the non-zero rows of both rollup tables as text, sorted.
func rollupRows(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	out, err := RollupSnapshot(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A database rolled up before the dekad grain (no 'k' rows) answers a
// period with cut-off days wrongly; migration 00008 derives the dekad rows
// from its day rows, after which the rollups are what the stores keep and
// answer like the full scan again.
func TestDekadMigrationDerivesFromDays(t *testing.T) {
	if testing.Short() {
		t.Skip("a slow property test: make test runs it")
	}
	ctx := context.Background()
	w := newRollupWorld(t)
	w.makeHistories(t, 2, 150, 31)
	// Such a database had none of the digitisation counters of 00016
	// either (the fees the histories ask set some of them).
	for _, table := range []string{rollupsDaily, rollupsCoarse} {
		set := make([]string, 0, rcCount-rcWithFiles)
		for _, c := range rollupColumns[rcWithFiles:] {
			set = append(set, c+" = 0")
		}
		if err := w.db.Exec("UPDATE " + table + " SET " + strings.Join(set, ", ")).Error; err != nil {
			t.Fatal(err)
		}
	}
	kept := rollupRows(t, w.db)
	var dekads int64
	if err := w.db.Raw("SELECT COUNT(*) FROM dossier_rollups WHERE grain = 'k'").Scan(&dekads).Error; err != nil || dekads == 0 {
		t.Fatalf("the stores wrote %d dekad rows (%v)", dekads, err)
	}
	if err := w.db.Exec("DELETE FROM dossier_rollups WHERE grain = 'k'").Error; err != nil {
		t.Fatal(err)
	}
	st := NewStatsStore(w.db)
	q := queryOf(stats.MonthPeriod(2026, time.January, 15, w.loc), nil)
	got, err := st.Form06(ctx, q, stats.ByUnit)
	if err != nil {
		t.Fatal(err)
	}
	want, err := st.Form06FullScan(ctx, q, stats.ByUnit)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(sortedRows(got), sortedRows(want)) {
		t.Fatal("without dekad rows a month from the 15th must read them (the migration would prove nothing)")
	}

	list, err := migrations(Dialect(w.db))
	if err != nil {
		t.Fatal(err)
	}
	var m *migration
	for i := range list {
		if list[i].Version == 8 {
			m = &list[i]
		}
	}
	if m == nil {
		t.Fatal("no migration 00008")
	}
	sqlDB, err := w.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlDB.ExecContext(ctx, m.SQL); err != nil {
		t.Fatalf("%s: %v", m.Name, err)
	}
	if derived := rollupRows(t, w.db); !reflect.DeepEqual(derived, kept) {
		t.Errorf("rollups after %s differ from those the stores kept: %d rows vs %d", m.Name, len(derived), len(kept))
	}
	checkRollupsEqualScan(t, w, st, 25, 17)
}

// A period that does not start at a midnight of the rollups' zone, or
// rollups not built yet, are answered by the full scan.
func TestForm06FallsBackToTheScan(t *testing.T) {
	ctx := context.Background()
	w := newRollupWorld(t)
	w.makeHistories(t, 1, 60, 3)
	st := NewStatsStore(w.db)
	p := stats.NewPeriod(worktime.Date{Year: 2025, Month: 11, Day: 1}, worktime.Date{Year: 2025, Month: 12, Day: 31}, time.UTC)
	q := queryOf(p, nil)
	if ok, _ := st.useRollups(ctx, q); ok {
		t.Fatal("a UTC period must not be read from rollups bucketed in Asia/Ho_Chi_Minh")
	}
	got, err := st.Form06(ctx, q, stats.ByUnit)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := st.Form06FullScan(ctx, q, stats.ByUnit)
	if !reflect.DeepEqual(sortedRows(got), sortedRows(want)) || len(want) == 0 {
		t.Errorf("UTC period: %+v, want %+v", got, want)
	}
	if err := w.db.Exec("DELETE FROM settings WHERE key = ?", rollupsZoneKey).Error; err != nil {
		t.Fatal(err)
	}
	q = queryOf(stats.NewPeriod(p.From, p.To, w.loc), nil)
	if ok, _ := st.useRollups(ctx, q); ok {
		t.Fatal("rollups not built must not answer")
	}
	// BackfillRollups builds them once and records the zone.
	if built, err := BackfillRollups(ctx, w.db, w.loc); err != nil || !built {
		t.Fatalf("backfill: %v %v", built, err)
	}
	if built, err := BackfillRollups(ctx, w.db, w.loc); err != nil || built {
		t.Fatalf("second backfill: %v %v", built, err)
	}
	if ok, _ := st.useRollups(ctx, q); !ok {
		t.Fatal("built rollups must answer")
	}
}

// In another zone, the rollups are rebuilt with that zone's days and
// answer its periods like the scan.
func TestRollupsFollowTheZone(t *testing.T) {
	if testing.Short() {
		t.Skip("a slow property test: make test runs it")
	}
	ctx := context.Background()
	w := newRollupWorld(t)
	w.makeHistories(t, 2, 120, 11)
	w.loc = time.UTC
	if built, err := BackfillRollups(ctx, w.db, time.UTC); err != nil || !built {
		t.Fatalf("backfill in UTC: %v %v", built, err)
	}
	checkRollupsEqualScanIn(t, w)
}

func checkRollupsEqualScanIn(t *testing.T, w *rollupWorld) {
	t.Helper()
	ctx := context.Background()
	st := NewStatsStore(w.db)
	rng := rand.New(rand.NewSource(5))
	for i := 0; i < 15; i++ {
		q := queryOf(randomPeriod(rng, w.loc), nil)
		if ok, err := st.useRollups(ctx, q); err != nil || !ok {
			t.Fatalf("the rollups must answer (%v)", err)
		}
		for _, by := range stats.GroupBys {
			got, err := st.Form06(ctx, q, by)
			if err != nil {
				t.Fatal(err)
			}
			want, err := st.Form06FullScan(ctx, q, by)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(sortedRows(got), sortedRows(want)) {
				t.Fatalf("%v..%v by %s:\nrollups   %+v\nfull scan %+v", q.From, q.To, by, got, want)
			}
		}
	}
}

// importLines makes n NDJSON dossier lines of every status, at any hour of
// [from, from+span), some with a handling agency other than the
// procedure's and some with their due time given.
func importLines(rng *rand.Rand, w *rollupWorld, n int, from time.Time, span time.Duration) string {
	var b strings.Builder
	ts := func(t time.Time) string { return t.In(w.loc).Format(time.RFC3339) }
	after := func(t time.Time, max time.Duration) time.Time {
		return t.Add(time.Duration(rng.Int63n(int64(max))) + time.Minute).Truncate(time.Second)
	}
	for i := 0; i < n; i++ {
		p := w.procs[rng.Intn(len(w.procs))]
		line := map[string]any{"code": fmt.Sprintf("NK-%05d", i), "procedure_code": p.Code,
			"unit_code": rollupDesks[rng.Intn(len(rollupDesks))], "applicant": map[string]any{"name": "Trần Thị Nhập"}}
		if rng.Intn(5) == 0 {
			line["agency_code"] = []string{"J", "K", "D"}[rng.Intn(3)]
		}
		channel := []string{"online", "direct", "direct", "postal"}[rng.Intn(4)]
		line["channel"] = channel
		submitted := from.Add(time.Duration(rng.Int63n(int64(span)))).Truncate(time.Second)
		if channel == "online" {
			line["submitted_at"] = ts(submitted)
			switch rng.Intn(8) {
			case 0:
				line["status"] = "submitted"
				b.WriteString(mustJSON(line) + "\n")
				continue
			case 1:
				line["status"], line["rejected_at"] = "rejected", ts(after(submitted, 48*time.Hour))
				b.WriteString(mustJSON(line) + "\n")
				continue
			case 2:
				line["status"], line["withdrawn_at"] = "withdrawn", ts(after(submitted, 48*time.Hour))
				b.WriteString(mustJSON(line) + "\n")
				continue
			}
		}
		received := submitted
		if channel == "online" {
			received = after(submitted, 30*time.Hour)
		}
		line["received_at"] = ts(received)
		if channel == "direct" && p.OnSpotEligible && rng.Intn(3) == 0 {
			line["on_spot"] = true
		}
		if rng.Intn(2) == 0 {
			line["due_at"] = ts(after(received, 20*24*time.Hour))
		}
		switch c := rng.Intn(10); {
		case c < 2:
			line["status"] = []string{"received", "processing", "supplement_requested", "awaiting_payment"}[rng.Intn(4)]
		case c < 3:
			line["status"], line["withdrawn_at"] = "withdrawn", ts(after(received, 15*24*time.Hour))
		case c < 4:
			line["status"], line["stopped_at"] = "stopped", ts(after(received, 15*24*time.Hour))
		default:
			resolved := after(received, 25*24*time.Hour)
			line["status"], line["resolved_at"], line["outcome"] = "resolved", ts(resolved), "approved"
			if rng.Intn(2) == 0 {
				line["status"], line["returned_at"] = "returned", ts(after(resolved, 72*time.Hour))
			}
		}
		b.WriteString(mustJSON(line) + "\n")
	}
	return b.String()
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Imports keep the rollups too: a province's history imported next to
// dossiers made by the service answers like the full scan, and importing
// the same file again changes nothing.
func TestImportedHistoriesRollUp(t *testing.T) {
	if testing.Short() {
		t.Skip("a slow property test: make test runs it")
	}
	ctx := context.Background()
	w := newRollupWorld(t)
	w.makeHistories(t, 2, 60, 21)
	svc := importer.NewService(NewImportStore(w.db, testSealer(t)), w.cat, func(string) string { return "" }, time.Now)
	admin := user.Principal{Username: "admin", Role: user.RoleAdmin}
	n := 2500
	if testing.Short() {
		n = 600
	}
	file := importLines(rand.New(rand.NewSource(8)), w, n, time.Date(2025, 10, 20, 0, 0, 0, 0, w.loc), 140*24*time.Hour)
	r, err := svc.Import(ctx, admin, importer.Dossiers, strings.NewReader(file), nil)
	if err != nil || r.Imported != int64(n) || r.ErrorLines > 0 {
		t.Fatalf("import: %v %+v", err, r)
	}
	checkRollupsEqualScan(t, w, NewStatsStore(w.db), 40, 9)
	once := rollupRows(t, w.db)
	if r, err := svc.Import(ctx, admin, importer.Dossiers, strings.NewReader(file), nil); err != nil || r.Imported != 0 || r.SkippedDuplicates != int64(n) {
		t.Fatalf("second import: %v %+v", err, r)
	}
	if again := rollupRows(t, w.db); !reflect.DeepEqual(once, again) {
		t.Error("importing the same file again changed the rollups")
	}
	if err := RebuildRollups(ctx, w.db, w.loc); err != nil {
		t.Fatal(err)
	}
	if rebuilt := rollupRows(t, w.db); !reflect.DeepEqual(once, rebuilt) {
		t.Errorf("rollups after the import differ from a rebuild: %d rows vs %d", len(once), len(rebuilt))
	}
}
