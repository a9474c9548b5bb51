package api_test

import (
	"net/http"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// TestStatsCSVDefusesFormulas: a procedure whose name and field look like
// spreadsheet formulas comes out of the CSV export with a leading
// apostrophe, in every grouping that prints them; numbers stay as they are.
func TestStatsCSVDefusesFormulas(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	p := newProcedure("9.000777")
	p["name"] = `=HYPERLINK("http://example.invalid","x")`
	p["field"] = "@SUM(1+1)"
	p["agency_code"] = demo.Justice
	apptest.Want(t, e.post("/api/v1/procedures", admin, p), http.StatusCreated)
	registerDossier(t, e, "clerk", dossierBody("9.000777", "direct"))

	viewer := e.tok("viewer")
	find := func(group string) []string {
		t.Helper()
		r := e.s.Get("/api/v1/stats/dossiers?month=2026-11&group_by="+group+"&format=csv", viewer)
		recs := readCSV(t, apptest.Want(t, r, http.StatusOK).Body)
		for _, rec := range recs[1:] {
			if len(rec) > 3 && (rec[2] == "9.000777" || rec[2] == "'@SUM(1+1)" || rec[2] == "@SUM(1+1)") {
				return rec
			}
		}
		t.Fatalf("group_by=%s: no row for the test procedure in %q", group, recs)
		return nil
	}
	if rec := find("procedure"); rec[1] != `'=HYPERLINK("http://example.invalid","x")` {
		t.Errorf("procedure name cell %q, want a leading apostrophe", rec[1])
	} else if rec[3] != "1" {
		t.Errorf("received total %q, want 1 (numbers untouched)", rec[3])
	}
	if rec := find("field"); rec[2] != "'@SUM(1+1)" {
		t.Errorf("field cell %q, want a leading apostrophe", rec[2])
	}
}
