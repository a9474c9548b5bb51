package stats

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// Scope is the part of the agency tree a report covers.
type Scope struct {
	// UnitCode is the root of the scope; "" is the whole province.
	UnitCode string
	// UnitName is its name ("" for the whole province).
	UnitName string
	// Units are UnitCode and every unit below it; nil for the whole province.
	Units []string
}

// All reports whether the scope is the whole province.
func (s Scope) All() bool { return s.UnitCode == "" }

// Label names the scope in report headings.
func (s Scope) Label() string {
	if s.All() {
		return "Toàn tỉnh"
	}
	if s.UnitName != "" {
		return s.UnitName + " (" + s.UnitCode + ")"
	}
	return s.UnitCode
}

// Query is what the Store counts over: the period's half-open instants
// (UTC) and inclusive dates, and the scope's units (nil: everything).
//
// A dossier is in the scope when its reception unit, its handling agency or
// its holder unit is one of Units (docs/domain.md); a feedback item when its
// recording unit or its assigned agency is; a rating when its dossier's
// reception unit or handling agency is; a procedure or publication when the
// procedure's handling agency is.
type Query struct {
	Start time.Time
	End   time.Time
	// AsOf is min(End, now): in-progress dossiers are judged overdue, and
	// feedback open, at this instant (docs/domain.md).
	AsOf  time.Time
	From  worktime.Date
	To    worktime.Date
	Units []string
}

// Store counts with aggregate queries; it never loads rows one by one.
type Store interface {
	// Form06 returns a row per group of the dossiers in q's scope that
	// matter to the period (received before its end and not finished before
	// its start, or rejected in it), with Group set and Name empty. A missing
	// group value is "".
	Form06(ctx context.Context, q Query, by GroupBy) ([]Row, error)
	// Online returns the services and the dossiers received in the period per
	// online level, and the national portal integration counts.
	Online(ctx context.Context, q Query) (OnlineCounts, error)
	// Digitisation returns the digitisation, electronic result and online
	// payment figures of the dossiers in q's scope (DigitisationCounts),
	// flags counted as they stood at q's AsOf.
	Digitisation(ctx context.Context, q Query) (DigitisationCounts, error)
	// DVCQGSync returns the national portal sync figures of the dossiers
	// received in the period in q's scope (DVCQGCounts), states as now.
	DVCQGSync(ctx context.Context, q Query) (DVCQGCounts, error)
	// Feedback returns the feedback figures of the period.
	Feedback(ctx context.Context, q Query) (FeedbackCounts, error)
	// Procedures returns the publications of the period and the active
	// catalogue (OnSpot names empty).
	Procedures(ctx context.Context, q Query) (ProcedureCounts, error)
	// Satisfaction returns the ratings given in the period by score.
	Satisfaction(ctx context.Context, q Query) (SatisfactionCounts, error)
	// AgencyNames returns the names of the agencies among codes.
	AgencyNames(ctx context.Context, codes []string) (map[string]string, error)
	// ProcedureNames returns the names of the procedures among codes.
	ProcedureNames(ctx context.Context, codes []string) (map[string]string, error)
	// ServiceIndex returns the counts of the service index (IndexCounts),
	// dossiers and feedback as they stood at q's AsOf.
	ServiceIndex(ctx context.Context, q Query) (IndexCounts, error)
	// ResolvedSpans calls fn with each dossier of q's scope resolved in the
	// period (form 06's resolved_total), in no particular order; an error
	// from fn stops it and is returned.
	ResolvedSpans(ctx context.Context, q Query, fn func(ResolvedSpan) error) error
}

// Catalog is what the service reads of the catalog: the agency tree for
// scopes, agencies for their names, and the working calendar for the
// service index's working times.
type Catalog interface {
	Tree(ctx context.Context) (*catalog.Tree, error)
	Agency(ctx context.Context, code string) (catalog.Agency, error)
	Calendar(ctx context.Context) (*worktime.Calendar, error)
}

// Service answers the statistics endpoints: it checks the caller's role,
// resolves the period and the scope, and asks the Store to count.
type Service struct {
	store     Store
	catalog   Catalog
	loc       *time.Location
	cutoffDay int
	now       func() time.Time
	points    IndexPoints // the service index's points (nil: the defaults)
	dvcqgOn   bool        // the push to the national portal is on (dvcqg.go)
}

// NewService returns a statistics service. Periods are in loc; cutoffDay is
// MOTCUA_REPORT_CUTOFF_DAY (0: month= is the calendar month); now is the
// clock that decides a period's as_of (nil: time.Now).
func NewService(store Store, cat Catalog, loc *time.Location, cutoffDay int, now func() time.Time) *Service {
	if loc == nil {
		loc = worktime.DefaultLocation()
	}
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, catalog: cat, loc: loc, cutoffDay: cutoffDay, now: now}
}

// Location is the zone periods are computed in.
func (s *Service) Location() *time.Location { return s.loc }

// Request is what every statistics endpoint takes: a period and an optional
// unit that narrows the caller's scope.
type Request struct {
	Period   PeriodInput
	UnitCode string
}

// prepare checks the role, parses the period and resolves the scope.
//
// Viewers and admins see the province (or their unit's subtree when they
// have a unit), leaders their own unit's subtree; clerks and officers get
// KindForbidden. unit_code narrows the scope to that unit's subtree: an
// unknown unit is KindValidation; a unit outside the caller's scope is
// KindForbidden (the agency tree is readable by all staff, so there is
// nothing to hide by answering 404). A bad or missing period is
// KindValidation.
func (s *Service) prepare(ctx context.Context, by user.Principal, req Request, fe domain.FieldErrors) (Period, Scope, Query, error) {
	if err := by.RequireRole(user.RoleViewer, user.RoleAdmin, user.RoleLeader); err != nil {
		return Period{}, Scope{}, Query{}, err
	}
	if !by.SeesAll() && by.Unit == "" {
		return Period{}, Scope{}, Query{}, domain.ErrForbidden
	}
	if fe == nil {
		fe = domain.FieldErrors{}
	}
	now := s.now()
	p, perr := ParsePeriod(req.Period, s.cutoffDay, s.loc)
	if perr == nil && p.Start.After(now) {
		key := p.Kind
		if key == KindRange {
			key = "from"
		}
		fe.Add(key, "kỳ báo cáo chưa bắt đầu")
	}
	p = p.At(now)
	if perr != nil {
		var de *domain.Error
		if !errors.As(perr, &de) {
			return Period{}, Scope{}, Query{}, perr
		}
		for k, v := range de.Fields {
			fe.Add(k, v)
		}
	}
	unit := strings.TrimSpace(req.UnitCode)
	tree, err := s.catalog.Tree(ctx)
	if err != nil {
		return Period{}, Scope{}, Query{}, fmt.Errorf("stats scope: %w", err)
	}
	if unit != "" && !tree.Has(unit) {
		fe.Add("unit_code", "đơn vị không tồn tại")
	}
	if err := fe.Err(); err != nil {
		return Period{}, Scope{}, Query{}, err
	}
	var sc Scope
	switch {
	case unit != "":
		if !by.InScope(tree, unit) {
			return Period{}, Scope{}, Query{}, &domain.Error{Kind: domain.KindForbidden,
				Message: "Đơn vị nằm ngoài phạm vi thống kê của bạn"}
		}
		sc.UnitCode = unit
	case !by.SeesAll():
		sc.UnitCode = by.Unit
	}
	if sc.UnitCode != "" {
		sc.Units = tree.Subtree(sc.UnitCode)
		a, err := s.catalog.Agency(ctx, sc.UnitCode)
		if err != nil && domain.KindOf(err) != domain.KindNotFound {
			return Period{}, Scope{}, Query{}, fmt.Errorf("stats scope: %w", err)
		}
		sc.UnitName = a.Name
	}
	q := Query{Start: p.Start.UTC(), End: p.End.UTC(), AsOf: p.AsOf.UTC(), From: p.From, To: p.To, Units: sc.Units}
	return p, sc, q, nil
}

// Dossiers returns report form 06 grouped by group (ByUnit when empty). Returns KindValidation for
// an unknown grouping, a bad period or an unknown unit, KindForbidden for a
// role without statistics or a unit outside the caller's scope.
func (s *Service) Dossiers(ctx context.Context, by user.Principal, req Request, group GroupBy) (Form06, error) {
	if group == "" {
		group = ByUnit
	}
	fe := domain.FieldErrors{}
	if !group.Valid() {
		fe.Add("group_by", "phải là unit, agency, procedure, field, level hoặc channel")
	}
	p, sc, q, err := s.prepare(ctx, by, req, fe)
	if err != nil {
		return Form06{}, err
	}
	rows, err := s.store.Form06(ctx, q, group)
	if err != nil {
		return Form06{}, fmt.Errorf("form 06: %w", err)
	}
	if err := s.name(ctx, group, rows); err != nil {
		return Form06{}, err
	}
	sortRows(group, rows)
	f := Form06{Period: p, Scope: sc, GroupBy: group, Rows: rows}
	for _, r := range rows {
		f.Total.Add(r.Counts)
	}
	return f, nil
}

// name fills each row's Vietnamese label.
func (s *Service) name(ctx context.Context, group GroupBy, rows []Row) error {
	codes := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.Group != "" {
			codes = append(codes, r.Group)
		}
	}
	var names map[string]string
	var err error
	switch group {
	case ByUnit, ByAgency:
		names, err = s.store.AgencyNames(ctx, codes)
	case ByProcedure:
		names, err = s.store.ProcedureNames(ctx, codes)
	}
	if err != nil {
		return fmt.Errorf("form 06 names: %w", err)
	}
	for i := range rows {
		r := &rows[i]
		switch {
		case r.Group == "":
			r.Name = UnknownLabel
		case group == ByLevel:
			r.Name = LevelLabel(r.Group)
		case group == ByChannel:
			r.Name = ChannelLabel(r.Group)
		case group == ByField:
			r.Name = r.Group
		default:
			r.Name = names[r.Group]
			if r.Name == "" {
				r.Name = UnknownLabel
			}
		}
	}
	return nil
}

// Online returns the online-service figures per online level and the
// national portal integration. Errors as for Dossiers.
func (s *Service) Online(ctx context.Context, by user.Principal, req Request) (OnlineReport, error) {
	p, sc, q, err := s.prepare(ctx, by, req, nil)
	if err != nil {
		return OnlineReport{}, err
	}
	c, err := s.store.Online(ctx, q)
	if err != nil {
		return OnlineReport{}, fmt.Errorf("online stats: %w", err)
	}
	// Every level appears, in order, even without services or dossiers.
	got := map[string]LevelCounts{}
	for _, l := range c.Levels {
		got[l.Level] = l
	}
	levels := make([]LevelCounts, 0, len(OnlineLevels))
	for _, lv := range OnlineLevels {
		l := got[lv]
		l.Level = lv
		levels = append(levels, l)
		delete(got, lv)
	}
	var rest []string
	for k := range got {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	for _, k := range rest {
		levels = append(levels, got[k])
	}
	c.Levels = levels
	return OnlineReport{Period: p, Scope: sc, OnlineCounts: c}, nil
}

// Feedback returns the feedback figures. Errors as for Dossiers.
func (s *Service) Feedback(ctx context.Context, by user.Principal, req Request) (FeedbackReport, error) {
	p, sc, q, err := s.prepare(ctx, by, req, nil)
	if err != nil {
		return FeedbackReport{}, err
	}
	c, err := s.store.Feedback(ctx, q)
	if err != nil {
		return FeedbackReport{}, fmt.Errorf("feedback stats: %w", err)
	}
	c.ByChannel = withKeys(c.ByChannel, FeedbackChannels)
	c.ByCategory = withKeys(c.ByCategory, FeedbackCategories)
	c.ByStatus = withKeys(c.ByStatus, FeedbackStatuses)
	return FeedbackReport{Period: p, Scope: sc, FeedbackCounts: c}, nil
}

// Procedures returns the catalogue figures. Errors as for Dossiers.
func (s *Service) Procedures(ctx context.Context, by user.Principal, req Request) (ProcedureReport, error) {
	p, sc, q, err := s.prepare(ctx, by, req, nil)
	if err != nil {
		return ProcedureReport{}, err
	}
	c, err := s.store.Procedures(ctx, q)
	if err != nil {
		return ProcedureReport{}, fmt.Errorf("procedure stats: %w", err)
	}
	c.Publications = withKeys(c.Publications, PublicationKinds)
	c.ByLevel = withKeys(c.ByLevel, Levels)
	c.ByOnlineLevel = withKeys(c.ByOnlineLevel, OnlineLevels)
	codes := make([]string, len(c.OnSpot))
	for i, a := range c.OnSpot {
		codes[i] = a.AgencyCode
	}
	names, err := s.store.AgencyNames(ctx, codes)
	if err != nil {
		return ProcedureReport{}, fmt.Errorf("procedure stats names: %w", err)
	}
	for i := range c.OnSpot {
		c.OnSpot[i].Name = names[c.OnSpot[i].AgencyCode]
	}
	sort.Slice(c.OnSpot, func(i, j int) bool { return c.OnSpot[i].AgencyCode < c.OnSpot[j].AgencyCode })
	return ProcedureReport{Period: p, Scope: sc, ProcedureCounts: c}, nil
}

// Satisfaction returns the ratings of the period. Errors as for Dossiers.
func (s *Service) Satisfaction(ctx context.Context, by user.Principal, req Request) (SatisfactionReport, error) {
	p, sc, q, err := s.prepare(ctx, by, req, nil)
	if err != nil {
		return SatisfactionReport{}, err
	}
	c, err := s.store.Satisfaction(ctx, q)
	if err != nil {
		return SatisfactionReport{}, fmt.Errorf("satisfaction stats: %w", err)
	}
	if c.ByScore == nil {
		c.ByScore = map[int]int64{}
	}
	for k := 1; k <= 5; k++ {
		if _, ok := c.ByScore[k]; !ok {
			c.ByScore[k] = 0
		}
	}
	return SatisfactionReport{Period: p, Scope: sc, SatisfactionCounts: c}, nil
}

// withKeys returns m with every key of keys present (0 when absent).
func withKeys(m map[string]int64, keys []string) map[string]int64 {
	out := make(map[string]int64, len(keys)+len(m))
	for _, k := range keys {
		out[k] = 0
	}
	for k, v := range m {
		out[k] += v
	}
	return out
}
