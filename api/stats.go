package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain/stats"
)

// statsHandler serves GET /api/v1/stats/*: JSON by default, CSV or XLSX on
// request (export.go).
type statsHandler struct {
	svc StatsService
	env
}

// statsRequest reads the period and unit_code every statistics endpoint takes.
func statsRequest(c *gin.Context) stats.Request {
	return stats.Request{
		Period: stats.PeriodInput{Month: c.Query("month"), Quarter: c.Query("quarter"), Half: c.Query("half"),
			Year: c.Query("year"), From: c.Query("from"), To: c.Query("to")},
		UnitCode: c.Query("unit_code"),
	}
}

// ---- shared DTOs

type periodDTO struct {
	Kind  string    `json:"kind"`
	Name  *string   `json:"name"`
	From  string    `json:"from"`
	To    string    `json:"to"`
	Month *string   `json:"month"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	AsOf  time.Time `json:"as_of"`
	Label string    `json:"label"`
}

func toPeriodDTO(p stats.Period, loc *time.Location) periodDTO {
	d := periodDTO{Kind: p.Kind, From: p.From.String(), To: p.To.String(), Start: p.Start.In(loc), End: p.End.In(loc),
		AsOf: p.AsOf.In(loc), Label: p.Label()}
	if p.Name != "" {
		n := p.Name
		d.Name = &n
	}
	if m := p.Month(); m != "" {
		d.Month = &m
	}
	return d
}

type scopeDTO struct {
	UnitCode *string `json:"unit_code"`
	UnitName *string `json:"unit_name"`
	Label    string  `json:"label"`
}

func toScopeDTO(s stats.Scope) scopeDTO {
	d := scopeDTO{Label: s.Label()}
	if !s.All() {
		code, name := s.UnitCode, s.UnitName
		d.UnitCode, d.UnitName = &code, &name
	}
	return d
}

// rateDTO is the contract's rate: value (percent, 2 decimals, null when the
// denominator is 0) with its numerator and denominator.
type rateDTO struct {
	Value       *float64 `json:"value"`
	Numerator   int64    `json:"numerator"`
	Denominator int64    `json:"denominator"`
}

func toRateDTO(r stats.Rate) rateDTO {
	return rateDTO{Value: r.Value(), Numerator: r.Numerator, Denominator: r.Denominator}
}

// ---- form 06

type form06Figures struct {
	ReceivedTotal        int64   `json:"received_total"`
	ReceivedOnline       int64   `json:"received_online"`
	ReceivedDirectPostal int64   `json:"received_direct_postal"`
	CarriedOver          int64   `json:"carried_over"`
	ResolvedTotal        int64   `json:"resolved_total"`
	ResolvedEarly        int64   `json:"resolved_early"`
	ResolvedOnTime       int64   `json:"resolved_on_time"`
	ResolvedLate         int64   `json:"resolved_late"`
	InProgressTotal      int64   `json:"in_progress_total"`
	InProgressWithin     int64   `json:"in_progress_within"`
	InProgressOverdue    int64   `json:"in_progress_overdue"`
	Withdrawn            int64   `json:"withdrawn"`
	Stopped              int64   `json:"stopped"`
	Rejected             int64   `json:"rejected"`
	OnTimeRate           rateDTO `json:"on_time_rate"`
	OnlineRate           rateDTO `json:"online_rate"`
	OnSpotResolved       int64   `json:"on_spot_resolved"`
	OnSpotRate           rateDTO `json:"on_spot_rate"`
}

func toForm06Figures(c stats.Counts) form06Figures {
	return form06Figures{
		ReceivedTotal: c.ReceivedTotal(), ReceivedOnline: c.ReceivedOnline, ReceivedDirectPostal: c.ReceivedDirectPostal,
		CarriedOver: c.CarriedOver, ResolvedTotal: c.ResolvedTotal, ResolvedEarly: c.ResolvedEarly,
		ResolvedOnTime: c.ResolvedOnTime, ResolvedLate: c.ResolvedLate, InProgressTotal: c.InProgressTotal(),
		InProgressWithin: c.InProgressWithin, InProgressOverdue: c.InProgressOverdue, Withdrawn: c.Withdrawn,
		Stopped: c.Stopped, Rejected: c.Rejected, OnTimeRate: toRateDTO(c.OnTimeRate()),
		OnlineRate: toRateDTO(c.OnlineRate()), OnSpotResolved: c.OnSpotResolved, OnSpotRate: toRateDTO(c.OnSpotRate()),
	}
}

type form06RowDTO struct {
	Group string `json:"group"`
	Name  string `json:"name"`
	form06Figures
}

type form06DTO struct {
	Period  periodDTO      `json:"period"`
	Scope   scopeDTO       `json:"scope"`
	GroupBy string         `json:"group_by"`
	Rows    []form06RowDTO `json:"rows"`
	Total   form06Figures  `json:"total"`
}

func toForm06DTO(f stats.Form06, loc *time.Location) form06DTO {
	d := form06DTO{Period: toPeriodDTO(f.Period, loc), Scope: toScopeDTO(f.Scope), GroupBy: string(f.GroupBy),
		Rows: make([]form06RowDTO, len(f.Rows)), Total: toForm06Figures(f.Total)}
	for i, r := range f.Rows {
		d.Rows[i] = form06RowDTO{Group: r.Group, Name: r.Name, form06Figures: toForm06Figures(r.Counts)}
	}
	return d
}

func (h *statsHandler) dossiers(c *gin.Context) (answer, error) {
	format, err := exportFormat(c)
	if err != nil {
		return answer{}, err
	}
	f, err := h.svc.Dossiers(c.Request.Context(), principal(c), statsRequest(c), stats.GroupBy(c.Query("group_by")))
	if err != nil {
		return answer{}, err
	}
	name := exportName("bao-cao-giai-quyet-tthc-theo-"+string(f.GroupBy), f.Period, f.Scope)
	switch format {
	case formatCSV:
		return csvDownload(name, form06Table(f))
	case formatXLSX:
		return xlsxDownload(name, func() ([]byte, error) { return form06Workbook(f) })
	default:
		return ok(toForm06DTO(f, h.loc)), nil
	}
}

// ---- online

type onlineLevelDTO struct {
	OnlineLevel    string  `json:"online_level"`
	Name           string  `json:"name"`
	Services       int64   `json:"services"`
	Dossiers       int64   `json:"dossiers"`
	DossiersOnline int64   `json:"dossiers_online"`
	OnlineRate     rateDTO `json:"online_rate"`
}

type onlineDTO struct {
	Period                    periodDTO        `json:"period"`
	Scope                     scopeDTO         `json:"scope"`
	Levels                    []onlineLevelDTO `json:"levels"`
	NationalPortalIntegration rateDTO          `json:"national_portal_integration"`
}

func toOnlineDTO(r stats.OnlineReport, loc *time.Location) onlineDTO {
	d := onlineDTO{Period: toPeriodDTO(r.Period, loc), Scope: toScopeDTO(r.Scope), Levels: make([]onlineLevelDTO, len(r.Levels)),
		NationalPortalIntegration: toRateDTO(r.Integration())}
	for i, l := range r.Levels {
		d.Levels[i] = onlineLevelDTO{OnlineLevel: l.Level, Name: stats.OnlineLevelLabel(l.Level), Services: l.Services,
			Dossiers: l.Dossiers, DossiersOnline: l.DossiersOnline, OnlineRate: toRateDTO(l.OnlineRate())}
	}
	return d
}

func (h *statsHandler) online(c *gin.Context) (answer, error) {
	format, err := exportFormat(c)
	if err != nil {
		return answer{}, err
	}
	r, err := h.svc.Online(c.Request.Context(), principal(c), statsRequest(c))
	if err != nil {
		return answer{}, err
	}
	return report(format, "thong-ke-dich-vu-cong-truc-tuyen", r.Period, r.Scope, onlineTable(r), func() any { return toOnlineDTO(r, h.loc) })
}

// ---- feedback

type feedbackStatsDTO struct {
	Period         periodDTO        `json:"period"`
	Scope          scopeDTO         `json:"scope"`
	Received       int64            `json:"received"`
	ByChannel      map[string]int64 `json:"by_channel"`
	ByCategory     map[string]int64 `json:"by_category"`
	ByStatus       map[string]int64 `json:"by_status"`
	Open           int64            `json:"open"`
	OpenOverdue    int64            `json:"open_overdue"`
	Answered       int64            `json:"answered"`
	AnsweredOnTime int64            `json:"answered_on_time"`
	Refused        int64            `json:"refused"`
	RefusedOnTime  int64            `json:"refused_on_time"`
	OnTimeRate     rateDTO          `json:"on_time_rate"`
	Published      int64            `json:"published"`
}

func (h *statsHandler) feedback(c *gin.Context) (answer, error) {
	format, err := exportFormat(c)
	if err != nil {
		return answer{}, err
	}
	r, err := h.svc.Feedback(c.Request.Context(), principal(c), statsRequest(c))
	if err != nil {
		return answer{}, err
	}
	return report(format, "thong-ke-phan-anh-kien-nghi", r.Period, r.Scope, feedbackTable(r), func() any {
		return feedbackStatsDTO{Period: toPeriodDTO(r.Period, h.loc), Scope: toScopeDTO(r.Scope), Received: r.Received,
			ByChannel: r.ByChannel, ByCategory: r.ByCategory, ByStatus: r.ByStatus, Open: r.Open, OpenOverdue: r.OpenOverdue, Answered: r.Answered,
			AnsweredOnTime: r.AnsweredOnTime, Refused: r.Refused, RefusedOnTime: r.RefusedOnTime,
			OnTimeRate: toRateDTO(r.OnTimeRate()), Published: r.Published}
	})
}

// ---- procedures

type agencyCountDTO struct {
	AgencyCode string `json:"agency_code"`
	Name       string `json:"name"`
	Count      int64  `json:"count"`
}

type onSpotDTO struct {
	Total    int64            `json:"total"`
	ByAgency []agencyCountDTO `json:"by_agency"`
}

type procedureStatsDTO struct {
	Period            periodDTO        `json:"period"`
	Scope             scopeDTO         `json:"scope"`
	Publications      map[string]int64 `json:"publications"`
	PublicationsTotal int64            `json:"publications_total"`
	Active            int64            `json:"active"`
	ByLevel           map[string]int64 `json:"by_level"`
	ByOnlineLevel     map[string]int64 `json:"by_online_level"`
	OnSpotEligible    onSpotDTO        `json:"on_spot_eligible"`
}

func (h *statsHandler) procedures(c *gin.Context) (answer, error) {
	format, err := exportFormat(c)
	if err != nil {
		return answer{}, err
	}
	r, err := h.svc.Procedures(c.Request.Context(), principal(c), statsRequest(c))
	if err != nil {
		return answer{}, err
	}
	return report(format, "thong-ke-thu-tuc-hanh-chinh", r.Period, r.Scope, proceduresTable(r), func() any {
		d := procedureStatsDTO{Period: toPeriodDTO(r.Period, h.loc), Scope: toScopeDTO(r.Scope), Publications: r.Publications,
			PublicationsTotal: r.PublicationsTotal(), Active: r.Active, ByLevel: r.ByLevel, ByOnlineLevel: r.ByOnlineLevel,
			OnSpotEligible: onSpotDTO{Total: r.OnSpotTotal(), ByAgency: make([]agencyCountDTO, len(r.OnSpot))}}
		for i, a := range r.OnSpot {
			d.OnSpotEligible.ByAgency[i] = agencyCountDTO{AgencyCode: a.AgencyCode, Name: a.Name, Count: a.Count}
		}
		return d
	})
}

// ---- satisfaction

type satisfactionDTO struct {
	Period    periodDTO        `json:"period"`
	Scope     scopeDTO         `json:"scope"`
	Count     int64            `json:"count"`
	Average   *float64         `json:"average"`
	Satisfied rateDTO          `json:"satisfied"`
	ByScore   map[string]int64 `json:"by_score"`
}

func (h *statsHandler) satisfaction(c *gin.Context) (answer, error) {
	format, err := exportFormat(c)
	if err != nil {
		return answer{}, err
	}
	r, err := h.svc.Satisfaction(c.Request.Context(), principal(c), statsRequest(c))
	if err != nil {
		return answer{}, err
	}
	return report(format, "thong-ke-muc-do-hai-long", r.Period, r.Scope, satisfactionTable(r), func() any {
		d := satisfactionDTO{Period: toPeriodDTO(r.Period, h.loc), Scope: toScopeDTO(r.Scope), Count: r.Count(),
			Average: r.Average().Value(), Satisfied: toRateDTO(r.Satisfied()), ByScore: map[string]int64{}}
		for k, v := range r.ByScore {
			d.ByScore[strconv.Itoa(k)] = v
		}
		return d
	})
}

// report answers a simple report in the negotiated format.
func report(format, name string, p stats.Period, s stats.Scope, t indicatorTable, dto func() any) (answer, error) {
	switch format {
	case formatCSV:
		return csvDownload(exportName(name, p, s), t.csvRecords())
	case formatXLSX:
		return xlsxDownload(exportName(name, p, s), func() ([]byte, error) { return t.workbook(p, s) })
	default:
		return ok(dto()), nil
	}
}
