package config_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/motcua/motcua/config"
)

func TestOpen311Defaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	o := c.Open311
	if len(o.APIKeys) != 0 || o.Contact != "Bộ phận Một cửa — motcua" || o.PublicBaseURL != "" {
		t.Fatalf("defaults %+v", o)
	}
}

func TestOpen311Values(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"MOTCUA_OPEN311_API_KEYS": " key-one , ,key-two,",
		"MOTCUA_OPEN311_CONTACT":  "Văn phòng UBND tỉnh, 0213 3876 543",
		"MOTCUA_PUBLIC_BASE_URL":  "https://dichvucong.example.gov.vn/motcua/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	o := c.Open311
	if len(o.APIKeys) != 2 || string(o.APIKeys[0]) != "key-one" || string(o.APIKeys[1]) != "key-two" ||
		o.Contact != "Văn phòng UBND tỉnh, 0213 3876 543" || o.PublicBaseURL != "https://dichvucong.example.gov.vn/motcua" {
		t.Fatalf("values %+v", o)
	}
	// The keys are secrets: they never print.
	var log bytes.Buffer
	slog.New(slog.NewJSONHandler(&log, nil)).Info("config", "cfg", c)
	for _, out := range []string{log.String(), fmt.Sprintf("%v %+v %#v", c, c, c)} {
		if strings.Contains(out, "key-one") || strings.Contains(out, "key-two") {
			t.Fatalf("an Open311 key printed: %s", out)
		}
	}
}

func TestOpen311Refused(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"key with a space":       {"MOTCUA_OPEN311_API_KEYS": "good,bad key"},
		"key not ASCII":          {"MOTCUA_OPEN311_API_KEYS": "khóa"},
		"key too long":           {"MOTCUA_OPEN311_API_KEYS": strings.Repeat("k", 201)},
		"contact on two lines":   {"MOTCUA_OPEN311_CONTACT": "a\nb"},
		"contact too long":       {"MOTCUA_OPEN311_CONTACT": strings.Repeat("ả", 301)},
		"base URL relative":      {"MOTCUA_PUBLIC_BASE_URL": "/motcua"},
		"base URL not http":      {"MOTCUA_PUBLIC_BASE_URL": "ftp://example.gov.vn"},
		"base URL with query":    {"MOTCUA_PUBLIC_BASE_URL": "https://example.gov.vn/?a=1"},
		"base URL with a user":   {"MOTCUA_PUBLIC_BASE_URL": "https://u:p@example.gov.vn"},
		"base URL without host":  {"MOTCUA_PUBLIC_BASE_URL": "https://"},
		"base URL with fragment": {"MOTCUA_PUBLIC_BASE_URL": "https://example.gov.vn/#x"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := config.Load(env(vars))
			var want string
			for k := range vars {
				want = k
			}
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("%v: %v, want a problem naming %s", vars, err, want)
			}
			if v := vars["MOTCUA_OPEN311_API_KEYS"]; v != "" && strings.Contains(err.Error(), v) {
				t.Fatalf("the error shows the key: %v", err)
			}
		})
	}
}
