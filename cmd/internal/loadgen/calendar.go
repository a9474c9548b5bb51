package loadgen

import (
	"fmt"
	"time"

	"github.com/motcua/motcua/domain/worktime"
	"github.com/motcua/motcua/repository"
)

// OfficialCalendar is the working-time calendar a fresh server computes
// due times with: the official years shipped with motcua, which the server
// stores at start (repository.SeedCalendars) and builds its calendar from,
// in loc (the server's MOTCUA_TIMEZONE).
func OfficialCalendar(loc *time.Location) (*worktime.Calendar, error) {
	texts, err := repository.OfficialCalendars()
	if err != nil {
		return nil, err
	}
	years := make([]worktime.Year, 0, len(texts))
	for _, t := range texts {
		y, errs := t.Parse()
		if len(errs) > 0 {
			return nil, fmt.Errorf("official calendar %d: %v", t.Year, errs)
		}
		years = append(years, y)
	}
	return worktime.NewCalendar(loc, years...), nil
}

// dueAfter is the statutory due time of a dossier received at recv for a
// procedure of value units, by the service's own rule (worktime's DueAt).
// A value below one counts as one, so every clock runs for some time.
func dueAfter(cal *worktime.Calendar, recv time.Time, value int, unit worktime.Unit) time.Time {
	return cal.DueAt(recv, worktime.Duration{Value: max(value, 1), Unit: unit})
}
