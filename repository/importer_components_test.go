package repository_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/importer"
	"github.com/motcua/motcua/repository"
)

// TestComponentStore: components round-trip, are listed by position then
// id (retired ones on request), belong to one procedure, and their codes
// are unique within it (retired ones included) while any number have none.
// Fee lines round-trip on the procedure.
func TestComponentStore(t *testing.T) {
	e := newImportEnv(t)
	ctx := context.Background()
	cs := repository.NewCatalogStore(e.db)
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	mk := func(code, name string, pos int, active bool) catalog.Component {
		return catalog.Component{ProcedureCode: iProc, Code: code, Name: name, Originals: 1, Copies: 2, Required: true,
			Condition: "Khi cần", Template: "Mẫu 01.docx", Position: pos, Active: active, CreatedAt: at, UpdatedAt: at}
	}
	if n, err := cs.NextComponentPosition(ctx, iProc); err != nil || n != 0 {
		t.Fatalf("next position of none: %d %v", n, err)
	}
	var made []catalog.Component
	for _, c := range []catalog.Component{mk("A", "Một", 3, true), mk("", "Hai", 1, true), mk("", "Ba", 1, true), mk("B", "Bốn", 0, false)} {
		if err := cs.CreateComponent(ctx, &c); err != nil || c.ID == 0 {
			t.Fatalf("create %v: %v", c.Name, err)
		}
		made = append(made, c)
	}
	got, err := cs.Component(ctx, iProc, made[0].ID)
	if err != nil || !reflect.DeepEqual(got, made[0]) {
		t.Fatalf("round trip:\n got %+v\nwant %+v (%v)", got, made[0], err)
	}
	names := func(list []catalog.Component) (out []string) {
		for _, c := range list {
			out = append(out, c.Name)
		}
		return out
	}
	act, _ := cs.Components(ctx, iProc, false)
	all, _ := cs.Components(ctx, iProc, true)
	if !reflect.DeepEqual(names(act), []string{"Hai", "Ba", "Một"}) || !reflect.DeepEqual(names(all), []string{"Bốn", "Hai", "Ba", "Một"}) {
		t.Fatalf("order: active %v, all %v", names(act), names(all))
	}
	if n, _ := cs.NextComponentPosition(ctx, iProc); n != 4 {
		t.Fatalf("next position %d, want 4", n)
	}
	dup := mk("B", "Trùng với một thành phần đã ngừng", 9, true)
	if err := cs.CreateComponent(ctx, &dup); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("a retired component's code: %v", err)
	}
	moved := made[1]
	moved.Code, moved.Template, moved.Active, moved.UpdatedAt = "A", "", false, at.Add(time.Hour)
	if err := cs.UpdateComponent(ctx, moved); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("a code taken by update: %v", err)
	}
	moved.Code = "C"
	if err := cs.UpdateComponent(ctx, moved); err != nil {
		t.Fatal(err)
	}
	if got, _ := cs.Component(ctx, iProc, moved.ID); !reflect.DeepEqual(got, moved) {
		t.Fatalf("update:\n got %+v\nwant %+v", got, moved)
	}
	if _, err := cs.Component(ctx, "I.OTHER", made[0].ID); domain.KindOf(err) != domain.KindNotFound {
		t.Fatalf("under another procedure: %v", err)
	}
	other := made[0]
	other.ProcedureCode = "I.OTHER"
	if err := cs.UpdateComponent(ctx, other); domain.KindOf(err) != domain.KindNotFound {
		t.Fatalf("update under another procedure: %v", err)
	}

	p, err := cs.Procedure(ctx, iProc)
	if err != nil {
		t.Fatal(err)
	}
	p.FeeLines = []catalog.FeeLine{{Kind: catalog.FeeCharge, Name: "Lệ phí", Amount: 100}, {Kind: catalog.FeeFee, Name: "Phí", Amount: 1_000_000_000_000}}
	p.Fee = 1_000_000_000_100
	if err := cs.UpdateProcedure(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, _ := cs.Procedure(ctx, iProc); !reflect.DeepEqual(got.FeeLines, p.FeeLines) || got.Fee != p.Fee {
		t.Fatalf("fee lines: %+v %d", got.FeeLines, got.Fee)
	}
}

// TestImportComponentsOfExistingProcedures: a procedure line brings its
// components and fee lines to an existing procedure once per stream: a
// later line of the same code, in another batch, changes nothing.
func TestImportComponentsOfExistingProcedures(t *testing.T) {
	e := newImportEnv(t)
	ctx := context.Background()
	line := func(code, comps string) string {
		return fmt.Sprintf(`{"code":%q,"name":"Thủ tục","field":"F","agency_code":%q,"level":"province",`+
			`"processing_time":{"value":1,"unit":"days"},"online_level":"info","components":%s}`, code, iDept, comps)
	}
	lines := []string{line(iProc, `[{"code":"X","name":"Tờ khai"},{"name":"Ảnh"}]`)}
	for i := range importer.BatchSize {
		lines = append(lines, line(fmt.Sprintf("I.F%04d", i), `[{"name":"Đơn"}]`))
	}
	lines = append(lines, line(iProc, `[{"name":"Khác"}]`))
	r := e.run(t, importer.Procedures, lines...)
	if r.Imported != int64(importer.BatchSize)+1 || r.SkippedDuplicates != 1 || r.ErrorLines != 0 {
		t.Fatalf("result %+v", r)
	}
	cs := repository.NewCatalogStore(e.db)
	got, _ := cs.Components(ctx, iProc, true)
	if len(got) != 2 || got[0].Name != "Tờ khai" || got[0].Code != "X" || got[1].Name != "Ảnh" || !got[1].Active {
		t.Fatalf("components of the existing procedure: %+v", got)
	}
	if got, _ := cs.Components(ctx, "I.F0999", false); len(got) != 1 || got[0].Position != 0 || !got[0].CreatedAt.Equal(importNow) {
		t.Fatalf("components of a new procedure: %+v", got)
	}
	// Again: nothing changes, every line a duplicate.
	before := mustComponents(t, cs, iProc)
	r = e.run(t, importer.Procedures, lines...)
	if r.Imported != 0 || r.SkippedDuplicates != int64(len(lines)) {
		t.Fatalf("again %+v", r)
	}
	if after := mustComponents(t, cs, iProc); !reflect.DeepEqual(after, before) {
		t.Fatalf("changed:\n%+v\n%+v", after, before)
	}
}

func mustComponents(t *testing.T, cs *repository.CatalogStore, code string) []catalog.Component {
	t.Helper()
	out, err := cs.Components(context.Background(), code, true)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
