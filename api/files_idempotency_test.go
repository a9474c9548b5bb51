package api_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// TestFilesUploadIdempotencyKey: a retried upload with the same key and
// bytes answers the first 201 again and stores nothing new; the key with
// other bytes is 409; a malformed key is refused before the body is read.
func TestFilesUploadIdempotencyKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := start(t, apptest.Options{Env: map[string]string{"MOTCUA_STORAGE_URL": "file:" + dir}})
	code := registerDossier(t, e, "clerk", dossierBody(justiceTenDays, "direct"))["code"].(string)
	clerk := freshToken(e, "clerk")
	base := "/api/v1/dossiers/" + code + "/files"
	send := func(path, key string, body []byte) apptest.Response {
		t.Helper()
		return e.do(apptest.Request{Method: http.MethodPost, Path: path, Token: clerk, Body: body,
			Header: map[string]string{"Idempotency-Key": key, "Content-Type": "application/octet-stream"}})
	}
	scan := scanPDF("% lần 1")
	first := apptest.Want(t, send(base+"?name=cccd.pdf", "quay-3-0001", scan), http.StatusCreated)
	blobs := storedFiles(t, dir)
	again := apptest.Want(t, send(base+"?name=cccd.pdf", "quay-3-0001", scan), http.StatusCreated)
	if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, first.Body) {
		t.Fatalf("retry: replayed %q, body %s, first %s", again.Header.Get("Idempotent-Replayed"), again.Body, first.Body)
	}
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Error("the first answer says it is replayed")
	}
	if n := total(t, apptest.Want(t, e.get(base, clerk), http.StatusOK)); n != 1 {
		t.Fatalf("%d files after a retry, want 1", n)
	}
	if got := storedFiles(t, dir); len(got) != len(blobs) {
		t.Fatalf("a retry stored something: %v, before %v", got, blobs)
	}
	d := obj(t, apptest.Want(t, e.get("/api/v1/dossiers/"+code, clerk), http.StatusOK))
	attached := 0
	for _, h := range d["history"].([]any) {
		if h.(map[string]any)["action"] == "attach_file" {
			attached++
		}
	}
	if attached != 1 {
		t.Errorf("%d attach_file entries, want 1", attached)
	}

	// The key with other bytes, or another query, is another request.
	wantError(t, send(base+"?name=cccd.pdf", "quay-3-0001", scanPDF("% lần 2")), http.StatusConflict, "conflict")
	wantError(t, send(base+"?name=cccd-2.pdf", "quay-3-0001", scan), http.StatusConflict, "conflict")
	if got := storedFiles(t, dir); len(got) != len(blobs) {
		t.Fatalf("a refused retry stored something: %v", got)
	}
	// A malformed key is refused before anything is read or stored.
	wantError(t, send(base+"?name=cccd.pdf", "khóa có dấu", scan), http.StatusBadRequest, "invalid_request")
	// A refused upload keeps nothing with its key: corrected, it runs.
	wantError(t, send(base+"?name=cccd.png", "quay-3-0002", scan), http.StatusUnsupportedMediaType, "unsupported_media_type")
	apptest.Want(t, send(base+"?name=cccd-mat-sau.pdf", "quay-3-0002", scanPDF("% mặt sau")), http.StatusCreated)
	// A new version with a key of its own replays the same way.
	id := strconvI(obj(t, first)["id"])
	v2 := scanPDF("% quét lại")
	a := apptest.Want(t, send(base+"/"+id+"/versions?name=cccd.pdf", "quay-3-0003", v2), http.StatusCreated)
	b := apptest.Want(t, send(base+"/"+id+"/versions?name=cccd.pdf", "quay-3-0003", v2), http.StatusCreated)
	if !bytes.Equal(a.Body, b.Body) || obj(t, b)["version"] != 2.0 {
		t.Fatalf("version retry: %s then %s", a.Body, b.Body)
	}
}
