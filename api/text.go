package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"reflect"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/unicode/norm"

	"github.com/motcua/motcua/domain"
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
	"public_content": true, "public_answer": true, "description": true,
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
			name := jsonName(sf)
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

// jsonName is the name a struct field has in JSON.
func jsonName(sf reflect.StructField) string {
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return "-"
	}
	if name, _, _ := strings.Cut(tag, ","); name != "" {
		return name
	}
	return sf.Name
}

// strictJSON checks the shape of a JSON body against the type it decodes
// into, before decoding: a null body, a key given twice in one object, and a
// key that matches a field only when case is ignored (which encoding/json
// would accept) are 400; null for a field that cannot be null (not a
// pointer, slice or map) is 422.
func strictJSON(b []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil // the decoder names the syntax error
	}
	if tok == nil {
		return badRequest("Nội dung JSON không được là null", "")
	}
	return walkJSON(dec, tok, t, "", 0)
}

// maxJSONDepth bounds the nesting strictJSON follows; no request body of
// ours nests more than a few levels.
const maxJSONDepth = 32

// walkJSON checks the value that starts with tok against t.
func walkJSON(dec *json.Decoder, tok json.Token, t reflect.Type, path string, depth int) error {
	if depth > maxJSONDepth {
		return badRequest("JSON lồng quá sâu", "")
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil // scalars: the decoder checks their types
	}
	switch delim {
	case '{':
		var fields map[string]reflect.StructField
		if t != nil && t.Kind() == reflect.Struct && !implementsUnmarshaler(t) {
			fields = structFields(t)
		}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil
			}
			key, _ := kt.(string)
			p := key
			if path != "" {
				p = path + "." + key
			}
			if seen[key] {
				return badRequest("Trường bị lặp lại", p)
			}
			seen[key] = true
			var ft reflect.Type
			nullable := true
			switch {
			case fields != nil:
				sf, ok := fields[key]
				if !ok {
					return badRequest("Trường không được hỗ trợ", p)
				}
				ft = sf.Type
				nullable = canBeNull(ft)
			case t != nil && t.Kind() == reflect.Map:
				ft = t.Elem()
			}
			vt, err := dec.Token()
			if err != nil {
				return nil
			}
			if vt == nil && !nullable {
				return &domain.Error{Kind: domain.KindValidation, Message: "Dữ liệu không hợp lệ",
					Fields: map[string]string{p: "không được là null"}}
			}
			if err := walkJSON(dec, vt, ft, p, depth+1); err != nil {
				return err
			}
		}
		_, _ = dec.Token() // }
	case '[':
		var et reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			et = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			vt, err := dec.Token()
			if err != nil {
				return nil
			}
			if err := walkJSON(dec, vt, et, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
		_, _ = dec.Token() // ]
	}
	return nil
}

// structFields are the fields of t by their exact JSON names, embedded
// structs' fields included.
func structFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Anonymous && sf.Tag.Get("json") == "" {
			et := sf.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for k, v := range structFields(et) {
					out[k] = v
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name := jsonName(sf); name != "-" {
			out[name] = sf
		}
	}
	return out
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func implementsUnmarshaler(t reflect.Type) bool {
	return t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType)
}

// canBeNull reports whether JSON null means something for a field of type t:
// a pointer (absent or cleared), a slice or map (none), an interface, or a
// type that decodes itself.
func canBeNull(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return implementsUnmarshaler(t)
}
