// Package webhook sends webhook deliveries: an HTTP client that refuses
// private targets at connect time, one signed delivery attempt, and the
// sealing of subscription secrets at rest. The rules it applies (which
// addresses are private, the signature, the retry schedule) are in
// domain/webhook; this package adds the network and the keys.
package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	dwebhook "github.com/motcua/motcua/domain/webhook"
)

// Config is what the delivery side needs from the service's settings.
type Config struct {
	// Timeout bounds one attempt, from dialling to the last byte of the
	// answer read (MOTCUA_WEBHOOK_TIMEOUT; 10 s when zero).
	Timeout time.Duration
	// AllowPrivate lets deliveries reach loopback and private addresses
	// (MOTCUA_WEBHOOK_ALLOW_PRIVATE): for tests and closed networks.
	AllowPrivate bool
	// MaxResponseBytes is how much of an answer is read before the
	// connection is closed (64 KiB when zero). Nothing of the answer but
	// its status is kept, so reading more is only a cost.
	MaxResponseBytes int64
	// Workers is how many attempts run at once (MOTCUA_DELIVERY_WORKERS).
	// The client keeps that many idle connections per receiver, so that a
	// burst to one receiver reuses its connections instead of dialling
	// (and, for https, handshaking) again for most attempts.
	Workers int
}

// DefaultTimeout is the attempt time-out when Config leaves it zero.
const DefaultTimeout = 10 * time.Second

func (c Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c Config) maxResponse() int64 {
	if c.MaxResponseBytes > 0 {
		return c.MaxResponseBytes
	}
	return 64 << 10
}

// idlePerHost is how many idle connections are kept per receiver: one per
// worker, at least 4.
func (c Config) idlePerHost() int { return max(c.Workers, 4) }

// NewClient returns the HTTP client for deliveries. It follows no
// redirect (a 3xx is the receiver's answer, and following it could lead
// to an address the URL rule refuses), takes no proxy from the
// environment (a proxy would connect on our behalf, out of reach of the
// address check), and, unless cfg.AllowPrivate, refuses in the dialer's
// Control hook any address PublicAddr refuses. The hook runs after DNS
// for every address tried, so a public name that resolves to 127.0.0.1,
// or is re-pointed there after registration, is refused too.
func NewClient(cfg Config) *http.Client {
	d := &net.Dialer{Timeout: cfg.timeout(), KeepAlive: 30 * time.Second}
	if !cfg.AllowPrivate {
		d.Control = refusePrivate
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          max(100, cfg.idlePerHost()),
		MaxIdleConnsPerHost:   cfg.idlePerHost(),
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   cfg.timeout(),
		ResponseHeaderTimeout: cfg.timeout(),
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       cfg.timeout(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// refusePrivate is a net.Dialer Control hook: address is the resolved
// "ip:port" about to be connected to.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !dwebhook.PublicAddr(ap.Addr()) {
		return dwebhook.ErrAddressNotAllowed
	}
	return nil
}

// errorCode turns the error of an attempt into the short text of the
// delivery log. The error's own text is not used: it holds the URL, whose
// query may carry the receiver's token.
func errorCode(err error) string {
	var ne net.Error
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, dwebhook.ErrAddressNotAllowed):
		return "address_not_allowed"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &dnsErr):
		return "dns_failed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection_refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection_reset"
	default:
		return "request_failed"
	}
}
