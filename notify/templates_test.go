package notify_test

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
// Review the diff after `go test ./notify -update`: it is what citizens
// will read.
func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// goldenData is fixed data in the shape DossierData gives, with every
// field set so that every part of every template shows in its golden file.
func goldenData() notify.Data {
	return notify.Data{
		Code:          "000.00.12.H01-261205-0001",
		ProcedureCode: "1.001234",
		ProcedureName: "Đăng ký hộ kinh doanh",
		AgencyName:    "UBND huyện Đông Anh",
		ReceivedAt:    "08:30 ngày 01/12/2026",
		AppointmentAt: "15:00 ngày 05/12/2026",
		DueAt:         "17:00 ngày 05/12/2026",
		Reason:        "Thiếu bản sao hợp đồng thuê nhà",
		Items:         []string{"Bản sao chứng thực hợp đồng thuê nhà", "Giấy ủy quyền"},
		Amount:        "100.000 đồng",
		LookupURL:     "https://dichvucong.example.gov.vn/tra-cuu",
	}
}

func TestBuiltinTemplates(t *testing.T) {
	tpl, err := notify.Load("", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range []struct {
		name string
		d    notify.Data
	}{{"full", goldenData()}, {"bare", notify.Data{Code: "000.00.12.H01-261205-0001"}}} {
		d := data.d
		for _, typ := range notify.Types() {
			m, ok, err := tpl.Email(typ, d)
			if err != nil || !ok {
				t.Fatalf("%s e-mail: ok %v, %v", typ, ok, err)
			}
			if !strings.Contains(m.Subject, d.Code) || !strings.Contains(m.Body, d.Code) {
				t.Errorf("%s e-mail does not name the code in its subject and body: %q", typ, m.Subject)
			}
			golden(t, filepath.Join("email", data.name, typ+".golden"), "Subject: "+m.Subject+"\n\n"+m.Body)

			s, ok, err := tpl.SMS(typ, d)
			if err != nil || !ok {
				t.Fatalf("%s SMS: ok %v, %v", typ, ok, err)
			}
			if !strings.Contains(s, d.Code) {
				t.Errorf("%s SMS does not name the code: %q", typ, s)
			}
			if n := utf8.RuneCountInString(s); n > 160 {
				t.Errorf("%s SMS is %d characters", typ, n)
			}
			for _, r := range s {
				if r > 0x7e {
					t.Errorf("%s SMS has the accented or non-ASCII %q: %q", typ, r, s)
					break
				}
			}
			golden(t, filepath.Join("sms", data.name, typ+".golden"), s+"\n")
		}
	}
	if _, ok, _ := tpl.Email("dossier.start", goldenData()); ok {
		t.Fatal("a message for dossier.start, which citizens are not told about")
	}
}

// TestDataHasNoPersonalFields makes the rule structural: a field added to
// Data fails here until this list, and the reason it is safe, are
// reviewed.
func TestDataHasNoPersonalFields(t *testing.T) {
	want := []string{"Code", "ProcedureCode", "ProcedureName", "AgencyName", "ReceivedAt", "AppointmentAt", "DueAt",
		"Reason", "Items", "Amount", "LookupURL"}
	var got []string
	typ := reflect.TypeFor[notify.Data]()
	for i := range typ.NumField() {
		got = append(got, typ.Field(i).Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("notify.Data fields = %v, want %v", got, want)
	}
}

func TestNoPersonalDataInMessages(t *testing.T) {
	const pin, phone, name, idNumber, email, address = "482913", "0912345678", "Nguyễn Văn An", "001090012345", "an.nguyen@example.vn", "12 Phố Huế"
	at := time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC)
	due := at.Add(100 * time.Hour)
	amount := int64(100000)
	d := dossier.Dossier{
		Code: "000.00.12.H01-261205-0001", ProcedureCode: "1.001234",
		Applicant: dossier.Applicant{Name: name, IDNumber: idNumber, Phone: phone, Email: email, Address: address},
		Note:      "PIN " + pin + " cho " + name + " " + phone, Assignee: "can.bo.tran",
		ReceivedAt: &at, DueAt: &due, AppointmentAt: &due, PaymentAmount: &amount,
	}
	data := notify.DossierData(d, "Đăng ký hộ kinh doanh", "UBND huyện Đông Anh", time.FixedZone("ICT", 7*3600), "https://dvc.example.vn/tra-cuu/{code}")
	if data.ReceivedAt != "08:30 ngày 01/12/2026" || data.Amount != "100.000 đồng" || data.LookupURL != "https://dvc.example.vn/tra-cuu/000.00.12.H01-261205-0001" {
		t.Fatalf("DossierData = %+v", data)
	}
	tpl, err := notify.Load("", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range notify.Types() {
		m, _, err := tpl.Email(typ, data)
		if err != nil {
			t.Fatal(err)
		}
		s, _, err := tpl.SMS(typ, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{m.Subject, m.Body, s} {
			for _, secret := range []string{pin, phone, name, "Nguyen Van An", idNumber, email, address, "can.bo.tran"} {
				if strings.Contains(text, secret) {
					t.Errorf("%s message contains %q", typ, secret)
				}
			}
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	file := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOverrides(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "email/dossier.accept.txt", "Subject: Hồ sơ {{.Code}} của tỉnh\n\nNội dung riêng {{.Code}}.\n")
	writeFile(t, dir, "sms/dossier.reject.txt", "")
	writeFile(t, dir, "sms/dossier.accept.txt", "Hồ sơ {{.Code}} đã tiếp nhận tại {{.AgencyName}}")
	tpl, err := notify.Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	d := goldenData()
	if m, ok, _ := tpl.Email("dossier.accept", d); !ok || m.Subject != "Hồ sơ "+d.Code+" của tỉnh" || m.Body != "Nội dung riêng "+d.Code+".\n" {
		t.Fatalf("override not used: %+v", m)
	}
	if m, ok, _ := tpl.Email("dossier.receive", d); !ok || !strings.HasPrefix(m.Subject, "Tiếp nhận hồ sơ") {
		t.Fatalf("a type without an override lost its default: %+v", m)
	}
	if _, ok, err := tpl.SMS("dossier.reject", d); ok || err != nil {
		t.Fatalf("an empty override must turn the SMS off: ok %v, %v", ok, err)
	}
	if s, _, _ := tpl.SMS("dossier.accept", d); s != "Ho so "+d.Code+" da tiep nhan tai UBND huyen Dong Anh" {
		t.Fatalf("an accented override must be sent unaccented: %q", s)
	}
}

func TestBadOverridesFailAtLoad(t *testing.T) {
	for _, tt := range []struct{ name, file, content, want string }{
		{"unknown field", "email/dossier.reject.txt", "Subject: {{.Code}}\n\n{{.ApplicantName}}", "ApplicantName"},
		{"unknown field in a branch", "sms/dossier.reject.txt", "{{.Code}}{{if .Reason}}{{.Pin}}{{end}}", "Pin"},
		{"does not parse", "email/feedback.answer.txt", "Subject: {{.Code}\n\nx", "feedback.answer.txt"},
		{"no subject", "email/dossier.resolve.txt", "Hồ sơ {{.Code}}\n\nx", "Subject"},
		{"no blank line", "email/dossier.resolve.txt", "Subject: {{.Code}}\nx", "blank line"},
		{"SMS too long", "sms/dossier.resolve.txt", "{{.Code}} " + strings.Repeat("x", 140), "160"},
		{"unknown file", "email/dossier.acept.txt", "Subject: x\n\ny", "dossier.acept.txt"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, tt.file, tt.content)
			_, err := notify.Load(dir, "")
			if err == nil {
				t.Fatal("Load accepted the template")
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, tt.file)) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not name the file and %q", err, tt.want)
			}
		})
	}
}

func TestUnaccent(t *testing.T) {
	for in, want := range map[string]string{
		"Hồ sơ đã được tiếp nhận":     "Ho so da duoc tiep nhan",
		"ĐƯỜNG Lê Lợi, Quận Ba Đình":  "DUONG Le Loi, Quan Ba Dinh",
		"ăâêôơư ẮẰẲẴẶ ỳỷỹỵý":          "aaeoou AAAAA yyyyy",
		"15:00 ngày 05/12/2026":       "15:00 ngay 05/12/2026",
		"“trích dẫn” — €\t1\nhai":     "?trich dan? ? ? 1\nhai",
		"plain ASCII stays as it is.": "plain ASCII stays as it is.",
	} {
		if got := notify.Unaccent(in); got != want {
			t.Errorf("Unaccent(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatting(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	if got := notify.FormatTime(time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC), loc); got != "15:00 ngày 05/12/2026" {
		t.Errorf("FormatTime = %q", got)
	}
	if got := notify.FormatTime(time.Time{}, loc); got != "" {
		t.Errorf("FormatTime(zero) = %q", got)
	}
	for n, want := range map[int64]string{0: "0 đồng", 999: "999 đồng", 1000: "1.000 đồng", 100000: "100.000 đồng", 1234567: "1.234.567 đồng", -5000: "-5.000 đồng"} {
		if got := notify.FormatAmount(n); got != want {
			t.Errorf("FormatAmount(%d) = %q, want %q", n, got, want)
		}
	}
	for _, tt := range []struct{ portal, want string }{
		{"", ""},
		{"https://dvc.example.vn", "https://dvc.example.vn"},
		{"https://dvc.example.vn/tra-cuu?ma={code}", "https://dvc.example.vn/tra-cuu?ma=A%2FB"},
	} {
		if got := notify.LookupURL(tt.portal, "A/B"); got != tt.want {
			t.Errorf("LookupURL(%q) = %q, want %q", tt.portal, got, tt.want)
		}
	}
}
