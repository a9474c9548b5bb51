package api

import (
	"log/slog"
	"reflect"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/unicode/norm"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/strictjson"
)

// The input guard: every piece of text a request carries (its path, its
// query values, the strings of its JSON body) passes domain.CheckText before
// any store is called, the same on both engines: bytes that are not UTF-8
// are 400 invalid_request, a NUL or another control character is 422
// (tab and newlines are allowed in the free-text fields below), and text is
// normalised to NFC, so that length limits count what people see and a
// name typed decomposed finds the one stored composed.

// multilineFields are the JSON fields of free text, where tab and newlines
// are allowed.
var multilineFields = map[string]bool{
	"content": true, "answer": true, "note": true, "reason": true, "refusal_reason": true, "comment": true,
	"public_content": true, "public_answer": true, "description": true, "condition": true,
}

// textError is the answer to a bad piece of text named field.
func textError(f domain.TextFault, field string) error {
	switch f {
	case domain.TextInvalidUTF8:
		return badRequest("Văn bản không phải UTF-8 hợp lệ", field)
	case domain.TextControl:
		return &domain.Error{Kind: domain.KindValidation, Message: "Dữ liệu không hợp lệ",
			Fields: map[string]string{field: "không được chứa ký tự điều khiển (như NUL)"}}
	}
	return nil
}

// guardInput checks the path and every query parameter (names and values)
// of a request; none of them is free text.
func guardInput(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		if f := domain.CheckText(c.Request.URL.Path, false); f != domain.TextOK {
			writeError(c, log, textError(f, "path"))
			return
		}
		for k, vs := range c.Request.URL.Query() {
			if f := domain.CheckText(k, false); f != domain.TextOK {
				writeError(c, log, textError(f, "query"))
				return
			}
			for _, v := range vs {
				if f := domain.CheckText(v, false); f != domain.TextOK {
					writeError(c, log, textError(f, k))
					return
				}
			}
		}
		c.Next()
	}
}

// cleanText checks and NFC-normalises every string in v (a decoded request
// body), naming the offending field by its JSON path (applicant.name).
func cleanText(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return cleanText(v.Elem(), path)
	case reflect.String:
		s := v.String()
		leaf := path[strings.LastIndexByte(path, '.')+1:]
		if i := strings.IndexByte(leaf, '['); i >= 0 {
			leaf = leaf[:i]
		}
		if f := domain.CheckText(s, multilineFields[leaf]); f != domain.TextOK {
			return textError(f, path)
		}
		if !norm.NFC.IsNormalString(s) && v.CanSet() {
			v.SetString(norm.NFC.String(s))
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name := strictjson.FieldName(sf)
			if name == "-" {
				continue
			}
			p := name
			if sf.Anonymous && sf.Tag.Get("json") == "" {
				p = path
			} else if path != "" {
				p = path + "." + name
			}
			if err := cleanText(v.Field(i), p); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // raw bytes
		}
		for i := 0; i < v.Len(); i++ {
			if err := cleanText(v.Index(i), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if k.Kind() == reflect.String {
				if f := domain.CheckText(k.String(), false); f != domain.TextOK {
					return textError(f, path)
				}
			}
			e := v.MapIndex(k)
			if e.Kind() == reflect.String {
				s := e.String()
				if f := domain.CheckText(s, false); f != domain.TextOK {
					return textError(f, path+"."+k.String())
				}
				v.SetMapIndex(k, reflect.ValueOf(norm.NFC.String(s)).Convert(e.Type()))
				continue
			}
			if err := cleanText(e, path+"."+k.String()); err != nil {
				return err
			}
		}
	}
	return nil
}
