package stats

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// The service index of Decision 766/QĐ-TTg (docs/domain.md "The service
// index"): seventeen indicators in five groups, each a rate scored against
// its maximum points, computed over form 06's population for a period and a
// scope.

// IndexFormulaVersion names the formulas this package computes; it changes
// whenever a formula does, so that figures of different versions are not
// compared.
const IndexFormulaVersion = "766/2022-motcua.1"

// IndexGroup is one of the Decision's five groups and its fixed total.
type IndexGroup struct {
	Group  int
	Name   string
	Points int
}

// IndexGroups are the Decision's groups in order; their totals (100 in
// all) are fixed by the Decision.
var IndexGroups = []IndexGroup{
	{1, "Công khai, minh bạch", 18},
	{2, "Tiến độ, kết quả giải quyết", 20},
	{3, "Cung cấp dịch vụ trực tuyến", 22},
	{4, "Mức độ số hóa hồ sơ", 22},
	{5, "Mức độ hài lòng", 18},
}

// IndicatorDef is one indicator of the index: its id, key and Vietnamese
// name, its group, the rate at which it reaches its full points (FullAt,
// a percentage; 0 for an indicator without a score) and its default
// points. Missing, when set, is why motcua cannot compute it.
type IndicatorDef struct {
	ID      string
	Key     string
	Name    string
	Group   int
	FullAt  int64
	Points  int
	Missing string
}

// Scored reports whether the indicator carries points (2.2 is informational).
func (d IndicatorDef) Scored() bool { return d.FullAt > 0 }

// Reasons an indicator is unavailable.
const (
	missingEffectiveDate  = "chưa có dữ liệu ngày có hiệu lực của văn bản quy định thủ tục hành chính"
	missingDisclosureDate = "chưa có dữ liệu ngày công khai thủ tục hành chính trên Cơ sở dữ liệu quốc gia"
	missingParts          = "chưa có dữ liệu các bộ phận tạo thành của thủ tục hành chính (trình tự, cách thức, thành phần, thời hạn, đối tượng, cơ quan thực hiện)"
	missingPaymentPlatfm  = "chưa có dữ liệu tích hợp thủ tục hành chính với Nền tảng thanh toán trực tuyến"
)

// Indicators are the index's indicators in the answer's order, with
// motcua's default points (MOTCUA_SERVICE_INDEX_POINTS overrides them).
var Indicators = []IndicatorDef{
	{"1.1", "published_on_time", "TTHC công bố đúng hạn", 1, 100, 4, missingEffectiveDate},
	{"1.2", "disclosed_on_time", "TTHC công khai đúng hạn trên CSDL quốc gia", 1, 100, 4, missingDisclosureDate},
	{"1.3", "complete_procedures", "TTHC công khai đủ bộ phận tạo thành", 1, 100, 4, missingParts},
	{"1.4", "dossier_sync", "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG", 1, 100, 6, ""},
	{"2.1", "on_time", "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn", 2, 100, 20, ""},
	{"2.2", "average_time", "Thời gian giải quyết trung bình", 2, 0, 0, ""},
	{"3.1", "online_services", "TTHC cung cấp DVC trực tuyến", 3, 80, 4, ""},
	{"3.2", "online_services_used", "DVC trực tuyến có phát sinh hồ sơ", 3, 100, 4, ""},
	{"3.3", "online_submission", "Tỷ lệ hồ sơ nộp trực tuyến", 3, 50, 6, ""},
	{"3.5", "payment_integrated", "TTHC tích hợp thanh toán trực tuyến", 3, 100, 4, missingPaymentPlatfm},
	{"3.6", "online_payment", "Tỷ lệ hồ sơ thanh toán trực tuyến", 3, 100, 4, ""},
	{"4.1", "e_result", "Tỷ lệ cấp kết quả điện tử", 4, 100, 6, ""},
	{"4.2", "digitisation", "Tỷ lệ số hóa hồ sơ", 4, 80, 8, ""},
	{"4.3", "reuse", "Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa", 4, 80, 8, ""},
	{"5.2", "feedback_on_time", "Tỷ lệ PAKN xử lý đúng hạn", 5, 100, 6, ""},
	{"5.3", "feedback_satisfaction", "Tỷ lệ hài lòng trong xử lý PAKN", 5, 100, 6, ""},
	{"5.4", "procedure_satisfaction", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", 5, 90, 6, ""},
}

// IndexPoints are the maximum points of the scored indicators, by id.
type IndexPoints map[string]int

// DefaultIndexPoints are the points of Indicators.
func DefaultIndexPoints() IndexPoints {
	p := IndexPoints{}
	for _, d := range Indicators {
		if d.Scored() {
			p[d.ID] = d.Points
		}
	}
	return p
}

// MaxIndicatorPoints bounds one indicator's points.
const MaxIndicatorPoints = 100

// IndexPointsWith returns the default points with overrides applied. It
// returns an error naming every override that is not a scored indicator
// or not 0..100, and every group whose points then exceed its total.
func IndexPointsWith(overrides map[string]int) (IndexPoints, error) {
	p := DefaultIndexPoints()
	var problems []string
	ids := make([]string, 0, len(overrides))
	for id := range overrides {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		v := overrides[id]
		if _, ok := p[id]; !ok {
			problems = append(problems, fmt.Sprintf("%q is not a scored indicator of the index", id))
			continue
		}
		if v < 0 || v > MaxIndicatorPoints {
			problems = append(problems, fmt.Sprintf("%s: points must be 0 to %d", id, MaxIndicatorPoints))
			continue
		}
		p[id] = v
	}
	for _, g := range IndexGroups {
		sum := 0
		for _, d := range Indicators {
			if d.Group == g.Group {
				sum += p[d.ID]
			}
		}
		if sum > g.Points {
			problems = append(problems, fmt.Sprintf("group %d: its indicators' points add up to %d, more than its %d", g.Group, sum, g.Points))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("service index points: %s", strings.Join(problems, "; "))
	}
	return p, nil
}

// ParseIndexPoints reads "id=points" pairs separated by commas
// ("3.3=6,4.2=8"); spaces around items are ignored, "" is no override.
func ParseIndexPoints(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		id, v, ok := strings.Cut(item, "=")
		id = strings.TrimSpace(id)
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || id == "" || err != nil {
			return nil, fmt.Errorf("%q is not id=points with whole points", item)
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("%s is given twice", id)
		}
		out[id] = n
	}
	return out, nil
}

// ---- the 766 on-time rule, as a pure function (the reference of the
// Store's aggregate query)

// Supplement is one supplement request of a dossier: when it was made, the
// dossier's statutory due time then (nil when unknown), and when the
// applicant supplied the papers (nil while waiting, or never when the
// dossier ended waiting).
type Supplement struct {
	RequestedAt time.Time
	DueAt       *time.Time
	SuppliedAt  *time.Time
}

// IndexDossier is what the 766 rule reads of a dossier: its times now and
// its supplement requests, oldest first.
type IndexDossier struct {
	ReceivedAt  *time.Time
	DueAt       *time.Time
	ResolvedAt  *time.Time
	WithdrawnAt *time.Time
	StoppedAt   *time.Time
	Supplements []Supplement
}

func before(t *time.Time, at time.Time) bool { return t != nil && t.Before(at) }

// InIndexPopulation reports whether d is in form 06's received_total for
// [start, end): received before the end and not resolved, withdrawn or
// stopped before the start.
func InIndexPopulation(d IndexDossier, start, end time.Time) bool {
	if !before(d.ReceivedAt, end) {
		return false
	}
	for _, t := range []*time.Time{d.ResolvedAt, d.WithdrawnAt, d.StoppedAt} {
		if before(t, start) {
			return false
		}
	}
	return true
}

// DueAtAsOf is d's statutory due time as it stood at asof. Only a supply
// moves it, later, so it is the due time recorded at the requests not yet
// supplied by asof — the earliest of them — or the current one when every
// request was supplied before then (or none of the others has a recorded
// due time: requests from before the index existed).
func (d IndexDossier) DueAtAsOf(asof time.Time) *time.Time {
	var due *time.Time
	for _, s := range d.Supplements {
		if !before(s.SuppliedAt, asof) && s.DueAt != nil && (due == nil || s.DueAt.Before(*due)) {
			due = s.DueAt
		}
	}
	if due == nil {
		return d.DueAt
	}
	return due
}

// OnTime766 applies the 766 rule to a dossier of the population as it stood
// at asof (the period's end, or now if earlier). Its end is, in priority:
// the resolution; the withdrawal or stop; when it was waiting for a
// supplement at asof, the time of that request — but it is late whatever
// the times when supplements were requested more than once by asof; else
// asof itself. It is on time when the end is not after the due time as it
// stood at asof; a dossier without a due time (history without a clock) is
// on time.
func OnTime766(d IndexDossier, asof time.Time) bool {
	due := d.DueAtAsOf(asof)
	end := asof
	switch {
	case before(d.ResolvedAt, asof):
		end = *d.ResolvedAt
	case before(d.WithdrawnAt, asof):
		end = *d.WithdrawnAt
	case before(d.StoppedAt, asof):
		end = *d.StoppedAt
	default:
		requests := 0
		var waiting *time.Time
		for i := range d.Supplements {
			s := d.Supplements[i]
			if !s.RequestedAt.Before(asof) {
				continue
			}
			requests++
			if !before(s.SuppliedAt, asof) {
				waiting = &d.Supplements[i].RequestedAt
			}
		}
		if waiting != nil {
			if requests > 1 {
				return false
			}
			end = *waiting
		}
	}
	return due == nil || !end.After(*due)
}

// ResolvedSpan is a dossier resolved in the period for 2.2: its receipt,
// its resolution and its supplement waits (request to supply, or to the
// resolution when never supplied).
type ResolvedSpan struct {
	ReceivedAt time.Time
	ResolvedAt time.Time
	Waits      []Supplement
}

// WorkingTimer answers the working time inside [a, b): a
// *worktime.Calendar, or a WorkClock over one.
type WorkingTimer interface {
	WorkingBetween(a, b time.Time) time.Duration
}

// WorkedTime is the working time the clock ran for s: the working time
// from receipt to resolution less that of its supplement waits.
func WorkedTime(cal WorkingTimer, s ResolvedSpan) time.Duration {
	w := cal.WorkingBetween(s.ReceivedAt, s.ResolvedAt)
	for _, x := range s.Waits {
		from, to := x.RequestedAt, s.ResolvedAt
		if x.SuppliedAt != nil && x.SuppliedAt.Before(to) {
			to = *x.SuppliedAt
		}
		if from.Before(s.ReceivedAt) {
			from = s.ReceivedAt
		}
		w -= cal.WorkingBetween(from, to)
	}
	return max(w, 0)
}

// WorkClock answers WorkingBetween like its calendar, in constant time for
// any span: working time is a measure of instants, so the working time of
// [a, b) is W(b) − W(a) where W(t) is the working time from a fixed midnight
// to t; W of each local midnight is kept as it is first needed, and only
// the part of t's own day is computed. Not safe for concurrent use.
type WorkClock struct {
	cal  *worktime.Calendar
	loc  *time.Location
	base worktime.Date
	// cum[i] is W at the midnight base + first + i.
	first int
	cum   []time.Duration
}

// NewWorkClock returns a clock over cal.
func NewWorkClock(cal *worktime.Calendar) *WorkClock {
	return &WorkClock{cal: cal, loc: cal.Location()}
}

func (w *WorkClock) midnight(d worktime.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, w.loc)
}

// dayWork is the working time of local day d.
func (w *WorkClock) dayWork(d worktime.Date) time.Duration {
	return w.cal.WorkingBetween(w.midnight(d), w.midnight(d.AddDays(1)))
}

// at returns W at the midnight of d.
func (w *WorkClock) at(d worktime.Date) time.Duration {
	if w.cum == nil {
		w.base, w.first, w.cum = d, 0, []time.Duration{0}
	}
	i := daysBetween(w.base, d)
	for i < w.first { // extend before the first known midnight
		prev := w.base.AddDays(w.first - 1)
		w.cum = append([]time.Duration{w.cum[0] - w.dayWork(prev)}, w.cum...)
		w.first--
	}
	for i >= w.first+len(w.cum) { // and after the last
		last := w.base.AddDays(w.first + len(w.cum) - 1)
		w.cum = append(w.cum, w.cum[len(w.cum)-1]+w.dayWork(last))
	}
	return w.cum[i-w.first]
}

// daysBetween is the number of days from a to b.
func daysBetween(a, b worktime.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Hours() / 24)
}

// cumulative is W(t).
func (w *WorkClock) cumulative(t time.Time) time.Duration {
	d := worktime.DateOf(t, w.loc)
	return w.at(d) + w.cal.WorkingBetween(w.midnight(d), t)
}

// WorkingBetween returns the working time inside [a, b), 0 if b is not
// after a, as the calendar does.
func (w *WorkClock) WorkingBetween(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	return w.cumulative(b) - w.cumulative(a)
}

// WorkingDay is the length of a working day for 2.2.
const WorkingDay = 8 * time.Hour

// ---- counts, rates and scores

// IndexCounts are what the Store counts for the index over a period and a
// scope, with dossiers and feedback as they stood at the period's as_of:
//
//   - Population: form 06's received_total; OnTime of them on time by the 766
//     rule; Complained of them late, or with a linked feedback item or a
//     rating of 1–2 recorded before as_of (each once);
//   - Received: received in the period (form 06's new receipts); of them
//     ReceivedOnline online, ReceivedSynced accepted by the national portal
//     at least once, ReceivedOnlineSynced both;
//   - ActiveProcedures: active procedures of the scope now; OnlineProcedures
//     of them offered partial or full; OnlineProceduresUsed of those with an
//     online dossier received in the period;
//   - FeedbackHandled: feedback answered or refused in the period, plus
//     feedback received before the period's end and still open at as_of;
//     FeedbackHandledOnTime of them answered by the due time, refused by the
//     refusal due time, or open with the due time not passed at as_of;
//   - FeedbackReceived: received in the period; FeedbackOverdue of them
//     answered or refused after their due time, or open at as_of past it.
type IndexCounts struct {
	Population            int64
	OnTime                int64
	Complained            int64
	Received              int64
	ReceivedOnline        int64
	ReceivedSynced        int64
	ReceivedOnlineSynced  int64
	ActiveProcedures      int64
	OnlineProcedures      int64
	OnlineProceduresUsed  int64
	FeedbackHandled       int64
	FeedbackHandledOnTime int64
	FeedbackReceived      int64
	FeedbackOverdue       int64
}

// Score is a score in hundredths of a point (1220 for 12.20 points).
type Score int64

// Value is the score in points, 2 decimals.
func (s Score) Value() float64 { return float64(s) / 100 }

// IndicatorScore returns points × min(1, rate% / fullAt) in hundredths,
// from the exact fraction, rounded half-up; ok is false when the rate's
// denominator is 0.
func IndicatorScore(r Rate, points int, fullAt int64) (Score, bool) {
	if r.Denominator <= 0 || fullAt <= 0 {
		return 0, false
	}
	// rate% / fullAt = 100·num / (den·fullAt), capped at 1.
	num, den := 100*r.Numerator, r.Denominator*fullAt
	if num > den {
		num = den
	}
	if num < 0 {
		num = 0
	}
	h, _ := roundDiv(int64(points)*100*num, den)
	return Score(h), true
}

// AverageTime is 2.2's mean: the working time of the dossiers resolved in
// the period, summed, and how many they are.
type AverageTime struct {
	Worked   time.Duration
	Dossiers int64
}

// WorkingDaysHundredths is the mean in hundredths of a working day (8 h),
// rounded half-up; ok is false without dossiers.
func (a AverageTime) WorkingDaysHundredths() (int64, bool) {
	return roundDiv(int64(a.Worked/time.Second)*100, a.Dossiers*int64(WorkingDay/time.Second))
}

// Value is the mean in working days, 2 decimals, or nil without dossiers.
func (a AverageTime) Value() *float64 {
	h, ok := a.WorkingDaysHundredths()
	if !ok {
		return nil
	}
	v := float64(h) / 100
	return &v
}

// Indicator is one indicator of an answer. Rate and Score are nil when it
// is unavailable (Reason says why) or, for Score, when the rate's
// denominator is 0 or the indicator has no points.
type Indicator struct {
	IndicatorDef
	Available bool
	Reason    string
	MaxPoints int
	Rate      *Rate
	Score     *Score
	// Average is 2.2's mean; BeforeSync 3.3's share before the sync
	// factor; Terms 5.3's terms.
	Average    *AverageTime
	BeforeSync *Rate
	Terms      *FeedbackTerms
}

// FeedbackTerms are the terms of 5.3.
type FeedbackTerms struct {
	Received     int64
	Overdue      int64
	Dissatisfied int64
}

// GroupScore is a group's points: the maximum, those of its available
// indicators, and the sum of their scores.
type GroupScore struct {
	IndexGroup
	AvailablePoints int
	Score           Score
}

// ServiceIndexReport is GET /stats/service-index.
type ServiceIndexReport struct {
	Period         Period
	Scope          Scope
	FormulaVersion string
	Indicators     []Indicator
	Groups         []GroupScore
	// Total sums the groups (IndexGroup's Group and Name are empty).
	Total GroupScore
}

// IndexInputs are every figure the index is computed from.
type IndexInputs struct {
	Counts       IndexCounts
	Digitisation DigitisationCounts
	Average      AverageTime
}

// BuildIndex computes the indicators, groups and total from the figures
// with the given points (DefaultIndexPoints when nil).
func BuildIndex(in IndexInputs, points IndexPoints) ([]Indicator, []GroupScore, GroupScore) {
	if points == nil {
		points = DefaultIndexPoints()
	}
	c, dg := in.Counts, in.Digitisation
	rates := map[string]Rate{
		"1.4": NewRate(c.ReceivedSynced, c.Received),
		"2.1": NewRate(c.OnTime, c.Population),
		"3.1": NewRate(c.OnlineProcedures, c.ActiveProcedures),
		"3.2": NewRate(c.OnlineProceduresUsed, c.OnlineProcedures),
		"3.3": NewRate(c.ReceivedOnlineSynced, c.Received),
		"3.6": dg.OnlinePaymentRate(),
		"4.1": dg.EResultRate(),
		"4.2": dg.DigitisationRate(),
		"4.3": dg.ReuseRate(),
		"5.2": NewRate(c.FeedbackHandledOnTime, c.FeedbackHandled),
		"5.3": NewRate(c.FeedbackReceived-c.FeedbackOverdue, c.FeedbackReceived),
		"5.4": NewRate(c.Population-c.Complained, c.Population),
	}
	out := make([]Indicator, 0, len(Indicators))
	groups := make([]GroupScore, len(IndexGroups))
	for i, g := range IndexGroups {
		groups[i] = GroupScore{IndexGroup: g}
	}
	var total GroupScore
	for _, d := range Indicators {
		x := Indicator{IndicatorDef: d, MaxPoints: points[d.ID], Available: d.Missing == ""}
		g := &groups[d.Group-1]
		if !x.Available {
			x.Reason = d.Missing
			out = append(out, x)
			continue
		}
		g.AvailablePoints += x.MaxPoints
		switch d.ID {
		case "2.2":
			a := in.Average
			x.Average = &a
		default:
			r := rates[d.ID]
			x.Rate = &r
			if sc, ok := IndicatorScore(r, x.MaxPoints, d.FullAt); ok {
				x.Score = &sc
				g.Score += sc
			}
		}
		switch d.ID {
		case "3.3":
			b := NewRate(c.ReceivedOnline, c.Received)
			x.BeforeSync = &b
		case "5.3":
			x.Terms = &FeedbackTerms{Received: c.FeedbackReceived, Overdue: c.FeedbackOverdue}
		}
		out = append(out, x)
	}
	for _, g := range groups {
		total.Points += g.Points
		total.AvailablePoints += g.AvailablePoints
		total.Score += g.Score
	}
	return out, groups, total
}

// UseIndexPoints sets the maximum points of the index
// (MOTCUA_SERVICE_INDEX_POINTS, already validated by IndexPointsWith).
func (s *Service) UseIndexPoints(p IndexPoints) { s.points = p }

// ServiceIndex returns the service index of the period. Errors as for
// Dossiers.
func (s *Service) ServiceIndex(ctx context.Context, by user.Principal, req Request) (ServiceIndexReport, error) {
	p, sc, q, err := s.prepare(ctx, by, req, nil)
	if err != nil {
		return ServiceIndexReport{}, err
	}
	cal, err := s.catalog.Calendar(ctx)
	if err != nil {
		return ServiceIndexReport{}, fmt.Errorf("service index calendar: %w", err)
	}
	// The three reads are independent: run them side by side (each on its
	// own connection), the resolved dossiers' working times computed as
	// they stream.
	var (
		c    IndexCounts
		dg   DigitisationCounts
		avg  AverageTime
		errs [3]error
		wg   sync.WaitGroup
	)
	wg.Add(3)
	go func() {
		defer wg.Done()
		if c, errs[0] = s.store.ServiceIndex(ctx, q); errs[0] != nil {
			errs[0] = fmt.Errorf("service index: %w", errs[0])
		}
	}()
	go func() {
		defer wg.Done()
		if dg, errs[1] = s.store.Digitisation(ctx, q); errs[1] != nil {
			errs[1] = fmt.Errorf("service index digitisation: %w", errs[1])
		}
	}()
	go func() {
		defer wg.Done()
		clock := NewWorkClock(cal)
		errs[2] = s.store.ResolvedSpans(ctx, q, func(r ResolvedSpan) error {
			avg.Worked += WorkedTime(clock, r)
			avg.Dossiers++
			return nil
		})
		if errs[2] != nil {
			errs[2] = fmt.Errorf("service index average time: %w", errs[2])
		}
	}()
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return ServiceIndexReport{}, err
	}
	ind, groups, total := BuildIndex(IndexInputs{Counts: c, Digitisation: dg, Average: avg}, s.points)
	return ServiceIndexReport{Period: p, Scope: sc, FormulaVersion: IndexFormulaVersion,
		Indicators: ind, Groups: groups, Total: total}, nil
}
