package event_test

import (
	"testing"
	"time"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/domain/feedback"
)

// TestTypes pins the set of event types: the lifecycle's actions and the
// escalations, and no type for the history's records.
func TestTypes(t *testing.T) {
	if n := len(event.Types()); n != 25 {
		t.Fatalf("%d types, want 15 dossier actions, 6 feedback actions and 4 escalations", n)
	}
	for _, a := range []dossier.Action{dossier.ActAttachFile, dossier.ActReplaceFile, dossier.ActRecordPayment} {
		if typ, ok := event.DossierType(a); ok {
			t.Fatalf("records-only action %s has type %s", a, typ)
		}
	}
	if typ, ok := event.DossierType(dossier.ActRequestSupplement); !ok || typ != "dossier.request_supplement" {
		t.Fatalf("request_supplement: %q %v", typ, ok)
	}
	if typ, ok := event.FeedbackType(feedback.ActionAnswer); !ok || typ != "feedback.answer" {
		t.Fatalf("answer: %q %v", typ, ok)
	}
}

// TestForDossierAtRegistration: no status before, so no status code either.
func TestForDossierAtRegistration(t *testing.T) {
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	e, ok := event.ForDossier(dossier.Dossier{Code: "X", HolderUnit: "U"},
		dossier.Entry{Action: dossier.ActReceive, To: dossier.Received, At: at, Note: "free text"})
	if !ok || e.From != "" || e.FromCode != 0 || e.ToCode != 2 || e.Type != "dossier.receive" || !e.OccurredAt.Equal(at) {
		t.Fatalf("%+v", e)
	}
}
