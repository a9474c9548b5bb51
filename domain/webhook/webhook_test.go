package webhook_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/webhook"
)

// The vector was computed outside Go (openssl dgst -sha256 -hmac), so a
// change in what is signed (the separator, the order, hex case) fails here.
const (
	vectorSecret = "whsec_MfKQ9r2x7bYw1hQk3nJvS0pX4eLzA8cUoT6gR5dWmNs"
	vectorBody   = `{"id":"01JEVT","type":"dossier.accept"}`
	vectorHeader = "t=1764821700,v1=1ff720e6e92a65987afb0183059ae846404d6e6b0961ee3a3054c02b7ebd39b0"
)

func TestSignVector(t *testing.T) {
	t.Parallel()
	if got := webhook.Sign(vectorSecret, time.Unix(1764821700, 0), []byte(vectorBody)); got != vectorHeader {
		t.Fatalf("Sign = %s, want %s", got, vectorHeader)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	at := time.Unix(1764821700, 0)
	body := []byte(vectorBody)
	tests := []struct {
		name   string
		secret string
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"valid", vectorSecret, vectorHeader, body, at.Add(time.Minute), nil},
		{"second v1 matches", vectorSecret, "t=1764821700,v1=00ff,v1=" + vectorHeader[len("t=1764821700,v1="):], body, at, nil},
		{"other secret", "whsec_other", vectorHeader, body, at, webhook.ErrSignatureMismatch},
		{"body changed", vectorSecret, vectorHeader, []byte(vectorBody + " "), at, webhook.ErrSignatureMismatch},
		{"too old", vectorSecret, vectorHeader, body, at.Add(5*time.Minute + time.Second), webhook.ErrSignatureExpired},
		{"from the future", vectorSecret, vectorHeader, body, at.Add(-6 * time.Minute), webhook.ErrSignatureExpired},
		{"no time", vectorSecret, "v1=1ff7", body, at, webhook.ErrSignatureMalformed},
		{"no v1", vectorSecret, "t=1764821700", body, at, webhook.ErrSignatureMalformed},
		{"not hex", vectorSecret, "t=1764821700,v1=zz", body, at, webhook.ErrSignatureMalformed},
		{"garbage", vectorSecret, "nonsense", body, at, webhook.ErrSignatureMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := webhook.Verify(tt.secret, tt.header, tt.body, tt.now, webhook.SignatureTolerance); got != tt.want {
				t.Fatalf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewSecret(t *testing.T) {
	t.Parallel()
	a, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := webhook.NewSecret()
	if !strings.HasPrefix(a, "whsec_") || len(a) != len("whsec_")+43 || !webhook.ValidSecret(a) {
		t.Fatalf("secret %q: want whsec_ and 43 base64url characters (32 bytes)", a)
	}
	if a == b {
		t.Fatal("two secrets are equal")
	}
	for _, bad := range []string{"", "whsec_", "whsec_short", "sk_" + a[6:], a + "!"} {
		if webhook.ValidSecret(bad) {
			t.Errorf("ValidSecret(%q) = true", bad)
		}
	}
}

func TestPublicAddr(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		addr string
		want bool
	}{
		{"93.184.216.34", true},
		{"8.8.8.8", true},
		{"100.63.255.255", true}, // just below CGNAT
		{"100.128.0.0", true},    // just above CGNAT
		{"172.15.255.255", true},
		{"172.32.0.0", true},
		{"2001:db8::1", true},
		{"2606:4700::1111", true},
		{"::ffff:93.184.216.34", true},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"10.0.0.1", false},
		{"10.255.255.255", false},
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"169.254.169.254", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"255.255.255.255", false},
		{"::", false},
		{"::1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"fe80::1", false},
		{"febf::1", false},
		{"ff02::1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.1.2.3", false},
		{"::ffff:169.254.169.254", false},
		{"::ffff:100.64.0.1", false},
		{"::ffff:0.0.0.0", false},
	} {
		if got := webhook.PublicAddr(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("PublicAddr(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if webhook.PublicAddr(netip.Addr{}) {
		t.Error("the zero address is public")
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url         string
		ok          bool // refused ranges pass when private targets are allowed
		okIfPrivate bool
	}{
		{"https://hooks.example.vn/motcua", true, true},
		{"http://hooks.example.vn:8080/in?token=abc", true, true},
		{"https://93.184.216.34/x", true, true},
		{"https://[2001:db8::1]:8443/x", true, true},
		{"", false, false},
		{"https://" + strings.Repeat("a", 2040) + ".vn", false, false},
		{"ftp://example.vn/x", false, false},
		{"hooks.example.vn/x", false, false},
		{"https:///path", false, false},
		{"mailto:a@example.vn", false, false},
		{"https://user:pass@example.vn/", false, false},
		{"https://user@example.vn/", false, false},
		{"https://example.vn/#frag", false, false},
		{"https://example.vn/#", false, false},
		{"https://example.vn:0/", false, false},
		{"https://example.vn:99999/", false, false},
		{"https://exa mple.vn/", false, false},
		{"https://2130706433/", false, false},
		{"https://0x7f.1/", false, false},
		{"https://[fe80::1%25eth0]/", false, false},
		{"https://localhost/", false, true},
		{"https://LOCALHOST./", false, true},
		{"https://api.localhost:8080/", false, true},
		{"http://127.0.0.1:9000/", false, true},
		{"http://10.0.0.5/", false, true},
		{"http://172.16.3.4/", false, true},
		{"http://192.168.0.10/", false, true},
		{"http://169.254.169.254/latest/meta-data", false, true},
		{"http://100.64.1.1/", false, true},
		{"http://0.0.0.0/", false, true},
		{"http://224.0.0.251/", false, true},
		{"http://[::1]/", false, true},
		{"http://[::]/", false, true},
		{"http://[fc00::1]/", false, true},
		{"http://[fd00::abcd]/", false, true},
		{"http://[fe80::1]/", false, true},
		{"http://[ff02::1]/", false, true},
		{"http://[::ffff:127.0.0.1]/", false, true},
		{"http://[::ffff:192.168.1.1]/", false, true},
	}
	for _, tt := range tests {
		if err := webhook.CheckURL(tt.url, false); (err == nil) != tt.ok {
			t.Errorf("CheckURL(%q, false) = %v, want ok %v", tt.url, err, tt.ok)
		}
		if err := webhook.CheckURL(tt.url, true); (err == nil) != tt.okIfPrivate {
			t.Errorf("CheckURL(%q, true) = %v, want ok %v", tt.url, err, tt.okIfPrivate)
		}
	}
}

func TestCheckURLDoesNotEchoTheURL(t *testing.T) {
	t.Parallel()
	err := webhook.CheckURL("http://127.0.0.1/?token=s3cr3t", false)
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("CheckURL = %v: want a refusal that does not repeat the URL", err)
	}
}

func TestSchedule(t *testing.T) {
	t.Parallel()
	s := webhook.DefaultSchedule
	for _, tt := range []struct {
		k    int
		want time.Duration
	}{
		{1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute}, {4, 8 * time.Minute},
		{9, 256 * time.Minute}, {10, 8 * time.Hour}, {11, 8 * time.Hour}, {1000, 8 * time.Hour},
	} {
		if got := s.Delay(tt.k); got != tt.want {
			t.Errorf("Delay(%d) = %v, want %v", tt.k, got, tt.want)
		}
	}
	var total time.Duration
	for k := 1; ; k++ {
		wait, dead := s.Next(k, 0)
		if dead {
			if k != 12 {
				t.Fatalf("dead after attempt %d, want 12", k)
			}
			break
		}
		total += wait
	}
	// The last attempt comes about a day after the first.
	if total < 20*time.Hour || total > 26*time.Hour {
		t.Fatalf("attempt 12 comes %v after the first, want about 24h", total)
	}
	if wait, _ := s.Next(1, 0.999); wait <= time.Minute || wait > 66*time.Second {
		t.Fatalf("Next(1, 0.999) = %v, want up to 10%% over a minute", wait)
	}
	if wait, _ := s.Next(1, 7); wait != time.Minute {
		t.Fatalf("Next(1, 7) = %v: an out-of-range jitter must be ignored", wait)
	}
	if _, dead := (webhook.Schedule{Base: time.Second, Cap: time.Minute, MaxAttempts: 1}).Next(1, 0); !dead {
		t.Fatal("one allowed attempt: the first failure must be dead")
	}
}

func TestPatterns(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		p, t string
		want bool
	}{
		{"*", "feedback.answer", true},
		{"dossier.*", "dossier.accept", true},
		{"dossier.*", "feedback.answer", false},
		{"feedback.*", "feedback.overdue", true},
		{"dossier.accept", "dossier.accept", true},
		{"dossier.accept", "dossier.reject", false},
	} {
		if got := webhook.Matches(tt.p, tt.t); got != tt.want {
			t.Errorf("Matches(%q, %q) = %v", tt.p, tt.t, got)
		}
	}
	for _, typ := range []string{"dossier.receive", "dossier.request_supplement", "dossier.reschedule", "dossier.due_soon",
		"feedback.answer", "feedback.publish", "feedback.overdue"} {
		if !webhook.KnownType(typ) {
			t.Errorf("KnownType(%q) = false", typ)
		}
	}
	for _, bad := range []string{"dossier.re*", "dossier", "dossier.fly", "feedback.accept", "**", ""} {
		if webhook.ValidPattern(bad) {
			t.Errorf("ValidPattern(%q) = true", bad)
		}
	}
}

func TestValidateSubscription(t *testing.T) {
	t.Parallel()
	ok := webhook.NewSubscription{URL: "https://hooks.example.vn/x", Events: []string{"dossier.*"}}
	if err := ok.Validate(false); err != nil {
		t.Fatalf("valid subscription: %v", err)
	}
	many := make([]string, 51)
	for i := range many {
		many[i] = "*"
	}
	bad := webhook.NewSubscription{URL: "http://127.0.0.1/", Events: many, Description: strings.Repeat("â", 301)}
	err := bad.Validate(false)
	var e *domain.Error
	if domain.KindOf(err) != domain.KindValidation || !asError(err, &e) {
		t.Fatalf("Validate = %v, want KindValidation", err)
	}
	for _, f := range []string{"url", "events", "description"} {
		if e.Fields[f] == "" {
			t.Errorf("field %s not named in %v", f, e.Fields)
		}
	}
	if err := (webhook.NewSubscription{URL: "http://127.0.0.1/", Events: []string{"*"}}).Validate(true); err != nil {
		t.Fatalf("private target with allowPrivate: %v", err)
	}
	if err := (webhook.NewSubscription{URL: ok.URL}).Validate(false); err == nil {
		t.Fatal("no events accepted")
	}
}

func asError(err error, target **domain.Error) bool {
	e, ok := err.(*domain.Error)
	*target = e
	return ok
}
