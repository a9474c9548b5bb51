package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// BenchmarkPublicStatsCached is the public figures of a month already kept
// (GET /api/v1/public/stats, 200 with the body) beside the citizen lookup
// (GET /api/v1/public/dossiers/{code}?pin=), each through the whole handler
// chain in process, alternately in one loop over one database. It reports
// both times and their ratio stats/lookup (below 1: the kept figures cost
// less than a lookup). On PostgreSQL when MOTCUA_TEST_POSTGRES is set.
func BenchmarkPublicStatsCached(b *testing.B) {
	s := apptest.New(b, apptest.Options{})
	r := apptest.Want(b, s.Post("/api/v1/dossiers", s.Token("clerk"), dossierBody(justiceTenDays, "direct")), http.StatusCreated)
	var d struct {
		Code string `json:"code"`
		Pin  string `json:"lookup_pin"`
	}
	if err := json.Unmarshal(r.Body, &d); err != nil {
		b.Fatal(err)
	}
	lookup := "/api/v1/public/dossiers/" + d.Code + "?pin=" + d.Pin
	figures := "/api/v1/public/stats?month=2026-10"
	serve := func(path string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = "192.0.2.1:1234"
		rec := httptest.NewRecorder()
		s.App.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			b.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body)
		}
	}
	serve(figures) // computed and kept
	var inStats, inLookup time.Duration
	n := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		serve(figures)
		t1 := time.Now()
		serve(lookup)
		inStats += t1.Sub(t0)
		inLookup += time.Since(t1)
		n++
	}
	b.ReportMetric(float64(inStats.Nanoseconds())/float64(n), "stats-ns/op")
	b.ReportMetric(float64(inLookup.Nanoseconds())/float64(n), "lookup-ns/op")
	b.ReportMetric(float64(inStats)/float64(inLookup), "stats/lookup")
}
