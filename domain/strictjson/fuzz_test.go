package strictjson_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/motcua/motcua/domain/strictjson"
)

type fuzzDoc struct {
	Name    string            `json:"name"`
	Count   int               `json:"count"`
	Fee     *int64            `json:"fee"`
	On      *bool             `json:"on"`
	Tags    []string          `json:"tags"`
	Nested  *fuzzNested       `json:"nested"`
	List    []fuzzNested      `json:"list"`
	Extra   map[string]string `json:"extra"`
	Any     json.RawMessage   `json:"any"`
	Skipped string            `json:"-"`
}

type fuzzNested struct {
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

// FuzzDecode: Decode never panics; what it accepts, encoding/json accepts
// too, and the value it decoded encodes to a document it decodes again to
// the same value.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		var v fuzzDoc
		p := strictjson.Decode(b, &v)
		if p != nil {
			if p.Reason == "" {
				t.Fatalf("a problem without a reason: %+v", p)
			}
			return
		}
		var plain fuzzDoc
		if err := json.Unmarshal(b, &plain); err != nil {
			t.Fatalf("strictjson accepted %q, encoding/json refuses it: %v", b, err)
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var w fuzzDoc
		if p := strictjson.Decode(out, &w); p != nil {
			t.Fatalf("re-encoded %s is refused: %v", out, p)
		}
		if !reflect.DeepEqual(normalize(v), normalize(w)) {
			t.Fatalf("round trip: %+v != %+v", v, w)
		}
	})
}

// normalize drops the raw bytes' spacing, which re-encoding compacts, and
// reads an absent raw value as the null it encodes to.
func normalize(d fuzzDoc) fuzzDoc {
	if len(d.Any) == 0 {
		d.Any = json.RawMessage("null")
	} else {
		var x any
		_ = json.Unmarshal(d.Any, &x)
		d.Any, _ = json.Marshal(x)
	}
	return d
}
