package worktime

import (
	"fmt"
	"sort"
	"time"
)

// Year is one year's calendar, as an admin maintains it.
type Year struct {
	// Year is the calendar year, such as 2026.
	Year int `json:"year"`
	// Holidays are the weekdays of Year that are not working days.
	Holidays []Date `json:"holidays"`
	// WorkingWeekends are the Saturdays and Sundays of Year that are working
	// days (make-up days).
	WorkingWeekends []Date `json:"working_weekends"`
	// Sessions are the working sessions of every working day of Year, in
	// order; when empty, a Calendar uses DefaultSessions.
	Sessions []Session `json:"working_hours"`
}

// YearRange is the reason given for a year out of range (ValidYear).
const YearRange = "năm phải là số từ 1900 đến 9999"

// ValidYear reports whether a calendar may be kept for year: 1900 to 9999.
func ValidYear(year int) bool { return year >= 1900 && year <= 9999 }

// Validate checks the year and returns a map from field to a short
// Vietnamese reason; an empty map means the year is valid. Keys use the JSON
// field names with an index: "year", "holidays[3]", "working_weekends[0]",
// "working_hours" and "working_hours[1]". Reported problems are a year out
// of range, invalid dates, dates outside the year, duplicate dates, a
// holiday that is also a working weekend, a working weekend that is not a
// Saturday or Sunday, and sessions that are empty, invalid, with Start >= End,
// unsorted or overlapping.
func (y Year) Validate() map[string]string {
	errs := map[string]string{}
	set := func(k, v string) {
		if _, ok := errs[k]; !ok {
			errs[k] = v
		}
	}
	if !ValidYear(y.Year) {
		set("year", YearRange)
	}

	holidays := map[Date]int{}
	for i, d := range y.Holidays {
		k := fmt.Sprintf("holidays[%d]", i)
		switch {
		case !d.Valid():
			set(k, "ngày không hợp lệ")
		case d.Year != y.Year:
			set(k, fmt.Sprintf("ngày %s không thuộc năm %d", d, y.Year))
		default:
			if j, dup := holidays[d]; dup {
				set(k, fmt.Sprintf("ngày %s trùng với holidays[%d]", d, j))
			} else {
				holidays[d] = i
			}
		}
	}

	weekends := map[Date]int{}
	for i, d := range y.WorkingWeekends {
		k := fmt.Sprintf("working_weekends[%d]", i)
		switch {
		case !d.Valid():
			set(k, "ngày không hợp lệ")
		case d.Year != y.Year:
			set(k, fmt.Sprintf("ngày %s không thuộc năm %d", d, y.Year))
		case !d.IsWeekend():
			set(k, fmt.Sprintf("ngày %s không phải thứ Bảy hoặc Chủ nhật", d))
		default:
			if j, dup := weekends[d]; dup {
				set(k, fmt.Sprintf("ngày %s trùng với working_weekends[%d]", d, j))
			} else {
				weekends[d] = i
			}
			if j, ok := holidays[d]; ok {
				set(k, fmt.Sprintf("ngày %s cũng là ngày nghỉ (holidays[%d])", d, j))
			}
		}
	}

	if len(y.Sessions) == 0 {
		set("working_hours", "cần ít nhất một ca làm việc")
	}
	for i, s := range y.Sessions {
		k := fmt.Sprintf("working_hours[%d]", i)
		switch {
		case !s.Start.Valid() || !s.End.Valid():
			set(k, "giờ không hợp lệ (00:00-23:59)")
		case s.Start >= s.End:
			set(k, "giờ bắt đầu phải trước giờ kết thúc")
		case i > 0 && s.Start < y.Sessions[i-1].Start:
			set(k, "các ca phải theo thứ tự thời gian")
		case i > 0 && s.Start < y.Sessions[i-1].End:
			set(k, "ca chồng lấn với ca trước")
		}
	}
	return errs
}

// normalSessions returns a sorted copy of ss without invalid or empty
// sessions, overlapping sessions merged; DefaultSessions if nothing is left.
func normalSessions(ss []Session) []Session {
	out := make([]Session, 0, len(ss))
	for _, s := range ss {
		if s.Start.Valid() && s.End.Valid() && s.Start < s.End {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return DefaultSessions()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	merged := out[:1]
	for _, s := range out[1:] {
		last := &merged[len(merged)-1]
		if s.Start < last.End {
			if s.End > last.End {
				last.End = s.End
			}
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// yearCal is the indexed form of a Year used by a Calendar.
type yearCal struct {
	sessions []Session
	holidays map[Date]struct{}
	working  map[Date]struct{}
}

// defaultYear is the calendar of a year without a Year entry.
var defaultYear = &yearCal{sessions: DefaultSessions()}

func newYearCal(y Year) *yearCal {
	yc := &yearCal{
		sessions: normalSessions(y.Sessions),
		holidays: make(map[Date]struct{}, len(y.Holidays)),
		working:  make(map[Date]struct{}, len(y.WorkingWeekends)),
	}
	for _, d := range y.Holidays {
		if d.Valid() && d.Year == y.Year {
			yc.holidays[d] = struct{}{}
		}
	}
	for _, d := range y.WorkingWeekends {
		if d.Valid() && d.Year == y.Year {
			yc.working[d] = struct{}{}
		}
	}
	return yc
}

func (yc *yearCal) isWorkingDay(d Date) bool {
	if _, ok := yc.holidays[d]; ok {
		return false
	}
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		_, ok := yc.working[d]
		return ok
	}
	return true
}
