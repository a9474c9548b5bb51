package stats

import (
	"fmt"
	"sort"
)

// GroupBy is how form 06 splits its rows.
type GroupBy string

// The groupings of GET /stats/dossiers.
const (
	ByUnit      GroupBy = "unit"      // reception unit (unit_code)
	ByAgency    GroupBy = "agency"    // handling agency (agency_code)
	ByProcedure GroupBy = "procedure" // procedure code
	ByField     GroupBy = "field"     // the procedure's field (lĩnh vực)
	ByLevel     GroupBy = "level"     // the procedure's level
	ByChannel   GroupBy = "channel"   // channel of receipt
)

// GroupBys lists every grouping, in the order documentation shows them.
var GroupBys = []GroupBy{ByUnit, ByAgency, ByProcedure, ByField, ByLevel, ByChannel}

// Valid reports whether g is a known grouping.
func (g GroupBy) Valid() bool {
	for _, k := range GroupBys {
		if g == k {
			return true
		}
	}
	return false
}

// Heading is the Vietnamese heading of the group column in exports.
func (g GroupBy) Heading() string {
	switch g {
	case ByUnit:
		return "Đơn vị tiếp nhận"
	case ByAgency:
		return "Cơ quan giải quyết"
	case ByProcedure:
		return "Thủ tục hành chính"
	case ByField:
		return "Lĩnh vực"
	case ByLevel:
		return "Cấp thực hiện"
	case ByChannel:
		return "Hình thức tiếp nhận"
	}
	return "Nhóm"
}

// Channels of receipt (docs/domain.md) and their Vietnamese labels.
const (
	ChannelDirect = "direct"
	ChannelOnline = "online"
	ChannelPostal = "postal"
)

// UnknownLabel names a group whose value is missing or not in the catalogue.
const UnknownLabel = "Không xác định"

var (
	levelLabels   = map[string]string{"province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}
	levelOrder    = map[string]int{"province": 1, "district": 2, "commune": 3}
	channelLabels = map[string]string{ChannelOnline: "Trực tuyến", ChannelDirect: "Trực tiếp", ChannelPostal: "Bưu chính"}
	channelOrder  = map[string]int{ChannelOnline: 1, ChannelDirect: 2, ChannelPostal: 3}
)

// LevelLabel is the Vietnamese name of a procedure level ("Cấp tỉnh", …).
func LevelLabel(level string) string {
	if l, ok := levelLabels[level]; ok {
		return l
	}
	return UnknownLabel
}

// ChannelLabel is the Vietnamese name of a channel ("Trực tuyến", …).
func ChannelLabel(channel string) string {
	if l, ok := channelLabels[channel]; ok {
		return l
	}
	return UnknownLabel
}

// Counts are the figures of one row of form 06 for a period [Start, End):
//
//   - CarriedOver: received before Start and not finished (resolved,
//     withdrawn or stopped) before Start;
//   - ReceivedOnline, ReceivedDirectPostal: received in the period, by
//     channel (rejected and merely submitted dossiers are not received);
//   - Resolved*: resolved in the period, by timeliness against due_at;
//   - InProgress*: received before End and not finished before End, split by
//     whether due_at had passed at End;
//   - Withdrawn, Stopped: withdrawn or stopped in the period;
//   - Rejected: refused at receipt in the period (outside the identities);
//   - OnSpotResolved: on-spot ("5 tại chỗ") dossiers resolved in the period.
type Counts struct {
	CarriedOver          int64
	ReceivedOnline       int64
	ReceivedDirectPostal int64
	ResolvedTotal        int64
	ResolvedEarly        int64
	ResolvedOnTime       int64
	ResolvedLate         int64
	InProgressWithin     int64
	InProgressOverdue    int64
	Withdrawn            int64
	Stopped              int64
	Rejected             int64
	OnSpotResolved       int64
}

// ReceivedNew is the number received in the period.
func (c Counts) ReceivedNew() int64 { return c.ReceivedOnline + c.ReceivedDirectPostal }

// ReceivedTotal is carried over plus received in the period.
func (c Counts) ReceivedTotal() int64 { return c.CarriedOver + c.ReceivedNew() }

// InProgressTotal is the number still in progress at the period's end.
func (c Counts) InProgressTotal() int64 { return c.InProgressWithin + c.InProgressOverdue }

// OnTimeRate is (early + on time) / resolved.
func (c Counts) OnTimeRate() Rate {
	return NewRate(c.ResolvedEarly+c.ResolvedOnTime, c.ResolvedTotal)
}

// OnlineRate is received online / received in the period.
func (c Counts) OnlineRate() Rate { return NewRate(c.ReceivedOnline, c.ReceivedNew()) }

// OnSpotRate is on-spot resolved / resolved.
func (c Counts) OnSpotRate() Rate { return NewRate(c.OnSpotResolved, c.ResolvedTotal) }

// Add adds o to c, field by field.
func (c *Counts) Add(o Counts) {
	c.CarriedOver += o.CarriedOver
	c.ReceivedOnline += o.ReceivedOnline
	c.ReceivedDirectPostal += o.ReceivedDirectPostal
	c.ResolvedTotal += o.ResolvedTotal
	c.ResolvedEarly += o.ResolvedEarly
	c.ResolvedOnTime += o.ResolvedOnTime
	c.ResolvedLate += o.ResolvedLate
	c.InProgressWithin += o.InProgressWithin
	c.InProgressOverdue += o.InProgressOverdue
	c.Withdrawn += o.Withdrawn
	c.Stopped += o.Stopped
	c.Rejected += o.Rejected
	c.OnSpotResolved += o.OnSpotResolved
}

// Check verifies the identities of form 06 (docs/domain.md): received_total =
// carried_over + received_online + received_direct_postal = resolved_total +
// in_progress_total + withdrawn + stopped, resolved_total = early + on time +
// late, and on-spot resolved within resolved. It returns an error describing
// the first identity that fails.
func (c Counts) Check() error {
	if out := c.ResolvedTotal + c.InProgressTotal() + c.Withdrawn + c.Stopped; c.ReceivedTotal() != out {
		return fmt.Errorf("received %d (carried over %d + new %d) != resolved %d + in progress %d + withdrawn %d + stopped %d",
			c.ReceivedTotal(), c.CarriedOver, c.ReceivedNew(), c.ResolvedTotal, c.InProgressTotal(), c.Withdrawn, c.Stopped)
	}
	if sum := c.ResolvedEarly + c.ResolvedOnTime + c.ResolvedLate; sum != c.ResolvedTotal {
		return fmt.Errorf("resolved %d != early %d + on time %d + late %d", c.ResolvedTotal, c.ResolvedEarly, c.ResolvedOnTime, c.ResolvedLate)
	}
	if c.OnSpotResolved > c.ResolvedTotal {
		return fmt.Errorf("on-spot resolved %d > resolved %d", c.OnSpotResolved, c.ResolvedTotal)
	}
	return nil
}

// Row is one group of form 06: Group is the unit, agency or procedure code,
// or the field, level or channel value; Name its Vietnamese label.
type Row struct {
	Group string
	Name  string
	Counts
}

// Form06 is report form 06 (Circular 01/2020/TT-VPCP) for a period and a
// scope: a row per group and their total.
type Form06 struct {
	Period  Period
	Scope   Scope
	GroupBy GroupBy
	Rows    []Row
	Total   Counts
}

// Check verifies the identities on every row and on the total, and that the
// total is the sum of the rows.
func (f Form06) Check() error {
	var sum Counts
	for _, r := range f.Rows {
		if err := r.Check(); err != nil {
			return fmt.Errorf("row %q: %w", r.Group, err)
		}
		sum.Add(r.Counts)
	}
	if err := f.Total.Check(); err != nil {
		return fmt.Errorf("total: %w", err)
	}
	if sum != f.Total {
		return fmt.Errorf("total %+v is not the sum of the rows %+v", f.Total, sum)
	}
	return nil
}

// sortRows orders rows the way the report shows them: levels from province
// to commune, channels online first, everything else by its code or value,
// with an unknown group last.
func sortRows(by GroupBy, rows []Row) {
	rank := func(r Row) int {
		if r.Group == "" {
			return 1 << 20
		}
		switch by {
		case ByLevel:
			if o, ok := levelOrder[r.Group]; ok {
				return o
			}
			return 100
		case ByChannel:
			if o, ok := channelOrder[r.Group]; ok {
				return o
			}
			return 100
		}
		return 0
	}
	sort.SliceStable(rows, func(i, j int) bool {
		ri, rj := rank(rows[i]), rank(rows[j])
		if ri != rj {
			return ri < rj
		}
		return rows[i].Group < rows[j].Group
	})
}
