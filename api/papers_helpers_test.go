package api_test

import (
	"bytes"
	"flag"
	"mime"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// ==== helpers of the printed papers' tests (prefix pp): the PDFs are read
// back as people read them, with poppler's pdftotext and pdftoppm and
// zbar's zbarimg. With CI=true a missing tool fails the test.

var updatePapers = flag.Bool("update-papers", false, "rewrite testdata/papers/*.txt from the PDFs rendered now")

const ppPublicURL = "https://dichvucong.example.vn"

func ppStart(t *testing.T) *env {
	t.Helper()
	ppTools(t)
	t.Parallel()
	return start(t, apptest.Options{Env: map[string]string{"MOTCUA_PUBLIC_URL": ppPublicURL}})
}

// ppTools skips (or, with CI=true, fails) the test without the readers.
func ppTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"pdftotext", "pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed to read the papers back (Debian: poppler-utils, zbar-tools)", tool)
			}
			suiteIncomplete.Store(true)
			t.Skipf("no %s on this machine (Debian: poppler-utils, zbar-tools)", tool)
		}
	}
}

// ppPDF fetches path as tok, checks the answer is an inline PDF named
// name, and returns it.
func ppPDF(t *testing.T, e *env, path, tok, name string) []byte {
	t.Helper()
	r := apptest.Want(t, e.get(path, tok), http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("%s: Content-Type %q", path, ct)
	}
	disp, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
	if err != nil || disp != "inline" || params["filename"] != name {
		t.Fatalf("%s: Content-Disposition %q, want inline; filename=%q", path, r.Header.Get("Content-Disposition"), name)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Fatalf("%s: Cache-Control %q", path, cc)
	}
	if !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
		t.Fatalf("%s: not a PDF", path)
	}
	return r.Body
}

// ppText is the text of a PDF as pdftotext -layout reads it.
func ppText(t *testing.T, pdf []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "paper.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// ppQR decodes the QR codes of the PDF's first page at 150 dpi.
func ppQR(t *testing.T, pdf []byte) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "paper.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", file,
		filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	cmd := exec.Command("zbarimg", "--raw", "-q", filepath.Join(dir, "page.png"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zbarimg found no code: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// ppMask blanks the print time, the one line two prints of a paper may
// differ in.
func ppMask(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.Contains(l, "In lúc") {
			lines[i] = "[print time]"
		}
	}
	return strings.Join(lines, "\n")
}

// ppGolden compares the masked text with testdata/papers/name.txt
// (-update-papers rewrites it).
func ppGolden(t *testing.T, name, text string) {
	t.Helper()
	file := filepath.Join("testdata", "papers", name+".txt")
	text = ppMask(text)
	if *updatePapers {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./api/ -run Paper -update-papers)", err)
	}
	if string(want) != text {
		t.Errorf("%s differs from %s:\n%s", name, file, text)
	}
}

// ppHas fails for each of wants the text lacks (pdftotext may break a long
// line: spaces are compared loosely).
func ppHas(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range wants {
		if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}
