package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/internal/smtptest"
)

// notificationJSON is an item of an event's notifications.
type notificationJSON struct {
	Channel   string  `json:"channel"`
	To        string  `json:"to"`
	Status    string  `json:"status"`
	Attempts  int     `json:"attempts"`
	LastError *string `json:"last_error"`
	SentAt    *string `json:"sent_at"`
}

func notificationsOf(t *testing.T, ev eventJSON) []notificationJSON {
	t.Helper()
	out := make([]notificationJSON, len(ev.Notifications))
	for i, raw := range ev.Notifications {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// withNotify is body with "notify" set to channels.
func withNotify(body map[string]any, channels ...string) map[string]any {
	body["notify"] = channels
	return body
}

func TestNotifyIsValidatedAndShownToStaffOnly(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	clerk := freshToken(e, "clerk")
	reg := func(body map[string]any) apptest.Response { return e.post("/api/v1/dossiers", clerk, body) }

	// Dossiers: an unknown channel, e-mail without an address (or with a
	// bad one), SMS without a phone.
	wantFields(t, reg(withNotify(dossierBody(justiceTenDays, "direct"), "fax")), "notify")
	noEmail := dossierBody(justiceTenDays, "direct")
	delete(noEmail["applicant"].(map[string]any), "email")
	wantFields(t, reg(withNotify(noEmail, "email")), "notify")
	badEmail := dossierBody(justiceTenDays, "direct")
	badEmail["applicant"].(map[string]any)["email"] = "an@"
	wantFields(t, reg(withNotify(badEmail, "email")), "notify", "applicant.email")
	noPhone := dossierBody(justiceTenDays, "online")
	delete(noPhone["applicant"].(map[string]any), "phone")
	wantFields(t, reg(withNotify(noPhone, "sms")), "notify")
	apptest.Want(t, reg(withNotify(noPhone, "email")), http.StatusCreated) // the online path takes it too

	// Accepted: repeats count once, in the order email, sms; the staff's
	// answers carry it, the citizen's lookup does not.
	d := obj(t, apptest.Want(t, reg(withNotify(dossierBody(justiceTenDays, "direct"), "sms", "email", "sms")), http.StatusCreated))
	if got, _ := json.Marshal(d["notify"]); string(got) != `["email","sms"]` {
		t.Fatalf("registration answer notify = %s", got)
	}
	code, pin := d["code"].(string), d["lookup_pin"].(string)
	got := obj(t, apptest.Want(t, e.get("/api/v1/dossiers/"+code, freshToken(e, "officer")), http.StatusOK))
	if b, _ := json.Marshal(got["notify"]); string(b) != `["email","sms"]` {
		t.Fatalf("staff GET notify = %s", b)
	}
	plain := obj(t, apptest.Want(t, reg(dossierBody(justiceTenDays, "direct")), http.StatusCreated))
	if b, _ := json.Marshal(plain["notify"]); string(b) != `[]` {
		t.Fatalf("default notify = %s", b)
	}
	pub := apptest.Want(t, e.get("/api/v1/public/dossiers/"+code+"?pin="+pin, ""), http.StatusOK)
	if strings.Contains(string(pub.Body), "notify") {
		t.Fatalf("the public lookup shows notify: %s", pub.Body)
	}

	// Feedback recorded by staff.
	admin := freshToken(e, "admin")
	wantFields(t, e.post("/api/v1/feedback", admin, hotlineFeedback(map[string]any{"notify": []string{"sms"}})), "notify")
	wantFields(t, e.post("/api/v1/feedback", admin, hotlineFeedback(map[string]any{"notify": []string{"email", "pigeon"},
		"sender": map[string]any{"email": "ha@example.vn"}})), "notify")
	f := obj(t, apptest.Want(t, e.post("/api/v1/feedback", admin, hotlineFeedback(map[string]any{"notify": []string{"sms"},
		"sender": map[string]any{"name": "Hà Thị Bưởi", "phone": "0987654321"}})), http.StatusCreated))
	fget := obj(t, apptest.Want(t, e.get("/api/v1/feedback/"+f["code"].(string), admin), http.StatusOK))
	if b, _ := json.Marshal(fget["notify"]); string(b) != `["sms"]` {
		t.Fatalf("feedback staff GET notify = %s", b)
	}

	// A citizen's own feedback: validated the same, never echoed.
	citizen := func(extra map[string]any) apptest.Response {
		body := map[string]any{"category": "procedure", "title": "Hỏi thủ tục", "content": "Xin hướng dẫn."}
		for k, v := range extra {
			body[k] = v
		}
		return e.post("/api/v1/public/feedback", "", body)
	}
	wantFields(t, citizen(map[string]any{"notify": []string{"email"}}), "notify")
	wantFields(t, citizen(map[string]any{"notify": []string{"sms"}, "sender": map[string]any{"phone": "12"}}), "notify", "sender.phone")
	sub := apptest.Want(t, citizen(map[string]any{"notify": []string{"email"}, "sender": map[string]any{"email": "ha@example.vn"}}),
		http.StatusCreated)
	if strings.Contains(string(sub.Body), "notify") {
		t.Fatalf("the submission's answer shows notify: %s", sub.Body)
	}
	s := sub.JSON(t)
	look := apptest.Want(t, e.get("/api/v1/public/feedback/"+s["code"].(string)+"?pin="+s["lookup_pin"].(string), ""), http.StatusOK)
	if strings.Contains(string(look.Body), "notify") {
		t.Fatalf("the public lookup shows notify: %s", look.Body)
	}
	staff := obj(t, apptest.Want(t, e.get("/api/v1/feedback/"+s["code"].(string), admin), http.StatusOK))
	if b, _ := json.Marshal(staff["notify"]); string(b) != `["email"]` {
		t.Fatalf("citizen's feedback staff GET notify = %s", b)
	}
}

// smsGateway is an SMS gateway on 127.0.0.1 that answers fail(n) for its
// n-th request (from 1) and keeps what it was sent.
type smsGateway struct {
	*httptest.Server
	mu    sync.Mutex
	got   []smsRequest
	fails func(n int) bool
}

type smsRequest struct{ phone, text string }

func startGateway(t *testing.T, fails func(n int) bool) *smsGateway {
	g := &smsGateway{fails: fails}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.got = append(g.got, smsRequest{phone: r.URL.Query().Get("to"), text: r.URL.Query().Get("text")})
		n := len(g.got)
		g.mu.Unlock()
		if g.fails(n) {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *smsGateway) requests() []smsRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]smsRequest(nil), g.got...)
}

// notifyEnv is the settings of a service that mails smtp and texts gw.
func notifyEnv(smtp *smtptest.Server, gw *smsGateway, extra map[string]string) map[string]string {
	env := map[string]string{
		"MOTCUA_SMTP_HOST": "127.0.0.1", "MOTCUA_SMTP_PORT": smtp.Port(), "MOTCUA_SMTP_TLS": "none",
		"MOTCUA_SMTP_FROM":    "Một cửa tỉnh <motcua@tinh.example.vn>",
		"MOTCUA_SMS_PROVIDER": "http", "MOTCUA_SMS_URL": gw.URL + "/send?to={phone}&text={text}",
		"MOTCUA_DELIVERY_RETRY_BASE": "50ms", "MOTCUA_DELIVERY_RETRY_CAP": "100ms",
		"MOTCUA_PUBLIC_PORTAL_URL": "https://dichvucong.example.vn/tra-cuu?ma={code}",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// waitNotifications polls the events of path until done accepts them (at
// most 60 s) and returns them.
func waitNotifications(t *testing.T, e *env, path string, done func([]eventJSON) bool) []eventJSON {
	t.Helper()
	tok := freshToken(e, "admin")
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := apptest.Want(t, e.get(path, tok), http.StatusOK)
		evs := decodeAs[struct {
			Items []eventJSON `json:"items"`
		}](t, r).Items
		if done(evs) {
			return evs
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s the notifications are not done: %s", r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// final reports whether every notification of evs has a final status and
// the events of types have as many as want.
func final(t *testing.T, evs []eventJSON, want map[string]int) bool {
	for _, ev := range evs {
		ns := notificationsOf(t, ev)
		if len(ns) != want[ev.Type] {
			return false
		}
		for _, n := range ns {
			if n.Status == "pending" {
				return false
			}
		}
	}
	return true
}

// personal are the applicant's data of dossierBody and the PIN: none may
// be in a message.
func personal(pin string) []string {
	return []string{pin, "Nguyễn Văn An", "Nguyen Van An", "001234567890", "0912345678", "an@example.vn", "Tổ 5", "To 5", "Tân Phong"}
}

func TestNotificationsAreSentRetriedAndListed(t *testing.T) {
	t.Parallel()
	smtp := smtptest.Start(t)
	gw := startGateway(t, func(n int) bool { return n == 1 }) // the first SMS meets a busy gateway
	e := start(t, apptest.Options{Queue: true, Env: notifyEnv(smtp, gw, nil)})

	d := obj(t, apptest.Want(t, e.post("/api/v1/dossiers", freshToken(e, "clerk"),
		withNotify(dossierBody(justiceTenDays, "direct"), "email", "sms")), http.StatusCreated))
	code, pin := d["code"].(string), d["lookup_pin"].(string)
	actOnDossier(t, e, "officer", code, map[string]any{"action": "start"})
	actOnDossier(t, e, "officer", code, map[string]any{"action": "request_supplement",
		"reason": "Thiếu bản sao giấy khai sinh", "items": []string{"Bản sao giấy khai sinh", "Giấy ủy quyền"}})

	path := "/api/v1/dossiers/" + code + "/events"
	evs := waitNotifications(t, e, path, func(evs []eventJSON) bool {
		return len(evs) == 3 && final(t, evs, map[string]int{"dossier.receive": 2, "dossier.request_supplement": 2})
	})
	// The start is no message type: nothing for it.
	if evs[1].Type != "dossier.start" || len(evs[1].Notifications) != 0 {
		t.Fatalf("the start event has notifications: %+v", evs[1])
	}
	for _, ev := range []eventJSON{evs[0], evs[2]} {
		ns := notificationsOf(t, ev)
		if ns[0].Channel != "email" || ns[0].To != "a***@example.vn" || ns[1].Channel != "sms" || ns[1].To != "09*****678" {
			t.Fatalf("%s: notifications %+v", ev.Type, ns)
		}
		for _, n := range ns {
			if n.Status != "sent" || n.SentAt == nil || n.LastError != nil || n.Attempts < 1 {
				t.Fatalf("%s: %+v", ev.Type, n)
			}
		}
	}
	// One of the two SMS met the busy gateway, was tried again and sent.
	retried := 0
	for _, ev := range []eventJSON{evs[0], evs[2]} {
		if n := notificationsOf(t, ev)[1]; n.Attempts == 2 {
			retried++
		}
	}
	if retried != 1 {
		t.Fatalf("%d SMS took two attempts, want 1: %+v", retried, evs)
	}

	// The e-mails: Vietnamese, the subjects of the contract, the reason and
	// items staff wrote, the lookup link, and no personal data or PIN.
	mails := smtp.WaitFor(2, 10*time.Second)
	if len(mails) != 2 {
		t.Fatalf("%d e-mails, want 2", len(mails))
	}
	byEvent := map[string]smtptest.Message{}
	for _, m := range mails {
		byEvent[m.Header.Get("X-Motcua-Event-Id")] = m
		if m.Header.Get("Auto-Submitted") != "auto-generated" || !slices.Contains(m.To, "an@example.vn") ||
			!strings.Contains(m.Header.Get("From"), "motcua@tinh.example.vn") {
			t.Fatalf("headers %v, envelope to %q", m.Header, m.To)
		}
		for _, secret := range personal(pin) {
			if strings.Contains(m.Subject, secret) || strings.Contains(m.Body, secret) {
				t.Fatalf("an e-mail carries %q:\n%s\n%s", secret, m.Subject, m.Body)
			}
		}
	}
	recv, supp := byEvent[evs[0].ID], byEvent[evs[2].ID]
	if recv.Subject != "Tiếp nhận hồ sơ "+code || !strings.Contains(recv.Body, "Sở Tư pháp") ||
		!strings.Contains(recv.Body, "Thời gian hẹn trả kết quả: 09:00 ngày 07/12/2026") ||
		!strings.Contains(recv.Body, "https://dichvucong.example.vn/tra-cuu?ma="+code) {
		t.Fatalf("receipt e-mail %q:\n%s", recv.Subject, recv.Body)
	}
	if supp.Subject != "Yêu cầu bổ sung hồ sơ "+code || !strings.Contains(supp.Body, "Lý do: Thiếu bản sao giấy khai sinh") ||
		!strings.Contains(supp.Body, "- Bản sao giấy khai sinh\n- Giấy ủy quyền") {
		t.Fatalf("supplement e-mail %q:\n%s", supp.Subject, supp.Body)
	}

	// The SMS: to the phone as given, unaccented, at most 160 characters.
	reqs := gw.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d gateway requests, want 3 (one refused): %+v", len(reqs), reqs)
	}
	for _, r := range reqs {
		if r.phone != "0912345678" || !strings.Contains(r.text, code) || utf8.RuneCountInString(r.text) > 160 {
			t.Fatalf("SMS %+v", r)
		}
		for _, c := range r.text {
			if c > 0x7e {
				t.Fatalf("SMS not unaccented: %q", r.text)
			}
		}
		if strings.Contains(r.text, pin) {
			t.Fatalf("SMS carries the PIN: %q", r.text)
		}
	}

	// Feedback: the receipt is no message; a refusal is, with its reason.
	f := obj(t, apptest.Want(t, e.post("/api/v1/feedback", freshToken(e, "clerk"), hotlineFeedback(map[string]any{
		"notify": []string{"email"}, "agency_code": demo.Justice,
		"sender": map[string]any{"name": "Hà Thị Bưởi", "email": "buoi.ha@example.vn"}})), http.StatusCreated))
	fcode := f["code"].(string)
	apptest.Want(t, feedbackAction(e.s, "leader", fcode, map[string]any{"action": "refuse", "reason": "Không thuộc phạm vi giải quyết"}), http.StatusOK)
	fevs := waitNotifications(t, e, "/api/v1/feedback/"+fcode+"/events", func(evs []eventJSON) bool {
		return len(evs) == 2 && final(t, evs, map[string]int{"feedback.refuse": 1})
	})
	if n := notificationsOf(t, fevs[1])[0]; n.To != "bu***@example.vn" || n.Status != "sent" {
		t.Fatalf("refusal notification %+v", n)
	}
	mails = smtp.WaitFor(3, 10*time.Second)
	if m := mails[len(mails)-1]; m.Subject != "Phản ánh, kiến nghị "+fcode+" không được tiếp nhận xử lý" ||
		!strings.Contains(m.Body, "Lý do: Không thuộc phạm vi giải quyết") || strings.Contains(m.Body, "Hà Thị Bưởi") {
		t.Fatalf("refusal e-mail %q:\n%s", m.Subject, m.Body)
	}

	metrics := string(apptest.Want(t, e.get("/metrics", ""), http.StatusOK).Body)
	for _, want := range []string{`motcua_deliveries_total{kind="email",result="success"} 3`,
		`motcua_deliveries_total{kind="sms",result="success"} 2`, `motcua_deliveries_total{kind="sms",result="failure"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Fatalf("/metrics lacks %s", want)
		}
	}
}

func TestNotificationsDieAfterTheLastAttemptAndFollowOverrides(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"email/dossier.receive.txt": "Subject: Tỉnh đã nhận hồ sơ {{.Code}}\n\nHồ sơ {{.Code}} đã vào sổ.\n",
		"sms/dossier.receive.txt":   "", // turned off
	} {
		file := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	smtp := smtptest.Start(t)
	gw := startGateway(t, func(int) bool { return true }) // the gateway never takes one
	e := start(t, apptest.Options{Queue: true, Env: notifyEnv(smtp, gw, map[string]string{
		"MOTCUA_DELIVERY_MAX_ATTEMPTS": "2", "MOTCUA_TEMPLATES_DIR": dir})})

	d := obj(t, apptest.Want(t, e.post("/api/v1/dossiers", freshToken(e, "clerk"),
		withNotify(dossierBody(justiceTenDays, "direct"), "email", "sms")), http.StatusCreated))
	code := d["code"].(string)
	actOnDossier(t, e, "officer", code, map[string]any{"action": "start"})
	actOnDossier(t, e, "officer", code, map[string]any{"action": "request_supplement", "reason": "Thiếu giấy tờ"})
	evs := waitNotifications(t, e, "/api/v1/dossiers/"+code+"/events", func(evs []eventJSON) bool {
		return len(evs) == 3 && final(t, evs, map[string]int{"dossier.receive": 1, "dossier.request_supplement": 2})
	})
	// The receipt's SMS is turned off: no notification for it at all.
	if ns := notificationsOf(t, evs[0]); ns[0].Channel != "email" || ns[0].Status != "sent" {
		t.Fatalf("receipt notifications %+v", ns)
	}
	sms := notificationsOf(t, evs[2])[1]
	if sms.Channel != "sms" || sms.Status != "dead" || sms.Attempts != 2 || sms.SentAt != nil || sms.LastError == nil ||
		!strings.Contains(*sms.LastError, "gateway answered 500") || strings.Contains(*sms.LastError, "0912345678") {
		t.Fatalf("failing SMS %+v", sms)
	}
	// Every attempt counts, also one that failed before it reached the
	// gateway (a busy database on a loaded machine): the gateway sees at
	// most MOTCUA_DELIVERY_MAX_ATTEMPTS requests, and at least the last.
	if n := len(gw.requests()); n < 1 || n > 2 {
		t.Fatalf("%d gateway requests, want 1 or 2 (MOTCUA_DELIVERY_MAX_ATTEMPTS)", n)
	}
	mails := smtp.WaitFor(2, 10*time.Second)
	subjects := map[string]bool{}
	for _, m := range mails {
		subjects[m.Subject] = true
	}
	if !subjects["Tỉnh đã nhận hồ sơ "+code] || !subjects["Yêu cầu bổ sung hồ sơ "+code] {
		t.Fatalf("subjects %v: the override replaces the receipt's, the others keep theirs", subjects)
	}
	metrics := string(apptest.Want(t, e.get("/metrics", ""), http.StatusOK).Body)
	for _, want := range []string{`motcua_deliveries_total{kind="sms",result="failure"} 1`, `motcua_deliveries_total{kind="sms",result="dead"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Fatalf("/metrics lacks %s", want)
		}
	}
}
