package api_test

import (
	"bytes"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
	"github.com/motcua/motcua/cmd/motcua/demo"
)

// ==== the tracking book (form 06): its rows against the dossiers of the period

const ppBook = "/api/v1/papers/tracking-book"

// ppBookRows reads the XLSX book: the data rows under the numbered heading
// row, up to the first row without a code.
func ppBookRows(t *testing.T, e *env, query, tok string) [][]string {
	t.Helper()
	r := apptest.Want(t, e.get(ppBook+"?"+query+"&format=xlsx", tok), http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("Content-Type %q", ct)
	}
	if disp, p, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err != nil || disp != "attachment" ||
		!strings.HasPrefix(p["filename"], "mau-06-") || !strings.HasSuffix(p["filename"], ".xlsx") {
		t.Fatalf("Content-Disposition %q", r.Header.Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close() //nolint:errcheck
	sheet := f.GetSheetName(0)
	layout, err := f.GetPageLayout(sheet)
	if err != nil || layout.Orientation == nil || *layout.Orientation != "landscape" || layout.Size == nil || *layout.Size != 9 ||
		layout.FitToWidth == nil || *layout.FitToWidth != 1 {
		t.Errorf("page layout %+v (%v), want A4 landscape one page wide", layout, err)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	started := false
	for _, row := range rows {
		if len(row) > 1 && row[0] == "(1)" {
			started = true
			continue
		}
		if !started {
			continue
		}
		if len(row) < 2 || row[1] == "" {
			break
		}
		out = append(out, row)
	}
	return out
}

func TestPaperTrackingBook(t *testing.T) {
	e := ppStart(t)
	var mine []string
	for i := 0; i < 3; i++ {
		body := dossierBody(justiceTenDays, "direct")
		body["applicant"].(map[string]any)["name"] = "Người nộp " + strconv.Itoa(i+1)
		mine = append(mine, registerDossier(t, e, "clerk", body)["code"].(string))
		e.s.Clock.Advance(10 * time.Minute)
	}
	apptest.Want(t, dossierAction(e, "officer", mine[0], map[string]any{"action": "start"}), http.StatusOK)

	// The dossiers of the period at the centre, as the list shows them.
	list := obj(t, apptest.Want(t, e.get("/api/v1/dossiers?unit_code="+demo.Center+
		"&received_from=2026-11-01&received_to=2026-11-30&page_size=500", freshToken(e, "clerk")), http.StatusOK))
	type want struct{ code, name, received string }
	var wants []want
	for _, it := range list["items"].([]any) {
		d := it.(map[string]any)
		if d["unit_code"] != demo.Center || d["received_at"] == nil {
			continue
		}
		at, _ := time.Parse(time.RFC3339, d["received_at"].(string))
		wants = append(wants, want{d["code"].(string), d["applicant"].(map[string]any)["name"].(string),
			at.In(apptest.Loc).Format("15:04 02/01/2006")})
	}
	sort.SliceStable(wants, func(i, j int) bool {
		if wants[i].received != wants[j].received {
			a, _ := time.Parse("15:04 02/01/2006", wants[i].received)
			b, _ := time.Parse("15:04 02/01/2006", wants[j].received)
			return a.Before(b)
		}
		return wants[i].code < wants[j].code
	})

	rows := ppBookRows(t, e, "unit_code="+demo.Center+"&month=2026-11", freshToken(e, "clerk"))
	if len(rows) != len(wants) || len(rows) < 3 {
		t.Fatalf("book has %d rows, the period %d dossiers:\n%v", len(rows), len(wants), rows)
	}
	for i, w := range wants {
		r := rows[i]
		if r[0] != strconv.Itoa(i+1) || r[1] != w.code || r[4] != w.name || r[7] != w.received {
			t.Errorf("row %d = %q, want %+v", i+1, r, w)
		}
	}
	byCode := map[string][]string{}
	for _, r := range rows {
		byCode[r[1]] = r
	}
	first := byCode[mine[0]]
	if first == nil || first[2] != "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam" || first[3] != "1" ||
		first[5] != "Tổ 5, phường Tân Phong; 0912345678" || first[6] != "Sở Tư pháp" ||
		first[7] != "09:00 23/11/2026" || first[8] != "09:00 07/12/2026" || first[9] != "09:30 23/11/2026" {
		t.Errorf("the first dossier's row: %q", first)
	}
	if r := byCode[mine[1]]; r == nil || len(r) > 9 && r[9] != "" {
		t.Errorf("a dossier not yet handed on has a transfer time: %q", r)
	}

	// Viewers see the address and phone masked.
	for _, r := range ppBookRows(t, e, "unit_code="+demo.Center+"&month=2026-11", freshToken(e, "viewer")) {
		if strings.Contains(r[5], "0912345678") || strings.Contains(r[5], "Tân Phong") {
			t.Errorf("a viewer's book shows %q", r[5])
		}
		if r[1] == mine[0] && r[5] != "***; *******678" {
			t.Errorf("masked contact %q", r[5])
		}
	}

	// The PDF: the same dossiers, the clerk's own unit by default.
	pdf := ppPDF(t, e, ppBook+"?from=2026-11-01&to=2026-11-30", freshToken(e, "clerk"),
		"mau-06-"+demo.Center+"-2026-11-01_2026-11-30.pdf")
	text := ppText(t, pdf)
	ppHas(t, "tracking book", text, "SỔ THEO DÕI HỒ SƠ", "Mẫu số 06", "Nghị định số 118/2025/NĐ-CP",
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Người nộp 1", "Người nộp 3", "NGƯỜI LẬP SỔ")
	for _, w := range wants {
		if !strings.Contains(text, w.code) {
			t.Errorf("the PDF book lacks %s:\n%s", w.code, text)
			break
		}
	}

	// Refusals.
	for _, c := range []struct {
		query, user string
		status      int
	}{
		{"unit_code=" + demo.Center + "&month=2026-11", "officer", http.StatusForbidden},
		{"unit_code=" + demo.Center + "&month=2026-11", "clerk.commune", http.StatusNotFound},
		{"unit_code=no-such-unit&month=2026-11", "clerk", http.StatusNotFound},
		{"unit_code=" + demo.Center, "clerk", http.StatusUnprocessableEntity},
		{"unit_code=" + demo.Center + "&month=2026-13", "clerk", http.StatusUnprocessableEntity},
		{"unit_code=" + demo.Center + "&from=2026-11-30&to=2026-11-01", "clerk", http.StatusUnprocessableEntity},
		{"unit_code=" + demo.Center + "&month=2026-11&year=2026", "clerk", http.StatusUnprocessableEntity},
		{"unit_code=" + demo.Center + "&month=2026-11&format=docx", "clerk", http.StatusUnprocessableEntity},
		{"month=2026-11", "viewer", http.StatusUnprocessableEntity}, // no unit of its own
	} {
		apptest.Want(t, e.get(ppBook+"?"+c.query, freshToken(e, c.user)), c.status)
	}
	// A commune clerk prints the commune's book.
	ppPDF(t, e, ppBook+"?month=2026-11", freshToken(e, "clerk.commune"), "mau-06-"+demo.CommuneA+"-2026-11.pdf")
}
