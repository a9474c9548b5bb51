package repository

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/motcua/motcua/domain/worktime"
)

//go:embed seed/calendars/*.json seed/demo-procedures.json
var seedFiles embed.FS

// OfficialCalendars returns the official public-sector calendars shipped with
// motcua (2021–2027; 2027 is a placeholder an administrator must check).
func OfficialCalendars() ([]worktime.YearText, error) {
	entries, err := fs.ReadDir(seedFiles, "seed/calendars")
	if err != nil {
		return nil, err
	}
	var out []worktime.YearText
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := seedFiles.ReadFile("seed/calendars/" + e.Name())
		if err != nil {
			return nil, err
		}
		var f worktime.YearText
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("calendar %s: %w", e.Name(), err)
		}
		out = append(out, f)
	}
	return out, nil
}

// SeedCalendars stores each official calendar year that the database does
// not have yet. A year an administrator has changed is never overwritten.
func SeedCalendars(ctx context.Context, db *gorm.DB) error {
	files, err := OfficialCalendars()
	if err != nil {
		return err
	}
	for _, f := range files {
		y, err := parseYear(f)
		if err != nil {
			return fmt.Errorf("calendar %d: %w", f.Year, err)
		}
		r, err := fromYear(y)
		if err != nil {
			return err
		}
		if err := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
			return translate(err, "lịch làm việc")
		}
	}
	return nil
}

// DemoProcedure is one entry of the shipped list of real procedures.
type DemoProcedure struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	Field          string `json:"field"`
	Level          string `json:"level"`
	AgencyKind     string `json:"agency_kind"`
	ProcessingTime struct {
		Value int    `json:"value"`
		Unit  string `json:"unit"`
	} `json:"processing_time"`
	Fee         int64  `json:"fee"`
	OnlineLevel string `json:"online_level"`
}

// DemoProcedures returns the shipped list of real procedures for the demo.
func DemoProcedures() ([]DemoProcedure, error) {
	b, err := seedFiles.ReadFile("seed/demo-procedures.json")
	if err != nil {
		return nil, err
	}
	var out []DemoProcedure
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("demo procedures: %w", err)
	}
	return out, nil
}
