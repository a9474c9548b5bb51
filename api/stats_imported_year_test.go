package api_test

// The import acceptance test: a province-year is generated in Go
// over the demo catalogue with a seeded random source, imported through
// HTTP (procedures, dossiers, feedback), and every statistics endpoint is
// then compared, figure by figure, with an independent count over the same
// generated data. Satisfaction is not importable (docs/openapi.yaml has no ratings)
// and is not checked here.

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/domain/worktime"
)

// procedureJSON is a procedure as the test knows it (from the catalogue
// listing before the import, or generated).
type procedureJSON struct {
	Code                     string `json:"code"`
	Field                    string `json:"field"`
	AgencyCode               string `json:"agency_code"`
	Level                    string `json:"level"`
	OnlineLevel              string `json:"online_level"`
	OnSpotEligible           bool   `json:"on_spot_eligible"`
	NationalPortalIntegrated bool   `json:"national_portal_integrated"`
	Status                   string `json:"status"`
	ProcessingTime           struct {
		Value int    `json:"value"`
		Unit  string `json:"unit"`
	} `json:"processing_time"`
}

type publicationJSON struct {
	Kind      string `json:"kind"`
	Decision  string `json:"decision"`
	DecidedOn string `json:"decided_on"`
}

// importedDossier is one generated dossier; nil times have not happened.
type importedDossier struct {
	code, unit string
	proc       procedureJSON
	channel    string
	status     string
	onSpot     bool
	submitted  *time.Time
	received   *time.Time
	due        *time.Time // the statutory due time, given or as the calendar computes it
	dueGiven   bool
	resolved   *time.Time
	returned   *time.Time
	withdrawn  *time.Time
	stopped    *time.Time
	rejected   *time.Time
	outcome    string
}

func (d importedDossier) finished() *time.Time {
	for _, t := range []*time.Time{d.resolved, d.withdrawn, d.stopped} {
		if t != nil {
			return t
		}
	}
	return nil
}

type importedFeedback struct {
	code, channel, category, status, agency string
	received, due, refuseDue                time.Time
	dueGiven                                bool
	answered, refused, published            *time.Time
}

func rfc3339OrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.In(apptest.Loc).Format(time.RFC3339)
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.In(apptest.Loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, apptest.Loc)
}

// randomBetween is a random instant in [a, b), to the second (a when empty).
func randomBetween(r *rand.Rand, a, b time.Time) time.Time {
	secs := int64(b.Sub(a) / time.Second)
	if secs <= 0 {
		return a
	}
	return a.Add(time.Duration(r.Int64N(secs)) * time.Second)
}

// listAllProcedures reads the whole catalogue through the API.
func listAllProcedures(t *testing.T, s *apptest.Server) []procedureJSON {
	t.Helper()
	var all []procedureJSON
	for page := 1; ; page++ {
		var out struct {
			Items []procedureJSON `json:"items"`
			Total int             `json:"total"`
		}
		apptest.Want(t, s.Get(fmt.Sprintf("/api/v1/procedures?page=%d&page_size=500", page), s.Token("admin")), http.StatusOK).Decode(t, &out)
		all = append(all, out.Items...)
		if len(out.Items) == 0 || len(all) >= out.Total {
			return all
		}
	}
}

// provinceYear is the generated province-year.
type provinceYear struct {
	procedures    []procedureJSON // the catalogue after the import
	publications  map[string][]publicationJSON
	dossiers      []importedDossier
	feedback      []importedFeedback
	procLines     []string
	dossierLines  []string
	feedbackLines []string
}

var demoAgencyCodes = []string{demo.Justice, demo.Planning, demo.Industry, demo.Police, demo.District, demo.CommuneA, demo.CommuneB}

func generateProvinceYear(t *testing.T, s *apptest.Server, seed uint64) *provinceYear {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	cal, err := s.App.Catalog.Calendar(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	w := &provinceYear{procedures: listAllProcedures(t, s), publications: map[string][]publicationJSON{}}
	mustJSON := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	// Procedures: 40 new ones with their publications of 2020–2021.
	levels := []string{"province", "district", "commune"}
	onlines := []string{"info", "partial", "full"}
	units := []string{"working_days", "working_hours", "days"}
	kinds := []string{"new", "amended", "abolished"}
	for i := 0; i < 40; i++ {
		agency := demoAgencyCodes[r.IntN(len(demoAgencyCodes))]
		level := levels[r.IntN(3)]
		switch agency {
		case demo.District:
			level = "district"
		case demo.CommuneA, demo.CommuneB:
			level = "commune"
		}
		p := procedureJSON{Code: fmt.Sprintf("8.%06d", 100+i), Field: []string{"Tư pháp", "Đất đai", "Công thương", "Hộ tịch"}[r.IntN(4)],
			AgencyCode: agency, Level: level, OnlineLevel: onlines[r.IntN(3)], OnSpotEligible: r.IntN(3) == 0,
			NationalPortalIntegrated: r.IntN(2) == 0}
		p.ProcessingTime.Unit = units[r.IntN(3)]
		p.ProcessingTime.Value = 1 + r.IntN(15)
		var pubs []publicationJSON
		day := time.Date(2020, 1, 2, 0, 0, 0, 0, apptest.Loc).AddDate(0, 0, r.IntN(600))
		for k := 0; k < 1+r.IntN(3); k++ {
			kind := "new"
			if k > 0 {
				kind = kinds[1+r.IntN(2)]
			}
			pubs = append(pubs, publicationJSON{Kind: kind, Decision: fmt.Sprintf("%d/QĐ-UBND", 100+i*10+k), DecidedOn: day.Format("2006-01-02")})
			day = day.AddDate(0, 0, 1+r.IntN(200))
		}
		p.Status = "active"
		if pubs[len(pubs)-1].Kind == "abolished" {
			p.Status = "abolished"
		}
		line := map[string]any{"code": p.Code, "name": "Thủ tục thử " + p.Code, "field": p.Field, "agency_code": p.AgencyCode,
			"level": p.Level, "processing_time": p.ProcessingTime, "fee": 1000 * r.IntN(100), "online_level": p.OnlineLevel,
			"on_spot_eligible": p.OnSpotEligible, "national_portal_integrated": p.NationalPortalIntegrated, "publications": pubs}
		if r.IntN(2) == 0 {
			line["status"] = p.Status // given, and consistent; otherwise derived
		}
		w.procedures = append(w.procedures, p)
		w.publications[p.Code] = pubs
		w.procLines = append(w.procLines, mustJSON(line))
	}
	// A line for an existing demo procedure (a duplicate whatever it says) and a bad one.
	w.procLines = append(w.procLines,
		`{"code":"2.000488","name":"Khác hẳn","field":"X","agency_code":"`+demo.Police+`","level":"commune","processing_time":{"value":1,"unit":"days"},"online_level":"info","publications":[{"kind":"abolished","decision":"1","decided_on":"2021-06-01"}]}`,
		`{"code":"8.999999","name":"Không cơ quan","field":"X","agency_code":"NOWHERE","level":"province","processing_time":{"value":1,"unit":"days"},"online_level":"info","publications":[{"kind":"new","decision":"1","decided_on":"2021-06-01"}]}`)

	// Dossiers: received (or submitted) from October 2020 to December 2021.
	from := time.Date(2020, 10, 1, 0, 0, 0, 0, apptest.Loc)
	to := time.Date(2022, 1, 1, 0, 0, 0, 0, apptest.Loc)
	inProgress := []string{"received", "processing", "supplement_requested", "awaiting_payment"}
	perDay := map[string]int{}
	for i := 0; i < 3000; i++ {
		p := w.procedures[r.IntN(len(w.procedures))]
		d := importedDossier{proc: p}
		switch p.Level {
		case "province":
			d.unit = demo.Center
		case "district":
			d.unit = demo.District
		default:
			d.unit = p.AgencyCode
			if r.IntN(4) == 0 {
				d.unit = demo.District
			}
		}
		switch k := r.IntN(20); {
		case k < 9:
			d.channel = "direct"
		case k < 17:
			d.channel = "online"
		default:
			d.channel = "postal"
		}
		d.onSpot = p.OnSpotEligible && d.channel == "direct" && r.IntN(2) == 0
		base := randomBetween(r, from, to)
		switch k := r.IntN(100); {
		case k < 4:
			d.channel, d.onSpot, d.status = "online", false, "submitted"
			d.submitted = secondPtr(base)
		case k < 9:
			d.channel, d.onSpot, d.status = "online", false, "rejected"
			d.submitted = secondPtr(base)
			d.rejected = secondPtr(base.Add(time.Duration(r.IntN(72*3600)) * time.Second))
		case k < 11:
			d.channel, d.onSpot, d.status = "online", false, "withdrawn"
			d.submitted = secondPtr(base)
			d.withdrawn = secondPtr(base.Add(time.Duration(r.IntN(72*3600)) * time.Second))
		default:
			d.received = secondPtr(base)
			if d.channel == "online" && r.IntN(2) == 0 {
				d.submitted = secondPtr(base.Add(-time.Duration(r.IntN(48*3600)) * time.Second))
			}
			if r.IntN(2) == 0 {
				d.dueGiven = true
				d.due = secondPtr(d.received.Add(time.Duration(3600+r.IntN(20*24*3600)) * time.Second))
			} else {
				due := cal.DueAt(*d.received, worktime.Duration{Value: p.ProcessingTime.Value, Unit: worktime.Unit(p.ProcessingTime.Unit)})
				d.due = &due
			}
			switch f := r.IntN(100); {
			case f < 22:
				d.status = inProgress[r.IntN(4)]
			case f < 80:
				d.status = "resolved"
				if r.IntN(2) == 0 {
					d.status = "returned"
				}
				d.outcome = []string{"approved", "denied"}[r.IntN(2)]
				due := *d.due
				switch c := r.IntN(3); {
				case d.onSpot:
					d.resolved = secondPtr(d.received.Add(time.Duration(r.IntN(4*3600)) * time.Second))
				case c == 0 && startOfDay(due).After(*d.received): // early
					d.resolved = secondPtr(randomBetween(r, *d.received, startOfDay(due)))
				case c <= 1: // on the due day, by the due time
					start := startOfDay(due)
					if start.Before(*d.received) {
						start = *d.received
					}
					d.resolved = secondPtr(randomBetween(r, start, due))
				default: // late
					d.resolved = secondPtr(due.Add(time.Duration(1+r.IntN(20*24*3600)) * time.Second))
				}
				if d.status == "returned" {
					d.returned = secondPtr(d.resolved.Add(time.Duration(r.IntN(5*24*3600)) * time.Second))
				}
			case f < 90:
				d.status = "withdrawn"
				d.withdrawn = secondPtr(d.received.Add(time.Duration(r.IntN(40*24*3600)) * time.Second))
			default:
				d.status = "stopped"
				d.stopped = secondPtr(d.received.Add(time.Duration(r.IntN(40*24*3600)) * time.Second))
			}
		}
		first := d.received
		if d.submitted != nil {
			first = d.submitted
		}
		day := first.In(apptest.Loc).Format("060102")
		perDay[d.unit+day]++
		d.code = fmt.Sprintf("%s-%s-%04d", d.unit, day, perDay[d.unit+day])
		line := map[string]any{"code": d.code, "procedure_code": p.Code, "unit_code": d.unit, "channel": d.channel,
			"status": d.status, "on_spot": d.onSpot,
			"applicant":    map[string]any{"name": fmt.Sprintf("Công dân %d", i), "id_number": fmt.Sprintf("0%011d", 10000000+i)},
			"submitted_at": rfc3339OrNil(d.submitted), "received_at": rfc3339OrNil(d.received), "resolved_at": rfc3339OrNil(d.resolved),
			"returned_at": rfc3339OrNil(d.returned), "withdrawn_at": rfc3339OrNil(d.withdrawn), "stopped_at": rfc3339OrNil(d.stopped),
			"rejected_at": rfc3339OrNil(d.rejected)}
		if d.dueGiven {
			line["due_at"] = rfc3339OrNil(d.due)
		}
		if d.outcome != "" {
			line["outcome"] = d.outcome
		}
		for k, v := range line {
			if v == nil {
				delete(line, k)
			}
		}
		w.dossiers = append(w.dossiers, d)
		w.dossierLines = append(w.dossierLines, mustJSON(line))
	}
	// Bad lines and a duplicate, which change no figure.
	w.dossierLines = append(w.dossierLines,
		strings.Replace(w.dossierLines[0], `"status":"`, `"status":"x`, 1),
		`{"code":"BAD-1","procedure_code":"0.000000","unit_code":"`+demo.Center+`","channel":"direct","status":"received","applicant":{"name":"A"},"received_at":"2021-05-05T08:00:00+07:00"}`,
		strings.Replace(w.dossierLines[1], `"applicant":{"name":"`, `"applicant":{"name":"Trùng `, 1))
	r.Shuffle(len(w.dossierLines), func(i, j int) { w.dossierLines[i], w.dossierLines[j] = w.dossierLines[j], w.dossierLines[i] })

	// Feedback of 2021.
	channels := []string{"hotline", "online", "direct", "mail"}
	categories := []string{"regulation", "procedure", "conduct", "other"}
	for i := 0; i < 400; i++ {
		f := importedFeedback{code: fmt.Sprintf("PAKN-IMP-%04d", i), channel: channels[r.IntN(4)], category: categories[r.IntN(4)],
			received: randomBetween(r, time.Date(2021, 1, 1, 0, 0, 0, 0, apptest.Loc), time.Date(2022, 1, 1, 0, 0, 0, 0, apptest.Loc))}
		if r.IntN(3) > 0 {
			f.agency = demoAgencyCodes[r.IntN(len(demoAgencyCodes))]
		}
		f.refuseDue = cal.DueAt(f.received, worktime.Duration{Value: 2, Unit: worktime.WorkingDays})
		if r.IntN(3) == 0 {
			f.dueGiven = true
			f.due = f.received.Add(time.Duration(r.IntN(20*24)) * time.Hour)
		} else {
			f.due = cal.DueAt(f.received, worktime.Duration{Value: 15, Unit: worktime.WorkingDays})
		}
		switch k := r.IntN(10); {
		case k < 2:
			f.status = "received"
		case k < 4 && f.agency != "":
			f.status = "processing"
		case k < 8:
			f.status = "answered"
			f.answered = secondPtr(f.received.Add(time.Duration(r.IntN(30*24*3600)) * time.Second))
			if r.IntN(2) == 0 {
				f.published = secondPtr(f.answered.Add(time.Duration(r.IntN(3*24*3600)) * time.Second))
			}
		default:
			f.status = "refused"
			f.refused = secondPtr(f.received.Add(time.Duration(r.IntN(6*24*3600)) * time.Second))
		}
		if f.status == "" {
			f.status = "received"
		}
		line := map[string]any{"code": f.code, "channel": f.channel, "category": f.category, "title": "Phản ánh " + f.code,
			"content": "Nội dung phản ánh", "status": f.status, "received_at": rfc3339OrNil(&f.received),
			"sender": map[string]any{"name": "Người gửi"}}
		if f.agency != "" {
			line["agency_code"] = f.agency
		}
		if r.IntN(2) == 0 {
			line["unit_code"] = demo.Center
		}
		if f.dueGiven {
			line["due_at"] = rfc3339OrNil(&f.due)
		}
		if f.answered != nil {
			line["answered_at"], line["answer"] = rfc3339OrNil(f.answered), "Câu trả lời"
		}
		if f.refused != nil {
			line["refused_at"], line["refusal_reason"] = rfc3339OrNil(f.refused), "Không thuộc phạm vi"
		}
		if f.published != nil {
			line["published_at"], line["published"] = rfc3339OrNil(f.published), true
		}
		w.feedback = append(w.feedback, f)
		w.feedbackLines = append(w.feedbackLines, mustJSON(line))
	}
	w.feedbackLines = append(w.feedbackLines, `{"code":"PAKN-BAD","channel":"hotline","category":"other","title":"T","content":"C","status":"answered","received_at":"2021-05-05T08:00:00+07:00"}`)
	return w
}

// ---- the independent count

type reportPeriod struct {
	query      string
	start, end time.Time
	from, to   string
}

func monthPeriod(y int, m time.Month) reportPeriod {
	start := time.Date(y, m, 1, 0, 0, 0, 0, apptest.Loc)
	end := start.AddDate(0, 1, 0)
	return reportPeriod{query: fmt.Sprintf("month=%04d-%02d", y, int(m)), start: start, end: end,
		from: start.Format("2006-01-02"), to: end.AddDate(0, 0, -1).Format("2006-01-02")}
}

func yearPeriod(y int) reportPeriod {
	start := time.Date(y, 1, 1, 0, 0, 0, 0, apptest.Loc)
	return reportPeriod{query: fmt.Sprintf("from=%04d-01-01&to=%04d-12-31", y, y), start: start, end: start.AddDate(1, 0, 0),
		from: fmt.Sprintf("%04d-01-01", y), to: fmt.Sprintf("%04d-12-31", y)}
}

func (p reportPeriod) has(t *time.Time) bool {
	return t != nil && !t.Before(p.start) && t.Before(p.end)
}

// wantRateHalfUp checks numerator, denominator and the value rounded half-up
// to 2 decimals (computed here with integers).
func wantRateHalfUp(t *testing.T, what string, got rateJSON, num, den int64) {
	t.Helper()
	if got.Numerator != num || got.Denominator != den {
		t.Errorf("%s: rate %d/%d, want %d/%d", what, got.Numerator, got.Denominator, num, den)
		return
	}
	if den == 0 {
		if got.Value != nil {
			t.Errorf("%s: value %v with denominator 0, want null", what, *got.Value)
		}
		return
	}
	h := (num*10000*2 + den) / (2 * den) // half-up
	if got.Value == nil || int64(math.Round(*got.Value*100)) != h {
		t.Errorf("%s: value %v, want %d.%02d", what, got.Value, h/100, h%100)
	}
}

// form06Row is one row of form 06: its group and the figures of
// stats_test.go.
type form06Row struct {
	Group string `json:"group"`
	figuresJSON
}

// counts returns f's counted columns with the rates blanked, for comparing.
func (f form06Row) counts() form06Row {
	f.OnTimeRate, f.OnlineRate, f.OnSpotRate = rateJSON{}, rateJSON{}, rateJSON{}
	return f
}

// countImportedForm06 counts form 06 per group over the generated dossiers, by
// docs/domain.md's definitions.
func countImportedForm06(ds []importedDossier, p reportPeriod, group func(importedDossier) string) (map[string]*form06Row, *form06Row) {
	rows := map[string]*form06Row{}
	total := &form06Row{}
	for _, d := range ds {
		fin := d.finished()
		relevant := d.received != nil && d.received.Before(p.end) && (fin == nil || !fin.Before(p.start)) || p.has(d.rejected)
		if !relevant {
			continue
		}
		g := group(d)
		row := rows[g]
		if row == nil {
			row = &form06Row{Group: g}
			rows[g] = row
		}
		for _, f := range []*form06Row{row, total} {
			if d.received != nil {
				switch {
				case d.received.Before(p.start):
					f.CarriedOver++
				case d.channel == "online":
					f.ReceivedOnline++
				default:
					f.ReceivedDirectPostal++
				}
				if p.has(d.resolved) {
					f.ResolvedTotal++
					switch timelinessOf(*d.resolved, *d.due) {
					case "early":
						f.ResolvedEarly++
					case "on_time":
						f.ResolvedOnTime++
					default:
						f.ResolvedLate++
					}
					if d.onSpot {
						f.OnSpotResolved++
					}
				}
				if fin == nil || !fin.Before(p.end) {
					if d.due.Before(p.end) {
						f.InProgressOverdue++
					} else {
						f.InProgressWithin++
					}
				}
				if p.has(d.withdrawn) {
					f.Withdrawn++
				}
				if p.has(d.stopped) {
					f.Stopped++
				}
			}
			if p.has(d.rejected) {
				f.Rejected++
			}
		}
	}
	for _, f := range append(mapValues(rows), total) {
		f.ReceivedTotal = f.CarriedOver + f.ReceivedOnline + f.ReceivedDirectPostal
		f.InProgressTotal = f.InProgressWithin + f.InProgressOverdue
	}
	return rows, total
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func checkRow(t *testing.T, what string, got, want form06Row) {
	t.Helper()
	g, w := got.counts(), want.counts()
	g.Group, w.Group = "", ""
	if g != w {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, w)
	}
	wantRateHalfUp(t, what+" on_time_rate", got.OnTimeRate, want.ResolvedEarly+want.ResolvedOnTime, want.ResolvedTotal)
	wantRateHalfUp(t, what+" online_rate", got.OnlineRate, want.ReceivedOnline, want.ReceivedOnline+want.ReceivedDirectPostal)
	wantRateHalfUp(t, what+" on_spot_rate", got.OnSpotRate, want.OnSpotResolved, want.ResolvedTotal)
	if got.ReceivedTotal != got.CarriedOver+got.ReceivedOnline+got.ReceivedDirectPostal ||
		got.ReceivedTotal != got.ResolvedTotal+got.InProgressTotal+got.Withdrawn+got.Stopped {
		t.Errorf("%s: identities fail: %+v", what, got)
	}
}

// TestImportedProvinceYearStatistics is the import acceptance test.
func TestImportedProvinceYearStatistics(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{})
	w := generateProvinceYear(t, s, 2021)
	admin := s.Token("admin")

	r := runImport(t, s, "procedures", strings.Join(w.procLines, "\n"))
	if r.Imported != 40 || r.SkippedDuplicates != 1 || r.ErrorsTotal != 1 {
		t.Fatalf("procedures import %+v", r)
	}
	// The dossiers in two requests, the second overlapping the first.
	half := len(w.dossierLines) / 2
	r1 := runImport(t, s, "dossiers", strings.Join(w.dossierLines[:half+100], "\n")+"\n")
	r2 := runImport(t, s, "dossiers", strings.Join(w.dossierLines[half:], "\n"))
	if got := r1.Imported + r2.Imported; got != int64(len(w.dossiers)) || r1.ErrorsTotal+r2.ErrorsTotal != 2 ||
		r1.SkippedDuplicates+r2.SkippedDuplicates != 101 {
		t.Fatalf("dossier imports %+v %+v: imported %d of %d", r1, r2, got, len(w.dossiers))
	}
	r = runImport(t, s, "feedback", strings.Join(w.feedbackLines, "\n"))
	if r.Imported != int64(len(w.feedback)) || r.ErrorsTotal != 1 {
		t.Fatalf("feedback import %+v", r)
	}

	// due_at computed from the calendar when absent: as the test computed it.
	checked := 0
	for _, d := range w.dossiers {
		if d.received == nil || d.dueGiven || checked == 5 {
			continue
		}
		checked++
		got := apptest.Want(t, s.Get("/api/v1/dossiers/"+d.code, admin), http.StatusOK).JSON(t)
		if got["due_at"] != d.due.In(apptest.Loc).Format(time.RFC3339) || got["status"] != d.status {
			t.Errorf("%s: due_at %v status %v, want %v %s", d.code, got["due_at"], got["status"], d.due.In(apptest.Loc), d.status)
		}
	}

	groups := map[string]func(importedDossier) string{
		"unit":      func(d importedDossier) string { return d.unit },
		"agency":    func(d importedDossier) string { return d.proc.AgencyCode },
		"procedure": func(d importedDossier) string { return d.proc.Code },
		"field":     func(d importedDossier) string { return d.proc.Field },
		"level":     func(d importedDossier) string { return d.proc.Level },
		"channel":   func(d importedDossier) string { return d.channel },
	}
	periods := []reportPeriod{yearPeriod(2021), monthPeriod(2021, 8), monthPeriod(2021, 1), yearPeriod(2020)}
	for _, p := range periods {
		for name, group := range groups {
			var got struct {
				Rows  []form06Row `json:"rows"`
				Total form06Row   `json:"total"`
			}
			apptest.Want(t, s.Get("/api/v1/stats/dossiers?group_by="+name+"&"+p.query, admin), http.StatusOK).Decode(t, &got)
			wantRows, wantTotal := countImportedForm06(w.dossiers, p, group)
			what := p.query + " by " + name
			checkRow(t, what+" total", got.Total, *wantTotal)
			seen := map[string]bool{}
			for _, row := range got.Rows {
				want, ok := wantRows[row.Group]
				if !ok {
					t.Errorf("%s: unexpected row %q", what, row.Group)
					continue
				}
				seen[row.Group] = true
				checkRow(t, what+" row "+row.Group, row, *want)
			}
			for g := range wantRows {
				if !seen[g] {
					t.Errorf("%s: row %q missing", what, g)
				}
			}
		}
		if p.query == yearPeriod(2021).query {
			var got struct {
				Total form06Row `json:"total"`
			}
			apptest.Want(t, s.Get("/api/v1/stats/dossiers?"+p.query, admin), http.StatusOK).Decode(t, &got)
			if got.Total.ReceivedTotal < 2000 || got.Total.ResolvedEarly == 0 || got.Total.ResolvedOnTime == 0 ||
				got.Total.ResolvedLate == 0 || got.Total.CarriedOver == 0 || got.Total.Withdrawn == 0 || got.Total.Stopped == 0 ||
				got.Total.Rejected == 0 || got.Total.OnSpotResolved == 0 || got.Total.InProgressOverdue == 0 || got.Total.InProgressWithin == 0 {
				t.Errorf("the generated year does not exercise every column: %+v", got.Total)
			}
		}
		checkImportedOnline(t, s, admin, w, p)
		checkImportedFeedback(t, s, admin, w, p)
		checkImportedProcedures(t, s, admin, w, p)
	}
}

func checkImportedOnline(t *testing.T, s *apptest.Server, admin string, w *provinceYear, p reportPeriod) {
	t.Helper()
	type level struct {
		services, dossiers, online int64
	}
	want := map[string]*level{}
	get := func(l string) *level {
		if want[l] == nil {
			want[l] = &level{}
		}
		return want[l]
	}
	var integrated, base int64
	for _, pr := range w.procedures {
		if pr.Status != "active" {
			continue
		}
		get(pr.OnlineLevel).services++
		if pr.OnlineLevel == "partial" || pr.OnlineLevel == "full" {
			base++
			if pr.NationalPortalIntegrated {
				integrated++
			}
		}
	}
	for _, d := range w.dossiers {
		if p.has(d.received) {
			l := get(d.proc.OnlineLevel)
			l.dossiers++
			if d.channel == "online" {
				l.online++
			}
		}
	}
	var got struct {
		Levels []struct {
			OnlineLevel    string   `json:"online_level"`
			Services       int64    `json:"services"`
			Dossiers       int64    `json:"dossiers"`
			DossiersOnline int64    `json:"dossiers_online"`
			OnlineRate     rateJSON `json:"online_rate"`
		} `json:"levels"`
		Integration rateJSON `json:"national_portal_integration"`
	}
	apptest.Want(t, s.Get("/api/v1/stats/online?"+p.query, admin), http.StatusOK).Decode(t, &got)
	what := p.query + " online"
	if len(got.Levels) != len(want) {
		t.Errorf("%s: %d levels, want %d", what, len(got.Levels), len(want))
	}
	for _, l := range got.Levels {
		wl := want[l.OnlineLevel]
		if wl == nil {
			t.Errorf("%s: unexpected level %q", what, l.OnlineLevel)
			continue
		}
		if l.Services != wl.services || l.Dossiers != wl.dossiers || l.DossiersOnline != wl.online {
			t.Errorf("%s %s: services %d dossiers %d online %d, want %d %d %d", what, l.OnlineLevel, l.Services, l.Dossiers,
				l.DossiersOnline, wl.services, wl.dossiers, wl.online)
		}
		wantRateHalfUp(t, what+" "+l.OnlineLevel, l.OnlineRate, wl.online, wl.dossiers)
	}
	wantRateHalfUp(t, what+" integration", got.Integration, integrated, base)
}

func checkImportedFeedback(t *testing.T, s *apptest.Server, admin string, w *provinceYear, p reportPeriod) {
	t.Helper()
	var want struct {
		received, answered, answeredOnTime, refused, refusedOnTime, published int64
		byChannel, byCategory, byStatus                                       map[string]int64
	}
	want.byChannel, want.byCategory, want.byStatus = map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, f := range w.feedback {
		if p.has(&f.received) {
			want.received++
			want.byChannel[f.channel]++
			want.byCategory[f.category]++
			// The status at the period's end (every period here has
			// ended): answered or refused before it, else still open.
			switch st := f.status; {
			case f.answered != nil && f.answered.Before(p.end):
				want.byStatus["answered"]++
			case f.refused != nil && f.refused.Before(p.end):
				want.byStatus["refused"]++
			case st == "received" || st == "processing":
				want.byStatus[st]++
			default: // answered or refused later; the import knows no assignment time
				want.byStatus["received"]++
			}
		}
		if p.has(f.answered) {
			want.answered++
			if !f.answered.After(f.due) {
				want.answeredOnTime++
			}
		}
		if p.has(f.refused) {
			want.refused++
			if !f.refused.After(f.refuseDue) {
				want.refusedOnTime++
			}
		}
		if p.has(f.published) {
			want.published++
		}
	}
	var got struct {
		Received       int64            `json:"received"`
		ByChannel      map[string]int64 `json:"by_channel"`
		ByCategory     map[string]int64 `json:"by_category"`
		ByStatus       map[string]int64 `json:"by_status"`
		Answered       int64            `json:"answered"`
		AnsweredOnTime int64            `json:"answered_on_time"`
		Refused        int64            `json:"refused"`
		RefusedOnTime  int64            `json:"refused_on_time"`
		OnTimeRate     rateJSON         `json:"on_time_rate"`
		Published      int64            `json:"published"`
	}
	apptest.Want(t, s.Get("/api/v1/stats/feedback?"+p.query, admin), http.StatusOK).Decode(t, &got)
	what := p.query + " feedback"
	if got.Received != want.received || got.Answered != want.answered || got.AnsweredOnTime != want.answeredOnTime ||
		got.Refused != want.refused || got.RefusedOnTime != want.refusedOnTime || got.Published != want.published {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
	for name, pair := range map[string][2]map[string]int64{"by_channel": {got.ByChannel, want.byChannel},
		"by_category": {got.ByCategory, want.byCategory}, "by_status": {got.ByStatus, want.byStatus}} {
		if !sameCounts(pair[0], pair[1]) {
			t.Errorf("%s %s: got %v, want %v", what, name, pair[0], pair[1])
		}
	}
	wantRateHalfUp(t, what+" on_time_rate", got.OnTimeRate, want.answeredOnTime+want.refusedOnTime, want.answered+want.refused)
	if p.query == yearPeriod(2021).query && (want.answeredOnTime == 0 || want.answeredOnTime == want.answered ||
		want.refusedOnTime == 0 || want.refusedOnTime == want.refused || want.published == 0) {
		t.Errorf("the generated feedback does not exercise on-time and late: %+v", want)
	}
}

// sameCounts compares two count maps, a missing key counting 0.
func sameCounts(a, b map[string]int64) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

func checkImportedProcedures(t *testing.T, s *apptest.Server, admin string, w *provinceYear, p reportPeriod) {
	t.Helper()
	pubs := map[string]int64{}
	var pubTotal int64
	for _, list := range w.publications {
		for _, x := range list {
			if x.DecidedOn >= p.from && x.DecidedOn <= p.to {
				pubs[x.Kind]++
				pubTotal++
			}
		}
	}
	var active int64
	byLevel, byOnline, onSpot := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, pr := range w.procedures {
		if pr.Status != "active" {
			continue
		}
		active++
		byLevel[pr.Level]++
		byOnline[pr.OnlineLevel]++
		if pr.OnSpotEligible {
			onSpot[pr.AgencyCode]++
		}
	}
	var got struct {
		Publications      map[string]int64 `json:"publications"`
		PublicationsTotal int64            `json:"publications_total"`
		Active            int64            `json:"active"`
		ByLevel           map[string]int64 `json:"by_level"`
		ByOnlineLevel     map[string]int64 `json:"by_online_level"`
		OnSpotEligible    struct {
			Total    int64 `json:"total"`
			ByAgency []struct {
				AgencyCode string `json:"agency_code"`
				Count      int64  `json:"count"`
			} `json:"by_agency"`
		} `json:"on_spot_eligible"`
	}
	apptest.Want(t, s.Get("/api/v1/stats/procedures?"+p.query, admin), http.StatusOK).Decode(t, &got)
	what := p.query + " procedures"
	gotOnSpot := map[string]int64{}
	for _, a := range got.OnSpotEligible.ByAgency {
		gotOnSpot[a.AgencyCode] = a.Count
	}
	var onSpotTotal int64
	for _, n := range onSpot {
		onSpotTotal += n
	}
	if !sameCounts(got.Publications, pubs) || got.PublicationsTotal != pubTotal || got.Active != active ||
		!sameCounts(got.ByLevel, byLevel) || !sameCounts(got.ByOnlineLevel, byOnline) ||
		!sameCounts(gotOnSpot, onSpot) || got.OnSpotEligible.Total != onSpotTotal {
		t.Errorf("%s:\n got %+v\nwant publications %v (%d), active %d, by level %v, by online level %v, on spot %v",
			what, got, pubs, pubTotal, active, byLevel, byOnline, onSpot)
	}
	if p.query == yearPeriod(2021).query && (pubs["new"] == 0 || pubs["amended"] == 0 || pubs["abolished"] == 0) {
		t.Errorf("the generated publications do not cover every kind in 2021: %v", pubs)
	}
}
