package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// FuzzPageForms feeds malformed and odd form bodies to every POST page:
// whatever arrives, the answer is a page with a status below 500.
func FuzzPageForms(f *testing.F) {
	routes := []string{"/tra-cuu", "/phan-anh", "/phan-anh/PAKN-261123-0001", "/danh-gia/000.00.20.H99-261123-0001"}
	for _, seed := range []string{
		"", "code=", "code=a&pin=123456", "code=a&code=b", "pin=%ff", "title=%00", "a=%zz", "&&&", "=x",
		"category=procedure&title=T&content=C&csrf_token=v1.AAAA.BBBB&form_key=0123456789abcdef0123456789abcdef",
		"score=99999999999999999999&pin=123456", "score=-1", "content=" + strings.Repeat("%E1%BB%87", 200),
		"title=%01%02&content=%0D%0A", "csrf_token=v1..&form_key=zz",
	} {
		for i := range routes {
			f.Add(uint8(i), seed, "application/x-www-form-urlencoded")
		}
	}
	f.Add(uint8(0), `{"code":"x"}`, "application/json")
	f.Add(uint8(1), "x", "application/x-www-form-urlencoded; charset=latin1")
	f.Add(uint8(2), "x", "")
	s := apptest.New(f, apptest.Options{})
	v := &visitor{s: s, remote: "198.51.100.8:4000"}
	f.Fuzz(func(t *testing.T, route uint8, body, ctype string) {
		v.t = t
		v.cookie = ""
		r := s.DoFor(t, apptest.Request{Method: http.MethodPost, Path: routes[int(route)%len(routes)], Body: body,
			Header: map[string]string{"Content-Type": ctype}, Remote: v.remote})
		if r.Status >= 500 || r.Status < 200 {
			t.Fatalf("%q (%s): %d", body, ctype, r.Status)
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%q: answered %s", body, r.Header.Get("Content-Type"))
		}
	})
}
