package files_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/files"
)

// fields returns the fields of a validation error, failing on any other.
func fields(t *testing.T, err error) map[string]string {
	t.Helper()
	if err == nil {
		return nil
	}
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("error %v is not a domain error", err)
	}
	switch de.Kind {
	case domain.KindValidation:
		return de.Fields
	case domain.KindUnsupportedMedia:
		// A refused type or extension: an unsupported media error whose
		// details say what the kind takes. Which of the two it is shows in
		// the message; the test maps it onto the field it concerns.
		if allowed, _ := de.Details["allowed"].([]string); len(allowed) == 0 {
			t.Fatalf("unsupported media error %v lists no allowed types", err)
		}
		if strings.HasPrefix(de.Message, "Phần mở rộng") {
			return map[string]string{files.FieldName: de.Message}
		}
		return map[string]string{files.FieldContent: de.Message}
	}
	t.Fatalf("error %v is neither a validation nor an unsupported media error", err)
	return nil
}

func TestCheckTypeTable(t *testing.T) {
	c, r := files.KindComponent, files.KindResult
	for _, tc := range []struct {
		kind        files.Kind
		contentType string
		name        string
		field       string // "" when accepted
	}{
		{c, files.TypePDF, "don.pdf", ""},
		{r, files.TypePDF, "ket-qua.PDF", ""},
		{c, files.TypeJPEG, "anh.jpg", ""},
		{c, files.TypeJPEG, "anh.JPEG", ""},
		{r, files.TypeJPEG, "anh.jpg", files.FieldContent},
		{c, files.TypePNG, "anh.png", ""},
		{r, files.TypePNG, "anh.png", files.FieldContent},
		{c, files.TypeTIFF, "scan.tif", ""},
		{c, files.TypeTIFF, "scan.Tiff", ""},
		{r, files.TypeTIFF, "scan.tif", files.FieldContent},
		{c, files.TypeDOCX, "to-khai.docx", ""},
		{r, files.TypeDOCX, "to-khai.docx", files.FieldContent},
		{c, files.TypeXLSX, "bang.xlsx", ""},
		{r, files.TypeXLSX, "bang.xlsx", files.FieldContent},
		{r, files.TypeXML, "ket-qua.xml", ""},
		{c, files.TypeXML, "ket-qua.xml", files.FieldContent},
		// Extensions must match the detected type.
		{c, files.TypePNG, "anh.pdf", files.FieldName},
		{c, files.TypePDF, "don.pdf.exe", files.FieldName},
		{c, files.TypePDF, "don", files.FieldName},
		{c, files.TypePDF, "don.pdf ", files.FieldName},
		{c, files.TypeDOCX, "to-khai.doc", files.FieldName},
		{c, files.TypeXLSX, "bang.xls", files.FieldName},
		{c, files.TypeJPEG, "anh.jpe", files.FieldName},
		{r, files.TypeXML, "ket-qua.svg", files.FieldName},
		// A non-ASCII letter that lowers to an ASCII one is no match.
		{c, files.TypePDF, "don.\u0130df", files.FieldName},
		// Anything outside the table is refused, whatever the name.
		{c, "", "don.pdf", files.FieldContent},
		{r, "", "ket-qua.xml", files.FieldContent},
		{c, "text/plain", "ghi-chu.txt", files.FieldContent},
		{r, "image/svg+xml", "ket-qua.svg", files.FieldContent},
		{r, "text/html", "ket-qua.html", files.FieldContent},
		{c, "application/zip", "goi.zip", files.FieldContent},
		{r, "text/xml", "ket-qua.xml", files.FieldContent},
		{"other", files.TypePDF, "don.pdf", files.FieldKind},
		{"", files.TypePDF, "don.pdf", files.FieldKind},
	} {
		f := fields(t, files.CheckType(tc.kind, tc.contentType, tc.name))
		if tc.field == "" {
			if f != nil {
				t.Errorf("CheckType(%q, %q, %q) refused: %v", tc.kind, tc.contentType, tc.name, f)
			}
			continue
		}
		if len(f) != 1 || f[tc.field] == "" {
			t.Errorf("CheckType(%q, %q, %q) = %v, want a reason on %q", tc.kind, tc.contentType, tc.name, f, tc.field)
		}
	}
}

func TestCheckTypeMessages(t *testing.T) {
	f := fields(t, files.CheckType(files.KindResult, files.TypePNG, "a.png"))
	if want := "kết quả giải quyết chỉ nhận tệp PDF hoặc XML"; !strings.Contains(f[files.FieldContent], want) {
		t.Errorf("result refusal = %q, want it to contain %q", f[files.FieldContent], want)
	}
	f = fields(t, files.CheckType(files.KindComponent, "", "a.png"))
	if want := "thành phần hồ sơ chỉ nhận tệp PDF, JPEG, PNG, TIFF, DOCX hoặc XLSX"; !strings.Contains(f[files.FieldContent], want) {
		t.Errorf("component refusal = %q, want it to contain %q", f[files.FieldContent], want)
	}
	f = fields(t, files.CheckType(files.KindComponent, files.TypeJPEG, "a.png"))
	if want := "phải là .jpg hoặc .jpeg"; !strings.Contains(f[files.FieldName], want) {
		t.Errorf("extension refusal = %q, want it to contain %q", f[files.FieldName], want)
	}
}

func TestTypesTable(t *testing.T) {
	want := map[string]struct {
		exts              string
		component, result bool
	}{
		"application/pdf": {".pdf", true, true},
		"image/jpeg":      {".jpg .jpeg", true, false},
		"image/png":       {".png", true, false},
		"image/tiff":      {".tif .tiff", true, false},
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx", true, false},
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       {".xlsx", true, false},
		"application/xml": {".xml", false, true},
	}
	got := files.Types()
	if len(got) != len(want) {
		t.Fatalf("%d types, want %d", len(got), len(want))
	}
	for _, ty := range got {
		w, ok := want[ty.ContentType]
		if !ok {
			t.Errorf("unexpected type %q", ty.ContentType)
			continue
		}
		if e := strings.Join(ty.Extensions, " "); e != w.exts || ty.Component != w.component || ty.Result != w.result {
			t.Errorf("%s = %q component=%v result=%v, want %q %v %v", ty.ContentType, e, ty.Component, ty.Result, w.exts, w.component, w.result)
		}
		if l, ok := files.Lookup(ty.ContentType); !ok || l.ContentType != ty.ContentType {
			t.Errorf("Lookup(%q) = %v, %v", ty.ContentType, l, ok)
		}
	}
	// The table handed out is a copy.
	got[0].Extensions[0] = ".exe"
	got[0].Result = false
	if p, _ := files.Lookup(files.TypePDF); p.Extensions[0] != ".pdf" || !p.Result {
		t.Error("changing the result of Types changed the table")
	}
	if _, ok := files.Lookup("application/octet-stream"); ok {
		t.Error("Lookup accepts application/octet-stream")
	}
}

func TestCheckName(t *testing.T) {
	for _, ok := range []string{
		"Đơn đề nghị cấp phép.pdf",
		"a",
		".pdf",
		"tên có  hai  khoảng trắng.docx",
		strings.Repeat("ệ", 255),
	} {
		if err := files.CheckName(ok); err != nil {
			t.Errorf("CheckName(%q) = %v", ok, err)
		}
	}
	for name, want := range map[string]string{
		"":                         "bắt buộc",
		"   ":                      "bắt buộc",
		strings.Repeat("ệ", 256):   "quá dài",
		strings.Repeat("a", 256):   "quá dài",
		"thư mục/tệp.pdf":          "/",
		`thư mục\tệp.pdf`:          `\`,
		"a\x00b.pdf":               "ký tự điều khiển",
		"a\nb.pdf":                 "ký tự điều khiển",
		"a\tb.pdf":                 "ký tự điều khiển",
		"a\u0085b.pdf":             "ký tự điều khiển",
		"a\x7fb.pdf":               "ký tự điều khiển",
		"a\xffb.pdf":               "UTF-8",
		".":                        "không hợp lệ",
		"..":                       "không hợp lệ",
		"../../etc/passwd":         "/",
		`..\..\windows\system.ini`: `\`,
	} {
		f := fields(t, files.CheckName(name))
		if len(f) != 1 || !strings.Contains(f[files.FieldName], want) {
			t.Errorf("CheckName(%q) = %v, want a reason on name containing %q", name, f, want)
		}
	}
}

func TestValidSHA256(t *testing.T) {
	good := strings.Repeat("0123456789abcdef", 4)
	if !files.ValidSHA256(good) {
		t.Errorf("ValidSHA256(%q) = false", good)
	}
	for _, bad := range []string{
		"",
		good[:63],
		good + "0",
		strings.ToUpper(good),
		good[:62] + "/x",
		"../" + good[3:],
		good[:63] + "g",
	} {
		if files.ValidSHA256(bad) {
			t.Errorf("ValidSHA256(%q) = true", bad)
		}
	}
}

func TestErrContentNotFoundIsNotFound(t *testing.T) {
	if k := domain.KindOf(files.ErrContentNotFound); k != domain.KindNotFound {
		t.Errorf("kind %v", k)
	}
}
