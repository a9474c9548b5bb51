package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// BenchmarkPublicLookup is the citizen lookup through the whole handler
// chain (middleware, service, store) in process, without the network: the
// part of the request make bench's lookup figure that is ours. On
// PostgreSQL when MOTCUA_TEST_POSTGRES is set.
func BenchmarkPublicLookup(b *testing.B) {
	s := apptest.New(b, apptest.Options{})
	r := apptest.Want(b, s.Post("/api/v1/dossiers", s.Token("clerk"), dossierBody(justiceTenDays, "direct")), http.StatusCreated)
	var d struct {
		Code string `json:"code"`
		Pin  string `json:"lookup_pin"`
	}
	if err := json.Unmarshal(r.Body, &d); err != nil {
		b.Fatal(err)
	}
	path := "/api/v1/public/dossiers/" + d.Code + "?pin=" + d.Pin
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = "192.0.2.1:1234"
		rec := httptest.NewRecorder()
		s.App.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
