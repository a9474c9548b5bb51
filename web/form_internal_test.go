package web

import (
	"mime"
	"strings"
	"testing"
)

// TestIsFormType holds the content-type check, with its shortcut for the
// browser's exact header, to the parsed rule.
func TestIsFormType(t *testing.T) {
	parsed := func(ct string) bool {
		mt, params, err := mime.ParseMediaType(ct)
		return err == nil && mt == formType && (params["charset"] == "" || strings.EqualFold(params["charset"], "utf-8"))
	}
	for _, ct := range []string{formType, "Application/X-WWW-Form-Urlencoded", formType + "; charset=UTF-8",
		formType + "; charset=latin1", formType + ";", formType + " ", "multipart/form-data; boundary=x",
		"application/json", "", "text/plain", formType + "; charset=\"utf-8\"", formType + "x"} {
		if got, want := isFormType(ct), parsed(ct); got != want || (ct == formType && !got) {
			t.Errorf("isFormType(%q) = %v, want %v", ct, got, want)
		}
	}
}
