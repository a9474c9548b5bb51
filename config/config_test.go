package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/config"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatalf("empty environment: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"addr", c.Addr, "127.0.0.1:8080"},
		{"driver", c.Driver(), "sqlite"},
		{"sqlite path", c.SQLitePath(), "motcua.db"},
		{"time zone", c.TimeZone, "Asia/Ho_Chi_Minh"},
		{"location", c.Location().String(), "Asia/Ho_Chi_Minh"},
		{"public rate limit", c.PublicRateLimit, 60},
		{"supplement policy", c.SupplementPolicy, config.SupplementPause},
		{"report cut-off", c.ReportCutoffDay, 0},
		{"log level", c.LogLevel, slog.LevelInfo},
		{"jwt secret", string(c.JWTSecret), ""},
		{"data key", string(c.DataKey), ""},
		{"token ttl", c.TokenTTL, 8 * time.Hour},
		{"replicas", len(c.ReplicaURLs), 0},
		{"trusted proxies", len(c.TrustedProxies), 0},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	if c.ReadTimeout <= 0 || c.WriteTimeout <= 0 || c.ShutdownTimeout <= 0 {
		t.Error("timeouts must have defaults")
	}
}

func TestValues(t *testing.T) {
	c, err := config.Load(env(map[string]string{
		"MOTCUA_ADDR":                  ":9000",
		"MOTCUA_DATABASE_URL":          "postgres://u:p@db/motcua",
		"MOTCUA_DATABASE_REPLICA_URLS": " postgres://r1/motcua , ,postgresql://r2/motcua",
		"MOTCUA_PUBLIC_RATE_LIMIT":     "0",
		"MOTCUA_TIMEZONE":              "UTC",
		"MOTCUA_SUPPLEMENT_POLICY":     "restart",
		"MOTCUA_REPORT_CUTOFF_DAY":     "15",
		"MOTCUA_TRUSTED_PROXIES":       "10.0.0.0/8, 192.0.2.7",
		"MOTCUA_LOG_LEVEL":             "DEBUG",
		"MOTCUA_JWT_SECRET":            strings.Repeat("s", 32),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9000" || c.Driver() != "postgres" || len(c.ReplicaURLs) != 2 || c.PublicRateLimit != 0 ||
		c.SupplementPolicy != config.SupplementRestart || c.ReportCutoffDay != 15 || len(c.TrustedProxies) != 2 ||
		c.LogLevel != slog.LevelDebug || c.Location() != time.UTC {
		t.Fatalf("values not taken: %+v", c)
	}
	c, err = config.Load(env(map[string]string{"MOTCUA_DATABASE_URL": "sqlite:/var/lib/motcua/data.db"}))
	if err != nil || c.Driver() != "sqlite" || c.SQLitePath() != "/var/lib/motcua/data.db" {
		t.Fatalf("sqlite:PATH: %q %v", c.SQLitePath(), err)
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	const dbPassword = "hunter2-db-password"
	bad := map[string]string{
		"MOTCUA_DATABASE_URL":          "mysql://root:" + dbPassword + "@db/x",
		"MOTCUA_DATABASE_REPLICA_URLS": "sqlite:replica.db",
		"MOTCUA_JWT_SECRET":            "short-jwt",
		"MOTCUA_DATA_KEY":              "short-key",
		"MOTCUA_TIMEZONE":              "Mars/Olympus_Mons",
		"MOTCUA_PUBLIC_RATE_LIMIT":     "-1",
		"MOTCUA_SUPPLEMENT_POLICY":     "forget",
		"MOTCUA_REPORT_CUTOFF_DAY":     "31",
		"MOTCUA_DB_MAX_OPEN_CONNS":     "0",
		"MOTCUA_TOKEN_TTL_MINUTES":     "ten",
		"MOTCUA_TRUSTED_PROXIES":       "not-an-ip",
		"MOTCUA_LOG_LEVEL":             "loud",
		"MOTCUA_AUDIT_RETENTION_DAYS":  "-5",
		"MOTCUA_PUBLIC_CACHE_SECONDS":  "-1",
	}
	_, err := config.Load(env(bad))
	if err == nil {
		t.Fatal("bad configuration accepted")
	}
	msg := err.Error()
	for _, name := range []string{
		"MOTCUA_DATABASE_URL", "MOTCUA_DATABASE_REPLICA_URLS", "MOTCUA_JWT_SECRET", "MOTCUA_DATA_KEY", "MOTCUA_TIMEZONE",
		"MOTCUA_PUBLIC_RATE_LIMIT", "MOTCUA_SUPPLEMENT_POLICY", "MOTCUA_REPORT_CUTOFF_DAY", "MOTCUA_DB_MAX_OPEN_CONNS",
		"MOTCUA_TOKEN_TTL_MINUTES", "MOTCUA_TRUSTED_PROXIES", "MOTCUA_LOG_LEVEL", "MOTCUA_AUDIT_RETENTION_DAYS",
		"MOTCUA_PUBLIC_CACHE_SECONDS",
	} {
		if !strings.Contains(msg, name) {
			t.Errorf("error does not mention %s:\n%s", name, msg)
		}
	}
	for _, secret := range []string{dbPassword, "short-jwt", "short-key"} {
		if strings.Contains(msg, secret) {
			t.Errorf("error reveals %q:\n%s", secret, msg)
		}
	}
	// Each problem on its own line (errors.Join), so an operator sees them all.
	if n := strings.Count(msg, "\n") + 1; n < 12 {
		t.Errorf("%d problems reported, want 12:\n%s", n, msg)
	}
	// Token TTL of zero and a bare sqlite: are problems too.
	_, err = config.Load(env(map[string]string{"MOTCUA_TOKEN_TTL_MINUTES": "0", "MOTCUA_DATABASE_URL": "sqlite:"}))
	if err == nil || !strings.Contains(err.Error(), "MOTCUA_TOKEN_TTL_MINUTES") || !strings.Contains(err.Error(), "sqlite:") {
		t.Fatalf("ttl 0 / sqlite: %v", err)
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	secrets := map[string]string{
		"MOTCUA_JWT_SECRET":            "jwt-SECRET-value-0123456789-abcdef",
		"MOTCUA_DATA_KEY":              "data-KEY-value-0123456789-abcdefgh",
		"MOTCUA_ADMIN_PASSWORD":        "admin-PASSWORD-value",
		"MOTCUA_DATABASE_URL":          "postgres://motcua:db-PASSWORD-value@db/motcua",
		"MOTCUA_DATABASE_REPLICA_URLS": "postgres://motcua:replica-PASSWORD-value@r1/motcua",
	}
	c, err := config.Load(env(secrets))
	if err != nil {
		t.Fatal(err)
	}
	needles := []string{"jwt-SECRET-value", "data-KEY-value", "admin-PASSWORD-value", "db-PASSWORD-value", "replica-PASSWORD-value"}
	var jsonLog, textLog bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonLog, nil)).Info("config", "cfg", c, "secret", c.JWTSecret, "replicas", c.ReplicaURLs)
	slog.New(slog.NewTextHandler(&textLog, nil)).Info("config", "cfg", c, "secret", c.JWTSecret)
	marshalled, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v":  fmt.Sprintf("%v", c),
		"%+v": fmt.Sprintf("%+v", c),
		//lint:ignore S1025 the %s verb itself is what this case tests
		"%s secret": fmt.Sprintf("%s", c.JWTSecret),
		"%v secret": fmt.Sprintf("%v", c.AdminPassword),
		"%#v list":  fmt.Sprintf("%#v", c.ReplicaURLs),
		"%#v":       fmt.Sprintf("%#v", c),
		"%q secret": fmt.Sprintf("%q", c.DataKey),
		"%x secret": fmt.Sprintf("%x", c.DataKey),
		"slog JSON": jsonLog.String(),
		"slog text": textLog.String(),
		"json":      string(marshalled),
	}
	for how, out := range outputs {
		for _, n := range needles {
			if strings.Contains(out, n) {
				t.Errorf("%s prints %q: %s", how, n, out)
			}
		}
		if !strings.Contains(out, "******") && !strings.Contains(out, hexStars) {
			t.Errorf("%s shows no mask: %s", how, out)
		}
	}
	// The values themselves are intact for the code that needs them.
	if string(c.JWTSecret) != secrets["MOTCUA_JWT_SECRET"] || string(c.DatabaseURL) != secrets["MOTCUA_DATABASE_URL"] {
		t.Fatal("secrets must keep their values")
	}
}

// hexStars is "******" printed with %x.
var hexStars = fmt.Sprintf("%x", "******")

func TestMetricsAddr(t *testing.T) {
	c, err := config.Load(env(map[string]string{}))
	if err != nil || c.MetricsAddr != "" {
		t.Fatalf("default metrics address %q (%v), want empty: /metrics on the main address", c.MetricsAddr, err)
	}
	c, err = config.Load(env(map[string]string{"MOTCUA_METRICS_ADDR": " 127.0.0.1:9090 "}))
	if err != nil || c.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("metrics address %q (%v)", c.MetricsAddr, err)
	}
}

// TestPprofAddr: the profiler listens only where MOTCUA_PPROF_ADDR says,
// and only on a loopback address, since it has no authentication.
func TestPprofAddr(t *testing.T) {
	c, err := config.Load(env(map[string]string{}))
	if err != nil || c.PprofAddr != "" {
		t.Fatalf("default pprof address %q (%v), want empty: no profiler", c.PprofAddr, err)
	}
	for _, ok := range []string{"127.0.0.1:6060", " [::1]:0 ", "localhost:6060", "127.0.0.2:6060"} {
		if _, err := config.Load(env(map[string]string{"MOTCUA_PPROF_ADDR": ok})); err != nil {
			t.Errorf("MOTCUA_PPROF_ADDR=%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"0.0.0.0:6060", ":6060", "10.0.0.1:6060", "example.vn:6060", "127.0.0.1", "127.0.0.1:x", "[::]:6060"} {
		_, err := config.Load(env(map[string]string{"MOTCUA_PPROF_ADDR": bad}))
		if err == nil || !strings.Contains(err.Error(), "MOTCUA_PPROF_ADDR") {
			t.Errorf("MOTCUA_PPROF_ADDR=%q: %v, want refused", bad, err)
		}
	}
}

func TestPublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                               "",
		"https://dichvucong.example.vn":  "https://dichvucong.example.vn",
		"https://dichvucong.example.vn/": "https://dichvucong.example.vn",
		" http://127.0.0.1:8080 ":        "http://127.0.0.1:8080",
		"http://[::1]:8080":              "http://[::1]:8080",
	} {
		c, err := config.Load(env(map[string]string{"MOTCUA_PUBLIC_URL": in}))
		if err != nil || c.PublicURL != want {
			t.Errorf("MOTCUA_PUBLIC_URL=%q: %q (%v), want %q", in, c.PublicURL, err, want)
		}
	}
	for _, in := range []string{"dichvucong.example.vn", "ftp://example.vn", "https://example.vn/tra-cuu",
		"https://example.vn?x=1", "https://example.vn#top", "https://user@example.vn", "https://:8080",
		"https://example.vn:99999", "https://example.vn:", "mailto:a@example.vn"} {
		if _, err := config.Load(env(map[string]string{"MOTCUA_PUBLIC_URL": in})); err == nil ||
			!strings.Contains(err.Error(), "MOTCUA_PUBLIC_URL") {
			t.Errorf("MOTCUA_PUBLIC_URL=%q accepted (%v)", in, err)
		}
	}
}
