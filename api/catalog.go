package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/worktime"
)

type catalogHandler struct {
	svc CatalogService
	env
}

// ---- agencies

type agencyDTO struct {
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Kind       string    `json:"kind"`
	ParentCode *string   `json:"parent_code"`
	Closed     bool      `json:"closed"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func toAgencyDTO(a catalog.Agency, loc *time.Location) agencyDTO {
	var parent *string
	if a.ParentCode != "" {
		parent = &a.ParentCode
	}
	return agencyDTO{Code: a.Code, Name: a.Name, Kind: string(a.Kind), ParentCode: parent, Closed: a.Closed,
		CreatedAt: a.CreatedAt.In(loc), UpdatedAt: a.UpdatedAt.In(loc)}
}

type createAgencyRequest struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	ParentCode string `json:"parent_code"`
	Closed     bool   `json:"closed"`
}

type patchAgencyRequest struct {
	Name       *string `json:"name"`
	Kind       *string `json:"kind"`
	ParentCode *string `json:"parent_code"`
	Closed     *bool   `json:"closed"`
}

func (h *catalogHandler) listAgencies(c *gin.Context) (answer, error) {
	page, size, err := pageParams(c)
	if err != nil {
		return answer{}, err
	}
	f := catalog.AgencyFilter{Kind: catalog.AgencyKind(c.Query("kind")), ParentCode: c.Query("parent_code"), Q: c.Query("q"),
		Page: domain.Page{Page: page, PageSize: size}}
	items, total, err := h.svc.ListAgencies(c.Request.Context(), f)
	if err != nil {
		return answer{}, err
	}
	return ok(newList(mapItems(items, func(a catalog.Agency) agencyDTO { return toAgencyDTO(a, h.loc) }), page, size, total)), nil
}

func (h *catalogHandler) getAgency(c *gin.Context) (answer, error) {
	a, err := h.svc.Agency(c.Request.Context(), c.Param("code"))
	if err != nil {
		return answer{}, err
	}
	return ok(toAgencyDTO(a, h.loc)), nil
}

func (h *catalogHandler) createAgency(c *gin.Context) (answer, error) {
	var req createAgencyRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	a, err := h.svc.CreateAgency(c.Request.Context(), principal(c), catalog.Agency{Code: req.Code, Name: req.Name,
		Kind: catalog.AgencyKind(req.Kind), ParentCode: req.ParentCode, Closed: req.Closed})
	if err != nil {
		return answer{}, err
	}
	return created(toAgencyDTO(a, h.loc)), nil
}

func (h *catalogHandler) updateAgency(c *gin.Context) (answer, error) {
	var req patchAgencyRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	a, err := h.svc.UpdateAgency(c.Request.Context(), principal(c), c.Param("code"), func(a *catalog.Agency) {
		if req.Name != nil {
			a.Name = *req.Name
		}
		if req.Kind != nil {
			a.Kind = catalog.AgencyKind(*req.Kind)
		}
		if req.ParentCode != nil {
			a.ParentCode = *req.ParentCode
		}
		if req.Closed != nil {
			a.Closed = *req.Closed
		}
	})
	if err != nil {
		return answer{}, err
	}
	return ok(toAgencyDTO(a, h.loc)), nil
}

// ---- procedures

type processingTimeDTO struct {
	Value int    `json:"value"`
	Unit  string `json:"unit"`
}

// processingTimeInput is a processing time as a request gives it: the
// value is required (0 is a value), so its absence is told apart.
type processingTimeInput struct {
	Value *int   `json:"value"`
	Unit  string `json:"unit"`
}

// asDomain is the duration d says; a missing one (nil) is the zero
// duration, which the catalog refuses as missing. A missing value is
// recorded in fe.
func (d *processingTimeInput) asDomain(fe domain.FieldErrors) worktime.Duration {
	if d == nil {
		return worktime.Duration{}
	}
	if d.Value == nil {
		fe.Add("processing_time.value", "bắt buộc")
		return worktime.Duration{Unit: worktime.Unit(d.Unit)}
	}
	return worktime.Duration{Value: *d.Value, Unit: worktime.Unit(d.Unit)}
}

type publicationDTO struct {
	Kind      string    `json:"kind"`
	Decision  string    `json:"decision"`
	DecidedOn string    `json:"decided_on"`
	CreatedAt time.Time `json:"created_at"`
}

type procedureDTO struct {
	Code                     string            `json:"code"`
	Name                     string            `json:"name"`
	Field                    string            `json:"field"`
	AgencyCode               string            `json:"agency_code"`
	Level                    string            `json:"level"`
	ProcessingTime           processingTimeDTO `json:"processing_time"`
	Fee                      int64             `json:"fee"`
	FeeLines                 []feeLineDTO      `json:"fee_lines"`
	OnlineLevel              string            `json:"online_level"`
	OnSpotEligible           bool              `json:"on_spot_eligible"`
	NationalPortalIntegrated bool              `json:"national_portal_integrated"`
	Status                   string            `json:"status"`
	Publications             []publicationDTO  `json:"publications,omitempty"`
	Components               *[]componentDTO   `json:"components,omitempty"`
	CreatedAt                time.Time         `json:"created_at"`
	UpdatedAt                time.Time         `json:"updated_at"`
}

func toProcedureDTO(p catalog.Procedure, loc *time.Location) procedureDTO {
	out := procedureDTO{Code: p.Code, Name: p.Name, Field: p.Field, AgencyCode: p.AgencyCode, Level: string(p.Level),
		ProcessingTime: processingTimeDTO{Value: p.ProcessingTime.Value, Unit: string(p.ProcessingTime.Unit)},
		Fee:            p.Fee, FeeLines: toFeeLineDTOs(p.FeeLines), OnlineLevel: string(p.OnlineLevel), OnSpotEligible: p.OnSpotEligible,
		NationalPortalIntegrated: p.NationalPortalIntegrated, Status: string(p.Status),
		Components: toComponentDTOs(p.Components, loc), CreatedAt: p.CreatedAt.In(loc), UpdatedAt: p.UpdatedAt.In(loc)}
	for _, pub := range p.Publications {
		out.Publications = append(out.Publications, publicationDTO{Kind: string(pub.Kind), Decision: pub.Decision,
			DecidedOn: pub.DecidedOn.String(), CreatedAt: pub.CreatedAt.In(loc)})
	}
	return out
}

type createProcedureRequest struct {
	Code                     string               `json:"code"`
	Name                     string               `json:"name"`
	Field                    string               `json:"field"`
	AgencyCode               string               `json:"agency_code"`
	Level                    string               `json:"level"`
	ProcessingTime           *processingTimeInput `json:"processing_time"`
	Fee                      *int64               `json:"fee"`
	FeeLines                 *[]feeLineDTO        `json:"fee_lines"`
	OnlineLevel              string               `json:"online_level"`
	OnSpotEligible           bool                 `json:"on_spot_eligible"`
	NationalPortalIntegrated bool                 `json:"national_portal_integrated"`
	Status                   string               `json:"status"`
}

type patchProcedureRequest struct {
	Name                     *string              `json:"name"`
	Field                    *string              `json:"field"`
	AgencyCode               *string              `json:"agency_code"`
	Level                    *string              `json:"level"`
	ProcessingTime           *processingTimeInput `json:"processing_time"`
	Fee                      *int64               `json:"fee"`
	FeeLines                 *[]feeLineDTO        `json:"fee_lines"`
	OnlineLevel              *string              `json:"online_level"`
	OnSpotEligible           *bool                `json:"on_spot_eligible"`
	NationalPortalIntegrated *bool                `json:"national_portal_integrated"`
	Status                   *string              `json:"status"`
}

func (h *catalogHandler) listProcedures(c *gin.Context) (answer, error) {
	page, size, err := pageParams(c)
	if err != nil {
		return answer{}, err
	}
	fe := domain.FieldErrors{}
	f := catalog.ProcedureFilter{AgencyCode: c.Query("agency_code"), Field: c.Query("field"), Level: catalog.Level(c.Query("level")),
		OnlineLevel: catalog.OnlineLevel(c.Query("online_level")), Status: catalog.ProcedureStatus(c.Query("status")),
		OnSpotEligible: boolParam(c, "on_spot_eligible", fe), Q: c.Query("q"), Page: domain.Page{Page: page, PageSize: size}}
	if err := fe.Err(); err != nil {
		return answer{}, err
	}
	items, total, err := h.svc.ListProcedures(c.Request.Context(), f)
	if err != nil {
		return answer{}, err
	}
	return ok(newList(mapItems(items, func(p catalog.Procedure) procedureDTO { return toProcedureDTO(p, h.loc) }), page, size, total)), nil
}

func (h *catalogHandler) getProcedure(c *gin.Context) (answer, error) {
	p, err := h.svc.ProcedureDetail(c.Request.Context(), c.Param("code"))
	if err != nil {
		return answer{}, err
	}
	return ok(toProcedureDTO(p, h.loc)), nil
}

func (h *catalogHandler) createProcedure(c *gin.Context) (answer, error) {
	var req createProcedureRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	fe := domain.FieldErrors{}
	pt := req.ProcessingTime.asDomain(fe)
	if err := fe.Err(); err != nil {
		return answer{}, err
	}
	proc := catalog.Procedure{Code: req.Code, Name: req.Name,
		Field: req.Field, AgencyCode: req.AgencyCode, Level: catalog.Level(req.Level),
		ProcessingTime: pt, OnlineLevel: catalog.OnlineLevel(req.OnlineLevel), OnSpotEligible: req.OnSpotEligible,
		NationalPortalIntegrated: req.NationalPortalIntegrated, Status: catalog.ProcedureStatus(req.Status)}
	proc.SetFees(req.Fee, feeLines(req.FeeLines))
	p, err := h.svc.CreateProcedure(c.Request.Context(), principal(c), proc)
	if err != nil {
		return answer{}, err
	}
	return created(toProcedureDTO(p, h.loc)), nil
}

func (h *catalogHandler) updateProcedure(c *gin.Context) (answer, error) {
	var req patchProcedureRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	fe := domain.FieldErrors{}
	pt := req.ProcessingTime.asDomain(fe)
	if err := fe.Err(); err != nil {
		return answer{}, err
	}
	p, err := h.svc.UpdateProcedure(c.Request.Context(), principal(c), c.Param("code"), func(p *catalog.Procedure) {
		setIf(&p.Name, req.Name)
		setIf(&p.Field, req.Field)
		setIf(&p.AgencyCode, req.AgencyCode)
		if req.Level != nil {
			p.Level = catalog.Level(*req.Level)
		}
		if req.ProcessingTime != nil {
			p.ProcessingTime = pt
		}
		p.SetFees(req.Fee, feeLines(req.FeeLines))
		if req.OnlineLevel != nil {
			p.OnlineLevel = catalog.OnlineLevel(*req.OnlineLevel)
		}
		setIf(&p.OnSpotEligible, req.OnSpotEligible)
		setIf(&p.NationalPortalIntegrated, req.NationalPortalIntegrated)
		if req.Status != nil {
			p.Status = catalog.ProcedureStatus(*req.Status)
		}
	})
	if err != nil {
		return answer{}, err
	}
	return ok(toProcedureDTO(p, h.loc)), nil
}

type publicationRequest struct {
	Kind      string `json:"kind"`
	Decision  string `json:"decision"`
	DecidedOn string `json:"decided_on"`
}

func (h *catalogHandler) addPublication(c *gin.Context) (answer, error) {
	var req publicationRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	p, err := h.svc.AddPublication(c.Request.Context(), principal(c), c.Param("code"),
		catalog.PublicationText{Kind: req.Kind, Decision: req.Decision, DecidedOn: req.DecidedOn})
	if err != nil {
		return answer{}, err
	}
	return created(toProcedureDTO(p, h.loc)), nil
}

// ---- calendar

type calendarDTO struct {
	Year            int         `json:"year"`
	Holidays        []string    `json:"holidays"`
	WorkingWeekends []string    `json:"working_weekends"`
	WorkingHours    [][2]string `json:"working_hours"`
	Stored          bool        `json:"stored"`
}

type calendarRequest struct {
	Holidays        []string   `json:"holidays"`
	WorkingWeekends []string   `json:"working_weekends"`
	WorkingHours    [][]string `json:"working_hours"`
}

func toCalendarDTO(y worktime.Year, stored bool) calendarDTO {
	t := y.Text()
	out := calendarDTO{Year: y.Year, Holidays: t.Holidays, WorkingWeekends: t.WorkingWeekends, WorkingHours: [][2]string{}, Stored: stored}
	for _, s := range t.WorkingHours {
		out.WorkingHours = append(out.WorkingHours, [2]string{s[0], s[1]})
	}
	return out
}

// yearParam reads the year of the path; its range is the catalog's rule.
func yearParam(c *gin.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		return 0, domain.FieldErrors{"year": worktime.YearRange}.Err()
	}
	return y, nil
}

func (h *catalogHandler) getCalendar(c *gin.Context) (answer, error) {
	year, err := yearParam(c)
	if err != nil {
		return answer{}, err
	}
	y, stored, err := h.svc.CalendarYear(c.Request.Context(), year)
	if err != nil {
		return answer{}, err
	}
	return ok(toCalendarDTO(y, stored)), nil
}

func (h *catalogHandler) putCalendar(c *gin.Context) (answer, error) {
	year, err := yearParam(c)
	if err != nil {
		return answer{}, err
	}
	var req calendarRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	saved, err := h.svc.PutCalendarYear(c.Request.Context(), principal(c), worktime.YearText{Year: year,
		Holidays: req.Holidays, WorkingWeekends: req.WorkingWeekends, WorkingHours: req.WorkingHours})
	if err != nil {
		return answer{}, err
	}
	return ok(toCalendarDTO(saved, true)), nil
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
