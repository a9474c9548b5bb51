package stats

import (
	"context"
	"strings"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// LastClosedMonth is the latest report month (calendar or cut-off month,
// see MonthPeriod) that ended before today: what the public figures show
// as "last month". With a cut-off of 15, on 7 December the month 2026-12
// (15 November to 14 December) is still open, so it is 2026-11.
func LastClosedMonth(now time.Time, cutoffDay int, loc *time.Location) Period {
	today := worktime.DateOf(now, loc)
	// The month after today's calendar month is the latest that can hold
	// today (a cut-off pulls days into the next month); step back from it.
	y, m := today.Year, today.Month+1
	for {
		if m > 12 {
			y, m = y+1, 1
		}
		if m < 1 {
			y, m = y-1, 12
		}
		p := MonthPeriod(y, m, cutoffDay, loc)
		if p.To.Before(today) {
			return p
		}
		m--
	}
}

// YearSoFar is the range from the first day of this year's first report
// month to today, inclusive: the public figures' "year so far".
func YearSoFar(now time.Time, cutoffDay int, loc *time.Location) (from, to worktime.Date) {
	today := worktime.DateOf(now, loc)
	return MonthPeriod(today.Year, time.January, cutoffDay, loc).From, today
}

// publicFigures is who the public figures are computed as: a viewer of the
// whole province (the scope of form 06 for the province).
var publicFigures = user.Principal{Username: "public-figures", Role: user.RoleViewer}

// PublicPeriod checks the month the public figures are asked for
// (docs/domain.md, "Public figures") and returns its period: only a closed
// month is published (its period, with the cut-off day, ended before now).
// A month missing or malformed, a month not yet closed, or another period
// given (quarter, half, year, from, to) is KindValidation on "month".
func (s *Service) PublicPeriod(in PeriodInput) (Period, error) {
	fe := domain.FieldErrors{}
	month := strings.TrimSpace(in.Month)
	switch {
	case strings.TrimSpace(in.Quarter+in.Half+in.Year+in.From+in.To) != "":
		fe.Add("month", "chỉ nhận month=YYYY-MM (không nhận quarter, half, year, from, to)")
	case month == "":
		fe.Add("month", "bắt buộc, dạng YYYY-MM")
	}
	if err := fe.Err(); err != nil {
		return Period{}, err
	}
	p, err := ParsePeriod(PeriodInput{Month: month}, s.cutoffDay, s.loc)
	if err != nil {
		return Period{}, err
	}
	now := s.now()
	if now.Before(p.End) {
		fe.Add("month", "tháng báo cáo chưa kết thúc (đến hết ngày "+p.To.String()+"): chỉ công bố tháng đã khóa sổ")
		return Period{}, fe.Err()
	}
	return p.At(now), nil
}

// PublicMonth returns report form 06 by handling agency for the whole
// province over the month in.Month: exactly what a province viewer gets
// from Dossiers with group_by=agency. Errors as for PublicPeriod.
func (s *Service) PublicMonth(ctx context.Context, in PeriodInput) (Form06, error) {
	p, err := s.PublicPeriod(in)
	if err != nil {
		return Form06{}, err
	}
	return s.Dossiers(ctx, publicFigures, Request{Period: PeriodInput{Month: p.Name}}, ByAgency)
}
