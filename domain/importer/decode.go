package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/domain"
)

// decodeLine decodes one line into dst strictly: one JSON object, no
// unknown fields, no trailing data. It records what is wrong in p and
// reports whether decoding succeeded.
func decodeLine(line []byte, dst any, p problems) bool {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		p.add("", jsonProblem(err))
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		p.add("", "dữ liệu thừa sau đối tượng JSON (mỗi dòng một đối tượng)")
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

// jsonProblem describes a decoding error without echoing the line's values.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ):
		if typ.Field == "" {
			return "mỗi dòng phải là một đối tượng JSON"
		}
		return "sai kiểu dữ liệu ở trường " + typ.Field + " (cần " + jsonKind(typ.Type.Kind().String()) + ")"
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "JSON không hợp lệ"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "trường không được hỗ trợ: " + strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
	default:
		return "JSON không hợp lệ"
	}
}

// jsonKind names the JSON type a Go kind decodes from.
func jsonKind(k string) string {
	switch k {
	case "string", "ptr":
		return "chuỗi"
	case "bool":
		return "true hoặc false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "số nguyên"
	case "float32", "float64":
		return "số"
	case "slice", "array":
		return "mảng"
	default:
		return "đối tượng"
	}
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
