package repository_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/event"
	"github.com/motcua/motcua/repository"
)

// TestDispatchSweepsTheUndispatched: one dispatch fans out its own event
// and the others not yet dispatched, each once; their own jobs then find
// nothing to do.
func TestDispatchSweepsTheUndispatched(t *testing.T) {
	ctx := context.Background()
	e := newDossierEnv(t)
	r := e.register(t, rClerk, dossier.NewDossier{ProcedureCode: "T.P3", Channel: dossier.Direct, Applicant: applicant("Lò Văn Pó")})
	if _, err := e.svc.Act(ctx, rOfficer, r.Code, dossier.ActionInput{Action: dossier.ActStart}); err != nil {
		t.Fatal(err)
	}
	store := repository.NewEventStore(e.db)
	evs, err := store.List(ctx, event.SubjectDossier, r.Code)
	if err != nil || len(evs) != 2 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	// Other dossiers' events of the fixture are swept too: count per id.
	seen := map[string]int{}
	fan := func(_ context.Context, _ *gorm.DB, evs []event.Record) error {
		for _, ev := range evs {
			seen[ev.ID]++
		}
		return nil
	}
	if err := store.Dispatch(ctx, evs[1].ID, fan); err != nil {
		t.Fatal(err)
	}
	if seen[evs[0].ID] != 1 || seen[evs[1].ID] != 1 {
		t.Fatalf("fanned out %v, want each of %s and %s once", seen, evs[0].ID, evs[1].ID)
	}
	n := len(seen)
	if err := store.Dispatch(ctx, evs[0].ID, fan); err != nil {
		t.Fatal(err)
	}
	if len(seen) != n || seen[evs[0].ID] != 1 {
		t.Fatalf("a second dispatch fanned out again: %v", seen)
	}
	var left int64
	if err := e.db.Raw("SELECT COUNT(*) FROM events WHERE dispatched_at IS NULL").Scan(&left).Error; err != nil || left != 0 {
		t.Fatalf("%d events left undispatched (%v)", left, err)
	}
}

// TestEventTakesTheWrittenDossier: the event of a registration or an
// action takes the dossier's code, units and due time from the row the
// transaction has just written; registering reads no dossier row at all,
// and an action reads only the two it needs (the service's load and the
// update's lock), not a third for its event.
func TestEventTakesTheWrittenDossier(t *testing.T) {
	ctx := context.Background()
	e := newDossierEnv(t)
	var reads int
	count := func(tx *gorm.DB) {
		if tx.Statement != nil && tx.Statement.Table == "dossiers" {
			reads++
		}
	}
	if err := e.db.Callback().Query().Register("test:dossier_reads", count); err != nil {
		t.Fatal(err)
	}
	r := e.register(t, rClerk, dossier.NewDossier{ProcedureCode: "T.P3", Channel: dossier.Direct, Applicant: applicant("Lò Văn Pó")})
	if reads != 0 {
		t.Fatalf("registration read the dossiers table %d times, want 0", reads)
	}
	reads = 0
	if _, err := e.svc.Act(ctx, rOfficer, r.Code, dossier.ActionInput{Action: dossier.ActStart}); err != nil {
		t.Fatal(err)
	}
	if reads != 2 {
		t.Fatalf("an action read the dossiers table %d times, want 2", reads)
	}
	evs, err := repository.NewEventStore(e.db).List(ctx, event.SubjectDossier, r.Code)
	if err != nil || len(evs) != 2 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	for _, ev := range evs {
		if ev.Code != r.Code || ev.Sequence < 1 {
			t.Fatalf("event %+v of %s", ev, r.Code)
		}
		for _, want := range []string{`"code":"` + r.Code + `"`, `"unit_code":"` + dCentre + `"`, `"agency_code":"` + dDept + `"`, `"procedure_code":"T.P3"`} {
			if !strings.Contains(string(ev.Body), want) {
				t.Fatalf("event %s body lacks %s:\n%s", ev.Type, want, ev.Body)
			}
		}
	}
}

// TestRegistrationTakesTheCounterLast: a registration applies its rollups
// before it takes the unit's day counter, whose row stays locked until the
// commit, so the unit's next registration waits behind the dossier row,
// its history and its event only.
func TestRegistrationTakesTheCounterLast(t *testing.T) {
	e := newDossierEnv(t)
	var order []string
	// rolled: the rollup rows the registration's transaction held when it
	// took the counter. PostgreSQL's rollup upsert bypasses GORM's
	// callbacks, so the test asks the transaction itself rather than
	// watching for the statement.
	rolled := int64(-1)
	before := func(tx *gorm.DB) {
		q := strings.ToLower(tx.Statement.SQL.String())
		if !strings.Contains(q, "into sequences") {
			return
		}
		row := tx.Statement.ConnPool.QueryRowContext(tx.Statement.Context,
			"SELECT (SELECT count(*) FROM dossier_rollups_daily) + (SELECT count(*) FROM dossier_rollups)")
		if err := row.Scan(&rolled); err != nil {
			t.Errorf("counting rollups before the counter: %v", err)
		}
	}
	after := func(tx *gorm.DB) {
		q := strings.ToLower(tx.Statement.SQL.String())
		switch {
		case strings.Contains(q, "into sequences"):
			order = append(order, "counter")
		case tx.Statement.Table == "dossiers" && strings.HasPrefix(q, "insert"):
			order = append(order, "dossier")
		}
	}
	for _, reg := range []func() error{
		func() error {
			return e.db.Callback().Row().Before("gorm:row").Register("test:order_row_before", before)
		},
		func() error { return e.db.Callback().Raw().After("gorm:raw").Register("test:order_raw", after) },
		func() error {
			return e.db.Callback().Create().After("gorm:create").Register("test:order_create", after)
		},
		func() error { return e.db.Callback().Row().After("gorm:row").Register("test:order_row", after) },
	} {
		if err := reg(); err != nil {
			t.Fatal(err)
		}
	}
	e.register(t, rClerk, dossier.NewDossier{ProcedureCode: "T.P3", Channel: dossier.Direct, Applicant: applicant("Lò Văn Pó")})
	if got := strings.Join(order, " "); got != "counter dossier" {
		t.Fatalf("statements in the order %q, want the counter, then the dossier", got)
	}
	if rolled <= 0 {
		t.Fatalf("the transaction held %d rollup rows when it took the counter, want the registration's rollups already written", rolled)
	}
}
