package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
)

// MaxBodyBytes is the largest JSON request body accepted (docs/openapi.yaml).
const MaxBodyBytes = 1 << 20

// readBody reads the whole (size-limited) request body.
func readBody(c *gin.Context) ([]byte, error) {
	r := http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)
	b, err := io.ReadAll(r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &domain.Error{Kind: domain.KindTooLarge, Message: "Nội dung yêu cầu quá lớn (tối đa 1 MiB)"}
		}
		return nil, badRequest("Không đọc được nội dung yêu cầu", "")
	}
	return b, nil
}

// decodeJSON decodes a JSON body into dst strictly: one object, no unknown
// fields, no trailing data. Malformed JSON, wrong types and unknown fields are
// 400 invalid_request naming the field; an oversized body is 413.
func decodeJSON(c *gin.Context, dst any) error {
	b, err := readBody(c)
	if err != nil {
		return err
	}
	c.Set(ctxBody, b)
	return decodeBytes(b, dst)
}

func decodeBytes(b []byte, dst any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return badRequest("Thiếu nội dung JSON", "")
	}
	// encoding/json would turn bytes that are not UTF-8 into U+FFFD.
	if !utf8.Valid(b) {
		return badRequest("Nội dung yêu cầu không phải UTF-8 hợp lệ", "")
	}
	if err := strictJSON(b, reflect.TypeOf(dst)); err != nil {
		return err
	}
	if err := decodeInto(b, dst); err != nil {
		return err
	}
	return cleanText(reflect.ValueOf(dst), "")
}

func decodeInto(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return badRequest("Nội dung JSON thừa sau đối tượng", "")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return badRequest("Nội dung JSON thừa sau đối tượng", "")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return badRequest("JSON không hợp lệ", "")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return badRequest("Sai kiểu dữ liệu: cần "+jsonType(typ.Type), field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return badRequest("Trường không được hỗ trợ", name)
	default:
		var de *domain.Error
		if errors.As(err, &de) {
			return de
		}
		return badRequest("JSON không hợp lệ", "")
	}
}

// jsonType names the JSON type a Go type decodes from, for messages: the
// client knows JSON, not our Go structs.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return "chuỗi (string)" // dates, clocks and the like
	}
	switch t.Kind() {
	case reflect.String:
		return "chuỗi (string)"
	case reflect.Bool:
		return "true hoặc false (boolean)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "số nguyên (integer)"
	case reflect.Float32, reflect.Float64:
		return "số (number)"
	case reflect.Slice, reflect.Array:
		return "mảng (array)"
	default:
		return "đối tượng (object)"
	}
}

// maxOffset is how deep offset paging goes: page × page_size beyond it is
// refused, and the client is pointed to the keyset cursor instead.
const maxOffset = 10_000

// pageParams reads page and page_size (default 50, at most 500); a page
// that ends beyond maxOffset items is 422 naming cursor.
func pageParams(c *gin.Context) (page, size int, err error) {
	page, size = 1, 50
	fe := domain.FieldErrors{}
	if v := c.Query("page"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 1 || n > 1_000_000 {
			fe.Add("page", "phải là số nguyên từ 1")
		} else {
			page = n
		}
	}
	if v := c.Query("page_size"); v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 1 || n > 500 {
			fe.Add("page_size", "phải là số nguyên từ 1 đến 500")
		} else {
			size = n
		}
	}
	if len(fe) == 0 && page*size > maxOffset {
		fe.Add("cursor", "trang vượt quá 10.000 mục (page × page_size); hãy dùng cursor (next_cursor) để đọc tiếp")
	}
	return page, size, fe.Err()
}

// listResponse is the shape of every list answer.
type listResponse[T any] struct {
	Items    []T   `json:"items"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
	Total    int64 `json:"total"`
}

func newList[T any](items []T, page, size int, total int64) listResponse[T] {
	if items == nil {
		items = []T{}
	}
	return listResponse[T]{Items: items, Page: page, PageSize: size, Total: total}
}

// boolParam parses an optional boolean query parameter.
func boolParam(c *gin.Context, name string, fe domain.FieldErrors) *bool {
	v := c.Query(name)
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		fe.Add(name, "phải là true hoặc false")
		return nil
	}
	return &b
}
