package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// scanPDF is a small PDF: what a counter's scanner sends, as far as
// content sniffing goes.
func scanPDF(extra string) []byte {
	return []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" +
		extra + "\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
}

// strconvI is a JSON number as a decimal string.
func strconvI(v any) string { f, _ := v.(float64); return strconv.FormatInt(int64(f), 10) }

func hexSHA(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// upload posts body to path as the raw request body.
func upload(e *env, tok, path string, body []byte) apptest.Response {
	e.t.Helper()
	return e.do(apptest.Request{Method: http.MethodPost, Path: path, Token: tok, Body: body,
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}) // as curl sends; not believed
}

// storedFiles lists the regular files under dir (the blob store's folder).
func storedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFilesUploadDownloadVersions: a clerk stores a scan; the download
// is the same bytes with the headers of a download, ranges and ETag work;
// a new version keeps the first one downloadable; history and the
// dossier's flags record it; the citizen's lookup shows no file stage.
func TestFilesUploadDownloadVersions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_STORAGE_URL": "file:" + dir}})
	d := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	code, pin := d["code"].(string), d["lookup_pin"].(string)
	clerk := freshToken(e, "clerk")
	base := "/api/v1/dossiers/" + code + "/files"

	v1 := scanPDF("% trang 1")
	r := upload(e, clerk, base+"?name="+url.QueryEscape("Tờ khai.pdf")+"&sha256="+hexSHA(v1), v1)
	f := obj(t, apptest.Want(t, r, http.StatusCreated))
	if f["sha256"] != hexSHA(v1) || f["size"] != float64(len(v1)) || f["version"] != 1.0 || f["content_type"] != "application/pdf" ||
		f["kind"] != "component" || f["digitised"] != true || f["reused"] != false || f["uploaded_by"] != "clerk" || f["name"] != "Tờ khai.pdf" {
		t.Fatalf("stored file %v", f)
	}
	id := strconvI(f["id"])
	content := base + "/" + id + "/content"
	got := apptest.Want(t, e.get(content, clerk), http.StatusOK)
	if !bytes.Equal(got.Body, v1) || got.Header.Get("ETag") != `"`+hexSHA(v1)+`"` || got.Header.Get("Content-Type") != "application/pdf" ||
		got.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(got.Header.Get("Content-Disposition"), "attachment; filename*=UTF-8''T%E1%BB%9D") {
		t.Fatalf("download: %d bytes, headers %v", len(got.Body), got.Header)
	}
	head := apptest.Want(t, e.do(apptest.Request{Method: http.MethodHead, Path: content, Token: clerk}), http.StatusOK)
	if len(head.Body) != 0 || head.Header.Get("Content-Length") != strconvI(float64(len(v1))) {
		t.Errorf("HEAD: body %d bytes, Content-Length %q", len(head.Body), head.Header.Get("Content-Length"))
	}
	part := apptest.Want(t, e.do(apptest.Request{Method: http.MethodGet, Path: content, Token: clerk,
		Header: map[string]string{"Range": "bytes=0-7"}}), http.StatusPartialContent)
	if string(part.Body) != "%PDF-1.4" || part.Header.Get("Content-Range") != "bytes 0-7/"+strconvI(float64(len(v1))) {
		t.Errorf("range: %q %q", part.Body, part.Header.Get("Content-Range"))
	}
	apptest.Want(t, e.do(apptest.Request{Method: http.MethodGet, Path: content, Token: clerk,
		Header: map[string]string{"If-None-Match": `"` + hexSHA(v1) + `"`}}), http.StatusNotModified)
	bad := e.do(apptest.Request{Method: http.MethodGet, Path: content, Token: clerk, Header: map[string]string{"Range": "bytes=99999-"}})
	wantError(t, bad, http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable")
	if bad.Header.Get("Content-Range") != "bytes */"+strconvI(float64(len(v1))) {
		t.Errorf("416 Content-Range %q", bad.Header.Get("Content-Range"))
	}

	// A new version: the first stays as it was.
	v2 := scanPDF("% trang 1, quét lại")
	f2 := obj(t, apptest.Want(t, upload(e, freshToken(e, "officer"), base+"/"+id+"/versions?name=to-khai-2.pdf", v2), http.StatusCreated))
	if f2["version"] != 2.0 || f2["sha256"] != hexSHA(v2) || f2["digitised"] != true || f2["uploaded_by"] != "officer" ||
		f2["dossier_code"] != code {
		t.Fatalf("version 2: %v", f2)
	}
	if b := apptest.Want(t, e.get(base+"/"+id+"/versions/1/content", clerk), http.StatusOK).Body; !bytes.Equal(b, v1) {
		t.Error("version 1 changed")
	}
	if b := apptest.Want(t, e.get(content, clerk), http.StatusOK).Body; !bytes.Equal(b, v2) {
		t.Error("the current version is not version 2")
	}
	wantError(t, e.get(base+"/"+id+"/versions/3/content", clerk), http.StatusNotFound, "not_found")
	first := base + "/" + id + "/versions/1/content"
	if r := apptest.Want(t, e.do(apptest.Request{Method: http.MethodHead, Path: first, Token: clerk}), http.StatusOK); r.Header.Get("ETag") != `"`+hexSHA(v1)+`"` {
		t.Errorf("HEAD of version 1: ETag %q", r.Header.Get("ETag"))
	}
	if r := apptest.Want(t, e.do(apptest.Request{Method: http.MethodGet, Path: first, Token: clerk,
		Header: map[string]string{"Range": "bytes=-5"}}), http.StatusPartialContent); string(r.Body) != string(v1[len(v1)-5:]) {
		t.Errorf("suffix range of version 1: %q", r.Body)
	}
	apptest.Want(t, e.do(apptest.Request{Method: http.MethodGet, Path: first, Token: clerk,
		Header: map[string]string{"If-None-Match": `"` + hexSHA(v1) + `"`}}), http.StatusNotModified)
	wantError(t, e.do(apptest.Request{Method: http.MethodGet, Path: first, Token: clerk,
		Header: map[string]string{"Range": "bytes=5000-6000"}}), http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable")
	one := obj(t, apptest.Want(t, e.get(base+"/"+id, clerk), http.StatusOK))
	if vs, _ := one["versions"].([]any); len(vs) != 2 || vs[0].(map[string]any)["sha256"] != hexSHA(v1) {
		t.Fatalf("versions %v", one["versions"])
	}
	list := items(t, apptest.Want(t, e.get(base, clerk), http.StatusOK))
	if len(list) != 1 || list[0]["version"] != 2.0 {
		t.Fatalf("list %v", list)
	}
	if n := len(items(t, apptest.Want(t, e.get(base+"?kind=result", clerk), http.StatusOK))); n != 0 {
		t.Errorf("%d results listed", n)
	}

	// A result, once the dossier is processed; the dossier says so.
	dossierActionOK(t, e, "officer", code, map[string]any{"action": "start"})
	res := `<?xml version="1.0" encoding="UTF-8"?><KetQua><SoHoSo>` + code + `</SoHoSo></KetQua>`
	apptest.Want(t, upload(e, freshToken(e, "officer"), base+"?kind=result&name=ket-qua.xml", []byte(res)), http.StatusCreated)
	dd := obj(t, apptest.Want(t, e.get("/api/v1/dossiers/"+code, clerk), http.StatusOK))
	if dd["digitised"] != true || dd["e_result"] != true {
		t.Errorf("dossier flags digitised %v e_result %v", dd["digitised"], dd["e_result"])
	}
	var actions []string
	for _, h := range dd["history"].([]any) {
		actions = append(actions, h.(map[string]any)["action"].(string))
	}
	if strings.Join(actions, ",") != "receive,attach_file,replace_file,start,attach_file" {
		t.Errorf("history %v", actions)
	}
	p := obj(t, apptest.Want(t, e.get("/api/v1/public/dossiers/"+code+"?pin="+pin, ""), http.StatusOK))
	if st := p["stages"].([]any); len(st) != 2 {
		t.Errorf("the lookup shows file records as stages: %v", st)
	}
	// Three distinct contents, each stored once, no temporary file left.
	if got := storedFiles(t, dir); len(got) != 3 {
		t.Errorf("storage holds %v", got)
	}
}

// TestFilesRefusals: every refusal of the error table, and after each one
// the storage folder is as it was.
func TestFilesRefusals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_STORAGE_URL": "file:" + dir, "MOTCUA_FILE_MAX_BYTES": "1000"}})
	d := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))
	code := d["code"].(string)
	clerk := freshToken(e, "clerk")
	base := "/api/v1/dossiers/" + code + "/files"
	pdf := scanPDF("")
	for _, tt := range []struct {
		name, who, path string
		body            []byte
		status          int
		code, field     string
	}{
		{"viewer", "viewer", base + "?name=a.pdf", pdf, http.StatusForbidden, "forbidden", ""},
		{"admin", "admin", base + "?name=a.pdf", pdf, http.StatusForbidden, "forbidden", ""},
		{"unknown dossier", "clerk", "/api/v1/dossiers/000.00.20.H99-261123-9999/files?name=a.pdf", pdf, http.StatusNotFound, "not_found", ""},
		{"a bad kind", "clerk", base + "?name=a.pdf&kind=scan", pdf, http.StatusBadRequest, "invalid_request", ""},
		{"component id not a number", "clerk", base + "?name=a.pdf&component_id=x", pdf, http.StatusBadRequest, "invalid_request", ""},
		{"flag not a bool", "clerk", base + "?name=a.pdf&digitised=yes", pdf, http.StatusBadRequest, "invalid_request", ""},
		{"sha256 not hex", "clerk", base + "?name=a.pdf&sha256=xyz", pdf, http.StatusBadRequest, "invalid_request", ""},
		{"no name", "clerk", base, pdf, http.StatusUnprocessableEntity, "validation_failed", "name"},
		{"a slash in the name", "clerk", base + "?name=" + url.QueryEscape("../a.pdf"), pdf, http.StatusUnprocessableEntity, "validation_failed", "name"},
		{"unknown component", "clerk", base + "?name=a.pdf&component_id=999999", pdf, http.StatusUnprocessableEntity, "validation_failed", "component_id"},
		{"component with a result", "clerk", base + "?name=a.pdf&kind=result&component_id=1", pdf, http.StatusUnprocessableEntity, "validation_failed", "component_id"},
		{"empty body", "clerk", base + "?name=a.pdf", nil, http.StatusUnprocessableEntity, "validation_failed", "body"},
		{"digest not the body's", "clerk", base + "?name=a.pdf&sha256=" + strings.Repeat("0", 64), pdf, http.StatusUnprocessableEntity, "validation_failed", "sha256"},
		{"too large", "clerk", base + "?name=a.pdf", append(scanPDF(""), bytes.Repeat([]byte("x"), 1000)...), http.StatusRequestEntityTooLarge, "payload_too_large", ""},
		{"text named .pdf", "clerk", base + "?name=a.pdf", []byte("không phải PDF"), http.StatusUnsupportedMediaType, "unsupported_media_type", ""},
		{"a PDF named .png", "clerk", base + "?name=a.png", pdf, http.StatusUnsupportedMediaType, "unsupported_media_type", ""},
	} {
		r := upload(e, freshToken(e, tt.who), tt.path, tt.body)
		b := wantError(t, r, tt.status, tt.code)
		if tt.field != "" {
			wantFields(t, r, tt.field)
		}
		if tt.status == http.StatusRequestEntityTooLarge && b.Error.Details["max_bytes"] != 1000.0 {
			t.Errorf("%s: details %v", tt.name, b.Error.Details)
		}
		if tt.status == http.StatusUnsupportedMediaType {
			if _, ok := b.Error.Details["detected"]; !ok || b.Error.Details["allowed"] == nil {
				t.Errorf("%s: details %v", tt.name, b.Error.Details)
			}
		}
		if got := storedFiles(t, dir); len(got) != 0 {
			t.Fatalf("%s left %v in storage", tt.name, got)
		}
	}
	// A new version meets the same checks on its content.
	f := obj(t, apptest.Want(t, upload(e, clerk, base+"?name=a.pdf", pdf), http.StatusCreated))
	versions := base + "/" + strconvI(f["id"]) + "/versions"
	before := storedFiles(t, dir)
	wantError(t, upload(e, clerk, versions+"?name=b.pdf", append(scanPDF(""), bytes.Repeat([]byte("x"), 1000)...)),
		http.StatusRequestEntityTooLarge, "payload_too_large")
	wantError(t, upload(e, clerk, versions+"?name=b.pdf", []byte("văn bản")), http.StatusUnsupportedMediaType, "unsupported_media_type")
	if got := storedFiles(t, dir); len(got) != len(before) {
		t.Fatalf("refused versions changed the storage: %v, was %v", got, before)
	}
	// The dossier's status: no paper once returned, no result before receipt.
	dossierActionOK(t, e, "officer", code, map[string]any{"action": "start"})
	dossierActionOK(t, e, "leader", code, map[string]any{"action": "resolve", "outcome": "approved"})
	dossierActionOK(t, e, "clerk", code, map[string]any{"action": "return"})
	wantError(t, upload(e, clerk, base+"?name=a.pdf", pdf), http.StatusConflict, "invalid_transition")
	wantError(t, upload(e, clerk, versions+"?name=c.pdf", pdf), http.StatusConflict, "invalid_transition")
	online := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "online"))["code"].(string)
	wantError(t, upload(e, clerk, "/api/v1/dossiers/"+online+"/files?kind=result&name=a.pdf", pdf), http.StatusConflict, "invalid_transition")
	wantError(t, e.get(base+"?kind=scan", clerk), http.StatusBadRequest, "invalid_request")
	wantError(t, e.get(base+"/12345", clerk), http.StatusNotFound, "not_found")
	wantError(t, e.get("/api/v1/dossiers/000.00.20.H99-261123-9999/files", clerk), http.StatusNotFound, "not_found")
	if r := e.do(apptest.Request{Method: http.MethodHead, Path: base + "/12345/content", Token: clerk}); r.Status != http.StatusNotFound {
		t.Errorf("HEAD of an unknown file: %d", r.Status)
	}
}
