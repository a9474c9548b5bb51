package api_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// The Open311 GeoReport v2 facade (/open311/v2/): every resource in JSON and
// XML, parsed back; every error in Open311's shape.

// checkOpen311Error is the harness's check of an error answer under
// /open311/: Open311's list of {code, description}, in XML for a path
// ending in .xml and in JSON otherwise, code equal to the status.
func checkOpen311Error(t testing.TB, r apptest.Request, resp apptest.Response) {
	t.Helper()
	path, _, _ := strings.Cut(r.Path, "?")
	ctype, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var list []o311Error
	if strings.HasSuffix(path, ".xml") {
		if ctype != "text/xml" {
			t.Fatalf("%s %s: %d answered %s, want text/xml: %s", r.Method, r.Path, resp.Status, ctype, resp.Body)
		}
		var x o311ErrorsXML
		decodeO311XML(t, resp.Body, &x)
		list = x.Errors
	} else {
		if ctype != "application/json" {
			t.Fatalf("%s %s: %d answered %s, want application/json: %s", r.Method, r.Path, resp.Status, ctype, resp.Body)
		}
		if err := json.Unmarshal(resp.Body, &list); err != nil {
			t.Fatalf("%s %s: %d is not Open311's error list: %v: %s", r.Method, r.Path, resp.Status, err, resp.Body)
		}
	}
	if len(list) == 0 {
		t.Fatalf("%s %s: %d with no error: %s", r.Method, r.Path, resp.Status, resp.Body)
	}
	for _, e := range list {
		if e.Code != resp.Status || e.Description == "" {
			t.Fatalf("%s %s: %d carries error %+v (code must be the status, with a description)", r.Method, r.Path, resp.Status, e)
		}
	}
	if bytes.Contains(resp.Body, []byte(`"error":`)) {
		t.Fatalf("%s %s: the API's error shape under /open311/: %s", r.Method, r.Path, resp.Body)
	}
}

type o311Error struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

type o311ErrorsXML struct {
	XMLName xml.Name    `xml:"errors"`
	Errors  []o311Error `xml:"error"`
}

// decodeO311XML checks the declaration and decodes body into v strictly.
func decodeO311XML(t testing.TB, body []byte, v any) {
	t.Helper()
	if !bytes.HasPrefix(body, []byte(`<?xml version="1.0" encoding="utf-8"?>`)) {
		t.Fatalf("the XML does not start with its declaration: %.200s", body)
	}
	if err := xml.Unmarshal(body, v); err != nil {
		t.Fatalf("the XML does not decode: %v: %s", err, body)
	}
}

// o311 sends a GET under /open311/v2.
func o311(e *env, path string) apptest.Response {
	e.t.Helper()
	return e.get("/open311/v2"+path, "")
}

// o311Post posts form to /open311/v2/requests.{format}.
func o311Post(e *env, format string, form url.Values, header ...string) apptest.Response {
	e.t.Helper()
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	return e.do(apptest.Request{Method: http.MethodPost, Path: "/open311/v2/requests." + format, Body: form.Encode(), Header: h})
}

func wantO311(t *testing.T, resp apptest.Response, status int, format string) {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d: %s", resp.Status, status, resp.Body)
	}
	want := "application/json; charset=utf-8"
	if format == "xml" {
		want = "text/xml; charset=utf-8"
	}
	if got := resp.Header.Get("Content-Type"); got != want {
		t.Fatalf("Content-Type %q, want %q", got, want)
	}
}

// o311Errors decodes an error answer of either format.
func o311Errors(t *testing.T, resp apptest.Response) []o311Error {
	t.Helper()
	var list []o311Error
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		var x o311ErrorsXML
		decodeO311XML(t, resp.Body, &x)
		return x.Errors
	}
	if err := json.Unmarshal(resp.Body, &list); err != nil {
		t.Fatal(err)
	}
	return list
}

// wantO311Error asserts status and that some description holds want.
func wantO311Error(t *testing.T, resp apptest.Response, status int, want string) {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("status %d, want %d: %s", resp.Status, status, resp.Body)
	}
	for _, e := range o311Errors(t, resp) {
		if strings.Contains(e.Description, want) {
			return
		}
	}
	t.Fatalf("no error description holds %q: %s", want, resp.Body)
}

var rfc3339Offset = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$`)

type o311Discovery struct {
	Changeset  string `json:"changeset" xml:"changeset"`
	Contact    string `json:"contact" xml:"contact"`
	KeyService string `json:"key_service" xml:"key_service"`
	Endpoints  []struct {
		Specification string   `json:"specification" xml:"specification"`
		URL           string   `json:"url" xml:"url"`
		Changeset     string   `json:"changeset" xml:"changeset"`
		Type          string   `json:"type" xml:"type"`
		Formats       []string `json:"formats" xml:"formats>format"`
	} `json:"endpoints" xml:"endpoints>endpoint"`
}

func TestOpen311Discovery(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, base, keys, wantURL, wantKey string
	}{
		{"defaults", "", "", "http://example.com/open311/v2", "Không cần api_key"},
		{"base URL and keys", "https://motcua.example.gov.vn/", "k-1,k-2", "https://motcua.example.gov.vn/open311/v2", "cần api_key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_BASE_URL": tt.base, "MOTCUA_OPEN311_API_KEYS": tt.keys}})
			for _, f := range []string{"json", "xml"} {
				resp := o311(e, "/discovery."+f)
				wantO311(t, resp, http.StatusOK, f)
				var d o311Discovery
				if f == "xml" {
					var x struct {
						XMLName xml.Name `xml:"discovery"`
						o311Discovery
					}
					decodeO311XML(t, resp.Body, &x)
					d = x.o311Discovery
				} else {
					resp.Decode(t, &d)
				}
				cs, err := time.Parse(time.RFC3339, d.Changeset)
				if err != nil || !rfc3339Offset.MatchString(d.Changeset) || cs.After(e.s.Clock.Now()) {
					t.Fatalf("%s: changeset %q: RFC 3339 with offset, not in the future", f, d.Changeset)
				}
				if d.Contact != "Bộ phận Một cửa — motcua" || !strings.Contains(d.KeyService, tt.wantKey) || len(d.Endpoints) != 1 {
					t.Fatalf("%s: discovery %+v", f, d)
				}
				ep := d.Endpoints[0]
				if ep.Specification != "http://wiki.open311.org/GeoReport_v2" || ep.URL != tt.wantURL || ep.Changeset != d.Changeset ||
					ep.Type != "production" || strings.Join(ep.Formats, ",") != "text/xml,application/json" {
					t.Fatalf("%s: endpoint %+v", f, ep)
				}
			}
		})
	}
}

type o311Service struct {
	ServiceCode string `json:"service_code" xml:"service_code"`
	ServiceName string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    string `json:"keywords" xml:"keywords"`
	Group       string `json:"group" xml:"group"`
}

type o311Attribute struct {
	Variable            bool   `json:"variable" xml:"variable"`
	Code                string `json:"code" xml:"code"`
	Datatype            string `json:"datatype" xml:"datatype"`
	Required            bool   `json:"required" xml:"required"`
	DatatypeDescription string `json:"datatype_description" xml:"datatype_description"`
	Order               int    `json:"order" xml:"order"`
	Description         string `json:"description" xml:"description"`
}

func TestOpen311ServicesAndDefinitions(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{NoDemo: true})
	names := map[string]string{"regulation": "Quy định hành chính", "procedure": "Giải quyết thủ tục hành chính",
		"conduct": "Hành vi của cán bộ, công chức", "other": "Khác"}
	for _, f := range []string{"json", "xml"} {
		resp := o311(e, "/services."+f+"?jurisdiction_id=laichau")
		wantO311(t, resp, http.StatusOK, f)
		var list []o311Service
		if f == "xml" {
			var x struct {
				XMLName  xml.Name      `xml:"services"`
				Services []o311Service `xml:"service"`
			}
			decodeO311XML(t, resp.Body, &x)
			list = x.Services
		} else {
			resp.Decode(t, &list)
		}
		var codes []string
		for _, s := range list {
			codes = append(codes, s.ServiceCode)
			if s.ServiceName != names[s.ServiceCode] || !s.Metadata || s.Type != "realtime" || s.Group != "Phản ánh, kiến nghị" ||
				s.Description == "" || s.Keywords == "" {
				t.Errorf("%s: service %+v", f, s)
			}
		}
		if strings.Join(codes, ",") != "regulation,procedure,conduct,other" {
			t.Fatalf("%s: services %v", f, codes)
		}
		for code := range names {
			resp := o311(e, "/services/"+code+"."+f)
			wantO311(t, resp, http.StatusOK, f)
			var def struct {
				XMLName     xml.Name        `json:"-" xml:"service_definition"`
				ServiceCode string          `json:"service_code" xml:"service_code"`
				Attributes  []o311Attribute `json:"attributes" xml:"attributes>attribute"`
			}
			if f == "xml" {
				decodeO311XML(t, resp.Body, &def)
			} else {
				resp.Decode(t, &def)
			}
			var got []string
			for i, a := range def.Attributes {
				got = append(got, a.Code)
				if !a.Variable || a.Datatype != "string" || a.Required || a.Order != i+1 || a.DatatypeDescription == "" || a.Description == "" {
					t.Errorf("%s %s: attribute %+v", f, code, a)
				}
			}
			if def.ServiceCode != code || strings.Join(got, ",") != "title,agency_code,procedure_code,dossier_code,dossier_pin" {
				t.Fatalf("%s %s: definition %+v", f, code, def)
			}
		}
		// An unknown service is 404 in the suffix's format.
		resp = o311(e, "/services/complaint."+f)
		wantO311(t, resp, http.StatusNotFound, f)
	}
	// Unknown suffixes and paths: 404 in JSON, never the API's shape.
	for _, p := range []string{"/services/regulation.html", "/services/regulation", "/services/.json", "/discovery.html",
		"/requests/PAKN-1.yaml", "/nothing", ""} {
		resp := e.get("/open311/v2"+p, "")
		wantO311(t, resp, http.StatusNotFound, "json")
	}
	resp := e.do(apptest.Request{Method: http.MethodDelete, Path: "/open311/v2/requests.xml"})
	wantO311(t, resp, http.StatusMethodNotAllowed, "xml")
}

// o311Staff is what the tests read of staff's view of a feedback item.
type o311Staff struct {
	Code       string  `json:"code"`
	Channel    string  `json:"channel"`
	Category   string  `json:"category"`
	Title      string  `json:"title"`
	Content    string  `json:"content"`
	Status     string  `json:"status"`
	AgencyCode *string `json:"agency_code"`
	DueAt      string  `json:"due_at"`
	Sender     *struct {
		Name    *string `json:"name"`
		Phone   *string `json:"phone"`
		Email   *string `json:"email"`
		Address *string `json:"address"`
	} `json:"sender"`
}

type o311Created struct {
	ServiceRequestID string  `json:"service_request_id" xml:"service_request_id"`
	ServiceNotice    string  `json:"service_notice" xml:"service_notice"`
	AccountID        *string `json:"account_id" xml:"account_id"`
}

// o311Create posts form and decodes the one created request.
func o311Create(t *testing.T, e *env, format string, form url.Values, header ...string) o311Created {
	t.Helper()
	resp := o311Post(e, format, form, header...)
	wantO311(t, resp, http.StatusCreated, format)
	var list []o311Created
	if format == "xml" {
		var x struct {
			XMLName  xml.Name      `xml:"service_requests"`
			Requests []o311Created `xml:"request"`
		}
		decodeO311XML(t, resp.Body, &x)
		list = x.Requests
		if len(list) == 1 && list[0].AccountID != nil && *list[0].AccountID == "" {
			list[0].AccountID = nil // an empty element is the null
		}
	} else {
		resp.Decode(t, &list)
	}
	if len(list) != 1 || list[0].AccountID != nil {
		t.Fatalf("created %s", resp.Body)
	}
	return list[0]
}

var o311Notice = regexp.MustCompile(`^Đã tiếp nhận phản ánh (PAKN-[0-9A-Za-z.\-]+)\. Mã tra cứu: ([0-9]{6})\. Hạn trả lời: (\d\d/\d\d/\d{4})\.$`)

// TestOpen311SubmitIsFeedback: a request posted in either format is a
// feedback item of channel online that staff see at once, with the sender
// named family name first, the PIN and deadline of the public submission.
func TestOpen311SubmitIsFeedback(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	for _, f := range []string{"json", "xml"} {
		desc := "Hồ sơ cấp phiếu lý lịch tư pháp nộp ngày 10/11 đã quá hẹn.\nĐề nghị cho biết lý do."
		c := o311Create(t, e, f, url.Values{"service_code": {"procedure"}, "description": {desc},
			"attribute[agency_code]": {demo.Justice}, "first_name": {"Thị Hoa"}, "last_name": {"Nguyễn"},
			"email": {"hoa@example.vn"}, "phone": {"0912345678"}, "lat": {"22.39"}, "long": {"103.46"},
			"address_string": {"Tân Phong"}, "device_id": {"d-1"}, "media_url": {"https://example.vn/a.jpg"}, "jurisdiction_id": {"laichau"}})
		m := o311Notice.FindStringSubmatch(c.ServiceNotice)
		if m == nil || m[1] != c.ServiceRequestID {
			t.Fatalf("%s: service_notice %q", f, c.ServiceNotice)
		}
		if m[3] != "14/12/2026" { // 15 working days from Mon 23 Nov 2026 09:00
			t.Fatalf("%s: due date %s, want 14/12/2026", f, m[3])
		}
		// Staff see it in their list at once, as the public submission makes it.
		var staff o311Staff
		for _, it := range itemsAs[o311Staff](t, apptest.Want(t, e.get("/api/v1/feedback?page_size=500", e.tok("admin")), http.StatusOK)) {
			if it.Code == c.ServiceRequestID {
				staff = it
			}
		}
		if staff.Code == "" || staff.Channel != "online" || staff.Category != "procedure" || staff.Status != "received" ||
			val(staff.AgencyCode) != demo.Justice || staff.Title != "Hồ sơ cấp phiếu lý lịch tư pháp nộp ngày 10/11 đã quá hẹn." ||
			staff.Content != desc || staff.DueAt != "2026-12-14T09:00:00+07:00" {
			t.Fatalf("%s: staff see %+v", f, staff)
		}
		got := decodeAs[o311Staff](t, apptest.Want(t, e.get("/api/v1/feedback/"+c.ServiceRequestID, e.tok("admin")), http.StatusOK))
		if got.Sender == nil || val(got.Sender.Name) != "Nguyễn Thị Hoa" || val(got.Sender.Email) != "hoa@example.vn" ||
			val(got.Sender.Phone) != "0912345678" || got.Sender.Address != nil {
			t.Fatalf("%s: sender %s (the name is last_name first_name; the location is not kept)", f, jsonString(got.Sender))
		}
		// The PIN of the notice follows the item, as the public lookup's.
		look := apptest.Want(t, e.get("/api/v1/public/feedback/"+c.ServiceRequestID+"?pin="+m[2], ""), http.StatusOK).JSON(t)
		if look["status"] != "received" || look["channel"] != "online" {
			t.Fatalf("%s: lookup %+v", f, look)
		}
	}
	// The title: given, or the first line of description cut to 120 characters.
	long := strings.Repeat("ả", 130) + "\nphần sau"
	c := o311Create(t, e, "json", url.Values{"service_code": {"other"}, "description": {"\n  " + long}})
	got := decodeAs[o311Staff](t, apptest.Want(t, e.get("/api/v1/feedback/"+c.ServiceRequestID, e.tok("admin")), http.StatusOK))
	if got.Title != strings.Repeat("ả", 120) || got.Sender != nil || val(got.AgencyCode) != "" {
		t.Fatalf("default title %q, sender %v", got.Title, got.Sender)
	}
	c = o311Create(t, e, "json", url.Values{"service_code": {"conduct"}, "description": {"Nội dung"}, "attribute[title]": {"Tiêu đề riêng"}})
	got = decodeAs[o311Staff](t, apptest.Want(t, e.get("/api/v1/feedback/"+c.ServiceRequestID, e.tok("admin")), http.StatusOK))
	if got.Title != "Tiêu đề riêng" {
		t.Fatalf("title %q", got.Title)
	}
	// Idempotency-Key as on /api/v1/public/*: the same request replays, another is 409.
	form := url.Values{"service_code": {"other"}, "description": {"Một lần thôi"}}
	first := o311Post(e, "xml", form, "Idempotency-Key", "o311-key-1")
	again := o311Post(e, "xml", form, "Idempotency-Key", "o311-key-1")
	if first.Status != http.StatusCreated || again.Status != http.StatusCreated || !bytes.Equal(first.Body, again.Body) ||
		again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s / %d %s", first.Status, first.Body, again.Status, again.Body)
	}
	wantO311Error(t, o311Post(e, "xml", url.Values{"service_code": {"other"}, "description": {"Khác"}}, "Idempotency-Key", "o311-key-1"),
		http.StatusConflict, "Idempotency-Key")
	wantO311Error(t, o311Post(e, "json", form, "Idempotency-Key", "o311-key-1"), http.StatusConflict, "Idempotency-Key")
	wantO311Error(t, o311Post(e, "json", form, "Idempotency-Key", "bad\u00e9key"), http.StatusBadRequest, "Idempotency-Key")
}

// TestOpen311SubmitErrors: every refusal of §14.5 for POST, in both formats.
func TestOpen311SubmitErrors(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	ok := func(extra ...string) url.Values {
		v := url.Values{"service_code": {"procedure"}, "description": {"Hồ sơ chậm"}}
		for i := 0; i+1 < len(extra); i += 2 {
			if extra[i+1] == "" {
				v.Del(extra[i])
			} else {
				v.Set(extra[i], extra[i+1])
			}
		}
		return v
	}
	for _, tt := range []struct {
		name string
		form url.Values
		want string // part of a description
	}{
		{"no service_code", ok("service_code", ""), "service_code: bắt buộc"},
		{"unknown service_code", ok("service_code", "complaint"), "service_code: phải là"},
		{"no description", ok("description", ""), "description: bắt buộc"},
		{"blank description", ok("description", " \n "), "description: bắt buộc"},
		{"description over 4000", ok("description", strings.Repeat("ệ", 4001)), "description: quá dài"},
		{"title over 300", ok("attribute[title]", strings.Repeat("a", 301)), "attribute[title]: quá dài"},
		{"lat without long", ok("lat", "22.3"), "long: bắt buộc"},
		{"long without lat", ok("long", "103.4"), "lat: bắt buộc"},
		{"lat out of range", ok("lat", "91", "long", "103"), "lat: phải là"},
		{"long not a number", ok("lat", "22", "long", "east"), "long: phải là"},
		{"address too long", ok("address_string", strings.Repeat("x", 2049)), "address_string: quá dài"},
		{"bad e-mail", ok("email", "hoa@"), "email:"},
		{"bad phone", ok("phone", "gọi tôi"), "phone:"},
		{"unknown agency", ok("attribute[agency_code]", "000.00.99.H99"), "attribute[agency_code]:"},
		{"dossier without pin", ok("attribute[dossier_code]", "000.00.00.H99-261123-0001"), "attribute[dossier_pin]:"},
		{"bad dossier pin", ok("attribute[dossier_code]", "000.00.00.H99-261123-0001", "attribute[dossier_pin]", "12"), "attribute[dossier_pin]:"},
		{"unknown attribute", ok("attribute[color]", "red"), "attribute[color]: trường không được hỗ trợ"},
		{"unknown field", ok("category", "procedure"), "category: trường không được hỗ trợ"},
		{"control character", ok("first_name", "A\x01"), "first_name: không được chứa ký tự điều khiển"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []string{"json", "xml"} {
				resp := o311Post(e, f, tt.form)
				wantO311(t, resp, http.StatusBadRequest, f)
				wantO311Error(t, resp, http.StatusBadRequest, tt.want)
			}
		})
	}
	// Both required fields missing: one error each.
	resp := o311Post(e, "json", url.Values{"first_name": {"An"}})
	if errs := o311Errors(t, resp); resp.Status != http.StatusBadRequest || len(errs) != 2 {
		t.Fatalf("two missing fields: %d %s", resp.Status, resp.Body)
	}
	// A body that is not a form: JSON, a multipart form, another charset, none.
	for _, ct := range []string{"application/json", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded; charset=latin1", ""} {
		for _, f := range []string{"json", "xml"} {
			resp := e.do(apptest.Request{Method: http.MethodPost, Path: "/open311/v2/requests." + f,
				Body: `{"service_code":"procedure","description":"x"}`, Header: map[string]string{"Content-Type": ct}})
			wantO311(t, resp, http.StatusBadRequest, f)
		}
	}
	// A field twice, bytes that are not UTF-8, a malformed escape.
	for _, body := range []string{"service_code=procedure&service_code=other&description=x", "service_code=procedure&description=%ff", "description=%zz"} {
		resp := e.do(apptest.Request{Method: http.MethodPost, Path: "/open311/v2/requests.json", Body: body,
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		wantO311(t, resp, http.StatusBadRequest, "json")
	}
	// Over 1 MiB.
	big := url.Values{"service_code": {"procedure"}, "description": {strings.Repeat("x", 1<<20)}}
	for _, f := range []string{"json", "xml"} {
		wantO311(t, o311Post(e, f, big), http.StatusRequestEntityTooLarge, f)
	}
}

// TestOpen311Keys: with MOTCUA_OPEN311_API_KEYS set, POST needs one of them
// (in the form or the query); without, api_key is ignored.
func TestOpen311Keys(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_OPEN311_API_KEYS": "app-key-1, app-key-2"}})
	form := func(key string) url.Values {
		v := url.Values{"service_code": {"other"}, "description": {"Có khóa"}}
		if key != "" {
			v.Set("api_key", key)
		}
		return v
	}
	for _, f := range []string{"json", "xml"} {
		wantO311Error(t, o311Post(e, f, form("")), http.StatusForbidden, "api_key")
		wantO311Error(t, o311Post(e, f, form("app-key-3")), http.StatusForbidden, "api_key")
		wantO311Error(t, o311Post(e, f, form("app-key")), http.StatusForbidden, "api_key")
		o311Create(t, e, f, form("app-key-2"))
	}
	resp := e.do(apptest.Request{Method: http.MethodPost, Path: "/open311/v2/requests.json?api_key=app-key-1", Body: form("").Encode(),
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	wantO311(t, resp, http.StatusCreated, "json")
	// No keys: any api_key is ignored.
	open := start(t, apptest.Options{NoDemo: true})
	o311Create(t, open, "json", form("whatever"))
}

type o311Request struct {
	ServiceRequestID  string  `json:"service_request_id" xml:"service_request_id"`
	Status            string  `json:"status" xml:"status"`
	StatusNotes       string  `json:"status_notes" xml:"status_notes"`
	ServiceName       string  `json:"service_name" xml:"service_name"`
	ServiceCode       string  `json:"service_code" xml:"service_code"`
	Description       string  `json:"description" xml:"description"`
	AgencyResponsible *string `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     *string `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string  `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string  `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string  `json:"expected_datetime" xml:"expected_datetime"`
	Address           *string `json:"address" xml:"address"`
	AddressID         *string `json:"address_id" xml:"address_id"`
	Zipcode           *string `json:"zipcode" xml:"zipcode"`
	Lat               *string `json:"lat" xml:"lat"`
	Long              *string `json:"long" xml:"long"`
	MediaURL          *string `json:"media_url" xml:"media_url"`
}

// o311Requests GETs path and decodes the list, in the path's format; in
// XML an empty element reads as null, and every element must be present.
func o311Requests(t *testing.T, e *env, path string) []o311Request {
	t.Helper()
	resp := o311(e, path)
	base, _, _ := strings.Cut(path, "?")
	f := base[strings.LastIndexByte(base, '.')+1:]
	wantO311(t, resp, http.StatusOK, f)
	var list []o311Request
	if f == "json" {
		var raw []map[string]any
		resp.Decode(t, &raw)
		for _, it := range raw {
			if len(it) != 17 {
				t.Fatalf("a request has %d fields, want the 17 of GeoReport v2: %v", len(it), it)
			}
		}
		resp.Decode(t, &list)
		return list
	}
	var x struct {
		XMLName  xml.Name      `xml:"service_requests"`
		Requests []o311Request `xml:"request"`
	}
	decodeO311XML(t, resp.Body, &x)
	if n := bytes.Count(resp.Body, []byte("<request>")); n != len(x.Requests) || bytes.Count(resp.Body, []byte("<media_url></media_url>")) != n {
		t.Fatalf("every request carries every element, empty for null: %s", resp.Body)
	}
	for i := range x.Requests {
		r := &x.Requests[i]
		for _, p := range []**string{&r.AgencyResponsible, &r.ServiceNotice, &r.Address, &r.AddressID, &r.Zipcode, &r.Lat, &r.Long, &r.MediaURL} {
			if *p != nil && **p == "" {
				*p = nil
			}
		}
	}
	return x.Requests
}

// o311Codes lists the codes of list, in order; with mine, only those
// (the demo's published items are left out).
func o311Codes(list []o311Request, mine ...string) []string {
	var out []string
	for _, r := range list {
		if len(mine) == 0 || slices.Contains(mine, r.ServiceRequestID) {
			out = append(out, r.ServiceRequestID)
		}
	}
	return out
}

// TestOpen311RequestsList: only published items, newest received first,
// the public texts with no sender data (even quoted in the content), the
// filters and their refusals, one item by id; both formats.
func TestOpen311RequestsList(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	s := e.s
	// An item sent through Open311 whose content quotes the sender: assigned
	// at once (it names the agency), answered, published.
	secrets := []string{"Trần Văn Bình", "Bình", "0987654321", "0987 654 321", "binh.tran@example.vn"}
	c := o311Create(t, e, "json", url.Values{"service_code": {"conduct"}, "attribute[agency_code]": {demo.Justice},
		"description":      {"Tôi là Trần Văn Bình, ĐT 0987 654 321, thư binh.tran@example.vn: cán bộ hẹn lại nhiều lần."},
		"attribute[title]": {"Ông Trần Văn Bình phản ánh"}, "first_name": {"Văn Bình"}, "last_name": {"Trần"},
		"phone": {"0987654321"}, "email": {"binh.tran@example.vn"}})
	published := c.ServiceRequestID
	s.Clock.Advance(time.Hour)
	answer := "Trả lời ông Trần Văn Bình (0987654321): Sở đã nhắc nhở cán bộ."
	apptest.Want(t, feedbackAction(s, "officer", published, map[string]any{"action": "answer", "answer": answer}), http.StatusOK)
	s.Clock.Advance(time.Hour)
	apptest.Want(t, feedbackAction(s, "leader", published, map[string]any{"action": "publish"}), http.StatusOK)
	// One answered but not published, one open: neither is public.
	answered := o311Create(t, e, "json", url.Values{"service_code": {"procedure"}, "attribute[agency_code]": {demo.Justice},
		"description": {"Chưa công khai"}}).ServiceRequestID
	apptest.Want(t, feedbackAction(s, "officer", answered, map[string]any{"action": "answer", "answer": "Đã trả lời"}), http.StatusOK)
	open := o311Create(t, e, "xml", url.Values{"service_code": {"procedure"}, "description": {"Đang chờ"}}).ServiceRequestID
	// Imported published items without an agency: one 10 days ago, one 120.
	ago := func(days int) string { return s.Clock.Now().AddDate(0, 0, -days).In(apptest.Loc).Format(time.RFC3339) }
	runImport(t, s, "feedback", strings.Join([]string{
		`{"code":"PAKN-O311-10","channel":"online","category":"regulation","title":"Quy định","content":"Quy định chồng chéo","status":"answered",` +
			`"answer":"Đã kiến nghị sửa","received_at":"` + ago(10) + `","answered_at":"` + ago(9) + `","published_at":"` + ago(8) + `"}`,
		`{"code":"PAKN-O311-120","channel":"online","category":"other","title":"Cũ","content":"Cũ","status":"answered",` +
			`"answer":"Cũ","received_at":"` + ago(120) + `","answered_at":"` + ago(119) + `","published_at":"` + ago(118) + `"}`,
	}, "\n"))

	mine := []string{published, answered, open, "PAKN-O311-10", "PAKN-O311-120"}
	for _, f := range []string{"json", "xml"} {
		all := o311Requests(t, e, "/requests."+f)
		var list []o311Request
		for _, it := range all {
			if slices.Contains(mine, it.ServiceRequestID) {
				list = append(list, it)
			}
		}
		if got := strings.Join(o311Codes(list), ","); got != published+",PAKN-O311-10" {
			t.Fatalf("%s: list %s, want the published items of the last 90 days, newest first", f, got)
		}
		if len(all) <= len(list) {
			t.Fatalf("%s: the demo's published items are missing: %v", f, o311Codes(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i].RequestedDatetime > all[i-1].RequestedDatetime {
				t.Fatalf("%s: not newest first: %v", f, all)
			}
		}
		it := list[0]
		if it.Status != "closed" || it.ServiceCode != "conduct" || it.ServiceName != "Hành vi của cán bộ, công chức" ||
			val(it.AgencyResponsible) != "Sở Tư pháp" || it.ServiceNotice != nil || it.Address != nil || it.AddressID != nil ||
			it.Zipcode != nil || it.Lat != nil || it.Long != nil || it.MediaURL != nil ||
			it.RequestedDatetime != "2026-11-23T09:00:00+07:00" || it.UpdatedDatetime != "2026-11-23T10:00:00+07:00" ||
			it.ExpectedDatetime != "2026-12-14T09:00:00+07:00" || !strings.Contains(it.StatusNotes, "Sở đã nhắc nhở cán bộ") ||
			!strings.Contains(it.Description, "***") {
			t.Fatalf("%s: item %+v", f, it)
		}
		if list[1].AgencyResponsible != nil || list[1].ServiceCode != "regulation" || list[1].StatusNotes != "Đã kiến nghị sửa" {
			t.Fatalf("%s: imported item %+v", f, list[1])
		}
		// No sender data anywhere in the public output.
		for _, p := range []string{"/requests." + f, "/requests/" + published + "." + f, "/requests." + f + "?service_request_id=" + published} {
			body := o311(e, p).Body
			for _, secret := range secrets {
				if strings.Contains(string(body), secret) {
					t.Fatalf("%s: %s holds %q: %s", f, p, secret, body)
				}
			}
		}
		// One item by id; unpublished or unknown: 404 in the suffix's format.
		one := o311Requests(t, e, "/requests/"+published+"."+f)
		if len(one) != 1 || one[0].ServiceRequestID != published || one[0].Description != it.Description {
			t.Fatalf("%s: one %+v", f, one)
		}
		for _, code := range []string{answered, open, "PAKN-NONE", "x"} {
			wantO311(t, o311(e, "/requests/"+code+"."+f), http.StatusNotFound, f)
		}
		// Filters.
		for q, want := range map[string]string{
			"service_code=conduct":                               published,
			"service_code=regulation,other":                      "PAKN-O311-10",
			"status=open":                                        "",
			"status=closed":                                      published + ",PAKN-O311-10",
			"status=open,closed":                                 published + ",PAKN-O311-10",
			"service_request_id=PAKN-O311-120," + published:      published + ",PAKN-O311-120",
			"service_request_id=" + answered + "&status=open":    "",
			"service_request_id=PAKN-O311-10&start_date=garbage": "PAKN-O311-10",
			"start_date=" + url.QueryEscape(ago(125)):            "PAKN-O311-120",
			"start_date=" + url.QueryEscape(ago(125)) + "&end_date=" + url.QueryEscape(ago(35)):         "PAKN-O311-120",
			"end_date=" + url.QueryEscape(ago(5)):                                                       "PAKN-O311-10",
			"start_date=" + strings.Replace(ago(11), "+", "%2B", 1):                                     published + ",PAKN-O311-10",
			"start_date=" + ago(11):                                                                     published + ",PAKN-O311-10", // "+" unencoded
			"start_date=" + url.QueryEscape(s.Clock.Now().UTC().Add(-time.Minute).Format(time.RFC3339)): "",
			"jurisdiction_id=laichau":                                                                   published + ",PAKN-O311-10",
		} {
			if got := strings.Join(o311Codes(o311Requests(t, e, "/requests."+f+"?"+q), mine...), ","); got != want {
				t.Errorf("%s ?%s: %q, want %q", f, q, got, want)
			}
		}
		for q, want := range map[string]string{
			"status=answered":        "status:",
			"status=closed,pending":  "status:",
			"service_code=complaint": "service_code:",
			"start_date=2026-11-01":  "start_date:",
			"end_date=yesterday":     "end_date:",
			"start_date=" + url.QueryEscape(ago(100)) + "&end_date=" + url.QueryEscape(ago(5)): "end_date: cách start_date tối đa 90 ngày",
			"start_date=" + url.QueryEscape(ago(5)) + "&end_date=" + url.QueryEscape(ago(10)):  "end_date: không được trước start_date",
			"service_request_id=" + strings.Repeat("a,", 1001):                                 "service_request_id:",
			"jurisdiction_id=%01": "",
		} {
			resp := o311(e, "/requests."+f+"?"+q)
			wantO311(t, resp, http.StatusBadRequest, f)
			wantO311Error(t, resp, http.StatusBadRequest, want)
		}
	}
}

// TestOpen311GuardAndRateLimit: the input guard and the public rate limit
// answer every resource in Open311's shape and its format; the bucket is
// the one of /api/v1/public/*.
func TestOpen311GuardAndRateLimit(t *testing.T) {
	t.Parallel()
	paths := []string{"/discovery.json", "/discovery.xml", "/services.json", "/services.xml", "/services/other.json",
		"/services/other.xml", "/requests.json", "/requests.xml", "/requests/PAKN-1.json", "/requests/PAKN-1.xml"}
	e := start(t, apptest.Options{NoDemo: true})
	for _, p := range paths {
		f := p[strings.LastIndexByte(p, '.')+1:]
		wantO311(t, o311(e, p+"?jurisdiction_id=%ff"), http.StatusBadRequest, f)
	}
	for _, f := range []string{"json", "xml"} {
		resp := e.do(apptest.Request{Method: http.MethodPost, Path: "/open311/v2/requests." + f + "?x=%01",
			Body: "service_code=other&description=x", Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		wantO311(t, resp, http.StatusBadRequest, f)
	}

	limited := start(t, apptest.Options{NoDemo: true, Env: map[string]string{"MOTCUA_PUBLIC_RATE_LIMIT": "2"}})
	wantO311(t, o311(limited, "/services.json"), http.StatusOK, "json")
	apptest.Want(t, limited.get("/api/v1/public/feedback", ""), http.StatusOK) // the same bucket
	check := func(resp apptest.Response, f string) {
		t.Helper()
		wantO311(t, resp, http.StatusTooManyRequests, f)
		if resp.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	for _, p := range paths {
		check(o311(limited, p), p[strings.LastIndexByte(p, '.')+1:])
	}
	for _, f := range []string{"json", "xml"} {
		check(o311Post(limited, f, url.Values{"service_code": {"other"}, "description": {"x"}}), f)
	}
	// Spent here, spent for the public API too.
	wantError(t, limited.get("/api/v1/public/feedback", ""), http.StatusTooManyRequests, "rate_limited")
}
