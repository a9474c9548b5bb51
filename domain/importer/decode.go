package importer

import (
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/strictjson"
)

// decodeLine decodes one line into dst strictly (strictjson: one JSON
// object, no unknown, repeated or miscased fields, no null where a field
// cannot be null, no trailing data). It records what is wrong in p and
// reports whether decoding succeeded.
func decodeLine(line []byte, dst any, p problems) bool {
	if pr := strictjson.Decode(line, dst); pr != nil {
		p.add(pr.Field, pr.Reason)
		return false
	}
	if badText(reflect.ValueOf(dst)) {
		// The API's input check (domain.CheckText), with free text allowed
		// its tabs and newlines: history from an older system is not
		// refused for a line break in a name.
		p.add("", `văn bản không được chứa ký tự NUL (\u0000) hay ký tự điều khiển khác`)
		return false
	}
	return true
}

// badText reports whether a string anywhere in v fails domain.CheckText.
func badText(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return domain.CheckText(v.String(), true) != domain.TextOK
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && badText(v.Elem())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if badText(v.Field(i)) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if badText(v.Index(i)) {
				return true
			}
		}
	}
	return false
}

// Years accepted in imported times and dates.
const (
	minYear = 1900
	maxYear = 2999
)

// timeLayoutHint is the example shown for a malformed time.
const timeLayoutHint = "phải theo RFC 3339, ví dụ 2021-08-02T07:30:00+07:00"

// parseTime reads the optional RFC 3339 time s of field (with its offset),
// in UTC and to the microsecond (what PostgreSQL keeps, so both engines
// store the same instant). A malformed value is recorded in p.
func parseTime(p problems, field string, s *string) *time.Time {
	if s == nil {
		return nil
	}
	v := strings.TrimSpace(*s)
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		p.add(field, timeLayoutHint)
		return nil
	}
	if y := t.UTC().Year(); y < minYear || y > maxYear {
		p.add(field, "năm phải từ 1900 đến 2999")
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t
}

// validCode reports whether s is acceptable as an imported code: ASCII
// letters, digits and . - _, 1 to max characters (codes appear in URLs).
func validCode(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// checkCode records a missing or malformed code.
func checkCode(p problems, s string, max int) {
	switch {
	case s == "":
		p.add("code", "bắt buộc")
	case !validCode(s, max):
		p.add("code", "mã không hợp lệ (chữ, số, . - _; tối đa "+strconv.Itoa(max)+" ký tự)")
	}
}

// order records that later (of field) must not be before earlier (of
// name earlierName). Nil times are not compared.
func order(p problems, field string, later *time.Time, earlierName string, earlier *time.Time) {
	if later != nil && earlier != nil && later.Before(*earlier) {
		p.add(field, "không được trước "+earlierName)
	}
}

// past records that t (of field) must not be after now: history has
// happened.
func past(p problems, field string, t *time.Time, now time.Time) {
	if t != nil && t.After(now) {
		p.add(field, "không được ở tương lai")
	}
}
