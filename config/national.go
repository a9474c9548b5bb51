package config

import (
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Open311 holds the settings of the Open311 GeoReport v2 facade over
// citizen feedback (/open311/v2/, docs/openapi.yaml).
type Open311 struct {
	// APIKeys are the keys POST requests must carry as api_key; none
	// means no key is needed (MOTCUA_OPEN311_API_KEYS, comma-separated).
	APIKeys []Secret
	// Contact is the discovery's contact text (MOTCUA_OPEN311_CONTACT).
	Contact string
	// PublicBaseURL is the absolute URL of this service as citizens reach
	// it, without a trailing slash; empty: the request's scheme and Host
	// (MOTCUA_PUBLIC_BASE_URL).
	PublicBaseURL string
}

// DefaultOpen311Contact is the discovery's contact when none is set.
const DefaultOpen311Contact = "Bộ phận Một cửa — motcua"

// maxOpen311Key is the longest API key accepted, in bytes.
const maxOpen311Key = 200

func loadOpen311(getenv func(string) string, errs *[]error) Open311 {
	o := Open311{
		Contact:       or(getenv("MOTCUA_OPEN311_CONTACT"), DefaultOpen311Contact),
		PublicBaseURL: strings.TrimRight(strings.TrimSpace(getenv("MOTCUA_PUBLIC_BASE_URL")), "/"),
	}
	for _, k := range strings.Split(getenv("MOTCUA_OPEN311_API_KEYS"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			o.APIKeys = append(o.APIKeys, Secret(k))
		}
	}
	*errs = append(*errs, o.validate()...)
	return o
}

func (o Open311) validate() []error {
	var errs []error
	for _, k := range o.APIKeys {
		if !printableKey(string(k)) {
			errs = append(errs, errors.New("MOTCUA_OPEN311_API_KEYS must list keys of 1 to 200 printable ASCII characters without spaces, separated by commas"))
			break
		}
	}
	if !utf8.ValidString(o.Contact) || utf8.RuneCountInString(o.Contact) > 300 || strings.ContainsFunc(o.Contact, isControl) {
		errs = append(errs, errors.New("MOTCUA_OPEN311_CONTACT must be one line of at most 300 characters"))
	}
	if o.PublicBaseURL != "" {
		u, err := url.Parse(o.PublicBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil ||
			u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || strings.ContainsAny(o.PublicBaseURL, " \t") {
			errs = append(errs, errors.New("MOTCUA_PUBLIC_BASE_URL must be an absolute http:// or https:// URL (a path is allowed; no query, fragment or user)"))
		}
	}
	return errs
}

// printableKey accepts 1 to 200 printable ASCII characters, no space.
func printableKey(k string) bool {
	if k == "" || len(k) > maxOpen311Key {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] <= 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }
