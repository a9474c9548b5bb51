package config_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/config"
)

func TestDVCQGDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	d := c.DVCQG
	if d.On() || d.URL != "" || d.Interval != time.Minute || d.RetryBase != 30*time.Second || d.MaxAttempts != 10 ||
		d.Timeout != 30*time.Second {
		t.Fatalf("defaults %+v", d)
	}
}

func TestDVCQGValues(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"MOTCUA_DVCQG_URL":          " https://dvcqg.example.gov.vn/api/hoso/?token=tok-secret ",
		"MOTCUA_DVCQG_USERNAME":     "tinh-user",
		"MOTCUA_DVCQG_PASSWORD":     "pass-secret",
		"MOTCUA_DVCQG_INTERVAL":     "1",
		"MOTCUA_DVCQG_RETRY_BASE":   "2",
		"MOTCUA_DVCQG_MAX_ATTEMPTS": "3",
		"MOTCUA_DVCQG_TIMEOUT":      "4",
	}))
	if err != nil {
		t.Fatal(err)
	}
	d := c.DVCQG
	if !d.On() || string(d.URL) != "https://dvcqg.example.gov.vn/api/hoso/?token=tok-secret" || string(d.Username) != "tinh-user" ||
		string(d.Password) != "pass-secret" || d.Interval != time.Second || d.RetryBase != 2*time.Second ||
		d.MaxAttempts != 3 || d.Timeout != 4*time.Second {
		t.Fatalf("values %+v", d)
	}
	// The URL (it may hold a token) and the credentials never print.
	var log bytes.Buffer
	slog.New(slog.NewJSONHandler(&log, nil)).Info("config", "cfg", c)
	for _, out := range []string{log.String(), fmt.Sprintf("%v %+v %#v", c, c, c)} {
		for _, s := range []string{"tok-secret", "tinh-user", "pass-secret"} {
			if strings.Contains(out, s) {
				t.Fatalf("%s printed: %s", s, out)
			}
		}
	}
}

func TestDVCQGRefused(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"URL relative":          {"MOTCUA_DVCQG_URL": "/dvcqg"},
		"URL not http":          {"MOTCUA_DVCQG_URL": "ftp://dvcqg.example.gov.vn"},
		"URL without host":      {"MOTCUA_DVCQG_URL": "https://"},
		"URL with a fragment":   {"MOTCUA_DVCQG_URL": "https://dvcqg.example.gov.vn/#x"},
		"URL with a user":       {"MOTCUA_DVCQG_URL": "https://u:p@dvcqg.example.gov.vn"},
		"URL with a space":      {"MOTCUA_DVCQG_URL": "https://dvcqg.example.gov.vn/a b"},
		"URL not a URL":         {"MOTCUA_DVCQG_URL": "dvcqg.example.gov.vn"},
		"interval zero":         {"MOTCUA_DVCQG_INTERVAL": "0"},
		"interval negative":     {"MOTCUA_DVCQG_INTERVAL": "-5"},
		"interval not a number": {"MOTCUA_DVCQG_INTERVAL": "1m"},
		"base zero":             {"MOTCUA_DVCQG_RETRY_BASE": "0"},
		"base negative":         {"MOTCUA_DVCQG_RETRY_BASE": "-1"},
		"base over the cap":     {"MOTCUA_DVCQG_RETRY_BASE": "3601"},
		"attempts zero":         {"MOTCUA_DVCQG_MAX_ATTEMPTS": "0"},
		"attempts negative":     {"MOTCUA_DVCQG_MAX_ATTEMPTS": "-3"},
		"timeout zero":          {"MOTCUA_DVCQG_TIMEOUT": "0"},
		"timeout negative":      {"MOTCUA_DVCQG_TIMEOUT": "-30"},
		"username with a colon": {"MOTCUA_DVCQG_URL": "https://x.example", "MOTCUA_DVCQG_USERNAME": "a:b"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := config.Load(env(vars))
			if err == nil || !strings.Contains(err.Error(), "MOTCUA_DVCQG_") {
				t.Fatalf("err = %v", err)
			}
			for _, v := range vars {
				if len(v) > 8 && strings.Contains(err.Error(), v) {
					t.Fatalf("the error repeats the value %q: %v", v, err)
				}
			}
		})
	}
}
