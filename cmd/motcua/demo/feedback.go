package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/feedback"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/repository"
)

// demoFeedbackMarker is the title of the first demo feedback item; when it
// exists the demo feedback is already there.
const demoFeedbackMarker = "Phản ánh thời gian chờ cấp Phiếu lý lịch tư pháp"

// demoStep is one move of a demo feedback item, daysAgo before seeding.
type demoStep struct {
	daysAgo int
	by      user.Principal
	in      feedback.ActionInput
}

// demoItem is one demo feedback item: recorded by a clerk (by set) or sent
// by a citizen (by zero), then moved by steps.
type demoItem struct {
	daysAgo int
	by      user.Principal
	in      feedback.NewFeedback
	steps   []demoStep
}

// seedDemoFeedback adds feedback through every channel and in every status
// (received, processing, answered, answered and published, refused; two of
// them overdue), then rates the first returned demo dossiers, one of them
// with a 2 that opens a feedback item. Idempotent: the feedback is added
// once, and a dossier already rated is skipped.
func seedFeedback(ctx context.Context, a *app.App) error {
	store := repository.NewFeedbackStore(a.DB, a.Sealer)
	done, err := store.HasFeedbackTitled(ctx, demoFeedbackMarker)
	if err != nil {
		return fmt.Errorf("demo feedback: %w", err)
	}
	if !done {
		if err := seedFeedbackItems(ctx, a, store); err != nil {
			return err
		}
	}
	return seedRatings(ctx, a, store)
}

func seedFeedbackItems(ctx context.Context, a *app.App, store *repository.FeedbackStore) error {
	pins := domain.NewPinHasher(a.DataKey)
	loc := a.Feedback.Location()
	now := a.Feedback.Now()
	// day is 09:30 local on the weekday daysAgo calendar days before now
	// (moved back to Friday from a weekend).
	day := func(daysAgo int) time.Time {
		t := now.In(loc).AddDate(0, 0, -daysAgo)
		for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
			t = t.AddDate(0, 0, -1)
		}
		return time.Date(t.Year(), t.Month(), t.Day(), 9, 30, 0, 0, loc)
	}
	at := func(t time.Time) *feedback.Service {
		return feedback.NewService(store, a.Catalog, pins, func() time.Time { return t })
	}
	clerk := user.Principal{Username: "clerk", Role: user.RoleClerk, Unit: Center}
	clerkD := user.Principal{Username: "clerk.commune", Role: user.RoleClerk, Unit: CommuneA}
	officer := user.Principal{Username: "officer", Role: user.RoleOfficer, Unit: Justice}
	leader := user.Principal{Username: "leader", Role: user.RoleLeader, Unit: Justice}
	leaderD := user.Principal{Username: "leader.commune", Role: user.RoleLeader, Unit: CommuneA}
	admin := user.Principal{Username: "admin", Role: user.RoleAdmin}

	items := []demoItem{
		{daysAgo: 40, by: clerk, in: feedback.NewFeedback{Channel: feedback.ChannelHotline, Category: feedback.CategoryProcedure,
			Title:         demoFeedbackMarker,
			Content:       "Công dân gọi đường dây nóng: đã nộp hồ sơ cấp Phiếu lý lịch tư pháp hơn 10 ngày nhưng chưa nhận được kết quả, đề nghị cho biết lý do.",
			Sender:        feedback.Sender{Name: "Trần Thị Bình", Phone: "0912 000 111"},
			ProcedureCode: "2.000488"},
			steps: []demoStep{
				{39, clerk, feedback.ActionInput{Action: feedback.ActionAssign, AgencyCode: Justice}},
				{33, officer, feedback.ActionInput{Action: feedback.ActionAnswer, Answer: "Sở Tư pháp đã kiểm tra: hồ sơ phải xác minh thông tin tại địa phương nơi công dân từng cư trú nên kéo dài; kết quả đã được trả ngày 20. Sở xin lỗi vì chưa thông báo kịp thời."}},
				{32, leader, feedback.ActionInput{Action: feedback.ActionPublish}},
			}},
		{daysAgo: 30, by: clerkD, in: feedback.NewFeedback{Channel: feedback.ChannelMail, Category: feedback.CategoryRegulation,
			Title:      "Kiến nghị niêm yết công khai lệ phí chứng thực tại UBND xã",
			Content:    "Thư kiến nghị: bảng niêm yết lệ phí chứng thực tại bộ phận một cửa xã đã cũ, chưa cập nhật mức thu mới.",
			Sender:     feedback.Sender{Name: "Lò Văn Sáng", Address: "Bản Hon, xã Bản Bo"},
			AgencyCode: CommuneA},
			steps: []demoStep{
				{22, leaderD, feedback.ActionInput{Action: feedback.ActionAnswer, Answer: "UBND xã đã thay bảng niêm yết theo mức thu hiện hành. Cảm ơn ông đã kiến nghị."}},
			}},
		{daysAgo: 2, by: clerk, in: feedback.NewFeedback{Channel: feedback.ChannelDirect, Category: feedback.CategoryOther,
			Title:   "Góp ý bố trí thêm ghế chờ tại Trung tâm",
			Content: "Người dân góp ý trực tiếp tại quầy: khu vực chờ buổi sáng đông, đề nghị bố trí thêm ghế và nước uống.",
			Sender:  feedback.Sender{Name: "Phạm Văn Cường"}}},
		{daysAgo: 36, in: feedback.NewFeedback{Category: feedback.CategoryProcedure,
			Title:      "Hướng dẫn hồ sơ chứng thực chưa thống nhất",
			Content:    "Mỗi lần đến nộp hồ sơ chứng thực lại được hướng dẫn bổ sung một loại giấy tờ khác nhau.",
			AgencyCode: Justice}},
		{daysAgo: 34, by: clerk, in: feedback.NewFeedback{Channel: feedback.ChannelHotline, Category: feedback.CategoryConduct,
			Title:   "Phản ánh cán bộ hẹn trả kết quả không đúng giờ",
			Content: "Công dân gọi đường dây nóng phản ánh được hẹn trả kết quả 14 giờ nhưng đến 16 giờ mới nhận được.",
			Sender:  feedback.Sender{Name: "Hoàng Thị Duyên", Phone: "0987 654 321"}},
			steps: []demoStep{{33, clerk, feedback.ActionInput{Action: feedback.ActionAssign, AgencyCode: Justice}}}},
		{daysAgo: 10, in: feedback.NewFeedback{Category: feedback.CategoryOther,
			Title:      "Hỏi về thủ tục ly hôn",
			Content:    "Tôi muốn hỏi thủ tục ly hôn đơn phương cần những giấy tờ gì.",
			AgencyCode: Justice},
			steps: []demoStep{{9, leader, feedback.ActionInput{Action: feedback.ActionRefuse,
				Reason: "Nội dung thuộc thẩm quyền của Tòa án nhân dân, không phải phản ánh, kiến nghị về quy định hành chính; đề nghị liên hệ Tòa án nhân dân khu vực."}}}},
		{daysAgo: 3, in: feedback.NewFeedback{Category: feedback.CategoryRegulation,
			Title:   "Kiến nghị rút ngắn thời hạn cấp giấy chứng nhận đăng ký doanh nghiệp",
			Content: "Đề nghị tỉnh nghiên cứu rút ngắn thời hạn giải quyết xuống 2 ngày làm việc như một số tỉnh khác.",
			Sender:  feedback.Sender{Email: "doanhnghiep@example.vn"}},
			steps: []demoStep{{2, admin, feedback.ActionInput{Action: feedback.ActionAssign, AgencyCode: Planning}}}},
		{daysAgo: 20, by: clerk, in: feedback.NewFeedback{Channel: feedback.ChannelMail, Category: feedback.CategoryConduct,
			Title:      "Thư khen cán bộ tiếp nhận hồ sơ",
			Content:    "Thư của công dân cảm ơn cán bộ Sở Tư pháp tại Trung tâm đã hướng dẫn tận tình.",
			Sender:     feedback.Sender{Name: "Vũ Minh Đức", Address: "Tổ 5, phường Tân Phong"},
			AgencyCode: Justice},
			steps: []demoStep{
				{6, leader, feedback.ActionInput{Action: feedback.ActionAnswer, Answer: "Sở Tư pháp ghi nhận và cảm ơn ý kiến của ông; Sở sẽ tiếp tục nâng cao chất lượng phục vụ."}},
				{5, admin, feedback.ActionInput{Action: feedback.ActionPublish}},
			}},
	}
	for i, it := range items {
		svc := at(day(it.daysAgo))
		var f feedback.Feedback
		var err error
		if it.by.Username == "" {
			f, _, err = svc.Submit(ctx, it.in, "")
		} else {
			f, _, err = svc.Record(ctx, it.by, it.in)
		}
		if err != nil {
			return fmt.Errorf("demo feedback %d: %w", i+1, err)
		}
		for _, st := range it.steps {
			if _, err := at(day(st.daysAgo)).Act(ctx, st.by, f.Code, st.in); err != nil {
				return fmt.Errorf("demo feedback %d %s: %w", i+1, st.in.Action, err)
			}
		}
	}
	return nil
}

// seedDemoRatings rates the first returned demo dossiers; a dossier already
// rated is skipped.
func seedRatings(ctx context.Context, a *app.App, store *repository.FeedbackStore) error {
	codes, err := store.ReturnedDossierCodes(ctx, 6)
	if err != nil {
		return fmt.Errorf("demo ratings: %w", err)
	}
	sys := user.Principal{Username: "system", Role: user.RoleAdmin}
	ratings := []struct {
		score   int
		comment string
	}{
		{5, "Cán bộ hướng dẫn tận tình, trả kết quả sớm."},
		{4, ""},
		{5, "Rất hài lòng."},
		{2, "Phải đi lại hai lần mới nộp được hồ sơ vì hướng dẫn không rõ."},
		{3, "Bình thường."},
		{5, ""},
	}
	for i, code := range codes {
		r := ratings[i%len(ratings)]
		if _, err := a.Feedback.ImportRating(ctx, sys, code, r.score, r.comment); err != nil && domain.KindOf(err) != domain.KindConflict {
			return fmt.Errorf("demo rating %s: %w", code, err)
		}
	}
	return nil
}
