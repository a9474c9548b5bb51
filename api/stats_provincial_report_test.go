package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/worktime"
)

// TestStatsLaiChau2021 rebuilds the figures the Lai Châu 2021 report
// (shared/seed) cites from a generated province-year with the same raw
// counts, and checks them through the API to the hundredth of a percent:
//
//   - the provincial centre: 9,799 resolved, 9,796 early or on time → 99.97 %;
//     5,009 of them on the spot → 51.12 % ("51 %");
//   - the whole province: more than 99 % early or on time;
//   - online level 3: 4,957 / 53,350 = 9.29 %; level 4: 14,173 / 28,279 = 50.12 %
//     (the report prints 50,11 %, truncating; half-up is 50.12);
//   - national portal integration 764 / 1,071 = 71.34 % (the report's "71,3 %");
//   - 1,062 publications = 675 new + 203 amended + 184 abolished;
//   - 8 feedback items, 4 by hotline and 4 through the PAKN system, all answered.
func TestStatsLaiChau2021(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the full 2021 province: run without -short")
	}
	started := time.Now()
	s := statsServer(t, nil)
	db := s.App.DB

	// ---- the catalogue: 2,025 active services, 954 info + 434 partial + 637 full, 764 of the 1,071 integrated.
	target := map[catalog.OnlineLevel]int{catalog.OnlineInfo: 954, catalog.OnlinePartial: 434, catalog.OnlineFull: 637}
	integratedTarget := 764
	for _, p := range worldProcedures {
		if p.Status == catalog.StatusActive {
			target[p.OnlineLevel]--
			if p.OnlineLevel != catalog.OnlineInfo && p.NationalPortalIntegrated {
				integratedTarget--
			}
		}
	}
	var procs []map[string]any
	created := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, level := range []catalog.OnlineLevel{catalog.OnlineInfo, catalog.OnlinePartial, catalog.OnlineFull} {
		for i := 0; i < target[level]; i++ {
			integrated := level != catalog.OnlineInfo && integratedTarget > 0
			if integrated {
				integratedTarget--
			}
			procs = append(procs, map[string]any{
				"code": fmt.Sprintf("9.%s.%04d", level, i), "name": "Thủ tục " + string(level), "field": "Khác",
				"agency_code": []string{justiceCode, planningCode, districtCode, communeACode}[i%4], "level": "province",
				"processing_value": 5, "processing_unit": "working_days", "fee": 0, "online_level": string(level),
				"on_spot_eligible": false, "national_portal_integrated": integrated, "status": "active",
				"created_at": created, "updated_at": created,
			})
		}
	}
	if integratedTarget != 0 {
		t.Fatalf("cannot reach 764 integrated services: %d left", integratedTarget)
	}
	if err := db.Table("procedures").CreateInBatches(procs, 500).Error; err != nil {
		t.Fatal(err)
	}

	// ---- 1,062 publications in 2021, and two outside it.
	var pubs []genPublication
	jan1 := worktime.Date{Year: 2021, Month: 1, Day: 1}
	for kind, n := range map[string]int{"new": 675, "amended": 203, "abolished": 184} {
		for i := 0; i < n; i++ {
			pubs = append(pubs, genPublication{proc: procs[i%len(procs)]["code"].(string), kind: kind, on: jan1.AddDays(i % 365)})
		}
	}
	pubs = append(pubs, genPublication{proc: "1.001", kind: "new", on: worktime.Date{Year: 2020, Month: 12, Day: 31}},
		genPublication{proc: "1.001", kind: "abolished", on: worktime.Date{Year: 2022, Month: 1, Day: 1}})
	insertPublications(t, db, pubs)

	// ---- the dossiers of 2021.
	var ds []genDossier
	seq := 0
	add := func(proc, unit, channel string, onSpot bool, timeliness string, open bool) {
		p := worldProcedure(proc)
		seq++
		day := seq % 340
		rec := time.Date(2021, 1, 4, 8+seq%8, seq%60, 0, 0, apptest.Loc).AddDate(0, 0, day)
		d := genDossier{code: fmt.Sprintf("LC-%06d", seq), proc: proc, unit: unit, agency: p.AgencyCode, holder: p.AgencyCode,
			channel: channel, onSpot: onSpot, submitted: rec, received: secondPtr(rec), procOnline: string(p.OnlineLevel)}
		if open { // still in progress at the year's end, not yet due
			d.received = secondPtr(time.Date(2021, 12, 28, 9, 0, 0, 0, apptest.Loc))
			d.submitted = *d.received
			d.due = secondPtr(time.Date(2022, 1, 10, 9, 0, 0, 0, apptest.Loc))
		} else {
			d.due = secondPtr(rec.Add(5 * 24 * time.Hour))
			d.resolved = secondPtr(rec.Add(2 * time.Hour))
			d.timeliness = timeliness
		}
		ds = append(ds, d)
	}
	// many adds n dossiers: the first early of them early, the next late late, the rest on time.
	many := func(n int, proc, unit, channel string, onSpot int, early, late int) {
		for i := 0; i < n; i++ {
			tl := "on_time"
			switch {
			case i < early:
				tl = "early"
			case i < early+late:
				tl = "late"
			}
			add(proc, unit, channel, i < onSpot, tl, false)
		}
	}
	// The centre: level 4 (1.003) 5,000 = 2,000 online + 3,000 direct (710 on the spot);
	// level 3 (1.002) 4,799 = 500 online + 4,299 direct, all on the spot; 3 late of 9,799.
	many(2000, "1.003", centerCode, "online", 0, 1200, 0)
	many(3000, "1.003", centerCode, "direct", 710, 1800, 1)
	many(500, "1.002", centerCode, "online", 0, 300, 0)
	many(4299, "1.002", centerCode, "direct", 4299, 2700, 2)
	// Elsewhere: level 4 (1.005, commune) 23,279 = 12,173 online; level 3 (1.004, district) 48,551 = 4,457 online;
	// 300 late, and 1,830 still in progress at the year's end.
	many(12173, "1.005", communeACode, "online", 0, 6000, 100)
	many(11106-600, "1.005", communeACode, "direct", 0, 5000, 50)
	for i := 0; i < 600; i++ {
		add("1.005", communeACode, "direct", false, "", true)
	}
	many(4457, "1.004", districtCode, "online", 0, 2000, 50)
	many(44094-1230, "1.004", districtCode, "postal", 0, 20000, 100)
	for i := 0; i < 1230; i++ {
		add("1.004", districtCode, "direct", false, "", true)
	}
	if len(ds) != 81629 {
		t.Fatalf("generated %d dossiers, want 53,350 + 28,279 = 81,629", len(ds))
	}
	insertDossiers(t, db, ds)

	// ---- 8 feedback items of 2021 (4 hotline, 4 online), all answered on time; others outside 2021.
	var fs []genFeedback
	for i := 0; i < 11; i++ {
		rec := time.Date(2021, time.Month(1+i), 10, 9, 0, 0, 0, apptest.Loc)
		channel := []string{"hotline", "online"}[i%2]
		switch i {
		case 8:
			rec = time.Date(2020, 12, 20, 9, 0, 0, 0, apptest.Loc) // answered 25 December 2020
		case 9:
			rec, channel = time.Date(2022, 1, 3, 9, 0, 0, 0, apptest.Loc), "mail"
		case 10:
			rec = time.Date(2020, 11, 2, 9, 0, 0, 0, apptest.Loc)
		}
		f := genFeedback{code: fmt.Sprintf("LC-PAKN-%02d", i), channel: channel, category: "regulation", status: "answered",
			agency: justiceCode, received: rec, due: rec.Add(21 * 24 * time.Hour), refuseDue: rec.Add(3 * 24 * time.Hour),
			answered: secondPtr(rec.Add(5 * 24 * time.Hour))}
		fs = append(fs, f)
	}
	insertFeedback(t, db, fs)
	t.Logf("generated and stored %d dossiers in %v", len(ds), time.Since(started).Round(time.Millisecond))

	tok := s.Token("viewer")
	year := "from=2021-01-01&to=2021-12-31"

	// The centre: 99.97 % on time, 51.12 % on the spot.
	centre := getForm06(t, s, tok, year+"&group_by=unit&unit_code="+centerCode)
	wantExactRate(t, "centre on time", centre.Total.OnTimeRate, 99.97, 9796, 9799)
	wantExactRate(t, "centre on the spot", centre.Total.OnSpotRate, 51.12, 5009, 9799)
	if centre.Total.ResolvedLate != 3 || centre.Total.ResolvedTotal != 9799 || len(centre.Rows) != 1 || centre.Rows[0].Group != centerCode {
		t.Errorf("centre %+v", centre.Total)
	}

	// The province: more than 99 % early or on time; the centre's row matches the centre's own report.
	prov := getForm06(t, s, tok, year+"&group_by=unit")
	wantExactRate(t, "province on time", prov.Total.OnTimeRate, 99.62, 79799-303, 79799)
	if v := prov.Total.OnTimeRate.Value; v == nil || *v <= 99 {
		t.Errorf("province on-time rate %v, the report says above 99 %%", v)
	}
	for _, r := range prov.Rows {
		if r.Group == centerCode && !sameFigures(r.figuresJSON, centre.Total) {
			t.Errorf("the centre's row differs from the centre's report")
		}
	}
	if prov.Total.ReceivedTotal != 81629 || prov.Total.InProgressWithin != 1830 || prov.Total.CarriedOver != 0 {
		t.Errorf("province totals %+v", prov.Total)
	}

	// Online levels and the national portal.
	var online struct {
		Levels []struct {
			OnlineLevel    string   `json:"online_level"`
			Services       int64    `json:"services"`
			Dossiers       int64    `json:"dossiers"`
			DossiersOnline int64    `json:"dossiers_online"`
			OnlineRate     rateJSON `json:"online_rate"`
		} `json:"levels"`
		Integration rateJSON `json:"national_portal_integration"`
	}
	apptest.Want(t, s.Get("/api/v1/stats/online?"+year, tok), 200).Decode(t, &online)
	services := map[string]int64{}
	for _, l := range online.Levels {
		services[l.OnlineLevel] = l.Services
		switch l.OnlineLevel {
		case "partial":
			wantExactRate(t, "level 3 online", l.OnlineRate, 9.29, 4957, 53350)
		case "full":
			wantExactRate(t, "level 4 online", l.OnlineRate, 50.12, 14173, 28279)
		}
	}
	if services["info"] != 954 || services["partial"] != 434 || services["full"] != 637 {
		t.Errorf("services %v, want 954 / 434 / 637 (2,025)", services)
	}
	wantExactRate(t, "national portal integration", online.Integration, 71.34, 764, 1071)

	// Publications.
	var procStats struct {
		Publications      map[string]int64 `json:"publications"`
		PublicationsTotal int64            `json:"publications_total"`
		Active            int64            `json:"active"`
	}
	apptest.Want(t, s.Get("/api/v1/stats/procedures?"+year, tok), 200).Decode(t, &procStats)
	if procStats.PublicationsTotal != 1062 || procStats.Publications["new"] != 675 || procStats.Publications["amended"] != 203 ||
		procStats.Publications["abolished"] != 184 || procStats.Active != 2025 {
		t.Errorf("procedures %+v, want 1,062 = 675 + 203 + 184 and 2,025 active", procStats)
	}

	// Feedback.
	var fb struct {
		Received       int64            `json:"received"`
		ByChannel      map[string]int64 `json:"by_channel"`
		Answered       int64            `json:"answered"`
		AnsweredOnTime int64            `json:"answered_on_time"`
		OnTimeRate     rateJSON         `json:"on_time_rate"`
	}
	apptest.Want(t, s.Get("/api/v1/stats/feedback?"+year, tok), 200).Decode(t, &fb)
	if fb.Received != 8 || fb.ByChannel["hotline"] != 4 || fb.ByChannel["online"] != 4 || fb.ByChannel["mail"] != 0 || fb.Answered != 8 {
		t.Errorf("feedback %+v, want 8 = 4 hotline + 4 online, all answered", fb)
	}
	wantExactRate(t, "feedback on time", fb.OnTimeRate, 100, 8, 8)
	t.Logf("whole test %v", time.Since(started).Round(time.Millisecond))
}

// sameFigures compares two form-06 answers, rates by value.
func sameFigures(a, b figuresJSON) bool {
	same := func(x, y rateJSON) bool {
		return x.Numerator == y.Numerator && x.Denominator == y.Denominator && (x.Value == nil) == (y.Value == nil) &&
			(x.Value == nil || *x.Value == *y.Value)
	}
	ok := same(a.OnTimeRate, b.OnTimeRate) && same(a.OnlineRate, b.OnlineRate) && same(a.OnSpotRate, b.OnSpotRate)
	a.OnTimeRate, a.OnlineRate, a.OnSpotRate = rateJSON{}, rateJSON{}, rateJSON{}
	b.OnTimeRate, b.OnlineRate, b.OnSpotRate = rateJSON{}, rateJSON{}, rateJSON{}
	return ok && a == b
}

// wantExactRate checks a rate against the figure the report cites.
func wantExactRate(t *testing.T, what string, got rateJSON, value float64, n, d int64) {
	t.Helper()
	if got.Value == nil || *got.Value != value || got.Numerator != n || got.Denominator != d {
		t.Errorf("%s = %v (%d/%d), want %.2f (%d/%d)", what, got.Value, got.Numerator, got.Denominator, value, n, d)
	}
}
