package api

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/audit"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
)

// ComponentService is the part of catalog.Service that serves procedure
// components and the detail of one procedure.
type ComponentService interface {
	ProcedureDetail(ctx context.Context, code string) (catalog.Procedure, error)
	Components(ctx context.Context, code string, includeRetired bool) ([]catalog.Component, error)
	CreateComponent(ctx context.Context, by user.Principal, code string, n catalog.NewComponent) (catalog.Component, error)
	UpdateComponent(ctx context.Context, by user.Principal, code string, id int64,
		patch func(*catalog.Component, domain.FieldErrors)) (catalog.Component, error)
}

var _ ComponentService = (*catalog.Service)(nil)

// ---- fee lines

type feeLineDTO struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Amount int64  `json:"amount"`
}

func toFeeLineDTOs(lines []catalog.FeeLine) []feeLineDTO {
	out := make([]feeLineDTO, len(lines))
	for i, l := range lines {
		out[i] = feeLineDTO{Kind: string(l.Kind), Name: l.Name, Amount: l.Amount}
	}
	return out
}

// feeLines is the domain's view of the fee lines a request gives (nil:
// absent).
func feeLines(in *[]feeLineDTO) *[]catalog.FeeLine {
	if in == nil {
		return nil
	}
	out := make([]catalog.FeeLine, len(*in))
	for i, l := range *in {
		out[i] = catalog.FeeLine{Kind: catalog.FeeKind(l.Kind), Name: l.Name, Amount: l.Amount}
	}
	return &out
}

// ---- components

type componentDTO struct {
	ID            int64     `json:"id"`
	ProcedureCode string    `json:"procedure_code"`
	Code          *string   `json:"code"`
	Name          string    `json:"name"`
	Originals     int       `json:"originals"`
	Copies        int       `json:"copies"`
	Required      bool      `json:"required"`
	Condition     string    `json:"condition"`
	Template      *string   `json:"template"`
	Position      int       `json:"position"`
	Active        bool      `json:"active"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func toComponentDTO(c catalog.Component, loc *time.Location) componentDTO {
	return componentDTO{ID: c.ID, ProcedureCode: c.ProcedureCode, Code: orNull(c.Code), Name: c.Name,
		Originals: c.Originals, Copies: c.Copies, Required: c.Required, Condition: c.Condition,
		Template: orNull(c.Template), Position: c.Position, Active: c.Active,
		CreatedAt: c.CreatedAt.In(loc), UpdatedAt: c.UpdatedAt.In(loc)}
}

// toComponentDTOs is the components of an answer about one procedure;
// nil (not in the answer) when they were not loaded.
func toComponentDTOs(cs []catalog.Component, loc *time.Location) *[]componentDTO {
	if cs == nil {
		return nil
	}
	out := mapItems(cs, func(c catalog.Component) componentDTO { return toComponentDTO(c, loc) })
	return &out
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// componentList is the answer of GET …/components: every item, no pages
// (a procedure has a few dozen at most).
type componentList struct {
	Items []componentDTO `json:"items"`
}

type createComponentRequest struct {
	Code      *string `json:"code"`
	Name      string  `json:"name"`
	Originals *int    `json:"originals"`
	Copies    *int    `json:"copies"`
	Required  *bool   `json:"required"`
	Condition string  `json:"condition"`
	Template  *string `json:"template"`
	Position  *int    `json:"position"`
	Active    *bool   `json:"active"`
}

type patchComponentRequest struct {
	Code      *string `json:"code"`
	Name      *string `json:"name"`
	Originals *int    `json:"originals"`
	Copies    *int    `json:"copies"`
	Required  *bool   `json:"required"`
	Condition *string `json:"condition"`
	Template  *string `json:"template"`
	Position  *int    `json:"position"`
	Active    *bool   `json:"active"`
}

func (h *catalogHandler) listComponents(c *gin.Context) (answer, error) {
	fe := domain.FieldErrors{}
	retired := boolParam(c, "include_retired", fe)
	if err := fe.Err(); err != nil {
		return answer{}, err
	}
	cs, err := h.svc.Components(c.Request.Context(), c.Param("code"), retired != nil && *retired)
	if err != nil {
		return answer{}, err
	}
	return ok(componentList{Items: mapItems(cs, func(x catalog.Component) componentDTO { return toComponentDTO(x, h.loc) })}), nil
}

func (h *catalogHandler) createComponent(c *gin.Context) (answer, error) {
	var req createComponentRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	code := c.Param("code")
	x, err := h.svc.CreateComponent(c.Request.Context(), principal(c), code, catalog.NewComponent{
		Code: req.Code, Name: req.Name, Originals: req.Originals, Copies: req.Copies, Required: req.Required,
		Condition: req.Condition, Template: req.Template, Position: req.Position, Active: req.Active})
	if err != nil {
		return answer{}, err
	}
	h.auditComponent(c, x, "create")
	return created(toComponentDTO(x, h.loc)), nil
}

func (h *catalogHandler) updateComponent(c *gin.Context) (answer, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return answer{}, domain.NotFound("thành phần hồ sơ")
	}
	var req patchComponentRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	nulls := nullFields(c)
	x, err := h.svc.UpdateComponent(c.Request.Context(), principal(c), c.Param("code"), id,
		func(x *catalog.Component, fe domain.FieldErrors) {
			catalog.CheckNotEmpty(fe, "code", req.Code)
			catalog.CheckNotEmpty(fe, "template", req.Template)
			setIf(&x.Code, req.Code)
			setIf(&x.Template, req.Template)
			if nulls["code"] {
				x.Code = ""
			}
			if nulls["template"] {
				x.Template = ""
			}
			setIf(&x.Name, req.Name)
			setIf(&x.Originals, req.Originals)
			setIf(&x.Copies, req.Copies)
			setIf(&x.Required, req.Required)
			setIf(&x.Condition, req.Condition)
			setIf(&x.Position, req.Position)
			setIf(&x.Active, req.Active)
		})
	if err != nil {
		return answer{}, err
	}
	verb := "update"
	if req.Active != nil && !*req.Active {
		verb = "retire"
	}
	h.auditComponent(c, x, verb)
	return ok(toComponentDTO(x, h.loc)), nil
}

// nullFields are the top-level fields the request's JSON body (already
// decoded strictly) sets to null: for a field that may be null, null
// clears it where absence keeps it.
func nullFields(c *gin.Context) map[string]bool {
	out := map[string]bool{}
	b, _ := c.Get(ctxBody)
	raw, _ := b.([]byte)
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return out
	}
	for k, v := range m {
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			out[k] = true
		}
	}
	return out
}

// auditComponent records a component write as a change of its procedure
// (procedure.update, the procedure's code as subject), before the answer.
func (h *catalogHandler) auditComponent(c *gin.Context, x catalog.Component, verb string) {
	en := entry(c, audit.ProcedureUpdated, x.ProcedureCode)
	en.Detail = "component=" + strconv.FormatInt(x.ID, 10) + " " + verb
	h.record(c, en)
}
