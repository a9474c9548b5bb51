package app_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app"
	"github.com/motcua/motcua/config"
	"github.com/motcua/motcua/repository"
)

// TestNewRefusesABrokenTemplate: a template override that does not parse,
// or prints a field that does not exist, stops New (and so serve) with an
// error naming the file.
func TestNewRefusesABrokenTemplate(t *testing.T) {
	for name, content := range map[string]string{
		"email/dossier.reject.txt":  "Subject: {{.Code}\n\nx\n",
		"sms/feedback.refuse.txt":   "{{.Code}} {{.ApplicantPhone}}",
		"email/dossier.resolve.txt": "Kết quả {{.Code}}\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{
				"MOTCUA_JWT_SECRET":    "test-secret-test-secret-test-secret-0123",
				"MOTCUA_DATA_KEY":      "test-data-key-test-data-key-test-data-key",
				"MOTCUA_STORAGE_URL":   "file:" + t.TempDir(),
				"MOTCUA_TEMPLATES_DIR": dir,
			}
			cfg, err := config.Load(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			db := repository.OpenTest(t)
			a, err := app.New(context.Background(), cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
			if err == nil {
				_ = a.Close(context.Background())
				t.Fatal("New accepted a broken template")
			}
			if !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "MOTCUA_TEMPLATES_DIR") {
				t.Fatalf("the error does not name the file %s: %v", file, err)
			}
		})
	}
}
