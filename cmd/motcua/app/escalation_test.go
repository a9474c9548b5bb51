package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/motcua/motcua/api"
	"github.com/motcua/motcua/cmd/motcua/app"
	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/domain/escalation"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/internal/smtptest"
	"github.com/motcua/motcua/repository"
)

// Staff addresses of the escalation tests: the officer of the Sở Tư pháp
// (the dossiers' assignee) and its leader.
const (
	officerMail = "chuyenvien@tuphap.example.gov.vn"
	leaderMail  = "lanhdao@tuphap.example.gov.vn"
	// fourHours is the demo's procedure of 4 working hours (Sở Tư pháp).
	fourHours = "2.000908"
)

// escalationServer is a service with a 1 s scan, a due-soon horizon of 4
// working hours and a test SMTP server, the officer and leader given
// addresses. Its queue is not started: the test sets its items up first.
func escalationServer(t *testing.T, now time.Time) (*apptest.Server, *smtptest.Server) {
	t.Helper()
	mail := smtptest.Start(t)
	s := apptest.New(t, apptest.Options{Now: now, Env: map[string]string{
		"MOTCUA_ESCALATION_INTERVAL": "1s", "MOTCUA_DUE_SOON_HOURS": "4",
		"MOTCUA_SMTP_HOST": mail.Host(), "MOTCUA_SMTP_PORT": mail.Port(), "MOTCUA_SMTP_TLS": "none",
		"MOTCUA_DELIVERY_RETRY_BASE": "1s", "MOTCUA_DELIVERY_RETRY_CAP": "2s",
	}})
	admin := login(t, s, "admin")
	for u, addr := range map[string]string{"officer": officerMail, "leader": leaderMail} {
		apptest.Want(t, s.Do(apptest.Request{Method: http.MethodPatch, Path: "/api/v1/users/" + u, Token: admin,
			Body: map[string]any{"email": addr}}), http.StatusOK)
	}
	// The demo's own events are not under test: their dispatch jobs
	// would only make the scans wait their turn.
	if err := s.App.DB.Exec("DELETE FROM river_job WHERE kind = 'dispatch'").Error; err != nil {
		t.Fatal(err)
	}
	return s, mail
}

// login logs username in afresh: the tests move the clock past tokens' lives.
func login(t *testing.T, s *apptest.Server, username string) string {
	t.Helper()
	r := apptest.Want(t, s.Post("/api/v1/auth/login", "", map[string]string{"username": username, "password": demo.Password}), http.StatusOK)
	return r.JSON(t)["access_token"].(string)
}

// register registers a dossier of procedure at the counter and has the
// officer start it as its assignee; it returns the code and due time.
func register(t *testing.T, s *apptest.Server, procedure string) (string, string) {
	t.Helper()
	r := apptest.Want(t, s.Post("/api/v1/dossiers", login(t, s, "clerk"), map[string]any{
		"procedure_code": procedure, "channel": "direct",
		"applicant": map[string]any{"name": "Hoàng Thị Nga", "phone": "0987654321", "id_number": "012345678901"}}), http.StatusCreated)
	code := r.JSON(t)["code"].(string)
	act(t, s, "officer", code, map[string]any{"action": "start", "assignee": "officer"})
	return code, r.JSON(t)["due_at"].(string)
}

func act(t *testing.T, s *apptest.Server, username, code string, body map[string]any) map[string]any {
	t.Helper()
	return apptest.Want(t, s.Post("/api/v1/dossiers/"+code+"/actions", login(t, s, username), body), http.StatusOK).JSON(t)
}

// escEvent is an escalation event as the events list shows it.
type escEvent struct {
	Type     string  `json:"type"`
	Sequence int64   `json:"sequence"`
	Action   *string `json:"action"`
	From     *string `json:"from"`
	To       string  `json:"to"`
	FromCode *int    `json:"from_code"`
	ToCode   *int    `json:"to_code"`
	DueAt    *string `json:"due_at"`
	Holder   *string `json:"holder_unit"`
}

// events lists the item's events of the escalation types (path is
// "dossiers" or "feedback"), checking that the sequence has no gap.
func events(t *testing.T, s *apptest.Server, path, code string) []escEvent {
	t.Helper()
	var body struct {
		Items []escEvent `json:"items"`
	}
	apptest.Want(t, s.Get("/api/v1/"+path+"/"+code+"/events", login(t, s, "admin")), http.StatusOK).Decode(t, &body)
	var out []escEvent
	for i, e := range body.Items {
		if e.Sequence != int64(i+1) {
			t.Fatalf("%s: event %d has sequence %d", code, i, e.Sequence)
		}
		if strings.HasSuffix(e.Type, ".due_soon") || strings.HasSuffix(e.Type, ".overdue") {
			out = append(out, e)
		}
	}
	return out
}

func types(evs []escEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

// count runs a COUNT query.
func count(t *testing.T, s *apptest.Server, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.App.DB.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// settle waits for n more scans to complete, then for every digest they
// enqueued to be sent.
func settle(t *testing.T, s *apptest.Server, n int64) {
	t.Helper()
	const runs = "SELECT COUNT(*) FROM river_job WHERE kind = 'escalation' AND state IN ('completed', 'discarded')"
	want := count(t, s, runs) + n
	deadline := time.Now().Add(60 * time.Second)
	for count(t, s, runs) < want ||
		count(t, s, "SELECT COUNT(*) FROM river_job WHERE kind = 'digest' AND state NOT IN ('completed', 'cancelled', 'discarded')") > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s: %d scans done, want %d", count(t, s, runs), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d := count(t, s, "SELECT COUNT(*) FROM river_job WHERE kind = 'escalation' AND state = 'discarded'"); d > 0 {
		t.Fatalf("%d scans failed", d)
	}
}

// mentions returns the messages to addr whose body lists code as kind's line.
func mentions(mail *smtptest.Server, addr, line string) []smtptest.Message {
	var out []smtptest.Message
	for _, m := range mail.To(addr) {
		if strings.Contains(m.Body, "\n- "+line) {
			out = append(out, m)
		}
	}
	return out
}

func dueWithin(t *testing.T, s *apptest.Server, path string, hours int) []string {
	t.Helper()
	var body struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
		Total int `json:"total"`
	}
	apptest.Want(t, s.Get(fmt.Sprintf("/api/v1/%s?due_within_hours=%d&page_size=100", path, hours), login(t, s, "admin")), http.StatusOK).Decode(t, &body)
	if body.Total != len(body.Items) {
		t.Fatalf("%s: %d due soon, more than a page", path, body.Total)
	}
	var out []string
	for _, it := range body.Items {
		out = append(out, it.Code)
	}
	slices.Sort(out)
	return out
}

func crossed(t *testing.T, s *apptest.Server, subject, kind string) []string {
	t.Helper()
	var out []string
	if err := s.App.DB.Raw("SELECT code FROM escalations WHERE subject = ? AND kind = ? ORDER BY code", subject, kind).
		Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEscalationOfADossier follows a dossier of 4 working hours through
// the scan: due soon once (an event, a digest to its assignee and to its
// holder unit's leader) however many scans run, overdue once when the due
// time passes, and nothing again after a restart on the same database.
func TestEscalationOfADossier(t *testing.T) {
	// Monday 08:00: 4 working hours end at 14:00, over lunch; a horizon
	// of 4 working hours holds it at once.
	s, mail := escalationServer(t, time.Date(2026, 11, 23, 8, 0, 0, 0, apptest.Loc))
	code, due := register(t, s, fourHours)
	if due != "2026-11-23T14:00:00+07:00" {
		t.Fatalf("due at %s", due)
	}
	if err := s.App.StartQueue(context.Background()); err != nil {
		t.Fatal(err)
	}
	settle(t, s, 3)

	evs := events(t, s, "dossiers", code)
	if len(evs) != 1 || evs[0].Type != "dossier.due_soon" || evs[0].Action != nil || *evs[0].From != "processing" ||
		evs[0].To != "processing" || *evs[0].FromCode != 4 || *evs[0].ToCode != 4 || *evs[0].DueAt != due ||
		*evs[0].Holder != demo.Justice || evs[0].Sequence != 3 {
		t.Fatalf("after 3 scans: %+v", evs)
	}
	line := "Sắp đến hạn: hồ sơ " + code + " (Chứng thực bản sao"
	for _, addr := range []string{officerMail, leaderMail} {
		if got := mentions(mail, addr, line); len(got) != 1 {
			t.Fatalf("%s: %d digests list %s as due soon, want 1 (of %d messages)", addr, len(got), code, len(mail.To(addr)))
		}
		// One digest per recipient and run: the first run found the
		// demo's items too, and every later one found nothing.
		if n := len(mail.To(addr)); n != 1 {
			t.Fatalf("%s got %d messages", addr, n)
		}
	}
	m := mail.To(officerMail)[0]
	if !strings.HasPrefix(m.Subject, "Nhắc hạn xử lý: ") || !strings.Contains(m.Body, "hạn xử lý 14:00 ngày 23/11/2026") ||
		m.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Fatalf("digest %q:\n%s", m.Subject, m.Body)
	}
	for _, personal := range []string{"Hoàng Thị Nga", "0987654321", "012345678901", "Trần Văn Minh", "Lò Văn Hùng"} {
		if strings.Contains(m.Body+m.Subject, personal) {
			t.Fatalf("the digest names %q", personal)
		}
	}
	// The commune's leader holds none of these.
	if n := len(mail.Messages()); n != 2 {
		t.Fatalf("%d messages in all, want the officer's and the leader's", n)
	}
	// The scan warned about exactly what due_within_hours=4 lists.
	for _, subj := range []struct{ path, subject string }{{"dossiers", "dossier"}, {"feedback", "feedback"}} {
		listed, warned := dueWithin(t, s, subj.path, 4), crossed(t, s, subj.subject, "due_soon")
		if !slices.Equal(listed, warned) {
			t.Fatalf("%s due within 4 working hours %v, warned about %v", subj.path, listed, warned)
		}
		if subj.subject == "dossier" && !slices.Contains(listed, code) {
			t.Fatalf("%s not listed as due soon", code)
		}
	}
	metrics := string(apptest.Want(t, s.Get("/metrics", ""), http.StatusOK).Body)
	if want := fmt.Sprintf(`motcua_escalations_total{type="dossier.due_soon"} %d`, len(crossed(t, s, "dossier", "due_soon"))); !strings.Contains(metrics, want) {
		t.Fatalf("/metrics lacks %s:\n%s", want, grepLines(metrics, "motcua_escalations_total"))
	}

	// Due at 14:00: overdue from 14:00 on, once.
	s.Clock.Set(time.Date(2026, 11, 23, 14, 0, 0, 0, apptest.Loc))
	settle(t, s, 3)
	evs = events(t, s, "dossiers", code)
	if got := types(evs); !slices.Equal(got, []string{"dossier.due_soon", "dossier.overdue"}) || *evs[1].DueAt != due {
		t.Fatalf("after the due time: %v", got)
	}
	for _, addr := range []string{officerMail, leaderMail} {
		if got := mentions(mail, addr, "Quá hạn: hồ sơ "+code); len(got) != 1 {
			t.Fatalf("%s: %d digests list %s as overdue", addr, len(got), code)
		}
	}
	before := len(mail.Messages())
	var total int64
	if err := s.App.DB.Raw("SELECT COUNT(*) FROM events").Scan(&total).Error; err != nil {
		t.Fatal(err)
	}

	// A restart on the same database: the scans start again, and repeat
	// nothing.
	if err := s.App.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := app.New(context.Background(), s.App.Config, s.App.DB, slog.New(slog.NewTextHandler(io.Discard, nil)),
		app.Options{Now: s.Clock.Now, Hasher: api.BcryptHasher{Cost: 4}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close(context.Background()) })
	if err := b.StartQueue(context.Background()); err != nil {
		t.Fatal(err)
	}
	settle(t, s, 3)
	if n := count(t, s, "SELECT COUNT(*) FROM events"); n != total {
		t.Fatalf("after the restart: %d events more", n-total)
	}
	list, err := repository.NewEventStore(s.App.DB).List(context.Background(), event.SubjectDossier, code)
	if err != nil || len(list) != 4 {
		t.Fatalf("after the restart %s has %d events (%v)", code, len(list), err)
	}
	if n := len(mail.Messages()); n != before {
		t.Fatalf("after the restart: %d messages more", n-before)
	}
}

// TestEscalationAfterASupplement: a dossier waiting for a supplement is
// never warned about, though its old due time passes; the supplement
// moves its due time, and the new one is warned about again. A feedback
// item is warned about once before its due time, to its agency's leader.
func TestEscalationAfterASupplement(t *testing.T) {
	s, mail := escalationServer(t, time.Date(2026, 11, 23, 8, 0, 0, 0, apptest.Loc))
	code, due := register(t, s, fourHours)
	waiting, _ := register(t, s, fourHours)
	act(t, s, "officer", waiting, map[string]any{"action": "request_supplement", "reason": "Thiếu bản chính", "items": []string{"Bản chính giấy khai sinh"}})
	fb := apptest.Want(t, s.Post("/api/v1/feedback", login(t, s, "clerk"), map[string]any{"channel": "hotline", "category": "procedure",
		"title": "Hỏi tiến độ hồ sơ", "content": "Công dân hỏi vì sao hồ sơ chưa có kết quả.", "agency_code": demo.Justice}), http.StatusCreated).JSON(t)
	if err := s.App.StartQueue(context.Background()); err != nil {
		t.Fatal(err)
	}
	settle(t, s, 2)
	if got := types(events(t, s, "dossiers", code)); !slices.Equal(got, []string{"dossier.due_soon"}) {
		t.Fatalf("running dossier: %v", got)
	}
	if got := events(t, s, "dossiers", waiting); len(got) != 0 {
		t.Fatalf("a dossier waiting for a supplement was warned about: %v", types(got))
	}

	// The first one waits for a supplement too, past its old due time.
	act(t, s, "officer", code, map[string]any{"action": "request_supplement", "reason": "Thiếu bản chính", "items": []string{"Bản chính"}})
	s.Clock.Set(time.Date(2026, 11, 23, 16, 0, 0, 0, apptest.Loc))
	settle(t, s, 2)
	if got := types(events(t, s, "dossiers", code)); !slices.Equal(got, []string{"dossier.due_soon"}) {
		t.Fatalf("waiting for a supplement past the old due time: %v", got)
	}
	if got := events(t, s, "dossiers", waiting); len(got) != 0 {
		t.Fatalf("a dossier waiting for a supplement was warned about: %v", types(got))
	}
	// The supplement gives back the paused working time: the new due
	// time is within 4 working hours again.
	newDue := act(t, s, "clerk", code, map[string]any{"action": "supplement"})["due_at"].(string)
	if newDue == due {
		t.Fatal("the supplement did not move the due time")
	}
	settle(t, s, 2)
	evs := events(t, s, "dossiers", code)
	if got := types(evs); !slices.Equal(got, []string{"dossier.due_soon", "dossier.due_soon"}) || *evs[0].DueAt != due || *evs[1].DueAt != newDue {
		t.Fatalf("after the supplement (due %s → %s): %+v", due, newDue, evs)
	}
	if got := mentions(mail, officerMail, "Sắp đến hạn: hồ sơ "+code); len(got) != 2 {
		t.Fatalf("the officer got %d digests listing %s", len(got), code)
	}

	// Feedback: due in 15 working days; half an hour before, once.
	fcode := fb["code"].(string)
	fdue, err := time.Parse(time.RFC3339, fb["due_at"].(string))
	if err != nil {
		t.Fatal(err)
	}
	// The SMTP server is down when the digest goes: it is tried again.
	mail.Refuse(true)
	s.Clock.Set(fdue.Add(-30 * time.Minute))
	deadline := time.Now().Add(60 * time.Second)
	for count(t, s, "SELECT COUNT(*) FROM river_job WHERE kind = 'digest' AND attempt >= 2 AND state <> 'completed'") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("after 60 s no digest has failed twice")
		}
		time.Sleep(50 * time.Millisecond)
	}
	mail.Refuse(false)
	settle(t, s, 1)
	metrics := string(apptest.Want(t, s.Get("/metrics", ""), http.StatusOK).Body)
	for _, want := range []string{`motcua_deliveries_total{kind="email",result="failure"}`, `motcua_deliveries_total{kind="email",result="success"}`} {
		if !strings.Contains(metrics, want) {
			t.Fatalf("/metrics lacks %s:\n%s", want, grepLines(metrics, "motcua_deliveries_total"))
		}
	}
	if got := types(events(t, s, "feedback", fcode)); !slices.Equal(got, []string{"feedback.due_soon"}) {
		t.Fatalf("feedback: %v", got)
	}
	if got := mentions(mail, leaderMail, "Sắp đến hạn: phản ánh "+fcode); len(got) != 1 {
		t.Fatalf("the leader got %d digests listing %s", len(got), fcode)
	}
	if got := mentions(mail, officerMail, "Sắp đến hạn: phản ánh "+fcode); len(got) != 0 {
		t.Fatal("the officer, no leader, was told of a feedback item")
	}
	if got := events(t, s, "dossiers", waiting); len(got) != 0 {
		t.Fatalf("a dossier waiting for a supplement was warned about: %v", types(got))
	}
}

// TestEscalationInBatches runs the scan over the demo's items and a few
// more in batches of 2: every crossing is recorded once, and the run's
// digests, enqueued with its last batch, are one per recipient listing all
// of that recipient's items, whatever batch they were found in.
func TestEscalationInBatches(t *testing.T) {
	s, _ := escalationServer(t, time.Date(2026, 11, 23, 8, 0, 0, 0, apptest.Loc))
	var codes []string
	for range 5 {
		c, _ := register(t, s, fourHours)
		codes = append(codes, c)
	}
	store := repository.NewEscalationStore(s.App.DB, river.InsertOpts{Queue: app.QueueEmail, MaxAttempts: 3})
	scan := escalation.NewService(store, s.App.Catalog.Calendar, 4, s.Clock.Now)
	scan.Batch = 2
	cs, err := scan.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rows := count(t, s, "SELECT COUNT(*) FROM escalations")
	if int64(len(cs)) != rows || rows < 6 {
		t.Fatalf("%d crossings returned, %d recorded", len(cs), rows)
	}
	if n := count(t, s, "SELECT COUNT(*) FROM escalations WHERE digested_at IS NULL OR event_id IS NULL"); n != 0 {
		t.Fatalf("%d crossings without a digest or an event", n)
	}
	var args []string
	q := "SELECT json(args) FROM river_job WHERE kind = 'digest' ORDER BY id"
	if repository.Dialect(s.App.DB) == "postgres" {
		q = "SELECT args::text FROM river_job WHERE kind = 'digest' ORDER BY id"
	}
	if err := s.App.DB.Raw(q).Scan(&args).Error; err != nil {
		t.Fatal(err)
	}
	per := map[string][]int64{}
	for _, a := range args {
		var d repository.DigestArgs
		if err := json.Unmarshal([]byte(a), &d); err != nil {
			t.Fatal(err)
		}
		if _, twice := per[d.Username]; twice {
			t.Fatalf("two digests for %s in one run", d.Username)
		}
		per[d.Username] = d.Escalations
	}
	// The officer gets what it is the assignee of (ours, and the demo's
	// own), the leader what its unit holds.
	ids := func(q string, args ...any) []int64 {
		var out []int64
		if err := s.App.DB.Raw(q, args...).Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	mine := ids("SELECT id FROM escalations WHERE code IN ? ORDER BY id", codes)
	assigned := ids(`SELECT e.id FROM escalations e JOIN dossiers d ON d.code = e.code
		WHERE e.subject = 'dossier' AND d.assignee = 'officer' ORDER BY e.id`)
	held := ids(`SELECT e.id FROM escalations e LEFT JOIN dossiers d ON e.subject = 'dossier' AND d.code = e.code
		LEFT JOIN feedback f ON e.subject = 'feedback' AND f.code = e.code
		WHERE d.holder_unit = ? OR f.agency_code = ? ORDER BY e.id`, demo.Justice, demo.Justice)
	if len(mine) != 5 || !slices.Equal(per["officer"], assigned) || !slices.Equal(per["leader"], held) {
		t.Fatalf("digests: officer %v, want %v; leader %v, want %v", per["officer"], assigned, per["leader"], held)
	}
	for _, id := range mine {
		if !slices.Contains(assigned, id) || !slices.Contains(held, id) {
			t.Fatalf("crossing %d of ours is not in both digests", id)
		}
	}
	// A second run finds nothing and enqueues nothing.
	if cs, err := scan.Run(context.Background()); err != nil || len(cs) != 0 {
		t.Fatalf("second run: %d crossings, %v", len(cs), err)
	}
	if n := count(t, s, "SELECT COUNT(*) FROM river_job WHERE kind = 'digest'"); n != int64(len(args)) {
		t.Fatalf("the second run enqueued %d digests", n-int64(len(args)))
	}
}
