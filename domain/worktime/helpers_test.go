package worktime_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/worktime"
)

// seedDir holds the official calendars, one JSON file per year.
const seedDir = "../../repository/seed/calendars"

var (
	seedOnce  sync.Once
	seedYears []worktime.Year
	seedErr   error
)

// loadYears decodes every repository/seed/calendars/vn-public-sector-YYYY.json.
func loadYears(tb testing.TB) []worktime.Year {
	tb.Helper()
	seedOnce.Do(func() {
		files, err := filepath.Glob(filepath.Join(seedDir, "vn-public-sector-*.json"))
		if err != nil {
			seedErr = err
			return
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				seedErr = err
				return
			}
			var y worktime.Year
			if err := json.Unmarshal(b, &y); err != nil {
				seedErr = err
				return
			}
			seedYears = append(seedYears, y)
		}
	})
	if seedErr != nil {
		tb.Fatalf("loading calendars: %v", seedErr)
	}
	if len(seedYears) == 0 {
		tb.Fatalf("no calendars in %s", seedDir)
	}
	return seedYears
}

// hcm returns Asia/Ho_Chi_Minh.
func hcm(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		tb.Fatalf("LoadLocation: %v", err)
	}
	return loc
}

// officialCalendar is the calendar of the seed years in Asia/Ho_Chi_Minh.
func officialCalendar(tb testing.TB) *worktime.Calendar {
	tb.Helper()
	return worktime.NewCalendar(hcm(tb), loadYears(tb)...)
}

// at parses an RFC 3339 instant.
func at(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatalf("parse %q: %v", s, err)
	}
	return t
}
