package dossier_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/worktime"
)

func asError(err error, target **domain.Error) bool { return errors.As(err, target) }

// hcm is Asia/Ho_Chi_Minh.
var hcm = func() *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return l
}()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, hcm)
	if err != nil {
		panic(err)
	}
	return t
}

// officialCalendar is the shipped public-sector calendar (2021–2027).
func officialCalendar(tb testing.TB) *worktime.Calendar {
	tb.Helper()
	files, err := filepath.Glob("../../repository/seed/calendars/vn-public-sector-*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("calendars: %v (%d files)", err, len(files))
	}
	var years []worktime.Year
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var y worktime.Year
		if err := json.Unmarshal(b, &y); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		years = append(years, y)
	}
	return worktime.NewCalendar(hcm, years...)
}
