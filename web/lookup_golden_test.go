package web

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/docs"
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/files"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden pages in testdata/")

// goldenDossiers answers the lookup of the goldenCases by code; any other
// code is not found.
type goldenDossiers map[string]dossier.Public

func (g goldenDossiers) Lookup(_ context.Context, code string, _ dossier.Credential) (dossier.Public, error) {
	if d, ok := g[code]; ok {
		return d, nil
	}
	return dossier.Public{}, domain.NotFound("hồ sơ")
}

// goldenResults offers two results of every dossier.
type goldenResults struct{}

func (goldenResults) PublicResults(context.Context, string, string) ([]files.File, error) {
	return []files.File{
		{ID: 7, Current: files.Version{Name: "Giấy phép <bản chính>.pdf", Size: 123456}},
		{ID: 9, Current: files.Version{Name: `Quyết định "số 2".pdf`, Size: 42}},
	}, nil
}

func (goldenResults) PublicResult(context.Context, string, string, int64) (files.Version, io.ReadSeekCloser, error) {
	return files.Version{}, nil, domain.NotFound("hồ sơ")
}

// goldenCases are the dossiers of the golden pages: every next step, every
// optional section, and text that must be escaped.
func goldenCases() map[string]dossier.Public {
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 30, 0, 0, time.UTC) }
	pt := func(t time.Time) *time.Time { return &t }
	amount := int64(1250000)
	base := func(code string, st dossier.Status, next dossier.NextStep, stages ...dossier.Stage) dossier.Public {
		return dossier.Public{Code: code, Status: st, ProcedureName: "Cấp giấy phép xây dựng <nhà ở> & \"công trình\"",
			AgencyName: "Sở Xây dựng 'tỉnh'", UnitName: "Bộ phận Một cửa <huyện>", ApplicantName: "N***** V** A*",
			ReceivedAt: pt(at(2, 1)), AppointmentAt: pt(at(20, 9)), Next: next, Stages: stages}
	}
	recv := dossier.Stage{Action: "receive", At: at(2, 1)}
	start := dossier.Stage{Action: "start", At: at(3, 2)}
	cs := map[string]dossier.Public{
		"wait": base("H01-WAIT", "received", dossier.NextStep{Kind: dossier.NextWait}, recv),
		"supplement": base("H01-SUPP", "supplement_requested", dossier.NextStep{Kind: dossier.NextSupplement,
			Reason: "Thiếu <bản sao> & chữ ký", Items: []string{"Bản vẽ \"mặt bằng\"", "Giấy <CN> QSDĐ"}},
			recv, start, dossier.Stage{Action: "request_supplement", At: at(4, 3)}),
		"supplement-no-items": base("H01-SUPP2", "supplement_requested", dossier.NextStep{Kind: dossier.NextSupplement}, recv),
		"payment":             base("H01-PAY", "awaiting_payment", dossier.NextStep{Kind: dossier.NextPayment, Amount: &amount}, recv),
		"payment-no-amount":   base("H01-PAY2", "awaiting_payment", dossier.NextStep{Kind: dossier.NextPayment}, recv),
		"collect": base("H01-COL", "resolved", dossier.NextStep{Kind: dossier.NextCollect},
			recv, start, dossier.Stage{Action: "resolve", At: at(10, 4)}),
		"denied":      base("H01-DEN", "resolved", dossier.NextStep{Kind: dossier.NextCollect, Reason: "Không <đủ> điều kiện"}, recv),
		"denied-bare": base("H01-DEN2", "resolved", dossier.NextStep{Kind: dossier.NextCollect}, recv),
		"rate": base("H01-RATE", "returned", dossier.NextStep{Kind: dossier.NextRate},
			recv, dossier.Stage{Action: "resolve", At: at(10, 4)}, dossier.Stage{Action: "return", At: at(11, 5)}),
		"none":     base("H01-STOP", "stopped", dossier.NextStep{Kind: dossier.NextNone, Reason: "Công dân <rút> hồ sơ"}, recv),
		"unknown":  base("H01-UNK", "some_new_status", dossier.NextStep{Kind: "some_new_step"}, dossier.Stage{Action: "some_new_action", At: at(5, 6)}),
		"no-dates": {Code: "H01-NODATE", Status: "submitted", ProcedureName: "Thủ tục", Next: dossier.NextStep{Kind: dossier.NextWait}},
	}
	for _, k := range []string{"denied", "denied-bare"} {
		d := cs[k]
		d.Outcome, d.ResolvedAt = dossier.Denied, pt(at(10, 4))
		cs[k] = d
	}
	for _, k := range []string{"collect"} {
		d := cs[k]
		d.Outcome, d.ResolvedAt = dossier.Approved, pt(at(10, 4))
		cs[k] = d
	}
	r := cs["rate"]
	r.Outcome, r.ResolvedAt, r.ReturnedAt, r.ResultsAvailable = dossier.Approved, pt(at(10, 4)), pt(at(11, 5)), true
	r.Reschedule = &dossier.Reschedule{At: at(8, 7), AppointmentAt: at(25, 8), Reason: "Xin lỗi <ông/bà> vì chậm trễ & hẹn lại"}
	cs["rate"] = r
	return cs
}

var (
	formKeyValue = regexp.MustCompile(`name="form_key" value="[0-9a-f]{32}"`)
	assetHash    = regexp.MustCompile(`(/static/[a-z/_-]+)\.[0-9a-f]{10}(\.[a-z]+)"`)
)

// TestLookupPageGolden renders the lookup page, through the routes, for
// every golden case (by PIN and by ID number) and for its refusals, and
// compares status, headers and body byte for byte with testdata/ (the
// form key, random, and the assets' content hashes masked): the page's
// content must not change when its rendering is made cheaper.
func TestLookupPageGolden(t *testing.T) {
	gin.SetMode(gin.TestMode)
	cs := goldenCases()
	byCode := goldenDossiers{}
	for _, d := range cs {
		byCode[d.Code] = d
	}
	p, err := New(Deps{DataKey: []byte("golden-data-key-golden-data-key!"), OpenAPI: docs.OpenAPI,
		Dossiers: byCode, Results: goldenResults{}, Location: time.FixedZone("ICT", 7*3600)})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	p.Register(r, Hooks{})
	nonce := b64.EncodeToString([]byte("a fixed nonce of thirty-two byte"))
	token := "v1." + nonce + "." + b64.EncodeToString(p.csrf.mac(nonce))
	post := func(form url.Values) string {
		req := httptest.NewRequest(http.MethodPost, "/tra-cuu", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "motcua_csrf", Value: token})
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		var b strings.Builder
		b.WriteString(http.StatusText(rec.Code) + "\n")
		names := make([]string, 0, len(rec.Header()))
		for k := range rec.Header() {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			b.WriteString(k + ": " + strings.Join(rec.Header()[k], ", ") + "\n")
		}
		body := formKeyValue.ReplaceAllString(rec.Body.String(), `name="form_key" value="FORMKEY"`)
		b.WriteString("\n" + assetHash.ReplaceAllString(body, `$1.HASH$2"`))
		return b.String()
	}
	pages := map[string]url.Values{
		"refused-csrf":   {"code": {"H01-WAIT"}, "pin": {"123456"}, "csrf_token": {"v1.forged"}},
		"refused-nocode": {"code": {" "}, "pin": {"123456"}, "csrf_token": {token}},
		"not-found":      {"code": {"H01-NONE"}, "pin": {"123456"}, "csrf_token": {token}},
	}
	for name, d := range cs {
		pages[name] = url.Values{"code": {d.Code}, "pin": {"123456"}, "csrf_token": {token}}
		pages[name+"-by-id"] = url.Values{"code": {d.Code}, "id_number": {"001234567890"}, "csrf_token": {token}}
	}
	for name, form := range pages {
		t.Run(name, func(t *testing.T) {
			got := post(form)
			file := filepath.Join("testdata", "lookup-result", name+".golden")
			if *updateGolden {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (go test -run TestLookupPageGolden ./web -update writes it)", err)
			}
			if got != string(want) {
				t.Errorf("the page changed (%s):\n--- got\n%s\n--- want\n%s", file, got, want)
			}
		})
	}
}

// BenchmarkLookupPageOwn is the lookup page's own cost: the routes and the
// template around a stub lookup that answers at once (BenchmarkLookupPage
// times it with the real lookup, against the API), for a dossier just
// received and for one with more to show.
func BenchmarkLookupPageOwn(b *testing.B) {
	gin.SetMode(gin.TestMode)
	for _, name := range []string{"wait", "supplement"} {
		b.Run(name, func(b *testing.B) {
			d := goldenCases()[name]
			p, err := New(Deps{DataKey: []byte("golden-data-key-golden-data-key!"), OpenAPI: docs.OpenAPI,
				Dossiers: goldenDossiers{d.Code: d}, Location: time.FixedZone("ICT", 7*3600)})
			if err != nil {
				b.Fatal(err)
			}
			r := gin.New()
			p.Register(r, Hooks{})
			token := p.csrf.mint()
			body := url.Values{"code": {d.Code}, "pin": {"123456"}, "csrf_token": {token}}.Encode()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/tra-cuu", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.AddCookie(&http.Cookie{Name: "motcua_csrf", Value: token})
				rec := httptest.NewRecorder()
				r.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d", rec.Code)
				}
			}
		})
	}
}

// TestLookupFragmentsKeepOnlyKnownValues: the fragments kept are those of
// the statuses and actions the label tables know, so no lookup of an odd
// value grows them; an unknown value is still rendered, and escaped.
func TestLookupFragmentsKeepOnlyKnownValues(t *testing.T) {
	p, err := New(Deps{DataKey: []byte("golden-data-key-golden-data-key!"), OpenAPI: docs.OpenAPI})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if f, err := p.lookupFragment("stage-fragment", stageLabels, "receive"); err != nil ||
			f != `<li data-action="receive">Tiếp nhận hồ sơ — ` {
			t.Fatalf("%q %v", f, err)
		}
		if f, err := p.lookupFragment("status-fragment", dossierStatusLabels, `x"<b>`); err != nil ||
			f != `<span id="status" class="status" data-status="x&#34;&lt;b&gt;">x&#34;&lt;b&gt;</span>` {
			t.Fatalf("%q %v", f, err)
		}
	}
	n := 0
	p.fragments.Range(func(k, _ any) bool {
		n++
		if k != "stage-fragment\x00receive" {
			t.Errorf("kept %q", k)
		}
		return true
	})
	if n != 1 {
		t.Errorf("%d fragments kept", n)
	}
}
