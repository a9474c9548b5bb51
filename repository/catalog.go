package repository

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/worktime"
)

type agencyRow struct {
	Code       string `gorm:"primaryKey"`
	Name       string
	Kind       string
	ParentCode *string
	Closed     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (agencyRow) TableName() string { return "agencies" }

func fromAgency(a catalog.Agency) agencyRow {
	return agencyRow{Code: a.Code, Name: a.Name, Kind: string(a.Kind), ParentCode: nullable(a.ParentCode),
		Closed: a.Closed, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
}

func (r agencyRow) asDomain() catalog.Agency {
	return catalog.Agency{Code: r.Code, Name: r.Name, Kind: catalog.AgencyKind(r.Kind), ParentCode: deref(r.ParentCode),
		Closed: r.Closed, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type procedureRow struct {
	Code                     string `gorm:"primaryKey"`
	Name                     string
	Field                    string
	AgencyCode               string
	Level                    string
	ProcessingValue          int
	ProcessingUnit           string
	Fee                      int64
	FeeLines                 string
	OnlineLevel              string
	OnSpotEligible           bool
	NationalPortalIntegrated bool
	Status                   string
	CreatedAt                time.Time
	UpdatedAt                time.Time
}

func (procedureRow) TableName() string { return "procedures" }

func fromProcedure(p catalog.Procedure) procedureRow {
	return procedureRow{Code: p.Code, Name: p.Name, Field: p.Field, AgencyCode: p.AgencyCode, Level: string(p.Level),
		ProcessingValue: p.ProcessingTime.Value, ProcessingUnit: string(p.ProcessingTime.Unit), Fee: p.Fee,
		FeeLines: feeLinesJSON(p.FeeLines), OnlineLevel: string(p.OnlineLevel), OnSpotEligible: p.OnSpotEligible, NationalPortalIntegrated: p.NationalPortalIntegrated,
		Status: string(p.Status), CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
}

func (r procedureRow) asDomain() catalog.Procedure {
	return catalog.Procedure{Code: r.Code, Name: r.Name, Field: r.Field, AgencyCode: r.AgencyCode, Level: catalog.Level(r.Level),
		ProcessingTime: worktime.Duration{Value: r.ProcessingValue, Unit: worktime.Unit(r.ProcessingUnit)}, Fee: r.Fee,
		FeeLines: parseFeeLines(r.FeeLines), OnlineLevel: catalog.OnlineLevel(r.OnlineLevel), OnSpotEligible: r.OnSpotEligible, NationalPortalIntegrated: r.NationalPortalIntegrated,
		Status: catalog.ProcedureStatus(r.Status), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type publicationRow struct {
	ID            int64 `gorm:"primaryKey"`
	ProcedureCode string
	Kind          string
	Decision      string
	DecidedOn     string
	CreatedAt     time.Time
}

func (publicationRow) TableName() string { return "procedure_publications" }

func (r publicationRow) asDomain() catalog.Publication {
	d, _ := worktime.ParseDate(r.DecidedOn)
	return catalog.Publication{ID: r.ID, ProcedureCode: r.ProcedureCode, Kind: catalog.PublicationKind(r.Kind),
		Decision: r.Decision, DecidedOn: d, CreatedAt: r.CreatedAt.UTC()}
}

type calendarRow struct {
	Year            int `gorm:"primaryKey;autoIncrement:false"`
	Holidays        string
	WorkingWeekends string
	Sessions        string
	UpdatedAt       time.Time
}

func (calendarRow) TableName() string { return "calendar_years" }

// CatalogStore implements catalog.Store.
type CatalogStore struct{ db *gorm.DB }

var _ catalog.Store = (*CatalogStore)(nil)

// NewCatalogStore returns a catalog store over db.
func NewCatalogStore(db *gorm.DB) *CatalogStore { return &CatalogStore{db: db} }

// AllAgencies implements catalog.Store.
func (s *CatalogStore) AllAgencies(ctx context.Context) ([]catalog.Agency, error) {
	var rows []agencyRow
	if err := conn(ctx, s.db).Order("code").Find(&rows).Error; err != nil {
		return nil, translate(err, "đơn vị")
	}
	out := make([]catalog.Agency, len(rows))
	for i, r := range rows {
		out[i] = r.asDomain()
	}
	return out, nil
}

// Agency implements catalog.Store.
func (s *CatalogStore) Agency(ctx context.Context, code string) (catalog.Agency, error) {
	var r agencyRow
	if err := conn(ctx, s.db).Where("code = ?", code).Take(&r).Error; err != nil {
		return catalog.Agency{}, translate(err, "đơn vị")
	}
	return r.asDomain(), nil
}

// ListAgencies implements catalog.Store.
func (s *CatalogStore) ListAgencies(ctx context.Context, f catalog.AgencyFilter) ([]catalog.Agency, int64, error) {
	q := conn(ctx, s.db).Model(&agencyRow{})
	if f.Kind != "" {
		q = q.Where("kind = ?", string(f.Kind))
	}
	if f.ParentCode != "" {
		q = q.Where("parent_code = ?", f.ParentCode)
	}
	if f.Q != "" {
		like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
		q = q.Where("(LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(code) LIKE ? ESCAPE '\\')", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "đơn vị")
	}
	var rows []agencyRow
	if err := q.Order("code").Offset(f.Offset()).Limit(f.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "đơn vị")
	}
	out := make([]catalog.Agency, len(rows))
	for i, r := range rows {
		out[i] = r.asDomain()
	}
	return out, total, nil
}

// CreateAgency implements catalog.Store.
func (s *CatalogStore) CreateAgency(ctx context.Context, a catalog.Agency) error {
	r := fromAgency(a)
	return translate(conn(ctx, s.db).Create(&r).Error, "đơn vị")
}

// UpdateAgency implements catalog.Store.
func (s *CatalogStore) UpdateAgency(ctx context.Context, a catalog.Agency) error {
	r := fromAgency(a)
	res := conn(ctx, s.db).Model(&agencyRow{}).Where("code = ?", a.Code).Updates(map[string]any{
		"name": r.Name, "kind": r.Kind, "parent_code": r.ParentCode, "closed": r.Closed, "updated_at": r.UpdatedAt})
	if res.Error != nil {
		return translate(res.Error, "đơn vị")
	}
	if res.RowsAffected == 0 {
		return translate(gorm.ErrRecordNotFound, "đơn vị")
	}
	return nil
}

// Procedure implements catalog.Store.
func (s *CatalogStore) Procedure(ctx context.Context, code string) (catalog.Procedure, error) {
	var r procedureRow
	if err := conn(ctx, s.db).Where("code = ?", code).Take(&r).Error; err != nil {
		return catalog.Procedure{}, translate(err, "thủ tục")
	}
	p := r.asDomain()
	var pubs []publicationRow
	if err := conn(ctx, s.db).Where("procedure_code = ?", code).Order("decided_on, id").Find(&pubs).Error; err != nil {
		return catalog.Procedure{}, translate(err, "thủ tục")
	}
	for _, pr := range pubs {
		p.Publications = append(p.Publications, pr.asDomain())
	}
	return p, nil
}

// ListProcedures implements catalog.Store. Publications are not loaded.
func (s *CatalogStore) ListProcedures(ctx context.Context, f catalog.ProcedureFilter) ([]catalog.Procedure, int64, error) {
	q := conn(ctx, s.db).Model(&procedureRow{})
	if f.AgencyCode != "" {
		q = q.Where("agency_code = ?", f.AgencyCode)
	}
	if f.Field != "" {
		q = q.Where("field = ?", f.Field)
	}
	if f.Level != "" {
		q = q.Where("level = ?", string(f.Level))
	}
	if f.OnlineLevel != "" {
		q = q.Where("online_level = ?", string(f.OnlineLevel))
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.OnSpotEligible != nil {
		q = q.Where("on_spot_eligible = ?", *f.OnSpotEligible)
	}
	if f.Q != "" {
		like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
		q = q.Where("(LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(code) LIKE ? ESCAPE '\\')", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "thủ tục")
	}
	var rows []procedureRow
	if err := q.Order("code").Offset(f.Offset()).Limit(f.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "thủ tục")
	}
	out := make([]catalog.Procedure, len(rows))
	for i, r := range rows {
		out[i] = r.asDomain()
	}
	return out, total, nil
}

// CreateProcedure implements catalog.Store.
func (s *CatalogStore) CreateProcedure(ctx context.Context, p catalog.Procedure) error {
	r := fromProcedure(p)
	return translate(conn(ctx, s.db).Create(&r).Error, "thủ tục")
}

// UpdateProcedure implements catalog.Store.
func (s *CatalogStore) UpdateProcedure(ctx context.Context, p catalog.Procedure) error {
	r := fromProcedure(p)
	res := conn(ctx, s.db).Model(&procedureRow{}).Where("code = ?", p.Code).Select("*").Omit("code", "created_at").Updates(&r)
	if res.Error != nil {
		return translate(res.Error, "thủ tục")
	}
	if res.RowsAffected == 0 {
		return translate(gorm.ErrRecordNotFound, "thủ tục")
	}
	return nil
}

// AddPublication implements catalog.Store.
func (s *CatalogStore) AddPublication(ctx context.Context, p *catalog.Publication) error {
	r := publicationRow{ProcedureCode: p.ProcedureCode, Kind: string(p.Kind), Decision: p.Decision,
		DecidedOn: p.DecidedOn.String(), CreatedAt: p.CreatedAt.UTC()}
	if err := conn(ctx, s.db).Create(&r).Error; err != nil {
		return translate(err, "quyết định công bố")
	}
	p.ID = r.ID
	return nil
}

// ProcedureNames implements catalog.Store.
func (s *CatalogStore) ProcedureNames(ctx context.Context) (map[string]string, error) {
	var rows []struct {
		Code string
		Name string
	}
	if err := conn(ctx, s.db).Model(&procedureRow{}).Select("code, name").Find(&rows).Error; err != nil {
		return nil, translate(err, "thủ tục")
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Code] = r.Name
	}
	return out, nil
}

// CalendarYears implements catalog.Store.
func (s *CatalogStore) CalendarYears(ctx context.Context) ([]worktime.Year, error) {
	var rows []calendarRow
	if err := conn(ctx, s.db).Order("year").Find(&rows).Error; err != nil {
		return nil, translate(err, "lịch làm việc")
	}
	out := make([]worktime.Year, 0, len(rows))
	for _, r := range rows {
		y, err := r.asDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, y)
	}
	return out, nil
}

// PutCalendarYear implements catalog.Store.
func (s *CatalogStore) PutCalendarYear(ctx context.Context, y worktime.Year) error {
	r, err := fromYear(y)
	if err != nil {
		return err
	}
	err = conn(ctx, s.db).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "year"}},
		DoUpdates: clause.AssignmentColumns([]string{"holidays", "working_weekends", "sessions", "updated_at"}),
	}).Create(&r).Error
	return translate(err, "lịch làm việc")
}

func fromYear(y worktime.Year) (calendarRow, error) {
	t := y.Text()
	h, err1 := json.Marshal(t.Holidays)
	w, err2 := json.Marshal(t.WorkingWeekends)
	ss, err3 := json.Marshal(t.WorkingHours)
	if err := errors.Join(err1, err2, err3); err != nil {
		return calendarRow{}, translate(err, "lịch làm việc")
	}
	return calendarRow{Year: y.Year, Holidays: string(h), WorkingWeekends: string(w), Sessions: string(ss), UpdatedAt: time.Now().UTC()}, nil
}

func (r calendarRow) asDomain() (worktime.Year, error) {
	t := worktime.YearText{Year: r.Year}
	if err := json.Unmarshal([]byte(r.Holidays), &t.Holidays); err != nil {
		return worktime.Year{}, translate(err, "lịch làm việc")
	}
	if err := json.Unmarshal([]byte(r.WorkingWeekends), &t.WorkingWeekends); err != nil {
		return worktime.Year{}, translate(err, "lịch làm việc")
	}
	if err := json.Unmarshal([]byte(r.Sessions), &t.WorkingHours); err != nil {
		return worktime.Year{}, translate(err, "lịch làm việc")
	}
	return parseYear(t)
}

// parseYear reads a stored or shipped calendar; any unreadable value is an
// error (they were valid when written).
func parseYear(t worktime.YearText) (worktime.Year, error) {
	y, errs := t.Parse()
	if len(errs) > 0 {
		return y, fmt.Errorf("calendar %d: %v", t.Year, errs)
	}
	return y, nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// escapeLike escapes LIKE wildcards in user input.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
