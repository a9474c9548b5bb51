package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// TestAgencyTreeShape: one root, and no commune above a department or a
// district, on create and on update; a closed former district under the
// province with its communes fits.
func TestAgencyTreeShape(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin := e.tok("admin")
	ag := func(code, kind, parent string) map[string]any {
		m := map[string]any{"code": code, "name": "Đơn vị " + code, "kind": kind}
		if parent != "" {
			m["parent_code"] = parent
		}
		return m
	}
	// A second root.
	wantError(t, e.post("/api/v1/agencies", admin, ag("000.00.00.H98", "province", "")), http.StatusConflict, "conflict")
	wantError(t, e.post("/api/v1/agencies", admin, ag("000.00.00.H97", "department", "")), http.StatusConflict, "conflict")
	wantError(t, e.patch("/api/v1/agencies/"+demo.Justice, admin, map[string]any{"parent_code": ""}), http.StatusConflict, "conflict")

	// A closed former district under the province, communes below it.
	d := ag("000.77.00.H99", "district", demo.Province)
	d["closed"] = true
	apptest.Want(t, e.post("/api/v1/agencies", admin, d), http.StatusCreated)
	apptest.Want(t, e.post("/api/v1/agencies", admin, ag("000.77.01.H99", "commune", "000.77.00.H99")), http.StatusCreated)
	apptest.Want(t, e.post("/api/v1/agencies", admin, ag("000.77.02.H99", "commune", demo.Province)), http.StatusCreated)

	// A department or district below a commune.
	wantFields(t, e.post("/api/v1/agencies", admin, ag("000.77.03.H99", "department", "000.77.01.H99")), "parent_code")
	wantFields(t, e.post("/api/v1/agencies", admin, ag("000.77.04.H99", "district", "000.77.02.H99")), "parent_code")
	apptest.Want(t, e.post("/api/v1/agencies", admin, ag("000.77.05.H99", "department", demo.Province)), http.StatusCreated)
	wantFields(t, e.patch("/api/v1/agencies/000.77.05.H99", admin, map[string]any{"parent_code": "000.77.02.H99"}), "parent_code")
	// Turning the district that holds a commune... into a commune is fine
	// (communes below communes), but a commune above a department is not.
	apptest.Want(t, e.post("/api/v1/agencies", admin, ag("000.77.06.H99", "department", "000.77.00.H99")), http.StatusCreated)
	wantFields(t, e.patch("/api/v1/agencies/000.77.00.H99", admin, map[string]any{"kind": "commune"}), "kind")
	got := obj(t, apptest.Want(t, e.get("/api/v1/agencies/000.77.00.H99", admin), http.StatusOK))
	if got["kind"] != "district" {
		t.Errorf("refused change stored: %v", got)
	}
	// A commune may hold a commune.
	apptest.Want(t, e.patch("/api/v1/agencies/000.77.01.H99", admin, map[string]any{"parent_code": "000.77.02.H99"}), http.StatusOK)
}

// TestDemoProvinceIsTwoTier: the demo province is local government as it
// stands since 1 July 2025: the province, its centre, departments and
// communes directly below it; the former district appears only closed,
// with no units below it, handling no procedure, holding the dossiers it
// received before the reform.
func TestDemoProvinceIsTwoTier(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	viewer := e.tok("viewer")
	for _, a := range items(t, apptest.Want(t, e.get("/api/v1/agencies?page_size=500", viewer), http.StatusOK)) {
		switch a["kind"] {
		case "district":
			if a["closed"] != true {
				t.Errorf("an open district in a two-tier province: %v", a)
			}
		case "province":
		default:
			if a["parent_code"] != demo.Province {
				t.Errorf("%v stands below %v, not the province", a["code"], a["parent_code"])
			}
		}
	}
	if n := total(t, e.get("/api/v1/agencies?parent_code="+demo.District, viewer)); n != 0 {
		t.Errorf("the former district still has %d units below it", n)
	}
	if n := total(t, e.get("/api/v1/procedures?agency_code="+demo.District, viewer)); n != 0 {
		t.Errorf("the former district still handles %d procedures", n)
	}
	old := items(t, apptest.Want(t, e.get("/api/v1/dossiers?unit_code="+demo.District+"&page_size=500", viewer), http.StatusOK))
	if len(old) == 0 {
		t.Fatal("the former district holds no dossiers")
	}
	reform := time.Date(2025, 7, 1, 0, 0, 0, 0, apptest.Loc)
	for _, d := range old {
		at, err := time.Parse(time.RFC3339, d["received_at"].(string))
		if err != nil || !at.Before(reform) {
			t.Errorf("dossier %v of the former district received %v, not before the reform", d["code"], d["received_at"])
		}
	}
	// The commune's desk works: its clerk registers a former district procedure.
	apptest.Want(t, e.post("/api/v1/dossiers", e.tok("clerk.commune"), map[string]any{"procedure_code": "1.001612", "channel": "direct",
		"applicant": map[string]any{"name": "Lò Văn Mới"}}), http.StatusCreated)
}
