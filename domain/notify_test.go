package domain_test

import (
	"reflect"
	"testing"

	"github.com/motcua/motcua/domain"
)

func TestNotifyChannels(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want []string
	}{
		{nil, nil},
		{[]string{}, nil},
		{[]string{"sms", "email"}, []string{"email", "sms"}},
		{[]string{" sms ", "sms", "fax"}, []string{"sms", "fax"}},
	} {
		if got := domain.NormalizeNotify(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("NormalizeNotify(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		channels     []string
		email, phone string
		bad          bool
	}{
		{nil, "", "", false},
		{[]string{"email", "sms"}, "an@example.vn", "0912 345 678", false},
		{[]string{"email"}, "", "0912345678", true},
		{[]string{"email"}, "an@", "", true},
		{[]string{"sms"}, "an@example.vn", "", true},
		{[]string{"sms"}, "", "12", true},
		{[]string{"fax"}, "an@example.vn", "0912345678", true},
	} {
		fe := domain.FieldErrors{}
		domain.CheckNotify(fe, c.channels, c.email, c.phone, "applicant.email", "applicant.phone")
		if (fe["notify"] != "") != c.bad || len(fe) > 1 {
			t.Errorf("CheckNotify(%q, %q, %q) = %v", c.channels, c.email, c.phone, fe)
		}
	}
	if got := domain.SplitNotify(domain.JoinNotify([]string{"email", "sms"})); !reflect.DeepEqual(got, []string{"email", "sms"}) {
		t.Errorf("round trip = %q", got)
	}
	if got := domain.SplitNotify(""); got != nil {
		t.Errorf("SplitNotify(\"\") = %q", got)
	}
}
