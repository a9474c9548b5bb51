package dossier

import (
	"net/url"
	"strings"
)

// What the printed papers need of a dossier beyond Get: the check of a
// receipt's PIN and the address its QR code carries.

// PinMatches reports, in constant time, whether pin is the lookup PIN of d
// (d as Get returns it, with its PIN hash). It counts no failure: staff who
// print a receipt already see more of the dossier than the PIN opens.
func (s *Service) PinMatches(d Dossier, pin string) bool {
	return d.PinHash != "" && s.pins.Verify(d.Code, pin, d.PinHash)
}

// LookupURL is the citizen's lookup page of code under the public base
// address (scheme, host and port, no path): base/tra-cuu/code, or the path
// alone when base is empty.
func LookupURL(base, code string) string {
	return strings.TrimRight(base, "/") + "/tra-cuu/" + url.PathEscape(code)
}
