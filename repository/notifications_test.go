package repository_test

import (
	"context"
	"strings"
	"testing"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/repository"
)

// TestNotificationFanout: an event of a message type gets one row per
// channel the dossier opted into, masked, and one job each; running the
// fan-out again writes nothing; an event of another type and a channel
// the policy turned off get none. The worker's read finds the clear
// address, the history entry's reason and items, and the event's times.
func TestNotificationFanout(t *testing.T) {
	ctx := context.Background()
	e := newDossierEnv(t)
	in := dossier.NewDossier{ProcedureCode: "T.P3", Channel: dossier.Direct, Applicant: applicant("Lò Văn Pó"),
		Notify: []string{"sms", "email"}}
	r := e.register(t, rClerk, in)
	if _, err := e.svc.Act(ctx, rOfficer, r.Code, dossier.ActionInput{Action: dossier.ActStart}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Act(ctx, rOfficer, r.Code, dossier.ActionInput{Action: dossier.ActRequestSupplement,
		Reason: "Thiếu bản sao", Items: []string{"Bản sao CCCD"}}); err != nil {
		t.Fatal(err)
	}
	evs, err := repository.NewEventStore(e.db).List(ctx, event.SubjectDossier, r.Code)
	if err != nil || len(evs) != 3 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	fan := repository.NotificationFanout(testSealer(t), repository.NotifyPolicy{
		Sends: func(ch string, typ event.Type) bool {
			return (typ == "dossier.receive" || typ == "dossier.request_supplement") && !(ch == "sms" && typ == "dossier.receive")
		},
		Mask: func(ch, addr string) string { return ch + ":" + addr[:2] + "***" },
		Opts: func(ch string) *river.InsertOpts { return &river.InsertOpts{Queue: ch, MaxAttempts: 3} },
	})
	for range 2 {
		for _, ev := range evs {
			err := e.db.Transaction(func(tx *gorm.DB) error { return fan(ctx, tx, []event.Record{ev}) })
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	evs, err = repository.NewEventStore(e.db).List(ctx, event.SubjectDossier, r.Code)
	if err != nil {
		t.Fatal(err)
	}
	got := []int{len(evs[0].Notifications), len(evs[1].Notifications), len(evs[2].Notifications)}
	if got[0] != 1 || got[1] != 0 || got[2] != 2 {
		t.Fatalf("notifications per event %v, want [1 0 2]", got)
	}
	if n := evs[2].Notifications; n[0].Channel != "email" || n[0].To != "email:a@***" || n[1].To != "sms:09***" ||
		n[0].Status != repository.NotificationPending || n[0].Attempts != 0 {
		t.Fatalf("notifications %+v", n)
	}
	var jobs []struct {
		Kind  string
		Queue string
		Max   int `gorm:"column:max_attempts"`
	}
	if err := e.db.Raw("SELECT kind, queue, max_attempts FROM river_job WHERE kind IN ('email', 'sms') ORDER BY id").Scan(&jobs).Error; err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 3 || jobs[0].Kind != "email" || jobs[2].Kind != "sms" || jobs[2].Queue != "sms" || jobs[2].Max != 3 {
		t.Fatalf("jobs %+v", jobs)
	}
	// The worker's read: the supplement request's e-mail.
	var id int64
	if err := e.db.Raw("SELECT id FROM notifications WHERE event_id = ? AND channel = 'email'", evs[2].ID).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	m, err := repository.NewNotificationStore(e.db, testSealer(t)).Message(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "a@example.vn" || m.Type != "dossier.request_supplement" || m.Reason != "Thiếu bản sao" ||
		strings.Join(m.Items, "|") != "Bản sao CCCD" || m.AgencyCode != dDept || m.DueAt == nil || m.ReceivedAt == nil {
		t.Fatalf("message %+v", m)
	}
	// The clear address is nowhere in the notifications table.
	var stored []string
	if err := e.db.Raw("SELECT to_masked FROM notifications").Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	for _, s := range stored {
		if strings.Contains(s, "example.vn") || strings.Contains(s, "0912345678") {
			t.Fatalf("a clear address is stored: %q", s)
		}
	}
}
