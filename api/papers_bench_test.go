package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/render/pdf"
)

// BenchmarkPaperReceipt prints receipts (form 01) through the whole
// handler chain in process, on every core, and a floor on as many: a
// one-page PDF with the same library and fonts and no data access. It
// reports receipts/s, floor/s and their ratio (make bench; on PostgreSQL
// when MOTCUA_TEST_POSTGRES is set), and the CPU time this process spent
// on each receipt and each floor page (getrusage; PostgreSQL's own is not
// in it): on a shared machine the rates follow the other jobs, the CPU
// times much less. No figure is asserted here.
func BenchmarkPaperReceipt(b *testing.B) {
	s := apptest.New(b, apptest.Options{})
	r := apptest.Want(b, s.Post("/api/v1/dossiers", s.Token("clerk"), dossierBody(justiceTenDays, "direct")), http.StatusCreated)
	var d struct {
		Code string `json:"code"`
	}
	if err := json.Unmarshal(r.Body, &d); err != nil {
		b.Fatal(err)
	}
	path, tok := "/api/v1/dossiers/"+d.Code+"/papers/receipt.pdf", s.Token("clerk")
	if _, err := pdf.Floor(time.Now()); err != nil { // the fonts are cut once, outside the timing
		b.Fatal(err)
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	// rate runs fn b.N times: per second, and the CPU milliseconds of each.
	rate := func(fn func() error) (float64, float64) {
		start, cpu0 := time.Now(), cpu()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := fn(); err != nil {
					b.Error(err)
					return
				}
			}
		})
		return float64(b.N) / time.Since(start).Seconds(), (cpu() - cpu0).Seconds() * 1e3 / float64(b.N)
	}
	b.ResetTimer()
	// Each half runs b.N times; ns/op is the sum of both.
	receipts, receiptCPU := rate(func() error {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		s.App.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return fmt.Errorf("status %d: %s", rec.Code, rec.Body)
		}
		return nil
	})
	floor, floorCPU := rate(func() error {
		_, err := pdf.Floor(time.Now())
		return err
	})
	b.ReportMetric(receipts, "receipts/s")
	b.ReportMetric(floor, "floor/s")
	b.ReportMetric(receiptCPU, "cpu-ms/receipt")
	b.ReportMetric(floorCPU, "cpu-ms/floor")
	b.ReportMetric(receipts/floor, "ratio")
}
