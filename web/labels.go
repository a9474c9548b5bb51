package web

// The Vietnamese words a citizen reads for each status and stage. They are
// part of the pages' contract: monitors and tests read them.

var dossierStatusLabels = map[string]string{
	"submitted":            "Đã nộp trực tuyến, chờ tiếp nhận",
	"received":             "Đã tiếp nhận",
	"rejected":             "Không được tiếp nhận",
	"processing":           "Đang giải quyết",
	"supplement_requested": "Cần bổ sung hồ sơ",
	"awaiting_payment":     "Chờ nộp phí, lệ phí",
	"withdrawn":            "Đã rút hồ sơ",
	"stopped":              "Dừng giải quyết",
	"resolved":             "Đã có kết quả, chờ nhận",
	"returned":             "Đã trả kết quả",
}

var stageLabels = map[string]string{
	"submit":             "Nộp hồ sơ trực tuyến",
	"receive":            "Tiếp nhận hồ sơ",
	"accept":             "Tiếp nhận hồ sơ trực tuyến",
	"reject":             "Từ chối tiếp nhận",
	"start":              "Chuyển xử lý",
	"transfer":           "Chuyển đơn vị xử lý",
	"request_supplement": "Yêu cầu bổ sung hồ sơ",
	"supplement":         "Đã bổ sung hồ sơ",
	"request_payment":    "Yêu cầu nộp phí, lệ phí",
	"confirm_payment":    "Đã nộp phí, lệ phí",
	"resolve":            "Có kết quả giải quyết",
	"return":             "Đã trả kết quả",
	"withdraw":           "Rút hồ sơ",
	"stop":               "Dừng giải quyết",
	"reschedule":         "Hẹn lại ngày trả kết quả",
	"import":             "Chuyển từ hệ thống cũ",
}

var feedbackStatusLabels = map[string]string{
	"received":   "Đã tiếp nhận",
	"processing": "Đang xử lý",
	"answered":   "Đã trả lời",
	"refused":    "Từ chối xử lý",
}

// feedbackCategories are the feedback form's choices, in the order shown.
var feedbackCategories = []struct{ Value, Label string }{
	{"regulation", "Quy định hành chính"},
	{"procedure", "Thủ tục, cách giải quyết hồ sơ"},
	{"conduct", "Thái độ, hành vi của cán bộ"},
	{"other", "Khác"},
}

// ratingScores are the rating form's five choices.
var ratingScores = []struct {
	Value int
	Label string
}{
	{1, "Rất không hài lòng"}, {2, "Không hài lòng"}, {3, "Bình thường"}, {4, "Hài lòng"}, {5, "Rất hài lòng"},
}

// label is m[key], or key itself for a value the table does not know yet.
func label(m map[string]string, key string) string {
	if l, ok := m[key]; ok {
		return l
	}
	return key
}
