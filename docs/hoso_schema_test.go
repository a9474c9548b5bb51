package docs_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/motcua/motcua/docs"
	"github.com/motcua/motcua/domain/dvcqg"
	"github.com/motcua/motcua/domain/dvcqg/dvcqgtest"
)

const schemaURL = "https://github.com/motcua/motcua/docs/dvcqg/hoso.schema.json"

func compile(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(docs.HoSoSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(schemaURL, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, b []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return s.Validate(v)
}

// Every shape of dossier gives a payload the schema accepts.
func TestEveryPayloadShapeMatchesTheSchema(t *testing.T) {
	s := compile(t)
	cases := dvcqgtest.Cases()
	if len(cases) < 15 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		h, err := dvcqg.Payload(c.Input)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		b, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(t, s, b); err != nil {
			t.Errorf("%s: %v\n%s", c.Name, err, b)
		}
	}
}

// The schema refuses what the portal does not take: it can fail.
func TestTheSchemaRefusesBadPayloads(t *testing.T) {
	s := compile(t)
	h, err := dvcqg.Payload(dvcqgtest.Cases()[0].Input)
	if err != nil {
		t.Fatal(err)
	}
	good, _ := json.Marshal(h)
	for name, edit := range map[string]func(m map[string]any){
		"number status":   func(m map[string]any) { m["TrangThaiHoSo"] = 2 },
		"status 1":        func(m map[string]any) { m["TrangThaiHoSo"] = "1" },
		"extra field":     func(m map[string]any) { m["Khac"] = "" },
		"missing field":   func(m map[string]any) { delete(m, "MaHoSo") },
		"bad date":        func(m map[string]any) { m["NgayHenTra"] = "2021-08-02" },
		"no receipt date": func(m map[string]any) { m["NgayTiepNhan"] = "" },
		"channel 4":       func(m map[string]any) { m["KenhThucHien"] = "4" },
		"empty process":   func(m map[string]any) { m["QuaTrinhXuLy"] = []any{} },
		"extra in a step": func(m map[string]any) { m["QuaTrinhXuLy"].([]any)[0].(map[string]any)["GhiChu"] = "" },
		"first not receipt": func(m map[string]any) {
			m["QuaTrinhXuLy"].([]any)[0].(map[string]any)["NoiDungXuLy"] = "Dừng xử lý"
		},
		"a database link": func(m map[string]any) { m["DSKetNoiCSDL"] = []any{map[string]any{}} },
		"bad ID type": func(m map[string]any) {
			m["DinhDanhCHS"] = []any{map[string]any{"LoaiDinhDanh": "1", "SoDinhDanh": "012345678"}}
		},
	} {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ := json.Marshal(m)
		if validate(t, s, b) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// jsonFields is the JSON names type t emits, in order.
func jsonFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

// The schema requires exactly the fields the Go types emit, at every
// level, and refuses any other (additionalProperties false everywhere).
func TestTheSchemaRequiresWhatTheStructsEmit(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(docs.HoSoSchema, &schema); err != nil {
		t.Fatal(err)
	}
	if schema["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v", schema["$schema"])
	}
	check := func(where string, node map[string]any, typ reflect.Type) {
		t.Helper()
		var req []string
		for _, r := range node["required"].([]any) {
			req = append(req, r.(string))
		}
		var props []string
		for k := range node["properties"].(map[string]any) {
			props = append(props, k)
		}
		want := jsonFields(typ)
		slices.Sort(props)
		sorted := slices.Sorted(slices.Values(want))
		if !slices.Equal(req, want) || !slices.Equal(props, sorted) {
			t.Errorf("%s: required %v, properties %v; the struct emits %v", where, req, props, want)
		}
	}
	check("HoSo", schema, reflect.TypeFor[dvcqg.HoSo]())
	props := schema["properties"].(map[string]any)
	for field, typ := range map[string]reflect.Type{
		"TaiLieuNop": reflect.TypeFor[dvcqg.TaiLieu](), "DanhSachLePhi": reflect.TypeFor[dvcqg.LePhi](),
		"DanhSachHoSoBoSung": reflect.TypeFor[dvcqg.HoSoBoSung](), "DanhSachGiayToKetQua": reflect.TypeFor[dvcqg.GiayToKetQua](),
		"DinhDanhCHS": reflect.TypeFor[dvcqg.DinhDanh](), "QuaTrinhXuLy": reflect.TypeFor[dvcqg.QuaTrinh](),
	} {
		arr := props[field].(map[string]any)
		check(field, arr["items"].(map[string]any), typ)
		if p, ok := arr["prefixItems"].([]any); ok {
			check(field+"[0]", p[0].(map[string]any), typ)
		}
	}
	if n := len(jsonFields(reflect.TypeFor[dvcqg.KetNoiCSDL]())); n != 0 {
		t.Errorf("KetNoiCSDL emits %d fields", n)
	}
	// additionalProperties: false on every object schema.
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if _, isObj := x["properties"]; isObj || x["type"] == "object" {
				if x["additionalProperties"] != false {
					t.Errorf("%s: additionalProperties is not false", path)
				}
			}
			for k, c := range x {
				walk(path+"/"+k, c)
			}
		case []any:
			for i, c := range x {
				walk(path+"/"+string(rune('0'+i)), c)
			}
		}
	}
	walk("#", schema)
}
