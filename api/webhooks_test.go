package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
	dwebhook "github.com/motcua/motcua/domain/webhook"
)

type webhookJSON struct {
	ID          string   `json:"id"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	UnitCode    *string  `json:"unit_code"`
	Description string   `json:"description"`
	CreatedAt   string   `json:"created_at"`
	CreatedBy   string   `json:"created_by"`
	Secret      string   `json:"secret,omitempty"`
}

type deliveryJSON struct {
	ID             string  `json:"id"`
	EventID        string  `json:"event_id"`
	EventType      string  `json:"event_type"`
	Code           string  `json:"code"`
	Status         string  `json:"status"`
	Attempts       int     `json:"attempts"`
	LastStatusCode *int    `json:"last_status_code"`
	LastError      *string `json:"last_error"`
	NextAttemptAt  *string `json:"next_attempt_at"`
	DeliveredAt    *string `json:"delivered_at"`
	AttemptLog     []struct {
		StatusCode *int    `json:"status_code"`
		Error      *string `json:"error"`
	} `json:"attempt_log"`
}

// receiver is a webhook receiver on loopback: it checks every request's
// signature with the secret it is given, answers the statuses of answer
// in turn per event id (the last one from then on), and keeps the bodies.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	answers  []int
	attempts map[string]int // per event id
	bodies   map[string][][]byte
	bad      []string
}

func newReceiver(t *testing.T, answers ...int) *receiver {
	rc := &receiver{answers: answers, attempts: map[string]int{}, bodies: map[string][][]byte{}}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		id := r.Header.Get(dwebhook.HeaderEventID)
		if err := dwebhook.Verify(rc.secret, r.Header.Get(dwebhook.HeaderSignature), body, time.Now(), dwebhook.SignatureTolerance); err != nil {
			rc.bad = append(rc.bad, "signature: "+err.Error())
		}
		var ev struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		}
		if err := json.Unmarshal(body, &ev); err != nil || ev.ID != id || r.Header.Get(dwebhook.HeaderEvent) != ev.Type ||
			r.Header.Get("Content-Type") != "application/json" || r.Header.Get("User-Agent") != "motcua-webhook/1" ||
			!strings.HasPrefix(r.Header.Get(dwebhook.HeaderDelivery), "whd_") {
			rc.bad = append(rc.bad, "headers or body: "+string(body))
		}
		n := rc.attempts[id]
		rc.attempts[id]++
		rc.bodies[id] = append(rc.bodies[id], body)
		status := rc.answers[min(n, len(rc.answers)-1)]
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) count(eventID string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.attempts[eventID]
}

func registerWebhook(t *testing.T, e *env, body map[string]any) webhookJSON {
	t.Helper()
	r := apptest.Want(t, e.post("/api/v1/webhooks", freshToken(e, "admin"), body), http.StatusCreated)
	return decodeAs[webhookJSON](t, r)
}

// deliveriesOf lists a webhook's deliveries of one item.
func deliveriesOf(t *testing.T, e *env, id, code string) []deliveryJSON {
	t.Helper()
	r := apptest.Want(t, e.get("/api/v1/webhooks/"+id+"/deliveries?code="+code, freshToken(e, "admin")), http.StatusOK)
	return decodeAs[struct {
		Items []deliveryJSON `json:"items"`
	}](t, r).Items
}

// waitDelivery polls until the webhook's delivery of the item's event of
// type typ has status, and returns it.
func waitDelivery(t *testing.T, e *env, id, code, typ, status string) deliveryJSON {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, d := range deliveriesOf(t, e, id, code) {
			if d.EventType == typ && d.Status == status {
				return d
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s delivery of %s %s after 60 s: %+v", status, code, typ, deliveriesOf(t, e, id, code))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func webhookEnv() map[string]string {
	return map[string]string{"MOTCUA_WEBHOOK_ALLOW_PRIVATE": "true", "MOTCUA_DELIVERY_RETRY_BASE": "50ms",
		"MOTCUA_DELIVERY_RETRY_CAP": "100ms", "MOTCUA_DELIVERY_MAX_ATTEMPTS": "3", "MOTCUA_WEBHOOK_TIMEOUT": "2s"}
}

// TestWebhookDeliveries registers webhooks with receivers on loopback and
// follows a dossier's events to them: signed, the same bytes as the
// events list on every attempt, retried after a 500 until a 2xx, dead
// after the limit, sent again on request, filtered by unit, and cancelled
// with a deleted webhook.
func TestWebhookDeliveries(t *testing.T) {
	e := start(t, apptest.Options{Queue: true, Env: webhookEnv()})
	flaky := newReceiver(t, 500, 200)
	down := newReceiver(t, 500)
	other := newReceiver(t, 200)

	w := registerWebhook(t, e, map[string]any{"url": flaky.URL + "/hook", "events": []string{"dossier.*"},
		"description": "Hệ thống một cửa điện tử của Sở"})
	flaky.mu.Lock()
	flaky.secret = w.Secret
	flaky.mu.Unlock()
	if !strings.HasPrefix(w.Secret, dwebhook.SecretPrefix) || !dwebhook.ValidSecret(w.Secret) || w.CreatedBy != "admin" {
		t.Fatalf("created webhook: %+v", w)
	}
	got := decodeAs[webhookJSON](t, apptest.Want(t, e.get("/api/v1/webhooks/"+w.ID, freshToken(e, "admin")), http.StatusOK))
	if got.Secret != "" || got.URL != w.URL || got.ID != w.ID {
		t.Fatalf("GET shows %+v", got)
	}
	if r := e.get("/api/v1/webhooks/"+w.ID, freshToken(e, "admin")); bytes.Contains(r.Body, []byte(w.Secret)) {
		t.Fatal("the secret is shown again")
	}
	wd := registerWebhook(t, e, map[string]any{"url": down.URL, "events": []string{"dossier.receive"}})
	down.mu.Lock()
	down.secret = wd.Secret
	down.mu.Unlock()
	// Restricted to a commune: the centre's dossier is none of its business.
	wo := registerWebhook(t, e, map[string]any{"url": other.URL, "events": []string{"*"}, "unit_code": demo.CommuneA})

	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	events := listEvents(t, e, "/api/v1/dossiers/"+code+"/events", "clerk")
	if len(events) != 1 || events[0].Type != "dossier.receive" {
		t.Fatalf("events: %+v", events)
	}
	d := waitDelivery(t, e, w.ID, code, "dossier.receive", dwebhook.StatusSucceeded)
	if d.Attempts != 2 || len(d.AttemptLog) != 2 || *d.AttemptLog[0].StatusCode != 500 || *d.AttemptLog[1].StatusCode != 200 ||
		d.LastStatusCode == nil || *d.LastStatusCode != 200 || d.NextAttemptAt != nil || d.DeliveredAt == nil || d.EventID != events[0].ID {
		t.Fatalf("delivery after 500, 200: %+v", d)
	}
	flaky.mu.Lock()
	bodies := flaky.bodies[events[0].ID]
	bad := flaky.bad
	flaky.mu.Unlock()
	if len(bad) > 0 {
		t.Fatalf("receiver refused: %v", bad)
	}
	// The body is the events list's item without its notifications, byte
	// for byte, and the same on both attempts.
	r := apptest.Want(t, e.get("/api/v1/dossiers/"+code+"/events", freshToken(e, "clerk")), http.StatusOK)
	var raw struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatal(err)
	}
	want := string(raw.Items[0])
	want = want[:strings.Index(want, `,"notifications":`)] + "}"
	if len(bodies) != 2 || string(bodies[0]) != want || string(bodies[1]) != want {
		t.Fatalf("bodies sent:\n%s\nwant twice:\n%s", bodies, want)
	}

	// A receiver that always fails: dead after three attempts.
	dd := waitDelivery(t, e, wd.ID, code, "dossier.receive", dwebhook.StatusDead)
	if dd.Attempts != 3 || dd.NextAttemptAt != nil || *dd.LastStatusCode != 500 || *dd.LastError != "status_500" {
		t.Fatalf("dead delivery: %+v", dd)
	}
	retry := "/api/v1/webhooks/" + wd.ID + "/deliveries/" + dd.ID + "/retry"
	apptest.Want(t, e.post(retry, freshToken(e, "admin"), nil), http.StatusAccepted)
	wantError(t, e.post(retry, freshToken(e, "admin"), nil), http.StatusConflict, "conflict")
	deadline := time.Now().Add(60 * time.Second)
	for down.count(events[0].ID) < 6 {
		if time.Now().After(deadline) {
			t.Fatalf("the redelivery made %d attempts in all, want 6", down.count(events[0].ID))
		}
		time.Sleep(50 * time.Millisecond)
	}
	dd = waitDelivery(t, e, wd.ID, code, "dossier.receive", dwebhook.StatusDead)
	if dd.Attempts != 6 || len(dd.AttemptLog) != 6 {
		t.Fatalf("after the redelivery: %+v", dd)
	}
	// The events after the registration go to "dossier.*" only.
	dossierActionOK(t, e, "officer", code, map[string]any{"action": "start"})
	waitDelivery(t, e, w.ID, code, "dossier.start", dwebhook.StatusSucceeded)
	if n := len(deliveriesOf(t, e, wd.ID, code)); n != 1 {
		t.Fatalf("the dossier.receive webhook has %d deliveries, want 1", n)
	}
	if n := len(deliveriesOf(t, e, wo.ID, code)); n != 0 {
		t.Fatalf("the commune's webhook got %d deliveries of the centre's dossier", n)
	}

	// Deleting a webhook cancels its pending deliveries and stops attempts.
	slow := newReceiver(t, 503)
	ws := registerWebhook(t, e, map[string]any{"url": slow.URL, "events": []string{"dossier.request_supplement"}})
	slow.mu.Lock()
	slow.secret = ws.Secret
	slow.mu.Unlock()
	dossierActionOK(t, e, "officer", code, map[string]any{"action": "request_supplement", "reason": "Thiếu giấy tờ",
		"items": []string{"Bản sao sổ hộ khẩu"}})
	ev := listEvents(t, e, "/api/v1/dossiers/"+code+"/events", "clerk")
	startID := ev[len(ev)-1].ID
	for slow.count(startID) < 1 {
		time.Sleep(20 * time.Millisecond)
	}
	apptest.Want(t, e.do(apptest.Request{Method: http.MethodDelete, Path: "/api/v1/webhooks/" + ws.ID, Token: freshToken(e, "admin")}),
		http.StatusNoContent)
	var status string
	if err := e.s.App.DB.Raw("SELECT status FROM webhook_deliveries WHERE webhook_id = ?", ws.ID).Scan(&status).Error; err != nil {
		t.Fatal(err)
	}
	if status != dwebhook.StatusCancelled {
		t.Fatalf("the deleted webhook's delivery is %s", status)
	}
	n := slow.count(startID)
	time.Sleep(500 * time.Millisecond) // several retry periods
	if m := slow.count(startID); m > n+1 {
		t.Fatalf("%d attempts after the delete", m-n)
	}
	for _, p := range []string{"/api/v1/webhooks/" + ws.ID, "/api/v1/webhooks/" + ws.ID + "/deliveries"} {
		wantError(t, e.get(p, freshToken(e, "admin")), http.StatusNotFound, "not_found")
	}
	wantError(t, e.do(apptest.Request{Method: http.MethodDelete, Path: "/api/v1/webhooks/" + ws.ID, Token: freshToken(e, "admin")}),
		http.StatusNotFound, "not_found")

	m := apptest.Want(t, e.get("/metrics", ""), http.StatusOK)
	for _, s := range []string{`motcua_deliveries_total{kind="webhook",result="success"}`,
		`motcua_deliveries_total{kind="webhook",result="failure"}`, `motcua_deliveries_total{kind="webhook",result="dead"}`} {
		if !strings.Contains(string(m.Body), s) {
			t.Errorf("metrics lack %s", s)
		}
	}
	list := decodeAs[struct {
		Items []webhookJSON `json:"items"`
		Total int           `json:"total"`
	}](t, apptest.Want(t, e.get("/api/v1/webhooks", freshToken(e, "admin")), http.StatusOK))
	if list.Total != 3 || len(list.Items) != 3 {
		t.Fatalf("list after one delete: %+v", list)
	}
	for _, it := range list.Items {
		if it.Secret != "" {
			t.Fatal("the list shows a secret")
		}
	}
}

// TestWebhookRefusals covers who may manage webhooks and every field rule,
// with private targets refused (the default).
func TestWebhookRefusals(t *testing.T) {
	e := start(t, apptest.Options{})
	admin := freshToken(e, "admin")
	wantError(t, e.post("/api/v1/webhooks", freshToken(e, "clerk"), map[string]any{"url": "https://example.vn/h", "events": []string{"*"}}),
		http.StatusForbidden, "forbidden")
	wantError(t, e.get("/api/v1/webhooks", freshToken(e, "leader")), http.StatusForbidden, "forbidden")
	wantError(t, e.do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/webhooks", Token: admin, Body: `{"url":`}),
		http.StatusBadRequest, "invalid_request")
	wantError(t, e.post("/api/v1/webhooks", admin, map[string]any{"url": "https://example.vn/h", "events": "dossier.*"}),
		http.StatusBadRequest, "invalid_request")

	many := make([]string, 51)
	for i := range many {
		many[i] = "*"
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"events": []string{"*"}}, "url"},
		{map[string]any{"url": "ftp://example.vn/h", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "https://user:pw@example.vn/h", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "https://example.vn/h#frag", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "https://example.vn/" + strings.Repeat("a", 2048), "events": []string{"*"}}, "url"},
		{map[string]any{"url": "http://localhost:9000/h", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "http://hooks.localhost/h", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "http://127.0.0.1:9000/h", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "http://10.1.2.3/h", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "http://192.168.1.10/h", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "http://169.254.169.254/latest", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "http://100.64.0.1/h", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "http://[::1]/h", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "http://[fd00::1]/h", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "http://0.0.0.0/h", "events": []string{"*"}}, "url"},
		{map[string]any{"url": "https://example.vn/h"}, "events"},
		{map[string]any{"url": "https://example.vn/h", "events": []string{}}, "events"},
		{map[string]any{"url": "https://example.vn/h", "events": []string{"dossier.explode"}}, "events"},
		{map[string]any{"url": "https://example.vn/h", "events": []string{"dossier.re*"}}, "events"},
		{map[string]any{"url": "https://example.vn/h", "events": many}, "events"},
		{map[string]any{"url": "https://example.vn/h", "events": []string{"*"}, "unit_code": "000.99.99.H99"}, "unit_code"},
		{map[string]any{"url": "https://example.vn/h", "events": []string{"*"}, "description": strings.Repeat("d", 301)}, "description"},
	} {
		r := e.post("/api/v1/webhooks", admin, c.body)
		wantError(t, r, http.StatusUnprocessableEntity, "validation_failed")
		wantFields(t, r, c.field)
	}
	for _, p := range []string{"/api/v1/webhooks/wh_nope", "/api/v1/webhooks/wh_nope/deliveries"} {
		wantError(t, e.get(p, admin), http.StatusNotFound, "not_found")
	}
	wantError(t, e.post("/api/v1/webhooks/wh_nope/deliveries/whd_nope/retry", admin, nil), http.StatusNotFound, "not_found")
	w := registerWebhook(t, e, map[string]any{"url": "https://example.vn/h", "events": []string{"feedback.*", "dossier.overdue"}})
	wantError(t, e.post("/api/v1/webhooks/"+w.ID+"/deliveries/whd_nope/retry", admin, nil), http.StatusNotFound, "not_found")
	r := e.get("/api/v1/webhooks/"+w.ID+"/deliveries?status=lost", admin)
	wantError(t, r, http.StatusUnprocessableEntity, "validation_failed")
	wantFields(t, r, "status")
	if w.UnitCode != nil {
		t.Fatalf("a province admin's webhook got unit %v", *w.UnitCode)
	}
	// Nothing refused was kept.
	var n int64
	if err := e.s.App.DB.Raw("SELECT COUNT(*) FROM webhooks").Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("%d webhooks kept (%v), want the one accepted", n, err)
	}
}
