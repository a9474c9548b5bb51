// Package config reads motcua's settings from the environment (docs/openapi.yaml),
// applies defaults that let the binary run on a bare machine, and validates
// them all at once. Secrets never print.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/domain/stats"
)

// Secret is a string that never prints its value.
type Secret string

// String masks the secret.
func (Secret) String() string { return "******" }

// LogValue masks the secret in structured logs.
func (Secret) LogValue() slog.Value { return slog.StringValue("******") }

// GoString masks the secret in %#v.
func (Secret) GoString() string { return "******" }

// MarshalJSON masks the secret when a Config is encoded as JSON, which is
// what slog's JSON handler does with a struct (LogValue only applies to a
// Secret logged on its own).
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"******"`), nil }

// MarshalText masks the secret for text encoders (YAML, TOML, map keys).
func (Secret) MarshalText() ([]byte, error) { return []byte("******"), nil }

// Environments (MOTCUA_ENV).
const (
	EnvProduction = "production"
	EnvDev        = "dev" // runs without MOTCUA_DATA_KEY: a generated one is kept in the database
)

// Supplement policies (docs/domain.md).
const (
	SupplementPause   = "pause"
	SupplementRestart = "restart"
)

// Config is every setting of the service.
type Config struct {
	Addr           string
	MetricsAddr    string   // empty: /metrics on Addr; else /metrics only there
	PprofAddr      string   // empty: no profiler; else Go's pprof handlers there (a loopback address only)
	DatabaseURL    Secret   // may carry a password
	ReplicaURLs    []Secret // read replicas (PostgreSQL)
	DBMaxOpenConns int
	JWTSecret      Secret // empty: generated per process
	JWTIssuer      string
	JWTAudience    string
	TokenTTL       time.Duration
	AdminPassword  Secret
	TimeZone       string
	DataKey        Secret // required unless Env is dev or the service runs the demo
	// DataKeyID is the id of the key (derived from DataKey) that new personal
	// data is sealed under; raise it and run `motcua rotate-key` to rotate.
	DataKeyID int
	// Env is production (the default) or dev: dev runs without a data key.
	Env              string
	PublicRateLimit  int // requests per minute per client; 0 = off
	TrustedProxies   []string
	SupplementPolicy string
	ReportCutoffDay  int
	// AuditRetentionDays is how long the audit trail is kept; 0 keeps it forever.
	AuditRetentionDays int
	// PublicURL is where citizens reach the service (scheme, host, optional
	// port, no path): printed papers and answers link to PublicURL/tra-cuu/{code}.
	PublicURL string
	// PublicCacheSeconds is how old the public figures on / and /cong-khai
	// may be; 0 computes them on every request.
	PublicCacheSeconds int
	// PublicStatsCacheSeconds is how long GET /api/v1/public/stats keeps a
	// month's answer; 0 computes it on every request (national_stats.go).
	PublicStatsCacheSeconds int
	// StorageURL is where the dossiers' files are kept: empty for the
	// folder "files" in the working folder, file:PATH, or s3://… (it may
	// carry keys, so it never prints).
	StorageURL Secret
	// FileMaxBytes is the largest file (each version) stored.
	FileMaxBytes    int
	LogLevel        slog.Level
	ShutdownTimeout time.Duration
	// Notifications holds the settings of events, webhooks, citizens'
	// e-mail and SMS and the escalation scan.
	Notifications Notifications
	ReadTimeout   time.Duration
	WriteTimeout  time.Duration

	// Open311 holds the settings of the Open311 facade (config/national.go).
	Open311 Open311
	// ServiceIndexPoints are the maximum points of the service index's
	// indicators: the defaults with MOTCUA_SERVICE_INDEX_POINTS applied
	// (config/service_index.go).
	ServiceIndexPoints stats.IndexPoints
	// DVCQG holds the settings of the push to the national portal
	// (config/dvcqg.go).
	DVCQG DVCQG
}

// Load reads configuration through getenv (os.Getenv in main, a map in
// tests) and validates it, reporting every problem at once.
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	c := Config{
		Addr:             or(getenv("MOTCUA_ADDR"), "127.0.0.1:8080"),
		MetricsAddr:      strings.TrimSpace(getenv("MOTCUA_METRICS_ADDR")),
		PprofAddr:        strings.TrimSpace(getenv("MOTCUA_PPROF_ADDR")),
		DatabaseURL:      Secret(strings.TrimSpace(getenv("MOTCUA_DATABASE_URL"))),
		JWTSecret:        Secret(getenv("MOTCUA_JWT_SECRET")),
		JWTIssuer:        or(getenv("MOTCUA_JWT_ISSUER"), "motcua"),
		JWTAudience:      or(getenv("MOTCUA_JWT_AUDIENCE"), "motcua-api"),
		AdminPassword:    Secret(getenv("MOTCUA_ADMIN_PASSWORD")),
		TimeZone:         or(getenv("MOTCUA_TIMEZONE"), "Asia/Ho_Chi_Minh"),
		DataKey:          Secret(getenv("MOTCUA_DATA_KEY")),
		Env:              strings.ToLower(or(strings.TrimSpace(getenv("MOTCUA_ENV")), EnvProduction)),
		SupplementPolicy: or(getenv("MOTCUA_SUPPLEMENT_POLICY"), SupplementPause),
		PublicURL:        strings.TrimRight(strings.TrimSpace(getenv("MOTCUA_PUBLIC_URL")), "/"),
		ShutdownTimeout:  15 * time.Second,
		ReadTimeout:      30 * time.Second,
		WriteTimeout:     60 * time.Second,
	}
	for _, u := range strings.Split(getenv("MOTCUA_DATABASE_REPLICA_URLS"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			c.ReplicaURLs = append(c.ReplicaURLs, Secret(u))
		}
	}
	c.DBMaxOpenConns = intVar(getenv, "MOTCUA_DB_MAX_OPEN_CONNS", 20, &errs)
	c.PublicRateLimit = intVar(getenv, "MOTCUA_PUBLIC_RATE_LIMIT", 60, &errs)
	c.PublicCacheSeconds = intVar(getenv, "MOTCUA_PUBLIC_CACHE_SECONDS", 300, &errs)
	c.PublicStatsCacheSeconds = loadPublicStats(getenv, &errs)
	c.StorageURL = Secret(strings.TrimSpace(getenv("MOTCUA_STORAGE_URL")))
	c.FileMaxBytes = intVar(getenv, "MOTCUA_FILE_MAX_BYTES", 20<<20, &errs)
	if c.FileMaxBytes < 1 {
		errs = append(errs, errors.New("MOTCUA_FILE_MAX_BYTES must be at least 1"))
	}
	c.ReportCutoffDay = intVar(getenv, "MOTCUA_REPORT_CUTOFF_DAY", 0, &errs)
	c.DataKeyID = intVar(getenv, "MOTCUA_DATA_KEY_ID", 1, &errs)
	c.AuditRetentionDays = intVar(getenv, "MOTCUA_AUDIT_RETENTION_DAYS", 730, &errs)
	ttl := intVar(getenv, "MOTCUA_TOKEN_TTL_MINUTES", 480, &errs)
	c.TokenTTL = time.Duration(ttl) * time.Minute
	for _, p := range strings.Split(getenv("MOTCUA_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	switch strings.ToLower(or(getenv("MOTCUA_LOG_LEVEL"), "info")) {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		errs = append(errs, errors.New("MOTCUA_LOG_LEVEL must be debug, info, warn or error"))
	}
	c.Notifications = loadNotifications(getenv, &errs)
	c.Open311 = loadOpen311(getenv, &errs)
	c.ServiceIndexPoints = loadServiceIndex(getenv, &errs)
	c.DVCQG = loadDVCQG(getenv, &errs)
	if err := c.validate(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// Driver names the database engine the URL selects: "sqlite" or "postgres".
func (c Config) Driver() string {
	if IsPostgresURL(string(c.DatabaseURL)) {
		return "postgres"
	}
	return "sqlite"
}

// SQLitePath is the SQLite file the URL names (motcua.db when empty).
func (c Config) SQLitePath() string { return SQLitePathOf(string(c.DatabaseURL)) }

// SQLitePathOf is the SQLite file a database URL names: motcua.db when u is
// empty, PATH for sqlite:PATH. It is the one reading of a database URL,
// with IsPostgresURL; the repository opens databases by it.
func SQLitePathOf(u string) string {
	if u == "" {
		return "motcua.db"
	}
	return strings.TrimPrefix(u, "sqlite:")
}

// IsPostgresURL reports whether u is a PostgreSQL URL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

func (c Config) validate() error {
	var errs []error
	u := string(c.DatabaseURL)
	if u != "" && !IsPostgresURL(u) && !strings.HasPrefix(u, "sqlite:") {
		errs = append(errs, errors.New("MOTCUA_DATABASE_URL must be empty, sqlite:PATH or postgres://…"))
	}
	if u == "sqlite:" {
		errs = append(errs, errors.New("MOTCUA_DATABASE_URL sqlite: needs a path"))
	}
	for _, r := range c.ReplicaURLs {
		if !IsPostgresURL(string(r)) {
			errs = append(errs, errors.New("MOTCUA_DATABASE_REPLICA_URLS must list postgres:// URLs"))
			break
		}
	}
	if len(c.ReplicaURLs) > 0 && c.Driver() != "postgres" {
		errs = append(errs, errors.New("MOTCUA_DATABASE_REPLICA_URLS needs a PostgreSQL primary"))
	}
	if s := c.JWTSecret; s != "" && len(s) < 32 {
		errs = append(errs, errors.New("MOTCUA_JWT_SECRET must be at least 32 bytes"))
	}
	if s := c.DataKey; s != "" && len(s) < 32 {
		errs = append(errs, errors.New("MOTCUA_DATA_KEY must be at least 32 bytes"))
	}
	if c.DataKeyID < 1 || c.DataKeyID > 65535 {
		errs = append(errs, errors.New("MOTCUA_DATA_KEY_ID must be a key id from 1 to 65535"))
	}
	if c.Env != EnvProduction && c.Env != EnvDev {
		errs = append(errs, errors.New("MOTCUA_ENV must be production or dev"))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("MOTCUA_TIMEZONE: unknown time zone %q", c.TimeZone))
	}
	if c.PublicRateLimit < 0 {
		errs = append(errs, errors.New("MOTCUA_PUBLIC_RATE_LIMIT must be 0 or more"))
	}
	if c.PublicCacheSeconds < 0 || c.PublicCacheSeconds > 86400 {
		errs = append(errs, errors.New("MOTCUA_PUBLIC_CACHE_SECONDS must be 0 (live) to 86400"))
	}
	if c.AuditRetentionDays < 0 || c.AuditRetentionDays > 36500 {
		errs = append(errs, errors.New("MOTCUA_AUDIT_RETENTION_DAYS must be 0 (keep forever) or a number of days up to 36500"))
	}
	if c.SupplementPolicy != SupplementPause && c.SupplementPolicy != SupplementRestart {
		errs = append(errs, errors.New("MOTCUA_SUPPLEMENT_POLICY must be pause or restart"))
	}
	if c.ReportCutoffDay < 0 || c.ReportCutoffDay > 28 {
		errs = append(errs, errors.New("MOTCUA_REPORT_CUTOFF_DAY must be 0 (calendar month) or a day from 1 to 28"))
	}
	if c.DBMaxOpenConns < 1 {
		errs = append(errs, errors.New("MOTCUA_DB_MAX_OPEN_CONNS must be at least 1"))
	}
	if c.PprofAddr != "" && !loopbackAddr(c.PprofAddr) {
		errs = append(errs, errors.New("MOTCUA_PPROF_ADDR must be a loopback host:port (127.0.0.1, ::1 or localhost): the profiler has no authentication"))
	}
	if c.TokenTTL <= 0 {
		errs = append(errs, errors.New("MOTCUA_TOKEN_TTL_MINUTES must be at least 1"))
	}
	if err := checkPublicURL(c.PublicURL); err != nil {
		errs = append(errs, err)
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				errs = append(errs, fmt.Errorf("MOTCUA_TRUSTED_PROXIES: %q is not an address or CIDR", p))
			}
		}
	}
	return errors.Join(errs...)
}

// Location returns the configured time zone (validated by Load).
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

func or(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return strings.TrimSpace(v)
}

func intVar(getenv func(string) string, name string, def int, errs *[]error) int {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s must be a whole number", name))
		return def
	}
	return n
}

// checkPublicURL accepts "" or http(s)://host[:port] with nothing after it.
func checkPublicURL(s string) error {
	if s == "" {
		return nil
	}
	bad := errors.New("MOTCUA_PUBLIC_URL must be http://host[:port] or https://host[:port], without a path")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		strings.ContainsAny(u.Host, " \t") {
		return bad
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return bad
	}
	return nil
}

// loopbackAddr reports whether hostport is host:port with a loopback host
// (an IP literal or "localhost") and a numeric port.
func loopbackAddr(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
