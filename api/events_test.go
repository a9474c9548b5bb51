package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/repository"
)

// eventJSON is an item of an events list.
type eventJSON struct {
	ID            string            `json:"id"`
	Type          string            `json:"type"`
	OccurredAt    string            `json:"occurred_at"`
	Subject       string            `json:"subject"`
	Code          string            `json:"code"`
	Sequence      int64             `json:"sequence"`
	Action        *string           `json:"action"`
	From          *string           `json:"from"`
	To            string            `json:"to"`
	FromCode      *int              `json:"from_code"`
	ToCode        *int              `json:"to_code"`
	UnitCode      *string           `json:"unit_code"`
	AgencyCode    *string           `json:"agency_code"`
	HolderUnit    *string           `json:"holder_unit,omitempty"`
	ProcedureCode *string           `json:"procedure_code"`
	DueAt         *string           `json:"due_at"`
	AppointmentAt *string           `json:"appointment_at,omitempty"`
	Notifications []json.RawMessage `json:"notifications"`
}

func listEvents(t *testing.T, e *env, path, username string) []eventJSON {
	t.Helper()
	r := apptest.Want(t, e.get(path, freshToken(e, username)), http.StatusOK)
	return decodeAs[struct {
		Items []eventJSON `json:"items"`
	}](t, r).Items
}

// outbox counts the events of the whole database and their dispatch jobs,
// and fails unless each event has exactly one job.
func outbox(t *testing.T, e *env) int {
	t.Helper()
	db := e.s.App.DB
	var ids []string
	if err := db.Raw("SELECT id FROM events").Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	q := "SELECT json_extract(args, '$.event_id') FROM river_job WHERE kind = 'dispatch'"
	if repository.Dialect(db) == "postgres" {
		q = "SELECT args->>'event_id' FROM river_job WHERE kind = 'dispatch'"
	}
	var jobs []string
	if err := db.Raw(q).Scan(&jobs).Error; err != nil {
		t.Fatal(err)
	}
	perEvent := map[string]int{}
	for _, j := range jobs {
		perEvent[j]++
	}
	for _, id := range ids {
		if perEvent[id] != 1 {
			t.Fatalf("event %s has %d dispatch jobs", id, perEvent[id])
		}
	}
	if len(jobs) != len(ids) {
		t.Fatalf("%d dispatch jobs for %d events", len(jobs), len(ids))
	}
	return len(ids)
}

func TestEventsOfADossier(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	base := outbox(t, e)
	body := dossierBody(justiceTenDays, "direct")
	d := newDossier(t, e, "clerk", body)
	path := "/api/v1/dossiers/" + d.Code + "/events"
	if n := outbox(t, e); n != base+1 {
		t.Fatalf("registration wrote %d events", n-base)
	}
	// A counter payment is a record in the history, not an event.
	apptest.Want(t, e.post("/api/v1/dossiers/"+d.Code+"/payments", freshToken(e, "clerk"), map[string]any{"amount": 10000}), http.StatusCreated)
	if n := outbox(t, e); n != base+1 {
		t.Fatalf("a counter payment wrote %d events", n-base-1)
	}
	steps := []struct{ who, action string }{{"officer", "start"}, {"officer", "request_payment"}, {"clerk", "confirm_payment"},
		{"leader", "resolve"}, {"clerk", "return"}}
	bodies := actionBodies()
	for i, st := range steps {
		e.s.Clock.Advance(time.Hour)
		actOnDossier(t, e, st.who, d.Code, bodies[dossier.Action(st.action)])
		if n := outbox(t, e); n != base+2+i {
			t.Fatalf("%s: %d events in all, want %d", st.action, n, base+2+i)
		}
	}
	evs := listEvents(t, e, path, "officer")
	if len(evs) != 1+len(steps) {
		t.Fatalf("%d events, want %d", len(evs), 1+len(steps))
	}
	for i, ev := range evs {
		if ev.Sequence != int64(i+1) || ev.Subject != "dossier" || ev.Code != d.Code || ev.ID == "" || ev.Notifications == nil {
			t.Fatalf("event %d: %+v", i, ev)
		}
	}
	first := evs[0]
	if first.Type != "dossier.receive" || first.From != nil || first.FromCode != nil || first.To != "received" ||
		*first.ToCode != 2 || *first.UnitCode != d.UnitCode || *first.AgencyCode != d.AgencyCode ||
		*first.HolderUnit != d.HolderUnit || *first.ProcedureCode != justiceTenDays ||
		first.OccurredAt != "2026-11-23T09:00:00+07:00" || *first.DueAt != "2026-12-07T09:00:00+07:00" ||
		*first.AppointmentAt != *first.DueAt {
		t.Fatalf("registration event %+v", first)
	}
	last := evs[len(evs)-1]
	if last.Type != "dossier.return" || *last.Action != "return" || *last.From != "resolved" || *last.FromCode != 9 ||
		last.To != "returned" || *last.ToCode != 10 {
		t.Fatalf("last event %+v", last)
	}
	// No personal data and no free text in any body.
	raw := e.get(path, freshToken(e, "admin")).Body
	for _, s := range []string{"Nguyễn Văn An", "001234567890", "0912345678", "an@example.vn", "Tổ 5", "quầy số 3", "pin"} {
		if strings.Contains(string(raw), s) {
			t.Fatalf("events carry %q: %s", s, raw)
		}
	}
	// Out of scope and unknown: 404, as the dossier's own read.
	wantError(t, e.get(path, freshToken(e, "clerk.commune")), http.StatusNotFound, "not_found")
	wantError(t, e.get("/api/v1/dossiers/000.00.20.H99-261123-9999/events", freshToken(e, "admin")), http.StatusNotFound, "not_found")
	apptest.Want(t, e.get(path, ""), http.StatusUnauthorized)
	// The queue is not worked here: every dispatch job is pending.
	m := string(apptest.Want(t, e.get("/metrics", ""), http.StatusOK).Body)
	for _, want := range []string{fmt.Sprintf(`motcua_outbox_pending{kind="dispatch"} %d`, outbox(t, e)),
		`motcua_outbox_pending{kind="webhook"} 0`, `motcua_outbox_pending{kind="escalation"} 0`} {
		if !strings.Contains(m, want) {
			t.Fatalf("/metrics lacks %s", want)
		}
	}
}

func TestEventsNotWrittenForRefusedOrReplayedChanges(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	d := newDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	base := outbox(t, e)
	// A stale version, a move the machine refuses, a role refused.
	wantError(t, dossierAction(e, "officer", d.Code, map[string]any{"action": "start", "version": d.Version + 5}), http.StatusConflict, "conflict")
	apptest.Want(t, dossierAction(e, "clerk", d.Code, map[string]any{"action": "return"}), http.StatusConflict)
	apptest.Want(t, dossierAction(e, "viewer", d.Code, map[string]any{"action": "start"}), http.StatusForbidden)
	if n := outbox(t, e); n != base {
		t.Fatalf("refused requests wrote %d events", n-base)
	}
	// An idempotent request runs in the request's transaction, the
	// change in a savepoint of it: one event, and none for its replay.
	tok := freshToken(e, "officer")
	act := func(key string, body string) apptest.Response {
		return e.s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers/" + d.Code + "/actions", Token: tok,
			Body: body, Header: map[string]string{"Idempotency-Key": key}})
	}
	apptest.Want(t, act("start-1", `{"action":"start"}`), http.StatusOK)
	apptest.Want(t, act("start-1", `{"action":"start"}`), http.StatusOK)
	if n := outbox(t, e); n != base+1 {
		t.Fatalf("an action and its replay wrote %d events", n-base)
	}
	wantError(t, act("stale-1", `{"action":"request_payment","amount":1000,"version":1}`), http.StatusConflict, "conflict")
	if n := outbox(t, e); n != base+1 {
		t.Fatalf("a refused idempotent request wrote %d events", n-base-1)
	}
	clerk := freshToken(e, "clerk")
	reg := func() apptest.Response {
		return e.s.Do(apptest.Request{Method: http.MethodPost, Path: "/api/v1/dossiers", Token: clerk,
			Body:   `{"procedure_code":"` + justiceTenDays + `","channel":"direct","applicant":{"name":"Lò Văn Pó"}}`,
			Header: map[string]string{"Idempotency-Key": "reg-1"}})
	}
	apptest.Want(t, reg(), http.StatusCreated)
	apptest.Want(t, reg(), http.StatusCreated)
	if n := outbox(t, e); n != base+2 {
		t.Fatalf("a registration and its replay wrote %d events", n-base-1)
	}
	// An error inside the store's transaction after the history entry
	// takes the entry, its event and its job back.
	store := repository.NewDossierStore(e.s.App.DB, e.s.App.Sealer)
	stored, err := store.ByCode(context.Background(), d.Code)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = store.InTx(context.Background(), func(tx dossier.Store) error {
		h := dossier.Entry{DossierID: stored.ID, Action: dossier.ActReschedule, From: "processing", To: "processing",
			At: e.s.Clock.Now()}
		if err := tx.AppendHistory(context.Background(), &h); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	if n := outbox(t, e); n != base+2 {
		t.Fatalf("a rolled-back change left %d events", n-base-2)
	}
	evs := listEvents(t, e, "/api/v1/dossiers/"+d.Code+"/events", "officer")
	if len(evs) != 2 || evs[1].Sequence != 2 || evs[1].Type != "dossier.start" {
		t.Fatalf("events %+v", evs)
	}
}

func TestEventsOfAFeedbackItem(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	f := newFeedback(t, e.s, "clerk", hotlineFeedback(map[string]any{"sender": map[string]any{
		"name": "Hà Thị Bưởi", "phone": "0987654321"}}))
	path := "/api/v1/feedback/" + f.Code + "/events"
	base := outbox(t, e)
	apptest.Want(t, feedbackAction(e.s, "clerk", f.Code, map[string]any{"action": "assign", "agency_code": demo.Planning}), http.StatusOK)
	wantError(t, feedbackAction(e.s, "clerk", f.Code, map[string]any{"action": "assign", "agency_code": demo.Planning, "version": 1}),
		http.StatusConflict, "conflict")
	if n := outbox(t, e); n != base+1 {
		t.Fatalf("an assignment and a stale one wrote %d events", n-base)
	}
	evs := listEvents(t, e, path, "admin")
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	first, second := evs[0], evs[1]
	if first.Type != "feedback.receive" || first.Sequence != 1 || first.From != nil || first.FromCode != nil ||
		first.ToCode != nil || first.HolderUnit != nil || first.AppointmentAt != nil || first.DueAt == nil ||
		first.UnitCode == nil || f.RecordedUnit == nil || *first.UnitCode != *f.RecordedUnit {
		t.Fatalf("first event %+v", first)
	}
	if second.Type != "feedback.assign" || second.Sequence != 2 || second.AgencyCode == nil || *second.AgencyCode != demo.Planning {
		t.Fatalf("second event %+v", second)
	}
	raw := e.get(path, freshToken(e, "admin")).Body
	for _, s := range []string{"Hà Thị Bưởi", "0987654321", "Công dân gọi"} {
		if strings.Contains(string(raw), s) {
			t.Fatalf("events carry %q: %s", s, raw)
		}
	}
	wantError(t, e.get(path, freshToken(e, "clerk.commune")), http.StatusNotFound, "not_found")
}
