package api

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/strictjson"
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
	if p := strictjson.Decode(b, dst); p != nil {
		if p.Null {
			return domain.FieldErrors{p.Field: p.Reason}.Err()
		}
		return badRequest(p.Reason, p.Field)
	}
	return cleanText(reflect.ValueOf(dst), "")
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

// mapItems is each item of items through f, in order: a page of domain
// values as their response types.
func mapItems[T, D any](items []T, f func(T) D) []D {
	out := make([]D, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}

// cursorList is the list envelope plus next_cursor, the opaque position
// after its last item (null when the page is not full).
type cursorList[T any] struct {
	listResponse[T]
	NextCursor *string `json:"next_cursor"`
}

// newCursorList is the page out (of the domain values items) with its next
// cursor: a full page may have a next one, and its cursor (after of the
// last item) continues there without an OFFSET (keyset pagination).
func newCursorList[I, T any](items []I, out []T, page, size int, total int64, after func(I) string) cursorList[T] {
	l := cursorList[T]{listResponse: newList(out, page, size, total)}
	if len(items) == size && size > 0 {
		next := after(items[len(items)-1])
		l.NextCursor = &next
	}
	return l
}

// newList is the list answer of one page (an empty page is [], not null).
func newList[T any](items []T, page, size int, total int64) listResponse[T] {
	if items == nil {
		items = []T{}
	}
	return listResponse[T]{Items: items, Page: page, PageSize: size, Total: total}
}

// intParam parses an optional integer query parameter; its range is the
// domain's to check.
func intParam(c *gin.Context, name string, fe domain.FieldErrors) *int {
	v := c.Query(name)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		fe.Add(name, "phải là số nguyên")
		return nil
	}
	return &n
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
