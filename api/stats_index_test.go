package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/domain/worktime"
	"github.com/motcua/motcua/repository"
)

// The answer of GET /stats/service-index, decoded strictly (decodeAs).
type serviceIndexJSON struct {
	Period         periodJSON           `json:"period"`
	Scope          scopeJSON            `json:"scope"`
	FormulaVersion string               `json:"formula_version"`
	Indicators     []indexIndicatorJSON `json:"indicators"`
	Groups         []struct {
		Group           int     `json:"group"`
		Name            string  `json:"name"`
		MaxPoints       int     `json:"max_points"`
		AvailablePoints int     `json:"available_points"`
		Score           float64 `json:"score"`
	} `json:"groups"`
	Total struct {
		MaxPoints       int     `json:"max_points"`
		AvailablePoints int     `json:"available_points"`
		Score           float64 `json:"score"`
	} `json:"total"`
}

type indexIndicatorJSON struct {
	ID        string    `json:"id"`
	Group     int       `json:"group"`
	Key       string    `json:"key"`
	Name      string    `json:"name"`
	Available bool      `json:"available"`
	Reason    string    `json:"reason,omitempty"`
	Rate      *rateJSON `json:"rate"`
	MaxPoints int       `json:"max_points"`
	FullAt    *int64    `json:"full_at"`
	Score     *float64  `json:"score"`
	Average   *struct {
		Value    *float64 `json:"value"`
		Unit     string   `json:"unit"`
		Dossiers int64    `json:"dossiers"`
	} `json:"average,omitempty"`
	BeforeSync *rateJSON `json:"before_sync,omitempty"`
	Terms      *struct {
		Received     int64 `json:"received"`
		Overdue      int64 `json:"overdue"`
		Dissatisfied int64 `json:"dissatisfied"`
	} `json:"terms,omitempty"`
}

var indexOrder = []string{"1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "3.2", "3.3", "3.5", "3.6", "4.1", "4.2", "4.3", "5.2", "5.3", "5.4"}

// indexPoints and indexFullAt are the defaults the test expects.
var (
	indexPoints = map[string]int{"1.1": 4, "1.2": 4, "1.3": 4, "1.4": 6, "2.1": 20, "2.2": 0, "3.1": 4, "3.2": 4, "3.3": 6,
		"3.5": 4, "3.6": 4, "4.1": 6, "4.2": 8, "4.3": 8, "5.2": 6, "5.3": 6, "5.4": 6}
	indexFullAt = map[string]int64{"1.4": 100, "2.1": 100, "3.1": 80, "3.2": 100, "3.3": 50, "3.6": 100, "4.1": 100,
		"4.2": 80, "4.3": 80, "5.2": 100, "5.3": 100, "5.4": 90}
	indexUnavailable = map[string]bool{"1.1": true, "1.2": true, "1.3": true, "3.5": true}
)

// halfUp is n/d rounded half-up, for non-negative n and positive d.
func halfUp(n, d int64) int64 { return (2*n + d) / (2 * d) }

// wantScore is the test's own score in hundredths: points × min(1, rate/full).
func wantScore(num, den int64, points int, full int64) (int64, bool) {
	if den == 0 {
		return 0, false
	}
	n := min(100*num, den*full)
	return halfUp(int64(points)*100*n, den*full), true
}

// checkIndexShape checks what every answer has: the 17 indicators in order,
// the unavailable ones, the points, the groups summing their indicators and
// the total the groups.
func checkIndexShape(t *testing.T, got serviceIndexJSON) {
	t.Helper()
	if got.FormulaVersion != "766/2022-motcua.1" || len(got.Indicators) != 17 || len(got.Groups) != 5 {
		t.Fatalf("version %q, %d indicators, %d groups", got.FormulaVersion, len(got.Indicators), len(got.Groups))
	}
	groupMax, groupAvail, groupScore := map[int]int{}, map[int]int{}, map[int]int64{}
	for i, x := range got.Indicators {
		if x.ID != indexOrder[i] || x.MaxPoints != indexPoints[x.ID] || x.Group != int(x.ID[0]-'0') {
			t.Errorf("indicator %d: %+v", i, x)
		}
		groupMax[x.Group] += x.MaxPoints
		if indexUnavailable[x.ID] {
			if x.Available || x.Reason == "" || x.Rate != nil || x.Score != nil || x.FullAt != nil {
				t.Errorf("%s: want unavailable with a reason: %+v", x.ID, x)
			}
			continue
		}
		groupAvail[x.Group] += x.MaxPoints
		if !x.Available || x.Reason != "" {
			t.Errorf("%s: want available: %+v", x.ID, x)
		}
		if x.ID == "2.2" {
			if x.Rate != nil || x.Score != nil || x.FullAt != nil || x.Average == nil || x.Average.Unit != "working_days" {
				t.Errorf("2.2: %+v", x)
			}
			continue
		}
		if x.Rate == nil || x.FullAt == nil || *x.FullAt != indexFullAt[x.ID] {
			t.Errorf("%s: rate %v full_at %v", x.ID, x.Rate, x.FullAt)
			continue
		}
		h, ok := wantScore(x.Rate.Numerator, x.Rate.Denominator, x.MaxPoints, *x.FullAt)
		switch {
		case !ok && x.Score != nil, ok && (x.Score == nil || *x.Score != float64(h)/100):
			t.Errorf("%s: score %v for %d/%d, want %d hundredths (%v)", x.ID, x.Score, x.Rate.Numerator, x.Rate.Denominator, h, ok)
		}
		if x.Score != nil {
			groupScore[x.Group] += int64(*x.Score*100 + 0.5)
		}
		if x.Rate.Denominator > 0 {
			if v := x.Rate.Value; v == nil || *v != float64(halfUp(10000*x.Rate.Numerator, x.Rate.Denominator))/100 {
				t.Errorf("%s: rate value %v of %d/%d", x.ID, v, x.Rate.Numerator, x.Rate.Denominator)
			}
		}
	}
	var tMax, tAvail int
	var tScore int64
	for i, g := range got.Groups {
		want := []int{18, 20, 22, 22, 18}[i]
		if g.Group != i+1 || g.MaxPoints != want || groupMax[g.Group] != want || g.AvailablePoints != groupAvail[g.Group] ||
			int64(g.Score*100+0.5) != groupScore[g.Group] || g.Name == "" {
			t.Errorf("group %d: %+v (indicators: max %d, available %d, score %d)", i+1, g, groupMax[g.Group], groupAvail[g.Group], groupScore[g.Group])
		}
		tMax += g.MaxPoints
		tAvail += g.AvailablePoints
		tScore += int64(g.Score*100 + 0.5)
	}
	if got.Total.MaxPoints != 100 || tMax != 100 || got.Total.AvailablePoints != tAvail || int64(got.Total.Score*100+0.5) != tScore {
		t.Errorf("total %+v, groups %d %d %d", got.Total, tMax, tAvail, tScore)
	}
}

func indicatorByID(got serviceIndexJSON, id string) indexIndicatorJSON {
	for _, x := range got.Indicators {
		if x.ID == id {
			return x
		}
	}
	return indexIndicatorJSON{}
}

// TestServiceIndexImportedMonth is the end-to-end test of the index: a
// province-year imported as NDJSON (procedures, dossiers, feedback, and
// feedback linked to dossiers), national portal sync states and ratings
// written beside it; for August 2021, a closed month, every indicator is
// compared with the test's own count over the generated data, through GET
// /api/v1/stats/service-index, then read back from its CSV and XLSX.
func TestServiceIndexImportedMonth(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	w := generateProvinceYear(t, s, 766)
	admin := s.Token("admin")
	cal, err := s.App.Catalog.Calendar(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	runImport(t, s, "procedures", strings.Join(w.procLines, "\n"))
	if r := runImport(t, s, "dossiers", strings.Join(w.dossierLines, "\n")); r.Imported != int64(len(w.dossiers)) {
		t.Fatalf("dossier import %+v", r)
	}
	// Feedback linked to dossiers received before September, some after it.
	r := rand.New(rand.NewPCG(766, 8))
	linked := map[string]time.Time{}
	lines := append([]string(nil), w.feedbackLines...)
	for i, d := range w.dossiers {
		if d.received == nil || r.IntN(12) != 0 {
			continue
		}
		at := d.received.Add(time.Duration(1+r.IntN(40*24)) * time.Hour).Truncate(time.Second)
		if old, ok := linked[d.code]; !ok || at.Before(old) {
			linked[d.code] = at
		}
		f := importedFeedback{code: fmt.Sprintf("PAKN-LINK-%04d", i), channel: "hotline", category: "procedure",
			status: "received", received: at,
			due:       cal.DueAt(at, worktime.Duration{Value: 15, Unit: worktime.WorkingDays}),
			refuseDue: cal.DueAt(at, worktime.Duration{Value: 2, Unit: worktime.WorkingDays})}
		w.feedback = append(w.feedback, f)
		lines = append(lines, fmt.Sprintf(`{"code":%q,"channel":"hotline","category":"procedure","title":"Hồ sơ chậm","content":"Hồ sơ %s chậm",`+
			`"status":"received","received_at":%q,"dossier_code":%q,"sender":{"name":"Người gửi"}}`,
			f.code, d.code, at.In(apptest.Loc).Format(time.RFC3339), d.code))
	}
	if res := runImport(t, s, "feedback", strings.Join(lines, "\n")); res.Imported != int64(len(w.feedback)) {
		t.Fatalf("feedback import %+v, want %d", res, len(w.feedback))
	}

	// Sync states and ratings, as the push worker and citizens write them.
	var rows []struct {
		ID   int64
		Code string
	}
	if err := s.App.DB.Table("dossiers").Select("id, code").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	byCode := map[string]importedDossier{}
	for _, d := range w.dossiers {
		byCode[d.code] = d
	}
	synced := map[string]bool{}
	type rating struct {
		score int
		at    time.Time
	}
	rated := map[string]rating{}
	var syncRows, ratingRows []map[string]any
	for _, row := range rows {
		d, ok := byCode[row.Code]
		if !ok || d.received == nil {
			continue
		}
		now := d.received.UTC()
		switch r.IntN(3) {
		case 0:
			synced[d.code] = true
			syncRows = append(syncRows, map[string]any{"dossier_id": row.ID, "status": "synced", "synced_at": now,
				"synced_version": 1, "attempts": 0, "updated_at": now})
		case 1:
			syncRows = append(syncRows, map[string]any{"dossier_id": row.ID, "status": "failed", "attempts": 3,
				"last_error": "HTTP 500", "updated_at": now})
		}
		if d.resolved != nil && r.IntN(4) == 0 {
			x := rating{score: 1 + r.IntN(5), at: d.resolved.Add(time.Duration(r.IntN(30*24)) * time.Hour)}
			rated[d.code] = x
			ratingRows = append(ratingRows, map[string]any{"dossier_id": row.ID, "dossier_code": d.code, "score": x.score,
				"unit_code": d.unit, "agency_code": d.proc.AgencyCode, "procedure_code": d.proc.Code, "created_at": x.at.UTC()})
		}
	}
	for table, batch := range map[string][]map[string]any{"dvcqg_sync": syncRows, "ratings": ratingRows} {
		if err := s.App.DB.Table(table).CreateInBatches(batch, 500).Error; err != nil {
			t.Fatalf("%s: %v", table, err)
		}
	}
	// The sync rows were written directly, not by the push: rebuild the
	// rollups from the stored rows, as for any direct write.
	if err := repository.RebuildRollups(context.Background(), s.App.DB, worktime.DefaultLocation()); err != nil {
		t.Fatal(err)
	}

	// ---- the test's own count for August 2021 (ended: as_of is its end)
	p := monthPeriod(2021, 8)
	asof := p.end
	before := func(x *time.Time) bool { return x != nil && x.Before(asof) }
	var pop, onTime, complained, received, online, recvSynced, onlineSynced int64
	var resolved, workedSecs int64
	for _, d := range w.dossiers {
		if d.received == nil || !d.received.Before(p.end) {
			continue
		}
		if f := d.finished(); f != nil && f.Before(p.start) {
			continue
		}
		pop++
		end := asof
		for _, x := range []*time.Time{d.resolved, d.withdrawn, d.stopped} {
			if before(x) {
				end = *x
			}
		}
		ok := d.due == nil || !end.After(*d.due)
		if ok {
			onTime++
		}
		lf, hasFeedback := linked[d.code]
		rt, hasRating := rated[d.code]
		if !ok || (hasFeedback && lf.Before(asof)) || (hasRating && rt.score <= 2 && rt.at.Before(asof)) {
			complained++
		}
		if p.has(d.received) {
			received++
			if d.channel == "online" {
				online++
			}
			if synced[d.code] {
				recvSynced++
				if d.channel == "online" {
					onlineSynced++
				}
			}
		}
		if p.has(d.resolved) {
			resolved++
			workedSecs += int64(cal.WorkingBetween(*d.received, *d.resolved) / time.Second)
		}
	}
	var active, onlineProcs, used int64
	usedCodes := map[string]bool{}
	for _, d := range w.dossiers {
		if d.channel == "online" && p.has(d.received) {
			usedCodes[d.proc.Code] = true
		}
	}
	for _, pr := range w.procedures {
		if pr.Status != "active" {
			continue
		}
		active++
		if pr.OnlineLevel == "partial" || pr.OnlineLevel == "full" {
			onlineProcs++
			if usedCodes[pr.Code] {
				used++
			}
		}
	}
	var handled, handledOnTime, fbReceived, fbOverdue int64
	for _, f := range w.feedback {
		open := f.received.Before(asof) && !before(f.answered) && !before(f.refused)
		ans, ref := p.has(f.answered), p.has(f.refused)
		if ans || ref || open {
			handled++
			if (ans && !f.answered.After(f.due)) || (ref && !f.refused.After(f.refuseDue)) || (open && !f.due.Before(asof)) {
				handledOnTime++
			}
		}
		if p.has(&f.received) {
			fbReceived++
			if (before(f.answered) && f.answered.After(f.due)) || (before(f.refused) && f.refused.After(f.refuseDue)) ||
				(open && f.due.Before(asof)) {
				fbOverdue++
			}
		}
	}
	if pop < 200 || onTime == pop || onTime == 0 || complained == pop-onTime || recvSynced == 0 || onlineSynced == 0 ||
		used == 0 || handledOnTime == handled || fbOverdue == 0 || resolved == 0 {
		t.Fatalf("the month does not exercise every indicator: pop %d on time %d complained %d synced %d/%d used %d feedback %d/%d overdue %d resolved %d",
			pop, onTime, complained, recvSynced, onlineSynced, used, handledOnTime, handled, fbOverdue, resolved)
	}

	var dg digitisationJSON
	apptest.Want(t, s.Get("/api/v1/stats/digitisation?"+p.query, admin), http.StatusOK).Decode(t, &dg)
	got := decodeAs[serviceIndexJSON](t, apptest.Want(t, s.Get("/api/v1/stats/service-index?"+p.query, admin), http.StatusOK))
	checkIndexShape(t, got)
	if got.Period.From != p.from || got.Period.To != p.to || got.Scope.UnitCode != nil {
		t.Errorf("period %+v scope %+v", got.Period, got.Scope)
	}
	want := map[string][2]int64{
		"1.4": {recvSynced, received}, "2.1": {onTime, pop}, "3.1": {onlineProcs, active}, "3.2": {used, onlineProcs},
		"3.3": {onlineSynced, received}, "5.2": {handledOnTime, handled}, "5.3": {fbReceived - fbOverdue, fbReceived},
		"5.4": {pop - complained, pop},
		"3.6": {dg.OnlinePaymentRate.Numerator, dg.OnlinePaymentRate.Denominator},
		"4.1": {dg.EResultRate.Numerator, dg.EResultRate.Denominator},
		"4.2": {dg.DigitisationRate.Numerator, dg.DigitisationRate.Denominator},
		"4.3": {dg.ReuseRate.Numerator, dg.ReuseRate.Denominator},
	}
	for id, nd := range want {
		x := indicatorByID(got, id)
		if x.Rate == nil || x.Rate.Numerator != nd[0] || x.Rate.Denominator != nd[1] {
			t.Errorf("%s (%s): rate %+v, want %d/%d", id, x.Key, x.Rate, nd[0], nd[1])
		}
	}
	if x := indicatorByID(got, "3.3"); x.BeforeSync == nil || x.BeforeSync.Numerator != online || x.BeforeSync.Denominator != received {
		t.Errorf("3.3 before_sync %+v, want %d/%d", x.BeforeSync, online, received)
	}
	if x := indicatorByID(got, "5.3"); x.Terms == nil || x.Terms.Received != fbReceived || x.Terms.Overdue != fbOverdue || x.Terms.Dissatisfied != 0 {
		t.Errorf("5.3 terms %+v", x.Terms)
	}
	wantAvg := float64(halfUp(workedSecs*100, resolved*8*3600)) / 100
	if x := indicatorByID(got, "2.2"); x.Average == nil || x.Average.Dossiers != resolved || x.Average.Value == nil || *x.Average.Value != wantAvg {
		t.Errorf("2.2 average %+v, want %v over %d", x.Average, wantAvg, resolved)
	}

	// ---- CSV: the headings and a row per indicator, the same figures.
	c := apptest.Want(t, s.Get("/api/v1/stats/service-index?"+p.query+"&format=csv", admin), http.StatusOK)
	if ct := c.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" ||
		!strings.Contains(c.Header.Get("Content-Disposition"), "chi-so-phuc-vu-nguoi-dan-doanh-nghiep_2021-08_toan-tinh.csv") {
		t.Errorf("CSV headers %q %q", ct, c.Header.Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.Body, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	checkIndexRecords(t, "CSV", recs, got)

	// ---- XLSX: under the title, period, unit, version and total.
	x := apptest.Want(t, s.Get("/api/v1/stats/service-index?"+p.query+"&format=xlsx", admin), http.StatusOK)
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close() //nolint:errcheck
	sheet := f.GetSheetList()[0]
	sheetRows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	head := -1
	for i, row := range sheetRows {
		if len(row) > 0 && row[0] == "Mã chỉ số" {
			head = i
			break
		}
	}
	if head < 4 || !strings.HasPrefix(sheetRows[0][0], "BỘ CHỈ SỐ") || !strings.HasPrefix(sheetRows[1][0], "Kỳ báo cáo: Tháng 08/2021") ||
		sheetRows[3][0] != "Phiên bản công thức: 766/2022-motcua.1" {
		t.Fatalf("sheet %q: rows %q", sheet, sheetRows)
	}
	checkIndexRecords(t, "XLSX", sheetRows[head:], got)
}

// checkIndexRecords checks an export's table: the Vietnamese headings, then
// the indicators in order with the answer's rates, points and scores.
func checkIndexRecords(t *testing.T, what string, recs [][]string, got serviceIndexJSON) {
	t.Helper()
	wantHead := []string{"Mã chỉ số", "Nhóm", "Chỉ số", "Tính được", "Lý do chưa tính được", "Tỷ lệ (%)", "Tử số", "Mẫu số",
		"Tỷ lệ trước khi đồng bộ (%)", "Thời gian trung bình (ngày làm việc)", "Số hồ sơ tính thời gian",
		"Tỷ lệ đạt điểm tối đa (%)", "Điểm tối đa", "Điểm đạt"}
	if len(recs) != 18 || strings.Join(recs[0], "|") != strings.Join(wantHead, "|") {
		t.Fatalf("%s: %d rows, headings %q", what, len(recs), recs[0])
	}
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	for i, x := range got.Indicators {
		rec := append(recs[i+1], make([]string, 14)...)[:14] // XLSX drops trailing empty cells
		if rec[0] != x.ID || rec[2] != x.Name || rec[4] != x.Reason || rec[12] != strconv.Itoa(x.MaxPoints) || rec[13] != num(x.Score) {
			t.Errorf("%s row %s: %q, answer %+v", what, x.ID, rec, x)
		}
		if x.Rate != nil && (rec[5] != num(x.Rate.Value) || rec[6] != strconv.FormatInt(x.Rate.Numerator, 10) ||
			rec[7] != strconv.FormatInt(x.Rate.Denominator, 10)) {
			t.Errorf("%s row %s: rate cells %q, answer %+v", what, x.ID, rec[5:8], *x.Rate)
		}
		if x.Average != nil && (rec[9] != num(x.Average.Value) || rec[10] != strconv.FormatInt(x.Average.Dossiers, 10)) {
			t.Errorf("%s row 2.2: %q", what, rec)
		}
	}
}

// TestServiceIndexStatuses: who may ask, what a bad request answers, a
// leader's own scope, an empty month (no rate, no score, no average), and
// MOTCUA_SERVICE_INDEX_POINTS in the answer.
func TestServiceIndexStatuses(t *testing.T) {
	t.Parallel()
	s := statsServer(t, map[string]string{"MOTCUA_SERVICE_INDEX_POINTS": "3.3=5,4.2=7"})
	viewer, leader, clerk, officer := s.Token("viewer"), s.Token("leader.justice"), s.Token("clerk"), s.Token("officer")
	const path = "/api/v1/stats/service-index?"

	got := decodeAs[serviceIndexJSON](t, apptest.Want(t, s.Get(path+"month=2021-08", viewer), http.StatusOK))
	if x := indicatorByID(got, "3.3"); x.MaxPoints != 5 {
		t.Errorf("3.3 max points %d, want the override 5", x.MaxPoints)
	}
	if x := indicatorByID(got, "4.2"); x.MaxPoints != 7 {
		t.Errorf("4.2 max points %d, want 7", x.MaxPoints)
	}
	if got.Groups[2].MaxPoints != 22 || got.Groups[2].AvailablePoints != 22-4-1 || got.Total.MaxPoints != 100 {
		t.Errorf("groups %+v total %+v", got.Groups, got.Total)
	}
	var catalogue float64 // 3.1 and 3.2 are the current catalogue's, whatever the month
	for _, x := range got.Indicators {
		if x.ID == "3.1" || x.ID == "3.2" {
			if x.Score != nil {
				catalogue += *x.Score
			}
			continue
		}
		if x.Available && x.ID != "2.2" && (x.Rate == nil || x.Rate.Denominator != 0 || x.Rate.Value != nil || x.Score != nil) {
			t.Errorf("empty month, %s: %+v", x.ID, x)
		}
	}
	if a := indicatorByID(got, "2.2").Average; a == nil || a.Value != nil || a.Dossiers != 0 {
		t.Errorf("empty month average %+v", a)
	}
	if got.Total.Score != catalogue {
		t.Errorf("empty month total %+v", got.Total)
	}

	l := decodeAs[serviceIndexJSON](t, apptest.Want(t, s.Get(path+"month=2021-08", leader), http.StatusOK))
	if l.Scope.UnitCode == nil || *l.Scope.UnitCode != justiceCode {
		t.Errorf("leader scope %+v", l.Scope)
	}
	wantError(t, s.Get(path+"month=2021-08&unit_code="+districtCode, leader), http.StatusForbidden, "forbidden")
	wantError(t, s.Get(path+"month=2021-08", clerk), http.StatusForbidden, "forbidden")
	wantError(t, s.Get(path+"month=2021-08", officer), http.StatusForbidden, "forbidden")
	wantError(t, s.Get(path+"month=2021-08", ""), http.StatusUnauthorized, "unauthenticated")
	wantFields(t, s.Get(path+"month=2021-13", viewer), "month")
	wantFields(t, s.Get(path+"month=2099-01", viewer), "month")
	wantError(t, s.Get(path, viewer), http.StatusUnprocessableEntity, "validation_failed")
	wantError(t, s.Get(path+"month=2021-08&year=2021", viewer), http.StatusUnprocessableEntity, "validation_failed")
	wantFields(t, s.Get(path+"month=2021-08&unit_code=NOWHERE", viewer), "unit_code")
	wantFields(t, s.Get(path+"month=2021-08&format=pdf", viewer), "format")
	wantError(t, s.Get(path+"month=2021-08&unit_code=%C3", viewer), http.StatusBadRequest, "invalid_request")
	if r := s.Do(apptest.Request{Method: http.MethodGet, Path: path + "month=2021-08", Token: viewer,
		Header: map[string]string{"Accept": "text/csv"}}); r.Status != http.StatusOK || !bytes.HasPrefix(r.Body, []byte("\uFEFFMã chỉ số,")) {
		t.Errorf("Accept: text/csv: %d %q", r.Status, r.Body)
	}
}
