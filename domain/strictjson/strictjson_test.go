package strictjson_test

import (
	"testing"

	"github.com/motcua/motcua/domain/strictjson"
)

type inner struct {
	Name string `json:"name"`
}

type doc struct {
	Code  string   `json:"code"`
	Count int      `json:"count"`
	Note  *string  `json:"note"`
	Tags  []string `json:"tags"`
	Inner inner    `json:"inner"`
	Skip  string   `json:"-"`
}

func TestDecodeRefusesWhatIsNotPlainlyMeant(t *testing.T) {
	cases := []struct {
		name, in string
		want     strictjson.Problem
	}{
		{"empty", "  ", strictjson.Problem{Reason: "Thiếu nội dung JSON"}},
		{"not UTF-8", "{\"code\":\"\xff\"}", strictjson.Problem{Reason: "Nội dung không phải UTF-8 hợp lệ"}},
		{"null document", "null", strictjson.Problem{Reason: "Nội dung JSON không được là null"}},
		{"syntax", `{"code":`, strictjson.Problem{Reason: "JSON không hợp lệ"}},
		{"unknown field", `{"colour":"red"}`, strictjson.Problem{Field: "colour", Reason: "Trường không được hỗ trợ"}},
		{"a field named by a dash tag", `{"Skip":"x"}`, strictjson.Problem{Field: "Skip", Reason: "Trường không được hỗ trợ"}},
		{"another case", `{"CODE":"x"}`, strictjson.Problem{Field: "CODE", Reason: "Trường không được hỗ trợ"}},
		{"nested case", `{"inner":{"Name":"x"}}`, strictjson.Problem{Field: "inner.Name", Reason: "Trường không được hỗ trợ"}},
		{"twice", `{"code":"a","code":"b"}`, strictjson.Problem{Field: "code", Reason: "Trường bị lặp lại"}},
		{"null for an int", `{"count":null}`, strictjson.Problem{Field: "count", Reason: "không được là null", Null: true}},
		{"wrong type", `{"count":"3"}`, strictjson.Problem{Field: "count", Reason: "Sai kiểu dữ liệu: cần số nguyên (integer)"}},
		{"not an object", `[1]`, strictjson.Problem{Reason: "Sai kiểu dữ liệu: cần đối tượng (object)"}},
		{"trailing data", `{"code":"a"} {}`, strictjson.Problem{Reason: "Nội dung JSON thừa sau đối tượng"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d doc
			p := strictjson.Decode([]byte(c.in), &d)
			if p == nil {
				t.Fatalf("accepted %q", c.in)
			}
			if *p != c.want {
				t.Fatalf("problem %+v, want %+v", *p, c.want)
			}
		})
	}
}

func TestDecodeTakesWhatIsPlainlyMeant(t *testing.T) {
	var d doc
	if p := strictjson.Decode([]byte(`{"code":"a","count":3,"note":null,"tags":null,"inner":{"name":"Lan"}}`), &d); p != nil {
		t.Fatal(p)
	}
	if d.Code != "a" || d.Count != 3 || d.Note != nil || d.Tags != nil || d.Inner.Name != "Lan" {
		t.Fatalf("%+v", d)
	}
}
