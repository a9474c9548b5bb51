package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// BenchmarkLookupPage renders the lookup-result page end to end (form
// parsed, CSRF checked, the same lookup service, the template) and, in the
// same loop, the JSON lookup of the same dossier: the page's cost is
// reported as a ratio to the API's (goal: at most 1.2).
func BenchmarkLookupPage(b *testing.B) {
	s := apptest.New(b, apptest.Options{})
	r := apptest.Want(b, s.Post("/api/v1/dossiers", s.Token("clerk"), map[string]any{
		"procedure_code": "2.000488", "channel": "direct",
		"applicant": map[string]any{"name": "Nguyễn Văn An", "id_number": "001234567890"},
		"documents": []map[string]any{{"name": "Tờ khai", "copies": 1}}}), http.StatusCreated).JSON(b)
	code, pin := r["code"].(string), r["lookup_pin"].(string)
	h := s.App.Handler
	form := httptest.NewRecorder()
	h.ServeHTTP(form, httptest.NewRequest(http.MethodGet, "/tra-cuu", nil))
	cookie := form.Result().Cookies()[0]
	body := url.Values{"code": {code}, "pin": {pin}, "csrf_token": {cookie.Value}}.Encode()
	apiPath := "/api/v1/public/dossiers/" + code + "?pin=" + pin
	var pageTime, apiTime time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		req := httptest.NewRequest(http.MethodPost, "/tra-cuu", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		t1 := time.Now()
		api := httptest.NewRecorder()
		h.ServeHTTP(api, httptest.NewRequest(http.MethodGet, apiPath, nil))
		t2 := time.Now()
		if rec.Code != http.StatusOK || api.Code != http.StatusOK {
			b.Fatalf("page %d, api %d", rec.Code, api.Code)
		}
		pageTime += t1.Sub(t0)
		apiTime += t2.Sub(t1)
	}
	n := float64(b.N)
	b.ReportMetric(float64(pageTime.Nanoseconds())/n, "ns/page")
	b.ReportMetric(float64(apiTime.Nanoseconds())/n, "ns/api")
	b.ReportMetric(float64(pageTime)/float64(apiTime), "page/api")
}

// BenchmarkCongKhai serves /cong-khai from its cache: run with -cpu 1, the
// requests/s on one core (goal: more than 5,000).
func BenchmarkCongKhai(b *testing.B) {
	s := apptest.New(b, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_CACHE_SECONDS": "3600"}})
	h := s.App.Handler
	warm := httptest.NewRecorder()
	h.ServeHTTP(warm, httptest.NewRequest(http.MethodGet, "/cong-khai", nil))
	if warm.Code != http.StatusOK {
		b.Fatalf("/cong-khai: %d", warm.Code)
	}
	start := time.Now()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/cong-khai", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("/cong-khai: %d", rec.Code)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
