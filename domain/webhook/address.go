package webhook

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"
)

// refused are the address ranges a webhook may not reach unless private
// targets are allowed: a subscription must not turn the server into a
// probe of its own network (the database, the metadata service of a
// cloud, an admin console on loopback).
var refused = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",          // "this network"; 0.0.0.0 connects to the local host on Linux
		"10.0.0.0/8",         // private
		"100.64.0.0/10",      // carrier-grade NAT, shared by a provider's customers
		"127.0.0.0/8",        // loopback
		"169.254.0.0/16",     // link-local, where cloud metadata services answer
		"172.16.0.0/12",      // private
		"192.168.0.0/16",     // private
		"224.0.0.0/4",        // multicast
		"255.255.255.255/32", // limited broadcast
		"::/128",             // unspecified
		"::1/128",            // loopback
		"fc00::/7",           // unique local
		"fe80::/10",          // link-local
		"ff00::/8",           // multicast
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// PublicAddr reports whether a may be the target of a webhook when private
// targets are refused. An IPv4 address written as IPv6 (::ffff:a.b.c.d) is
// judged as the IPv4 address it is, since that is where a connection to it
// goes.
func PublicAddr(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.Unmap()
	for _, p := range refused {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// ErrAddressNotAllowed is a target whose address is loopback, private,
// link-local, CGNAT, multicast or unspecified while such targets are
// refused. Its text is the code the delivery log shows.
var ErrAddressNotAllowed = errors.New("address_not_allowed")

// CheckURL reports why raw may not be registered as a webhook target, or
// nil. The message is Vietnamese and names no secret (the URL itself is
// not repeated: its query may carry a receiver's token). A host name is
// not resolved here: names are checked again, after DNS, when the client
// connects, since a name's answer can change between registration and
// delivery.
func CheckURL(raw string, allowPrivate bool) error {
	switch {
	case raw == "":
		return errors.New("bắt buộc")
	case len(raw) > MaxURLLength:
		return errors.New("tối đa 2.048 ký tự")
	case !utf8.ValidString(raw) || strings.ContainsAny(raw, " \t\r\n"):
		return errors.New("địa chỉ không hợp lệ")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("địa chỉ không hợp lệ")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return errors.New("phải là địa chỉ http hoặc https tuyệt đối")
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return errors.New("phải có tên máy chủ")
	case u.User != nil:
		return errors.New("không được chứa tên đăng nhập hoặc mật khẩu")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return errors.New("không được chứa phân đoạn (#)")
	}
	if p := u.Port(); p != "" && !validPort(p) {
		return errors.New("cổng không hợp lệ")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Zone() != "" {
			return errors.New("địa chỉ IPv6 không được có vùng (%)")
		}
		if !allowPrivate && !PublicAddr(a) {
			return errors.New("không được trỏ tới địa chỉ nội bộ, loopback hoặc không định tuyến được")
		}
		return nil
	}
	if numericHost(host) {
		// Forms such as 2130706433 or 0x7f.1 are not IP addresses to Go but
		// some resolvers read them as 127.0.0.1; none is a real host name.
		return errors.New("tên máy chủ không hợp lệ")
	}
	if !allowPrivate && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
		return errors.New("không được trỏ tới localhost")
	}
	return nil
}

func validPort(p string) bool {
	if len(p) > 5 {
		return false
	}
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n >= 1 && n <= 65535
}

// numericHost reports whether host's last label is a number (decimal, or
// hexadecimal with 0x), which no DNS top-level domain is.
func numericHost(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	digits := strings.TrimPrefix(last, "0x")
	hex := digits != last
	for _, c := range digits {
		if !(c >= '0' && c <= '9' || hex && (c >= 'a' && c <= 'f')) {
			return false
		}
	}
	return true
}
