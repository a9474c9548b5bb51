package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/repository"
)

// TestPersonalDataIsSealedAtRest stores ID numbers, phones and e-mails by
// every way in (a clerk's registration, a citizen's feedback, an import,
// the demo seed), reads them back through the API in clear, and then finds
// none of them in clear anywhere in the database: every cell of every
// table, and on SQLite the database and WAL files byte for byte.
func TestPersonalDataIsSealedAtRest(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	s := e.s

	body := dossierBody(planningThreeDays, "direct")
	body["applicant"] = map[string]any{"name": "Đặng Thị Kín", "id_number": "079204123456", "phone": "0977 123 456",
		"email": "dang.kin@example.vn", "address": "Số 7 ngõ Kín, phường Bí Mật"}
	d := registerDossier(t, e, "clerk", body)
	code := d["code"].(string)
	got := obj(t, apptest.Want(t, e.get("/api/v1/dossiers/"+code, freshToken(e, "clerk")), http.StatusOK))
	if a, _ := got["applicant"].(map[string]any); a["id_number"] != "079204123456" || a["phone"] != "0977 123 456" ||
		a["email"] != "dang.kin@example.vn" || a["address"] != "Số 7 ngõ Kín, phường Bí Mật" {
		t.Fatalf("the clerk reads back %v", got["applicant"])
	}

	fb := apptest.Want(t, s.Post("/api/v1/public/feedback", "", map[string]any{"category": "procedure",
		"title": "Hỏi về hồ sơ", "content": "Xin cho biết tiến độ.",
		"sender": map[string]any{"name": "Vũ Văn Kín", "phone": "0966 222 333", "email": "vu.kin@example.vn",
			"address": "Thôn Kín, xã Bí Mật"}}), http.StatusCreated).JSON(t)
	fcode := fb["code"].(string)
	fgot := apptest.Want(t, s.Get("/api/v1/feedback/"+fcode, s.Token("admin")), http.StatusOK).JSON(t)
	if snd, _ := fgot["sender"].(map[string]any); snd["phone"] != "0966 222 333" || snd["email"] != "vu.kin@example.vn" {
		t.Fatalf("the admin reads back sender %v", fgot["sender"])
	}

	line := fmt.Sprintf(`{"code":"SEAL-1","procedure_code":%q,"unit_code":%q,"channel":"direct","status":"received",`+
		`"applicant":{"name":"Lý Văn Nhập","id_number":"001188776655","phone":"0355 444 555","email":"ly.nhap@example.vn"},`+
		`"received_at":"2021-03-01T08:00:00+07:00"}`, importProcedureCode, demo.Center)
	if r := apptest.Want(t, postImport(s, "dossiers", s.Token("admin"), line), http.StatusOK); !strings.Contains(string(r.Body), `"imported":1`) {
		t.Fatalf("import: %s", r.Body)
	}
	imp := obj(t, apptest.Want(t, e.get("/api/v1/dossiers/SEAL-1", freshToken(e, "admin")), http.StatusOK))
	if a, _ := imp["applicant"].(map[string]any); a["id_number"] != "001188776655" || a["email"] != "ly.nhap@example.vn" {
		t.Fatalf("the imported applicant reads back %v", imp["applicant"])
	}

	// What to look for: every ID number, phone and e-mail stored (the
	// demo's too), opened with the key. Addresses are sealed as well, but
	// as free text they may rightly recur in a feedback item's content.
	var secrets []string
	for col, vs := range s.StoredPersonalData() {
		if strings.HasSuffix(col, "_address") {
			continue
		}
		for _, v := range vs {
			if len(v) >= 6 {
				secrets = append(secrets, v)
			}
		}
	}
	for _, must := range []string{"079204123456", "0977 123 456", "dang.kin@example.vn", "0966 222 333", "vu.kin@example.vn",
		"001188776655", "0355 444 555", "ly.nhap@example.vn"} {
		if !contains(secrets, must) {
			t.Fatalf("%q is not among the %d stored values: the check would look for nothing", must, len(secrets))
		}
	}
	if len(secrets) < 20 {
		t.Fatalf("only %d personal values stored: the demo seed lost its applicants", len(secrets))
	}

	db := s.App.DB
	var tables []string
	if repository.Dialect(db) == "postgres" {
		noErr(t, db.Raw(`SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`).Scan(&tables).Error)
	} else {
		noErr(t, db.Raw(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1`).Scan(&tables).Error)
	}
	if !contains(tables, "dossiers") || !contains(tables, "feedback") || !contains(tables, "audit_log") {
		t.Fatalf("tables %v", tables)
	}
	cells := 0
	for _, table := range tables {
		rows, err := db.Raw(`SELECT * FROM "` + table + `"`).Rows()
		noErr(t, err)
		cols, err := rows.Columns()
		noErr(t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			noErr(t, rows.Scan(ptrs...))
			for i, v := range vals {
				var cell string
				switch x := v.(type) {
				case nil:
					continue
				case []byte:
					cell = string(x)
				default:
					cell = fmt.Sprint(x)
				}
				cells++
				for _, sec := range secrets {
					if strings.Contains(cell, sec) {
						t.Errorf("%s.%s holds %q in clear", table, cols[i], sec)
					}
				}
			}
		}
		noErr(t, rows.Close())
	}
	var sealed string
	noErr(t, db.Raw("SELECT applicant_phone FROM dossiers WHERE code = ?", code).Scan(&sealed).Error)
	if !strings.HasPrefix(sealed, "enc1:1:") {
		t.Errorf("the stored phone is %q, want a value sealed under key 1", sealed)
	}

	if repository.Dialect(db) == "sqlite" {
		// The files themselves, as a copy of the disk would show them.
		noErr(t, db.Exec("PRAGMA wal_checkpoint(PASSIVE)").Error)
		var files []struct {
			Seq  int
			Name string
			File string
		}
		noErr(t, db.Raw("PRAGMA database_list").Scan(&files).Error)
		read := 0
		for _, f := range files {
			if f.Name != "main" || f.File == "" {
				continue
			}
			for _, path := range []string{f.File, f.File + "-wal"} {
				b, err := os.ReadFile(path)
				if os.IsNotExist(err) {
					continue
				}
				noErr(t, err)
				read += len(b)
				for _, sec := range secrets {
					if bytes.Contains(b, []byte(sec)) {
						t.Errorf("%s holds %q in clear", path, sec)
					}
				}
			}
		}
		if read == 0 {
			t.Fatal("no database file was read")
		}
	}
	t.Logf("%d personal values looked for in %d cells of %d tables", len(secrets), cells, len(tables))
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
