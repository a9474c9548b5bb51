package api_test

import (
	"net/http"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app"
	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// TestAgencyTreeShape: one root, and no commune above a department or a
// district, on create and on update; a closed former district under the
// province with its communes fits.
func TestAgencyTreeShape(t *testing.T) {
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
	wantError(t, e.patch("/api/v1/agencies/"+app.DemoJustice, admin, map[string]any{"parent_code": ""}), http.StatusConflict, "conflict")

	// A closed former district under the province, communes below it.
	d := ag("000.77.00.H99", "district", app.DemoProvince)
	d["closed"] = true
	apptest.Want(t, e.post("/api/v1/agencies", admin, d), http.StatusCreated)
	apptest.Want(t, e.post("/api/v1/agencies", admin, ag("000.77.01.H99", "commune", "000.77.00.H99")), http.StatusCreated)
	apptest.Want(t, e.post("/api/v1/agencies", admin, ag("000.77.02.H99", "commune", app.DemoProvince)), http.StatusCreated)

	// A department or district below a commune.
	wantFields(t, e.post("/api/v1/agencies", admin, ag("000.77.03.H99", "department", "000.77.01.H99")), "parent_code")
	wantFields(t, e.post("/api/v1/agencies", admin, ag("000.77.04.H99", "district", "000.77.02.H99")), "parent_code")
	apptest.Want(t, e.post("/api/v1/agencies", admin, ag("000.77.05.H99", "department", app.DemoProvince)), http.StatusCreated)
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
