package api_test

import (
	"bytes"
	"encoding/csv"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// figureOrder are the JSON figures in the exports' column order.
func figureOrder(f figuresJSON) []any {
	return []any{f.ReceivedTotal, f.ReceivedOnline, f.ReceivedDirectPostal, f.CarriedOver, f.ResolvedTotal, f.ResolvedEarly,
		f.ResolvedOnTime, f.ResolvedLate, f.InProgressTotal, f.InProgressWithin, f.InProgressOverdue, f.Withdrawn, f.Stopped,
		f.Rejected, f.OnTimeRate.Value, f.OnlineRate.Value, f.OnSpotResolved, f.OnSpotRate.Value}
}

// cellMatches compares an exported text cell with a JSON figure.
func cellMatches(cell string, v any) bool {
	switch x := v.(type) {
	case int64:
		return cell == strconv.FormatInt(x, 10)
	case *float64:
		if x == nil {
			return cell == ""
		}
		f, err := strconv.ParseFloat(cell, 64)
		return err == nil && f == *x
	}
	return false
}

// wantDownload checks an export's headers and returns its file name.
func wantDownload(t *testing.T, r apptest.Response, contentType, ext string) string {
	t.Helper()
	apptest.Want(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, contentType) {
		t.Fatalf("content type %q, want %q", ct, contentType)
	}
	disp, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || !strings.HasSuffix(params["filename"], "."+ext) {
		t.Fatalf("content disposition %q (%v)", r.Header.Get("Content-Disposition"), err)
	}
	return params["filename"]
}

func readCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("CSV without a UTF-8 BOM: % x", body[:min(8, len(body))])
	}
	recs, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	return recs
}

func TestStatsForm06CSV(t *testing.T) {
	t.Parallel()
	s := statsServer(t, nil)
	populate(t, s, 3, 500)
	tok := s.Token("viewer")
	js := getForm06(t, s, tok, "month=2021-08&group_by=procedure")
	r := s.Get("/api/v1/stats/dossiers?month=2021-08&group_by=procedure&format=csv", tok)
	if name := wantDownload(t, r, "text/csv", "csv"); name != "bao-cao-giai-quyet-tthc-theo-procedure_2021-08_toan-tinh.csv" {
		t.Errorf("file name %q", name)
	}
	recs := readCSV(t, r.Body)
	wantHead := []string{"STT", "Thủ tục hành chính", "Mã", "Số hồ sơ nhận giải quyết: Tổng số", "Số mới tiếp nhận trực tuyến",
		"Số mới tiếp nhận trực tiếp và qua bưu chính", "Số kỳ trước chuyển qua", "Số hồ sơ đã giải quyết: Tổng số", "Trả trước hạn",
		"Trả đúng thời hạn", "Trả quá hạn", "Số hồ sơ đang giải quyết: Tổng số", "Chưa đến hạn", "Quá hạn", "Số hồ sơ rút",
		"Số hồ sơ dừng xử lý", "Số hồ sơ từ chối tiếp nhận", "Tỷ lệ giải quyết đúng hạn (%)", "Tỷ lệ tiếp nhận trực tuyến (%)",
		"Số hồ sơ giải quyết theo phương án 5 tại chỗ", "Tỷ lệ giải quyết theo phương án 5 tại chỗ (%)"}
	if !reflect.DeepEqual(recs[0], wantHead) {
		t.Fatalf("headings\n got  %q\n want %q", recs[0], wantHead)
	}
	if len(recs) != len(js.Rows)+2 {
		t.Fatalf("%d records for %d rows", len(recs), len(js.Rows))
	}
	for i, row := range js.Rows {
		rec := recs[i+1]
		if rec[0] != strconv.Itoa(i+1) || rec[1] != row.Name || rec[2] != row.Group {
			t.Errorf("row %d starts %q", i, rec[:3])
		}
		for j, v := range figureOrder(row.figuresJSON) {
			if !cellMatches(rec[3+j], v) {
				t.Errorf("row %s column %q = %q, want %v", row.Group, wantHead[3+j], rec[3+j], v)
			}
		}
	}
	last := recs[len(recs)-1]
	if last[1] != "Tổng cộng" {
		t.Errorf("last row %q", last)
	}
	for j, v := range figureOrder(js.Total) {
		if !cellMatches(last[3+j], v) {
			t.Errorf("total column %q = %q, want %v", wantHead[3+j], last[3+j], v)
		}
	}
	if js.Total.OnTimeRate.Value == nil || last[17] == "" {
		t.Errorf("on-time rate cell %q", last[17])
	}

	// Accept: text/csv asks for the same export; ?format=json wins over it.
	r2 := s.Do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/stats/dossiers?month=2021-08&group_by=procedure", Token: tok,
		Header: map[string]string{"Accept": "text/csv"}})
	wantDownload(t, r2, "text/csv", "csv")
	if !bytes.Equal(r2.Body, r.Body) {
		t.Error("Accept: text/csv differs from ?format=csv")
	}
	r3 := s.Do(apptest.Request{Method: http.MethodGet, Path: "/api/v1/stats/dossiers?month=2021-08&format=json", Token: tok,
		Header: map[string]string{"Accept": "text/csv"}})
	if ct := r3.Header.Get("Content-Type"); r3.Status != 200 || !strings.HasPrefix(ct, "application/json") {
		t.Errorf("format=json with Accept text/csv: %d %s", r3.Status, ct)
	}
	// A leader's export carries their unit in the file name.
	r4 := s.Get("/api/v1/stats/dossiers?from=2021-08-01&to=2021-08-15&format=csv", s.Token("leader.district"))
	if name := wantDownload(t, r4, "text/csv", "csv"); name != "bao-cao-giai-quyet-tthc-theo-unit_2021-08-01_2021-08-15_T51.csv" {
		t.Errorf("file name %q", name)
	}
}

func TestStatsForm06XLSX(t *testing.T) {
	t.Parallel()
	s := statsServer(t, nil)
	populate(t, s, 4, 500)
	tok := s.Token("leader.district")
	js := getForm06(t, s, tok, "month=2021-08&group_by=field")
	r := s.Get("/api/v1/stats/dossiers?month=2021-08&group_by=field&format=xlsx", tok)
	wantDownload(t, r, xlsxType, "xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close() //nolint:errcheck
	sheet := "Mẫu 06"
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{sheet}) {
		t.Fatalf("sheets %v", got)
	}
	cell := func(ref string) string {
		v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if cell("A1") != "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" {
		t.Errorf("title %q", cell("A1"))
	}
	if !strings.Contains(cell("A3"), "01/08/2021") || !strings.Contains(cell("A3"), "31/08/2021") {
		t.Errorf("period line %q", cell("A3"))
	}
	if !strings.Contains(cell("A4"), "UBND huyện Tam Đường") {
		t.Errorf("unit line %q", cell("A4"))
	}
	merges, err := f.GetMergeCells(sheet)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range merges {
		got[m.GetStartAxis()+":"+m.GetEndAxis()] = m.GetCellValue()
	}
	for rng, text := range map[string]string{
		"A1:U1": "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
		"A7:A9": "STT", "B7:B9": "Lĩnh vực", "C7:C9": "Mã",
		"D7:G7": "Số hồ sơ nhận giải quyết", "D8:D9": "Tổng số", "E8:G8": "Trong đó",
		"H7:P7": "Kết quả giải quyết", "H8:K8": "Số hồ sơ đã giải quyết", "L8:N8": "Số hồ sơ đang giải quyết",
		"O8:O9": "Số hồ sơ rút", "P8:P9": "Số hồ sơ dừng xử lý", "Q7:Q9": "Số hồ sơ từ chối tiếp nhận",
		"R7:R9": "Tỷ lệ giải quyết đúng hạn (%)", "S7:S9": "Tỷ lệ tiếp nhận trực tuyến (%)",
		"T7:U7": "Giải quyết theo phương án 5 tại chỗ", "T8:T9": "Số hồ sơ", "U8:U9": "Tỷ lệ (%)",
	} {
		if v, ok := got[rng]; !ok || v != text {
			t.Errorf("merged %s = %q (present %v), want %q", rng, v, ok, text)
		}
	}
	for ref, text := range map[string]string{"E9": "Số mới tiếp nhận trực tuyến", "F9": "Số mới tiếp nhận trực tiếp và qua bưu chính",
		"G9": "Số kỳ trước chuyển qua", "H9": "Tổng số", "I9": "Trả trước hạn", "J9": "Trả đúng thời hạn", "K9": "Trả quá hạn",
		"L9": "Tổng số", "M9": "Chưa đến hạn", "N9": "Quá hạn"} {
		if cell(ref) != text {
			t.Errorf("%s = %q, want %q", ref, cell(ref), text)
		}
	}
	if len(js.Rows) == 0 {
		t.Fatal("no rows to check")
	}
	for i, row := range js.Rows {
		n := strconv.Itoa(11 + i)
		if cell("A"+n) != strconv.Itoa(i+1) || cell("B"+n) != row.Name || cell("C"+n) != row.Group {
			t.Errorf("row %d: %q %q %q", i, cell("A"+n), cell("B"+n), cell("C"+n))
		}
	}
	total := strconv.Itoa(11 + len(js.Rows))
	if cell("B"+total) != "Tổng cộng" {
		t.Errorf("total label %q", cell("B"+total))
	}
	for j, v := range figureOrder(js.Total) {
		col, _ := excelize.ColumnNumberToName(4 + j)
		ref := col + total
		if !cellMatches(cell(ref), v) {
			t.Errorf("total %s = %q, want %v", ref, cell(ref), v)
		}
		if typ, _ := f.GetCellType(sheet, ref); cell(ref) != "" && typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("total %s is stored as type %v, not a number", ref, typ)
		}
	}
	// Numbers are numbers: the raw sheet XML holds no string cell in the total row's figures.
	if typ, _ := f.GetCellType(sheet, "D"+total); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Error("the total is stored as text")
	}

	// A month without dossiers: no rows, a total of zeros, rates left empty (no denominator).
	e := s.Get("/api/v1/stats/dossiers?month=2020-01&format=xlsx", tok)
	wantDownload(t, e, xlsxType, "xlsx")
	ef, err := excelize.OpenReader(bytes.NewReader(e.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close() //nolint:errcheck
	for ref, want := range map[string]string{"A10": "(1)", "B11": "Tổng cộng", "D11": "0", "H11": "0", "R11": "", "S11": "", "U11": "", "A12": ""} {
		if got, _ := ef.GetCellValue(sheet, ref); got != want {
			t.Errorf("empty report %s = %q, want %q", ref, got, want)
		}
	}
}

// TestStatsSimpleExports: the other reports answer CSV and XLSX too.
func TestStatsSimpleExports(t *testing.T) {
	t.Parallel()
	s := statsServer(t, nil)
	w := populate(t, s, 5, 600)
	tok := s.Token("viewer")
	fb := countFeedback(w.feedback, augustStart, augustEnd, nil)
	for _, c := range []struct {
		path, title, label string
		want               string
	}{
		{"feedback", "THỐNG KÊ TIẾP NHẬN, XỬ LÝ PHẢN ÁNH, KIẾN NGHỊ", "Số phản ánh, kiến nghị tiếp nhận trong kỳ", strconv.FormatInt(fb.received, 10)},
		{"online", "THỐNG KÊ CUNG CẤP DỊCH VỤ CÔNG TRỰC TUYẾN", "Số dịch vụ công đang cung cấp", "1"},
		{"procedures", "THỐNG KÊ THỦ TỤC HÀNH CHÍNH", "Số thủ tục hành chính đang có hiệu lực", "6"},
		{"satisfaction", "THỐNG KÊ MỨC ĐỘ HÀI LÒNG", "Số lượt đánh giá trong kỳ", ""},
	} {
		t.Run(c.path, func(t *testing.T) {
			r := s.Get("/api/v1/stats/"+c.path+"?month=2021-08&format=csv", tok)
			wantDownload(t, r, "text/csv", "csv")
			recs := readCSV(t, r.Body)
			if !reflect.DeepEqual(recs[0], []string{"STT", "Chỉ tiêu", "Giá trị", "Tỷ lệ (%)", "Tử số", "Mẫu số"}) {
				t.Fatalf("headings %q", recs[0])
			}
			found := false
			for _, rec := range recs[1:] {
				if rec[1] == c.label && !found { // the first such line (online: level 2's)
					found = true
					if c.want != "" && rec[2] != c.want {
						t.Errorf("%s = %q, want %s", c.label, rec[2], c.want)
					}
					if _, err := strconv.ParseInt(rec[2], 10, 64); err != nil {
						t.Errorf("%s is not a number: %q", c.label, rec[2])
					}
				}
			}
			if !found {
				t.Errorf("no line %q in %q", c.label, recs)
			}
			x := s.Get("/api/v1/stats/"+c.path+"?month=2021-08&format=xlsx", tok)
			wantDownload(t, x, xlsxType, "xlsx")
			f, err := excelize.OpenReader(bytes.NewReader(x.Body))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close() //nolint:errcheck
			sheet := f.GetSheetList()[0]
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if rows[0][0] != c.title || !strings.HasPrefix(rows[1][0], "Kỳ báo cáo: Tháng 08/2021") || rows[2][0] != "Đơn vị: Toàn tỉnh" {
				t.Errorf("captions %q", rows[:3])
			}
			// The data match the CSV line for line (header row 5).
			for i, rec := range recs {
				got := rows[4+i]
				for j := range rec {
					g := ""
					if j < len(got) {
						g = got[j]
					}
					if a, errA := strconv.ParseFloat(g, 64); errA == nil {
						if b, errB := strconv.ParseFloat(rec[j], 64); errB == nil && a == b {
							continue
						}
					}
					if g != rec[j] {
						t.Errorf("xlsx row %d col %d = %q, csv %q", i, j, g, rec[j])
					}
				}
			}
		})
	}
	// The feedback on-time rate is a number in the CSV, with its numerator and denominator.
	r := s.Get("/api/v1/stats/feedback?month=2021-08&format=csv", tok)
	for _, rec := range readCSV(t, r.Body) {
		if rec[1] == "Tỷ lệ xử lý đúng hạn" {
			want := rateValue(fb.answeredOnTime+fb.refusedOnTime, fb.answered+fb.refused)
			v, err := strconv.ParseFloat(rec[3], 64)
			if want == nil || err != nil || v != *want || rec[4] != strconv.FormatInt(fb.answeredOnTime+fb.refusedOnTime, 10) {
				t.Errorf("feedback rate line %q, want %v", rec, want)
			}
		}
	}
}
