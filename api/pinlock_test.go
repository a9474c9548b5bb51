package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// wrongPin is a PIN other than pin.
func wrongPin(pin string, i int) string {
	w := strconv.Itoa(100000 + i)
	if w == pin {
		w = strconv.Itoa(200000 + i)
	}
	return w
}

// wantLocked checks a 429 with a Retry-After of about want.
func wantLocked(t *testing.T, r apptest.Response, want time.Duration) {
	t.Helper()
	wantError(t, r, http.StatusTooManyRequests, "rate_limited")
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || time.Duration(secs)*time.Second > want {
		t.Fatalf("Retry-After %q, want 1..%v", r.Header.Get("Retry-After"), want)
	}
}

// TestPinLockPerCode: wrong PINs are counted per code whatever the address.
// After 10 within 15 minutes, every lookup of that code is 429 with
// Retry-After, the right PIN too (so the lock tells nothing), until 15
// minutes after the last failure; the rating of the same dossier is locked
// with it; other codes are not. Unknown codes and feedback codes lock alike.
func TestPinLockPerCode(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_RATE_LIMIT": "1000"}})
	code, pin := registerRateableDossier(t, s)
	returnDossier(t, s, code) // so that it can be rated
	other, otherPin := registerRateableDossier(t, s)
	lookup := func(code, pin string, i int) apptest.Response {
		return s.Do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/public/dossiers/" + code + "?pin=" + pin,
			Remote: "198.51.100." + strconv.Itoa(i%250+1) + ":4000"})
	}
	for i := 0; i < 9; i++ {
		wantError(t, lookup(code, wrongPin(pin, i), i), http.StatusNotFound, "not_found")
		s.Clock.Advance(time.Minute)
	}
	// The right PIN works before the tenth failure, and does not wipe the nine.
	apptest.Want(t, lookup(code, pin, 99), http.StatusOK)
	wantError(t, lookup(code, wrongPin(pin, 9), 9), http.StatusNotFound, "not_found")
	last := s.Clock.Now()
	wantLocked(t, lookup(code, pin, 100), 15*time.Minute)
	wantLocked(t, lookup(code, wrongPin(pin, 10), 101), 15*time.Minute)
	// Another case or spacing of the code is the same code.
	wantLocked(t, s.Do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/public/dossiers/%20" + code + "?pin=" + pin}), 15*time.Minute)
	// The rating shares the count.
	wantLocked(t, postRating(s, code, pin, map[string]any{"score": 5}), 15*time.Minute)
	// Other codes are not locked.
	apptest.Want(t, lookup(other, otherPin, 102), http.StatusOK)

	s.Clock.Set(last.Add(15*time.Minute - time.Second))
	wantLocked(t, lookup(code, pin, 103), time.Second)
	s.Clock.Set(last.Add(15 * time.Minute))
	apptest.Want(t, lookup(code, pin, 104), http.StatusOK)
	apptest.Want(t, postRating(s, code, pin, map[string]any{"score": 5}), http.StatusCreated)

	// An unknown code locks too, so the lock says nothing about existence.
	for i := 0; i < 10; i++ {
		wantError(t, lookup("KHONG-CO-MA", wrongPin(pin, i), i), http.StatusNotFound, "not_found")
	}
	wantLocked(t, lookup("KHONG-CO-MA", pin, 0), 15*time.Minute)

	// Public feedback lookups.
	fb := recordFeedback(t, s, "clerk", map[string]any{"channel": "hotline", "category": "procedure", "title": "Hỏi tiến độ",
		"content": "Hỏi tiến độ hồ sơ.", "sender": map[string]any{"name": "Lò Văn Hỏi"}})
	fcode, fpin := fb["code"].(string), fb["lookup_pin"].(string)
	fget := func(pin string, i int) apptest.Response {
		return s.Do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/public/feedback/" + fcode + "?pin=" + pin,
			Remote: "203.0.113." + strconv.Itoa(i+1) + ":4000"})
	}
	apptest.Want(t, fget(fpin, 0), http.StatusOK)
	for i := 0; i < 10; i++ {
		wantError(t, fget(wrongPin(fpin, i), i), http.StatusNotFound, "not_found")
	}
	wantLocked(t, fget(fpin, 50), 15*time.Minute)
}

// IPv6 clients are limited per /64: addresses of one network share a
// budget, another network has its own.
func TestRateLimitPerIPv6Network(t *testing.T) {
	t.Parallel()
	s := apptest.New(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_RATE_LIMIT": "3"}})
	get := func(remote string) apptest.Response {
		return s.Do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/public/feedback", Remote: remote})
	}
	for i := 1; i <= 3; i++ {
		apptest.Want(t, get("[2001:db8:1:2::"+strconv.Itoa(i)+"]:5000"), http.StatusOK)
	}
	wantError(t, get("[2001:db8:1:2:ffff::9]:5000"), http.StatusTooManyRequests, "rate_limited")
	apptest.Want(t, get("[2001:db8:1:3::1]:5000"), http.StatusOK)
	// IPv4 addresses stay one each.
	for i := 1; i <= 3; i++ {
		apptest.Want(t, get("192.0.2.7:5000"), http.StatusOK)
	}
	apptest.Want(t, get("192.0.2.8:5000"), http.StatusOK)
}
