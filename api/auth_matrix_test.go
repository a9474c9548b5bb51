package api_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/motcua/motcua/api"
	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/web"
)

// The auth matrix: every route the router registers, asked by every role,
// about a fixture of the callers' own side (the provincial centre and the Sở
// Tư pháp) and of another unit (the commune Bản Bo), and with every kind of
// bad token. The answers are compared with matrixRows, the one table of who
// may do what. A route registered without a row fails the test.

// The callers, in the order of a row's columns. admin and viewer see the whole
// province; the others sit at the centre (clerk) or the Sở Tư pháp.
var matrixCallers = []string{"admin", "admin.unit", "clerk", "officer", "leader", "viewer"}

// side is whose fixture a request names.
type side int

const (
	own   side = iota // the centre's dossier and feedback, the Sở Tư pháp's agency, procedure and staff
	other             // the commune Bản Bo's
)

func (s side) String() string { return [...]string{"own", "other"}[s] }

// cols is a row's expected statuses: per caller (matrixCallers order), for
// the own and the other side.
type cols [6][2]int

// same is a status for both sides.
func same(status int) [2]int { return [2]int{status, status} }

// everyone answers status to every caller on both sides.
func everyone(status int) cols {
	var c cols
	for i := range c {
		c[i] = same(status)
	}
	return c
}

// matrixFixtures are the real values path parameters and bodies are filled with.
type matrixFixtures struct {
	dossier, feedback, user, agency, agencyName, procedure, procedureName, unit, webhook [2]string
	seq                                                                                  int
}

// next is a fresh number for the codes and names a create needs.
func (f *matrixFixtures) next() int { f.seq++; return f.seq }

// fill replaces {dossier}, {feedback}, {user}, {agency}, {procedure} and {unit}
// in a path with the fixture of side s.
func (f *matrixFixtures) fill(path string, s side) string {
	return strings.NewReplacer("{dossier}", f.dossier[s], "{feedback}", f.feedback[s], "{user}", f.user[s],
		"{agency}", f.agency[s], "{procedure}", f.procedure[s], "{unit}", f.unit[s], "{webhook}", f.webhook[s]).Replace(path)
}

type matrixRow struct {
	method, pattern string
	// path is the request's path, with fixture placeholders (fill); the
	// pattern itself when empty.
	path string
	body func(f *matrixFixtures, s side) any
	// header is sent as well (a Content-Type other than JSON).
	header map[string]string
	// public routes answer the same to anyone, with or without a token:
	// public is that status, and want is unused.
	public int
	want   cols
	// revokes: the answer revokes the caller's tokens (they log in again).
	revokes bool
	// bodyDecides: whether the caller may depends on what the body asks (an
	// action, a unit), so the body is read first; elsewhere a caller who may
	// not is refused with 403 before a malformed body is looked at.
	bodyDecides bool
}

// matrixPassword is the password callers hold between the two sides of
// POST /api/v1/auth/password.
const matrixPassword = "matrix-password-0"

var ndjson = map[string]string{"Content-Type": "application/x-ndjson"}

var open311Form = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}

// matrixPDF is a file an upload sends: the smallest content taken as a PDF.
const matrixPDF = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

// matrixRows is the table. Columns of want, in matrixCallers order:
//
//	admin, admin.unit, clerk, officer, leader, viewer — each {own side, other side}
//
// 403: the role may never do it; 404: the thing lies outside the caller's
// scope (it is not shown to exist); 409: the role may, but not in the
// fixture's state (authorisation is decided first).
var matrixRows = []matrixRow{
	{method: "GET", pattern: "/healthz", public: 200},
	{method: "HEAD", pattern: "/healthz", public: 200},
	{method: "GET", pattern: "/readyz", public: 200},
	{method: "HEAD", pattern: "/readyz", public: 200},
	{method: "GET", pattern: "/metrics", public: 200},
	{method: "GET", pattern: "/openapi.yaml", public: 200},
	{method: "POST", pattern: "/api/v1/auth/login", public: 200,
		body: func(*matrixFixtures, side) any {
			return map[string]string{"username": "viewer", "password": demo.Password}
		}},
	// Open311 (/open311/v2/): no login; a token changes nothing.
	{method: "GET", pattern: "/open311/v2/discovery.json", public: 200},
	{method: "GET", pattern: "/open311/v2/discovery.xml", public: 200},
	{method: "GET", pattern: "/open311/v2/services.json", public: 200},
	{method: "GET", pattern: "/open311/v2/services.xml", public: 200},
	{method: "GET", pattern: "/open311/v2/services/:file", path: "/open311/v2/services/conduct.xml", public: 200},
	{method: "GET", pattern: "/open311/v2/requests.json", public: 200},
	{method: "GET", pattern: "/open311/v2/requests.xml", public: 200},
	{method: "GET", pattern: "/open311/v2/requests/:file", path: "/open311/v2/requests/{feedback}.json", public: 404},
	{method: "POST", pattern: "/open311/v2/requests.json", public: 201, header: open311Form,
		body: func(*matrixFixtures, side) any { return "service_code=other&description=Ma+tr%E1%BA%ADn" }},
	{method: "POST", pattern: "/open311/v2/requests.xml", public: 201, header: open311Form,
		body: func(*matrixFixtures, side) any { return "service_code=other&description=Ma+tr%E1%BA%ADn" }},
	{method: "GET", pattern: "/api/v1/public/dossiers/:code", path: "/api/v1/public/dossiers/{dossier}?pin=000000", public: 404},
	// Wrong pins count towards a code's lockout: the results rows name codes
	// of their own, so the rows above and below keep their 404.
	{method: "GET", pattern: "/api/v1/public/dossiers/:code/results", path: "/api/v1/public/dossiers/000.00.00.H99-000000-0091/results?pin=000000", public: 404},
	{method: "GET", pattern: "/api/v1/public/dossiers/:code/results/:id/content", path: "/api/v1/public/dossiers/000.00.00.H99-000000-0092/results/1/content?pin=000000", public: 404},
	{method: "POST", pattern: "/api/v1/public/dossiers/:code/rating", path: "/api/v1/public/dossiers/{dossier}/rating?pin=000000", public: 404,
		body: func(*matrixFixtures, side) any { return map[string]any{"score": 5} }},
	{method: "POST", pattern: "/api/v1/public/feedback", public: 201,
		body: func(*matrixFixtures, side) any {
			return map[string]any{"category": "other", "title": "Góp ý", "content": "Nội dung góp ý."}
		}},
	{method: "GET", pattern: "/api/v1/public/feedback", public: 200},
	{method: "GET", pattern: "/api/v1/public/feedback/:code", path: "/api/v1/public/feedback/{feedback}?pin=000000", public: 404},
	{method: "GET", pattern: "/api/v1/public/stats", path: "/api/v1/public/stats?month=2026-10", public: 200},

	{method: "GET", pattern: "/api/v1/auth/me", want: everyone(200)},
	{method: "POST", pattern: "/api/v1/auth/logout", want: everyone(204), revokes: true},
	// The own side changes the password, the other side changes it back.
	{method: "POST", pattern: "/api/v1/auth/password", want: everyone(204), revokes: true,
		body: func(_ *matrixFixtures, s side) any {
			pw := [2]string{demo.Password, matrixPassword}
			return map[string]string{"current_password": pw[s], "new_password": pw[1-s]}
		}},

	{method: "GET", pattern: "/api/v1/audit", want: cols{same(200), same(403), same(403), same(403), same(403), same(403)}},
	{method: "GET", pattern: "/api/v1/users", path: "/api/v1/users?unit={agency}", want: cols{{200, 200}, {200, 403}, same(403), same(403), same(403), same(403)}},
	{method: "POST", pattern: "/api/v1/users", bodyDecides: true, want: cols{{201, 201}, {201, 403}, same(403), same(403), same(403), same(403)},
		body: func(f *matrixFixtures, s side) any {
			return map[string]any{"username": fmt.Sprintf("matrix.%d", f.next()), "name": "Người thử", "role": "officer",
				"unit": f.agency[s], "password": "matrix-password-1"}
		}},
	{method: "GET", pattern: "/api/v1/users/:username", path: "/api/v1/users/{user}", want: cols{{200, 200}, {200, 404}, same(403), same(403), same(403), same(403)}},
	{method: "PATCH", pattern: "/api/v1/users/:username", path: "/api/v1/users/{user}", want: cols{{200, 200}, {200, 404}, same(403), same(403), same(403), same(403)},
		body: func(*matrixFixtures, side) any { return map[string]any{"name": "Người đích"} }},

	// A unit's admin manages the webhooks of its unit and below only.
	{method: "POST", pattern: "/api/v1/webhooks", bodyDecides: true, want: cols{{201, 201}, {201, 422}, same(403), same(403), same(403), same(403)},
		body: func(f *matrixFixtures, s side) any {
			return map[string]any{"url": "https://lienthong.example.vn/hook", "events": []string{"*"}, "unit_code": f.agency[s]}
		}},
	{method: "GET", pattern: "/api/v1/webhooks", want: cols{same(200), same(200), same(403), same(403), same(403), same(403)}},
	{method: "GET", pattern: "/api/v1/webhooks/:id", path: "/api/v1/webhooks/{webhook}", want: cols{same(200), {200, 404}, same(403), same(403), same(403), same(403)}},
	{method: "GET", pattern: "/api/v1/webhooks/:id/deliveries", path: "/api/v1/webhooks/{webhook}/deliveries", want: cols{same(200), {200, 404}, same(403), same(403), same(403), same(403)}},
	{method: "POST", pattern: "/api/v1/webhooks/:id/deliveries/:delivery_id/retry", path: "/api/v1/webhooks/{webhook}/deliveries/whd_none/retry", want: cols{same(404), same(404), same(403), same(403), same(403), same(403)}},
	// An unknown id: a successful delete would take the fixture from the rows after it.
	{method: "DELETE", pattern: "/api/v1/webhooks/:id", path: "/api/v1/webhooks/wh_none", want: cols{same(404), same(404), same(403), same(403), same(403), same(403)}},

	{method: "GET", pattern: "/api/v1/agencies", want: everyone(200)},
	{method: "POST", pattern: "/api/v1/agencies", want: cols{same(201), same(201), same(403), same(403), same(403), same(403)},
		body: func(f *matrixFixtures, s side) any {
			return map[string]any{"code": fmt.Sprintf("MX.%d", f.next()), "name": "Đơn vị thử", "kind": "department", "parent_code": demo.Province}
		}},
	{method: "GET", pattern: "/api/v1/agencies/:code", path: "/api/v1/agencies/{agency}", want: everyone(200)},
	{method: "PATCH", pattern: "/api/v1/agencies/:code", path: "/api/v1/agencies/{agency}", want: cols{same(200), same(200), same(403), same(403), same(403), same(403)},
		body: func(f *matrixFixtures, s side) any { return map[string]any{"name": f.agencyName[s]} }},
	{method: "GET", pattern: "/api/v1/procedures", want: everyone(200)},
	{method: "POST", pattern: "/api/v1/procedures", want: cols{same(201), same(201), same(403), same(403), same(403), same(403)},
		body: func(f *matrixFixtures, s side) any {
			p := newProcedure(fmt.Sprintf("9.9%05d", f.next()))
			p["agency_code"] = f.agency[s]
			return p
		}},
	{method: "GET", pattern: "/api/v1/procedures/:code", path: "/api/v1/procedures/{procedure}", want: everyone(200)},
	{method: "PATCH", pattern: "/api/v1/procedures/:code", path: "/api/v1/procedures/{procedure}", want: cols{same(200), same(200), same(403), same(403), same(403), same(403)},
		body: func(f *matrixFixtures, s side) any { return map[string]any{"name": f.procedureName[s]} }},
	{method: "POST", pattern: "/api/v1/procedures/:code/publications", path: "/api/v1/procedures/{procedure}/publications", want: cols{same(201), same(201), same(403), same(403), same(403), same(403)},
		body: func(f *matrixFixtures, s side) any {
			return map[string]any{"kind": "amended", "decision": fmt.Sprintf("%d/QĐ-UBND", f.next()), "decided_on": "2026-11-20"}
		}},
	{method: "GET", pattern: "/api/v1/calendar/:year", path: "/api/v1/calendar/2026", want: everyone(200)},
	{method: "PUT", pattern: "/api/v1/calendar/:year", path: "/api/v1/calendar/2031", want: cols{same(200), same(200), same(403), same(403), same(403), same(403)},
		body: func(*matrixFixtures, side) any { return map[string]any{"holidays": []string{"2031-01-01"}} }},

	{method: "POST", pattern: "/api/v1/dossiers", want: cols{same(403), same(403), same(201), same(403), same(403), same(403)},
		body: func(f *matrixFixtures, s side) any { return dossierBody(f.procedure[s], "direct") }},
	{method: "GET", pattern: "/api/v1/dossiers", want: everyone(200)},
	{method: "GET", pattern: "/api/v1/dossiers/:code", path: "/api/v1/dossiers/{dossier}", want: cols{{200, 200}, {200, 404}, {200, 404}, {200, 404}, {200, 404}, {200, 200}}},
	{method: "POST", pattern: "/api/v1/dossiers/:code/actions", path: "/api/v1/dossiers/{dossier}/actions", bodyDecides: true, want: cols{{403, 403}, {403, 404}, {409, 404}, {403, 404}, {403, 404}, {403, 403}},
		body: func(*matrixFixtures, side) any { return map[string]any{"action": "return"} }},
	{method: "GET", pattern: "/api/v1/dossiers/:code/papers/receipt.pdf", path: "/api/v1/dossiers/{dossier}/papers/receipt.pdf", want: cols{{200, 200}, {200, 404}, {200, 404}, {200, 404}, {200, 404}, {403, 403}}},
	{method: "GET", pattern: "/api/v1/dossiers/:code/papers/supplement-request.pdf", path: "/api/v1/dossiers/{dossier}/papers/supplement-request.pdf", want: cols{{409, 409}, {409, 404}, {409, 404}, {409, 404}, {409, 404}, {403, 403}}},
	{method: "GET", pattern: "/api/v1/dossiers/:code/papers/refusal.pdf", path: "/api/v1/dossiers/{dossier}/papers/refusal.pdf", want: cols{{409, 409}, {409, 404}, {409, 404}, {403, 403}, {409, 404}, {403, 403}}},
	{method: "GET", pattern: "/api/v1/dossiers/:code/papers/apology.pdf", path: "/api/v1/dossiers/{dossier}/papers/apology.pdf", want: cols{{409, 409}, {409, 404}, {409, 404}, {403, 403}, {409, 404}, {403, 403}}},
	{method: "GET", pattern: "/api/v1/dossiers/:code/papers/control-slip.pdf", path: "/api/v1/dossiers/{dossier}/papers/control-slip.pdf", want: cols{{200, 200}, {200, 404}, {200, 404}, {200, 404}, {200, 404}, {200, 200}}},
	{method: "POST", pattern: "/api/v1/dossiers/:code/files", path: "/api/v1/dossiers/{dossier}/files?name=to-khai.pdf",
		body: func(*matrixFixtures, side) any { return matrixPDF },
		want: cols{{403, 403}, {403, 403}, {201, 404}, {201, 404}, {201, 404}, {403, 403}}},
	{method: "GET", pattern: "/api/v1/dossiers/:code/payments", path: "/api/v1/dossiers/{dossier}/payments", want: cols{{200, 200}, {200, 404}, {200, 404}, {200, 404}, {200, 404}, {200, 200}}},
	{method: "GET", pattern: "/api/v1/dossiers/:code/events", path: "/api/v1/dossiers/{dossier}/events", want: cols{{200, 200}, {200, 404}, {200, 404}, {200, 404}, {200, 404}, {200, 200}}},
	{method: "POST", pattern: "/api/v1/dossiers/:code/payments", path: "/api/v1/dossiers/{dossier}/payments",
		body: func(*matrixFixtures, side) any { return map[string]any{"amount": 10000} },
		want: cols{{403, 403}, {403, 403}, {201, 404}, {403, 403}, {403, 403}, {403, 403}}},
	{method: "GET", pattern: "/api/v1/dossiers/:code/files", path: "/api/v1/dossiers/{dossier}/files", want: cols{{200, 200}, {200, 404}, {200, 404}, {200, 404}, {200, 404}, {200, 200}}},
	// No file has this id: in scope or not, a file that is not there is 404 to
	// every role that reads, and an upload of a new version is refused
	// first to the roles that never upload.
	{method: "GET", pattern: "/api/v1/dossiers/:code/files/:id", path: "/api/v1/dossiers/{dossier}/files/999999", want: everyone(404)},
	{method: "POST", pattern: "/api/v1/dossiers/:code/files/:id/versions", path: "/api/v1/dossiers/{dossier}/files/999999/versions?name=a.pdf",
		body: func(*matrixFixtures, side) any { return matrixPDF },
		want: cols{{403, 403}, {403, 403}, {404, 404}, {404, 404}, {404, 404}, {403, 403}}},
	{method: "GET", pattern: "/api/v1/dossiers/:code/files/:id/content", path: "/api/v1/dossiers/{dossier}/files/999999/content", want: everyone(404)},
	{method: "HEAD", pattern: "/api/v1/dossiers/:code/files/:id/content", path: "/api/v1/dossiers/{dossier}/files/999999/content", want: everyone(404)},
	{method: "GET", pattern: "/api/v1/dossiers/:code/files/:id/versions/:n/content", path: "/api/v1/dossiers/{dossier}/files/999999/versions/1/content", want: everyone(404)},
	{method: "HEAD", pattern: "/api/v1/dossiers/:code/files/:id/versions/:n/content", path: "/api/v1/dossiers/{dossier}/files/999999/versions/1/content", want: everyone(404)},
	{method: "GET", pattern: "/api/v1/dossiers/:code/dvcqg", path: "/api/v1/dossiers/{dossier}/dvcqg", want: cols{{200, 200}, {200, 404}, same(403), same(403), same(403), {200, 200}}},
	{method: "GET", pattern: "/api/v1/integrations/dvcqg/dossiers", path: "/api/v1/integrations/dvcqg/dossiers?unit_code={agency}", want: cols{{200, 200}, {200, 403}, same(403), same(403), same(403), {200, 200}}},
	// The push is off here: the re-queue answers integration_disabled before it looks the dossier up.
	{method: "POST", pattern: "/api/v1/integrations/dvcqg/dossiers/:code/sync", path: "/api/v1/integrations/dvcqg/dossiers/{dossier}/sync", want: cols{same(409), same(409), same(403), same(403), same(403), same(403)}},
	{method: "GET", pattern: "/api/v1/integrations/dvcqg/export", path: "/api/v1/integrations/dvcqg/export?from=2026-11-01&to=2026-11-30&unit_code={agency}", want: cols{{200, 200}, {200, 403}, same(403), same(403), same(403), {200, 200}}},
	{method: "GET", pattern: "/api/v1/papers/tracking-book", path: "/api/v1/papers/tracking-book?month=2026-11&unit_code={unit}", want: cols{{200, 200}, {404, 404}, {200, 404}, {403, 403}, {404, 404}, {200, 200}}},

	{method: "POST", pattern: "/api/v1/feedback", want: cols{same(201), same(201), same(201), same(403), same(403), same(403)},
		body: func(*matrixFixtures, side) any { return hotlineFeedback(nil) }},
	{method: "GET", pattern: "/api/v1/feedback", want: everyone(200)},
	{method: "GET", pattern: "/api/v1/feedback/:code", path: "/api/v1/feedback/{feedback}", want: cols{{200, 200}, {200, 404}, {200, 404}, {200, 404}, {200, 404}, {200, 200}}},
	{method: "GET", pattern: "/api/v1/feedback/:code/events", path: "/api/v1/feedback/{feedback}/events", want: cols{{200, 200}, {200, 404}, {200, 404}, {200, 404}, {200, 404}, {200, 200}}},
	{method: "GET", pattern: "/api/v1/feedback/:code/public-preview", path: "/api/v1/feedback/{feedback}/public-preview", want: cols{{409, 409}, {409, 404}, {403, 404}, {403, 404}, {409, 404}, {403, 403}}},
	{method: "POST", pattern: "/api/v1/feedback/:code/actions", path: "/api/v1/feedback/{feedback}/actions", bodyDecides: true, want: cols{{409, 409}, {409, 404}, {403, 404}, {403, 404}, {409, 404}, {403, 403}},
		body: func(*matrixFixtures, side) any { return map[string]any{"action": "publish"} }},

	{method: "GET", pattern: "/api/v1/stats/dossiers", path: "/api/v1/stats/dossiers?month=2026-11&unit_code={agency}", want: cols{{200, 200}, {200, 403}, same(403), same(403), {200, 403}, {200, 200}}},
	{method: "GET", pattern: "/api/v1/stats/online", path: "/api/v1/stats/online?month=2026-11&unit_code={agency}", want: cols{{200, 200}, {200, 403}, same(403), same(403), {200, 403}, {200, 200}}},
	{method: "GET", pattern: "/api/v1/stats/dvcqg", path: "/api/v1/stats/dvcqg?month=2026-11&unit_code={agency}", want: cols{{200, 200}, {200, 403}, same(403), same(403), {200, 403}, {200, 200}}},
	{method: "GET", pattern: "/api/v1/stats/digitisation", path: "/api/v1/stats/digitisation?month=2026-11&unit_code={agency}", want: cols{{200, 200}, {200, 403}, same(403), same(403), {200, 403}, {200, 200}}},
	{method: "GET", pattern: "/api/v1/stats/feedback", path: "/api/v1/stats/feedback?month=2026-11&unit_code={agency}", want: cols{{200, 200}, {200, 403}, same(403), same(403), {200, 403}, {200, 200}}},
	{method: "GET", pattern: "/api/v1/stats/procedures", path: "/api/v1/stats/procedures?month=2026-11&unit_code={agency}", want: cols{{200, 200}, {200, 403}, same(403), same(403), {200, 403}, {200, 200}}},
	{method: "GET", pattern: "/api/v1/stats/satisfaction", path: "/api/v1/stats/satisfaction?month=2026-11&unit_code={agency}", want: cols{{200, 200}, {200, 403}, same(403), same(403), {200, 403}, {200, 200}}},
	{method: "GET", pattern: "/api/v1/stats/service-index", path: "/api/v1/stats/service-index?month=2026-11&unit_code={agency}", want: cols{{200, 200}, {200, 403}, same(403), same(403), {200, 403}, {200, 200}}},

	{method: "POST", pattern: "/api/v1/imports/:kind", path: "/api/v1/imports/feedback", header: ndjson, want: cols{same(200), same(200), same(403), same(403), same(403), same(403)},
		body: func(*matrixFixtures, side) any { return "" }},
}

func TestAuthMatrix(t *testing.T) {
	e := start(t, apptest.Options{})
	s := e.s

	// Every registered route has a row, and every row a registered route.
	registered := api.Routes(s.App.Handler)
	if len(registered) == 0 {
		t.Fatal("api.Routes lists no route of the application's handler")
	}
	rows := map[string]bool{}
	for _, r := range matrixRows {
		k := r.method + " " + r.pattern
		if rows[k] {
			t.Errorf("two rows for %s", k)
		}
		rows[k] = true
	}
	seen := map[string]bool{}
	for _, r := range registered {
		if web.IsPagePath(r.Path) {
			continue // the pages need no login; package web tests them
		}
		k := r.Method + " " + r.Path
		seen[k] = true
		if !rows[k] {
			t.Errorf("route %s is registered but has no row in the auth matrix (matrixRows)", k)
		}
	}
	for k := range rows {
		if !seen[k] {
			t.Errorf("the auth matrix has a row for %s, which the router does not register", k)
		}
	}

	f := newMatrixFixtures(t, e)
	toks := map[string]string{}
	login := func(t *testing.T, who, password string) string {
		t.Helper()
		r := s.DoFor(t, apptest.Request{Method: "POST", Path: "/api/v1/auth/login",
			Body: map[string]string{"username": who, "password": password}})
		if r.Status != http.StatusOK {
			t.Fatalf("login %s: %d %s", who, r.Status, r.Body)
		}
		return r.JSON(t)["access_token"].(string)
	}
	for _, who := range matrixCallers {
		toks[who] = login(t, who, demo.Password)
	}
	bad := badTokens(t, e, f)

	request := func(row matrixRow, sd side) apptest.Request {
		path := row.path
		if path == "" {
			path = row.pattern
		}
		r := apptest.Request{Method: row.method, Path: f.fill(path, sd), Header: map[string]string{}}
		for k, v := range row.header {
			r.Header[k] = v
		}
		if row.body != nil {
			r.Body = row.body(f, sd)
		}
		return r
	}

	var got []string // the observed table, printed on failure
	for _, row := range matrixRows {
		t.Run(row.method+" "+row.pattern, func(t *testing.T) {
			if row.public != 0 {
				for _, tok := range []string{"", bad[1].tok, toks["clerk"]} {
					r := request(row, own)
					r.Token = tok
					if resp := s.DoFor(t, r); resp.Status != row.public {
						t.Errorf("public %s %s (token %.10q): %d, want %d: %.200s", row.method, r.Path, tok, resp.Status, row.public, resp.Body)
					}
				}
				return
			}
			var c cols
			for i, who := range matrixCallers {
				for _, sd := range []side{own, other} {
					r := request(row, sd)
					r.Token = toks[who]
					resp := s.DoFor(t, r)
					c[i][sd] = resp.Status
					// A caller who may not do it is told so before the body
					// is looked at.
					if resp.Status == http.StatusForbidden && row.body != nil && !row.bodyDecides {
						r.Body = `{"malformed":`
						if resp := s.DoFor(t, r); resp.Status != http.StatusForbidden {
							t.Errorf("%s %s as %s (%s side) with a malformed body: %d, want 403 as with a valid one: %.200s", row.method, r.Path, who, sd, resp.Status, resp.Body)
						}
					}
					if want := row.want[i][sd]; resp.Status != want {
						t.Errorf("%s %s as %s (%s side): %d, want %d: %.200s", row.method, r.Path, who, sd, resp.Status, want, resp.Body)
					}
					if row.revokes {
						pw := demo.Password
						if row.pattern == "/api/v1/auth/password" && sd == own {
							pw = matrixPassword
						}
						toks[who] = login(t, who, pw)
					}
				}
			}
			got = append(got, fmt.Sprintf("%s %s %v", row.method, row.pattern, c))
			for _, b := range bad {
				r := request(row, own)
				if b.tok != "" {
					r.Header["Authorization"] = "Bearer " + b.tok
				}
				if resp := s.DoFor(t, r); resp.Status != http.StatusUnauthorized || resp.ErrorCode() != "unauthenticated" {
					t.Errorf("%s %s with a %s token: %d, want 401 unauthenticated: %.200s", row.method, r.Path, b.name, resp.Status, resp.Body)
				}
			}
		})
	}
	if t.Failed() {
		sort.Strings(got)
		t.Logf("observed:\n%s", strings.Join(got, "\n"))
	}
}

// newMatrixFixtures creates what the matrix names: a dossier and a feedback item
// of each side, the unit admin, the users a request is about, and reads the
// names patches write back unchanged.
func newMatrixFixtures(t *testing.T, e *env) *matrixFixtures {
	t.Helper()
	admin := freshToken(e, "admin")
	for _, u := range []map[string]any{
		{"username": "admin.unit", "name": "Quản trị Sở Tư pháp", "role": "admin", "unit": demo.Justice},
		{"username": "target.own", "name": "Người đích", "role": "officer", "unit": demo.Justice},
		{"username": "target.other", "name": "Người đích", "role": "clerk", "unit": demo.CommuneA},
		{"username": "gone.user", "name": "Người đã nghỉ", "role": "clerk", "unit": demo.Center},
		{"username": "revoked.user", "name": "Người đăng xuất", "role": "clerk", "unit": demo.Center},
		{"username": "repass.user", "name": "Người đổi mật khẩu", "role": "clerk", "unit": demo.Center},
	} {
		u["password"] = demo.Password
		apptest.Want(t, e.post("/api/v1/users", admin, u), http.StatusCreated)
	}
	f := &matrixFixtures{
		user:      [2]string{"target.own", "target.other"},
		agency:    [2]string{demo.Justice, demo.CommuneA},
		procedure: [2]string{"2.000488", "1.001612"},
		unit:      [2]string{demo.Center, demo.CommuneA},
	}
	for sd, clerk := range []string{"clerk", "clerk.commune"} {
		f.webhook[sd] = obj(t, apptest.Want(t, e.post("/api/v1/webhooks", admin, map[string]any{
			"url": "https://lienthong.example.vn/hook", "events": []string{"dossier.*"}, "unit_code": f.agency[sd]}),
			http.StatusCreated))["id"].(string)
		tok := freshToken(e, clerk)
		f.dossier[sd] = obj(t, apptest.Want(t, e.post("/api/v1/dossiers", tok, dossierBody(f.procedure[sd], "direct")), http.StatusCreated))["code"].(string)
		f.feedback[sd] = obj(t, apptest.Want(t, e.post("/api/v1/feedback", tok, hotlineFeedback(nil)), http.StatusCreated))["code"].(string)
		// Handed to the side's agency, so that its staff have it in scope.
		apptest.Want(t, e.post("/api/v1/feedback/"+f.feedback[sd]+"/actions", tok,
			map[string]any{"action": "assign", "agency_code": f.agency[sd]}), http.StatusOK)
		f.agencyName[sd] = obj(t, apptest.Want(t, e.get("/api/v1/agencies/"+f.agency[sd], admin), http.StatusOK))["name"].(string)
		f.procedureName[sd] = obj(t, apptest.Want(t, e.get("/api/v1/procedures/"+f.procedure[sd], admin), http.StatusOK))["name"].(string)
	}
	return f
}

type badToken struct{ name, tok string }

// badTokens are tokens no route may accept: forged, unsigned, expired, of a
// disabled user, revoked by a logout and by a password change.
func badTokens(t *testing.T, e *env, f *matrixFixtures) []badToken {
	t.Helper()
	cfg := e.s.App.Config
	now := e.s.Clock.Now()
	claims := func(iat, exp time.Time) jwt.MapClaims {
		return jwt.MapClaims{"sub": "admin", "role": "admin", "unit": "", "ver": 0, "iss": cfg.JWTIssuer,
			"aud": []string{cfg.JWTAudience}, "iat": iat.Unix(), "exp": exp.Unix()}
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := sign(jwt.SigningMethodHS256, []byte(cfg.JWTSecret), claims(now, now.Add(time.Hour)))
	// The control: crafted like the server's own, the token is accepted, so
	// each refusal is for the one thing its variant changes.
	apptest.Want(t, e.get("/api/v1/users", good), http.StatusOK)

	admin := freshToken(e, "admin")
	disabled := freshToken(e, "gone.user")
	apptest.Want(t, e.patch("/api/v1/users/gone.user", admin, map[string]any{"disabled": true}), http.StatusOK)
	revoked := freshToken(e, "revoked.user")
	apptest.Want(t, e.post("/api/v1/auth/logout", revoked, nil), http.StatusNoContent)
	repass := freshToken(e, "repass.user")
	apptest.Want(t, e.post("/api/v1/auth/password", repass,
		map[string]string{"current_password": demo.Password, "new_password": "matrix-password-2"}), http.StatusNoContent)
	return []badToken{
		{"missing", ""},
		{"forged", sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-0123456"), claims(now, now.Add(time.Hour)))},
		{"alg none", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(now, now.Add(time.Hour)))},
		{"expired", sign(jwt.SigningMethodHS256, []byte(cfg.JWTSecret), claims(now.Add(-9*time.Hour), now.Add(-time.Hour)))},
		{"disabled user's", disabled},
		{"logged-out", revoked},
		{"password-changed", repass},
	}
}
