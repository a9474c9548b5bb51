// Package strictjson decodes JSON the strict way every input of motcua is
// read (an API body, a line of an import): one value, no unknown fields, no
// key given twice or in another case, no null where a field cannot be null,
// no trailing data, and bytes that are UTF-8. What is wrong comes back as a
// Problem naming the field by its JSON path, in words a client can act on,
// without echoing the values.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Problem is what is wrong with a document.
type Problem struct {
	// Field is the JSON path of the offending value (applicant.name,
	// documents[2]); empty for the document as a whole.
	Field string
	// Reason says what is wrong, in Vietnamese.
	Reason string
	// Null marks a null given for a field that cannot be null: a value the
	// client may correct, where the other problems are malformed input.
	Null bool
}

func (p *Problem) Error() string {
	if p.Field == "" {
		return p.Reason
	}
	return p.Field + ": " + p.Reason
}

// Decode decodes the JSON document b into dst (a pointer) strictly.
func Decode(b []byte, dst any) *Problem {
	if len(bytes.TrimSpace(b)) == 0 {
		return &Problem{Reason: "Thiếu nội dung JSON"}
	}
	// encoding/json would turn bytes that are not UTF-8 into U+FFFD.
	if !utf8.Valid(b) {
		return &Problem{Reason: "Nội dung không phải UTF-8 hợp lệ"}
	}
	if p := shape(b, reflect.TypeOf(dst)); p != nil {
		return p
	}
	return decode(b, dst)
}

func decode(b []byte, dst any) *Problem {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return problemOf(err)
	}
	if dec.More() {
		return &Problem{Reason: "Nội dung JSON thừa sau đối tượng"}
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return &Problem{Reason: "Nội dung JSON thừa sau đối tượng"}
	}
	return nil
}

func problemOf(err error) *Problem {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &Problem{Reason: "JSON không hợp lệ"}
	case errors.As(err, &typ):
		return &Problem{Field: typ.Field, Reason: "Sai kiểu dữ liệu: cần " + jsonType(typ.Type)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &Problem{Field: name, Reason: "Trường không được hỗ trợ"}
	default:
		return &Problem{Reason: "JSON không hợp lệ"}
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

// FieldName is the name a struct field has in JSON ("-" for none).
func FieldName(sf reflect.StructField) string {
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return "-"
	}
	if name, _, _ := strings.Cut(tag, ","); name != "" {
		return name
	}
	return sf.Name
}

// shape checks b against the type it decodes into, before decoding: a null
// document, a key given twice in one object, a key that matches a field
// only when case is ignored (which encoding/json would accept) and null for
// a field that cannot be null (not a pointer, slice or map).
func shape(b []byte, t reflect.Type) *Problem {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil // the decoder names the syntax error
	}
	if tok == nil {
		return &Problem{Reason: "Nội dung JSON không được là null"}
	}
	return walk(dec, tok, t, "", 0)
}

// maxJSONDepth bounds the nesting strictJSON follows; no request body of
// ours nests more than a few levels.
const maxJSONDepth = 32

// walk checks the value that starts with tok against t.
func walk(dec *json.Decoder, tok json.Token, t reflect.Type, path string, depth int) *Problem {
	if depth > maxJSONDepth {
		return &Problem{Reason: "JSON lồng quá sâu"}
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
				return &Problem{Field: p, Reason: "Trường bị lặp lại"}
			}
			seen[key] = true
			var ft reflect.Type
			nullable := true
			switch {
			case fields != nil:
				sf, ok := fields[key]
				if !ok {
					return &Problem{Field: p, Reason: "Trường không được hỗ trợ"}
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
				return &Problem{Field: p, Reason: "không được là null", Null: true}
			}
			if pr := walk(dec, vt, ft, p, depth+1); pr != nil {
				return pr
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
			if pr := walk(dec, vt, et, path+"["+strconv.Itoa(i)+"]", depth+1); pr != nil {
				return pr
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
		if name := FieldName(sf); name != "-" {
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
