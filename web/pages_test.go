package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// registered is a dossier a clerk registered through the API.
type registered struct{ Code, Pin string }

func register(t *testing.T, s *apptest.Server) registered {
	t.Helper()
	r := apptest.Want(t, s.Post("/api/v1/dossiers", s.Token("clerk"), map[string]any{
		"procedure_code": "2.000488", "channel": "direct",
		"applicant": map[string]any{"name": "Nguyễn Văn An", "id_number": "001234567890", "phone": "0912345678"},
		"documents": []map[string]any{{"name": "Tờ khai", "copies": 1}},
	}), http.StatusCreated).JSON(t)
	return registered{Code: r["code"].(string), Pin: r["lookup_pin"].(string)}
}

func act(t *testing.T, s *apptest.Server, who, code string, body map[string]any) {
	t.Helper()
	apptest.Want(t, s.Post("/api/v1/dossiers/"+code+"/actions", s.Token(who), body), http.StatusOK)
}

func lookupPage(t *testing.T, v *visitor, code string, cred url.Values) page {
	t.Helper()
	v.get("/tra-cuu/" + code)
	f := url.Values{"code": {code}}
	for k, vs := range cred {
		f[k] = vs
	}
	return v.submit("/tra-cuu", f)
}

func TestLookupPageShowsTheDossier(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	d := register(t, s)
	v := newVisitor(t, s)
	form := v.get("/tra-cuu/" + d.Code)
	wantPage(t, form, http.StatusOK, "lookup", "")
	if got := form.inputValue("code"); got != d.Code {
		t.Fatalf("the QR target fills the code: %q", got)
	}
	p := lookupPage(t, v, d.Code, url.Values{"pin": {d.Pin}})
	wantPage(t, p, http.StatusOK, "lookup-result", "")
	if p.idText("code") != d.Code || p.idText("status") != "Đã tiếp nhận" || p.idText("applicant") != "N***** V** A*" {
		t.Errorf("code %q status %q applicant %q", p.idText("code"), p.idText("status"), p.idText("applicant"))
	}
	if st, _ := attr(p.byID("status"), "data-status"); st != "received" {
		t.Errorf("data-status %q", st)
	}
	if p.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", p.Header.Get("Cache-Control"))
	}
	tm := find(p.byID("appointment-at"), func(n *html.Node) bool { return n.Data == "time" })
	if dt, _ := attr(tm, "datetime"); !strings.HasSuffix(dt, "+07:00") || len(text(tm)) != len("02/01/2006 15:04") {
		t.Errorf("appointment time %q %q", dt, text(tm))
	}
	stages := findAll(p.byID("stages"), func(n *html.Node) bool { return n.Data == "li" })
	if len(stages) != 1 {
		t.Fatalf("stages: %d", len(stages))
	}
	if a, _ := attr(stages[0], "data-action"); a != "receive" || !strings.HasPrefix(text(stages[0]), "Tiếp nhận hồ sơ") {
		t.Errorf("stage %q %q", a, text(stages[0]))
	}
	if strings.Contains(p.Body, d.Pin) && p.inputValue("pin") != d.Pin {
		t.Errorf("the PIN shows outside the rating form's hidden field")
	}
	// By ID number instead of the PIN.
	p = lookupPage(t, v, d.Code, url.Values{"id_number": {"001234567890"}})
	wantPage(t, p, http.StatusOK, "lookup-result", "")
	if strings.Contains(p.Body, "001234567890") {
		t.Error("the page shows the ID number")
	}
}

func TestLookupNotFoundIsOnePage(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	d := register(t, s)
	v := newVisitor(t, s)
	wrongPin := lookupPage(t, v, d.Code, url.Values{"pin": {"000000"}})
	unknown := lookupPage(t, v, "000.00.20.H99-261123-9999", url.Values{"pin": {d.Pin}})
	wrongID := lookupPage(t, v, d.Code, url.Values{"id_number": {"009999999999"}})
	for _, p := range []page{wrongPin, unknown, wrongID} {
		wantPage(t, p, http.StatusNotFound, "lookup-result", "not_found")
	}
	if maskTokens(wrongPin.Body) != maskTokens(unknown.Body) || maskTokens(wrongPin.Body) != maskTokens(wrongID.Body) {
		t.Errorf("a wrong PIN and an unknown code give different pages:\n%s\n---\n%s", excerpt(wrongPin.Body), excerpt(unknown.Body))
	}
	if strings.Contains(wrongPin.Body, d.Code) {
		t.Error("the 404 page names the code")
	}
	// The same for feedback and rating, whose paths name the code.
	fb := apptest.Want(t, s.Post("/api/v1/public/feedback", "", map[string]any{"category": "other", "title": "Hỏi",
		"content": "Nội dung"}), http.StatusCreated).JSON(t)["code"].(string)
	v.get("/phan-anh/" + fb)
	fbWrong := v.submit("/phan-anh/"+fb, url.Values{"pin": {"000000"}})
	v.get("/phan-anh/PAKN-261123-9999")
	fbUnknown := v.submit("/phan-anh/PAKN-261123-9999", url.Values{"pin": {"123456"}})
	wantPage(t, fbWrong, http.StatusNotFound, "feedback-status", "not_found")
	if fbWrong.Body != fbUnknown.Body {
		t.Error("feedback: a wrong PIN and an unknown code give different pages")
	}
	v.get("/danh-gia/" + d.Code)
	rWrong := v.submit("/danh-gia/"+d.Code, url.Values{"pin": {"000000"}, "score": {"5"}})
	v.get("/danh-gia/" + d.Code)
	rUnknown := v.submit("/danh-gia/000.00.20.H99-261123-9999", url.Values{"pin": {d.Pin}, "score": {"5"}})
	wantPage(t, rWrong, http.StatusNotFound, "rating-done", "not_found")
	if rWrong.Body != rUnknown.Body {
		t.Error("rating: a wrong PIN and an unknown code give different pages")
	}
}

func TestLookupRefusals(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	d := register(t, s)
	v := newVisitor(t, s)
	for _, c := range []struct {
		name  string
		form  url.Values
		field string
	}{
		{"no code", url.Values{"pin": {d.Pin}}, "code"},
		{"neither", url.Values{"code": {d.Code}}, "pin"},
		{"both", url.Values{"code": {d.Code}, "pin": {d.Pin}, "id_number": {"001234567890"}}, "id_number"},
		{"short pin", url.Values{"code": {d.Code}, "pin": {"12"}}, "pin"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v.get("/tra-cuu")
			p := v.submit("/tra-cuu", c.form)
			wantPage(t, p, http.StatusUnprocessableEntity, "lookup-result", "validation_failed")
			in := p.byID(c.field)
			if inv, _ := attr(in, "aria-invalid"); inv != "true" {
				t.Fatalf("#%s is not marked: %s", c.field, excerpt(p.Body))
			}
			desc, _ := attr(in, "aria-describedby")
			if desc == "" || p.byID(desc) == nil {
				t.Errorf("#%s's message is not linked (%q)", c.field, desc)
			}
			alert := find(p.doc, hasAttr("role", "alert"))
			if alert == nil || find(alert, hasAttr("href", "#"+c.field)) == nil {
				t.Errorf("the summary does not link #%s", c.field)
			}
			if strings.Contains(p.Body, d.Pin) || strings.Contains(p.Body, "001234567890") {
				t.Error("a refused form shows the credential")
			}
			if c.form.Get("code") != "" && p.inputValue("code") != c.form.Get("code") {
				t.Errorf("the code is not kept: %q", p.inputValue("code"))
			}
		})
	}
}

// feedbackCount is how many feedback items the admin sees.
func feedbackCount(t *testing.T, s *apptest.Server) float64 {
	t.Helper()
	return apptest.Want(t, s.Get("/api/v1/feedback?page_size=1", s.Token("admin")), http.StatusOK).JSON(t)["total"].(float64)
}

func TestFormsRefuseForgedPosts(t *testing.T) {
	s := apptest.New(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_URL": "https://motcua.example.vn"}})
	good := url.Values{"category": {"procedure"}, "title": {"Chậm trả kết quả"}, "content": {"Hồ sơ trễ hẹn"}}
	before := feedbackCount(t, s)
	v := newVisitor(t, s)
	form := v.get("/phan-anh")
	if !strings.HasPrefix(v.cookie, "__Host-motcua_csrf=") {
		t.Fatalf("with https the cookie is __Host-: %q", v.cookie)
	}
	sc := form.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Strict", "Secure", "Path=/", "Max-Age=86400"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie lacks %s: %s", want, sc)
		}
	}
	if form.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Errorf("HSTS %q", form.Header.Get("Strict-Transport-Security"))
	}
	tok := v.csrf
	parts := strings.Split(tok, ".")
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	post := func(cookie, field string, hdr map[string]string) page {
		f := url.Values{}
		for k, vs := range good {
			f[k] = vs
		}
		f.Set("csrf_token", field)
		f.Set("form_key", "0123456789abcdef0123456789abcdef")
		saved := v.cookie
		v.cookie = cookie
		defer func() { v.cookie = saved }()
		return v.do(http.MethodPost, "/phan-anh", f.Encode(), hdr)
	}
	cookie := v.cookie
	for _, c := range []struct {
		name          string
		cookie, field string
		hdr           map[string]string
	}{
		{"no cookie", "", tok, nil},
		{"no field", cookie, "", nil},
		{"forged mac", "__Host-motcua_csrf=" + forged, forged, nil},
		{"field differs", cookie, forged, nil},
		{"foreign origin", cookie, tok, map[string]string{"Origin": "https://evil.example"}},
		{"null origin", cookie, tok, map[string]string{"Origin": "null"}},
		{"foreign referer", cookie, tok, map[string]string{"Referer": "https://evil.example/phan-anh"}},
		{"http origin", cookie, tok, map[string]string{"Origin": "http://motcua.example.vn"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := post(c.cookie, c.field, c.hdr)
			wantPage(t, p, http.StatusForbidden, "feedback-sent", "csrf_failed")
			if !strings.Contains(p.Body, "Biểu mẫu đã hết hạn, vui lòng gửi lại") {
				t.Error("the page does not say the form expired")
			}
			if p.inputValue("title") != good.Get("title") || p.inputValue("csrf_token") == "" {
				t.Errorf("the form is not kept with a fresh token: title %q", p.inputValue("title"))
			}
		})
	}
	if after := feedbackCount(t, s); after != before {
		t.Fatalf("refused posts created feedback: %v → %v", before, after)
	}
	// The same post from the public origin is taken.
	p := post(cookie, tok, map[string]string{"Origin": "https://motcua.example.vn", "Referer": "https://motcua.example.vn/phan-anh"})
	wantPage(t, p, http.StatusCreated, "feedback-sent", "")
}

func TestFeedbackRoundTrip(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	v := newVisitor(t, s)
	form := v.get("/phan-anh")
	wantPage(t, form, http.StatusOK, "feedback", "")
	if find(form.doc, hasAttr("name", "agency_code")) == nil || len(findAll(form.byID("agency_code"), func(n *html.Node) bool { return n.Data == "option" })) < 2 {
		t.Fatal("the form offers no agencies")
	}
	// A refusal keeps what was typed and marks the field.
	bad := v.submit("/phan-anh", url.Values{"category": {"procedure"}, "title": {""}, "content": {"Nội dung"}, "name": {"Trần Thị Bình"}})
	wantPage(t, bad, http.StatusUnprocessableEntity, "feedback-sent", "validation_failed")
	if inv, _ := attr(bad.byID("title"), "aria-invalid"); inv != "true" || bad.inputValue("name") != "Trần Thị Bình" {
		t.Fatalf("title marked %q, name kept %q", inv, bad.inputValue("name"))
	}
	sent := url.Values{"category": {"conduct"}, "title": {"Cán bộ hướng dẫn chưa rõ"}, "content": {"Tôi phải đi lại hai lần."},
		"name": {"Trần Thị Bình"}, "phone": {"0987654321"}}
	p := v.submit("/phan-anh", sent)
	wantPage(t, p, http.StatusCreated, "feedback-sent", "")
	code, pin := p.idText("feedback-code"), p.idText("feedback-pin")
	if code == "" || len(pin) != 6 || p.byID("due-at") == nil || p.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("code %q pin %q: %s", code, pin, excerpt(p.Body))
	}
	// A second click with the same form replays the first answer.
	again := v.do(http.MethodPost, "/phan-anh", lastBody(v, sent), nil)
	if again.Status != http.StatusCreated || again.idText("feedback-code") != code {
		t.Fatalf("replay: %d %q", again.Status, again.idText("feedback-code"))
	}
	// Staff see it in the API, as an online item with the sender.
	item := apptest.Want(t, s.Get("/api/v1/feedback/"+code, s.Token("admin")), http.StatusOK).JSON(t)
	if item["channel"] != "online" || item["title"] != sent.Get("title") {
		t.Fatalf("staff see %v", item)
	}
	// The citizen follows it with the PIN.
	v.get("/phan-anh/" + code)
	st := v.submit("/phan-anh/"+code, url.Values{"pin": {pin}})
	wantPage(t, st, http.StatusOK, "feedback-status", "")
	if st.idText("status") != "Đã tiếp nhận" || st.idText("code") != code || st.byID("answer") != nil {
		t.Fatalf("status %q code %q: %s", st.idText("status"), st.idText("code"), excerpt(st.Body))
	}
}

// lastBody is the urlencoded body v.submit sent for form with the current
// tokens (to post the very same form twice).
func lastBody(v *visitor, form url.Values) string {
	f := url.Values{}
	for k, vs := range form {
		f[k] = vs
	}
	f.Set("csrf_token", v.csrf)
	f.Set("form_key", v.formKey)
	return f.Encode()
}

func TestRatingForm(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	d := register(t, s)
	v := newVisitor(t, s)
	wantPage(t, v.get("/danh-gia/"+d.Code), http.StatusOK, "rating", "")
	if fs := find(v.get("/danh-gia/"+d.Code).doc, func(n *html.Node) bool { return n.Data == "fieldset" }); fs == nil ||
		find(fs, func(n *html.Node) bool { return n.Data == "legend" }) == nil ||
		len(findAll(fs, hasAttr("type", "radio"))) != 5 {
		t.Fatal("the scores are not five radios in a fieldset with a legend")
	}
	early := v.submit("/danh-gia/"+d.Code, url.Values{"pin": {d.Pin}, "score": {"5"}})
	wantPage(t, early, http.StatusConflict, "rating-done", "invalid_transition")
	act(t, s, "officer", d.Code, map[string]any{"action": "start"})
	act(t, s, "leader", d.Code, map[string]any{"action": "resolve", "outcome": "approved"})
	act(t, s, "clerk", d.Code, map[string]any{"action": "return"})
	v.get("/danh-gia/" + d.Code)
	bad := v.submit("/danh-gia/"+d.Code, url.Values{"pin": {d.Pin}, "score": {"9"}, "comment": {"Tốt"}})
	wantPage(t, bad, http.StatusUnprocessableEntity, "rating-done", "validation_failed")
	if bad.idText("comment") != "Tốt" {
		t.Errorf("the comment is not kept: %q", bad.idText("comment"))
	}
	v.get("/danh-gia/" + d.Code)
	done := v.submit("/danh-gia/"+d.Code, url.Values{"pin": {d.Pin}, "score": {"2"}, "comment": {"Phải đi lại hai lần."}})
	wantPage(t, done, http.StatusCreated, "rating-done", "")
	fb := done.idText("feedback-code")
	if fb == "" {
		t.Fatal("a score of 2 names no feedback item")
	}
	apptest.Want(t, s.Get("/api/v1/feedback/"+fb, s.Token("admin")), http.StatusOK)
	v.get("/danh-gia/" + d.Code)
	twice := v.submit("/danh-gia/"+d.Code, url.Values{"pin": {d.Pin}, "score": {"4"}})
	wantPage(t, twice, http.StatusConflict, "rating-done", "conflict")
	// The item a rating opened is followed with the dossier's PIN.
	v.get("/phan-anh/" + fb)
	wantPage(t, v.submit("/phan-anh/"+fb, url.Values{"pin": {d.Pin}}), http.StatusOK, "feedback-status", "")
}

func TestFormBodies(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	v := newVisitor(t, s)
	v.get("/tra-cuu")
	for _, c := range []struct {
		name, ctype, body string
		status            int
		code              string
	}{
		{"json", "application/json", `{"code":"x"}`, http.StatusBadRequest, "invalid_request"},
		{"multipart", "multipart/form-data; boundary=x", "--x--", http.StatusBadRequest, "invalid_request"},
		{"duplicate field", "application/x-www-form-urlencoded", "code=a&code=b", http.StatusBadRequest, "invalid_request"},
		{"invalid utf-8", "application/x-www-form-urlencoded", "code=%ff%fe", http.StatusBadRequest, "invalid_request"},
		{"nul", "application/x-www-form-urlencoded", "code=a%00b", http.StatusBadRequest, "invalid_request"},
		{"bad escape", "application/x-www-form-urlencoded", "code=%zz", http.StatusBadRequest, "invalid_request"},
		{"too large", "application/x-www-form-urlencoded", "content=" + strings.Repeat("a", 64<<10), http.StatusRequestEntityTooLarge, "payload_too_large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range []string{"/tra-cuu", "/phan-anh", "/phan-anh/PAKN-261123-0001", "/danh-gia/X"} {
				p := v.do(http.MethodPost, path, c.body, map[string]string{"Content-Type": c.ctype})
				if p.Status != c.status || p.dataError() != c.code || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
					t.Errorf("%s: %d %q %s", path, p.Status, p.dataError(), p.Header.Get("Content-Type"))
				}
			}
		})
	}
}

func TestPagesAndAPIShareTheRateLimit(t *testing.T) {
	s := apptest.New(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_RATE_LIMIT": "3"}})
	d := register(t, s)
	v := newVisitor(t, s)
	v.get("/tra-cuu") // GET pages draw nothing
	v.get("/tra-cuu")
	api := func() apptest.Response {
		return s.Do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/public/dossiers/" + d.Code + "?pin=" + d.Pin, Remote: v.remote})
	}
	apptest.Want(t, api(), http.StatusOK)
	wantPage(t, v.submit("/tra-cuu", url.Values{"code": {d.Code}, "pin": {d.Pin}}), http.StatusOK, "lookup-result", "")
	apptest.Want(t, api(), http.StatusOK)
	p := v.submit("/tra-cuu", url.Values{"code": {d.Code}, "pin": {d.Pin}})
	wantPage(t, p, http.StatusTooManyRequests, "error", "rate_limited")
	if p.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	if r := api(); r.Status != http.StatusTooManyRequests {
		t.Errorf("the API still answers %d after the page spent the budget", r.Status)
	}
	// Another address has its own budget.
	other := newVisitor(t, s)
	other.remote = "203.0.113.9:5000"
	other.get("/tra-cuu")
	wantPage(t, other.submit("/tra-cuu", url.Values{"code": {d.Code}, "pin": {d.Pin}}), http.StatusOK, "lookup-result", "")
}

func TestUnknownPathsAndHeaders(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	v := newVisitor(t, s)
	p := v.get("/khong-co-trang-nay")
	wantPage(t, p, http.StatusNotFound, "not-found", "not_found")
	if r := s.Get("/api/v1/khong-co", ""); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("an unknown API path: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	home := v.get("/")
	wantPage(t, home, http.StatusOK, "home", "")
	var assets []string
	for _, n := range findAll(home.doc, func(n *html.Node) bool { return n.Data == "link" || n.Data == "script" || n.Data == "img" }) {
		for _, k := range []string{"href", "src"} {
			if u, ok := attr(n, k); ok {
				assets = append(assets, u)
			}
		}
	}
	if len(assets) == 0 {
		t.Fatal("the home page loads no asset")
	}
	total := len(home.Body)
	for _, u := range assets {
		if !strings.HasPrefix(u, "/static/") {
			t.Errorf("the page loads %s from elsewhere", u)
			continue
		}
		a := v.get(u)
		if a.Status != http.StatusOK || a.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d %q", u, a.Status, a.Header.Get("Cache-Control"))
		}
		wantSecurityHeaders(t, u, a.Header)
		total += len(a.Body)
	}
	if total > 150<<10 {
		t.Errorf("the home page with its assets is %d bytes", total)
	}
	for _, path := range []string{"/", "/tra-cuu", "/phan-anh", "/cong-khai", "/danh-gia/X", "/phan-anh/X", "/khong-co"} {
		p := v.get(path)
		wantSecurityHeaders(t, path, p.Header)
		wantAccessible(t, path, p)
	}
	if v.get("/static/css/site.0000000000.css").Status != http.StatusNotFound {
		t.Error("a stale hash is served")
	}
	api := s.Get("/api/v1/public/feedback?published=true", "")
	if api.Header.Get("X-Content-Type-Options") != "nosniff" || api.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("public API headers: %v", api.Header)
	}
}

func wantSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	for k, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
			"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options":     "nosniff",
		"X-Frame-Options":            "DENY",
		"Referrer-Policy":            "same-origin",
		"Permissions-Policy":         "camera=(), microphone=(), geolocation=(), payment=()",
		"Cross-Origin-Opener-Policy": "same-origin",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %s = %q", what, k, got)
		}
	}
}

// wantAccessible checks the structure every page keeps: the language, one
// h1, the landmarks and skip link, a label for every visible control, no
// inline script or style.
func wantAccessible(t *testing.T, what string, p page) {
	t.Helper()
	if h := find(p.doc, func(n *html.Node) bool { return n.Data == "html" }); h == nil {
		t.Fatalf("%s: no html", what)
	} else if lang, _ := attr(h, "lang"); lang != "vi" {
		t.Errorf("%s: lang %q", what, lang)
	}
	if n := len(findAll(p.doc, func(n *html.Node) bool { return n.Data == "h1" })); n != 1 {
		t.Errorf("%s: %d h1", what, n)
	}
	for _, tag := range []string{"header", "footer", "title"} {
		if find(p.doc, func(n *html.Node) bool { return n.Data == tag }) == nil {
			t.Errorf("%s: no <%s>", what, tag)
		}
	}
	if p.byID("main") == nil || find(p.doc, hasAttr("href", "#main")) == nil {
		t.Errorf("%s: no main landmark or skip link", what)
	}
	for _, n := range findAll(p.doc, func(n *html.Node) bool {
		ty, _ := attr(n, "type")
		return (n.Data == "input" && ty != "hidden") || n.Data == "select" || n.Data == "textarea"
	}) {
		id, _ := attr(n, "id")
		if id == "" || find(p.doc, func(l *html.Node) bool { f, _ := attr(l, "for"); return l.Data == "label" && f == id }) == nil {
			t.Errorf("%s: control %q has no label", what, id)
		}
	}
	for _, n := range findAll(p.doc, func(*html.Node) bool { return true }) {
		if n.Data == "script" {
			if src, _ := attr(n, "src"); src == "" {
				t.Errorf("%s: an inline script", what)
			}
		}
		if n.Data == "style" {
			t.Errorf("%s: a style element", what)
		}
		for _, a := range n.Attr {
			if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("%s: attribute %s on <%s>", what, a.Key, n.Data)
			}
		}
	}
}
