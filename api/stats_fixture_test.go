package api_test

// The statistics tests' world: a small province built through the domain
// services, and a generated dataset of dossiers, feedback, ratings and
// publications written in batches through GORM, for which every figure is
// known by an independent count in Go (count* below).

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
	"github.com/motcua/motcua/repository"
)

// The agencies of the statistics world.
const (
	provinceCode = "T00"
	centerCode   = "T20"
	justiceCode  = "T09"
	planningCode = "T10"
	districtCode = "T51"
	communeACode = "T5101"
	communeBCode = "T5102"
)

var worldAgencies = []catalog.Agency{
	{Code: provinceCode, Name: "UBND tỉnh Thử nghiệm", Kind: catalog.KindProvince},
	{Code: centerCode, Name: "Trung tâm Phục vụ hành chính công tỉnh", Kind: catalog.KindServiceCenter, ParentCode: provinceCode},
	{Code: justiceCode, Name: "Sở Tư pháp", Kind: catalog.KindDepartment, ParentCode: provinceCode},
	{Code: planningCode, Name: "Sở Kế hoạch và Đầu tư", Kind: catalog.KindDepartment, ParentCode: provinceCode},
	{Code: districtCode, Name: "UBND huyện Tam Đường", Kind: catalog.KindDistrict, ParentCode: provinceCode},
	{Code: communeACode, Name: "UBND xã Bản Bo", Kind: catalog.KindCommune, ParentCode: districtCode},
	{Code: communeBCode, Name: "UBND xã Bình Lư", Kind: catalog.KindCommune, ParentCode: districtCode},
}

func agencyName(code string) string {
	for _, a := range worldAgencies {
		if a.Code == code {
			return a.Name
		}
	}
	return ""
}

// subtree lists a unit and the units below it.
func subtree(code string) map[string]bool {
	out := map[string]bool{code: true}
	for changed := true; changed; {
		changed = false
		for _, a := range worldAgencies {
			if out[a.ParentCode] && !out[a.Code] {
				out[a.Code], changed = true, true
			}
		}
	}
	return out
}

func catalogProcedure(code, name, field, agency string, level catalog.Level, online catalog.OnlineLevel, onSpot, integrated bool) catalog.Procedure {
	return catalog.Procedure{Code: code, Name: name, Field: field, AgencyCode: agency, Level: level,
		ProcessingTime: worktime.Duration{Value: 5, Unit: worktime.WorkingDays}, OnlineLevel: online,
		OnSpotEligible: onSpot, NationalPortalIntegrated: integrated, Status: catalog.StatusActive}
}

var worldProcedures = func() []catalog.Procedure {
	ps := []catalog.Procedure{
		catalogProcedure("1.001", "Cấp Phiếu lý lịch tư pháp", "Lý lịch tư pháp", justiceCode, catalog.LevelProvince, catalog.OnlineFull, false, true),
		catalogProcedure("1.002", "Chứng thực bản sao từ bản chính", "Chứng thực", justiceCode, catalog.LevelProvince, catalog.OnlinePartial, true, false),
		catalogProcedure("1.003", "Đăng ký thành lập doanh nghiệp", "Thành lập và hoạt động doanh nghiệp", planningCode, catalog.LevelProvince, catalog.OnlineFull, true, true),
		catalogProcedure("1.004", "Cấp Giấy chứng nhận quyền sử dụng đất", "Đất đai", districtCode, catalog.LevelDistrict, catalog.OnlinePartial, false, true),
		catalogProcedure("1.005", "Đăng ký khai sinh", "Hộ tịch", communeACode, catalog.LevelCommune, catalog.OnlineFull, false, false),
		catalogProcedure("1.006", "Đăng ký kết hôn", "Hộ tịch", communeBCode, catalog.LevelCommune, catalog.OnlineInfo, false, false),
		catalogProcedure("1.007", "Đăng ký giám hộ (đã bãi bỏ)", "Hộ tịch", communeACode, catalog.LevelCommune, catalog.OnlinePartial, false, true),
	}
	ps[6].Status = catalog.StatusAbolished
	return ps
}()

func worldProcedure(code string) catalog.Procedure {
	for _, p := range worldProcedures {
		if p.Code == code {
			return p
		}
	}
	panic("unknown procedure " + code)
}

// worldUsers are the world's accounts, all with demo.Password.
var worldUsers = []user.NewUser{
	{Username: "viewer", Role: user.RoleViewer},
	{Username: "admin", Role: user.RoleAdmin},
	{Username: "viewer.district", Role: user.RoleViewer, Unit: districtCode},
	{Username: "leader.district", Role: user.RoleLeader, Unit: districtCode},
	{Username: "leader.justice", Role: user.RoleLeader, Unit: justiceCode},
	{Username: "leader.commune", Role: user.RoleLeader, Unit: communeACode},
	{Username: "clerk", Role: user.RoleClerk, Unit: centerCode},
	{Username: "clerk.district", Role: user.RoleClerk, Unit: districtCode},
	{Username: "officer", Role: user.RoleOfficer, Unit: justiceCode},
}

// statsServer starts the service on a fresh database with the statistics
// world (and no demo data, so every row is the test's).
func statsServer(t *testing.T, env map[string]string) *apptest.Server {
	t.Helper()
	s := apptest.New(t, apptest.Options{NoDemo: true, Env: env})
	ctx := context.Background()
	sys := user.Principal{Username: "system", Role: user.RoleAdmin}
	for _, a := range worldAgencies {
		if _, err := s.App.Catalog.CreateAgency(ctx, sys, a); err != nil {
			t.Fatalf("agency %s: %v", a.Code, err)
		}
	}
	for _, p := range worldProcedures {
		if _, err := s.App.Catalog.CreateProcedure(ctx, sys, p); err != nil {
			t.Fatalf("procedure %s: %v", p.Code, err)
		}
	}
	for _, u := range worldUsers {
		u.Name, u.Password = "Người dùng "+u.Username, demo.Password
		if _, err := s.App.Users.Create(ctx, sys, true, u); err != nil {
			t.Fatalf("user %s: %v", u.Username, err)
		}
	}
	return s
}

// ---- generated data

// genDossier is one generated dossier; nil times have not happened.
type genDossier struct {
	id                                  int64
	code, proc, unit, agency, holder    string
	channel                             string
	onSpot                              bool
	submitted                           time.Time
	received, due, resolved             *time.Time
	withdrawn, stopped, rejected        *time.Time
	timeliness                          string
	procField, procLevel, procOnline    string
	procActive, procIntegrated, procOSE bool
}

func (d genDossier) finished() *time.Time {
	for _, t := range []*time.Time{d.resolved, d.withdrawn, d.stopped} {
		if t != nil {
			return t
		}
	}
	return nil
}

// timelinessOf is the tests' one timeliness oracle, docs/domain.md's rule
// written independently of the service: early on a calendar day (local)
// before the due day, on time on the due day by the due time, late after it.
func timelinessOf(resolved, due time.Time) string {
	if resolved.After(due) {
		return "late"
	}
	ry, rm, rd := resolved.In(apptest.Loc).Date()
	dy, dm, dd := due.In(apptest.Loc).Date()
	if time.Date(ry, rm, rd, 0, 0, 0, 0, time.UTC).Before(time.Date(dy, dm, dd, 0, 0, 0, 0, time.UTC)) {
		return "early"
	}
	return "on_time"
}

// secondPtr is t, truncated to the second, by pointer.
func secondPtr(t time.Time) *time.Time { t = t.Truncate(time.Second); return &t }

// generateDossiers makes n dossiers received (or submitted) between from and to,
// deterministically from seed, with every life the report distinguishes.
func generateDossiers(seed uint64, n int, from, to time.Time) []genDossier {
	r := rand.New(rand.NewPCG(seed, seed*7+1))
	span := to.Sub(from)
	randIn := func(a time.Time, d time.Duration) time.Time {
		return a.Add(time.Duration(r.Int64N(int64(d/time.Second))) * time.Second)
	}
	channels := []string{"direct", "online", "postal"}
	out := make([]genDossier, 0, n)
	for i := 0; i < n; i++ {
		p := worldProcedures[r.IntN(len(worldProcedures))]
		d := genDossier{code: fmt.Sprintf("G-%05d", i+1), proc: p.Code, agency: p.AgencyCode, channel: channels[r.IntN(3)],
			procField: p.Field, procLevel: string(p.Level), procOnline: string(p.OnlineLevel),
			procActive: p.Status == catalog.StatusActive, procIntegrated: p.NationalPortalIntegrated, procOSE: p.OnSpotEligible}
		switch p.Level {
		case catalog.LevelProvince:
			d.unit = centerCode
		case catalog.LevelDistrict:
			d.unit = districtCode
		default:
			d.unit = p.AgencyCode
			if r.IntN(5) == 0 {
				d.unit = districtCode
			}
		}
		d.holder = d.agency
		if r.IntN(10) == 0 {
			d.holder = []string{planningCode, districtCode, communeBCode, justiceCode}[r.IntN(4)]
		}
		d.onSpot = p.OnSpotEligible && d.channel == "direct" && r.IntN(2) == 0
		d.submitted = randIn(from, span).Truncate(time.Second)
		switch k := r.IntN(100); {
		case k < 5: // submitted online, never accepted
			d.channel = "online"
		case k < 11: // refused at receipt
			d.channel = "online"
			d.rejected = secondPtr(d.submitted.Add(time.Duration(r.IntN(72*60)) * time.Minute))
		case k < 13: // withdrawn before acceptance
			d.channel = "online"
			d.withdrawn = secondPtr(d.submitted.Add(time.Duration(r.IntN(72*60)) * time.Minute))
		default:
			rec := d.submitted
			if d.channel == "online" {
				rec = rec.Add(time.Duration(r.IntN(48*60)) * time.Minute)
			}
			d.received = secondPtr(rec)
			d.due = secondPtr(rec.Add(time.Duration(1+r.IntN(30*24)) * time.Hour))
			end := secondPtr(rec.Add(time.Duration(r.IntN(50*24*60)) * time.Minute))
			switch f := r.IntN(100); {
			case f < 25: // still in progress
			case f < 80:
				d.resolved = end
				if d.onSpot {
					d.resolved = secondPtr(rec.Add(time.Duration(r.IntN(6*60)) * time.Minute))
				}
				d.timeliness = timelinessOf(*d.resolved, *d.due)
			case f < 90:
				d.withdrawn = end
			default:
				d.stopped = end
			}
		}
		out = append(out, d)
	}
	return out
}

// edgeDossiers are direct dossiers at the edges of August 2021 (local):
// the first instant, 23:59 of the 31st (in), and 00:00 on 1 September (out).
func edgeDossiers() []genDossier {
	p := worldProcedure("1.001")
	mk := func(code string, at time.Time) genDossier {
		return genDossier{code: code, proc: p.Code, unit: centerCode, agency: p.AgencyCode, holder: p.AgencyCode, channel: "direct",
			submitted: at, received: secondPtr(at), due: secondPtr(at.Add(72 * time.Hour)), procField: p.Field,
			procLevel: string(p.Level), procOnline: string(p.OnlineLevel), procActive: true, procIntegrated: p.NationalPortalIntegrated}
	}
	return []genDossier{
		mk("EDGE-1", time.Date(2021, 8, 1, 0, 0, 0, 0, apptest.Loc)),
		mk("EDGE-2", time.Date(2021, 8, 31, 23, 59, 0, 0, apptest.Loc)),
		mk("EDGE-3", time.Date(2021, 9, 1, 0, 0, 0, 0, apptest.Loc)),
		mk("EDGE-4", time.Date(2021, 7, 31, 23, 59, 59, 0, apptest.Loc)),
	}
}

func utcOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// insertDossiers writes ds in batches, as the dossier store would (UTC
// times, NULL for what has not happened), and sets their ids.
func insertDossiers(t testing.TB, db *gorm.DB, ds []genDossier) {
	t.Helper()
	// Small batches: the SQLite driver binds parameters in time quadratic in
	// their number per statement.
	const batch = 100
	created := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	err := db.Transaction(func(tx *gorm.DB) error {
		for lo := 0; lo < len(ds); lo += batch {
			hi := min(lo+batch, len(ds))
			rows := make([]map[string]any, 0, hi-lo)
			for _, d := range ds[lo:hi] {
				status, code := "submitted", 1
				switch {
				case d.rejected != nil:
					status, code = "rejected", 3
				case d.withdrawn != nil:
					status, code = "withdrawn", 7
				case d.stopped != nil:
					status, code = "stopped", 8
				case d.resolved != nil:
					status, code = "returned", 10
				case d.received != nil:
					status, code = "processing", 4
				}
				var tl any
				if d.timeliness != "" {
					tl = d.timeliness
				}
				rows = append(rows, map[string]any{
					"code": d.code, "procedure_code": d.proc, "unit_code": d.unit, "agency_code": d.agency, "holder_unit": d.holder,
					"channel": d.channel, "on_spot": d.onSpot, "status": status, "status_code": code,
					"applicant_name": "Người nộp thử", "pin_hash": "0", "processing_value": 5, "processing_unit": "working_days",
					"submitted_at": d.submitted.UTC(), "received_at": utcOrNil(d.received), "due_at": utcOrNil(d.due),
					"appointment_at": utcOrNil(d.due), "resolved_at": utcOrNil(d.resolved), "timeliness": tl,
					"withdrawn_at": utcOrNil(d.withdrawn), "stopped_at": utcOrNil(d.stopped), "rejected_at": utcOrNil(d.rejected),
					"created_at": created, "updated_at": created,
				})
			}
			if err := tx.Table("dossiers").Create(rows).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert dossiers: %v", err)
	}
	ids := map[string]int64{}
	var got []struct {
		ID   int64
		Code string
	}
	if err := db.Table("dossiers").Select("id, code").Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	for _, g := range got {
		ids[g.Code] = g.ID
	}
	for i := range ds {
		ds[i].id = ids[ds[i].code]
	}
	// Rows written behind the dossier store's back: roll them up as it would.
	if err := repository.RebuildRollups(context.Background(), db, apptest.Loc); err != nil {
		t.Fatal(err)
	}
}

// ---- the independent count

// countedFigures is one row of form 06 as the test counts it.
type countedFigures struct {
	carried, online, directPostal                 int64
	resolved, early, onTime, late, onSpot         int64
	within, overdue, withdrawn, stopped, rejected int64
}

func (f *countedFigures) add(o countedFigures) {
	f.carried += o.carried
	f.online += o.online
	f.directPostal += o.directPostal
	f.resolved += o.resolved
	f.early += o.early
	f.onTime += o.onTime
	f.late += o.late
	f.onSpot += o.onSpot
	f.within += o.within
	f.overdue += o.overdue
	f.withdrawn += o.withdrawn
	f.stopped += o.stopped
	f.rejected += o.rejected
}

func inPeriod(t *time.Time, start, end time.Time) bool {
	return t != nil && !t.Before(start) && t.Before(end)
}

// countDossier is what one dossier adds to form 06 for [start, end).
func countDossier(d genDossier, start, end time.Time) countedFigures {
	var f countedFigures
	if inPeriod(d.rejected, start, end) {
		f.rejected = 1
	}
	if d.received == nil {
		return f
	}
	rec, fin := *d.received, d.finished()
	if rec.Before(start) && (fin == nil || !fin.Before(start)) {
		f.carried = 1
	}
	if inPeriod(d.received, start, end) {
		if d.channel == "online" {
			f.online = 1
		} else {
			f.directPostal = 1
		}
	}
	if inPeriod(d.resolved, start, end) {
		f.resolved = 1
		switch d.timeliness {
		case "early":
			f.early = 1
		case "late":
			f.late = 1
		default:
			f.onTime = 1
		}
		if d.onSpot {
			f.onSpot = 1
		}
	}
	if inPeriod(d.withdrawn, start, end) {
		f.withdrawn = 1
	}
	if inPeriod(d.stopped, start, end) {
		f.stopped = 1
	}
	if rec.Before(end) && (fin == nil || !fin.Before(end)) {
		if d.due != nil && d.due.Before(end) {
			f.overdue = 1
		} else {
			f.within = 1
		}
	}
	return f
}

// groupKey is the form-06 group of d.
func groupKey(by string, d genDossier) string {
	switch by {
	case "unit":
		return d.unit
	case "agency":
		return d.agency
	case "procedure":
		return d.proc
	case "field":
		return d.procField
	case "level":
		return d.procLevel
	case "channel":
		return d.channel
	}
	panic(by)
}

// dossierInScope is docs/domain.md's scope: reception unit, handling agency or holder.
func dossierInScope(d genDossier, scope map[string]bool) bool {
	return scope == nil || scope[d.unit] || scope[d.agency] || scope[d.holder]
}

// countForm06 counts form 06 per group over ds; only groups with some
// figure appear.
func countForm06(ds []genDossier, by string, start, end time.Time, scope map[string]bool) map[string]countedFigures {
	out := map[string]countedFigures{}
	for _, d := range ds {
		if !dossierInScope(d, scope) {
			continue
		}
		f := countDossier(d, start, end)
		if f == (countedFigures{}) {
			continue
		}
		k := groupKey(by, d)
		g := out[k]
		g.add(f)
		out[k] = g
	}
	return out
}

// rateValue is the contract's rate value computed with big.Rat: a percentage rounded
// to 2 decimals, halves away from zero; nil when d is 0.
func rateValue(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	s := new(big.Rat).SetFrac64(n*100, d).FloatString(2)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return &v
}

// groupName is the label the report must give a group.
func groupName(by, key string) string {
	switch by {
	case "unit", "agency":
		return agencyName(key)
	case "procedure":
		return worldProcedure(key).Name
	case "field":
		return key
	case "level":
		return map[string]string{"province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}[key]
	case "channel":
		return map[string]string{"online": "Trực tuyến", "direct": "Trực tiếp", "postal": "Bưu chính"}[key]
	}
	return ""
}

// genFeedback is one generated feedback item.
type genFeedback struct {
	code, channel, category, status, agency, unit string
	received, due, refuseDue                      time.Time
	answered, refused, published                  *time.Time
}

// generateFeedback makes n feedback items received between from and to.
func generateFeedback(seed uint64, n int, from, to time.Time) []genFeedback {
	r := rand.New(rand.NewPCG(seed, seed+99))
	units := []string{centerCode, districtCode, communeACode, ""}
	agencies := []string{justiceCode, planningCode, districtCode, communeBCode, ""}
	out := make([]genFeedback, n)
	for i := range out {
		rec := from.Add(time.Duration(r.Int64N(int64(to.Sub(from)/time.Second))) * time.Second)
		f := genFeedback{code: fmt.Sprintf("PAKN-%04d", i+1), channel: []string{"hotline", "online", "direct", "mail"}[r.IntN(4)],
			category: []string{"regulation", "procedure", "conduct", "other"}[r.IntN(4)], unit: units[r.IntN(len(units))],
			agency: agencies[r.IntN(len(agencies))], received: rec, due: rec.Add(21 * 24 * time.Hour), refuseDue: rec.Add(3 * 24 * time.Hour)}
		switch k := r.IntN(100); {
		case k < 20:
			f.status = "received"
		case k < 40:
			f.status = "processing"
		case k < 85:
			f.status = "answered"
			f.answered = secondPtr(rec.Add(time.Duration(r.IntN(30*24)) * time.Hour))
			if r.IntN(2) == 0 {
				f.published = secondPtr(f.answered.Add(time.Duration(r.IntN(72)) * time.Hour))
			}
		default:
			f.status = "refused"
			f.refused = secondPtr(rec.Add(time.Duration(r.IntN(6*24)) * time.Hour))
		}
		out[i] = f
	}
	return out
}

func insertFeedback(t testing.TB, db *gorm.DB, fs []genFeedback) {
	t.Helper()
	if len(fs) == 0 {
		return
	}
	opt := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	rows := make([]map[string]any, len(fs))
	for i, f := range fs {
		rows[i] = map[string]any{
			"code": f.code, "channel": f.channel, "category": f.category, "title": "Phản ánh thử", "content": "Nội dung",
			"status": f.status, "published": f.published != nil, "agency_code": opt(f.agency), "recorded_unit": opt(f.unit),
			"received_at": f.received.UTC(), "due_at": f.due.UTC(), "refuse_due_at": f.refuseDue.UTC(),
			"answered_at": utcOrNil(f.answered), "refused_at": utcOrNil(f.refused), "published_at": utcOrNil(f.published),
			"created_at": f.received.UTC(), "updated_at": f.received.UTC(),
		}
	}
	if err := db.Table("feedback").CreateInBatches(rows, 500).Error; err != nil {
		t.Fatalf("insert feedback: %v", err)
	}
}

// countedFeedback is the feedback report as the test counts it.
type countedFeedback struct {
	received                                         int64
	byChannel, byCategory, byStatus                  map[string]int64
	answered, answeredOnTime, refused, refusedOnTime int64
	published                                        int64
	open, openOverdue                                int64
}

// feedbackStatusAt is the status f had at instant at: the generated items
// have no history, so it follows from their answer and refusal times, and
// an item still open keeps its status.
func feedbackStatusAt(f genFeedback, at time.Time) string {
	switch {
	case f.answered != nil && f.answered.Before(at):
		return "answered"
	case f.refused != nil && f.refused.Before(at):
		return "refused"
	case f.status == "received" || f.status == "processing":
		return f.status
	}
	return "received"
}

// countFeedback counts the feedback of [start, end) judged at end (the
// generated periods have ended).
func countFeedback(fs []genFeedback, start, end time.Time, scope map[string]bool) countedFeedback {
	out := countedFeedback{byChannel: map[string]int64{"hotline": 0, "online": 0, "direct": 0, "mail": 0},
		byCategory: map[string]int64{"regulation": 0, "procedure": 0, "conduct": 0, "other": 0},
		byStatus:   map[string]int64{"received": 0, "processing": 0, "answered": 0, "refused": 0}}
	for _, f := range fs {
		if scope != nil && !scope[f.unit] && !scope[f.agency] {
			continue
		}
		if inPeriod(&f.received, start, end) {
			out.received++
			out.byChannel[f.channel]++
			out.byCategory[f.category]++
			st := feedbackStatusAt(f, end)
			out.byStatus[st]++
			if st == "received" || st == "processing" {
				out.open++
				if f.due.Before(end) {
					out.openOverdue++
				}
			}
		}
		if inPeriod(f.answered, start, end) {
			out.answered++
			if !f.answered.After(f.due) {
				out.answeredOnTime++
			}
		}
		if inPeriod(f.refused, start, end) {
			out.refused++
			if !f.refused.After(f.refuseDue) {
				out.refusedOnTime++
			}
		}
		if inPeriod(f.published, start, end) {
			out.published++
		}
	}
	return out
}

// genRating is one generated rating.
type genRating struct {
	dossier genDossier
	score   int
	at      time.Time
}

// generateRatings rates some of the returned dossiers a day after their
// resolution.
func generateRatings(seed uint64, ds []genDossier) []genRating {
	r := rand.New(rand.NewPCG(seed, 5))
	var out []genRating
	for _, d := range ds {
		if d.resolved != nil && r.IntN(5) < 2 {
			out = append(out, genRating{dossier: d, score: 1 + r.IntN(5), at: d.resolved.Add(24 * time.Hour)})
		}
	}
	return out
}

func insertRatings(t testing.TB, db *gorm.DB, rs []genRating) {
	t.Helper()
	if len(rs) == 0 {
		return
	}
	rows := make([]map[string]any, len(rs))
	for i, r := range rs {
		rows[i] = map[string]any{"dossier_id": r.dossier.id, "dossier_code": r.dossier.code, "score": r.score, "comment": "",
			"unit_code": r.dossier.unit, "agency_code": r.dossier.agency, "procedure_code": r.dossier.proc, "created_at": r.at.UTC()}
	}
	if err := db.Table("ratings").CreateInBatches(rows, 500).Error; err != nil {
		t.Fatalf("insert ratings: %v", err)
	}
}

// genPublication is one generated publication.
type genPublication struct {
	proc, kind string
	on         worktime.Date
}

func generatePublications(seed uint64, n int, from worktime.Date, days int) []genPublication {
	r := rand.New(rand.NewPCG(seed, 11))
	out := make([]genPublication, n)
	for i := range out {
		out[i] = genPublication{proc: worldProcedures[r.IntN(len(worldProcedures))].Code,
			kind: []string{"new", "amended", "abolished"}[r.IntN(3)], on: from.AddDays(r.IntN(days))}
	}
	return out
}

func insertPublications(t testing.TB, db *gorm.DB, ps []genPublication) {
	t.Helper()
	rows := make([]map[string]any, len(ps))
	for i, p := range ps {
		rows[i] = map[string]any{"procedure_code": p.proc, "kind": p.kind, "decision": fmt.Sprintf("%d/QĐ-UBND", i+1),
			"decided_on": p.on.String(), "created_at": time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}
	}
	if err := db.Table("procedure_publications").CreateInBatches(rows, 500).Error; err != nil {
		t.Fatalf("insert publications: %v", err)
	}
}

// statsWorld is a generated province-period: the dossiers, feedback, ratings
// and publications written to one server.
type statsWorld struct {
	dossiers     []genDossier
	feedback     []genFeedback
	ratings      []genRating
	publications []genPublication
}

// populate generates and stores a world around August 2021: dossiers from
// mid-May to mid-October (so some are carried over, some still open), plus
// the edge dossiers.
func populate(t testing.TB, s *apptest.Server, seed uint64, n int) statsWorld {
	t.Helper()
	from, to := time.Date(2021, 5, 15, 0, 0, 0, 0, apptest.Loc), time.Date(2021, 10, 15, 0, 0, 0, 0, apptest.Loc)
	w := statsWorld{dossiers: append(generateDossiers(seed, n, from, to), edgeDossiers()...)}
	insertDossiers(t, s.App.DB, w.dossiers)
	w.feedback = generateFeedback(seed, n/5, from, to)
	insertFeedback(t, s.App.DB, w.feedback)
	w.ratings = generateRatings(seed, w.dossiers)
	insertRatings(t, s.App.DB, w.ratings)
	w.publications = generatePublications(seed, 60, worktime.Date{Year: 2021, Month: 6, Day: 1}, 120)
	insertPublications(t, s.App.DB, w.publications)
	return w
}
