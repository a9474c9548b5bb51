package repository

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
)

// componentNoun names a component in messages.
const componentNoun = "thành phần hồ sơ"

type componentRow struct {
	ID            int64 `gorm:"primaryKey"`
	ProcedureCode string
	Code          *string
	Name          string
	Originals     int
	Copies        int
	Required      bool
	ConditionText string
	Template      *string
	Position      int
	Active        bool
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt     time.Time `gorm:"autoUpdateTime:false"` // the service's clock, not GORM's
}

func (componentRow) TableName() string { return "procedure_components" }

func fromComponent(c catalog.Component) componentRow {
	return componentRow{ID: c.ID, ProcedureCode: c.ProcedureCode, Code: nullable(c.Code), Name: c.Name,
		Originals: c.Originals, Copies: c.Copies, Required: c.Required, ConditionText: c.Condition,
		Template: nullable(c.Template), Position: c.Position, Active: c.Active,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
}

func (r componentRow) asDomain() catalog.Component {
	return catalog.Component{ID: r.ID, ProcedureCode: r.ProcedureCode, Code: deref(r.Code), Name: r.Name,
		Originals: r.Originals, Copies: r.Copies, Required: r.Required, Condition: r.ConditionText,
		Template: deref(r.Template), Position: r.Position, Active: r.Active,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// componentImportColumns are the columns of an inserted component, in the
// order of componentValues.
var componentImportColumns = []string{"procedure_code", "code", "name", "originals", "copies", "required",
	"condition_text", "template", "position", "active", "created_at", "updated_at"}

// componentValues is the row of c in componentImportColumns order.
func componentValues(c catalog.Component) []any {
	r := fromComponent(c)
	return []any{r.ProcedureCode, sv(r.Code), r.Name, r.Originals, r.Copies, r.Required, r.ConditionText,
		sv(r.Template), r.Position, r.Active, r.CreatedAt, r.UpdatedAt}
}

// componentConflict is the answer to a code the procedure already has.
func componentConflict(err error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return &domain.Error{Kind: domain.KindConflict,
			Message: "Thủ tục đã có thành phần hồ sơ với mã này (kể cả thành phần đã ngừng dùng)",
			Details: map[string]any{"field": "code"}, Err: err}
	}
	return translate(err, componentNoun)
}

// Components implements catalog.Store.
func (s *CatalogStore) Components(ctx context.Context, code string, includeRetired bool) ([]catalog.Component, error) {
	return loadComponents(conn(ctx, s.db), []string{code}, includeRetired)
}

// loadComponents reads the components of the procedures codes by
// procedure, position and ID.
func loadComponents(db *gorm.DB, codes []string, includeRetired bool) ([]catalog.Component, error) {
	var out []catalog.Component
	for len(codes) > 0 {
		n := min(len(codes), codesChunk)
		q := db.Where("procedure_code IN ?", codes[:n])
		if !includeRetired {
			q = q.Where("active = ?", true)
		}
		var rows []componentRow
		if err := q.Order("procedure_code, position, id").Find(&rows).Error; err != nil {
			return nil, translate(err, componentNoun)
		}
		for _, r := range rows {
			out = append(out, r.asDomain())
		}
		codes = codes[n:]
	}
	return out, nil
}

// Component implements catalog.Store.
func (s *CatalogStore) Component(ctx context.Context, code string, id int64) (catalog.Component, error) {
	var r componentRow
	if err := conn(ctx, s.db).Where("id = ? AND procedure_code = ?", id, code).Take(&r).Error; err != nil {
		return catalog.Component{}, translate(err, componentNoun)
	}
	return r.asDomain(), nil
}

// NextComponentPosition implements catalog.Store.
func (s *CatalogStore) NextComponentPosition(ctx context.Context, code string) (int, error) {
	var last *int64
	if err := conn(ctx, s.db).Model(&componentRow{}).Where("procedure_code = ?", code).
		Select("MAX(position)").Row().Scan(&last); err != nil {
		return 0, translate(err, componentNoun)
	}
	if last == nil {
		return 0, nil
	}
	return int(*last) + 1, nil
}

// CreateComponent implements catalog.Store.
func (s *CatalogStore) CreateComponent(ctx context.Context, c *catalog.Component) error {
	r := fromComponent(*c)
	r.ID = 0
	if err := conn(ctx, s.db).Create(&r).Error; err != nil {
		return componentConflict(err)
	}
	c.ID = r.ID
	return nil
}

// UpdateComponent implements catalog.Store.
func (s *CatalogStore) UpdateComponent(ctx context.Context, c catalog.Component) error {
	return updateComponent(conn(ctx, s.db), c)
}

func updateComponent(db *gorm.DB, c catalog.Component) error {
	r := fromComponent(c)
	res := db.Model(&componentRow{}).Where("id = ? AND procedure_code = ?", c.ID, c.ProcedureCode).
		Select("*").Omit("id", "procedure_code", "created_at").Updates(&r)
	if res.Error != nil {
		return componentConflict(res.Error)
	}
	if res.RowsAffected == 0 {
		return translate(gorm.ErrRecordNotFound, componentNoun)
	}
	return nil
}

// feeLineJSON is one fee line as the fee_lines column keeps it.
type feeLineJSON struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Amount int64  `json:"amount"`
}

// feeLinesJSON is the fee_lines column of lines: a JSON array, [] for none.
func feeLinesJSON(lines []catalog.FeeLine) string {
	out := make([]feeLineJSON, len(lines))
	for i, l := range lines {
		out[i] = feeLineJSON{Kind: string(l.Kind), Name: l.Name, Amount: l.Amount}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "[]" // strings and integers always encode
	}
	return string(b)
}

// parseFeeLines reads the fee_lines column; none (nil) for an empty array.
// The column is only ever written by feeLinesJSON, so a value that does not
// read is read as none rather than failing every read of the procedure.
func parseFeeLines(s string) []catalog.FeeLine {
	var in []feeLineJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil || len(in) == 0 {
		return nil
	}
	out := make([]catalog.FeeLine, len(in))
	for i, l := range in {
		out[i] = catalog.FeeLine{Kind: catalog.FeeKind(l.Kind), Name: l.Name, Amount: l.Amount}
	}
	return out
}
