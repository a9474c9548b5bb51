package stats

// Online levels of procedures (docs/openapi.yaml) and their report labels.
const (
	OnlineInfo    = "info"    // level 2
	OnlinePartial = "partial" // level 3, một phần
	OnlineFull    = "full"    // level 4, toàn trình
)

// OnlineLevels lists the online levels in report order.
var OnlineLevels = []string{OnlineInfo, OnlinePartial, OnlineFull}

// OnlineLevelLabel is the Vietnamese name of an online level.
func OnlineLevelLabel(level string) string {
	switch level {
	case OnlineInfo:
		return "Mức độ 2 (cung cấp thông tin)"
	case OnlinePartial:
		return "Mức độ 3 (trực tuyến một phần)"
	case OnlineFull:
		return "Mức độ 4 (trực tuyến toàn trình)"
	}
	return UnknownLabel
}

// Levels lists the procedure levels in report order.
var Levels = []string{"province", "district", "commune"}

// LevelCounts are the online figures of one online level: the active
// procedures of that level, the dossiers of that level's procedures received
// in the period, and how many of them came online.
type LevelCounts struct {
	Level          string
	Services       int64
	Dossiers       int64
	DossiersOnline int64
}

// OnlineRate is dossiers received online / dossiers received.
func (l LevelCounts) OnlineRate() Rate { return NewRate(l.DossiersOnline, l.Dossiers) }

// OnlineCounts are the store's raw online figures.
type OnlineCounts struct {
	Levels []LevelCounts
	// Integrated is the number of active partial or full procedures integrated
	// with the national public service portal; IntegrationBase all active
	// partial or full procedures.
	Integrated      int64
	IntegrationBase int64
}

// OnlineReport is GET /stats/online.
type OnlineReport struct {
	Period Period
	Scope  Scope
	OnlineCounts
}

// Integration is integrated / (partial + full) active procedures.
func (o OnlineCounts) Integration() Rate { return NewRate(o.Integrated, o.IntegrationBase) }

// Feedback channels, categories and statuses (docs/domain.md) in report order.
var (
	FeedbackChannels   = []string{"hotline", "online", "direct", "mail"}
	FeedbackCategories = []string{"regulation", "procedure", "conduct", "other"}
	FeedbackStatuses   = []string{"received", "processing", "answered", "refused"}
)

var feedbackLabels = map[string]string{
	"hotline": "Qua đường dây nóng", "online": "Trực tuyến (Hệ thống PAKN, Cổng dịch vụ công)",
	"direct": "Trực tiếp", "mail": "Qua thư, văn bản",
	"regulation": "Về quy định hành chính", "procedure": "Về thủ tục, giải quyết hồ sơ",
	"conduct": "Về hành vi, thái độ công chức", "other": "Khác",
	"received": "Mới tiếp nhận", "processing": "Đang xử lý", "answered": "Đã trả lời", "refused": "Từ chối xử lý",
}

// FeedbackLabel is the Vietnamese name of a feedback channel, category or status.
func FeedbackLabel(v string) string {
	if l, ok := feedbackLabels[v]; ok {
		return l
	}
	return UnknownLabel
}

// FeedbackCounts are the feedback figures of a period: received in it (and
// how, what about, where they stand now), answered and refused in it and
// how many of those by their due time, published in it.
type FeedbackCounts struct {
	Received   int64
	ByChannel  map[string]int64
	ByCategory map[string]int64
	// ByStatus is the items received in the period by the status they had
	// at the period's as_of.
	ByStatus map[string]int64
	// Open is those still received or processing at as_of; OpenOverdue
	// those of them whose due time had passed by then.
	Open           int64
	OpenOverdue    int64
	Answered       int64
	AnsweredOnTime int64
	Refused        int64
	RefusedOnTime  int64
	Published      int64
}

// OnTimeRate is (answered on time + refused on time) / (answered + refused).
func (f FeedbackCounts) OnTimeRate() Rate {
	return NewRate(f.AnsweredOnTime+f.RefusedOnTime, f.Answered+f.Refused)
}

// FeedbackReport is GET /stats/feedback.
type FeedbackReport struct {
	Period Period
	Scope  Scope
	FeedbackCounts
}

// PublicationKinds lists the publication kinds in report order.
var PublicationKinds = []string{"new", "amended", "abolished"}

// PublicationLabel is the Vietnamese name of a publication kind.
func PublicationLabel(kind string) string {
	switch kind {
	case "new":
		return "Ban hành mới"
	case "amended":
		return "Sửa đổi, bổ sung"
	case "abolished":
		return "Bãi bỏ"
	}
	return UnknownLabel
}

// AgencyCount is a count for one agency.
type AgencyCount struct {
	AgencyCode string
	Name       string
	Count      int64
}

// ProcedureCounts are the catalogue figures: publications decided in the
// period by kind, and the active procedures now by level and online level,
// and those on the "5 tại chỗ" list by agency.
type ProcedureCounts struct {
	Publications  map[string]int64
	Active        int64
	ByLevel       map[string]int64
	ByOnlineLevel map[string]int64
	OnSpot        []AgencyCount
}

// PublicationsTotal is the number of publications in the period.
func (p ProcedureCounts) PublicationsTotal() int64 {
	var n int64
	for _, v := range p.Publications {
		n += v
	}
	return n
}

// OnSpotTotal is the number of active on-spot eligible procedures.
func (p ProcedureCounts) OnSpotTotal() int64 {
	var n int64
	for _, a := range p.OnSpot {
		n += a.Count
	}
	return n
}

// ProcedureReport is GET /stats/procedures.
type ProcedureReport struct {
	Period Period
	Scope  Scope
	ProcedureCounts
}

// SatisfiedMin is the lowest score that counts as satisfied (4–5).
const SatisfiedMin = 4

// SatisfactionCounts are the ratings given in a period, by score (1–5).
type SatisfactionCounts struct {
	ByScore map[int]int64
}

// Count is the number of ratings.
func (s SatisfactionCounts) Count() int64 {
	var n int64
	for _, v := range s.ByScore {
		n += v
	}
	return n
}

// Average is the mean score.
func (s SatisfactionCounts) Average() Average {
	var sum int64
	for k, v := range s.ByScore {
		sum += int64(k) * v
	}
	return Average{Sum: sum, Count: s.Count()}
}

// Satisfied is the share of ratings of 4 or 5.
func (s SatisfactionCounts) Satisfied() Rate {
	var n int64
	for k, v := range s.ByScore {
		if k >= SatisfiedMin {
			n += v
		}
	}
	return NewRate(n, s.Count())
}

// SatisfactionReport is GET /stats/satisfaction.
type SatisfactionReport struct {
	Period Period
	Scope  Scope
	SatisfactionCounts
}
