package api_test

import (
	"bytes"
	"net/http"
	"reflect"
	"strconv"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

type publicResultAnswer struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	UploadedAt  string `json:"uploaded_at"`
}

// TestPublicResultsOnlyAfterReturnWithThePin: the officer stores the
// electronic result while processing; the citizen sees none and downloads
// nothing until the dossier is returned, then downloads the very bytes
// with the pin, never with a wrong pin, the ID number, or the id of a
// paper; every refusal is the unknown code's 404.
func TestPublicResultsOnlyAfterReturnWithThePin(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_STORAGE_URL": "file:" + t.TempDir()}})
	d := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	code, pin := d["code"].(string), d["lookup_pin"].(string)
	wrong := "000000"
	if pin == wrong {
		wrong = "111111"
	}
	clerk, officer := freshToken(e, "clerk"), freshToken(e, "officer")
	files := "/api/v1/dossiers/" + code + "/files"
	scan := obj(t, apptest.Want(t, upload(e, clerk, files+"?name=don.pdf", scanPDF("% tờ khai")), http.StatusCreated))
	dossierActionOK(t, e, "officer", code, map[string]any{"action": "start"})
	result := scanPDF("% Giấy chứng nhận, ký số")
	res := obj(t, apptest.Want(t, upload(e, officer, files+"?kind=result&name=ket-qua.pdf", result), http.StatusCreated))
	resID := strconvI(res["id"])

	pub := "/api/v1/public/dossiers/" + code
	unknown := wantError(t, e.get("/api/v1/public/dossiers/000.00.00.H99-000000-0000/results?pin="+pin, ""), http.StatusNotFound, "not_found")
	sameAsUnknown := func(r apptest.Response, what string) {
		t.Helper()
		if got := wantError(t, r, http.StatusNotFound, "not_found"); !reflect.DeepEqual(got, unknown) {
			t.Errorf("%s: %q, the unknown code says %q", what, got.Error.Message, unknown.Error.Message)
		}
	}
	results := func(pin string) []publicResultAnswer {
		t.Helper()
		return decodeInto[struct {
			Items []publicResultAnswer `json:"items"`
		}](t, apptest.Want(t, e.get(pub+"/results?pin="+pin, ""), http.StatusOK)).Items
	}

	// Before return: an empty list, no download, results_available false.
	if got := results(pin); len(got) != 0 {
		t.Fatalf("results before return: %+v", got)
	}
	sameAsUnknown(e.get(pub+"/results/"+resID+"/content?pin="+pin, ""), "download while processing")
	dossierActionOK(t, e, "leader", code, map[string]any{"action": "resolve", "outcome": "approved"})
	sameAsUnknown(e.get(pub+"/results/"+resID+"/content?pin="+pin, ""), "download while resolved")
	if got := results(pin); len(got) != 0 {
		t.Fatalf("results while resolved: %+v", got)
	}
	if l := obj(t, apptest.Want(t, e.get(pub+"?pin="+pin, ""), http.StatusOK)); l["results_available"] != false {
		t.Fatalf("results_available while resolved: %v", l["results_available"])
	}

	dossierActionOK(t, e, "clerk", code, map[string]any{"action": "return"})
	if l := obj(t, apptest.Want(t, e.get(pub+"?pin="+pin, ""), http.StatusOK)); l["results_available"] != true {
		t.Fatalf("results_available after return: %v", l["results_available"])
	}
	got := results(pin)
	if len(got) != 1 || strconv.FormatInt(got[0].ID, 10) != resID || got[0].Name != "ket-qua.pdf" ||
		got[0].ContentType != "application/pdf" || got[0].Size != int64(len(result)) || got[0].SHA256 != hexSHA(result) {
		t.Fatalf("results after return: %+v", got)
	}
	content := pub + "/results/" + resID + "/content?pin=" + pin
	dl := apptest.Want(t, e.get(content, ""), http.StatusOK)
	if !bytes.Equal(dl.Body, result) || dl.Header.Get("ETag") != `"`+hexSHA(result)+`"` ||
		dl.Header.Get("X-Content-Type-Options") != "nosniff" || dl.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download: %d bytes, headers %v", len(dl.Body), dl.Header)
	}
	part := apptest.Want(t, e.do(apptest.Request{Method: http.MethodGet, Path: content,
		Header: map[string]string{"Range": "bytes=-5"}}), http.StatusPartialContent)
	if !bytes.Equal(part.Body, result[len(result)-5:]) {
		t.Errorf("range: %q", part.Body)
	}
	apptest.Want(t, e.do(apptest.Request{Method: http.MethodGet, Path: content,
		Header: map[string]string{"If-None-Match": `"` + hexSHA(result) + `"`}}), http.StatusNotModified)
	wantError(t, e.do(apptest.Request{Method: http.MethodGet, Path: content,
		Header: map[string]string{"Range": "bytes=100000-"}}), http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable")

	// What the pin does not open.
	sameAsUnknown(e.get(pub+"/results/"+strconvI(scan["id"])+"/content?pin="+pin, ""), "a paper, not a result")
	sameAsUnknown(e.get(pub+"/results/999999/content?pin="+pin, ""), "an unknown file")
	sameAsUnknown(e.get(pub+"/results/abc/content?pin="+pin, ""), "a malformed id")
	sameAsUnknown(e.get(pub+"/results?id_number=001234567890", ""), "the ID number")
	sameAsUnknown(e.get(pub+"/results/"+resID+"/content?id_number=001234567890", ""), "the ID number")
	sameAsUnknown(e.get(pub+"/results", ""), "no pin")
	sameAsUnknown(e.get(pub+"/results?pin=12", ""), "a malformed pin")
	sameAsUnknown(e.get(pub+"/results?pin="+wrong, ""), "a wrong pin")
	sameAsUnknown(e.get(pub+"/results/"+resID+"/content?pin="+wrong, ""), "a wrong pin")

	// Wrong pins lock the code like the lookup: then even the right pin waits.
	for i := 0; i < 10; i++ {
		e.get(pub+"/results?pin="+wrong, "")
	}
	wantError(t, e.get(pub+"/results?pin="+pin, ""), http.StatusTooManyRequests, "rate_limited")
	wantError(t, e.get(content, ""), http.StatusTooManyRequests, "rate_limited")
}
